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
from datetime import UTC, date, datetime, timedelta
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
    Note,
    Project,
    Rescheduling,
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
from pf360_client.project_rules import is_scheduled
from pf360_client.responses import check_response, note_from_row, project_from_row
from pf360_client.transport import DisabledWrite, Transport

# A plain stdlib logger: Lambda handlers give it Powertools' JSON format with
# `copy_config_to_registered_loggers(source_logger=logger, include={"pf360_client"})`.
logger = logging.getLogger(__name__)

MAX_NOTE_LENGTH = 2000
# Who a chat note is "viewed" and "reviewed" by: the production client sends one hard-coded user UUID
# (PF360_API.md 4.8, value not published); ours is fixed and recognisable.
NOTE_AUTHOR = "00000000-0000-4000-8000-0000a1b07a11"


class PF360Client:
    def __init__(
        self,
        reads: Transport,
        *,
        confirm: Transport | None = None,
        cancel: Transport | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        """`reads` serves every operation unless a dedicated transport is given for it."""
        self._routes = {
            "confirm_appointment": confirm or reads,
            "cancel_appointment": cancel or reads,
            "cancel_reschedule": cancel or reads,  # it cancels: the cancel flag governs it too
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
        """Dates from tomorrow (a past start is moved there) to start + 10 days unless `end` is given;
        an empty default window is widened once to start + 21 days, as the production client does
        (an error on that second query is not an answer: the first one stands)."""
        tomorrow = self._today() + timedelta(days=1)
        first = max(date.fromisoformat(_arg(normalize_date, start)) if start else tomorrow, tomorrow)
        last = date.fromisoformat(_arg(normalize_date, end)) if end else first + timedelta(days=10)
        offer = self._dates(client_id, project_id, first, max(last, first))
        if offer.dates or end is not None:
            return offer
        try:
            return self._dates(client_id, project_id, first, first + timedelta(days=21))
        except PF360Error:
            return offer

    def cancel_reschedule(self, client_id: str, project_id: str) -> Rescheduling:
        """Cancels the appointment at once (PF360 has no undo) and may offer new dates with it."""
        path = self._project_path(client_id, project_id)
        body = self._call("cancel_reschedule", {"path": path}, client_id)
        data = body.get("data") or {}
        dates = tuple(
            sorted({_response_value(normalize_date, d, "cancel_reschedule") for d in data.get("dates", [])})
        )
        request_id = data.get("request_id") or None  # 0 comes with no dates: not a request to use
        return Rescheduling(
            path["project_id"], dates, request_id if dates else None, body.get("message") or ""
        )

    def get_time_slots(self, client_id: str, project_id: str, day: str, request_id: RequestId) -> TimeSlots:
        day = _arg(normalize_date, day)
        if date.fromisoformat(day) < self._today():
            raise PF360ValidationError("the date is in the past", operation="get_time_slots")
        rid = _arg(validate_request_id, request_id)
        path = {**self._project_path(client_id, project_id), "start_date": day, "end_date": day}
        body = self._call("get_time_slots", {"path": path, "query": {"request_id": str(rid)}}, client_id)
        data = body["data"]
        found = data["slots"] if "slots" in data else data["timeSlots"]
        slots = sorted({_response_value(normalize_time, s, "get_time_slots") for s in found})
        return TimeSlots(
            path["project_id"], day, tuple(slots), data.get("request_id") or rid
        )  # PF360's replaces

    def confirm_appointment(
        self, client_id: str, project_id: str, day: str, slot: str, request_id: RequestId
    ) -> Confirmation:
        """Book with the exact body the production client sends. PF360 may take it for office
        review (`pending_review`): that is not a booking."""
        envelope = {
            "path": self._project_path(client_id, project_id),
            "body": {
                "created_at": datetime.now(UTC).strftime("%m/%d/%Y %H:%M:%S"),
                "date": _arg(normalize_date, day),
                "time": _arg(normalize_time, slot),
                "request_id": _integer_request_id(request_id),
                "is_chatbot": "true",
                "aIBot": True,
            },
        }
        body = self._call("confirm_appointment", envelope, client_id)
        data = body.get("data")
        number = data.get("confirmation_number") if isinstance(data, dict) else None
        number = number or body.get("confirmationNumber") or body.get("confirmation_number")
        message = body.get("message") or ""
        return Confirmation(
            envelope["path"]["project_id"],
            envelope["body"]["date"],
            envelope["body"]["time"],
            None if number is None else str(number),
            message,
            pending_review=any(word in message.lower() for word in ("review", "request")),
        )

    def cancel_appointment(self, client_id: str, project_id: str) -> Cancellation:
        path = self._project_path(client_id, project_id)
        body = self._call("cancel_appointment", {"path": path}, client_id)
        data = body.get("data")
        message = (
            (data.get("message") if isinstance(data, dict) else None) or body.get("message") or "cancelled"
        )
        return Cancellation(path["project_id"], message)

    def get_business_hours(self, client_id: str) -> BusinessHours:
        path = {"client_id": _arg(validate_client_id, client_id)}
        data = self._call("get_business_hours", {"path": path}, client_id).get("data") or {}
        days = tuple(
            WorkDay(d["day"], d["is_working"], _hms(d.get("start")), _hms(d.get("end")))
            for d in data.get("workHours", [])
        )
        return BusinessHours(data.get("timezone"), days, {} if days else data)  # else passed through

    def get_notes(self, client_id: str, customer_id: str, project_id: str) -> list[Note]:
        path = {**self._project_path(client_id, project_id), "customer_id": _id(customer_id, "customer_id")}
        body = self._call("get_notes", {"path": path}, client_id)
        return [note_from_row(n) for n in body.get("data", body.get("notes", []))]

    def add_note(self, client_id: str, project_id: str, text: str) -> str:
        """A customer's note, posted at once as the chat channel does; returns the text saved."""
        cleaned = _note_text(text, "add_note")
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "note_text": cleaned,
            "viewed_by": NOTE_AUTHOR,
            "reviewed_by": NOTE_AUTHOR,
            "viewed_at": stamp,
            "reviewed_at": stamp,
        }
        self._call("add_note", {"path": self._project_path(client_id, project_id), "body": body}, client_id)
        return cleaned

    def add_office_note(
        self, client_id: str, project_id: str, text: str, *, address_change: bool = False
    ) -> str:
        """A note the office acts on: a cancellation reason (add-note), or an installation address
        change request (update-address-note), never applied by itself."""
        operation = "add_address_note" if address_change else "add_project_note"
        cleaned = _note_text(text, operation)
        path = self._project_path(client_id, project_id)
        body = {"client_id": path["client_id"], "project_id": int(path["project_id"]), "note_text": cleaned}
        self._call(operation, {"path": {}, "body": body}, client_id)
        return cleaned

    def get_appointment_status(self, client_id: str, customer_id: str, project_id: str) -> AppointmentStatus:
        """Derived from the dashboard: PF360 has no status endpoint."""
        return appointment_of(self.get_project(client_id, customer_id, project_id))

    # --- plumbing -----------------------------------------------------------------------------

    def _dates(self, client_id: str, project_id: str, first: date, last: date) -> AvailableDates:
        path = {
            **self._project_path(client_id, project_id),
            "start_date": first.isoformat(),
            "end_date": last.isoformat(),
        }
        body = self._call("get_available_dates", {"path": path}, client_id)
        data = body["data"] if isinstance(body.get("data"), dict) else body  # as PF360's client reads it
        found = data.get("dates", data.get("availableDates", []))
        dates = tuple(sorted({_response_value(normalize_date, d, "get_available_dates") for d in found}))
        return AvailableDates(path["project_id"], dates, data.get("request_id", 0), body.get("message"))

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
            # One line per call: the PF360 error-rate alarm counts these (terraform/monitoring.tf).
            logger.info(
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


def _note_text(text: str, operation: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise PF360ValidationError("note text must not be empty", operation=operation)
    cleaned = clean_text(text)
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise PF360ValidationError(
            f"note text is longer than {MAX_NOTE_LENGTH} characters", operation=operation
        )
    return cleaned


def _integer_request_id(value: RequestId) -> int:
    """confirm takes the request id as an integer (the production client sends one)."""
    checked = _arg(validate_request_id, value)
    if isinstance(checked, int):
        return checked
    if checked.isdigit():
        return int(checked)
    raise PF360ValidationError("request_id must be an integer for confirm", operation="confirm_appointment")


def appointment_of(project: Project) -> AppointmentStatus:
    """A dashboard row's appointment: scheduled when its status says so and it carries a date."""
    scheduled = is_scheduled(project.status) and project.scheduled_date is not None
    end = project.scheduled_end
    return AppointmentStatus(
        project_id=project.project_id,
        status=project.status,
        scheduled=scheduled,
        date=project.scheduled_date if scheduled else None,
        start_time=project.scheduled_time if scheduled else None,
        end_time=end[11:19] if scheduled and end and len(end) >= 19 else None,
        installer=project.installer_name,
    )
