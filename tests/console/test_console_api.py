"""The console served on its own port for a stack found at its endpoint (what `scheduling console` does
for a running stack that serves no console): its JSON API, without a browser."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from werkzeug.test import Client

from scheduling_tooling.agent_client import AgentClient, Reply
from scheduling_tooling.console.app import Backend, Console, ConsoleServer
from scheduling_tooling.target import Target, local_target

from .conftest import TRIES


@pytest.fixture
def console(served: Any, stack: Any) -> Iterator[str]:
    target = local_target(served.endpoint)
    assert target is not None
    with ConsoleServer(Backend.of_target(target)) as server:
        yield server.url + "/"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def agent_turn(operation: str = "list_projects", session_id: str = "console-api-test") -> dict[str, Any]:
    return {
        "operation": operation,
        "client_id": "09PF05VD",
        "customer_id": "1645975",
        "session_id": session_id,
        "parameters": {},
    }


def test_a_console_for_a_found_stack_lists_and_draws_its_executions(
    console: str, agent: AgentClient, executions: Any
) -> None:
    # Given a booking made on the stack by another client
    booked = executions.book(agent, "12345")
    # When the console of that stack is asked for its executions
    listed = requests.get(console + "api/executions", timeout=10).json()["executions"]
    # Then the booking is listed with what its name says
    row = next(e for e in listed if e["name"] == booked["name"])
    assert (row["status"], row["mode"], row["project_id"]) == ("SUCCEEDED", "schedule", "12345")
    # And its timeline and picture follow the history
    timeline = requests.get(console + f"api/executions/{booked['name']}", timeout=10).json()
    assert timeline["path"] == executions.entered(booked["executionArn"])
    picture = requests.get(console + f"api/executions/{booked['name']}/graph.svg", timeout=10)
    assert picture.headers["Content-Type"].startswith("image/svg+xml")
    assert 'data-state="Done"' in picture.text
    # And an unknown execution is a 404, not a crash
    assert requests.get(console + "api/executions/schedule-1-1-" + "0" * 24, timeout=10).status_code == 404


def test_the_agent_panel_calls_the_handlers_for_the_picked_customer(console: str) -> None:
    customers = requests.get(console + "api/customers", timeout=10).json()["customers"]
    demo = customers[0]
    assert (demo["client_id"], demo["customer_id"]) == ("09PF05VD", "1645975")
    assert {"12345", "12347", "12350"} == {p["project_id"] for p in demo["projects"]}
    answer = requests.post(
        console + "api/agent",
        json={
            "operation": "list_projects",
            "client_id": demo["client_id"],
            "customer_id": demo["customer_id"],
            "session_id": "console-api-test",
            "parameters": {},
        },
        timeout=60,
    ).json()
    # The handler's answer, to the customer signed in at the simulator; the token never shown
    assert answer["status"] == 200
    assert "12345" in answer["message"]
    assert answer["group"] == "scheduling"
    assert answer["event"]["sessionAttributes"]["auth_token"] == "(the customer's PF360 token)"
    # Another customer's conversation cannot be taken over by naming its session
    other = next(c for c in customers[1:] if c["projects"])
    refused = requests.post(
        console + "api/agent",
        json={
            "operation": "get_available_dates",
            "client_id": other["client_id"],
            "customer_id": other["customer_id"],
            "session_id": "console-api-test",
            "parameters": {"project_id": other["projects"][0]["project_id"]},
        },
        timeout=60,
    ).json()
    assert refused["status"] == 403


# The console served by another process than the stack's, from a shell without AWS credentials (as
# `scheduling console` runs for a `local up` in another terminal).
SERVE_FOR = """
import sys
from scheduling_tooling.console.app import Backend, ConsoleServer
from scheduling_tooling.target import local_target

with ConsoleServer(Backend.of_target(local_target(sys.argv[1]))) as server:
    print(server.url, flush=True)
    sys.stdin.read()
