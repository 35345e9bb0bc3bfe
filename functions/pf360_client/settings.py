"""Settings, read from the environment once at cold start and validated with clear errors.

One `EnvSettings` model per deployable: a field per variable, named by its alias. Every problem is
reported together in one `SettingsError` (one deploy fixes them all), naming the variable and what it
allows; a value that may hold a secret is never echoed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal, Self

from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from pf360_client.errors import SettingsError
from pf360_client.urls import url_problems

USE_MOCK_API: Final = "USE_MOCK_API"
API_ENVIRONMENT: Final = "API_ENVIRONMENT"
API_BASE_URL: Final = "API_BASE_URL"
API_TIMEOUT: Final = "API_TIMEOUT"
API_CONNECT_TIMEOUT: Final = "API_CONNECT_TIMEOUT"
ENABLE_REAL_CONFIRM: Final = "ENABLE_REAL_CONFIRM"
ENABLE_REAL_CANCEL: Final = "ENABLE_REAL_CANCEL"
PF360_AUTH_MODE: Final = "PF360_AUTH_MODE"
PF360_CREDENTIALS_SECRET: Final = "PF360_CREDENTIALS_SECRET"  # noqa: S105 - an env var name
PF360_CREDENTIALS_MAX_AGE: Final = "PF360_CREDENTIALS_MAX_AGE"
WEATHER_API_URL: Final = "WEATHER_API_URL"
PF360_MOCK_SEED: Final = "PF360_MOCK_SEED"
PF360_MOCK_STATE_TABLE: Final = "PF360_MOCK_STATE_TABLE"

Environment = Literal["dev", "qa", "uat", "staging", "prod"]
# PF360_API.md section 1: uat shares qa's host; prod is under `apps.`.
BASE_URLS: dict[Environment, str] = {
    "dev": "https://api-cx-portal.dev.projectsforce.com",
    "qa": "https://api-cx-portal.qa.projectsforce.com",
    "uat": "https://api-cx-portal.qa.projectsforce.com",
    "staging": "https://api-cx-portal.staging.projectsforce.com",
    "prod": "https://api-cx-portal.apps.projectsforce.com",
}
# Whose token a PF360 call carries: the signed-in customer's (as PF360's production client does; the
# front end passes it with the identity), or a service credential from Secrets Manager.
AuthMode = Literal["caller", "service"]
_WORDS = dict.fromkeys(("true", "1", "yes", "on"), True) | dict.fromkeys(("false", "0", "no", "off"), False)
Flag = Annotated[  # one of _WORDS, then strictly a bool: pydantic's own "y", "t", "n", "f" are refused
    bool,
    Field(strict=True, description="true or false (or 1/0, yes/no, on/off)"),
    BeforeValidator(lambda value: _WORDS.get(value.lower(), value) if isinstance(value, str) else value),
]


def seconds(name: str, default: float, low: float, high: float) -> Any:
    """A field read from `name`: a finite number of seconds in [low, high], whole if `default` is."""
    allowed = f"{'a whole' if isinstance(default, int) else 'a'} number of seconds from {low:g} to {high:g}"
    return Field(default, alias=name, ge=low, le=high, allow_inf_nan=False, description=allowed)


class EnvSettings(BaseSettings):
    """Immutable settings built by `from_env`. A field with repr=False is never shown, not even in errors."""

    model_config = SettingsConfigDict(case_sensitive=True, frozen=True, hide_input_in_errors=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read `environ` (default: os.environ): values stripped, a blank one counts as unset."""
        try:
            return cls.model_validate(_Environ(cls, os.environ if environ is None else environ)())
        except ValidationError as error:  # `from None` keeps its inputs out of tracebacks and logs
            raise SettingsError([cls._problem(detail) for detail in error.errors()]) from None

    @classmethod
    def _problem(cls, detail: ErrorDetails) -> str:
        if detail["type"] == "value_error":  # a rule below, with its own message
            return str(detail["ctx"]["error"])
        name = str(detail["loc"][0])
        field = next(field for field in cls.model_fields.values() if field.alias == name)
        if detail["type"] == "missing":
            return f"{name} ({field.description}) is required"
        shown = f"={detail['input']!r}" if field.repr else ""
        return f"{name}{shown} must be {field.description}"


