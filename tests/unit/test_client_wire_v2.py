"""What the client sends and how it reads PF360's answers, as PF360_API.md v2 describes them: the
dates window, the confirm body, the answer cases of confirm and cancel-reschedule. A scripted
transport records each envelope and plays back PF360's answers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from pf360_client import PF360Client
from pf360_client.errors import PF360Unavailable
from pf360_client.operations import Envelope, Operation
from pf360_client.transport import RawResponse

CLIENT = "09PF05VD"
TODAY = date(2026, 11, 28)


class Scripted:
    name = "scripted"

    def __init__(self, *answers: RawResponse | Exception) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, Envelope]] = []

    def send(self, op: Operation, envelope: Envelope, client_id: str | None) -> RawResponse:
        self.sent.append((op.name, envelope))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client_with(*answers: RawResponse | Exception) -> tuple[PF360Client, Scripted]:
    transport = Scripted(*answers)
    return PF360Client(transport, today=lambda: TODAY), transport


def dates(*days: str, request_id: int = 90001234) -> RawResponse:
    return RawResponse(200, {"data": {"dates": list(days), "request_id": request_id if days else 0}})


def test_dates_are_asked_from_tomorrow_for_ten_days() -> None:
    client, wire = client_with(dates("2026-12-01"))
    offer = client.get_available_dates(CLIENT, "12345")
    assert wire.sent[0][1]["path"] | {} == {
        "client_id": CLIENT,
        "project_id": "12345",
        "start_date": "2026-11-29",
        "end_date": "2026-12-09",
    }
    assert (offer.dates, offer.request_id) == (("2026-12-01",), 90001234)


def test_a_past_start_is_moved_to_tomorrow() -> None:
    client, wire = client_with(dates("2026-12-01"))
    client.get_available_dates(CLIENT, "12345", start="2026-11-01")
    assert (wire.sent[0][1]["path"]["start_date"], wire.sent[0][1]["path"]["end_date"]) == (
        "2026-11-29",
        "2026-12-09",
    )


def test_an_empty_window_is_widened_once_to_21_days() -> None:
    client, wire = client_with(dates(), dates("2026-12-15"))
    offer = client.get_available_dates(CLIENT, "12345")
    assert [e["path"]["end_date"] for _, e in wire.sent] == ["2026-12-09", "2026-12-20"]
    assert offer.dates == ("2026-12-15",)


def test_a_failed_widening_leaves_the_first_answer_standing() -> None:
    client, wire = client_with(dates(), PF360Unavailable("down", operation="get_available_dates"))
    offer = client.get_available_dates(CLIENT, "12345")
    assert (offer.dates, len(wire.sent)) == ((), 2)


def test_an_explicit_window_is_not_widened() -> None:
    client, wire = client_with(dates())
    client.get_available_dates(CLIENT, "12345", start="2026-12-03", end="2026-12-03")
    assert len(wire.sent) == 1


def test_slots_ask_one_date_with_the_request_id_and_take_pf360s_new_one() -> None:
    answer = RawResponse(200, {"data": {"slots": ["13:00:00", "08:00:00"], "request_id": 90001240}})
    client, wire = client_with(answer)
    slots = client.get_time_slots(CLIENT, "12345", "2026-12-01", 90001234)
    name, envelope = wire.sent[0]
    assert name == "get_time_slots"
    assert (envelope["path"]["start_date"], envelope["path"]["end_date"]) == ("2026-12-01", "2026-12-01")
    assert envelope["query"] == {"request_id": "90001234"}
    assert (slots.slots, slots.request_id) == (("08:00:00", "13:00:00"), 90001240)


def confirm(answer: dict[str, Any]) -> tuple[Any, Envelope]:
    client, wire = client_with(RawResponse(200, answer))
    done = client.confirm_appointment(CLIENT, "12345", "2026-12-01", "1:00 PM", "90001234")
    return done, wire.sent[0][1]


def test_confirm_sends_the_exact_body_of_the_production_client() -> None:
    _, envelope = confirm(
        {"message": "Appointment scheduled successfully", "data": {"confirmation_number": 7}}
    )
    body = envelope["body"]
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", body["created_at"])
    assert {k: v for k, v in body.items() if k != "created_at"} == {
        "date": "2026-12-01",
        "time": "13:00:00",
        "request_id": 90001234,
        "is_chatbot": "true",
        "aIBot": True,
    }


@pytest.mark.parametrize(
    ("answer", "number", "review"),
    [
        (
            {"message": "Appointment scheduled successfully", "data": {"confirmation_number": "C-1"}},
            "C-1",
            False,
        ),
        ({"data": True, "confirmationNumber": "CONF-001"}, "CONF-001", False),  # PF360_API.md 4.4, as written
        ({"message": "Your request has been submitted for review"}, None, True),
    ],
    ids=["data object", "data true", "office review"],
)
def test_each_confirm_answer_reads_as_what_it_means(
    answer: dict[str, Any], number: str | None, review: bool
) -> None:
    done, _ = confirm(answer)
    assert (done.confirmation_number, done.pending_review) == (number, review)


def test_cancel_reschedule_may_bring_dates_or_only_a_message() -> None:
    with_dates = RawResponse(200, {"data": {"dates": ["2026-12-02"], "request_id": 5555}})  # no message
    client, _ = client_with(with_dates, RawResponse(200, {"message": "Appointment cancelled"}))
    first = client.cancel_reschedule(CLIENT, "12347")
    second = client.cancel_reschedule(CLIENT, "12347")
    assert (first.dates, first.request_id) == (("2026-12-02",), 5555)
    assert (second.dates, second.request_id) == ((), None)


def test_the_shapes_pf360s_client_tolerates_are_read_too() -> None:
    client, _ = client_with(
        RawResponse(200, {"dates": ["2026-12-03"], "request_id": 7}),  # top level, no data
        RawResponse(200, {"data": {"availableDates": ["2026-12-04"], "request_id": 8}}),
        RawResponse(200, {"data": {"timeSlots": ["09:00:00"]}}),
        RawResponse(200, [{"text": "call first"}]),  # notes: a bare list, no known item shape
        RawResponse(200, {"notes": [{"note_text": "gate code"}]}),
        RawResponse(200, {"data": {"hours": {"monday": "8:00-17:00"}}}),  # not workHours: passed on
    )
    assert client.get_available_dates(CLIENT, "1", start="2026-12-03", end="2026-12-03").dates == (
        "2026-12-03",
    )
    assert client.get_available_dates(CLIENT, "1", start="2026-12-04", end="2026-12-04").request_id == 8
    assert client.get_time_slots(CLIENT, "1", "2026-12-04", 8).slots == ("09:00:00",)
    assert [n.text for n in client.get_notes(CLIENT, "1645975", "1")] == ["call first"]
    assert [n.text for n in client.get_notes(CLIENT, "1645975", "1")] == ["gate code"]
    hours = client.get_business_hours(CLIENT)
    assert (hours.days, hours.other) == ((), {"hours": {"monday": "8:00-17:00"}})
