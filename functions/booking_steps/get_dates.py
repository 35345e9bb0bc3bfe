"""Task "Get Available Dates": dates the scheduler offers, and the request_id that goes with them."""

from __future__ import annotations

from typing import Any

from booking_steps.runtime import client, step


@step("get_dates")
def _get_dates(event: dict[str, Any]) -> dict[str, Any]:
    fetch = client().get_reschedule_dates if event["mode"] == "reschedule" else client().get_available_dates
    offer = fetch(event["client_id"], event["project_id"])
    return {"dates": list(offer.dates), "request_id": offer.request_id}


handler = _get_dates
