"""Where ops commands act, and the one-line errors when they cannot: no stack, no credentials, wrong
region. None of these starts a stack or reaches AWS."""

from __future__ import annotations

import argparse
import io
import socket
from contextlib import redirect_stderr, redirect_stdout

import pytest

from scheduling_tooling import cli
from scheduling_tooling.target import DEFAULT_LOCAL_ENDPOINT, add_target_arguments, probe_local, resolve

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
    assert probe_local(f"http://127.0.0.1:{_free_port()}") is None


def test_the_running_stack_is_found_and_nothing_new_is_started(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a local stack answering at the well-known endpoint's variable
    from scheduling_tooling.local.stack import EmbeddedStack

    with EmbeddedStack(manual_time=True, serve_api=True) as stack:
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
