"""The session item as a typed value. Its shape has one definition, schemas/workflow/v1/session_item.json:
the step vocabulary and the attribute groups below are read from it, and a test holds every writer
(the state machine and the store) to it.

The state machine writes the offers (JSON strings, so order survives and [] is legal) and, when a
booking ends, its `outcome` (schemas/workflow/v1/outcome.json, as JSON); the handlers read them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from pf360_client import contract

_SCHEMA = contract.document("session_item.json", family="workflow")


def _steps(group: str) -> frozenset[str]:
    return frozenset(_SCHEMA["$defs"][group]["enum"])


def _part(part: str) -> tuple[str, ...]:
    return tuple(name for name, spec in _SCHEMA["properties"].items() if spec.get("x-part") == part)


WAITING_STEPS = _steps("waiting_step")  # the execution waits for the customer
PENDING_STEPS = _steps("pending_step")  # the execution has not written its answer yet
FINAL_STEPS = _steps("final_step")  # a booking ended
ACTIVE_STEPS = WAITING_STEPS | PENDING_STEPS  # an execution is running
OFFER_ATTRIBUTES = _part("offer")  # what a wait shows: cleared when a booking ends or starts
OUTCOME_ATTRIBUTES = _part("outcome")
BOOKING_ATTRIBUTES = _part("booking")


@dataclass(frozen=True)
class Session:
    session_id: str
    customer_id: str
    client_id: str
    version: int
    expires_at: int
    step: str = "idle"
    created_at: int = 0
    updated_at: str = ""
    # proven the customer's: id -> {"name", "status", "date", "time"} as the dashboard said
    projects: dict[str, Any] = field(default_factory=dict)
    project_id: str | None = None
    project_name: str | None = None
    mode: str | None = None
    execution_name: str | None = None
    task_token: str | None = None
    notice: str | None = None
    offered_dates: tuple[str, ...] = ()
    offered_slots: tuple[str, ...] = ()
    slots_date: str | None = None
    outcome: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Session:
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in item.items():
            if name not in known:
                continue  # an attribute this code does not know yet: ignored, never guessed at
            if isinstance(value, Decimal):
                value = int(value)
            if name in ("offered_dates", "offered_slots"):
                value = tuple(json.loads(value)) if isinstance(value, str) else tuple(value or ())
            if name in ("outcome", "projects"):
                value = json.loads(value) if isinstance(value, str) else dict(value or {})
            values[name] = value
        return cls(**values)

    def replace(self, **changes: Any) -> Session:
        return replace(self, **changes)

    @property
    def waiting(self) -> bool:
        return self.step in WAITING_STEPS

    @property
    def finished(self) -> bool:
        return self.step in FINAL_STEPS

    # --- the outcome's parts (schemas/workflow/v1/outcome.json) --------------------------------------

    @property
    def confirmation_number(self) -> str | None:
        return self.outcome.get("confirmation_number")

    @property
    def booked_date(self) -> str | None:
        return self.outcome.get("booked_date")

    @property
    def booked_time(self) -> str | None:
        return self.outcome.get("booked_time")

    @property
    def error(self) -> str | None:
        return self.outcome.get("error")

    @property
    def cause(self) -> str | None:
        return self.outcome.get("cause")
