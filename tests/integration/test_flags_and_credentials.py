"""Feature flags route writes; credentials come from Secrets Manager and a 401 refreshes them once."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from pf360_client import PF360Client
from pf360_client.errors import PF360AuthError, PF360WriteDisabled
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.pf360_sim.server import SimulatorServer

from .conftest import SECRET

Calls = Callable[[], list[dict[str, Any]]]


def _book(client: PF360Client) -> None:
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
    client.confirm_appointment(DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id)


def test_confirm_and_cancel_stay_on_the_fake_until_their_flags_are_on(
    make_client: Callable[..., PF360Client], calls: Calls
) -> None:
    # Given real mode with both write flags off
    client = make_client(ENABLE_REAL_CONFIRM="false", ENABLE_REAL_CANCEL="false")
    # When a booking is confirmed and 12347 cancelled
    _book(client)
    client.cancel_appointment(DEMO_CLIENT, "12347")
    # Then the reads crossed the wire, the writes did not
    operations = [c["operation"] for c in calls()]
    assert "get_available_dates" in operations
    assert "confirm_appointment" not in operations
    assert "cancel_appointment" not in operations
    # And the real side is untouched
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12345").scheduled is False
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347").scheduled is True


def test_real_confirm_flag_sends_confirm_only(make_client: Callable[..., PF360Client], calls: Calls) -> None:
    client = make_client(ENABLE_REAL_CONFIRM="true", ENABLE_REAL_CANCEL="false")
    _book(client)
    client.cancel_appointment(DEMO_CLIENT, "12345")
    operations = [c["operation"] for c in calls()]
    assert "confirm_appointment" in operations
    assert "cancel_appointment" not in operations
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12345").scheduled is True


def test_rollout_flags_prod_with_writes_off_never_invents_a_booking(
    make_client: Callable[..., PF360Client], calls: Calls
) -> None:
    # Given prod, real reads, both write flags off
    client = make_client(API_ENVIRONMENT="prod", ENABLE_REAL_CONFIRM="false", ENABLE_REAL_CANCEL="false")
    assert client.writes_disabled == frozenset(
        {"confirm_appointment", "cancel_appointment", "cancel_reschedule"}
    )
    # When a booking, a booking of a project nobody has, a reschedule and a cancel are attempted
    with pytest.raises(PF360WriteDisabled, match="ENABLE_REAL_CONFIRM=false"):
        _book(client)
    with pytest.raises(PF360WriteDisabled):
        client.confirm_appointment(DEMO_CLIENT, "999999", "2030-01-07", "08:00:00", 1)
    with pytest.raises(PF360WriteDisabled, match="ENABLE_REAL_CANCEL=false"):
        client.cancel_reschedule(DEMO_CLIENT, "12347")  # a reschedule cancels first: never sent
    with pytest.raises(PF360WriteDisabled, match="ENABLE_REAL_CANCEL=false"):
        client.cancel_appointment(DEMO_CLIENT, "12347")
    # Then no write crossed the wire and PF360's state is unchanged
    operations = [c["operation"] for c in calls()]
    assert "get_available_dates" in operations
    assert not {"confirm_appointment", "cancel_appointment", "cancel_reschedule"} & set(operations)
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12345").scheduled is False
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347").scheduled is True


def test_rollout_flags_staging_keeps_the_shadow(
    make_client: Callable[..., PF360Client], calls: Calls
) -> None:
    client = make_client(API_ENVIRONMENT="staging", ENABLE_REAL_CONFIRM="false", ENABLE_REAL_CANCEL="false")
    assert client.writes_disabled == frozenset()
    booked = client.confirm_appointment(DEMO_CLIENT, "999999", "2030-01-07", "08:00:00", 1)
    assert booked.confirmation_number  # the shadow's answer: a rehearsal, not prod
    assert "confirm_appointment" not in [c["operation"] for c in calls()]


def test_rollout_flags_prod_with_writes_on_sends_them(
    make_client: Callable[..., PF360Client], calls: Calls
) -> None:
    client = make_client(API_ENVIRONMENT="prod", ENABLE_REAL_CONFIRM="true", ENABLE_REAL_CANCEL="true")
    assert client.writes_disabled == frozenset()
    _book(client)
    client.cancel_appointment(DEMO_CLIENT, "12347")
    operations = [c["operation"] for c in calls()]
    assert "confirm_appointment" in operations
    assert "cancel_appointment" in operations
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12345").scheduled is True
    assert client.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347").scheduled is False


def test_a_401_refreshes_the_secret_once_and_succeeds(
    client: PF360Client, sim: SimulatorServer, aws: Any, calls: Calls
) -> None:
    # Given a client that has cached the current token
    assert client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    # When the token is rotated on the server and in Secrets Manager
    requests.put(f"{sim.url}/_sim/token", json={"token": "rotated-token-2"}, timeout=5).raise_for_status()
    aws.put_secret_value(SecretId=SECRET, SecretString=json.dumps({"token": "rotated-token-2"}))
    # Then the next call gets a 401, refetches the secret, and succeeds
    assert client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    assert [c["status"] for c in calls()] == [200, 401, 200]


def test_a_second_401_is_an_auth_error(client: PF360Client, sim: SimulatorServer, calls: Calls) -> None:
    # Given the server accepts a token the secret does not hold
    requests.put(f"{sim.url}/_sim/token", json={"token": "someone-elses-token"}, timeout=5).raise_for_status()
    # Then the client tries once more after refreshing, and gives up with an auth error
    with pytest.raises(PF360AuthError):
        client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    assert [c["status"] for c in calls()] == [401, 401]


def test_unreadable_secret_is_an_auth_error_naming_the_secret(
    make_client: Callable[..., PF360Client], aws: Any
) -> None:
    aws.put_secret_value(SecretId=SECRET, SecretString=json.dumps({"password": "x"}))
    with pytest.raises(PF360AuthError, match="token"):
        make_client().get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    with pytest.raises(PF360AuthError, match="no/such/secret"):
        make_client(PF360_CREDENTIALS_SECRET="no/such/secret").get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
