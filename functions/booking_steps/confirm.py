"""Task "Confirm Appointment" (and "Confirm New Appointment"): books the time the customer chose,
which must be one the execution offered, with the execution's request_id.

A stale request_id is refreshed once and the time re-checked (taken meanwhile: PF360SlotUnavailable).
A refusal as "slot gone" is checked against PF360 first: a duplicate of a confirm that landed is
refused that way.
Any other failure propagates: the state machine reconciles with PF360 instead of booking blind,
since a confirm whose answer was lost may have landed.
"""

from __future__ import annotations

from typing import Any

from booking_steps.booking import fresh_request_id, holds, outcome, reply_value
from booking_steps.errors import ChoiceNotOffered, NoSlotsOnDate, RequestKeepsExpiring
from booking_steps.runtime import client, step
from pf360_client.errors import PF360RequestExpired, PF360SlotUnavailable


@step("confirm", output="outcome")
def _confirm(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    offer, slot = booking["offer"], reply_value(booking, "slot")
    if slot is None or slot not in offer["slots"]:
        raise ChoiceNotOffered("the time was not offered")
    pf360, day = client(), offer["date"]
    try:
        done = _send(pf360, booking, day, slot)
    except PF360SlotUnavailable:
        # PF360 refuses a second confirm of one booking as if the slot were gone ("Invalid process
        # step"): a retry after a confirm whose answer was lost lands here. Ours, if it holds the time.
        if holds(pf360, booking, day, slot):
            return outcome("confirmed", confirmation_number="", booked_date=day, booked_time=slot)
        raise
    if done.pending_review:  # PF360 took the request for the office to decide: not booked
        return outcome("submitted_for_review", booked_date=done.date, booked_time=done.time)
    return _booked(done)


def _booked(done: Any) -> dict[str, Any]:
    return outcome(
        "confirmed",
        confirmation_number=done.confirmation_number or "",
        booked_date=done.date,
        booked_time=done.time,
    )


def _send(pf360: Any, booking: dict[str, Any], day: str, slot: str) -> Any:
    """The confirm, with one refresh of a stale request_id (the time re-checked first)."""
    cid, pid = booking["client_id"], booking["project_id"]
    try:
        return pf360.confirm_appointment(cid, pid, day, slot, booking["offer"]["request_id"])
    except PF360RequestExpired:
        try:
            request_id = fresh_request_id(pf360, booking, day)
        except NoSlotsOnDate:
            raise PF360SlotUnavailable("the date is no longer offered", operation="confirm") from None
        if slot not in pf360.get_time_slots(cid, pid, day, request_id).slots:
            raise PF360SlotUnavailable("the time is no longer offered", operation="confirm") from None
        try:
            return pf360.confirm_appointment(cid, pid, day, slot, request_id)
        except PF360RequestExpired:
            raise RequestKeepsExpiring("PF360 refused a fresh request_id too") from None


handler = _confirm
