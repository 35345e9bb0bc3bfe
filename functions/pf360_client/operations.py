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
    # Two operations share a path (dates and slots, PF360_API.md 4.2/4.3): the one whose query names
    # this parameter is the slots call.
    query_marker: str | None = None

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


# Paths, methods and bodies as PF360's current production client uses them (PF360_API.md v2, sections
# 4 and 6); the retired variants are gone.
_PROJECT = "/scheduler/client/{client_id}/project/{project_id}"
_SLOTS_CHATBOT = _PROJECT + "/startDate/{start_date}/endDate/{end_date}/slotsChatbot"

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("get_projects", "GET", "/dashboard/get/{client_id}/{customer_id}"),
        Operation("get_available_dates", "GET", _SLOTS_CHATBOT),
        Operation("get_time_slots", "GET", _SLOTS_CHATBOT, query_marker="request_id"),
        Operation("confirm_appointment", "POST", _PROJECT + "/schedule", write=True),
        # GETs that change state, as the real API has them. cancel-reschedule cancels the appointment
        # at once (and may offer new dates); cancel-appointment only cancels.
        Operation("cancel_reschedule", "GET", _PROJECT + "/cancel-reschedule", write=True),
        Operation(
            "cancel_appointment", "GET", "/scheduler/{client_id}/{project_id}/cancel-appointment", write=True
        ),
        Operation("get_business_hours", "GET", "/scheduler/client/{client_id}/business-hours"),
        Operation(
            "get_notes",
            "GET",
            "/communication/client/{client_id}/customer/{customer_id}/project/{project_id}/notes",
        ),
        Operation(
            "add_note", "POST", "/communication/client/{client_id}/project/{project_id}/note", write=True
        ),
        # Notes the office acts on: a cancellation reason, an address change request (its text starts
        # with ADDRESS_CHANGE_PREFIX, as the production client routes it).
        Operation("add_project_note", "POST", "/project-notes/add-note", write=True),
        Operation("add_address_note", "POST", "/project-notes/update-address-note", write=True),
    )
}


def match_route(
    method: str, path: str, query: dict[str, Any] | None = None
) -> tuple[Operation, dict[str, str]] | None:
    """Find the operation serving `method path` (and, where two share a path, its query); returns it
    with the raw path parameters."""
    candidates = [
        (op, m.groupdict())
        for op in OPERATIONS.values()
        if op.method == method and (m := _ROUTES[op.name].match(path))
    ]
    marked = [c for c in candidates if c[0].query_marker and c[0].query_marker in (query or {})]
    plain = [c for c in candidates if c[0].query_marker is None]
    found = marked or plain
    return found[0] if found else None


ADDRESS_CHANGE_PREFIX = "CUSTOMER REQUESTED INSTALLATION ADDRESS UPDATE"
_ROUTES = {name: op.path_regex() for name, op in OPERATIONS.items()}
