"""Task "Confirm Appointment" (and "Confirm New Appointment"): books the time the customer chose,
which must be one the execution offered, with the execution's request_id.

A stale request_id is refreshed once and the time re-checked (taken meanwhile: PF360SlotUnavailable).
Any other failure propagates: the state machine reconciles with PF360 instead of booking blind,
since a confirm whose answer was lost may have landed.
"""

from __future__ import annotations

from typing import Any

from booking_steps.booking import fresh_request_id, outcome, reply_value
from booking_steps.errors import ChoiceNotOffered, NoSlotsOnDate, RequestKeepsExpiring
from booking_steps.runtime import client, step
from pf360_client.errors import PF360RequestExpired, PF360SlotUnavailable


@step("confirm", output="outcome")
def _confirm(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    offer, slot = booking["offer"], reply_value(booking, "slot")
    if slot is None or slot not in offer["slots"]:
        raise ChoiceNotOffered("the time was not offered")
    pf360, cid, pid, day = client(), booking["client_id"], booking["project_id"], offer["date"]
    try:
        done = pf360.confirm_appointment(cid, pid, day, slot, offer["request_id"])
    except PF360RequestExpired:
        try:
            request_id = fresh_request_id(pf360, booking, day)
        except NoSlotsOnDate:
            raise PF360SlotUnavailable("the date is no longer offered", operation="confirm") from None
        if slot not in pf360.get_time_slots(cid, pid, day, request_id).slots:
            raise PF360SlotUnavailable("the time is no longer offered", operation="confirm") from None
        try:
            done = pf360.confirm_appointment(cid, pid, day, slot, request_id)
        except PF360RequestExpired:
            raise RequestKeepsExpiring("PF360 refused a fresh request_id too") from None
    if done.pending_review:  # PF360 took the request for the office to decide: not booked
        return outcome("submitted_for_review", booked_date=done.date, booked_time=done.time)
    return outcome(
        "confirmed",
        confirmation_number=done.confirmation_number or "",
        booked_date=done.date,
        booked_time=done.time,
    )


handler = _confirm
