"""`scheduling smoke` against a stubbed Bedrock Agent Runtime: what it sends (botocore Stubber's
expected_params on a real `bedrock-agent-runtime` client), what it reports, how it fails, and that the
customer's token is never shown."""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import urllib3
from botocore.eventstream import EventStream
from botocore.parsers import EventStreamJSONParser
from botocore.stub import Stubber

from scheduling_tooling.cli import main
from scheduling_tooling.commands import smoke

AGENT, ALIAS, REGION, SESSION = "AGENT12345", "ALIAS12345", "eu-west-1", "smoke-session-1"
CUSTOMER, CLIENT, PROJECT = "1645975", "09PF05VD", "12345"
TOKEN = "pf360-t0ken.SECRET-value"
ARGS = [
    "smoke",
    f"--agent-id={AGENT}",
    f"--alias-id={ALIAS}",
    f"--region={REGION}",
    f"--customer-id={CUSTOMER}",
    f"--client-id={CLIENT}",
    f"--project={PROJECT}",
    f"--session-id={SESSION}",
]
SCRIPT = [step.text for step in smoke.script(PROJECT)]


# --- InvokeAgent's event stream, encoded as the service sends it ----------------------------------


def _frame(headers: dict[str, str], payload: dict[str, Any]) -> bytes:
    """One message of the AWS event stream encoding (prelude, string headers, payload, CRCs)."""
    body = json.dumps(payload).encode()
    encoded = b"".join(
        bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(value)) + value.encode()
        for name, value in headers.items()
    )
    prelude = struct.pack(">II", 12 + len(encoded) + len(body) + 4, len(encoded))
    message = prelude + struct.pack(">I", binascii.crc32(prelude)) + encoded + body
    return message + struct.pack(">I", binascii.crc32(message))


def chunk(text: str) -> bytes:
    event = {":message-type": "event", ":event-type": "chunk", ":content-type": "application/json"}
    return _frame(event, {"bytes": base64.b64encode(text.encode()).decode()})


def trace(inner: dict[str, Any], collaborator: str | None = None) -> bytes:
    event = {":message-type": "event", ":event-type": "trace", ":content-type": "application/json"}
    part = {"agentId": AGENT, "sessionId": SESSION, "trace": inner}
    return _frame(event, part | ({"collaboratorName": collaborator} if collaborator else {}))


def stream_error(code: str, message: str) -> bytes:
    return _frame({":message-type": "exception", ":exception-type": code}, {"message": message})


TOOL_CALL = {
    "orchestrationTrace": {
        "invocationInput": {
            "invocationType": "ACTION_GROUP",
            "actionGroupInvocationInput": {
                "actionGroupName": "scheduling",
                "apiPath": "/get-available-dates",
                "verb": "GET",
            },
        }
    }
}


class _BrokenBody(io.BytesIO):
    """A body whose connection drops once its bytes are read, as a reset mid-answer does."""

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data:
            raise urllib3.exceptions.ProtocolError("Connection broken: reset by peer")
        return data


def _completion(client: Any, frames: list[bytes], *, broken: bool = False) -> EventStream:
    """What botocore's parser returns for `completion`: an EventStream over the raw body."""
    shape = client.meta.service_model.operation_model("InvokeAgent").output_shape.members["completion"]
    body = (_BrokenBody if broken else io.BytesIO)(b"".join(frames))
    raw = urllib3.HTTPResponse(body=body, preload_content=False)
    return EventStream(raw, shape, EventStreamJSONParser(), "InvokeAgent")


def _request(text: str, *, token: str | None = TOKEN, traced: bool = False, **ids: str) -> dict[str, Any]:
    attributes = {"customer_id": CUSTOMER, "client_id": CLIENT} | ({"auth_token": token} if token else {})
    return {
        "agentId": ids.get("agent", AGENT),
        "agentAliasId": ids.get("alias", ALIAS),
        "sessionId": SESSION,
        "sessionState": {"sessionAttributes": attributes},
        "inputText": text,
        "enableTrace": traced,
    }


class Agent:
    """A real bedrock-agent-runtime client under Stubber: each expected turn is checked for its
    request parameters and answered with an encoded event stream."""

    def __init__(self, stubber: Stubber) -> None:
        self.stubber = stubber
        self.regions: list[str] = []

    def answers(self, text: str, frames: list[bytes], *, broken: bool = False, **request: Any) -> None:
        # Stubber validates a stubbed response against the output shape, where the event stream
        # `completion` is a (required) structure: it refuses an EventStream and a list of events alike.
        # So a valid placeholder passes that check and the stream replaces it after (Stubber keeps this
        # very dict): botocore's own EventStream over encoded frames, what the parser returns live.
        response: dict[str, Any] = {"completion": {}, "contentType": "application/json", "sessionId": SESSION}
        self.stubber.add_response("invoke_agent", response, _request(text, **request))
        response["completion"] = _completion(self.stubber.client, frames, broken=broken)

    def fails(self, code: str, status: int, text: str = SCRIPT[0]) -> None:
        self.stubber.add_client_error(
            "invoke_agent", code, f"{code} from the service", status, expected_params=_request(text)
        )


