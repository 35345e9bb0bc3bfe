"""Task "Read Appointment" (reschedule): the appointment a reschedule moves, read before anything is
released and kept at `$.released`, so every way the reschedule can end without a new appointment
(the release itself failing included) can put this one back."""

from __future__ import annotations

from typing import Any

from booking_steps.booking import appointment_now
from booking_steps.errors import NothingToReschedule, OriginalTimeUnknown
from booking_steps.runtime import client, step


@step("read_appointment", output="released")
def _read(event: dict[str, Any]) -> dict[str, Any]:
    day, time = appointment_now(client(), event["booking"])
    if day is None:
        raise NothingToReschedule("the project has no appointment to reschedule")
    if time is None:  # it could not be booked again exactly: not released at all
        raise OriginalTimeUnknown("PF360 gives the appointment's date but not its time")
    return {"original": {"date": day, "slot": time}, "dates": [], "request_id": None}


handler = _read
