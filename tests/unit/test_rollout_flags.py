"""Issue 7, defect 5: rollout flags must never let the fake answer for production.

Unit level: settings and the transports the factory picks. Nothing here opens a socket, so a write
that tried to reach PF360 would fail the test. The simulator-backed checks are in
tests/integration/test_flags_and_credentials.py.
"""

from __future__ import annotations

import pytest

from pf360_client import PF360Client, Settings, build_client
from pf360_client.credentials import StaticToken
from pf360_client.errors import PF360PermanentError, PF360WriteDisabled, SettingsError
from pf360_client.fake.data import DEMO_CLIENT
from pf360_client.transport import HttpTransport, InProcessTransport

SECRET = {"PF360_CREDENTIALS_SECRET": "pf360/prod/credentials"}
PROD = {**SECRET, "API_ENVIRONMENT": "prod", "USE_MOCK_API": "false"}
WRITES = ("confirm_appointment", "cancel_appointment", "cancel_reschedule")


def _client(**env: str) -> PF360Client:
    return build_client(Settings.from_env(env), credentials=StaticToken("unit-test-token"))


@pytest.mark.parametrize("mock", [None, "", "  ", "true", "TRUE", "1", "on"])
def test_rollout_flags_prod_refuses_mock_mode_unless_switched_off_explicitly(mock: str | None) -> None:
    env = {**SECRET, "API_ENVIRONMENT": "prod"}
    if mock is not None:
        env["USE_MOCK_API"] = mock
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("USE_MOCK_API")
    assert "API_ENVIRONMENT=prod requires USE_MOCK_API=false" in str(caught.value)


def test_rollout_flags_prod_problem_is_reported_with_the_others() -> None:
    env = {"API_ENVIRONMENT": "PROD", "API_TIMEOUT": "-1", "ENABLE_REAL_CONFIRM": "true"}
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    named = [problem.split("=", 1)[0].split(" ", 1)[0] for problem in caught.value.problems]
    assert sorted(named) == ["API_TIMEOUT", "ENABLE_REAL_CONFIRM", "USE_MOCK_API"]


@pytest.mark.parametrize("environment", ["dev", "staging"])
def test_rollout_flags_mock_mode_stays_the_default_outside_prod(environment: str) -> None:
    assert Settings.from_env({"API_ENVIRONMENT": environment}).use_mock_api is True


def test_rollout_flags_prod_with_writes_off_refuses_them_without_a_call() -> None:
    # Given prod, real reads, both write flags off (their defaults)
    client = _client(**PROD)
    # Then the client says up front which writes it refuses
    assert client.writes_disabled == frozenset(WRITES)
    # And each refuses with the typed permanent error, naming the flag, before any socket is opened
    with pytest.raises(PF360WriteDisabled) as confirm:
        client.confirm_appointment(DEMO_CLIENT, "999999", "2030-01-07", "08:00:00", 1)
    assert str(confirm.value) == (
        "confirm_appointment: booking by chat is not enabled in this deployment (ENABLE_REAL_CONFIRM=false)"
    )
    with pytest.raises(PF360WriteDisabled, match=r"\(ENABLE_REAL_CANCEL=false\)"):
        client.cancel_appointment(DEMO_CLIENT, "999999")
    with pytest.raises(PF360WriteDisabled, match=r"rescheduling .*\(ENABLE_REAL_CANCEL=false\)"):
        client.cancel_reschedule(DEMO_CLIENT, "999999")  # it cancels: the cancel flag governs it
    assert isinstance(confirm.value, PF360PermanentError)
    assert confirm.value.retryable is False


def test_rollout_flags_prod_disables_only_the_write_whose_flag_is_off() -> None:
    client = _client(**PROD, ENABLE_REAL_CONFIRM="true")
    assert client.writes_disabled == frozenset({"cancel_appointment", "cancel_reschedule"})
    assert isinstance(client.transport_for("confirm_appointment"), HttpTransport)


def test_rollout_flags_prod_with_writes_on_sends_them_over_http() -> None:
    client = _client(**PROD, ENABLE_REAL_CONFIRM="true", ENABLE_REAL_CANCEL="true")
    assert client.writes_disabled == frozenset()
    assert all(isinstance(client.transport_for(op), HttpTransport) for op in WRITES)


@pytest.mark.parametrize("environment", ["dev", "staging"])
def test_rollout_flags_the_shadow_still_answers_writes_outside_prod(environment: str) -> None:
    client = _client(**SECRET, USE_MOCK_API="false", API_ENVIRONMENT=environment)
    assert client.writes_disabled == frozenset()
    assert all(isinstance(client.transport_for(op), InProcessTransport) for op in WRITES)
    booked = client.confirm_appointment(DEMO_CLIENT, "999999", "2030-01-07", "08:00:00", 1)
    assert booked.confirmation_number


def test_rollout_flags_mock_mode_disables_nothing() -> None:
    assert build_client(Settings.from_env({})).writes_disabled == frozenset()
