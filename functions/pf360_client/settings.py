"""Client settings, read from the environment once at cold start and validated with clear errors.

Every problem is collected and reported together, so one deploy fixes them all.
"""

from __future__ import annotations

import ipaddress
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from requests.models import PreparedRequest
from urllib3.util import parse_url

from pf360_client.errors import SettingsError

USE_MOCK_API = "USE_MOCK_API"
API_ENVIRONMENT = "API_ENVIRONMENT"
API_BASE_URL = "API_BASE_URL"
API_TIMEOUT = "API_TIMEOUT"
API_CONNECT_TIMEOUT = "API_CONNECT_TIMEOUT"
ENABLE_REAL_CONFIRM = "ENABLE_REAL_CONFIRM"
ENABLE_REAL_CANCEL = "ENABLE_REAL_CANCEL"
PF360_CREDENTIALS_SECRET = "PF360_CREDENTIALS_SECRET"  # noqa: S105 - an env var name
PF360_CREDENTIALS_MAX_AGE = "PF360_CREDENTIALS_MAX_AGE"
WEATHER_API_URL = "WEATHER_API_URL"
PF360_MOCK_SEED = "PF360_MOCK_SEED"

BASE_URLS = {
    "dev": "https://api-cx-portal.dev.projectsforce.com",
    "staging": "https://api-cx-portal.staging.projectsforce.com",
    "prod": "https://api-cx-portal.projectsforce.com",
}
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class Settings:
    use_mock_api: bool = True
    api_environment: str = "dev"
    base_url: str = BASE_URLS["dev"]
    read_timeout: float = 10.0
    connect_timeout: float = 3.05
    enable_real_confirm: bool = False
    enable_real_cancel: bool = False
    credentials_secret: str | None = None
    credentials_max_age: int = 300
    weather_url: str | None = None
    mock_seed: int = 1645975

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        problems: list[str] = []

        def flag(name: str, default: bool) -> bool:
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                return default
            if raw.strip().lower() in _TRUE:
                return True
            if raw.strip().lower() in _FALSE:
                return False
            problems.append(f"{name}={raw!r} is not a boolean (use true or false)")
            return default

        def number(name: str, default: float, low: float, high: float) -> float:
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                return default
            try:
                value = float(raw)
            except ValueError:
                problems.append(f"{name}={raw!r} is not a number of seconds")
                return default
            if not low <= value <= high:
                problems.append(f"{name}={raw!r} must be between {low:g} and {high:g} seconds")
            return value

        use_mock = flag(USE_MOCK_API, True)
        environment = env.get(API_ENVIRONMENT, "dev").strip().lower() or "dev"
        if environment not in BASE_URLS:
            problems.append(f"{API_ENVIRONMENT}={environment!r} must be one of {', '.join(BASE_URLS)}")
            environment = "dev"
        raw_mock = (env.get(USE_MOCK_API) or "").strip()
        if environment == "prod" and (not raw_mock or raw_mock.lower() in _TRUE):
            # Production never falls back to the fake, not even by forgetting a variable.
            shown = f"={raw_mock!r}" if raw_mock else " unset"
            problems.append(f"{USE_MOCK_API}{shown}: {API_ENVIRONMENT}=prod requires {USE_MOCK_API}=false")
        base_url = (env.get(API_BASE_URL) or "").strip().rstrip("/") or BASE_URLS[environment]
        problems += url_problems(API_BASE_URL, base_url)
        weather_url = (env.get(WEATHER_API_URL) or "").strip().rstrip("/") or None
        if weather_url:
            problems += url_problems(WEATHER_API_URL, weather_url)

        read_timeout = number(API_TIMEOUT, 10.0, 0.05, 300)
        connect_timeout = number(API_CONNECT_TIMEOUT, 3.05, 0.05, 60)
        max_age = number(PF360_CREDENTIALS_MAX_AGE, 300, 0, 86400)
        real_confirm = flag(ENABLE_REAL_CONFIRM, False)
        real_cancel = flag(ENABLE_REAL_CANCEL, False)
        secret = (env.get(PF360_CREDENTIALS_SECRET) or "").strip() or None

        if use_mock:
            for name, on in ((ENABLE_REAL_CONFIRM, real_confirm), (ENABLE_REAL_CANCEL, real_cancel)):
                if on:
                    problems.append(f"{name}=true needs {USE_MOCK_API}=false: mock mode has no real API")
        elif secret is None:
            problems.append(
                f"{PF360_CREDENTIALS_SECRET} (the Secrets Manager name of the PF360 credentials) "
                f"is required when {USE_MOCK_API}=false"
            )

        seed_raw = env.get(PF360_MOCK_SEED, "").strip()
        seed = 1645975
        if seed_raw:
            if seed_raw.isascii() and seed_raw.isdigit():
                seed = int(seed_raw)
            else:
                problems.append(f"{PF360_MOCK_SEED}={seed_raw!r} must be a non-negative integer")

        if problems:
            raise SettingsError(problems)
        return cls(
            use_mock_api=use_mock,
            api_environment=environment,
            base_url=base_url,
            read_timeout=read_timeout,
            connect_timeout=connect_timeout,
            enable_real_confirm=real_confirm,
            enable_real_cancel=real_cancel,
            credentials_secret=secret,
            credentials_max_age=int(max_age),
            weather_url=weather_url,
            mock_seed=seed,
        )

    @property
    def timeout(self) -> tuple[float, float]:
        """(connect, read) as `requests` takes it."""
        return (self.connect_timeout, self.read_timeout)


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
