"""Task "Cancel Appointment" (also "Release Old Appointment" in a non-atomic reschedule)."""

from __future__ import annotations

from typing import Any

from booking_steps.runtime import client, step


@step("cancel")
def _cancel(event: dict[str, Any]) -> dict[str, Any]:
    client().cancel_appointment(event["client_id"], event["project_id"])
    return {"cancelled": True}


handler = _cancel
