"""Task "Reconcile Appointment" (and "Reconcile New Appointment"): a confirm failed in a way that
may hide a booking that landed (its answer lost, then the retry refused). What PF360 holds now
decides the outcome:
- the chosen date and time are booked: ours (`confirmed`, with no confirmation number: the dashboard
  has none);
- PF360 said "already scheduled" (someone booked the project meanwhile): `already_scheduled`;
- anything else: `failed`, with the confirm's error.
"""

from __future__ import annotations

from typing import Any

from booking_steps.booking import failed, holds, outcome, reply_value
from booking_steps.runtime import client, step


@step("reconcile", output="outcome")
def _reconcile(event: dict[str, Any]) -> dict[str, Any]:
    booking = event["booking"]
    error = booking.get("error") or {}
    day, slot = booking["offer"]["date"], reply_value(booking, "slot")
    if day is not None and holds(client(), booking, day, slot):
        return outcome("confirmed", confirmation_number="", booked_date=day, booked_time=slot)
    if error.get("Error") == "PF360AlreadyScheduled":
        return outcome("already_scheduled")
    return failed(error)


handler = _reconcile
