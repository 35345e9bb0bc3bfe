"""Issue 7, rollout flags (the agent's side): in production with a write flag off, the customer is
told plainly that booking (or cancelling) by chat is not available, and never hears "booked".

The environment is the one the PF360 client reads at cold start: API_ENVIRONMENT=prod,
USE_MOCK_API=false and ENABLE_REAL_CONFIRM / ENABLE_REAL_CANCEL=false.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pf360_client import build_client
from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack

PROD_WRITES_OFF = {
    "API_ENVIRONMENT": "prod",
    "USE_MOCK_API": "false",
    "ENABLE_REAL_CONFIRM": "false",
    "ENABLE_REAL_CANCEL": "false",
}


def _prod_with_writes_off(monkeypatch: pytest.MonkeyPatch, *, agent: bool, steps: bool) -> None:
    """Cold-start the agent handlers' and/or the step Lambdas' PF360 client under prod settings."""
    from agent_actions.services import services
    from booking_steps import runtime

    assert services().pf360  # built first under the stack's settings: monkeypatch restores this one
    for name, value in PROD_WRITES_OFF.items():
        monkeypatch.setenv(name, value)
    if agent:
        monkeypatch.setattr(services(), "pf360", build_client())
    if steps:
        runtime.reset_client()  # the step Lambdas read the settings again on their next call
        monkeypatch.setattr(runtime, "_client", None)  # and forget them again afterwards


def test_booking_by_chat_is_refused_up_front_when_prod_writes_are_off(
    stack: EmbeddedStack,
    agent: AgentClient,
    monkeypatch: pytest.MonkeyPatch,
    sfn_calls: list[str],
    pf360_calls: Callable[[], list[dict[str, Any]]],
) -> None:
    _prod_with_writes_off(monkeypatch, agent=True, steps=False)
    replies = {
        "get_available_dates": agent.call("get_available_dates", project_id="12345"),
        "reschedule_appointment": agent.call("reschedule_appointment", project_id="12347"),
        "cancel_appointment": agent.call("cancel_appointment", project_id="12347"),
    }
    assert {op: r.status for op, r in replies.items()} == dict.fromkeys(replies, 501)
    assert replies["get_available_dates"].body == {
        "message": "Booking by chat isn't available yet. Please book through the customer portal or call us.",
        "booked": False,
    }
    assert replies["reschedule_appointment"].body["booked"] is False
    assert replies["cancel_appointment"].body["cancelled"] is False
    assert "isn't available" in replies["cancel_appointment"].message
    # Nothing was started, and PF360 was asked nothing
    assert sfn_calls == []
    assert stack.executions_of(agent.session_id) == []
    assert pf360_calls() == []


def test_a_confirm_the_deployment_refuses_never_says_booked(
    stack: EmbeddedStack,
    agent: AgentClient,
    monkeypatch: pytest.MonkeyPatch,
    pf360_calls: Callable[[], list[dict[str, Any]]],
) -> None:
    # Given a booking that started while writes were on, and the step Lambdas now refuse confirms
    dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
    slots = agent.call("get_time_slots", project_id="12345", date=dates[0]).body
    _prod_with_writes_off(monkeypatch, agent=False, steps=True)
    # When the customer confirms, the state machine's confirm fails with PF360WriteDisabled
    reply = agent.call(
        "confirm_appointment", project_id="12345", date=slots["date"], time=slots["available_times"][0]
    )
    # Then they hear the same honest words, never "booked"
    assert reply.status == 501, reply.message
    assert reply.body.get("booked") is False
    assert "isn't available" in reply.message
    assert "confirm_appointment" not in [c["operation"] for c in pf360_calls()]


def test_a_reschedule_is_refused_up_front_when_only_cancel_is_off(
    stack: EmbeddedStack, agent: AgentClient, monkeypatch: pytest.MonkeyPatch, sfn_calls: list[str]
) -> None:
    # Given prod with confirms on but cancels off (a reschedule PF360 will not move in one go releases
    # the old appointment first: it could fail only after the customer picked a time)
    _prod_with_writes_off(monkeypatch, agent=True, steps=False)
    monkeypatch.setenv("ENABLE_REAL_CONFIRM", "true")
    from agent_actions.services import services

    monkeypatch.setattr(services(), "pf360", build_client())
    # When the customer asks to reschedule, Then they hear it is not available, and nothing starts
    reply = agent.call("reschedule_appointment", project_id="12347")
    assert (reply.status, reply.body.get("booked")) == (501, False)
    assert sfn_calls == []
    # While a plain booking, which only confirms, goes ahead
    assert agent.call("get_available_dates", project_id="12345").body["available_dates"]
