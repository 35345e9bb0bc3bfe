"""The PF360 client: one interface over the in-process fake and real HTTP.

Every call: validate inputs, build the envelope, check it against the request schema (a bad request is
never sent), send it through the transport chosen for the operation, turn the HTTP outcome into a
typed error or a schema-checked body, and normalise it into a typed model. The client never loops on
retries: the state machine owns them.

Why one file of ~280 lines: one method per PF360 operation, so everything this system can ask PF360
reads in one place; reading the answers lives in `responses.py`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from pf360_client import contract
from pf360_client.errors import (
    PF360BadResponse,
    PF360Error,
    PF360NotFound,
    PF360ValidationError,
)
from pf360_client.models import (
    AppointmentStatus,
    AvailableDates,
    BusinessHours,
    Cancellation,
    Confirmation,
    Forecast,
    ForecastDay,
    Note,
    Project,
    TimeSlots,
    WorkDay,
)
from pf360_client.normalize import (
    RequestId,
    clean_text,
    normalize_date,
    normalize_time,
    validate_client_id,
    validate_numeric_id,
    validate_request_id,
)
from pf360_client.operations import OPERATIONS, Envelope
from pf360_client.responses import check_response, note_from_row, project_from_row
from pf360_client.transport import DisabledWrite, Transport

# A plain stdlib logger: Lambda handlers give it Powertools' JSON format with
# `copy_config_to_registered_loggers(source_logger=logger, include={"pf360_client"})`.
logger = logging.getLogger(__name__)

MAX_NOTE_LENGTH = 2000


class PF360Client:
    def __init__(
        self,
        reads: Transport,
        *,
        confirm: Transport | None = None,
        cancel: Transport | None = None,
        weather: Transport | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        """`reads` serves every operation unless a dedicated transport is given for it."""
        self._routes = {
            "confirm_appointment": confirm or reads,
            "cancel_appointment": cancel or reads,
            "get_weather": weather or reads,
        }
        self._reads = reads
        self._today = today
        self._writes_disabled = frozenset(
            op for op, transport in self._routes.items() if isinstance(transport, DisabledWrite)
        )

    @property
    def writes_disabled(self) -> frozenset[str]:
        """Writes this client refuses with PF360WriteDisabled (prod, flag off): don't start a booking."""
        return self._writes_disabled

    def transport_for(self, operation: str) -> Transport:
        return self._routes.get(operation, self._reads)

    # --- operations ---------------------------------------------------------------------------

    def get_projects(self, client_id: str, customer_id: str) -> list[Project]:
        path = {
            "client_id": _arg(validate_client_id, client_id),
            "customer_id": _id(customer_id, "customer_id"),
        }
        body = self._call("get_projects", {"path": path}, client_id)
        return [project_from_row(row) for row in body["data"]]

    def get_project(self, client_id: str, customer_id: str, project_id: str) -> Project:
        """The customer's project, or PF360NotFound: the ownership check before acting on a project."""
        wanted = _id(project_id, "project_id")
        for project in self.get_projects(client_id, customer_id):
            if project.project_id == wanted:
                return project
        raise PF360NotFound("project not found for this customer", operation="get_projects")

    def get_available_dates(
        self, client_id: str, project_id: str, *, start: str | None = None, end: str | None = None
    ) -> AvailableDates:
        return self._dates("get_available_dates", client_id, project_id, start, end)

    def get_reschedule_dates(
        self, client_id: str, project_id: str, *, start: str | None = None, end: str | None = None
    ) -> AvailableDates:
        return self._dates("get_reschedule_dates", client_id, project_id, start, end)

    def get_time_slots(self, client_id: str, project_id: str, day: str, request_id: RequestId) -> TimeSlots:
        day = _arg(normalize_date, day)
        rid = _arg(validate_request_id, request_id)
        path = {**self._project_path(client_id, project_id), "date": day, "selected_date": day}
        body = self._call("get_time_slots", {"path": path, "query": {"request_id": str(rid)}}, client_id)
        data = body["data"]
        slots = sorted({_response_value(normalize_time, s, "get_time_slots") for s in data["slots"]})
        return TimeSlots(path["project_id"], day, tuple(slots), rid)  # the caller's id, untouched

    def confirm_appointment(
        self, client_id: str, project_id: str, day: str, slot: str, request_id: RequestId
    ) -> Confirmation:
        envelope = {
            "path": self._project_path(client_id, project_id),
            "body": {
                "date": _arg(normalize_date, day),
                "time": _arg(normalize_time, slot),
                "request_id": _arg(validate_request_id, request_id),
                "is_chatbot": "true",
                "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }
        body = self._call("confirm_appointment", envelope, client_id)
        data = body.get("data") or {}
        number = data.get("confirmation_number")
        return Confirmation(
            envelope["path"]["project_id"],
            envelope["body"]["date"],
            envelope["body"]["time"],
            None if number is None else str(number),
            body["message"],
        )

    def cancel_appointment(self, client_id: str, project_id: str) -> Cancellation:
        path = self._project_path(client_id, project_id)
        body = self._call("cancel_appointment", {"path": path}, client_id)
        return Cancellation(path["project_id"], body["message"])

    def get_business_hours(self, client_id: str) -> BusinessHours:
        path = {"client_id": _arg(validate_client_id, client_id)}
        data = self._call("get_business_hours", {"path": path}, client_id)["data"]
        days = tuple(
            WorkDay(d["day"], d["is_working"], _hms(d.get("start")), _hms(d.get("end")))
            for d in data["workHours"]
        )
        return BusinessHours(data.get("timezone"), days)

    def get_notes(self, client_id: str, project_id: str) -> list[Note]:
        body = self._call("get_notes", {"path": self._project_path(client_id, project_id)}, client_id)
        return [note_from_row(n) for n in body["data"]]

    def add_note(self, client_id: str, customer_id: str, project_id: str, text: str) -> Note:
        if not isinstance(text, str) or not text.strip():
            raise PF360ValidationError("note text must not be empty", operation="add_note")
        cleaned = clean_text(text)
        if len(cleaned) > MAX_NOTE_LENGTH:
            raise PF360ValidationError(
                f"note text is longer than {MAX_NOTE_LENGTH} characters", operation="add_note"
            )
        path = {**self._project_path(client_id, project_id), "customer_id": _id(customer_id, "customer_id")}
        body = self._call("add_note", {"path": path, "body": {"note": cleaned}}, client_id)
        return note_from_row(body["data"])

    def get_appointment_status(self, client_id: str, customer_id: str, project_id: str) -> AppointmentStatus:
        """Derived from the dashboard: no dedicated status endpoint is known for PF360."""
        project = self.get_project(client_id, customer_id, project_id)
        start, end = project.scheduled_start, project.scheduled_end
        scheduled = project.status == "Scheduled" and start is not None
        return AppointmentStatus(
            project_id=project.project_id,
            status=project.status,
            scheduled=scheduled,
            date=start[:10] if scheduled and start else None,
            start_time=start[11:] if scheduled and start else None,
            end_time=end[11:] if scheduled and end else None,
            installer=project.installer_name,
        )

    def get_weather(self, location: str, days: int = 3) -> Forecast:
        if not isinstance(location, str) or not location.strip() or len(location) > 200:
            raise PF360ValidationError("location must be 1-200 characters", operation="get_weather")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 7:
            raise PF360ValidationError("days must be an integer from 1 to 7", operation="get_weather")
        query = {"location": location.strip(), "days": str(days)}
        body = self._call("get_weather", {"path": {}, "query": query}, None)
        forecast = tuple(
            ForecastDay(d["date"], d["condition"], d["high_f"], d["low_f"], d.get("precipitation_chance"))
            for d in body["forecast"]
        )
        return Forecast(body["location"], forecast)

    # --- plumbing -----------------------------------------------------------------------------

    def _dates(
        self, operation: str, client_id: str, project_id: str, start: str | None, end: str | None
    ) -> AvailableDates:
        today = self._today().isoformat()
        path = {
            **self._project_path(client_id, project_id),
            "start_date": _arg(normalize_date, start or today),
            "end_date": _arg(normalize_date, end or start or today),
        }
        body = self._call(operation, {"path": path}, client_id)
        data = body["data"]
        dates = tuple(sorted({_response_value(normalize_date, d, operation) for d in data["dates"]}))
        return AvailableDates(path["project_id"], dates, data["request_id"], body.get("message"))

    @staticmethod
    def _project_path(client_id: str, project_id: str) -> dict[str, str]:
        return {"client_id": _arg(validate_client_id, client_id), "project_id": _id(project_id, "project_id")}

    def _call(self, operation: str, envelope: Envelope, client_id: str | None) -> dict[str, Any]:
        op = OPERATIONS[operation]
        envelope.setdefault("query", {})
        envelope.setdefault("body", {})
        try:
            contract.check(contract.request_schema(operation), envelope)
        except contract.ContractViolation as violation:
            raise PF360ValidationError(
                "invalid request: " + "; ".join(violation.problems), operation=operation
            ) from None
        transport = self.transport_for(operation)
        started = time.perf_counter()
        outcome = "error"
        try:
            raw = transport.send(op, envelope, client_id)
            body = check_response(operation, raw)
            outcome = "ok"
            return body
        except PF360Error as error:
            outcome = type(error).__name__
            raise
        finally:
            logger.debug(
                "pf360 call",
                extra={
                    "operation": operation,
                    "transport": transport.name,
                    "outcome": outcome,
                    "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
                    "project_id": envelope["path"].get("project_id"),
                },
            )


def _arg(check: Callable[[Any], Any], value: Any) -> Any:
    try:
        return check(value)
    except ValueError as error:
        raise PF360ValidationError(str(error)) from None


def _id(value: Any, name: str) -> str:
    try:
        return validate_numeric_id(value, name)
    except ValueError as error:
        raise PF360ValidationError(str(error)) from None


def _response_value(check: Callable[[str], str], value: str, operation: str) -> str:
    try:
        return check(value)
    except ValueError as error:
        raise PF360BadResponse(f"answer holds an unreadable value: {error}", operation=operation) from None


def _hms(value: str | None) -> str | None:
    return None if value is None else normalize_time(value)