class _Environ(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping, values stripped, blanks dropped."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self.environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name: value.strip() for name, value in self.environ.items() if value.strip()}


class Settings(EnvSettings):
    """The PF360 client's settings, in every deployable that builds a client."""

    use_mock_api: Flag = Field(True, alias=USE_MOCK_API)
    api_environment: Annotated[Environment, BeforeValidator(str.lower)] = Field(
        "dev", alias=API_ENVIRONMENT, description=f"one of {', '.join(BASE_URLS)}"
    )
    base_url: str = Field("", alias=API_BASE_URL)  # unset: BASE_URLS[api_environment]
    read_timeout: float = seconds(API_TIMEOUT, 10.0, 0.05, 300)
    connect_timeout: float = seconds(API_CONNECT_TIMEOUT, 3.05, 0.05, 60)
    enable_real_confirm: Flag = Field(False, alias=ENABLE_REAL_CONFIRM)
    enable_real_cancel: Flag = Field(False, alias=ENABLE_REAL_CANCEL)
    auth_mode: Annotated[AuthMode, BeforeValidator(str.lower)] = Field(
        "caller", alias=PF360_AUTH_MODE, description="caller (the customer's token) or service (a secret)"
    )
    credentials_secret: str | None = Field(None, alias=PF360_CREDENTIALS_SECRET, repr=False)
    credentials_max_age: int = seconds(PF360_CREDENTIALS_MAX_AGE, 300, 0, 86400)
    # Open-Meteo's API base (the local simulator serves it); unset: Open-Meteo's public hosts
    weather_url: str | None = Field(None, alias=WEATHER_API_URL)
    mock_seed: int = Field(1645975, alias=PF360_MOCK_SEED, ge=0, description="a non-negative integer")
    # Mock mode deployed: the fake's state shared by every container through this DynamoDB table.
    mock_state_table: str | None = Field(None, alias=PF360_MOCK_STATE_TABLE)

    # Rules across variables sit on a field declared after the ones they read: `info.data` holds the
    # fields valid so far, so a rule still runs (and is reported) when an unrelated variable is wrong.

    @field_validator("api_environment")
    @classmethod
    def _prod_never_fakes(cls, value: Environment, info: ValidationInfo) -> Environment:
        if value == "prod" and info.data.get("use_mock_api") is True:
            raise ValueError(
                f"{USE_MOCK_API} unset or true: {API_ENVIRONMENT}=prod requires {USE_MOCK_API}=false"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str, info: ValidationInfo) -> str:
        return _url(API_BASE_URL, value.rstrip("/") or BASE_URLS[info.data.get("api_environment", "dev")])

    @field_validator("weather_url")
    @classmethod
    def _weather_url(cls, value: str | None) -> str | None:
        return _url(WEATHER_API_URL, value.rstrip("/")) if value and value.rstrip("/") else None

    @field_validator("enable_real_confirm", "enable_real_cancel")
    @classmethod
    def _writes_need_real_mode(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("use_mock_api") is True:
            name = cls.model_fields[str(info.field_name)].alias
            raise ValueError(f"{name}=true needs {USE_MOCK_API}=false: mock mode has no real API")
        return value

    @field_validator("credentials_secret")
    @classmethod
    def _real_mode_needs_credentials(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (
            value is None
            and info.data.get("use_mock_api") is False
            and info.data.get("auth_mode") == "service"
        ):
            raise ValueError(
                f"{PF360_CREDENTIALS_SECRET} (the Secrets Manager name of the PF360 credentials) "
                f"is required when {USE_MOCK_API}=false and {PF360_AUTH_MODE}=service"
            )
        return value

    @property
    def timeout(self) -> tuple[float, float]:
        """(connect, read) as `requests` takes it."""
        return (self.connect_timeout, self.read_timeout)


def _url(name: str, url: str) -> str:
    if problems := url_problems(name, url):
        raise ValueError("; ".join(problems))
    return url
