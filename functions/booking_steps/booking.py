"""What the steps share about a booking's state (schemas/workflow/v1/step_input.json): its ids, the
offer, the customer's reply, and the two things a step ends with, an offer or an outcome."""

from __future__ import annotations

import json
from typing import Any

from booking_steps.errors import NoSlotsOnDate
from pf360_client import PF360Client
from pf360_client.models import AvailableDates
from pf360_client.normalize import RequestId

OUTCOME_FIELDS = ("step", "confirmation_number", "booked_date", "booked_time", "error", "cause")


def outcome(step: str, **fields: Any) -> dict[str, Any]:
    """schemas/workflow/v1/outcome.json: every field present, null when it does not apply."""
    return {name: fields.get(name) for name in OUTCOME_FIELDS} | {"step": step}


def failed(error: dict[str, Any] | None) -> dict[str, Any]:
    """The outcome of a failure: the caught error's name, and all of it as the cause."""
    error = error or {"Error": "Booking.Unknown"}
    return outcome("failed", error=str(error.get("Error") or "Booking.Unknown"), cause=json.dumps(error))


def reply_value(booking: dict[str, Any], key: str) -> str | None:
    """The customer's choice (`date` or `slot`), if the reply carries one as a string."""
    reply = booking.get("reply")
    value = reply.get(key) if isinstance(reply, dict) else None
    return value if isinstance(value, str) else None


def appointment_now(client: PF360Client, booking: dict[str, Any]) -> tuple[str | None, str | None]:
    """(date, time) of the appointment the dashboard shows for the project now, whatever its status
    word (a "Pending Reschedule" row can still carry one); time None when PF360 gave only a date."""
    project = client.get_project(booking["client_id"], booking["customer_id"], booking["project_id"])
    return project.scheduled_date, project.scheduled_time


def holds(client: PF360Client, booking: dict[str, Any], day: str, slot: str | None) -> bool:
    """The project's appointment is at `day` (and `slot`, when PF360 tells a time)."""
    now_day, now_time = appointment_now(client, booking)
    return now_day == day and (now_time is None or slot is None or now_time == slot)


def fresh_request_id(client: PF360Client, booking: dict[str, Any], day: str) -> RequestId:
    """A new request_id for `day` (the old one went stale). NoSlotsOnDate when PF360 no longer offers
    the day at all."""
    offer: AvailableDates = client.get_available_dates(
        booking["client_id"], booking["project_id"], start=day, end=day
    )
    if day not in offer.dates:
        raise NoSlotsOnDate("the date is no longer offered")
    return offer.request_id
