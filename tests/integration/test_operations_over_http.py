"""Every PF360 operation through the real `requests` transport against the simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from pf360_client import PF360Client
from pf360_client.errors import PF360AlreadyScheduled, PF360NotFound, PF360RequestExpired
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN, SimulatorServer


def test_full_booking_walk_over_http(client: PF360Client, calls: Callable[[], list[dict[str, Any]]]) -> None:
    # Given the documented demo customer
    projects = {p.project_id: p for p in client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)}
    assert {"12345", "12347", "12350"} <= set(projects)
    assert projects["12345"].status == "Pending"

    # When they pick the first offered date and slot and confirm
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
    assert isinstance(dates.request_id, int)
    assert all(len(s) == 8 and s[2] == ":" for s in slots.slots)  # "08:00 AM" became "08:00:00"
    confirmation = client.confirm_appointment(
        DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id
    )

    # Then the simulator holds the booking and the status shows it
    status = client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12345")
    assert (status.scheduled, status.date, status.start_time) == (True, slots.date, slots.slots[0])
    assert confirmation.confirmation_number
    # And every call crossed the wire
    assert [c["operation"] for c in calls()] == [
        "get_projects",
        "get_available_dates",
        "get_time_slots",
        "confirm_appointment",
        "get_projects",
    ]


def test_reschedule_moves_the_appointment_then_cancel_releases_it(client: PF360Client) -> None:
    # Given project 12347, scheduled in the seed
    before = client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347")
    assert before.scheduled
    # When new availability is fetched first, and a new slot confirmed with the reschedule request id
    offer = client.get_reschedule_dates(DEMO_CLIENT, "12347")
    new_day = next(d for d in offer.dates if d != before.date)
    slots = client.get_time_slots(DEMO_CLIENT, "12347", new_day, offer.request_id)
    client.confirm_appointment(DEMO_CLIENT, "12347", new_day, slots.slots[0], offer.request_id)
    # Then the appointment moved
    moved = client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347")
    assert (moved.date, moved.start_time) == (new_day, slots.slots[0])
    # And cancelling leaves it unscheduled
    client.cancel_appointment(DEMO_CLIENT, "12347")
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347").scheduled is False


def test_double_confirm_is_refused_as_already_scheduled(client: PF360Client) -> None:
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
    client.confirm_appointment(DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id)
    fresh = client.get_available_dates(DEMO_CLIENT, "12345")
    with pytest.raises(PF360AlreadyScheduled):
        client.confirm_appointment(DEMO_CLIENT, "12345", slots.date, slots.slots[0], fresh.request_id)


def test_stale_request_id_is_reported_as_expired(client: PF360Client, sim: SimulatorServer) -> None:
    # Given a request id, and the scheduler's clock moved past its lifetime
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    requests.post(f"{sim.url}/_sim/clock", json={"advance_seconds": 16 * 60}, timeout=5).raise_for_status()
    # Then fetching slots with it says so
    with pytest.raises(PF360RequestExpired):
        client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[-1], dates.request_id)


def test_no_availability_is_a_normal_answer(client: PF360Client) -> None:
    dates = client.get_available_dates(DEMO_CLIENT, "12350")  # Deck Repair: the scheduler offers nothing
    assert dates.dates == ()
    assert dates.message


def test_information_and_notes_operations(client: PF360Client) -> None:
    hours = client.get_business_hours(DEMO_CLIENT)
    assert [d.day for d in hours.days][:2] == ["Monday", "Tuesday"]
    assert hours.days[0].start == "08:00:00"
    assert not hours.days[6].is_working
    note = client.add_note(DEMO_CLIENT, DEMO_CUSTOMER, "12345", "Gate code is at the side door.")
    assert client.get_notes(DEMO_CLIENT, "12345")[0] == note
    forecast = client.get_weather("62701", 5)
    assert len(forecast.days) == 5
    assert forecast == client.get_weather("62701", 5)  # deterministic


def test_unknown_project_and_customer_are_not_found(client: PF360Client) -> None:
    with pytest.raises(PF360NotFound):
        client.get_projects(DEMO_CLIENT, "999")
    with pytest.raises(PF360NotFound):
        client.get_available_dates(DEMO_CLIENT, "4242")


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        # a schema-invalid date in the path gets the 400 the real API gives, not a 404
        (
            "/scheduler/client/09PF05VD/project/12345/date/2026-13-01/selected/2026-13-01/get-rescheduler-slots",
            {},
            400,
        ),
        ("/scheduler/client/09PF05VD/project/12345/date/2026-12-01/selected/2026-12-01/slots", {}, 400),
        ("/dashboard/get/09PF05VD/1645975", {"Authorization": "Bearer wrong"}, 401),
        ("/dashboard/get/09PF05VD/1645975", {"Client_Id": "11PF22QX"}, 403),
        ("/dashboard/get/09PF05VD/1645975", {"Client_Id": ""}, 400),
        ("/no/such/path", {}, 404),
    ],
)
def test_simulator_rejects_bad_requests_like_the_real_api(
    sim: SimulatorServer, path: str, headers: dict[str, str], status: int
) -> None:
    sent = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Client_Id": "09PF05VD", **headers}
    answer = requests.get(sim.url + path, headers=sent, timeout=5)
    assert answer.status_code == status
    assert answer.json()["message"]


def test_simulator_rejects_a_confirm_body_that_breaks_the_schema(sim: SimulatorServer) -> None:
    # "08:00 AM" is how slots are offered, but confirm wants HH:MM:SS
    answer = requests.post(
        f"{sim.url}/scheduler/client/09PF05VD/project/12345/schedule",
        json={"date": "2026-12-01", "time": "08:00 AM", "request_id": 1},
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "Client_Id": "09PF05VD"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert "time" in answer.json()["message"]
