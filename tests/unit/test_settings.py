"""Settings.from_env: defaults, environments, overrides, and every invalid value named in the error."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pf360_client.errors import SettingsError
from pf360_client.settings import BASE_URLS, Settings

REAL = {"USE_MOCK_API": "false", "PF360_CREDENTIALS_SECRET": "pf360/dev/credentials"}


def test_an_empty_environment_gives_mock_mode_defaults() -> None:
    # Given no variables at all
    # When settings are read
    settings = Settings.from_env({})
    # Then the client runs against the fake with conservative defaults
    assert settings.use_mock_api is True
    assert settings.api_environment == "dev"
    assert settings.base_url == BASE_URLS["dev"]
    assert settings.timeout == (3.05, 10.0)
    assert settings.enable_real_confirm is False
    assert settings.enable_real_cancel is False
    assert settings.credentials_secret is None
    assert settings.credentials_max_age == 300
    assert settings.weather_url is None
    assert settings.mock_seed == 1645975


@pytest.mark.parametrize(
    ("environment", "url"),
    [
        ("dev", "https://api-cx-portal.dev.projectsforce.com"),
        ("qa", "https://api-cx-portal.qa.projectsforce.com"),
        ("uat", "https://api-cx-portal.qa.projectsforce.com"),  # PF360 has no uat host of its own
        ("staging", "https://api-cx-portal.staging.projectsforce.com"),
        ("prod", "https://api-cx-portal.apps.projectsforce.com"),
        (" PROD ", "https://api-cx-portal.apps.projectsforce.com"),
    ],
)
def test_each_environment_maps_to_its_base_url(environment: str, url: str) -> None:
    settings = Settings.from_env({**REAL, "API_ENVIRONMENT": environment})
    assert settings.api_environment == environment.strip().lower()
    assert settings.base_url == url


def test_api_base_url_overrides_the_environment_and_loses_its_trailing_slash() -> None:
    # Given a local simulator URL alongside an environment name
    env = {**REAL, "API_ENVIRONMENT": "staging", "API_BASE_URL": "http://127.0.0.1:8080/"}
    # When settings are read
    settings = Settings.from_env(env)
    # Then the explicit URL wins
    assert settings.base_url == "http://127.0.0.1:8080"
    assert settings.api_environment == "staging"


def test_real_mode_with_every_option_set_is_accepted() -> None:
    env = {
        **REAL,
        "USE_MOCK_API": "No",
        "API_TIMEOUT": "25",
        "API_CONNECT_TIMEOUT": "2",
        "ENABLE_REAL_CONFIRM": "on",
        "ENABLE_REAL_CANCEL": "1",
        "PF360_CREDENTIALS_MAX_AGE": "600",
        "WEATHER_API_URL": "https://weather.example.com/",
        "PF360_MOCK_SEED": " 42 ",
    }
    settings = Settings.from_env(env)
    assert settings.use_mock_api is False
    assert settings.timeout == (2.0, 25.0)
    assert (settings.enable_real_confirm, settings.enable_real_cancel) == (True, True)
    assert settings.credentials_secret == "pf360/dev/credentials"
    assert settings.credentials_max_age == 600
    assert settings.weather_url == "https://weather.example.com"
    assert settings.mock_seed == 42


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
def test_plain_http_is_allowed_to_a_loopback_simulator(host: str) -> None:
    settings = Settings.from_env({"API_BASE_URL": f"http://{host}:8080"})
    assert settings.base_url == f"http://{host}:8080"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"USE_MOCK_API": "maybe"}, "USE_MOCK_API"),
        ({"USE_MOCK_API": "tru"}, "USE_MOCK_API"),
        ({"ENABLE_REAL_CONFIRM": "y"}, "ENABLE_REAL_CONFIRM"),
        ({"API_ENVIRONMENT": "production"}, "API_ENVIRONMENT"),
        ({"API_ENVIRONMENT": "test"}, "API_ENVIRONMENT"),
        ({"PF360_AUTH_MODE": "anonymous"}, "PF360_AUTH_MODE"),
        ({"API_TIMEOUT": "ten"}, "API_TIMEOUT"),
        ({"API_TIMEOUT": "-1"}, "API_TIMEOUT"),
        ({"API_TIMEOUT": "0"}, "API_TIMEOUT"),
        ({"API_TIMEOUT": "301"}, "API_TIMEOUT"),
        ({"API_TIMEOUT": "1e400"}, "API_TIMEOUT"),
        ({"API_TIMEOUT": "nan"}, "API_TIMEOUT"),
        ({"API_CONNECT_TIMEOUT": "61"}, "API_CONNECT_TIMEOUT"),
        ({"PF360_CREDENTIALS_MAX_AGE": "-5"}, "PF360_CREDENTIALS_MAX_AGE"),
        ({"USE_MOCK_API": "false", "PF360_AUTH_MODE": "service"}, "PF360_CREDENTIALS_SECRET"),
        (
            {"USE_MOCK_API": "false", "PF360_AUTH_MODE": "service", "PF360_CREDENTIALS_SECRET": "   "},
            "PF360_CREDENTIALS_SECRET",
        ),
        ({"ENABLE_REAL_CONFIRM": "true"}, "ENABLE_REAL_CONFIRM"),
        ({"ENABLE_REAL_CANCEL": "true"}, "ENABLE_REAL_CANCEL"),
        ({"API_BASE_URL": "http://api.example.com"}, "API_BASE_URL"),
        ({"API_BASE_URL": "http://10.0.0.5:8080"}, "API_BASE_URL"),
        ({"API_BASE_URL": "https://api.example.com?key=1"}, "API_BASE_URL"),
        ({"API_BASE_URL": "https://api.example.com#top"}, "API_BASE_URL"),
        ({"API_BASE_URL": "ftp://api.example.com"}, "API_BASE_URL"),
        ({"API_BASE_URL": "api.example.com"}, "API_BASE_URL"),
        ({"WEATHER_API_URL": "http://weather.example.com"}, "WEATHER_API_URL"),
        ({"PF360_MOCK_SEED": "-1"}, "PF360_MOCK_SEED"),
        ({"PF360_MOCK_SEED": "seed"}, "PF360_MOCK_SEED"),
        ({"PF360_MOCK_SEED": "1.5"}, "PF360_MOCK_SEED"),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else value,
)
def test_an_invalid_setting_is_refused_and_named(env: dict[str, str], variable: str) -> None:
    # Given one invalid value or combination
    # When settings are read
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    # Then the single problem names the variable to fix
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(variable)
    assert variable in str(caught.value)


def test_several_problems_are_reported_together() -> None:
    # Given three independent mistakes
    env = {"USE_MOCK_API": "perhaps", "API_ENVIRONMENT": "moon", "API_TIMEOUT": "-3", "PF360_MOCK_SEED": "x"}
    # When settings are read
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    # Then one error lists every one of them, one per line
    named = [problem.split("=", 1)[0] for problem in caught.value.problems]
    assert named == ["USE_MOCK_API", "API_ENVIRONMENT", "API_TIMEOUT", "PF360_MOCK_SEED"]
    message = str(caught.value)
    assert message.count("\n  - ") == 4
    assert all(name in message for name in named)


def test_real_mode_problems_are_collected_with_url_problems() -> None:
    env = {"USE_MOCK_API": "false", "PF360_AUTH_MODE": "service", "API_BASE_URL": "http://api.example.com"}
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    problems = " | ".join(caught.value.problems)
    assert "API_BASE_URL" in problems
    assert "PF360_CREDENTIALS_SECRET" in problems


def test_real_mode_with_customer_tokens_needs_no_service_secret() -> None:
    settings = Settings.from_env({"USE_MOCK_API": "false"})
    assert (settings.auth_mode, settings.credentials_secret) == ("caller", None)


def test_a_settings_error_is_a_value_error() -> None:
    # Callers that catch ValueError at cold start still see it
    with pytest.raises(ValueError, match="invalid PF360 client settings"):
        Settings.from_env({"USE_MOCK_API": "?"})


def test_a_superscript_digit_seed_is_reported_as_a_settings_problem() -> None:
    with pytest.raises(SettingsError, match="PF360_MOCK_SEED"):
        Settings.from_env({"PF360_MOCK_SEED": "²"})


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("true", True),
        ("1", True),
        ("YES", True),
        ("On", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
    ],
)
def test_every_boolean_word_is_accepted_in_any_case(word: str, value: bool) -> None:
    settings = Settings.from_env({**REAL, "ENABLE_REAL_CONFIRM": word, "ENABLE_REAL_CANCEL": word.upper()})
    assert settings.enable_real_confirm is settings.enable_real_cancel is value


def test_a_blank_value_counts_as_unset() -> None:
    # Given every variable present but blank (a template left unfilled)
    names = """USE_MOCK_API API_ENVIRONMENT API_BASE_URL API_TIMEOUT API_CONNECT_TIMEOUT ENABLE_REAL_CONFIRM
               ENABLE_REAL_CANCEL PF360_CREDENTIALS_MAX_AGE WEATHER_API_URL PF360_MOCK_SEED"""
    blank = dict.fromkeys(names.split(), "  ")
    # Then the defaults apply, exactly as with an empty environment
    assert Settings.from_env(blank) == Settings.from_env({})


def test_variable_names_are_case_sensitive() -> None:
    # A lower-case name is a different variable: it neither switches real mode on nor trips its rules
    settings = Settings.from_env({"use_mock_api": "false", "api_timeout": "-1"})
    assert settings.use_mock_api is True
    assert settings.read_timeout == 10.0


def test_without_a_mapping_the_process_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TIMEOUT", "42")
    monkeypatch.setenv("PF360_MOCK_SEED", "7")
    settings = Settings.from_env()
    assert (settings.read_timeout, settings.mock_seed) == (42.0, 7)


def test_settings_cannot_be_changed_once_read() -> None:
    settings = Settings.from_env({})
    with pytest.raises(ValidationError, match="frozen"):
        settings.use_mock_api = False  # type: ignore[misc]
    assert settings.use_mock_api is True
