"""Answers an LLM can read and relay: plain dates and times, project names, never request_id, task
tokens or credentials. Each answer is a short `message` plus a few structured fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent_actions import errors
from pf360_client.models import Project
from pf360_client.project_rules import is_scheduled, waiting_reason
from session_store import Session


@dataclass
class Answer:
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    reprompt: bool = False  # the agent should ask the customer again (function-details: REPROMPT)

    def body(self) -> dict[str, Any]:
        return {"message": self.message, **self.data}


STILL_WORKING = Answer("I'm still working on that. Please ask me again in a moment.", {"still_working": True})


def day_label(iso: str) -> str:
    """'2026-12-01' -> 'Tuesday, December 1, 2026'."""
    day = date.fromisoformat(iso)
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def time_label(hms: str) -> str:
    """'14:00:00' -> '2:00 PM'."""
    hour, minute = int(hms[:2]), hms[3:5]
    return f"{(hour - 1) % 12 + 1}:{minute} {'AM' if hour < 12 else 'PM'}"


def project_summary(project: Project) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "project_id": project.project_id,
        "name": project.display_name,
        "status": project.status,
    }
    if project.scheduled_date and is_scheduled(project.status):
        summary["appointment"] = appointment_label(project.scheduled_date, project.scheduled_time)
    if project.address.city:
        summary["city"] = project.address.city
    return summary


def appointment_label(day: str | None, hms: str | None) -> str:
    """'Tuesday, December 1, 2026 at 2:00 PM' (the time only when PF360 gave one)."""
    if not day:
        return ""
    return f"{day_label(day)} at {time_label(hms)}" if hms else day_label(day)


_NOTICES = {
    "PF360SlotUnavailable": "The time you picked was just taken by someone else.",
    "NoSlotsOnDate": "That date has no free times left.",
    "ChoiceNotOffered": "That choice was not one of the options offered.",
}


def offer_answer(session: Session, name: str, *, want_slots: bool) -> Answer:
    """What the execution is offering now: dates, or the times of a date."""
    notice = _NOTICES.get(session.notice or "", "")
    if session.step == "awaiting_slot" and (want_slots or not session.offered_dates):
        slots = [time_label(s) for s in session.offered_slots]
        assert session.slots_date is not None
        day = day_label(session.slots_date)
        message = f"{notice} Available times for your {name} on {day}: {', '.join(slots)}."
        return Answer(
            message.strip(),
            {
                "date": session.slots_date,
                "available_times": slots,
                "next_step": "confirm-appointment with the chosen time",
            },
        )
    dates = list(session.offered_dates)
    shown = ", ".join(f"{day_label(d)} ({d})" for d in dates[:10])
    more = f" and {len(dates) - 10} more" if len(dates) > 10 else ""
    message = f"{notice} {_released(session)}Available dates for your {name}: {shown}{more}."
    return Answer(
        message.strip(), {"available_dates": dates, "next_step": "get-time-slots for the chosen date"}
    )


def _released(session: Session) -> str:
    """A reschedule tells the truth: PF360 released the old appointment to move it."""
    if session.mode != "reschedule":
        return ""
    before = session.projects.get(session.project_id or "") or {}
    when = appointment_label(before.get("date"), before.get("time"))
    old = f"your appointment on {when}" if when else "your appointment"
    return (
        f"To move it, the scheduling system has released {old}; if no new time is booked, I will book "
        "it again. "
    )


OFFICE = "I can pass a message to the office for you if you like."


def _not_schedulable(session: Session, name: str) -> str:
    """PF360's "Not allowed", explained by the project's status when it is one that says why."""
    status = (session.projects.get(session.project_id or "") or {}).get("status") or ""
    if waiting_reason(status):
        return f"Your {name} can't be scheduled yet: it is {status}. {OFFICE}"
    return (
        f"The scheduling system won't book your {name} right now (it may be waiting on measurements, "
        f"product or paperwork). {OFFICE}"
    )


def outcome_answer(session: Session, name: str) -> Answer:
    """A finished (or not yet started) booking, as the customer should hear it."""
    step = session.step
    if step == "confirmed" and session.booked_date and session.booked_time:
        when = f"{day_label(session.booked_date)} at {time_label(session.booked_time)}"
        number = (
            f" Your confirmation number is {session.confirmation_number}."
            if session.confirmation_number
            else ""
        )
        return Answer(
            f"Your {name} is booked for {when}.{number}",
            {
                "booked": True,
                "date": session.booked_date,
                "time": time_label(session.booked_time),
                "confirmation_number": session.confirmation_number or None,
            },
        )
    if step == "submitted_for_review" and session.booked_date and session.booked_time:
        when = f"{day_label(session.booked_date)} at {time_label(session.booked_time)}"
        released = (
            " Your previous appointment was released to make the change; the office will contact you."
            if session.mode == "reschedule"
            else ""
        )
        return Answer(
            f"Your request for {when} for your {name} was sent to the office for review. It is not "
            f"booked yet: the office will confirm it.{released}",
            {"booked": False, "submitted_for_review": True, "date": session.booked_date},
        )
    simple: dict[str, tuple[int, str, dict[str, Any]]] = {
        "starting": (
            200,
            "I'm still working on that. Please ask me again in a moment.",
            {"still_working": True},
        ),
        "cancelled": (200, f"The appointment for your {name} is cancelled.", {"cancelled": True}),
        "no_availability": (
            200,
            f"There are no dates available for your {name} right now. Please try again later.",
            {"available_dates": []},
        ),
        "already_scheduled": (
            200,
            f"Your {name} already has an appointment. I can reschedule it if you like.",
            {"already_scheduled": True},
        ),
        "not_schedulable": (200, _not_schedulable(session, name), {"schedulable": False}),
        "expired": (
            200,
            "This booking timed out because it waited too long. Ask me for available dates to start again.",
            {"expired": True},
        ),
        "reschedule_failed": (
            200,
            f"I couldn't move the appointment for your {name}; your original appointment is kept.",
            {"rescheduled": False},
        ),
        "escalated": (
            500,
            f"I couldn't finish changing the appointment for your {name}. A member of our team will "
            "contact you to sort it out.",
            {"needs_follow_up": True},
        ),
    }
    if step in simple:
        status, message, data = simple[step]
        return Answer(message, data, status)
    if session.error == "PF360WriteDisabled":  # the state machine met the refusal: same honest words
        return write_disabled_answer(session.mode or "schedule")
    return failure_answer(session.error)


# This deployment refuses the write (production with its feature flag off). Said plainly: the customer
# must never hear "booked" or "cancelled" when PF360 saw nothing.
BOOKING_BY_CHAT_OFF = (
    "Booking by chat isn't available yet. Please book through the customer portal or call us."
)
CANCELLING_BY_CHAT_OFF = (
    "Cancelling by chat isn't available yet. Please cancel through the customer portal or call us."
)


def write_disabled_answer(mode: str) -> Answer:
    """The up-front refusal of a booking (schedule, reschedule) or a cancel this deployment cannot do."""
    if mode == "cancel":
        return Answer(CANCELLING_BY_CHAT_OFF, {"cancelled": False}, 501)
    return Answer(BOOKING_BY_CHAT_OFF, {"booked": False}, 501)


def failure_answer(error: str | None) -> Answer:
    """A booking that failed with `error` (a PF360 or step error name), in the words errors.py keeps."""
    said = errors.for_error_name(
        error, errors.Internal("Something went wrong while booking. Please try again.")
    )
    return Answer(said.message, {"failed": True}, said.status)
