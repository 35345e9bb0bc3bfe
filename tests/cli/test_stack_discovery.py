"""The CLI finds the stack: `scheduling local up` in one process, `scheduling agent invoke` in others,
as a user runs them in two terminals. One served stack for the module (each start takes seconds); it
listens on a free port, never the well-known 5360, and every command is pointed at it (or at a port
where nothing listens) so a stack a developer runs on this machine is never touched."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEDULING = str(Path(sys.executable).with_name("scheduling"))
ANSI = re.compile(r"\x1b\[")
IN_PROCESS = "in this process"  # the words of the one-line announcement (target.resolve)


@dataclass
class Served:
    endpoint: str
    startup: str  # what `local up` printed until it was ready


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    """A user's shell: no AWS settings, handler logs quiet (in-process stacks print them)."""
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {**base, "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true", **extra}


def _scheduling(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [SCHEDULING, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _event(operation: str, session_id: str, **parameters: str) -> str:
    """An event file as a user would write one (tests/events/ holds the examples)."""
    event = json.loads((ROOT / "tests" / "events" / "scheduling_get_available_dates.json").read_text())
    event["sessionId"] = session_id
    event["apiPath"] = f"/{operation.replace('_', '-')}"
    event["parameters"] = [{"name": k, "type": "string", "value": v} for k, v in parameters.items()]
    return json.dumps(event)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    endpoint = f"http://127.0.0.1:{_free_port()}"
    up = subprocess.Popen(  # noqa: S603 - our own console script
        [SCHEDULING, "local", "up", "--port", endpoint.rsplit(":", 1)[1]],
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert up.stdout is not None
    lines = []
    for line in up.stdout:  # ready once it says how to stop it
        lines.append(line)
        if line.startswith("# Ctrl-C"):
            break
    try:
        yield Served(endpoint, "".join(lines))
    finally:
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=60) == 0


def test_local_up_shows_what_it_serves_as_plain_text(served: Served) -> None:
    # Given `local up` writing to a pipe, not a terminal
    # Then its table names the endpoint, the Lambda endpoint, the simulator and the state machine,
    # with the export lines below for plain boto3 scripts, and no terminal escapes anywhere
    assert not ANSI.search(served.startup)
    cells = [re.split(r" {2,}", line) for line in served.startup.splitlines()]
    rows = {
        label: row[-1]
        for row in cells
        for label in ("AWS API", "Lambda endpoint", "PF360 simulator", "state machine")
        if len(row) == 2 and row[0].startswith(label)
    }
    assert rows["AWS API"] == served.endpoint
    assert rows["Lambda endpoint"].startswith("http://127.0.0.1:")
    assert rows["PF360 simulator"].startswith("http://127.0.0.1:")
    assert rows["state machine"].endswith(":stateMachine:pf360-booking-conversation")
    assert f"export AWS_ENDPOINT_URL={served.endpoint}\n" in served.startup
    assert f"export AWS_ENDPOINT_URL_LAMBDA={rows['Lambda endpoint']}\n" in served.startup


def test_agent_invoke_in_other_processes_continues_the_conversation_on_the_running_stack(
    served: Served, tmp_path: Path
) -> None:
    session = "cli-two-terminals"
    dates_event, slots_event = tmp_path / "dates.json", tmp_path / "slots.json"
    dates_event.write_text(_event("get_available_dates", session, project_id="12345"))
    # Given a customer who asked for dates through one `agent invoke`, pointed at the stack by flag
    first = _scheduling(
        "agent", "invoke", "--endpoint", served.endpoint, "--event", str(dates_event), env=_env()
    )
    assert first.returncode == 0, first.stderr
    assert "← 200 " in first.stdout
    dates = re.search(r"^ {4}available_dates: (\S+),", first.stdout, re.MULTILINE)
    assert dates, first.stdout
    # When another process (found through $SCHEDULING_LOCAL_ENDPOINT) picks one of those dates
    slots_event.write_text(_event("get_time_slots", session, project_id="12345", date=dates[1]))
    second = _scheduling(
        "agent", "invoke", "--event", str(slots_event), env=_env(SCHEDULING_LOCAL_ENDPOINT=served.endpoint)
    )
    # Then the booking the first one started goes on (a fresh stack would have no booking in progress)
    assert second.returncode == 0, second.stderr
    assert "→ scheduling GET /get-time-slots  project_id=12345" in second.stdout
    assert "← 200 " in second.stdout
    assert re.search(r"^ {4}available_times: \d", second.stdout, re.MULTILINE), second.stdout
    # and neither started a stack of its own, nor wrote escapes to a pipe
    for result in (first, second):
        assert IN_PROCESS not in result.stdout + result.stderr
        assert not ANSI.search(result.stdout + result.stderr)


def test_a_second_local_up_on_a_taken_endpoint_refuses_to_start(served: Served) -> None:
    # When the user runs `local up` again while one is serving on that port
    again = _scheduling("local", "up", "--port", served.endpoint.rsplit(":", 1)[1], env=_env(), timeout=60)
    # Then it says so and exits without starting a second stack
    assert again.returncode != 0
    assert f"a local stack already runs at {served.endpoint}" in again.stderr
    assert "local stack up" not in again.stdout


def test_with_no_stack_running_a_command_announces_its_in_process_stack_in_one_line(tmp_path: Path) -> None:
    event = tmp_path / "dates.json"
    event.write_text(_event("get_available_dates", "cli-nothing-running", project_id="12345"))
    # Given nothing listening where the local stack would be
    nowhere = f"http://127.0.0.1:{_free_port()}"
    # When the user invokes an action group with raw output
    result = _scheduling(
        "agent", "invoke", "--json", "--event", str(event), env=_env(SCHEDULING_LOCAL_ENDPOINT=nowhere)
    )
    # Then one line says a stack was started for the command, and stdout is only the answer
    assert result.returncode == 0, result.stderr
    said = [line for line in (result.stdout + result.stderr).splitlines() if IN_PROCESS in line]
    assert len(said) == 1, result.stderr
    assert nowhere in said[0]
    assert json.loads(result.stdout)["response"]["httpStatusCode"] == 200


def test_an_endpoint_where_nothing_answers_is_a_clear_error(tmp_path: Path) -> None:
    event = tmp_path / "dates.json"
    event.write_text(_event("get_available_dates", "cli-wrong-endpoint", project_id="12345"))
    nowhere = f"http://127.0.0.1:{_free_port()}"
    # When the user names an endpoint explicitly and nothing runs there
    result = _scheduling(
        "agent", "invoke", "--endpoint", nowhere, "--event", str(event), env=_env(), timeout=60
    )
    # Then the command says so in one line and starts nothing in its place
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"scheduling agent invoke: no local stack answers at {nowhere} "
        "(start one with `scheduling local up`, or use --aws)"
    ]
    assert result.stdout == ""