@pytest.fixture
def agent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Agent]:
    client = boto3.client("bedrock-agent-runtime", region_name=REGION)
    with Stubber(client) as stubber:
        stubbed = Agent(stubber)

        def _client(profile: str | None, region: str, timeout: float) -> Any:
            stubbed.regions.append(region)
            return client

        monkeypatch.setattr(smoke, "_client", _client)
        monkeypatch.setenv(smoke.ENV_AUTH_TOKEN, TOKEN)
        yield stubbed
        stubber.assert_no_pending_responses()


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    status = main([*ARGS, *extra])
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    return status, out, err


# --- tests ----------------------------------------------------------------------------------------


def test_good_conversation_reports_every_answer_and_exits_zero(
    agent: Agent, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an agent that answers each turn of the script (one answer split over two chunks)
    agent.answers(SCRIPT[0], [chunk("I can check dates, book, "), chunk("reschedule and cancel.")])
    agent.answers(SCRIPT[1], [chunk("Project 12345 has June 3 and June 4 open.")])
    agent.answers(SCRIPT[2], [chunk("You're welcome!")])

    # When the smoke runs with the customer's token in the environment
    status, out, err = _run(capsys)

    # Then every turn carried the identity and the token (Stubber checked each request), every answer
    # is reported whole, and the run passes
    assert status == 0, out + err
    assert "I can check dates, book, reschedule and cancel." in out
    assert "June 3 and June 4" in out
    assert out.count("PASS") == 3
    assert "3 of 3 steps passed" in out
    assert "with the customer's PF360 token" in out


def test_turns_without_an_answer_fail_with_their_reason(
    agent: Agent, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a greeting answered, a dates turn whose stream holds only a failure trace, and a thanks
    # turn throttled in the middle of its stream
    agent.answers(SCRIPT[0], [chunk("Hello!")])
    agent.answers(SCRIPT[1], [trace({"failureTrace": {"failureReason": "Lambda timed out"}})])
    agent.answers(SCRIPT[2], [stream_error("throttlingException", "Rate exceeded")])

    # When the smoke runs
    status, out, _ = _run(capsys)

    # Then it exits non-zero and says why each failed step failed
    assert status == 1
    assert "FAIL: no answer; the trace reports: Lambda timed out" in out
    assert "FAIL: throttlingException: Rate exceeded" in out
    assert "1 of 3 steps passed" in out


def test_with_trace_dates_must_come_from_an_action_group(
    agent: Agent, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given --trace, dates answered once without any tool call, then (new run) through a collaborator's
    # scheduling action group
    agent.answers(SCRIPT[0], [chunk("Hi!")], traced=True)
    agent.answers(SCRIPT[1], [chunk("June 3 is open.")], traced=True)
    agent.answers(SCRIPT[2], [chunk("Bye!")], traced=True)
    invented, out, _ = _run(capsys, "--trace")
    agent.answers(SCRIPT[0], [chunk("Hi!")], traced=True)
    agent.answers(SCRIPT[1], [trace(TOOL_CALL, "scheduling"), chunk("June 3 is open.")], traced=True)
    agent.answers(SCRIPT[2], [chunk("Bye!")], traced=True)
    from_tool, out_tool, _ = _run(capsys, "--trace")

    # Then the first run fails on that step, the second passes and names the tool
    assert invented == 1
    assert "FAIL: answered without calling an action group" in out
    assert from_tool == 0
    assert "tools: scheduling GET /get-available-dates" in out_tool


def test_the_token_is_never_printed_even_when_echoed(
    agent: Agent, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Given a token from a file (the environment's is ignored then) and an agent that echoes it
    token_file = tmp_path / "token"
    token_file.write_text(f"{TOKEN}\n", encoding="utf-8")
    agent.answers(SCRIPT[0], [chunk(f"Your token is {TOKEN}")])
    agent.answers(SCRIPT[1], [chunk("June 3.")])
    agent.answers(SCRIPT[2], [chunk("Bye.")])

    # When the smoke runs (_run asserts the token is absent from stdout and stderr)
    status, out, _ = _run(capsys, f"--auth-token-file={token_file}")

    # Then the token was sent (Stubber's expected params) but shown nowhere
    assert status == 0
    assert "Your token is [token]" in out


def test_without_a_token_the_attributes_carry_none(
    agent: Agent, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no token anywhere (mock environments and PF360_AUTH_MODE=service need none)
    monkeypatch.delenv(smoke.ENV_AUTH_TOKEN)
    for text in SCRIPT:
        agent.answers(text, [chunk("ok")], token=None)

    # When the smoke runs, then the session attributes hold the identity alone
    status, out, _ = _run(capsys)
    assert status == 0
    assert "without a PF360 token" in out


def test_without_credentials_it_says_so_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given an environment with no AWS credentials anywhere (tests/conftest.py sets fake ones)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv(smoke.ENV_AUTH_TOKEN, TOKEN)

    # When the smoke runs with the real client factory
    status, out, err = _run(capsys)

    # Then one clear line, no traceback, nothing sent
    assert status == 2
    assert err.strip().splitlines() == [err.strip()]
    assert "no AWS credentials found" in err
    assert "Traceback" not in err
    assert out == ""


def test_an_unknown_profile_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    status, out, err = _run(capsys, "--profile=nosuch")
    assert status == 2
    assert "AWS profile 'nosuch' not found" in err
    assert out == ""


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ResourceNotFoundException", 404, f"agent {AGENT} alias {ALIAS} in {REGION} not found"),
        ("AccessDeniedException", 403, "access denied for agent"),
        ("ExpiredTokenException", 403, "AWS rejected the credentials"),
    ],
)
def test_unknown_agent_or_denied_access_stops_with_a_clear_message(
    agent: Agent, capsys: pytest.CaptureFixture[str], code: str, status: int, expected: str
) -> None:
    # Given the service refuses the first turn
    agent.fails(code, status)

    # When the smoke runs, then it stops there (no pending stub is left) with one line
    exit_status, _, err = _run(capsys)
    assert exit_status == 2
    assert expected in err
    assert f"{code} from the service" in err
    assert "Traceback" not in err


def test_access_denied_inside_the_stream_also_stops(agent: Agent, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the agent's own model access is denied, reported as an event of the stream
    agent.answers(SCRIPT[0], [stream_error("accessDeniedException", "model access denied")])

    # When the smoke runs, then it stops with the service's reason
    status, _, err = _run(capsys)
    assert status == 2
    assert "access denied for agent" in err
    assert "model access denied" in err


def test_ids_and_region_come_from_terraform_outputs(
    agent: Agent, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given no ids or region options, no ids in the environment (its default region is us-east-1), and
    # a `terraform` whose outputs hold the ids and the stack's region
    outputs = {
        "agent_id": {"value": "TFAGENT001", "type": "string", "sensitive": False},
        "agent_alias_id": {"value": "TFALIAS001", "type": "string", "sensitive": False},
        "region": {"value": "eu-central-1", "type": "string", "sensitive": False},
    }
    bin_dir, stack_dir = tmp_path / "bin", tmp_path / "stack"
    bin_dir.mkdir()
    stack_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(
        f'#!/bin/sh\necho "$@" > "{tmp_path}/args"\ncat <<\'EOF\'\n{json.dumps(outputs)}\nEOF\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")  # ahead of a real one
    for text in SCRIPT:
        agent.answers(text, [chunk("ok")], agent="TFAGENT001", alias="TFALIAS001")

    # When the smoke runs without them
    argv = [a for a in ARGS if not a.startswith(("--agent-id", "--alias-id", "--region"))]
    status = main([*argv, f"--terraform-dir={stack_dir}"])

    # Then the outputs were read from that directory and used, the stack's region before the shell's
    assert status == 0, capsys.readouterr()
    assert (tmp_path / "args").read_text().split() == [f"-chdir={stack_dir}", "output", "-json"]
    assert agent.regions == ["eu-central-1"]


@pytest.mark.parametrize(
    ("drop", "add", "expected"),
    [
        ("--agent-id", "", "no agent id: pass --agent-id, set PF360_SMOKE_AGENT_ID"),
        ("--customer-id", "", "no customer: pass --customer-id and --client-id"),
        ("--customer-id", "--customer-id=12a", "customer id: digits"),
        ("--agent-id", "--agent-id=not-an-id", "--agent-id must be 1 to 10 letters or digits"),
    ],
)
def test_bad_settings_are_refused_before_anything_is_sent(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    drop: str,
    add: str,
    expected: str,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no terraform to fall back on
    monkeypatch.setenv(smoke.ENV_AUTH_TOKEN, TOKEN)
    argv = [a for a in ARGS if not a.startswith(drop)] + ([add] if add else [])
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2
    assert expected in err
    assert out == ""
    assert TOKEN not in err


def test_a_malformed_token_is_refused_without_showing_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(smoke.ENV_AUTH_TOKEN, "bad token with spaces")
    status = main(ARGS)
    _, err = capsys.readouterr()
    assert status == 2
    assert "the PF360 token is not a well-formed token" in err
    assert "bad token with spaces" not in err


def test_an_answer_cut_off_mid_stream_fails_that_step_without_a_traceback(
    agent: Agent, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a dates turn whose connection breaks after a first chunk
    agent.answers(SCRIPT[0], [chunk("Hello!")])
    agent.answers(SCRIPT[1], [chunk("The first")], broken=True)
    agent.answers(SCRIPT[2], [chunk("Bye!")])

    # When the smoke runs
    status, out, err = _run(capsys)

    # Then that step fails with the reason, the others still run, and no traceback is shown
    assert status == 1
    assert "FAIL: no whole answer" in out
    assert "2 of 3 steps passed" in out
    assert "Traceback" not in out + err


def test_a_turn_is_sent_once_never_retried() -> None:
    # tests/conftest.py provides (fake) credentials, so the real client is built
    config = smoke._client(None, REGION, 30).meta.config
    assert config.retries["total_max_attempts"] == 1
