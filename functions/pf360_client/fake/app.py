"""The fake PF360's request handling: envelope in, (status, JSON body) out, as the real API answers.

Shared by the in-process transport (mock mode) and the HTTP simulator, so both speak exactly the
same wire format and both reject a schema-invalid request with the 400 the real API gives.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pf360_client import contract
from pf360_client.fake.data import Project
from pf360_client.fake.model import FakeHTTPError, FakePF360
from pf360_client.operations import Envelope


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
            "get_reschedule_dates": self._reschedule_dates,
            "get_time_slots": self._slots,
            "confirm_appointment": self._confirm,
            "cancel_appointment": self._cancel,
            "get_business_hours": self._business_hours,
            "get_notes": self._notes,
            "add_note": self._add_note,
            "get_weather": self._weather,
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

    def _dates(
        self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any], *, reschedule: bool = False
    ) -> Any:
        data = self.model.available_dates(
            path["client_id"], path["project_id"], path["start_date"], path["end_date"], reschedule=reschedule
        )
        message = "Available dates retrieved" if data["dates"] else "No availability for this project"
        return {"data": data, "message": message}

    def _reschedule_dates(self, path: dict[str, Any], query: dict[str, Any], body: dict[str, Any]) -> Any:
        return self._dates(path, query, body, reschedule=True)

    def _slots(self, path: dict[str, Any], query: dict[str, Any], _b: dict[str, Any]) -> Any:
        if path["date"] != path["selected_date"]:
            raise FakeHTTPError(400, "date and selected date must match")
        data = self.model.time_slots(path["client_id"], path["project_id"], path["date"], query["request_id"])
        return {"data": data, "message": "Time slots retrieved"}

    def _confirm(self, path: dict[str, Any], _q: dict[str, Any], body: dict[str, Any]) -> Any:
        data = self.model.confirm(
            path["client_id"], path["project_id"], body["date"], body["time"], body["request_id"]
        )
        return {"message": "Appointment scheduled successfully", "data": data}

    def _cancel(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        data = self.model.cancel(path["client_id"], path["project_id"])
        return {"message": "Appointment cancelled successfully", "data": data}

    def _business_hours(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        profile = self.model.client(path["client_id"])
        hours = [
            {"day": w.day, "is_working": w.is_working, "start": w.start, "end": w.end}
            for w in profile.work_hours
        ]
        return {"data": {"workHours": hours, "timezone": profile.timezone}}

    def _notes(self, path: dict[str, Any], _q: dict[str, Any], _b: dict[str, Any]) -> Any:
        return {"data": self.model.notes(path["client_id"], path["project_id"])}

    def _add_note(self, path: dict[str, Any], _q: dict[str, Any], body: dict[str, Any]) -> Any:
        note = self.model.add_note(path["client_id"], path["customer_id"], path["project_id"], body["note"])
        return {"message": "Note added successfully", "data": note}

    def _weather(self, _p: dict[str, Any], query: dict[str, Any], _b: dict[str, Any]) -> Any:
        location, days = query["location"], int(query.get("days", 3))
        today = self.model.today()
        forecast = []
        for offset in range(days):
            day = (today + timedelta(days=offset)).isoformat()
            mix = zlib.crc32(f"{location}|{day}".encode())
            high = 45 + mix % 45
            forecast.append(
                {
                    "date": day,
                    "condition": ("Sunny", "Partly cloudy", "Cloudy", "Rain", "Thunderstorms", "Snow")[
                        mix % 6
                    ],
                    "high_f": high,
                    "low_f": high - 8 - (mix >> 8) % 15,
                    "precipitation_chance": (mix >> 16) % 101,
                }
            )
        return {"location": location, "units": "imperial", "forecast": forecast}


def dashboard_row(p: Project) -> dict[str, Any]:
    """A project as the dashboard endpoint returns it (field names as the real API spells them)."""
    full_address = ", ".join(x for x in (p.address1, p.address2, p.city, f"{p.state} {p.zipcode}") if x)
    start = f"{p.scheduled_date} {p.scheduled_time}" if p.scheduled_date and p.scheduled_time else None
    end = None
    if start and p.scheduled_time:
        end_hour = int(p.scheduled_time[:2]) + p.duration_hours
        end = f"{p.scheduled_date} {end_hour:02d}{p.scheduled_time[2:]}"
    return {
        "project_project_id": int(p.project_id),
        "project_project_number": p.number,
        "project_type_project_type": p.type,
        "project_category_category": p.category,
        "status_info_status": p.status,
        "project_store_store_number": p.store_number,
        "installation_address_full_address": full_address,
        "installation_address_address1": p.address1,
        "installation_address_address2": p.address2,
        "installation_address_city": p.city,
        "installation_address_state": p.state,
        "installation_address_zipcode": p.zipcode,
        "project_date_sold": p.date_sold,
        "project_date_scheduled_date": p.scheduled_date,
        "convertedProjectStartScheduledDate": start,
        "convertedProjectEndScheduledDate": end,
        "project_date_completed_date": p.completed_date,
        "user_idata_user_id": int(p.installer_id),
        "user_idata_first_name": p.installer_first,
        "user_idata_last_name": p.installer_last,
        "service_time_duration_value": p.duration_hours,
        "service_time_duration_type": "hours",
    }