"""


def test_the_agent_panel_works_from_a_shell_without_aws_credentials(
    served: Any, stack: Any, tmp_path: Any
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    nowhere = str(tmp_path / "none")
    env.update(AWS_CONFIG_FILE=nowhere, AWS_SHARED_CREDENTIALS_FILE=nowhere, AWS_EC2_METADATA_DISABLED="true")
    with subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SERVE_FOR, served.endpoint],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:"), "the console process did not start"
            answer = requests.post(
                url + "/api/agent", json=agent_turn(session_id="no-credentials"), timeout=60
            )
        finally:
            process.stdin.close()
            process.wait(timeout=20)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == 200


def test_bad_queries_are_400_and_a_stack_gone_is_a_one_line_502(served: Any) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    gone = Target("local", "us-east-1", served.stack.state_machine_arn, {}, dead, None)
    client = Client(Console(Backend(gone.client("stepfunctions"), gone.state_machine_arn, dead, dead)).wsgi)
    for query in ("limit=abc", "limit=0", "limit=-5", "status=DROP"):
        answer = client.get("/api/executions?" + query)
        assert answer.status_code == 400, query
        assert answer.json["message"]
    for answer, who in (
        (client.get("/api/executions"), "the local stack"),  # Step Functions does not answer
        (client.post("/api/agent", json=agent_turn()), "simulator"),  # the simulator does not answer
    ):
        assert answer.status_code == 502
        message = answer.json["message"]
        assert "\n" not in message
        assert "Traceback" not in message
        assert who in message


def test_the_console_answers_only_requests_addressed_to_loopback(served: Any) -> None:
    port = served.console.split(":")[2].split("/")[0]
    url = served.console + "api/executions?limit=1"
    # A page of another site that rebound its name to 127.0.0.1 still sends its own name as Host
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.attacker.example:{port}"):
        refused = requests.get(url, headers={"Host": host}, timeout=10)
        assert refused.status_code == 403, host
    assert requests.get(url, headers={"Host": f"localhost:{port}"}, timeout=10).status_code == 200
    assert requests.get(url, timeout=10).status_code == 200


def test_the_picture_is_of_the_definition_the_execution_ran(served: Any, stack: Any) -> None:
    # Given an execution of another state machine on the stack (not the repository's definition)
    definition = {
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Pass", "Next": "Bye"}, "Bye": {"Type": "Succeed"}},
    }
    machine = stack.sfn.create_state_machine(
        name="console-picture-test",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/console-picture-test",
    )["stateMachineArn"]
    stack.sfn.start_execution(stateMachineArn=machine, name="picture-test-1", input="{}")
    client = Client(Console(Backend(stack.sfn, machine, stack.lambdas.url, stack.simulator.url)).wsgi)
    # When the console draws it, and the machine with no execution
    drawn = client.get("/api/executions/picture-test-1/graph.svg")
    machine_only = client.get("/api/graph.svg")
    # Then both are that machine's states, as DescribeStateMachine(ForExecution) gives them
    for answer in (drawn, machine_only):
        assert answer.status_code == 200
        text = answer.get_data(as_text=True)
        assert 'data-state="Hello"' in text
        assert 'data-state="Bye"' in text
        assert 'data-state="Done"' not in text  # a booking-conversation state


def test_one_agent_turn_is_asked_at_most_tries_times(served: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given handlers that always answer "still working"
    calls: list[str] = []

    def still_working(self: AgentClient, operation: str, **parameters: Any) -> Reply:
        calls.append(operation)
        return Reply(200, {"still_working": True, "message": "still working on it"}, {})

    monkeypatch.setattr(AgentClient, "call", still_working)
    client = Client(Console(Backend.of_stack(served.stack), tries=TRIES).wsgi)
    # When one turn is played, Then it is asked `tries` times, no more (the browser test's waits rely on it)
    answer = client.post("/api/agent", json=agent_turn("get_appointment_status", "console-tries"))
    assert answer.status_code == 200
    assert len(calls) == TRIES
