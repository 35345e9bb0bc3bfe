"""Client settings, read from the environment once at cold start and validated with clear errors.

Every problem is collected and reported together, so one deploy fixes them all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

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
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
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
        base_url = (env.get(API_BASE_URL) or "").strip().rstrip("/") or BASE_URLS[environment]
        problems += _url_problems(API_BASE_URL, base_url)
        weather_url = (env.get(WEATHER_API_URL) or "").strip().rstrip("/") or None
        if weather_url:
            problems += _url_problems(WEATHER_API_URL, weather_url)

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


def _url_problems(name: str, url: str) -> list[str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"{name}={url!r} must be an http(s) URL"]
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        # A bearer token must not cross a network in clear text; plain http is for the local simulator.
        return [f"{name}={url!r} uses http to a non-loopback host; use https"]
    if parts.query or parts.fragment:
        return [f"{name}={url!r} must not carry a query or fragment"]
    return []
