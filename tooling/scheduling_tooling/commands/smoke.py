"""`scheduling smoke`: a short scripted conversation with a deployed agent alias.

Each turn goes through `bedrock-agent-runtime` InvokeAgent with the session attributes the PF web app
sends (`customer_id`, `client_id` and, when given, the customer's PF360 token `auth_token`; see
functions/agent_actions/identity.py). The script is read-only: a greeting, the available dates, thanks.
It never books, confirms or cancels. Exit status: 0 when every step answered, 1 when a step failed,
2 when the smoke could not run (settings, credentials, access, unknown agent or region).

Ids come from the options, else `PF360_SMOKE_*` variables, else `terraform output -json` (outputs
`agent_id`, `agent_alias_id`). The region: --region, else the stack's `region` output when the ids
came from Terraform, else the AWS config's, else that output. The token is read from
`PF360_SMOKE_AUTH_TOKEN` or `--auth-token-file`, never from the command line, and is never printed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import urllib3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    HTTPClientError,
    ParamValidationError,
    ProfileNotFound,
    ReadTimeoutError,
    ResponseStreamingError,
)

from agent_actions.event_shape import fits
from scheduling_tooling import target as stacks  # its Target is where commands act, not this Target

EXAMPLES = """\
Needs AWS credentials and a deployed agent alias; it asks for dates and books nothing.

examples:
  scheduling smoke --customer-id 1645975 --client-id 09PF05VD --auth-token-file token.txt
  scheduling smoke --profile dev --trace --project 12345
