"""Task "Release Appointment" (reschedule): PF360 moves an appointment only by cancelling it first
(`cancel-reschedule`, PF360_API.md 4.5: immediate, no undo), then booking anew. "Read Appointment"
has kept the old date and time at `$.released`, so every way the new booking can end without one
(this step failing included) puts the old one back ("Put Back" states, "Restore Original
Appointment", which checks PF360 first).

A cancel whose answer was lost or unreadable may have landed (and a retried one is refused: nothing to
cancel): the appointment is read again, and gone means released."""

from __future__ import annotations

from typing import Any

from booking_steps.booking import appointment_now
from booking_steps.runtime import client, step
from pf360_client.errors import (
    PF360BadResponse,
    PF360NotSchedulable,
    PF360Timeout,
    PF360Unavailable,
    PF360ValidationError,
)
from pf360_client.models import Rescheduling

# What a cancel-reschedule that landed can look like from here: its answer lost or unreadable, or a
# retry refused because there is nothing left to cancel.
_MAYBE_LANDED = (PF360Timeout, PF360Unavailable, PF360BadResponse, PF360ValidationError, PF360NotSchedulable)


@step("release", output="released")
def _release(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    pf360 = client()
    moved: Rescheduling | None = None
    try:
        moved = pf360.cancel_reschedule(booking["client_id"], booking["project_id"])
    except _MAYBE_LANDED:
        if appointment_now(pf360, booking)[0] is not None:
            raise  # still there: not released (a retry is safe; a failure puts nothing back wrongly)
    return {
        "original": booking["released"]["original"],
        "dates": list(moved.dates) if moved else [],
        "request_id": moved.request_id if moved and moved.dates else None,
    }


handler = _release
