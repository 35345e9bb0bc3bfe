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
    assert projects["12345"].status == "New"

    # When they pick the first offered date and slot and confirm
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
    assert isinstance(dates.request_id, int)
    assert all(len(s) == 8 and s[2] == ":" for s in slots.slots)  # HH:MM:SS start times
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


def test_reschedule_releases_then_books_anew_then_cancel_releases_it(
    client: PF360Client, calls: Callable[[], list[dict[str, Any]]]
) -> None:
    # Given project 12347, scheduled in the seed: PF360 offers it no dates
    before = client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347")
    assert before.scheduled
    with pytest.raises(PF360AlreadyScheduled):
        client.get_available_dates(DEMO_CLIENT, "12347")
    # When cancel-reschedule releases it, and a new slot is confirmed with its request id
    moved = client.cancel_reschedule(DEMO_CLIENT, "12347")
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347").scheduled is False
    new_day = next(d for d in moved.dates if d != before.date)
    slots = client.get_time_slots(DEMO_CLIENT, "12347", new_day, moved.request_id or 0)
    client.confirm_appointment(DEMO_CLIENT, "12347", new_day, slots.slots[0], slots.request_id)
    # Then the appointment is at the new time
    now = client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347")
    assert (now.date, now.start_time) == (new_day, slots.slots[0])
    # And cancelling leaves it unscheduled
    client.cancel_appointment(DEMO_CLIENT, "12347")
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347").scheduled is False
    assert "cancel_reschedule" in [c["operation"] for c in calls()]


def test_double_confirm_is_refused_as_already_scheduled(client: PF360Client) -> None:
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
    client.confirm_appointment(DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id)
    with pytest.raises(PF360AlreadyScheduled):  # the dates call now refuses: the project is booked
        client.get_available_dates(DEMO_CLIENT, "12345")


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
    saved = client.add_note(DEMO_CLIENT, "12345", "Gate code is at the side door.")
    assert client.get_notes(DEMO_CLIENT, DEMO_CUSTOMER, "12345")[0].text == saved


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
            "/scheduler/client/09PF05VD/project/12345/startDate/2026-13-01/endDate/2026-13-05/slotsChatbot",
            {},
            400,
        ),
        # slots are asked for one date
        (
            "/scheduler/client/09PF05VD/project/12345/startDate/2026-12-01/endDate/2026-12-02/slotsChatbot"
            "?request_id=1",
            {},
            400,
        ),
        ("/dashboard/get/09PF05VD/1645975", {"Authorization": "Bearer wrong"}, 401),
        ("/dashboard/get/09PF05VD/1645975", {"client_id": "11PF22QX"}, 403),
        ("/dashboard/get/09PF05VD/1645975", {"client_id": ""}, 400),
        # retired paths (PF360_API.md section 6) are gone
        ("/scheduler/client/09PF05VD/project/12345/date/2026-12-01/selected/2026-12-01/slots", {}, 404),
        ("/no/such/path", {}, 404),
    ],
)
def test_simulator_rejects_bad_requests_like_the_real_api(
    sim: SimulatorServer, path: str, headers: dict[str, str], status: int
) -> None:
    sent = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "client_id": "09PF05VD", **headers}
    answer = requests.get(sim.url + path, headers=sent, timeout=5)
    assert answer.status_code == status
    assert answer.json()["message"]


def test_simulator_rejects_a_confirm_body_that_breaks_the_schema(sim: SimulatorServer) -> None:
    # confirm wants HH:MM:SS, and the production client's whole body
    answer = requests.post(
        f"{sim.url}/scheduler/client/09PF05VD/project/12345/schedule",
        json={"date": "2026-12-01", "time": "08:00 AM", "request_id": 1},
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "client_id": "09PF05VD"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert "time" in answer.json()["message"]


def test_the_weather_adapter_speaks_open_meteo_to_the_simulator(sim: SimulatorServer) -> None:
    from pf360_client.open_meteo import OpenMeteo

    weather = OpenMeteo(geocoding_url=f"{sim.url}/v1/search", forecast_url=f"{sim.url}/v1/forecast")
    forecast = weather.weather_for_address(zipcode="62701", city="Springfield", state="IL", days=5)
    assert (forecast.location, len(forecast.days)) == ("Springfield, IL", 5)
    assert forecast == weather.weather_for_address(zipcode="62701", city="Springfield", state="IL", days=5)
    operations = [c["operation"] for c in sim.simulator.calls]
    assert operations[:2] == ["weather_geocoding", "weather_forecast"]


def test_a_customers_own_token_is_sent_when_calls_carry_the_callers(
    make_client: Callable[..., PF360Client], sim: SimulatorServer
) -> None:
    from pf360_client.credentials import caller_token
    from pf360_client.errors import PF360AuthError

    client = make_client(PF360_AUTH_MODE="caller")
    with pytest.raises(PF360AuthError):  # no customer token: nothing is sent
        client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    assert sim.simulator.calls == []
    with caller_token(sim.simulator.issue_token(DEMO_CLIENT, DEMO_CUSTOMER)):
        assert client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    with caller_token("cust-revoked"), pytest.raises(PF360AuthError):  # refused: never refreshed
        client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    assert [c["status"] for c in sim.simulator.calls] == [200, 401]
