"""Issue 7, defect 1: one failed resume must not lock the customer out.

A choice is handed to the waiting execution by claiming its token on the session item and then
calling SendTaskSuccess. These tests make that call fail on the handlers' real Step Functions client
(a botocore hook, as a network fault would), on the local stack with moto's engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack


class SendFaults:
    """Make the next `failures` SendTaskSuccess calls fail before they leave (None: every one).
    With `lose_answers`, the call goes through and only its answer is lost."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.failures: int | None = 0
        self.lose_answers = 0
        self.tries = 0
        client.meta.events.register("before-call.sfn.SendTaskSuccess", self._before)
        client.meta.events.register("after-call.sfn.SendTaskSuccess", self._after)

    def _before(self, **_: Any) -> None:
        self.tries += 1
        if self.failures is None or self.failures > 0:
            if self.failures is not None:
                self.failures -= 1
            raise EndpointConnectionError(endpoint_url="https://states.us-east-1.amazonaws.com")

    def _after(self, **_: Any) -> None:
        if self.lose_answers > 0:
            self.lose_answers -= 1
            raise EndpointConnectionError(endpoint_url="https://states.us-east-1.amazonaws.com")

    def remove(self) -> None:
        self.client.meta.events.unregister("before-call.sfn.SendTaskSuccess", self._before)
        self.client.meta.events.unregister("after-call.sfn.SendTaskSuccess", self._after)


@pytest.fixture
def send_faults(stack: EmbeddedStack) -> Iterator[SendFaults]:
    from agent_actions.services import services

    faults = SendFaults(services().bridge.sfn)
    yield faults
    faults.remove()


def _slots(agent: AgentClient) -> dict[str, Any]:
    dates = agent.call("get_available_dates", project_id="12345")
    assert dates.status == 200, dates.message
    slots = agent.call("get_time_slots", project_id="12345", date=dates.body["available_dates"][0])
    assert slots.status == 200, slots.message
    return slots.body


def _step(stack: EmbeddedStack, agent: AgentClient) -> str:
    item = stack.dynamodb.get_item(
        TableName=stack.resources.table_name, Key={"session_id": {"S": agent.session_id}}, ConsistentRead=True
    )["Item"]
    return str(item["step"]["S"])


def test_failed_resume_hand_over_never_strands_the_session(
    stack: EmbeddedStack, agent: AgentClient, send_faults: SendFaults
) -> None:
    # Given the customer picks a date and Step Functions cannot be reached once
    dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
    send_faults.failures = 1
    slots = agent.call("get_time_slots", project_id="12345", date=dates[0])
    # Then the hand-over is tried again and the customer gets the times, in the same call
    assert slots.status == 200, slots.message
    assert slots.body["available_times"]
    assert send_faults.tries == 2


def test_a_hand_over_failing_on_every_try_is_given_back_and_the_next_call_books(
    stack: EmbeddedStack,
    agent: AgentClient,
    send_faults: SendFaults,
    pf360_calls: Callable[[], list[dict[str, Any]]],
) -> None:
    # Given the customer confirms a time while Step Functions cannot be reached at all
    slots = _slots(agent)
    args = {"project_id": "12345", "date": slots["date"], "time": slots["available_times"][0]}
    send_faults.failures = None
    refused = agent.call("confirm_appointment", **args)
    # Then they hear "try again" (a 503, no stack trace), and the session still waits for their time
    assert refused.status == 503, refused.message
    assert "try again" in refused.message.lower()
    assert "booked" not in refused.body
    assert _step(stack, agent) == "awaiting_slot"
    assert "confirm_appointment" not in [c["operation"] for c in pf360_calls()]
    # When Step Functions is back, Then the very next call books, once
    send_faults.failures = 0
    booked = agent.call("confirm_appointment", **args)
    assert booked.status == 200, booked.message
    assert booked.body["booked"] is True
    assert [c["operation"] for c in pf360_calls()].count("confirm_appointment") == 1


def test_after_a_failed_hand_over_the_customer_can_start_over(
    stack: EmbeddedStack, agent: AgentClient, send_faults: SendFaults
) -> None:
    # Given a hand-over that failed on every try
    dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
    send_faults.failures = None
    assert agent.call("get_time_slots", project_id="12345", date=dates[0]).status == 503
    send_faults.failures = 0
    # Then starting over on another project is not answered "still working": it starts
    other = agent.call("reschedule_appointment", project_id="12347")
    assert other.status == 200, other.message
    assert other.body["available_dates"]


def test_a_hand_over_whose_answer_was_lost_is_delivered_not_an_error(
    stack: EmbeddedStack, agent: AgentClient, send_faults: SendFaults
) -> None:
    # Given the choice reaches Step Functions but the answer to SendTaskSuccess is lost
    dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
    send_faults.lose_answers = 1
    slots = agent.call("get_time_slots", project_id="12345", date=dates[0])
    # Then the retry is refused (the token is spent), which means it was delivered: the times come back
    assert slots.status == 200, slots.message
    assert slots.body["available_times"]
    assert send_faults.tries == 2
    assert len(stack.executions_of(agent.session_id)) == 1


def test_a_failing_hand_over_is_retried_by_the_bridge_alone(stack: EmbeddedStack, agent: AgentClient) -> None:
    from agent_actions.services import services

    # Given Step Functions unreachable below botocore's own retry loop (where a real network fails)
    client, sent = services().bridge.sfn, []

    def unreachable(**_: Any) -> None:
        sent.append(1)
        raise EndpointConnectionError(endpoint_url="https://states.us-east-1.amazonaws.com")

    slots = _slots(agent)
    client.meta.events.register_first("before-send.sfn.SendTaskSuccess", unreachable)
    try:
        # When the customer confirms
        reply = agent.call(
            "confirm_appointment", project_id="12345", date=slots["date"], time=slots["available_times"][0]
        )
    finally:
        client.meta.events.unregister("before-send.sfn.SendTaskSuccess", unreachable)
    # Then the bridge's 3 tries are all that went out (botocore's retries under them would multiply
    # them, and the time they take), the customer is told to try again, and the offer stands
    assert len(sent) == services().bridge.send_attempts == 3
    assert reply.status == 503
    assert _step(stack, agent) == "awaiting_slot"
