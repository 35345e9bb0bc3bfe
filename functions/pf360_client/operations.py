"""The PF360 operations: one table shared by the client, the in-process fake and the HTTP simulator.

A request is an *envelope* `{"path": {...}, "query": {...}, "body": {...}}`. The client builds it and
validates it against `schemas/pf360/v1/<name>.request.json` before sending; the simulator parses the
HTTP request back into the same envelope and validates it against the same schema. So both sides of
the wire are checked by one contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

Envelope = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str  # template with {placeholders}; every placeholder is a key of envelope["path"]
    write: bool = False  # changes PF360 state: never retried blindly
    service: str = "pf360"  # "pf360" or "weather" (a separate forecast service)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    def render_path(self, path_params: dict[str, Any]) -> str:
        return self.path.format(**{k: quote(str(path_params[k]), safe="") for k in self.placeholders})

    def path_regex(self) -> re.Pattern[str]:
        pattern = re.escape(self.path)
        for name in self.placeholders:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)", 1)
        return re.compile(f"^{pattern}$")


_SCHED = "/scheduler/client/{client_id}/project/{project_id}"

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("get_projects", "GET", "/dashboard/get/{client_id}/{customer_id}"),
        Operation(
            "get_available_dates",
            "GET",
            _SCHED + "/date/{start_date}/selected/{end_date}/get-rescheduler-slots",
        ),
        Operation(
            "get_reschedule_dates",
            "GET",
            _SCHED + "/date/{start_date}/selected/{end_date}/get-reschedule-slotsChatBot",
        ),
        Operation("get_time_slots", "GET", _SCHED + "/date/{date}/selected/{selected_date}/slots"),
        Operation("confirm_appointment", "POST", _SCHED + "/schedule", write=True),
        # A GET that changes state: a quirk of the real API, kept as it is.
        Operation("cancel_appointment", "GET", _SCHED + "/cancel-reschedule", write=True),
        Operation("get_business_hours", "GET", "/scheduler/client/{client_id}/business-hours"),
        Operation("get_notes", "GET", _SCHED + "/notes"),
        Operation(
            "add_note",
            "POST",
            "/communication/client/{client_id}/customer/{customer_id}/project/{project_id}/note",
            write=True,
        ),
        Operation("get_weather", "GET", "/weather/forecast", service="weather"),
    )
}


def match_route(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """Find the operation serving `method path`; returns it with the raw path parameters."""
    for op in OPERATIONS.values():
        if op.method == method and (m := _ROUTES[op.name].match(path)):
            return op, m.groupdict()
    return None


_ROUTES = {name: op.path_regex() for name, op in OPERATIONS.items()}