"""
ENV_AGENT_ID = "PF360_SMOKE_AGENT_ID"
ENV_ALIAS_ID = "PF360_SMOKE_AGENT_ALIAS_ID"
ENV_CUSTOMER_ID = "PF360_SMOKE_CUSTOMER_ID"
ENV_CLIENT_ID = "PF360_SMOKE_CLIENT_ID"
ENV_PROJECT_ID = "PF360_SMOKE_PROJECT_ID"
ENV_AUTH_TOKEN = "PF360_SMOKE_AUTH_TOKEN"

TERRAFORM_OUTPUTS = ("agent_id", "agent_alias_id", "region")
_AGENT_ID = re.compile(r"[0-9A-Za-z]{1,10}\Z")  # InvokeAgent's agentId and agentAliasId
_REJECTED_CREDENTIALS = {"unrecognizedclientexception", "invalidsignatureexception", "expiredtokenexception"}
_PROG = "scheduling smoke"


class SmokeError(Exception):
    """The smoke cannot run or go on; the message is one line for the operator."""


@dataclass(frozen=True)
class Step:
    name: str
    text: str
    needs_tool: bool = False  # with --trace: the answer must come from an action group


@dataclass(frozen=True)
class Target:
    """Where the conversation goes and who is speaking, as the front end would send it."""

    agent_id: str
    alias_id: str
    region: str
    session_id: str
    attributes: dict[str, str] = field(repr=False)  # holds the customer's token
    trace: bool = False


@dataclass
class Turn:
    chunks: list[bytes] = field(default_factory=list)  # kept as they stream: an error mid-answer keeps them
    seconds: float = 0.0
    tools: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    returned_control: bool = False

    @property
    def answer(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


def script(project_id: str | None) -> list[Step]:
    """The conversation: what a customer would say, nothing that changes an appointment."""
    dates = (
        f"Which dates are available for an appointment for my project {project_id}?"
        if project_id
        else "Which dates are available for my next appointment?"
    )
    return [
        Step("greeting", "Hello! What can you do for me?"),
        Step("available dates", dates, needs_tool=True),
        Step("thanks", "Thank you, that is all for now."),
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agent-id", help=f"agent id (default: ${ENV_AGENT_ID}, else terraform output)")
    parser.add_argument("--alias-id", help=f"alias id (default: ${ENV_ALIAS_ID}, else terraform output)")
    parser.add_argument(
        "--region", help="AWS region (default: the stack's if ids come from terraform, else AWS config)"
    )
    parser.add_argument("--profile", help="AWS profile (default: the usual AWS credential chain)")
    parser.add_argument("--customer-id", help=f"the PF360 customer to speak as (default: ${ENV_CUSTOMER_ID})")
    parser.add_argument("--client-id", help=f"that customer's PF360 client id (default: ${ENV_CLIENT_ID})")
    parser.add_argument("--project", help=f"project to ask dates for (default: ${ENV_PROJECT_ID}, else none)")
    parser.add_argument(
        "--auth-token-file",
        type=Path,
        metavar="FILE",
        help=f"file holding the customer's PF360 token (default: ${ENV_AUTH_TOKEN}; none: no token sent)",
    )
    parser.add_argument("--session-id", help="Bedrock session id (default: a fresh one)")
    parser.add_argument("--trace", action="store_true", help="enable the agent trace; show the tools called")
    parser.add_argument(
        "--terraform-dir", type=Path, default=Path("terraform"), help="where to run terraform output"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for an answer (120)")


def run(args: argparse.Namespace) -> int:
    token: str | None = None
    try:
        token = _token(args.auth_token_file)
        target = _target(args, token)
        client = _client(args.profile, target.region, args.timeout)
        return converse(client, target, script(args.project or os.environ.get(ENV_PROJECT_ID)), token)
    except SmokeError as error:
        print(_redacted(f"{_PROG}: {error}", token), file=sys.stderr)
        return 2


def converse(client: Any, target: Target, steps: list[Step], token: str | None = None) -> int:
    """Send each step in one session and report it; 0 when every step passed, 1 otherwise.
    Raises SmokeError when going on is pointless (credentials, access, unknown agent)."""

    def say(line: str = "") -> None:
        print(_redacted(line, token), flush=True)

    say(
        f"{_PROG}: agent {target.agent_id} alias {target.alias_id} in {target.region}, "
        f"session {target.session_id}"
    )
    attributes = target.attributes
    token_note = "with the customer's PF360 token" if "auth_token" in attributes else "without a PF360 token"
    say(f"speaking as customer {attributes['customer_id']} of client {attributes['client_id']}, {token_note}")
    started = time.perf_counter()
    passed = 0
    for number, step in enumerate(steps, 1):
        say(f"\n[{number}/{len(steps)}] {step.name}: {step.text}")
        turn, reason = _attempt(client, target, step)
        for line in turn.answer.strip().splitlines() or ["(no answer)"]:
            say(f"    {line}")
        if turn.tools:
            say(f"    tools: {', '.join(turn.tools)}")
        say(f"    {'PASS' if reason is None else 'FAIL: ' + reason} ({turn.seconds:.1f} s)")
        passed += reason is None
    say(f"\n{passed} of {len(steps)} steps passed in {time.perf_counter() - started:.1f} s")
    return 0 if passed == len(steps) else 1


_CUT_OFF = (ReadTimeoutError, ResponseStreamingError, urllib3.exceptions.HTTPError)  # no whole answer


def _attempt(client: Any, target: Target, step: Step) -> tuple[Turn, str | None]:
    """One turn and why it failed (None when it passed)."""
    began = time.perf_counter()
    turn = Turn()
    try:
        _invoke(client, target, step.text, turn)
    except ClientError as error:
        _raise_if_fatal(error, target)
        turn.seconds = time.perf_counter() - began
        return turn, _client_error(error)
    except stacks.CREDENTIAL_ERRORS as error:
        raise SmokeError(f"AWS credentials unusable: {error}") from None
    except _CUT_OFF as error:
        turn.seconds = time.perf_counter() - began
        return turn, f"no whole answer: {type(error).__name__}"
    except HTTPClientError as error:
        raise SmokeError(f"cannot reach Bedrock Agent Runtime in {target.region}: {error}") from None
    except ParamValidationError as error:
        raise SmokeError(f"InvokeAgent refused the request: {error}") from None
    turn.seconds = time.perf_counter() - began
    return turn, _verdict(turn, step, target.trace)


def _invoke(client: Any, target: Target, text: str, turn: Turn) -> None:
    response = client.invoke_agent(
        agentId=target.agent_id,
        agentAliasId=target.alias_id,
        sessionId=target.session_id,
        sessionState={"sessionAttributes": target.attributes},
        inputText=text,
        enableTrace=target.trace,
    )
    for event in response["completion"]:
        if "chunk" in event:
            turn.chunks.append(event["chunk"].get("bytes", b""))
        elif "trace" in event:
            _read_trace(event["trace"].get("trace", {}), turn)
        elif "returnControl" in event:
            turn.returned_control = True


def _read_trace(trace: Any, turn: Turn) -> None:
    """The action groups the agent (or a collaborator) called, and any failure it reported."""
    for key, value in _items(trace):
        if key == "actionGroupInvocationInput" and isinstance(value, dict):
            call = value.get("apiPath") or value.get("function") or "?"
            verb = f"{value['verb']} " if value.get("verb") else ""
            turn.tools.append(f"{value.get('actionGroupName', '?')} {verb}{call}")
        elif key == "failureTrace" and isinstance(value, dict) and value.get("failureReason"):
            turn.failures.append(str(value["failureReason"]))


def _items(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key, inner
            yield from _items(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _items(inner)


def _verdict(turn: Turn, step: Step, traced: bool) -> str | None:
    if not turn.answer.strip():
        if turn.returned_control:
            return "the agent returned control to the caller instead of answering"
        if turn.failures:
            return "no answer; the trace reports: " + "; ".join(turn.failures)
        return "the agent sent no answer text"
    if traced and step.needs_tool and not turn.tools:
        return "answered without calling an action group: the dates may be invented"
    return None


def _raise_if_fatal(error: ClientError, target: Target) -> None:
    code = str(error.response.get("Error", {}).get("Code", "")).lower()
    message = error.response.get("Error", {}).get("Message", "")
    where = f"agent {target.agent_id} alias {target.alias_id} in {target.region}"
    if code == "resourcenotfoundexception":
        raise SmokeError(f"{where} not found (check --region and the ids): {message}") from None
    if code == "accessdeniedexception":
        raise SmokeError(
            f"access denied for {where} (the caller needs bedrock:InvokeAgent on the alias, and "
            f"kms:Decrypt and kms:GenerateDataKey on the stack's key): {message}"
        ) from None
    if code in _REJECTED_CREDENTIALS:
        raise SmokeError(f"AWS rejected the credentials: {message}") from None


def _client_error(error: ClientError) -> str:
    details = error.response.get("Error", {})
    return f"{details.get('Code', 'error')}: {details.get('Message', '')}".rstrip(": ")


def _client(profile: str | None, region: str, timeout: float) -> Any:
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
        if session.get_credentials() is None:
            raise SmokeError(
                "no AWS credentials found (pass --profile, set AWS_PROFILE or export credentials); "
                "nothing was sent"
            )
    except ProfileNotFound:
        raise SmokeError(f"AWS profile {profile!r} not found in your AWS config; nothing was sent") from None
    except stacks.CREDENTIAL_ERRORS as error:
        raise SmokeError(f"AWS credentials unusable: {error}; nothing was sent") from None
    # One attempt per turn: a retried InvokeAgent would be a second customer turn in the same session.
    config = Config(read_timeout=timeout, connect_timeout=10, retries={"total_max_attempts": 1})
    return session.client("bedrock-agent-runtime", config=config)


def _target(args: argparse.Namespace, token: str | None) -> Target:
    outputs: dict[str, str] | None = None

    def terraform(name: str) -> str | None:
        nonlocal outputs
        if outputs is None:
            outputs = terraform_outputs(args.terraform_dir)
        return outputs.get(name)

    agent_id = args.agent_id or os.environ.get(ENV_AGENT_ID) or terraform("agent_id")
    alias_id = args.alias_id or os.environ.get(ENV_ALIAS_ID) or terraform("agent_alias_id")
    for value, option, variable, output in (
        (agent_id, "--agent-id", ENV_AGENT_ID, "agent_id"),
        (alias_id, "--alias-id", ENV_ALIAS_ID, "agent_alias_id"),
    ):
        if not value:
            raise SmokeError(
                f"no {option[2:].replace('-', ' ')}: pass {option}, set {variable}, "
                f"or run where `terraform -chdir={args.terraform_dir} output {output}` works"
            )
        if not _AGENT_ID.match(value):
            raise SmokeError(f"{option} must be 1 to 10 letters or digits, got {value!r}")
    # Ids read from the stack belong to the stack's region, whatever the shell's default region is.
    stack_region = terraform("region") if outputs is not None else None
    region = args.region or stack_region or _configured_region(args.profile) or terraform("region")
    if not region:
        raise SmokeError("no AWS region: pass --region or set AWS_REGION")
    session_id = args.session_id or str(uuid.uuid4())
    attributes = _attributes(args, session_id, token)
    return Target(str(agent_id), str(alias_id), region, session_id, attributes, args.trace)


def _configured_region(profile: str | None) -> str | None:
    try:
        return stacks.configured_region(profile)
    except stacks.TargetError:
        raise SmokeError(f"AWS profile {profile!r} not found in your AWS config; nothing was sent") from None


def _attributes(args: argparse.Namespace, session_id: str, token: str | None) -> dict[str, str]:
    """sessionAttributes as the front end sends them, checked by the handlers' own rules first, so a
    typo fails here instead of as a polite "I cannot identify you" from the agent."""
    customer_id = args.customer_id or os.environ.get(ENV_CUSTOMER_ID)
    client_id = args.client_id or os.environ.get(ENV_CLIENT_ID)
    if not customer_id or not client_id:
        raise SmokeError(
            f"no customer: pass --customer-id and --client-id (or set {ENV_CUSTOMER_ID} and {ENV_CLIENT_ID})"
        )
    attributes = {"customer_id": customer_id, "client_id": client_id}
    if not fits("identified", {"sessionId": session_id, "sessionAttributes": attributes}):
        raise SmokeError(
            "the session id, customer id or client id is not one the handlers accept (customer id: "
            "digits; client id: 2 to 32 letters or digits; session id: up to 100 of A-Z a-z 0-9 . _ : -)"
        )
    if token is not None:
        attributes["auth_token"] = token
        if not fits("identified", {"sessionId": session_id, "sessionAttributes": attributes}):
            raise SmokeError("the PF360 token is not a well-formed token (8 to 4096 token characters)")
    return attributes


def _token(path: Path | None) -> str | None:
    if path is None:
        return os.environ.get(ENV_AUTH_TOKEN) or None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError as error:
        raise SmokeError(f"cannot read the token file: {error.strerror}") from None


def terraform_outputs(directory: Path) -> dict[str, str]:
    """The string outputs this command uses, from the one reader of `terraform output -json`
    (`scheduling_tooling.target.terraform_outputs`, which holds no sensitive value); empty when there
    is no terraform, no directory or no state."""
    try:
        outputs = stacks.terraform_outputs(directory)
    except stacks.TargetError:
        return {}
    return {name: value for name in TERRAFORM_OUTPUTS if isinstance(value := outputs.get(name), str)}


def _redacted(text: str, token: str | None) -> str:
    """Belt and braces: no line this command prints carries the token, whatever echoed it."""
    return text.replace(token, "[token]") if token else text
