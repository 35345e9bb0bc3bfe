"""The fake PF360's request handling: envelope in, (status, JSON body) out, as the real API answers.

Shared by the in-process transport (mock mode) and the HTTP simulator, so both speak exactly the
same wire format and both reject a schema-invalid request with the 400 the real API gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pf360_client import contract
from pf360_client.fake.data import STORES, Project
from pf360_client.fake.model import FakeHTTPError, FakePF360
from pf360_client.operations import ADDRESS_CHANGE_PREFIX, Envelope


@dataclass(frozen=True)
class FakeResponse:
    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


class FakeApp:
    def __init__(self, model: FakePF360) -> None:
        self.model = model
        self._handlers: dict[str, Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], Any]] = {
            "get_projects": self._projects,
            "get_available_dates": self._dates,
            "get_time_slots": self._slots,
            "confirm_appointment": self._confirm,
            "cancel_reschedule": self._cancel_reschedule,
            "cancel_appointment": self._cancel,
            "get_business_hours": self._business_hours,
            "get_notes": self._notes,
            "add_note": self._add_note,
            "add_project_note": self._office_note,
            "add_address_note": self._office_note,
        }

    def handle(self, operation: str, envelope: Envelope) -> FakeResponse:
        try:
            contract.check(contract.request_schema(operation), envelope)
        except contract.ContractViolation as violation:
            return FakeResponse(
                400, {"status": "error", "message": "Invalid request: " + "; ".join(violation.problems)}
            )
        handler = self._handlers[operation]
        try:
            body = handler(envelope["path"], envelope.get("query", {}), envelope.get("body", {}))
        except FakeHTTPError as error:
            return FakeResponse(error.status, {"status": "error", "message": error.message})
        return FakeResponse(200, body)

    # --- handlers: (path, query, body) -> response body ----------------------------------------

    def _projects(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        projects = self.model.customer_projects(path["client_id"], path["customer_id"])
        return {"status": "success", "data": [dashboard_row(p) for p in projects]}

    def _dates(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        data = self.model.available_dates(
            path["client_id"], path["project_id"], path["start_date"], path["end_date"]
        )
        message = "Available dates retrieved" if data["dates"] else "No availability for this project"
        return {"data": data, "message": message}

    def _slots(self, path: dict[str, Any], query: dict[str, Any], _b: dict[str, Any]) -> Any:
        if path["start_date"] != path["end_date"]:
            raise FakeHTTPError(400, "slots are asked for one date: start and end must match")
        data = self.model.time_slots(
            path["client_id"], path["project_id"], path["start_date"], query["request_id"]
        )
        return {"data": data, "message": "Time slots retrieved"}

    def _confirm(self, path: dict[str, Any], _q: dict[str, Any], body: dict[str, Any]) -> Any:
        if self.model.review_confirms:  # the office decides: nothing is booked now
            return {"message": "Your appointment request has been submitted for review"}
        data = self.model.confirm(
            path["client_id"], path["project_id"], body["date"], body["time"], body["request_id"]
        )
        return {"message": "Appointment scheduled successfully", "data": data}

    def _cancel_reschedule(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        data = self.model.cancel_reschedule(path["client_id"], path["project_id"])
        return {"message": "Appointment cancelled; please choose a new date", "data": data}

    def _cancel(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        return {"data": self.model.cancel(path["client_id"], path["project_id"])}

    def _business_hours(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        profile = self.model.client(path["client_id"])
        hours = [
            {"day": w.day, "is_working": w.is_working, "start": w.start, "end": w.end}
            for w in profile.work_hours
        ]
        return {"data": {"workHours": hours, "timezone": profile.timezone}}

    def _notes(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        return {"data": self.model.notes(path["client_id"], path["customer_id"], path["project_id"])}

    def _add_note(self, path: dict[str, Any], _q: dict[str, Any], body: dict[str, Any]) -> Any:
        self.model.add_note(
            path["client_id"], path["project_id"], body["note_text"], author="Customer (chat)"
        )
        return {"message": "Note added successfully"}

    def _office_note(self, _p: dict[str, Any], _q: dict[str, Any], body: dict[str, Any]) -> Any:
        address = body["note_text"].startswith(ADDRESS_CHANGE_PREFIX)
        self.model.add_note(
            body["client_id"],
            str(body["project_id"]),
            body["note_text"],
            author="AI Scheduling Assistant",
            kind="address_change" if address else "office",
        )
        return {"message": "Note added successfully"}


def dashboard_row(p: Project) -> dict[str, Any]:
    """A project as the dashboard returns it (PF360_API.md 4.1: field names as the real API spells
    them). A "Ready To Schedule" row keeps a stale date and installer, as PF360's can."""
    start = f"{p.scheduled_date} {p.scheduled_time}" if p.scheduled_date and p.scheduled_time else None
    end = None
    if start and p.scheduled_time:
        end = f"{p.scheduled_date} {int(p.scheduled_time[:2]) + p.duration_hours:02d}{p.scheduled_time[2:]}"
    if p.status == "Ready To Schedule" and start is None:
        start = end = f"{p.date_sold} 08:00:00"  # left over from an earlier booking
    return {
        "project_project_id": int(p.project_id),
        "project_project_number": p.number,
        "project_type_project_type": p.type,
        "project_category_category": p.category,
        "status_info_status": p.status,
        "convertedProjectStartScheduledDate": start,
        "convertedProjectEndScheduledDate": end,
        "user_idata_first_name": p.installer_first,
        "user_idata_last_name": p.installer_last,
        "installer_details_installer_id": int(p.installer_id),
        "store_info_store_name": STORES.get(p.client_id),
        "store_info_store_number": p.store_number,
        "project_installation_address_id": int(p.project_id) * 10,
        "installation_address_address1": p.address1,
        "installation_address_city": p.city,
        "installation_address_state": p.state,
        "installation_address_zipcode": p.zipcode,
    }
