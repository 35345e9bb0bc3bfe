"""Task "Get Time Slots": the times of the date the customer chose, which must be one the execution
offered (the execution's own check of the reply). Without a new date in the reply (its chosen time
was just taken) it fetches the times of the date on offer again and keeps the reason. A stale
request_id is refreshed once, without asking the customer."""

from __future__ import annotations

from typing import Any

from booking_steps.booking import fresh_request_id, reply_value
from booking_steps.errors import ChoiceNotOffered, NoSlotsOnDate, RequestKeepsExpiring
from booking_steps.runtime import client, step
from pf360_client.errors import PF360RequestExpired


@step("get_slots", output="offer")
def _get_slots(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    offer, chosen = booking["offer"], reply_value(booking, "date")
    if chosen is not None:
        if chosen not in offer["dates"]:
            raise ChoiceNotOffered("the date was not offered")
        day, problem = chosen, "none"
    elif offer["date"] is not None:
        day, problem = offer["date"], offer["problem"]["Error"]
    else:
        raise ChoiceNotOffered("the reply names no date")
    pf360, cid, pid = client(), booking["client_id"], booking["project_id"]
    request_id = offer["request_id"]
    try:
        slots = pf360.get_time_slots(cid, pid, day, request_id)
    except PF360RequestExpired:
        request_id = fresh_request_id(pf360, booking, day)
        try:
            slots = pf360.get_time_slots(cid, pid, day, request_id)
        except PF360RequestExpired:
            raise RequestKeepsExpiring("PF360 refused a fresh request_id too") from None
    if not slots.slots:
        raise NoSlotsOnDate("the date has no free times")
    return {
        **offer,
        "request_id": slots.request_id,  # PF360's replacement when it gave one (PF360_API.md 4.3)
        "date": day,
        "slots": list(slots.slots),
        "problem": {"Error": problem},
    }


handler = _get_slots
