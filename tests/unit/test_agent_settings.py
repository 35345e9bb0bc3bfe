"""AgentSettings.from_env: the agent handlers' required names, their ranges, and every problem named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agent_actions.services import AgentSettings
from pf360_client.errors import SettingsError

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:booking-conversation"
NAMES = {"DYNAMODB_TABLE_NAME": "sessions", "IDEMPOTENCY_TABLE_NAME": "idempotency", "STATE_MACHINE_ARN": ARN}


def test_the_three_names_are_enough_and_the_rest_defaults() -> None:
    settings = AgentSettings.from_env({**NAMES, "PATH": "/usr/bin", "USE_MOCK_API": "false"})
    assert (settings.sessions_table, settings.idempotency_table, settings.state_machine_arn) == (
        "sessions",
        "idempotency",
        ARN,
    )
    assert settings.session_timeout_seconds == 1800
    assert settings.answer_deadline_seconds == 8.0


@pytest.mark.parametrize("name", list(NAMES))
@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_or_blank_name_is_required(name: str, value: str | None) -> None:
    # Given one of the required names unset or blank: no silent default
    env = {key: val for key, val in NAMES.items() if key != name}
    if value is not None:
        env[name] = value
    with pytest.raises(SettingsError) as caught:
        AgentSettings.from_env(env)
    # Then that one name is reported as required
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(name)
    assert caught.value.problems[0].endswith("is required")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SESSION_TIMEOUT_SECONDS", "60", 60),
        ("SESSION_TIMEOUT_SECONDS", " 86400 ", 86400),
        ("ANSWER_DEADLINE_SECONDS", "0.1", 0.1),
        ("ANSWER_DEADLINE_SECONDS", "25", 25.0),
    ],
)
def test_the_bounds_of_each_range_are_accepted(name: str, value: str, expected: float) -> None:
    settings = AgentSettings.from_env({**NAMES, name: value})
    assert getattr(settings, name.lower()) == expected


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("SESSION_TIMEOUT_SECONDS", "59", "60 to 86400"),
        ("SESSION_TIMEOUT_SECONDS", "86401", "60 to 86400"),
        ("SESSION_TIMEOUT_SECONDS", "half an hour", "60 to 86400"),
        ("SESSION_TIMEOUT_SECONDS", "1800.5", "whole number"),
        ("ANSWER_DEADLINE_SECONDS", "0.09", "0.1 to 25"),
        ("ANSWER_DEADLINE_SECONDS", "25.01", "0.1 to 25"),
        ("ANSWER_DEADLINE_SECONDS", "nan", "0.1 to 25"),
        ("ANSWER_DEADLINE_SECONDS", "inf", "0.1 to 25"),
    ],
)
def test_a_value_out_of_range_is_refused_with_what_is_allowed(name: str, value: str, allowed: str) -> None:
    with pytest.raises(SettingsError) as caught:
        AgentSettings.from_env({**NAMES, name: value})
    assert caught.value.problems == [caught.value.problems[0]]
    assert caught.value.problems[0].startswith(f"{name}={value!r} must be")
    assert allowed in caught.value.problems[0]


def test_without_a_mapping_the_process_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**NAMES, "ANSWER_DEADLINE_SECONDS": "12.5"}.items():
        monkeypatch.setenv(name, value)
    assert AgentSettings.from_env().answer_deadline_seconds == 12.5


def test_agent_settings_cannot_be_changed_once_read() -> None:
    settings = AgentSettings.from_env(NAMES)
    with pytest.raises(ValidationError, match="frozen"):
        settings.sessions_table = "other"  # type: ignore[misc]
    assert settings.sessions_table == "sessions"
