"""Mock mode as deployed: every Lambda function in its own process with USE_MOCK_API=true
(`scheduling local up --mock`), so each has its own fake PF360 and only their shared state (DynamoDB)
can make a booking finish: the request id from the dates step must be known to the slots and confirm
steps, and the status answers must show what the steps booked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.lambda_processes import ProcessRegistry
from scheduling_tooling.local.stack import EmbeddedStack


@pytest.fixture(scope="module")
def processes_stack() -> Iterator[EmbeddedStack]:
    with EmbeddedStack(mock_processes=True, answer_deadline_seconds=25) as stack:
        yield stack


@pytest.fixture
def mock_stack(processes_stack: EmbeddedStack) -> EmbeddedStack:
    processes_stack.export_env()  # each test starts from a clean environment (tests/conftest.py)
    return processes_stack


def test_a_whole_conversation_completes_across_processes(mock_stack: EmbeddedStack) -> None:
    agent = AgentClient(mock_stack.lambdas.url)
    # Book: dates (the get_dates process), a date (get_slots), a time (confirm), each its own fake
    offered = agent.call("get_available_dates", project_id="12345")
    assert offered.status == 200, offered.message
    dates = offered.body["available_dates"]
    times = agent.call("get_time_slots", project_id="12345", date=dates[0]).body["available_times"]
    booked = agent.call("confirm_appointment", project_id="12345", date=dates[0], time=times[0])
    assert booked.body.get("booked") is True, booked.message
    # The information process (another fake again) sees the booking
    status = agent.call("get_appointment_status", project_id="12345")
    assert times[0] in status.message
    # Reschedule and cancel, across processes too
    new_dates = agent.call("reschedule_appointment", project_id="12345").body["available_dates"]
    new_times = agent.call("get_time_slots", project_id="12345", date=new_dates[-1]).body["available_times"]
    moved = agent.call("confirm_appointment", project_id="12345", date=new_dates[-1], time=new_times[-1])
    assert (moved.body.get("booked"), moved.body.get("date")) == (True, new_dates[-1]), moved.message
    assert new_times[-1] in agent.call("get_appointment_status", project_id="12345").message
    assert agent.call("cancel_appointment", project_id="12345").body.get("cancelled") is True
    after = agent.call("get_appointment_status", project_id="12345")
    assert "no appointment" in after.message
    # And each function ran in a process of its own
    registry = mock_stack.registry
    assert isinstance(registry, ProcessRegistry)
    assert {"pf360-booking-get-dates", "pf360-booking-get-slots", "pf360-booking-confirm"} <= set(
        registry.containers
    )
    assert len({w.pid for w in registry._workers.values()}) == len(registry._workers) >= 6
