"""Task "Get Time Slots": the slots of the chosen date, normalised to HH:MM:SS."""

from __future__ import annotations

from typing import Any

from booking_steps.runtime import client, step


@step("get_slots")
def _get_slots(event: dict[str, Any]) -> dict[str, Any]:
    slots = client().get_time_slots(
        event["client_id"], event["project_id"], event["date"], event["request_id"]
    )
    return {"date": slots.date, "slots": list(slots.slots)}


handler = _get_slots
