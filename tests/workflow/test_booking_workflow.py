"""The booking conversation on the real ASL: schedule, reschedule, cancel and their business outcomes."""

from __future__ import annotations

from typing import Any

from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER, DEMO_PROJECTS
from scheduling_tooling.local.conversation import Conversation


def _status(conversation: Conversation, project_id: str) -> Any:
    return conversation.stack.simulator.simulator.model._data.projects[project_id]


UNEVENTFUL_BOOKING = [
    "Route Mode",
    "Get Available Dates",
    "Wait For Date",
    "Get Time Slots",
    "Wait For Slot",
    "Slot Or New Date",
    "Confirm Appointment",
    "Record Outcome",
    "Done",
]


def test_schedule_happy_path(conversation: Conversation) -> None:
    # Given a customer starting a booking for a pending project
    offered = conversation.start("12345")
    assert offered.step == "awaiting_date"
    assert offered.offered_dates
    assert offered.task_token
    # When they pick a date, then a slot
    slots = conversation.reply({"date": offered.offered_dates[0]})
    assert slots.step == "awaiting_slot"
    assert slots.slots_date == offered.offered_dates[0]
    assert all(len(s) == 8 for s in slots.offered_slots)  # HH:MM:SS
    done = conversation.reply({"slot": slots.offered_slots[0]})
    # Then the booking is confirmed on the session and in PF360, and the execution ended "Booked"
    assert (done.step, done.booked_date, done.booked_time) == (
        "confirmed",
        offered.offered_dates[0],
        slots.offered_slots[0],
    )
    assert done.confirmation_number
    assert done.task_token is None
    project = _status(conversation, "12345")
    assert (project.status, project.scheduled_date, project.scheduled_time) == (
        "Scheduled",
        done.booked_date,
        done.booked_time,
    )
    assert conversation.finished()["status"] == "SUCCEEDED"
    # And the uneventful booking took the short way: nine states, no state only reshaping data
    assert conversation.entered() == UNEVENTFUL_BOOKING
    # And the item, as the store and the state machine wrote it, has the documented shape
    _check_item_shape(conversation)


def _check_item_shape(conversation: Conversation) -> None:
    from boto3.dynamodb.types import TypeDeserializer

    from pf360_client import contract

    raw = conversation.stack.dynamodb.get_item(
        TableName=conversation.stack.resources.table_name, Key={"session_id": {"S": conversation.session_id}}
    )["Item"]
    item = {k: TypeDeserializer().deserialize(v) for k, v in raw.items()}
    item = {
        k: int(v) if hasattr(v, "as_integer_ratio") and not isinstance(v, bool) else v
        for k, v in item.items()
    }
    contract.check("session_item.json", item, family="workflow")


def test_reschedule_moves_the_appointment(conversation: Conversation, pf360_calls: Any) -> None:
    # Given project 12347, scheduled in the seed
    before = _status(conversation, "12347")
    old = (before.scheduled_date, before.scheduled_time)
    # When the customer reschedules to a different date
    offered = conversation.start("12347", "reschedule")
    new_date = next(d for d in offered.offered_dates if d != old[0])
    slots = conversation.reply({"date": new_date})
    done = conversation.reply({"slot": slots.offered_slots[-1]})
    # Then it moved: PF360 released it first (its only way), then booked the new time
    assert (done.step, done.booked_date) == ("confirmed", new_date)
    assert (before.scheduled_date, before.scheduled_time) == (new_date, slots.offered_slots[-1])
    operations = [c["operation"] for c in pf360_calls()]
    assert operations.index("cancel_reschedule") < operations.index("confirm_appointment")
    assert "cancel_appointment" not in operations


def test_cancel(conversation: Conversation) -> None:
    done = conversation.start("12347", "cancel")
    assert done.step == "cancelled"
    assert _status(conversation, "12347").status == "Not Scheduled"
    assert conversation.finished()["status"] == "SUCCEEDED"


def test_cancel_of_an_already_cancelled_appointment_is_reconciled_not_failed(
    conversation: Conversation, pf360_calls: Any
) -> None:
    # Given a cancel whose first attempt lands but whose answer is lost (503 after the fact is not
    # expressible, so: the project is already unscheduled when the cancel arrives)
    conversation.stack.simulator.simulator.model.cancel(DEMO_CLIENT, "12347")
    done = conversation.start("12347", "cancel")
    # Then the refusal "no appointment" is checked against PF360 and recorded as cancelled
    assert done.step == "cancelled"
    assert [c["operation"] for c in pf360_calls()] == ["cancel_appointment", "get_projects"]


