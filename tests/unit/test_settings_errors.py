"""How settings problems reach an operator: all of them in one SettingsError, each naming its variable
and what it allows, and never a secret (credentials in a URL, the credentials secret's name)."""

from __future__ import annotations

import traceback

import pytest
from pydantic import Field

from agent_actions.services import AgentSettings
from pf360_client.errors import SettingsError
from pf360_client.settings import EnvSettings, Settings

SECRET_NAME = "pf360/prod/credentials-k33p-0ut"
CREDENTIAL_URLS = {
    "API_BASE_URL": "https://svc-user:pa55w0rd@api.example.com",
    "WEATHER_API_URL": "http://t0ken-value@127.0.0.1:8360",
}
NEVER_SHOWN = ("pa55w0rd", "svc-user", "t0ken-value", "k33p-0ut")


def _error(model: type[EnvSettings], env: dict[str, str]) -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        model.from_env(env)
    return caught.value


def _everything_shown(error: SettingsError) -> str:
    """All an operator could see: the message, each problem, and the traceback Lambda would log."""
    return "\n".join([str(error), *error.problems, *traceback.format_exception(error)])


def test_every_bad_variable_is_reported_in_one_error_with_what_it_allows() -> None:
    # Given real mode with nine independent mistakes (and the credentials secret forgotten)
    env = {
        "USE_MOCK_API": "false",
        "PF360_AUTH_MODE": "service",
        "API_ENVIRONMENT": "test",
        "API_BASE_URL": "http://api.example.com",
        "API_TIMEOUT": "0",
        "API_CONNECT_TIMEOUT": "fast",
        "ENABLE_REAL_CANCEL": "sure",
        "PF360_CREDENTIALS_MAX_AGE": "-1",
        "WEATHER_API_URL": "ftp://weather.example.com",
        "PF360_MOCK_SEED": "1.5",
    }
    # When settings are read
    error = _error(Settings, env)
    # Then one error names each of them once, one per line, each saying what would be accepted
    by_name = {problem.split("=")[0].split(" ")[0]: problem for problem in error.problems}
    assert len(by_name) == len(error.problems) == 9
    assert str(error).count("\n  - ") == 9
    allowed = {
        "API_ENVIRONMENT": "one of dev, qa, uat, staging, prod",
        "API_BASE_URL": "use https",
        "API_TIMEOUT": "from 0.05 to 300",
        "API_CONNECT_TIMEOUT": "from 0.05 to 60",
        "ENABLE_REAL_CANCEL": "true or false",
        "PF360_CREDENTIALS_SECRET": "is required when USE_MOCK_API=false and PF360_AUTH_MODE=service",
        "PF360_CREDENTIALS_MAX_AGE": "from 0 to 86400",
        "WEATHER_API_URL": "must be an http(s) URL",
        "PF360_MOCK_SEED": "a non-negative integer",
    }
    assert set(by_name) == set(allowed)
    for name, text in allowed.items():
        assert text in by_name[name], by_name[name]


def test_rules_across_variables_are_reported_with_the_bad_values() -> None:
    # Given prod left in mock mode, both write flags on, and a bad timeout
    env = {"API_ENVIRONMENT": "prod", "ENABLE_REAL_CONFIRM": "yes", "ENABLE_REAL_CANCEL": "1"}
    env["API_TIMEOUT"] = "x"
    error = _error(Settings, env)
    # Then the three rules and the value are all in the one error
    assert [problem.split("=")[0].split(" ")[0] for problem in error.problems] == [
        "USE_MOCK_API",
        "API_TIMEOUT",
        "ENABLE_REAL_CONFIRM",
        "ENABLE_REAL_CANCEL",
    ]


def test_every_bad_agent_variable_is_reported_in_one_error() -> None:
    env = {"SESSION_TIMEOUT_SECONDS": "59", "ANSWER_DEADLINE_SECONDS": "30"}
    error = _error(AgentSettings, env)
    assert [problem.split("=")[0].split(" ")[0] for problem in error.problems] == [
        "DYNAMODB_TABLE_NAME",
        "IDEMPOTENCY_TABLE_NAME",
        "STATE_MACHINE_ARN",
        "SESSION_TIMEOUT_SECONDS",
        "ANSWER_DEADLINE_SECONDS",
    ]


@pytest.mark.parametrize("use_mock_api", ["false", "true"])
def test_no_secret_is_shown_in_any_message_or_traceback(use_mock_api: str) -> None:
    # Given credentials in both URLs, the credentials secret set, and other mistakes around them
    env = {
        **CREDENTIAL_URLS,
        "USE_MOCK_API": use_mock_api,
        "PF360_CREDENTIALS_SECRET": SECRET_NAME,
        "API_TIMEOUT": "-1",
        "ENABLE_REAL_CONFIRM": "maybe",
    }
    # When settings are read
    error = _error(Settings, env)
    # Then both URLs are refused by name, and nothing secret appears anywhere
    shown = _everything_shown(error)
    assert "API_BASE_URL=<redacted>" in shown
    assert "WEATHER_API_URL=<redacted>" in shown
    for secret in NEVER_SHOWN:
        assert secret not in shown


def test_no_secret_from_the_environment_is_shown_by_agent_settings_errors() -> None:
    # Given the agent handlers' Lambda environment holding the client's secrets, and its names missing
    env = {**CREDENTIAL_URLS, "PF360_CREDENTIALS_SECRET": SECRET_NAME, "SESSION_TIMEOUT_SECONDS": "1"}
    shown = _everything_shown(_error(AgentSettings, env))
    assert "DYNAMODB_TABLE_NAME" in shown
    for secret in NEVER_SHOWN:
        assert secret not in shown


def test_the_credentials_secret_is_not_in_the_settings_repr() -> None:
    # Settings objects get logged; the secret's name stays out (its value is still there to use)
    settings = Settings.from_env({"USE_MOCK_API": "false", "PF360_CREDENTIALS_SECRET": SECRET_NAME})
    assert settings.credentials_secret == SECRET_NAME
    assert SECRET_NAME not in repr(settings)
    assert SECRET_NAME not in str(settings)


class _WithSecret(EnvSettings):
    token_ttl: int = Field(60, alias="PROBE_TOKEN_TTL", repr=False, description="whole seconds")


def test_a_field_marked_secret_is_named_but_its_value_never_echoed() -> None:
    # Given a variable declared repr=False whose value breaks its rule
    error = _error(_WithSecret, {"PROBE_TOKEN_TTL": "hunter2"})
    # Then the problem names the variable and what it allows, without the value
    assert error.problems == ["PROBE_TOKEN_TTL must be whole seconds"]
    assert "hunter2" not in _everything_shown(error)
