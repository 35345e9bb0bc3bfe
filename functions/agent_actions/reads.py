"""The reads the agent makes itself (PF360's projects, details, status, hours, notes; the weather) are
retried on transient failures (timeout, no connection, 5xx, 429) a bounded number of times, with
full-jitter backoff or the service's Retry-After, but only while the answer deadline leaves room.
Writes are never retried here: the state machine owns their retries."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from agent_actions.deps import Deps
from pf360_client.errors import PF360RateLimited, PF360TransientError
from pf360_client.weather import WeatherUnavailable

T = TypeVar("T")
ATTEMPTS = 3
BASE_SECONDS, CAP_SECONDS = 0.2, 2.0
_sleep = time.sleep  # tests replace it: they control time rather than race it
_monotonic = time.monotonic


def read(deps: Deps, call: Callable[[], T]) -> T:
    deadline = _monotonic() + deps.answer_deadline_seconds
    for attempt in range(1, ATTEMPTS + 1):
        started = _monotonic()
        try:
            return call()
        except (PF360TransientError, WeatherUnavailable) as error:
            if isinstance(error, WeatherUnavailable) and not error.transient:
                raise
            wait, took = _backoff(error, attempt), _monotonic() - started
            # another try must have room to take as long as this one did, within the deadline
            if attempt == ATTEMPTS or _monotonic() + wait + took >= deadline:
                raise
            _sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises


def _backoff(error: PF360TransientError | WeatherUnavailable, attempt: int) -> float:
    hint = error.retry_after if isinstance(error, PF360RateLimited | WeatherUnavailable) else None
    if hint is not None:
        return hint
    return random.uniform(0, min(CAP_SECONDS, BASE_SECONDS * 2**attempt))  # noqa: S311 - jitter, not secrecy
