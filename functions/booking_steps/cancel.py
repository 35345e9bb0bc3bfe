"""Task "Cancel Appointment": PF360's cancel-appointment.

PF360 answers a cancel of a project with no appointment with a refusal: that is what a retried cancel
whose first try landed sees, so the appointment is checked before failing."""

from __future__ import annotations

from typing import Any

from booking_steps.booking import appointment_now, outcome
from booking_steps.runtime import client, step
from pf360_client.errors import PF360NotSchedulable, PF360ValidationError


@step("cancel", output="outcome")
def _cancel(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    pf360, cid, pid = client(), booking["client_id"], booking["project_id"]
    try:
        pf360.cancel_appointment(cid, pid)
    except (PF360ValidationError, PF360NotSchedulable):
        if appointment_now(pf360, booking)[0] is not None:  # refused, and the appointment is there
            raise
    return outcome("cancelled")


handler = _cancel
