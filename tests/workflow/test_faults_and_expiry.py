"""Retries, failures, expiry and the compensated reschedule, read back from the execution history."""

from __future__ import annotations

import json
from typing import Any

from booking_bridge import BookingBridge
from pf360_client.fake.data import DEMO_CLIENT
from scheduling_tooling.local.conversation import Conversation
from scheduling_tooling.local.stack import LocalStack
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN
from session_store import SessionStore

ALREADY_SCHEDULED = {"kind": "status", "status": 400, "message": "Project is already scheduled", "times": 1}


def test_transient_fault_is_retried_then_succeeds(conversation: Conversation, faults: Any) -> None:
    # Given PF360 answers 503 twice to the dates request
    faults({"get_available_dates": [{"kind": "status", "status": 503, "times": 2}]})
    # When a booking starts
    offered = conversation.start("12345")
    # Then the ASL retried (two failed attempts in the history) and the customer sees dates
    assert offered.step == "awaiting_date"
    assert conversation.failed_attempts("Get Available Dates") == 2
    assert conversation.entered().count("Get Available Dates") == 1  # retries stay inside the state


def test_rate_limit_and_timeouts_are_retried_too(conversation: Conversation, faults: Any) -> None:
    faults(
        {
            "get_available_dates": [
                {"kind": "rate_limit", "retry_after": 1, "times": 1},
                {"kind": "hang", "seconds": 3, "times": 1},
            ]
        }
    )
    offered = conversation.start("12345")
    assert offered.step == "awaiting_date"
    assert conversation.failed_attempts("Get Available Dates") == 2


def test_retries_exhausted_records_the_failure_and_fails_the_execution(
    conversation: Conversation, faults: Any
) -> None:
    # Given PF360 keeps answering 503 for slots
    offered = conversation.start("12345")
    faults({"get_time_slots": [{"kind": "status", "status": 503}]})
    failed = conversation.reply({"date": offered.offered_dates[0]})
    # Then the failure is on the session, and the execution FAILED with the PF360 error
    assert (failed.step, failed.error) == ("failed", "PF360Unavailable")
    described = conversation.finished()
    assert described["status"] == "FAILED"
    assert described["error"] == "PF360Unavailable"
    assert "get_time_slots" in json.loads(described["cause"])["errorMessage"]
    assert (
        conversation.failed_attempts("Get Time Slots") == 5
    )  # the first attempt and MaxAttempts (4) retries


def test_permanent_errors_are_not_retried(conversation: Conversation, faults: Any) -> None:
    faults({"get_available_dates": [{"kind": "status", "status": 404, "message": "Project not found"}]})
    failed = conversation.start("12345")
    assert (failed.step, failed.error) == ("failed", "PF360NotFound")
    assert conversation.failed_attempts("Get Available Dates") == 1
    assert conversation.finished()["error"] == "PF360NotFound"


def test_wait_expires_with_the_session(stack: LocalStack, store: SessionStore) -> None:
    # Given a session timeout of 60 s (0.6 s at the test time scale) and a customer who walks away
    short = BookingBridge(store, stack.sfn, stack.state_machine_arn, timeout_seconds=60)
    conversation = Conversation(stack, short, store)
    offered = conversation.start("12345")
    assert offered.step == "awaiting_date"
    expired = short.wait_for_change(conversation.session_id, offered.version, 10)
    # Then the expiry is recorded and the execution ended; a late reply finds nothing waiting
    assert expired is not None
    assert expired.step == "expired"
    conversation.session = expired
    assert conversation.finished()["status"] == "SUCCEEDED"
    assert conversation.entered()[-2:] == ["Record Expiry", "Expired"]


def test_reschedule_where_pf360_refuses_to_move_releases_then_books(
    conversation: Conversation, faults: Any, pf360_calls: Any
) -> None:
    offered = conversation.start("12347", "reschedule")
    slots = conversation.reply({"date": offered.offered_dates[-1]})
    # When PF360 refuses to move the appointment ("already scheduled")
    faults({"confirm_appointment": [ALREADY_SCHEDULED]})
    done = conversation.reply({"slot": slots.offered_slots[0]})
    # Then the old one is released only after the new availability was fetched, and the new one booked
    assert (done.step, done.booked_date) == ("confirmed", offered.offered_dates[-1])
    operations = [c["operation"] for c in pf360_calls()]
    assert operations.index("get_reschedule_dates") < operations.index("cancel_appointment")
    assert operations[-2:] == ["cancel_appointment", "confirm_appointment"]


