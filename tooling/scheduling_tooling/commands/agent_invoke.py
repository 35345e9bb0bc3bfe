"""`scheduling agent invoke --group G --event FILE|-`: send Bedrock action-group events through the
group's handler Lambda and print each response.

Against the stack `scheduling local up` serves when AWS_ENDPOINT_URL_LAMBDA is exported (as it
prints), else on an in-process stack started for the call. A JSON array of events is one
conversation on one stack, so a conversation can be replayed from a file. An event whose customer has
no `auth_token` is signed in at the local simulator first, as the PF web app signs customers in.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator

import boto3

from scheduling_tooling.agent_client import sign_in
from scheduling_tooling.agent_groups import GROUPS
from scheduling_tooling.local.resources import Resources


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--group", choices=GROUPS, help="action group (default: each event's actionGroup)")
    parser.add_argument("--event", required=True, metavar="FILE|-", help="an event, or a JSON array of them")


def run(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.event == "-" else open(args.event, encoding="utf-8").read()  # noqa: SIM115
        loaded = json.loads(text)
    except (OSError, json.JSONDecodeError) as error:
        print(f"scheduling agent invoke: cannot read events: {error}", file=sys.stderr)
        return 2
    events = loaded if isinstance(loaded, list) else [loaded]
    resources = Resources()
    tokens: dict[tuple[str, str], str | None] = {}
    with _lambda_endpoint() as endpoint:
        client = boto3.client("lambda", endpoint_url=endpoint, region_name=resources.region)
        for event in events:
            group = args.group or (event.get("actionGroup") if isinstance(event, dict) else None)
            if group not in GROUPS:
                print(
                    "scheduling agent invoke: no --group and no known actionGroup in event", file=sys.stderr
                )
                return 2
            event = _signed_in(event, tokens)
            answer = client.invoke(FunctionName=resources.agent_function(group), Payload=json.dumps(event))
            print(json.dumps(json.loads(answer["Payload"].read()), indent=2), flush=True)
    return 0


def _signed_in(event: object, tokens: dict[tuple[str, str], str | None]) -> object:
    """The event with its customer's token, from the local simulator, when it carries none."""
    attributes = event.get("sessionAttributes") if isinstance(event, dict) else None
    if not isinstance(event, dict) or not isinstance(attributes, dict) or "auth_token" in attributes:
        return event
    customer = (str(attributes.get("client_id", "")), str(attributes.get("customer_id", "")))
    if customer not in tokens:
        tokens[customer] = sign_in(*customer)
    token = tokens[customer]
    return {**event, "sessionAttributes": {**attributes, "auth_token": token}} if token else event


@contextlib.contextmanager
def _lambda_endpoint() -> Iterator[str]:
    if os.environ.get("AWS_ENDPOINT_URL_LAMBDA"):
        yield os.environ["AWS_ENDPOINT_URL_LAMBDA"]  # the stack `scheduling local up` serves
        return
    from scheduling_tooling.local.stack import EmbeddedStack

    # The handlers run in this process: keep their logs and metrics off the printed answers.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    with EmbeddedStack() as stack:
        yield stack.lambdas.url
