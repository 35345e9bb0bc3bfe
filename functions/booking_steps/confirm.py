"""Task "Confirm Appointment": books the chosen slot with the execution's request_id.

A retried confirm whose first attempt did land is refused by PF360 as "already scheduled"; the
state machine then reconciles with "Check Appointment" instead of booking twice.
"""

from __future__ import annotations

from typing import Any

from booking_steps.runtime import client, step


@step("confirm")
def _confirm(event: dict[str, Any]) -> dict[str, Any]:
    done = client().confirm_appointment(
        event["client_id"], event["project_id"], event["date"], event["slot"], event["request_id"]
    )
    return {"confirmation_number": done.confirmation_number or "", "date": done.date, "time": done.time}


handler = _confirm
