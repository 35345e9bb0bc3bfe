"""PF360Client in mock mode (in-process fake, no network), and the HTTP-status-to-error mapping."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from pf360_client import PF360Client, Settings, build_client
from pf360_client import errors as pf360_errors
from pf360_client.errors import (
    ERROR_NAMES,
    PERMANENT_ERRORS,
    TRANSIENT_ERRORS,
    PF360AlreadyScheduled,
    PF360AuthError,
    PF360BadResponse,
    PF360Error,
    PF360NotFound,
    PF360NotSchedulable,
    PF360RateLimited,
    PF360RequestExpired,
    PF360SlotUnavailable,
    PF360Timeout,
    PF360Unavailable,
    PF360ValidationError,
)
from pf360_client.operations import Envelope, Operation
from pf360_client.responses import check_response
from pf360_client.transport import InProcessTransport, RawResponse, Transport

CLIENT, CUSTOMER = "09PF05VD", "1645975"
HMS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$")


class RecordingTransport:
    """Delegates to a real transport and remembers every send() and its raw answer."""

    name = "recording"

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, RawResponse]] = []

    def send(self, op: Operation, envelope: Envelope, client_id: str | None) -> RawResponse:
        raw = self.inner.send(op, envelope, client_id)
        self.sent.append((op.name, raw))
        return raw

    def raw(self, operation: str) -> Any:
        return [r.body for name, r in self.sent if name == operation][-1]


@pytest.fixture
def recorder() -> RecordingTransport:
    mock = build_client(Settings.from_env({}))
    inner = mock.transport_for("get_projects")
    assert isinstance(inner, InProcessTransport)
    return RecordingTransport(inner)


@pytest.fixture
def client(recorder: RecordingTransport) -> PF360Client:
    return PF360Client(recorder)


def test_mock_mode_serves_every_operation_in_process() -> None:
    mock = build_client(Settings.from_env({}))
    for operation in ("get_projects", "confirm_appointment", "cancel_appointment", "cancel_reschedule"):
        assert isinstance(mock.transport_for(operation), InProcessTransport)


def test_the_demo_customer_books_an_appointment_end_to_end(
    client: PF360Client, recorder: RecordingTransport
) -> None:
    # Given the demo customer's projects
    projects = {p.project_id: p for p in client.get_projects(CLIENT, CUSTOMER)}
    assert list(projects) == ["12345", "12347", "12350"]
    assert projects["12345"].display_name == "Flooring Installation"
    # When dates and slots are fetched for the Flooring project
    offer = client.get_available_dates(CLIENT, "12345")
    assert offer.dates
    assert type(offer.request_id) is int
    slots = client.get_time_slots(CLIENT, "12345", offer.dates[0], offer.request_id)
    # Then slots came as PF360 sends them, HH:MM:SS start times
    assert all(HMS.match(s) for s in recorder.raw("get_time_slots")["data"]["slots"])
    assert slots.slots
    assert all(HMS.match(s) for s in slots.slots)
    # When the first slot is confirmed
    booked = client.confirm_appointment(CLIENT, "12345", offer.dates[0], slots.slots[0], offer.request_id)
    # Then the booking and the appointment status agree
    assert (booked.date, booked.time) == (offer.dates[0], slots.slots[0])
    assert (booked.confirmation_number or "").startswith("PF12345-")
    status = client.get_appointment_status(CLIENT, CUSTOMER, "12345")
    assert (status.scheduled, status.date, status.start_time) == (True, offer.dates[0], slots.slots[0])


def test_a_reschedule_cancels_at_once_then_books_anew(client: PF360Client) -> None:
    # Given project 12347, already scheduled: PF360 refuses it dates (PF360_API.md 4.2)
    before = client.get_appointment_status(CLIENT, CUSTOMER, "12347")
    assert before.scheduled
    assert before.installer
    with pytest.raises(PF360AlreadyScheduled):
        client.get_available_dates(CLIENT, "12347")
    # When cancel-reschedule is called, Then the appointment is gone at once and new dates come with it
    moved = client.cancel_reschedule(CLIENT, "12347")
    assert moved.dates
    assert moved.request_id
    released = client.get_appointment_status(CLIENT, CUSTOMER, "12347")
    assert (released.status, released.scheduled) == ("Pending Reschedule", False)
    # When a new time is booked with that request id, Then the status shows it
    day = next(d for d in moved.dates if d != before.date)
    slot = client.get_time_slots(CLIENT, "12347", day, moved.request_id).slots[-1]
    client.confirm_appointment(CLIENT, "12347", day, slot, moved.request_id)
    now = client.get_appointment_status(CLIENT, CUSTOMER, "12347")
    assert (now.date, now.start_time) == (day, slot)
    # When it is cancelled, Then nothing is scheduled any more, and a second cancel is refused
    assert client.cancel_appointment(CLIENT, "12347").project_id == "12347"
    after = client.get_appointment_status(CLIENT, CUSTOMER, "12347")
    assert (after.status, after.scheduled, after.date) == ("Not Scheduled", False, None)
    with pytest.raises(PF360ValidationError):
        client.cancel_appointment(CLIENT, "12347")


def test_a_project_pf360_will_not_schedule_is_refused_with_its_own_error(
    client: PF360Client, recorder: RecordingTransport
) -> None:
    assert isinstance(recorder.inner, InProcessTransport)
    recorder.inner.app.model._data.projects["12345"].status = "On Hold"
    with pytest.raises(PF360NotSchedulable):
        client.get_available_dates(CLIENT, "12345")


def test_notes_are_added_and_read_back_newest_first(
    client: PF360Client, recorder: RecordingTransport
) -> None:
    saved = client.add_note(CLIENT, "12345", "  Please call before arriving.\x07 ")
    assert saved == "Please call before arriving."
    assert client.get_notes(CLIENT, CUSTOMER, "12345")[0].text == saved
    # And the longest allowed note still goes through
    assert len(client.add_note(CLIENT, "12345", "x" * 2000)) == 2000
    # And notes for the office take their own routes, the address change one by its prefix
    client.add_office_note(CLIENT, "12345", "CANCELLATION REASON: moving house.")
    client.add_office_note(
        CLIENT, "12345", "CUSTOMER REQUESTED INSTALLATION ADDRESS UPDATE: 1 Main St", address_change=True
    )
    assert [name for name, _ in recorder.sent][-2:] == ["add_project_note", "add_address_note"]


def test_business_hours_are_normalised(client: PF360Client) -> None:
    hours = client.get_business_hours(CLIENT)
    by_day = {d.day: d for d in hours.days}
    assert hours.timezone == "America/New_York"
    assert (by_day["Monday"].start, by_day["Monday"].end) == ("08:00:00", "17:00:00")
    assert by_day["Sunday"].is_working is False


def test_another_customers_project_is_not_found(client: PF360Client, recorder: RecordingTransport) -> None:
    # Given project 20000, which exists in the demo client but belongs to another customer
    model = recorder.inner.app.model  # type: ignore[attr-defined]
    assert model.project(CLIENT, "20000").customer_id != CUSTOMER
    # When the demo customer asks for it, Then it is not found
    with pytest.raises(PF360NotFound):
        client.get_project(CLIENT, CUSTOMER, "20000")


Call = Callable[[PF360Client], object]
INVALID: dict[str, Call] = {
    "bad client id": lambda c: c.get_projects("09PF-05VD", CUSTOMER),
    "bad customer id": lambda c: c.get_projects(CLIENT, "16459x5"),
    "non-numeric project id": lambda c: c.get_available_dates(CLIENT, "12a45"),
    "bad start date": lambda c: c.get_available_dates(CLIENT, "12345", start="2025-02-30"),
    "bad slot date": lambda c: c.get_time_slots(CLIENT, "12345", "tomorrow", 1675),
    "boolean request id": lambda c: c.get_time_slots(CLIENT, "12345", "2030-01-02", True),
    "13:75 time": lambda c: c.confirm_appointment(CLIENT, "12345", "2030-01-02", "13:75", 1675),
    "cancel bad project": lambda c: c.cancel_appointment(CLIENT, "12 345"),
    "status bad customer": lambda c: c.get_appointment_status(CLIENT, "", "12345"),
    "empty note": lambda c: c.add_note(CLIENT, "12345", "   "),
    "2001-char note": lambda c: c.add_note(CLIENT, "12345", "x" * 2001),
}


@pytest.mark.parametrize("call", INVALID.values(), ids=INVALID.keys())
def test_invalid_input_is_refused_before_the_transport(
    client: PF360Client, recorder: RecordingTransport, call: Call
) -> None:
    # When an operation is called with invalid input
    with pytest.raises(PF360ValidationError):
        call(client)
    # Then nothing was sent
    assert recorder.sent == []


def test_a_client_id_with_a_trailing_newline_is_refused_before_the_transport(
    client: PF360Client, recorder: RecordingTransport
) -> None:
    with pytest.raises(PF360ValidationError):
        client.get_projects("09PF05VD\n", CUSTOMER)
    assert recorder.sent == []


def test_time_slots_hand_back_the_request_id_unchanged(client: PF360Client) -> None:
    offer = client.get_available_dates(CLIENT, "12345")
    slots = client.get_time_slots(CLIENT, "12345", offer.dates[0], offer.request_id)
    assert slots.request_id == offer.request_id


# --- status -> error mapping ----------------------------------------------------------------------

ERROR_TABLE: list[tuple[RawResponse, type[PF360Error]]] = [
    (RawResponse(401, {"message": "Unauthorized"}), PF360AuthError),
    (RawResponse(403, {"message": "Forbidden"}), PF360AuthError),
    (RawResponse(404, {"status": "error", "message": "Project not found"}), PF360NotFound),
    (RawResponse(408, None), PF360Timeout),
    (RawResponse(400, {"message": "Project is already scheduled"}), PF360AlreadyScheduled),
    (
        RawResponse(400, {"message": "This date has already requested for this project"}),
        PF360AlreadyScheduled,
    ),
    (RawResponse(400, {"message": "Not allowed"}), PF360NotSchedulable),
    (RawResponse(400, {"message": "Invalid process step"}), PF360SlotUnavailable),  # confirm's 400: re-check
    (RawResponse(409, {"message": "Conflict"}), PF360SlotUnavailable),
    (RawResponse(400, {"message": "Selected slot is no longer available"}), PF360SlotUnavailable),
    (RawResponse(400, {"message": "Request ID is invalid or expired"}), PF360RequestExpired),
    (RawResponse(422, {"message": "date must be in the future"}), PF360ValidationError),
    (RawResponse(500, {"message": "Internal Server Error"}), PF360Unavailable),
    (RawResponse(502, None, json_ok=False), PF360Unavailable),
    (RawResponse(503, {"message": "Unable to process the request at this time"}), PF360Unavailable),
    (RawResponse(504, None), PF360Unavailable),
    (RawResponse(302, {}), PF360BadResponse),
    (RawResponse(200, None, json_ok=False), PF360BadResponse),
    (RawResponse(200, ["not", "an", "object"]), PF360BadResponse),
    (RawResponse(200, {"error": "Unable to process the request"}), PF360BadResponse),
    (RawResponse(200, {"error": "The selected slot was just taken"}), PF360SlotUnavailable),
    (RawResponse(200, {"message": 5}), PF360BadResponse),
    (RawResponse(200, {"message": "ok", "data": "yes"}), PF360BadResponse),
]


@pytest.mark.parametrize(
    ("raw", "expected"), ERROR_TABLE, ids=[f"{r.status}-{e.__name__}" for r, e in ERROR_TABLE]
)
def test_each_http_outcome_maps_to_its_typed_error(raw: RawResponse, expected: type[PF360Error]) -> None:
    with pytest.raises(PF360Error) as caught:
        check_response("confirm_appointment", raw)
    assert type(caught.value) is expected
    assert caught.value.operation == "confirm_appointment"
    assert caught.value.status == raw.status


def test_a_refusal_of_a_read_without_a_known_reason_is_a_validation_error() -> None:
    with pytest.raises(PF360ValidationError):
        check_response("get_available_dates", RawResponse(400, {"message": "Invalid process step"}))


@pytest.mark.parametrize(
    ("headers", "seconds"), [({"Retry-After": "7"}, 7.0), ({"retry-after": "2"}, 2.0), ({}, None)]
)
def test_429_carries_the_retry_after_hint(headers: dict[str, str], seconds: float | None) -> None:
    with pytest.raises(PF360RateLimited) as caught:
        check_response("get_projects", RawResponse(429, {"message": "Too Many Requests"}, headers))
    assert caught.value.retry_after == seconds
    assert caught.value.status == 429


def test_a_schema_rejection_400_is_a_validation_error() -> None:
    raw = RawResponse(400, {"status": "error", "message": "Invalid request: path/date: fails pattern"})
    with pytest.raises(PF360ValidationError) as caught:
        check_response("get_time_slots", raw)
    assert type(caught.value) is PF360ValidationError


def test_a_schema_valid_200_is_returned_as_is() -> None:
    body = {"message": "Appointment scheduled successfully", "data": {"time": "08:00:00"}}
    assert check_response("confirm_appointment", RawResponse(200, body)) == body


def test_transient_errors_are_retryable_and_permanent_ones_are_not() -> None:
    assert all(cls.retryable is True and cls("x").retryable for cls in TRANSIENT_ERRORS)
    assert all(cls.retryable is False and not cls("x").retryable for cls in PERMANENT_ERRORS)
    assert PF360Error.retryable is False


def test_error_names_are_unique_and_name_real_classes() -> None:
    assert len(ERROR_NAMES) == len(set(ERROR_NAMES)) == len(TRANSIENT_ERRORS) + len(PERMANENT_ERRORS)
    for name in ERROR_NAMES:
        assert issubclass(getattr(pf360_errors, name), PF360Error)
