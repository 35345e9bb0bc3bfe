"""Where ops commands act, and the one-line errors when they cannot: no stack, no credentials, wrong
region. None of these starts a stack or reaches AWS."""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.httpsession import URLLib3Session

from scheduling_tooling import cli
from scheduling_tooling import target as target_module
from scheduling_tooling.target import (
    DEFAULT_LOCAL_ENDPOINT,
    Target,
    TargetError,
    add_target_arguments,
    check,
    local_target,
    resolve,
    terraform_outputs,
)

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:pf360-booking-conversation"


def _run(*words: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = cli.main(list(words))
    return status, out.getvalue(), err.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _one_line_error(status: int, out: str, err: str) -> str:
    assert (status, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    return err


def test_no_stack_at_an_explicit_endpoint() -> None:
    endpoint = f"http://127.0.0.1:{_free_port()}"
    err = _one_line_error(*_run("ops", "list", "--endpoint", endpoint))
    assert f"no local stack answers at {endpoint}" in err


def test_wrong_region() -> None:
    arn = MACHINE.replace("us-east-1", "eu-west-1")
    words = ["--aws", "--region", "us-east-1", "--state-machine-arn", arn, "--sessions-table", "sessions"]
    err = _one_line_error(*_run("ops", "list", *words))
    assert "wrong region" in err
    assert "eu-west-1" in err


def test_no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    words = ["--aws", "--region", "us-east-1", "--state-machine-arn", MACHINE, "--sessions-table", "sessions"]
    err = _one_line_error(*_run("ops", "failures", *words))
    assert "no usable AWS credentials" in err


def test_unknown_profile() -> None:
    words = [
        "--aws",
        "--profile",
        "no-such-profile-x",
        "--state-machine-arn",
        MACHINE,
        "--sessions-table",
        "t",
    ]
    err = _one_line_error(*_run("ops", "stats", *words))
    assert "no-such-profile-x" in err


def test_nothing_listening_is_not_a_local_stack() -> None:
    assert local_target(f"http://127.0.0.1:{_free_port()}") is None


def test_the_running_stack_is_found_and_nothing_new_is_started(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a local stack answering at the well-known endpoint's variable
    from scheduling_tooling.local import discovery
    from scheduling_tooling.local.stack import EmbeddedStack

    with EmbeddedStack(manual_time=True, serve_api=True) as stack:
        discovery.publish(stack)
        monkeypatch.setenv("SCHEDULING_LOCAL_ENDPOINT", f"http://127.0.0.1:{stack.api_port}")
        parser = argparse.ArgumentParser()
        add_target_arguments(parser)
        announced: list[str] = []
        # When a command resolves where to act
        with resolve(parser.parse_args([]), announce=announced.append) as target:
            # Then it is that stack, over HTTP, and no new stack was announced
            assert (target.kind, target.endpoint_url) == ("local", f"http://127.0.0.1:{stack.api_port}")
            assert target.state_machine_arn == stack.state_machine_arn
            assert target.endpoint_url != DEFAULT_LOCAL_ENDPOINT
            assert announced == []


def _fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_the_first_check_gives_up_after_two_attempts_when_aws_cannot_be_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given credentials, and a region whose endpoint cannot be reached (every request fails to connect)
    _fake_credentials(monkeypatch)
    sent: list[str] = []

    def unreachable(_session: object, request: object) -> None:
        sent.append(str(getattr(request, "url", "")))
        raise EndpointConnectionError(endpoint_url=sent[-1])

    monkeypatch.setattr(URLLib3Session, "send", unreachable)
    target = Target("aws", "xx-nowhere-1", MACHINE.replace("us-east-1", "xx-nowhere-1"), {}, None, None)
    # When the target is checked, Then it fails with one line after at most two attempts (not ten)
    with pytest.raises(TargetError, match="is xx-nowhere-1 a region"):
        check(target)
    assert 1 <= len(sent) <= 2


def test_ops_with_nothing_running_fail_in_one_line_and_start_no_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given nothing at the well-known endpoint, and a stack that must not be started
    from scheduling_tooling.local import stack

    nowhere = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("SCHEDULING_LOCAL_ENDPOINT", nowhere)

    def started(*_: object, **__: object) -> None:
        raise AssertionError("an ops command started a stack")

    monkeypatch.setattr(stack, "EmbeddedStack", started)
    # When the operator asks about a session, Then one line says there is no stack and how to get one
    err = _one_line_error(*_run("ops", "show", "agent-3f2a9c01d4e5b6a7"))
    assert err.strip() == (
        f"scheduling ops show: no local stack answers at {nowhere} "
        "(start one with `scheduling local up`, or use --aws)"
    )


def test_a_state_machine_arn_names_its_region_over_the_shells(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a shell whose default region is us-east-1 and a state machine in eu-west-1
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    checked: list[Target] = []
    monkeypatch.setattr(target_module, "check", checked.append)
    parser = argparse.ArgumentParser()
    add_target_arguments(parser)
    arn = MACHINE.replace("us-east-1", "eu-west-1")
    args = parser.parse_args(["--aws", "--state-machine-arn", arn, "--sessions-table", "sessions"])
    # When no --region is given, Then the ARN's region is used; --region still overrides it (and is refused)
    with resolve(args) as target:
        assert target.region == "eu-west-1"
    assert [t.region for t in checked] == ["eu-west-1"]
    overridden = parser.parse_args(
        ["--aws", "--region", "us-east-1", "--state-machine-arn", arn, "--sessions-table", "s"]
    )
    with pytest.raises(TargetError, match="wrong region"), resolve(overridden):
        pass


def test_terraform_outputs_keep_no_sensitive_or_structured_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a `terraform` whose outputs include a sensitive one and a list
    outputs = {
        "state_machine_arn": {"value": MACHINE, "type": "string", "sensitive": False},
        "table_names": {"value": {"sessions": "s", "idempotency": "i"}, "sensitive": False},
        "pf360_api_key": {"value": "secret-value", "type": "string", "sensitive": True},
        "subnets": {"value": ["a", "b"], "sensitive": False},
    }
    directory = _fake_terraform(monkeypatch, tmp_path, outputs)
    # When they are read, Then names and maps of names are kept, never a sensitive value
    read = terraform_outputs(directory)
    assert read == {"state_machine_arn": MACHINE, "table_names": {"sessions": "s", "idempotency": "i"}}
    assert "secret-value" not in repr(read)


def _fake_terraform(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outputs: dict[str, object]) -> Path:
    bin_dir, stack_dir = tmp_path / "bin", tmp_path / "stack"
    bin_dir.mkdir()
    stack_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(
        f"#!/bin/sh\necho run >> '{tmp_path}/runs'\ncat <<'EOF'\n{json.dumps(outputs)}\nEOF\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return stack_dir
