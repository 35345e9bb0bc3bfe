"""Task "Restore Original Appointment": the compensation of a reschedule that released the old
appointment and then failed to book the new one. Books the original date and time again."""

from __future__ import annotations

from typing import Any

from booking_steps.runtime import client, step
from pf360_client.errors import PF360SlotUnavailable


@step("restore_appointment")
def _restore(event: dict[str, Any]) -> dict[str, Any]:
    pf360 = client()
    cid, pid, day, slot = event["client_id"], event["project_id"], event["date"], event["slot"]
    offer = pf360.get_available_dates(cid, pid, start=day, end=day)
    slots = pf360.get_time_slots(cid, pid, day, offer.request_id)
    if slot not in slots.slots:
        raise PF360SlotUnavailable("the original slot is no longer free", operation="restore_appointment")
    done = pf360.confirm_appointment(cid, pid, day, slot, offer.request_id)
    return {"confirmation_number": done.confirmation_number or "", "date": done.date, "time": done.time}


handler = _restore
