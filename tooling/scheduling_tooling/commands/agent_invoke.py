"""`scheduling agent invoke --event FILE|-`: send Bedrock action-group events through the groups'
handler Lambdas, as the agent runtime does, and show each answer.

Where: `target.resolve` (the running local stack, AWS with --aws, else an in-process stack, announced).
A local stack's Lambda endpoint and simulator come from its Target (its /_local/info). On AWS only
the Lambdas are used: no state machine is needed, and Terraform's outputs are read once, only when a
--function is missing. A JSON array of events is one conversation on one stack, so a conversation can
be replayed from a file; an event whose customer has no `auth_token` is signed in at the local
simulator first, as the PF web app signs customers in.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

import requests
from botocore.exceptions import BotoCoreError, ClientError

from scheduling_tooling import terminal
from scheduling_tooling.agent_events import answer_of
from scheduling_tooling.agent_groups import GROUPS
from scheduling_tooling.local.resources import Resources
from scheduling_tooling.target import (
    Target,
    TargetError,
    add_target_arguments,
    explain,
    resolve,
    terraform_outputs,
)

PROG = "scheduling agent invoke"
EXAMPLES = """\
Each event is a Bedrock action-group event (apiPath or function, parameters, sessionAttributes with
customer_id and client_id). Per answer it shows the action, the HTTP status and the answer's message
and fields; --json prints the raw answers instead. On a local stack a customer without an auth_token
is signed in at the PF360 simulator; on AWS the events must carry the customer's auth_token.

examples:
  scheduling agent invoke --event tests/events/conversation.json     # a whole conversation
  scheduling agent invoke --event tests/events/scheduling_get_available_dates.json --json
  cat event.json | scheduling agent invoke --event -
  scheduling agent invoke --endpoint http://127.0.0.1:5361 --event e.json   # another local stack
  scheduling agent invoke --aws --profile dev --event e.json         # the deployed Lambdas
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event", required=True, metavar="FILE|-", help="an event, or a JSON array of them")
    parser.add_argument("--group", choices=GROUPS, help="action group (default: each event's actionGroup)")
    parser.add_argument(
        "--json", action="store_true", help="print the raw Bedrock answers (JSON), one per event"
    )
    parser.add_argument(
        "--function",
        action="append",
        default=[],
        metavar="GROUP=NAME",
        help="with --aws: a group's Lambda function name (default: Terraform's lambda_function_names)",
    )
    add_target_arguments(parser, state_machine=False)