def test_reschedule_failing_after_release_restores_the_original(
    conversation: Conversation, faults: Any
) -> None:
    project = conversation.stack.simulator.simulator.model._data.projects["12347"]
    original = (project.scheduled_date, project.scheduled_time)
    offered = conversation.start("12347", "reschedule")
    slots = conversation.reply({"date": offered.offered_dates[-1]})
    # When the move is refused, the old appointment released, and the new slot then taken
    faults({"confirm_appointment": [ALREADY_SCHEDULED, {"kind": "slot_taken", "times": 1}]})
    done = conversation.reply({"slot": slots.offered_slots[0]})
    # Then the original appointment is booked again and the session says the reschedule failed
    assert (done.step, done.error) == ("reschedule_failed", "PF360SlotUnavailable")
    assert (project.status, project.scheduled_date, project.scheduled_time) == ("Scheduled", *original)
    assert "Restore Original Appointment" in conversation.entered()


def test_reschedule_escalates_when_the_original_cannot_be_restored(
    conversation: Conversation, faults: Any
) -> None:
    offered = conversation.start("12347", "reschedule")
    slots = conversation.reply({"date": offered.offered_dates[-1]})
    faults(
        {
            "confirm_appointment": [
                ALREADY_SCHEDULED,
                {"kind": "status", "status": 400, "message": "Selected slot is no longer available"},
            ]
        }
    )
    done = conversation.reply({"slot": slots.offered_slots[0]})
    assert (done.step, done.error) == ("escalated", "Booking.Escalated")
    described = conversation.finished()
    assert (described["status"], described["error"]) == ("FAILED", "Booking.Escalated")


def test_no_secret_token_or_personal_data_in_history(conversation: Conversation, faults: Any) -> None:
    # Given a booking with a retried fault and a refused confirm
    faults(
        {
            "get_available_dates": [{"kind": "status", "status": 503, "times": 1}],
            "confirm_appointment": [{"kind": "slot_taken", "times": 1}],
        }
    )
    offered = conversation.start("12345")
    slots = conversation.reply({"date": offered.offered_dates[0]})
    again = conversation.reply({"slot": slots.offered_slots[0]})
    conversation.reply({"slot": again.offered_slots[0]})
    conversation.finished()
    # Then the history holds ids, dates and times, never the PF360 token or the customer's details
    history = json.dumps(conversation.history(), default=str)
    model = conversation.stack.simulator.simulator.model
    customer_projects = model.customer_projects(DEMO_CLIENT, conversation.customer_id)
    private = {DEFAULT_TOKEN, "Bearer"}
    for project in customer_projects:
        private |= {project.address1, project.city, project.installer_first, project.installer_last}
    leaked = sorted(p for p in private if p and p in history)
    assert not leaked, f"found in history: {leaked}"
    started = json.loads(conversation.history()[0]["executionStartedEventDetails"]["input"])
    assert set(started) == {"session_id", "client_id", "customer_id", "project_id", "mode", "timeout_seconds"}


def test_a_confirm_that_landed_with_its_answer_lost_is_booked_once(
    conversation: Conversation, faults: Any, pf360_calls: Any
) -> None:
    offered = conversation.start("12345")
    slots = conversation.reply({"date": offered.offered_dates[0]})
    # When PF360 books the slot but the answer is lost (the retry then finds the request id spent)
    faults({"confirm_appointment": [{"kind": "lose_answer", "status": 503, "times": 1}]})
    done = conversation.reply({"slot": slots.offered_slots[0]})
    # Then PF360 is checked, the booking is recognised as ours, and nothing was booked twice
    assert (done.step, done.booked_date, done.booked_time) == (
        "confirmed",
        offered.offered_dates[0],
        slots.offered_slots[0],
    )
    assert "Reconcile Appointment" in conversation.entered()
    assert next(c["status"] for c in pf360_calls() if c["operation"] == "confirm_appointment") == 503
    model = conversation.stack.simulator.simulator.model
    assert model._data.projects["12345"].status == "Scheduled"
    assert model.overbooked() == []


def test_a_release_that_landed_with_its_answer_lost_still_books_the_new_slot(
    conversation: Conversation, faults: Any
) -> None:
    offered = conversation.start("12347", "reschedule")
    slots = conversation.reply({"date": offered.offered_dates[-1]})
    faults(
        {
            "confirm_appointment": [ALREADY_SCHEDULED],
            "cancel_appointment": [{"kind": "lose_answer", "status": 503, "times": 1}],
        }
    )
    done = conversation.reply({"slot": slots.offered_slots[0]})
    assert (done.step, done.booked_date) == ("confirmed", offered.offered_dates[-1])
    assert "Check Released" in conversation.entered()
