"""Issue 7, defects 3 and 4: a conversation belongs to the (client_id, customer_id) pair that opened
it, and a stored answer is only ever returned to the caller it was written for.

Two callers share one Bedrock session id here, as a front end bug or a forged sessionState would make
them: the owner, and someone presenting another customer or another client.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack

OTHER_CUSTOMER = "6597832"  # another customer of client 09PF05VD in the seed data
OTHER_CLIENT = "11PF22QX"  # a client where customer 1645975 does not exist
NOT_YOURS = "This conversation belongs to someone else"


def _pair(stack: EmbeddedStack, customer_id: str, client_id: str) -> tuple[AgentClient, AgentClient]:
    """The owner (the documented customer) and another caller, on one Bedrock session."""
    session_id = f"shared-{uuid.uuid4().hex[:12]}"
    owner = AgentClient(stack.lambdas.url, session_id=session_id)
    other = AgentClient(
        stack.lambdas.url, customer_id=customer_id, client_id=client_id, session_id=session_id
    )
    return owner, other


def _to_slots(agent: AgentClient) -> dict[str, Any]:
    dates = agent.call("get_available_dates", project_id="12345")
    assert dates.status == 200, dates.message
    slots = agent.call("get_time_slots", project_id="12345", date=dates.body["available_dates"][0])
    assert slots.status == 200, slots.message
    return slots.body


def _item(stack: EmbeddedStack, session_id: str) -> dict[str, Any]:
    return dict(
        stack.dynamodb.get_item(
            TableName=stack.resources.table_name, Key={"session_id": {"S": session_id}}, ConsistentRead=True
        )["Item"]
    )


def _count(calls: list[dict[str, Any]], operation: str) -> int:
    return [c["operation"] for c in calls].count(operation)


def test_stored_confirm_is_not_replayed_to_another_customer(
    stack: EmbeddedStack, pf360_calls: Callable[[], list[dict[str, Any]]]
) -> None:
    assert (DEMO_CLIENT, OTHER_CUSTOMER) in stack.simulator.simulator.model._data.customers
    # Given customer 1645975 booked project 12345 on a session
    owner, other = _pair(stack, OTHER_CUSTOMER, DEMO_CLIENT)
    slots = _to_slots(owner)
    args = {"project_id": "12345", "date": slots["date"], "time": slots["available_times"][0]}
    booked = owner.call("confirm_appointment", **args)
    assert booked.body["booked"] is True
    # When another customer of the same client sends the same confirm on that session
    replay = other.call("confirm_appointment", **args)
    # Then they are refused, and hear nothing of the owner's booking
    assert replay.status == 403, replay.message
    assert NOT_YOURS in replay.message
    assert "booked" not in replay.body
    assert str(booked.body["confirmation_number"]) not in str(replay.raw)
    assert _count(pf360_calls(), "confirm_appointment") == 1
    # And the owner still gets their own stored answer
    assert owner.call("confirm_appointment", **args).body == booked.body


def test_stored_note_answer_is_not_replayed_to_another_customer(
    stack: EmbeddedStack, pf360_calls: Callable[[], list[dict[str, Any]]]
) -> None:
    # Given customer 1645975 added a note to project 12345
    owner, other = _pair(stack, OTHER_CUSTOMER, DEMO_CLIENT)
    added = owner.call("add_note", project_id="12345", note="Dog in the yard.")
    assert added.status == 200, added.message
    # When another customer sends the same note on the same session
    replay = other.call("add_note", project_id="12345", note="Dog in the yard.")
    # Then the project is not theirs: no stored "I added your note", no note id, nothing sent
    assert replay.status == 403, replay.message
    assert "note_id" not in replay.body
    assert "added" not in replay.message
    assert _count(pf360_calls(), "add_note") == 1


def test_another_client_cannot_continue_the_booking(
    stack: EmbeddedStack,
    sfn_calls: list[str],
    pf360_calls: Callable[[], list[dict[str, Any]]],
) -> None:
    # Given client 09PF05VD's customer 1645975 is choosing a time for project 12345
    owner, intruder = _pair(stack, DEMO_CUSTOMER, OTHER_CLIENT)
    slots = _to_slots(owner)
    args = {"project_id": "12345", "date": slots["date"], "time": slots["available_times"][0]}
    before, seen_by_pf360 = _item(stack, owner.session_id), len(pf360_calls())
    sfn_calls.clear()
    # When the same customer number presents client 11PF22QX on that session
    replies = {
        "get_time_slots": intruder.call("get_time_slots", project_id="12345", date=slots["date"]),
        "confirm_appointment": intruder.call("confirm_appointment", **args),
        "get_available_dates": intruder.call("get_available_dates", project_id="12345"),
        "reschedule_appointment": intruder.call("reschedule_appointment", project_id="12345"),
        "cancel_appointment": intruder.call("cancel_appointment", project_id="12345"),
    }
    # Then every call is refused as someone else's conversation
    assert {op: r.status for op, r in replies.items()} == dict.fromkeys(replies, 403)
    assert all(NOT_YOURS in r.message for r in replies.values())
    # and nothing was read from PF360, sent to Step Functions, or written (not even a TTL touch)
    assert len(pf360_calls()) == seen_by_pf360
    assert sfn_calls == []
    assert _item(stack, owner.session_id) == before
    # And the owner's booking carries on untouched
    booked = owner.call("confirm_appointment", **args)
    assert booked.body["booked"] is True
    confirms = [c for c in pf360_calls() if c["operation"] == "confirm_appointment"]
    assert len(confirms) == 1
