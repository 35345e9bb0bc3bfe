"""Task "Restore Original Appointment": the compensation of a reschedule that released the old
appointment and then did not book a new one (the customer walked away or started over, no dates, a
failure). Books the original date and time again; the booking ends `reschedule_failed`, with what
stopped the new one.

A restore that fails is checked against PF360 first (its answer may have been lost after it landed);
only a restore that did not happen propagates, and the state machine escalates to a person."""

from __future__ import annotations

import json
from typing import Any

from booking_steps.booking import holds, outcome
from booking_steps.runtime import client, step
from pf360_client.errors import PF360Error, PF360SlotUnavailable


@step("restore_appointment", output="outcome")
def _restore(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    pf360, cid, pid = client(), booking["client_id"], booking["project_id"]
    day, slot = booking["released"]["original"]["date"], booking["released"]["original"]["slot"]
    try:
        offer = pf360.get_available_dates(cid, pid, start=day, end=day)
        if slot not in pf360.get_time_slots(cid, pid, day, offer.request_id).slots:
            raise PF360SlotUnavailable("the original slot is no longer free", operation="restore_appointment")
        pf360.confirm_appointment(cid, pid, day, slot, offer.request_id)
    except PF360Error:
        if not holds(pf360, booking, day, slot):  # never released, or its answer was lost: fine
            raise
    why = booking.get("error") or {}
    return outcome("reschedule_failed", error=why.get("Error"), cause=json.dumps(why) if why else None)


handler = _restore