def run(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.event == "-" else open(args.event, encoding="utf-8").read()  # noqa: SIM115
        loaded = json.loads(text)
    except (OSError, json.JSONDecodeError) as error:
        terminal.error(PROG, f"cannot read events: {error}")
        return 2
    events = loaded if isinstance(loaded, list) else [loaded]
    if not all(isinstance(event, dict) for event in events):
        terminal.error(PROG, "an event is not a JSON object")
        return 2
    # The handlers may run in this process (in-process stack): keep their logs off the answers.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    out = terminal.Output()
    failed = 0
    try:
        given = _given_functions(args)
        # On AWS Terraform is read once, and only when a group's function is not given.
        outputs = None
        if args.aws:
            outputs = {} if set(GROUPS) <= set(given) else terraform_outputs(args.terraform_dir)
        with resolve(
            args,
            announce=terminal.note,
            start_stack=True,
            lambda_only=True,
            outputs=outputs,
        ) as target:
            try:
                invoker = _invoker(target, given)
                for number, event in enumerate(events, 1):
                    group = args.group or event.get("actionGroup")
                    if group not in GROUPS:
                        terminal.error(PROG, f"event {number}: no --group and no known actionGroup")
                        return 2
                    answer = invoker.invoke(group, event)
                    if args.json:
                        print(json.dumps(answer, indent=2), flush=True)
                    else:
                        failed += not show(out, event, answer, number=number, of=len(events))
            except (BotoCoreError, ClientError) as error:
                raise TargetError(explain(error, target)) from error
    except TargetError as error:
        terminal.error(PROG, str(error))
        return 2
    except requests.RequestException as error:
        terminal.error(PROG, f"cannot sign the customer in at the simulator: {error}")
        return 2
    return 1 if failed else 0


@dataclass
class Invoker:
    """Invokes the groups' handlers on one stack, signing customers in where the stack can."""

    client: Any  # boto3 Lambda client
    functions: dict[str, str]  # group -> function name
    simulator_url: str | None  # None on AWS: events must carry their token
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def invoke(self, group: str, event: dict[str, Any]) -> dict[str, Any]:
        event = self.signed_in(event)
        response = self.client.invoke(FunctionName=self.functions[group], Payload=json.dumps(event))
        answer: dict[str, Any] = json.loads(response["Payload"].read() or b"null") or {}
        return answer

    def signed_in(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event with its customer's token from the simulator, when it carries none."""
        attributes = event.get("sessionAttributes")
        if not isinstance(attributes, dict) or "auth_token" in attributes or not self.simulator_url:
            return event
        customer = (str(attributes.get("client_id", "")), str(attributes.get("customer_id", "")))
        if customer not in self.tokens:
            self.tokens[customer] = sign_in_at(self.simulator_url, *customer)
        return {**event, "sessionAttributes": {**attributes, "auth_token": self.tokens[customer]}}


def _invoker(target: Target, given: dict[str, str]) -> Invoker:
    if target.kind == "aws":
        return Invoker(target.client("lambda"), _aws_functions(given, target.outputs), None)
    resources = Resources()
    names = {group: resources.agent_function(group) for group in GROUPS}
    return Invoker(target.client("lambda"), names, target.simulator_url)


def sign_in_at(simulator_url: str, client_id: str, customer_id: str) -> str:
    """The customer's PF360 token from the local simulator, as PF360's sign-in gives the PF web app."""
    session = requests.Session()
    session.trust_env = False  # loopback: no proxy
    answer = session.post(
        f"{simulator_url}/_sim/tokens", json={"client_id": client_id, "customer_id": customer_id}, timeout=10
    )
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token


def _given_functions(args: argparse.Namespace) -> dict[str, str]:
    return dict(item.split("=", 1) for item in args.function if "=" in item)


def _aws_functions(given: dict[str, str], outputs: dict[str, Any]) -> dict[str, str]:
    names = outputs.get("lambda_function_names") or {}
    functions = {group: given.get(group) or names.get(group) for group in GROUPS}
    missing = [group for group, name in functions.items() if not name]
    if missing:
        raise TargetError(
            f"no Lambda function for {', '.join(missing)}: give --function GROUP=NAME, or run where "
            f"`terraform output lambda_function_names` names them (--terraform-dir)"
        )
    terminal.note("on AWS no simulator signs customers in: each event must carry the customer's auth_token")
    return {group: str(name) for group, name in functions.items()}


def show(
    out: terminal.Output, event: dict[str, Any], answer: dict[str, Any], *, number: int, of: int
) -> bool:
    """One event and its answer, readable; False when the Lambda failed instead of answering."""
    action = event.get("apiPath") or event.get("function") or "?"
    method = f"{event['httpMethod']} " if event.get("httpMethod") else ""
    parameters = "  ".join(f"{p.get('name')}={p.get('value')}" for p in event.get("parameters") or [])
    counter = f"[{number}/{of}] " if of > 1 else ""
    out.line(
        f"→ {counter}{event.get('actionGroup', '?')} {method}{action}  {parameters}".rstrip(), style="bold"
    )
    if "errorType" in answer or "response" not in answer:  # Lambda's own error shape, not an answer
        out.line(
            f"← Lambda error {answer.get('errorType', '')}: {answer.get('errorMessage', answer)}", style="red"
        )
        return False
    status, body = answer_of(answer)
    try:
        fields = json.loads(body) if body else {}
    except json.JSONDecodeError:
        fields = {"message": body}
    if not isinstance(fields, dict):
        fields = {"message": str(fields)}
    colour = "green" if 200 <= status < 300 else "yellow" if status < 500 else "red"
    out.line(f"← {status} {fields.pop('message', '')}", style=colour)
    for name, value in fields.items():
        lines = _readable(value)
        if len(lines) == 1:
            out.line(f"    {name}: {lines[0]}")
        else:
            out.line(f"    {name}:")
            for line in lines:
                out.line(f"      - {line}")
    return True


def _readable(value: Any) -> list[str]:
    """A field's value as lines: scalars inline, one line per item of a longer list."""
    if isinstance(value, dict):
        return ["  ".join(f"{key}={_inline(item)}" for key, item in value.items())]
    if not isinstance(value, list):
        return [_inline(value)]
    if value and all(not isinstance(item, dict | list) and "," not in str(item) for item in value):
        return [", ".join(str(item) for item in value)]
    return [line for item in value for line in _readable(item)] or ["(none)"]


def _inline(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