def test_change_of_date_before_choosing_a_slot(conversation: Conversation) -> None:
    offered = conversation.start("12345")
    first = conversation.reply({"date": offered.offered_dates[0]})
    # When the customer asks for another offered date instead of a slot
    second = conversation.reply({"date": offered.offered_dates[1]})
    # Then slots for that date are offered
    assert second.step == "awaiting_slot"
    assert second.slots_date == offered.offered_dates[1] != first.slots_date
    done = conversation.reply({"slot": second.offered_slots[0]})
    assert (done.step, done.booked_date) == ("confirmed", offered.offered_dates[1])
    _check_item_shape(conversation)


def test_a_choice_that_was_not_offered_is_refused_by_the_execution(conversation: Conversation) -> None:
    # Given the agent handler's own check is bypassed and an unoffered date reaches the execution
    offered = conversation.start("12345")
    again = conversation.reply({"date": "2031-01-01"})
    # Then the execution waits again with the same offer, and says why
    assert (again.step, again.notice) == ("awaiting_date", "ChoiceNotOffered")
    assert again.offered_dates == offered.offered_dates
    slots = conversation.reply({"date": offered.offered_dates[0]})
    refused = conversation.reply({"slot": "23:00:00"})
    assert (refused.step, refused.notice, refused.offered_slots) == (
        "awaiting_slot",
        "ChoiceNotOffered",
        slots.offered_slots,
    )


def test_slot_taken_at_confirm_is_reoffered(conversation: Conversation, faults: Any) -> None:
    offered = conversation.start("12345")
    slots = conversation.reply({"date": offered.offered_dates[0]})
    taken = slots.offered_slots[0]
    # When someone else takes the slot just before the confirm
    faults({"confirm_appointment": [{"kind": "slot_taken", "times": 1}]})
    again = conversation.reply({"slot": taken})
    # Then fresh slots are offered without the taken one, and booking another works
    assert (again.step, again.notice) == ("awaiting_slot", "PF360SlotUnavailable")
    assert taken not in again.offered_slots
    done = conversation.reply({"slot": again.offered_slots[0]})
    assert done.step == "confirmed"


def test_already_scheduled_is_a_recorded_outcome(conversation: Conversation) -> None:
    # Given project 12347 already has an appointment, and a booking of it reaches the state machine
    done = conversation.start("12347")
    # Then PF360's dates call refuses it, and that is recorded as the outcome, not retried or failed
    assert done.step == "already_scheduled"
    assert conversation.failed_attempts("Get Available Dates") == 1
    assert "Already Has An Appointment" in conversation.entered()
    assert conversation.finished()["status"] == "SUCCEEDED"


def test_stale_request_id_is_refreshed_without_asking_the_customer(
    conversation: Conversation, faults: Any, pf360_calls: Any
) -> None:
    offered = conversation.start("12345")
    # When the scheduler has dropped the request id by the time slots are fetched
    faults({"get_time_slots": [{"kind": "expire_request", "times": 1}]})
    slots = conversation.reply({"date": offered.offered_dates[0]})
    # Then the execution fetched dates again by itself and offers the slots of the chosen date
    assert (slots.step, slots.slots_date) == ("awaiting_slot", offered.offered_dates[0])
    assert [c["operation"] for c in pf360_calls()].count("get_available_dates") == 2
    assert conversation.reply({"slot": slots.offered_slots[0]}).step == "confirmed"


def test_stale_request_id_at_confirm_books_the_chosen_slot_after_a_refresh(
    conversation: Conversation, faults: Any, pf360_calls: Any
) -> None:
    offered = conversation.start("12345")
    slots = conversation.reply({"date": offered.offered_dates[0]})
    faults({"confirm_appointment": [{"kind": "expire_request", "times": 1}]})
    done = conversation.reply({"slot": slots.offered_slots[0]})
    assert (done.step, done.booked_date, done.booked_time) == (
        "confirmed",
        offered.offered_dates[0],
        slots.offered_slots[0],
    )
    confirms = [c["status"] for c in pf360_calls() if c["operation"] == "confirm_appointment"]
    assert len(confirms) == 2  # refused as stale, then booked with a fresh request id
    assert conversation.failed_attempts("Confirm Appointment") == 0


def test_no_availability_ends_the_booking_with_that_answer(conversation: Conversation) -> None:
    done = conversation.start("12350")  # Deck Repair: the scheduler offers nothing
    assert (done.step, done.offered_dates) == ("no_availability", ())
    assert conversation.finished()["status"] == "SUCCEEDED"


def test_the_demo_projects_are_all_reachable(conversation: Conversation) -> None:
    assert set(DEMO_PROJECTS) <= set(conversation.stack.simulator.simulator.model._data.projects)
    assert conversation.customer_id == DEMO_CUSTOMER
