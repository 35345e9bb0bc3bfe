"""The session item (shape: schemas/workflow/v1/session_item.json) as a typed value.

The state machine writes `step`, the offers and the outcome; the agent handlers read them. Offers are
stored as JSON strings (`States.JsonToString` in the ASL) so order survives and empty lists are legal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

# Steps where the execution is waiting for the customer.
WAITING_STEPS = frozenset({"awaiting_date", "awaiting_slot"})
# Steps where an execution is running: waiting for the customer, starting, or working on a choice.
ACTIVE_STEPS = WAITING_STEPS | {"starting", "working"}
# Steps that mean "the execution has not written its answer yet".
PENDING_STEPS = frozenset({"starting", "working"})
# Steps the execution ends in.
FINAL_STEPS = frozenset(
    {
        "confirmed",
        "cancelled",
        "no_availability",
        "already_scheduled",
        "failed",
        "expired",
        "reschedule_failed",
        "escalated",
        "abandoned",
    }
)


@dataclass(frozen=True)
class Session:
    session_id: str
    customer_id: str
    client_id: str
    version: int
    expires_at: int
    step: str = "idle"
    created_at: int = 0
    project_id: str | None = None
    mode: str | None = None
    execution_name: str | None = None
    offered_dates: tuple[str, ...] = ()
    offered_slots: tuple[str, ...] = ()
    slots_date: str | None = None
    task_token: str | None = None
    notice: str | None = None
    confirmation_number: str | None = None
    booked_date: str | None = None
    booked_time: str | None = None
    error: str | None = None
    cause: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Session:
        known = {f.name for f in fields(cls)} - {"extra"}
        values: dict[str, Any] = {}
        for name, value in item.items():
            if isinstance(value, Decimal):
                value = int(value)
            if name in ("offered_dates", "offered_slots"):
                value = tuple(json.loads(value)) if isinstance(value, str) else tuple(value or ())
            if name in known:
                values[name] = value
        values["extra"] = {k: v for k, v in item.items() if k not in known}
        return cls(**values)

    def replace(self, **changes: Any) -> Session:
        return replace(self, **changes)

    @property
    def waiting(self) -> bool:
        return self.step in WAITING_STEPS

    @property
    def finished(self) -> bool:
        return self.step in FINAL_STEPS
