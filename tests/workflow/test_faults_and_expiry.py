"""Retries, failures, expiry and the compensated reschedule, read back from the execution history."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from booking_bridge import BookingBridge
from pf360_client.fake.data import DEMO_CLIENT
from scheduling_tooling.local.clock import TIMEOUT
from scheduling_tooling.local.conversation import Conversation
from scheduling_tooling.local.stack import EmbeddedStack
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN
from session_store import SessionStore


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
                {"kind": "status", "status": 408, "times": 1},  # PF360Timeout, without racing a clock
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
    assert "get_time_slots" in json.loads(json.loads(described["cause"])["Cause"])["errorMessage"]
    assert (
        conversation.failed_attempts("Get Time Slots") == 5
    )  # the first attempt and MaxAttempts (4) retries


def test_permanent_errors_are_not_retried(conversation: Conversation, faults: Any) -> None:
    faults({"get_available_dates": [{"kind": "status", "status": 404, "message": "Project not found"}]})
    failed = conversation.start("12345")
    assert (failed.step, failed.error) == ("failed", "PF360NotFound")
    assert conversation.failed_attempts("Get Available Dates") == 1
    assert conversation.finished()["error"] == "PF360NotFound"


def test_wait_expires_with_the_session(stack: EmbeddedStack, store: SessionStore) -> None:
    # Given a session timeout of 60 s and a customer who walks away
    short = BookingBridge(store, stack.sfn, stack.state_machine_arn, timeout_seconds=60)
    conversation = Conversation(stack, short, store)
    offered = conversation.start("12345")
    assert offered.step == "awaiting_date"
    _until(lambda: pytest.approx(60) in stack.clock.pending(TIMEOUT), "the wait's 60 s timer")
    # When 59 s pass, Then the execution still waits; when the 60th passes, the wait expires
    stack.advance(59)
    assert store.get(conversation.session_id).step == "awaiting_date"
    stack.advance(1)
    expired = short.wait_for_change(conversation.session_id, offered.version, 60)
    # Then the expiry is recorded and the execution ended; a late reply finds nothing waiting
    assert expired is not None
    assert expired.step == "expired"
    conversation.session = expired
    assert conversation.finished()["status"] == "SUCCEEDED"
    assert conversation.entered()[-4:] == [
        "Customer Walked Away",
        "Put Back Before Ending",
        "Record Outcome",
        "Done",
    ]


def test_reschedule_releases_first_then_books_the_new_time(
    conversation: Conversation, pf360_calls: Any
) -> None:
    project = conversation.stack.simulator.simulator.model._data.projects["12347"]
    offered = conversation.start("12347", "reschedule")
    # Then PF360 released the old appointment at once (cancel-reschedule) and its dates are offered
    assert project.status == "Pending Reschedule"
    slots = conversation.reply({"date": offered.offered_dates[-1]})
    done = conversation.reply({"slot": slots.offered_slots[0]})
    assert (done.step, done.booked_date) == ("confirmed", offered.offered_dates[-1])
    operations = [c["operation"] for c in pf360_calls()]
    assert operations.index("cancel_reschedule") < operations.index("confirm_appointment")
    assert "get_available_dates" not in operations  # the release brought the dates


def test_reschedule_failing_after_release_restores_the_original(
    conversation: Conversation, faults: Any
) -> None:
    project = conversation.stack.simulator.simulator.model._data.projects["12347"]
    original = (project.scheduled_date, project.scheduled_time)
    offered = conversation.start("12347", "reschedule")
    slots = conversation.reply({"date": offered.offered_dates[-1]})
    # When the new booking fails for good (PF360 refuses the confirm with an unknown reason, reconciled)
    faults(
        {"confirm_appointment": [{"kind": "status", "status": 422, "message": "Unprocessable", "times": 1}]}
    )
    done = conversation.reply({"slot": slots.offered_slots[0]})
    # Then the original appointment is booked again and the session says the reschedule failed
    assert (done.step, done.error) == ("reschedule_failed", "PF360ValidationError")
    assert (project.status, project.scheduled_date, project.scheduled_time) == ("Scheduled", *original)
    assert "Restore Original Appointment" in conversation.entered()


def test_reschedule_abandoned_by_the_customer_restores_the_original(conversation: Conversation) -> None:
    project = conversation.stack.simulator.simulator.model._data.projects["12347"]
    original = (project.scheduled_date, project.scheduled_time)
    conversation.start("12347", "reschedule")
    assert project.status == "Pending Reschedule"
    # When the customer starts over (the bridge abandons the waiting execution)
    conversation.bridge.abandon(conversation.session)
    conversation.finished()
    # Then the original appointment is back
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
                {"kind": "status", "status": 422, "message": "Unprocessable", "times": 1},
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
    conversation: Conversation, faults: Any, pf360_calls: Any
) -> None:
    # Given PF360 cancels the appointment for the reschedule, but its answer is lost
    faults({"cancel_reschedule": [{"kind": "lose_answer", "status": 503, "times": 1}]})
    offered = conversation.start("12347", "reschedule")
    # Then the step read the appointment again, saw it released, and offered dates from the dates call
    assert offered.step == "awaiting_date"
    assert [c["status"] for c in pf360_calls() if c["operation"] == "cancel_reschedule"] == [503]
    assert conversation.failed_attempts("Release Appointment") == 0
    slots = conversation.reply({"date": offered.offered_dates[-1]})
    done = conversation.reply({"slot": slots.offered_slots[0]})
    assert (done.step, done.booked_date) == ("confirmed", offered.offered_dates[-1])


def _until(condition: Any, what: str, within: float = 60) -> None:
    """Poll for something that will happen; never a claim about how fast."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


def test_failures_without_a_cause_still_record_one(
    stack: EmbeddedStack, conversation: Conversation, faults: Any
) -> None:
    # Given a step Lambda stuck on a PF360 call (held by the simulator)
    faults({"get_available_dates": [{"kind": "hold", "seconds": 120, "times": 1}]})
    session = conversation.store.open(conversation.session_id, conversation.customer_id, DEMO_CLIENT)
    stack.token_vault().keep(conversation.session_id, stack.sign_in(DEMO_CLIENT, conversation.customer_id))
    conversation.bridge.start(session, "12345", "schedule")
    _until(lambda: stack.simulator.simulator.holding == 1, "the dates call is held")
    _until(lambda: pytest.approx(300) in stack.clock.pending(TIMEOUT), "the task's 300 s timer")
    # When its task's 300 s timeout passes (a States.Timeout carries no Cause on AWS)
    stack.advance(300)
    failed = conversation.bridge.wait_for_change(conversation.session_id, session.version + 1, 60)
    stack.simulator.simulator.release()
    # Then the failure and its cause are on the session, and the execution failed with a cause that
    # names the engine error and where to look
    assert failed is not None
    assert (failed.step, failed.error) == ("failed", "States.Timeout")
    assert json.loads(failed.cause or "")["Error"] == "States.Timeout"
    conversation.session = failed
    described = conversation.finished()
    assert (described["status"], described["error"]) == ("FAILED", "Booking.StepFailed")
    assert described["cause"].startswith("States.Timeout (an engine error")


def test_a_reply_without_the_field_asked_for_is_not_offered(conversation: Conversation) -> None:
    # Given dates on offer
    offered = conversation.start("12345")
    # When the reply carries no date at all (AWS fails a Choice on a missing path unless guarded)
    again = conversation.reply({"time": "09:00:00"})
    # Then the execution waits again, saying the choice was not offered
    assert (again.step, again.notice) == ("awaiting_date", "ChoiceNotOffered")
    assert again.offered_dates == offered.offered_dates
