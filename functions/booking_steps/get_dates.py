"""Task "Get Available Dates": the dates PF360 offers and the request_id that goes with them. A
reschedule's release may have brought them already; otherwise the dates call gives them."""

from __future__ import annotations

from typing import Any

from booking_steps.errors import NoAvailability
from booking_steps.runtime import client, step


@step("get_dates", output="offer")
def _get_dates(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    released = booking.get("released") or {}
    if released.get("dates"):
        dates, request_id = released["dates"], released["request_id"]
    else:
        offer = client().get_available_dates(booking["client_id"], booking["project_id"])
        dates, request_id = list(offer.dates), offer.request_id
    if not dates:
        raise NoAvailability("PF360 offers no dates for the project")
    return {
        "dates": dates,
        "request_id": request_id,
        "original": released.get("original"),
        "date": None,
        "slots": [],
        "problem": {"Error": "none"},
    }


handler = _get_dates
