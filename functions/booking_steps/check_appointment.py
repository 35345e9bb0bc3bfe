"""Task "Check Appointment": what PF360 holds for the project now. Used to reconcile an ambiguous
write (a confirm refused as "already scheduled" after a retry), and to read the appointment a
reschedule starts from."""

from __future__ import annotations

from typing import Any

from booking_steps.runtime import client, step


@step("check_appointment")
def _check(event: dict[str, Any]) -> dict[str, Any]:
    status = client().get_appointment_status(event["client_id"], event["customer_id"], event["project_id"])
    wanted = (event.get("date"), event.get("slot"))
    return {
        "scheduled": status.scheduled,
        "date": status.date,
        "time": status.start_time,
        "matches": status.scheduled and (status.date, status.start_time) == wanted,
    }


handler = _check
