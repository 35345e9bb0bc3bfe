"""Each injected fault reaches the caller as the right typed error; timeouts are honoured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pf360_client import PF360Client
from pf360_client.errors import (
    PF360BadResponse,
    PF360Error,
    PF360RateLimited,
    PF360RequestExpired,
    PF360SlotUnavailable,
    PF360Timeout,
    PF360TransientError,
    PF360Unavailable,
)
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER

Faults = Callable[[dict[str, Any]], None]


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ({"kind": "status", "status": 503}, PF360Unavailable),
        ({"kind": "status", "status": 500}, PF360Unavailable),
        ({"kind": "status", "status": 502}, PF360Unavailable),
        ({"kind": "rate_limit", "retry_after": 7}, PF360RateLimited),
        ({"kind": "reset"}, PF360Unavailable),
        ({"kind": "bad_json"}, PF360BadResponse),
        ({"kind": "error_body", "message": "Internal scheduler error"}, PF360BadResponse),
    ],
    ids=lambda v: v.get("kind", "") + str(v.get("status", "")) if isinstance(v, dict) else v.__name__,
)
def test_fault_maps_to_typed_error(
    client: PF360Client, set_faults: Faults, rule: dict[str, Any], error: type[PF360Error]
) -> None:
    # Given one fault on the projects endpoint
    set_faults({"get_projects": [{**rule, "times": 1}]})
    # When the client calls it, Then the typed error comes out
    with pytest.raises(error) as raised:
        client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    assert type(raised.value) is error
    # And the next call, with the fault used up, succeeds
    assert client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)


def test_rate_limit_carries_retry_after(client: PF360Client, set_faults: Faults) -> None:
    set_faults({"get_business_hours": [{"kind": "rate_limit", "retry_after": 7, "times": 1}]})
    with pytest.raises(PF360RateLimited) as raised:
        client.get_business_hours(DEMO_CLIENT)
    assert raised.value.retry_after == 7
    assert raised.value.retryable


def test_503_twice_then_ok(
    client: PF360Client, set_faults: Faults, calls: Callable[[], list[dict[str, Any]]]
) -> None:
    # Given the profile "503 twice, then OK"
    set_faults({"get_projects": [{"kind": "status", "status": 503, "times": 2}]})
    # When the client is called three times, Then it raises the transient error twice, then succeeds
    outcomes = []
    for _ in range(3):
        try:
            client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
            outcomes.append("ok")
        except PF360TransientError as error:
            outcomes.append(type(error).__name__)
    assert outcomes == ["PF360Unavailable", "PF360Unavailable", "ok"]
    # And the client made exactly one request per call: it never retries on its own
    assert [c["status"] for c in calls()] == [503, 503, 200]


def test_hang_past_the_read_timeout_is_a_timeout(
    make_client: Callable[..., PF360Client], set_faults: Faults
) -> None:
    # Given a server that holds the request far past the client's read timeout (0.3 s)
    client = make_client(API_TIMEOUT="0.3")
    set_faults({"get_notes": [{"kind": "hang", "seconds": 60, "times": 1}]})
    # Then the client gives up with a timeout: the server would only drop the connection after a
    # minute, which the client would see as "unavailable" (pytest-timeout bounds the wait)
    with pytest.raises(PF360Timeout):
        client.get_notes(DEMO_CLIENT, DEMO_CUSTOMER, "12345")


def test_latency_below_the_timeout_is_tolerated(
    make_client: Callable[..., PF360Client], set_faults: Faults, calls: Callable[[], list[dict[str, Any]]]
) -> None:
    # Given a slow answer (200 ms) well inside the client's read timeout
    client = make_client(API_TIMEOUT="30")
    set_faults({"get_business_hours": [{"kind": "latency", "ms": 200, "times": 1}]})
    # Then the answer is used, and the simulator did apply the latency
    assert client.get_business_hours(DEMO_CLIENT).days
    assert [c["fault"] for c in calls() if c["operation"] == "get_business_hours"] == ["latency"]


def test_slot_just_taken_at_confirm(client: PF360Client, set_faults: Faults) -> None:
    # Given a slot that was offered
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
    # When someone else takes it just before the confirm
    set_faults({"confirm_appointment": [{"kind": "slot_taken", "times": 1}]})
    with pytest.raises(PF360SlotUnavailable):
        client.confirm_appointment(DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id)
    # Then a fresh fetch no longer offers it, and the project is still unscheduled
    fresh = client.get_available_dates(DEMO_CLIENT, "12345")
    assert (
        slots.slots[0] not in client.get_time_slots(DEMO_CLIENT, "12345", slots.date, fresh.request_id).slots
    )
    assert not client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12345").scheduled


def test_slot_taken_reported_in_a_200_error_body(client: PF360Client, set_faults: Faults) -> None:
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
    set_faults(
        {
            "confirm_appointment": [
                {"kind": "error_body", "message": "Selected slot is no longer available", "times": 1}
            ]
        }
    )
    with pytest.raises(PF360SlotUnavailable):
        client.confirm_appointment(DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id)
    assert not client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12345").scheduled


def test_expired_request_fault(client: PF360Client, set_faults: Faults) -> None:
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    set_faults({"get_time_slots": [{"kind": "expire_request", "times": 1}]})
    with pytest.raises(PF360RequestExpired):
        client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)


def test_connection_refused_is_unavailable(make_client: Callable[..., PF360Client]) -> None:
    client = make_client(API_BASE_URL="http://127.0.0.1:9", API_CONNECT_TIMEOUT="0.5")
    with pytest.raises(PF360Unavailable):
        client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
