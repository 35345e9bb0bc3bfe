"""Task "Get Available Dates": the dates PF360 offers and the request_id that goes with them. A
reschedule first reads the appointment it moves (kept for a restore)."""

from __future__ import annotations

from typing import Any

from booking_steps.errors import NoAvailability, NothingToReschedule
from booking_steps.runtime import client, step


@step("get_dates", output="offer")
def _get_dates(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    pf360, cid, pid = client(), booking["client_id"], booking["project_id"]
    original = None
    if booking["mode"] == "reschedule":
        now = pf360.get_appointment_status(cid, booking["customer_id"], pid)
        if not (now.scheduled and now.date and now.start_time):
            raise NothingToReschedule("the project has no appointment to reschedule")
        original = {"date": now.date, "slot": now.start_time}
        offer = pf360.get_reschedule_dates(cid, pid)
    else:
        offer = pf360.get_available_dates(cid, pid)
    if not offer.dates:
        raise NoAvailability("PF360 offers no dates for the project")
    return {
        "dates": list(offer.dates),
        "request_id": offer.request_id,
        "original": original,
        "date": None,
        "slots": [],
        "problem": {"Error": "none"},
    }


handler = _get_dates
