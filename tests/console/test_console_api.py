"""The console served on its own port for a stack found at its endpoint (what `scheduling console` does
for a running stack that serves no console): its JSON API, without a browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.console.app import Backend, ConsoleServer
from scheduling_tooling.local import discovery


@pytest.fixture
def console(served: Any, stack: Any) -> Iterator[str]:
    info = discovery.read_info(served.endpoint)
    assert info is not None
    with ConsoleServer(Backend.of_info(info)) as server:
        yield server.url + "/"


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
