"""Settings, read from the environment once at cold start and validated with clear errors.

One `EnvSettings` model per deployable: a field per variable, named by its alias. Every problem is
reported together in one `SettingsError` (one deploy fixes them all), naming the variable and what it
allows; a value that may hold a secret is never echoed.
"""

from __future__ import annotations

import ipaddress
import os
import re
import string
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal, Self
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from pf360_client.errors import SettingsError

USE_MOCK_API: Final = "USE_MOCK_API"
API_ENVIRONMENT: Final = "API_ENVIRONMENT"
API_BASE_URL: Final = "API_BASE_URL"
API_TIMEOUT: Final = "API_TIMEOUT"
API_CONNECT_TIMEOUT: Final = "API_CONNECT_TIMEOUT"
ENABLE_REAL_CONFIRM: Final = "ENABLE_REAL_CONFIRM"
ENABLE_REAL_CANCEL: Final = "ENABLE_REAL_CANCEL"
PF360_CREDENTIALS_SECRET: Final = "PF360_CREDENTIALS_SECRET"  # noqa: S105 - an env var name
PF360_CREDENTIALS_MAX_AGE: Final = "PF360_CREDENTIALS_MAX_AGE"
WEATHER_API_URL: Final = "WEATHER_API_URL"
PF360_MOCK_SEED: Final = "PF360_MOCK_SEED"

Environment = Literal["dev", "staging", "prod"]
BASE_URLS: dict[Environment, str] = {
    "dev": "https://api-cx-portal.dev.projectsforce.com",
    "staging": "https://api-cx-portal.staging.projectsforce.com",
    "prod": "https://api-cx-portal.projectsforce.com",
}
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
    credentials_secret: str | None = Field(None, alias=PF360_CREDENTIALS_SECRET, repr=False)
    credentials_max_age: int = seconds(PF360_CREDENTIALS_MAX_AGE, 300, 0, 86400)
    weather_url: str | None = Field(None, alias=WEATHER_API_URL)  # unset: deterministic fake forecasts
    mock_seed: int = Field(1645975, alias=PF360_MOCK_SEED, ge=0, description="a non-negative integer")

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
        if value is None and info.data.get("use_mock_api") is False:
            raise ValueError(
                f"{PF360_CREDENTIALS_SECRET} (the Secrets Manager name of the PF360 credentials) "
                f"is required when {USE_MOCK_API}=false"
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


# A base URL receives a bearer token, so it is read the way `requests` will connect, and anything
# that two parsers could read differently is refused rather than interpreted.
_URL_CHARS = frozenset(string.ascii_letters + string.digits + "-._~:/[]%!$&'()*+,;=")
_URL_SHAPE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/]*)(?P<path>/.*)?")
_HOST_PORT = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")  # resolvers read such hosts as IPv4 (0x7f000001, 127.1)
_ALLOWED = "ASCII letters, digits and -._~:/[]%!$&'()*+,;="


def url_problems(name: str, url: str) -> list[str]:
    """What is wrong with an http(s) base URL (empty: nothing). HttpTransport re-checks with it."""
    if "@" in url:
        # Userinfo, or a trick that looks like it: never echo it, it may hold a credential.
        return [f"{name}=<redacted> must not contain '@': no credentials in URLs"]
    if "?" in url or "#" in url:
        return [f"{name}={url!r} must not carry a query or fragment"]
    if not set(url) <= _URL_CHARS:
        return [f"{name}={url!r} may hold only {_ALLOWED} (no spaces, control characters or backslashes)"]
    shape = _URL_SHAPE.fullmatch(url)
    if shape is None or shape["scheme"].lower() not in ("http", "https"):
        return [f"{name}={url!r} must be an http(s) URL"]
    if not shape["authority"]:
        return [f"{name}={url!r} has no host"]
    readings = _readings(url)
    if not readings:
        return [f"{name}={url!r} cannot be parsed as a URL"]
    if len(set(readings)) != 1:
        return [f"{name}={url!r} is read differently by URL parsers; write the host and port plainly"]
    scheme, host, _ = readings[0]
    problem = _authority_problem(shape["authority"])
    if problem:
        return [f"{name}={url!r} {problem}"]
    if scheme == "http" and not _is_loopback(host):
        # A bearer token must not cross a network in clear text; plain http is for the local simulator.
        return [f"{name}={url!r} uses http to a non-loopback host; use https"]
    return []


def _readings(url: str) -> list[tuple[str, str, int | None]]:
    """(scheme, host, port) as urlsplit, urllib3 and requests (the URL it connects to) read them."""
    from requests.models import PreparedRequest  # loaded by the first check, not with the module
    from urllib3.util import parse_url

    try:
        prepared = PreparedRequest()
        prepared.prepare_url(url, None)
        readings = []
        for parts in (urlsplit(url), urlsplit(prepared.url or "")):
            readings.append((parts.scheme.lower(), parts.hostname or "", parts.port))
        u3 = parse_url(url)
        readings.append(((u3.scheme or "").lower(), (u3.host or "").strip("[]").lower(), u3.port))
    except ValueError:  # urllib3's LocationParseError and requests' InvalidURL are ValueErrors
        return []
    return readings


def _authority_problem(authority: str) -> str | None:
    match = _HOST_PORT.fullmatch(authority)
    if match is None:
        return "must name a host (DNS name, IPv4 or [IPv6]) and an optional port, nothing else"
    host, port = match["host"].lower(), match["port"]
    if port is not None and not 1 <= int(port) <= 65535:
        return "has a port outside 1-65535"
    if host.startswith("["):
        return None if isinstance(_ip(host[1:-1]), ipaddress.IPv6Address) else "has an invalid IPv6 address"
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        return None if _ip(host) else "must write an IPv4 address as four plain decimal numbers"
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "has an invalid host name"
    return None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _ip(host)
    return host == "localhost" if address is None else address.is_loopback
