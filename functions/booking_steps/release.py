"""Task "Release Appointment" (reschedule): PF360 moves an appointment only by cancelling it first
(`cancel-reschedule`, PF360_API.md 4.5: immediate, no undo), then booking anew. The old date and time
are read first and returned, so every way the new booking can end without one puts the old one back
(the state machine's "Put Back" states, then "Restore Original Appointment").

A cancel whose answer was lost may have landed: the appointment is read again before the error is
let through, so a retry never finds "nothing to reschedule" for an appointment this step released."""

from __future__ import annotations

from typing import Any

from booking_steps.errors import NothingToReschedule
from booking_steps.runtime import client, step
from pf360_client.errors import PF360Timeout, PF360Unavailable
from pf360_client.models import Rescheduling


@step("release", output="released")
def _release(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    pf360, cid, cust, pid = client(), booking["client_id"], booking["customer_id"], booking["project_id"]
    now = pf360.get_appointment_status(cid, cust, pid)
    if not (now.scheduled and now.date and now.start_time):
        raise NothingToReschedule("the project has no appointment to reschedule")
    original = {"date": now.date, "slot": now.start_time}
    moved: Rescheduling | None = None
    try:
        moved = pf360.cancel_reschedule(cid, pid)
    except (PF360Timeout, PF360Unavailable):
        if pf360.get_appointment_status(cid, cust, pid).scheduled:
            raise  # not released: a retry is safe
    return {
        "original": original,
        "dates": list(moved.dates) if moved else [],
        "request_id": moved.request_id if moved and moved.dates else None,
    }


handler = _release
