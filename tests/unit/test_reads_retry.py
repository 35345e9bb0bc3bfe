"""The agent's own PF360 reads retry transient failures within the answer deadline, never writes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from agent_actions import reads
from pf360_client.errors import PF360NotFound, PF360RateLimited, PF360Unavailable


class Script:
    def __init__(self, *outcomes: Any) -> None:
        self.outcomes, self.calls = list(outcomes), 0

    def __call__(self) -> Any:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits a read took, on a clock the test owns (sleeping moves it)."""
    now, taken = [0.0], []

    def sleep(seconds: float) -> None:
        taken.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(reads, "_sleep", sleep)
    monkeypatch.setattr(reads, "_monotonic", lambda: now[0])
    return taken


def deps(deadline: float) -> Any:
    return SimpleNamespace(answer_deadline_seconds=deadline)


def test_a_transient_failure_is_retried_with_a_bounded_jittered_wait(waits: list[float]) -> None:
    call = Script(PF360Unavailable("503"), PF360Unavailable("503"), "projects")
    assert reads.read(deps(8), call) == "projects"
    assert call.calls == 3
    assert len(waits) == 2
    assert all(0 <= w <= reads.CAP_SECONDS for w in waits)


def test_retry_after_is_honoured_when_the_deadline_allows(waits: list[float]) -> None:
    call = Script(PF360RateLimited("429", retry_after=1.5), "hours")
    assert reads.read(deps(8), call) == "hours"
    assert waits == [1.5]


def test_no_retry_when_the_wait_would_pass_the_answer_deadline(waits: list[float]) -> None:
    call = Script(PF360RateLimited("429", retry_after=30), "never")
    with pytest.raises(PF360RateLimited):
        reads.read(deps(8), call)
    assert (call.calls, waits) == (1, [])


def test_no_retry_when_another_try_as_slow_as_this_one_would_miss_the_deadline(
    waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    monkeypatch.setattr(reads, "_monotonic", lambda: now[0])

    def slow_failure() -> str:
        now[0] += 6  # the read took 6 s of the 8 s the answer has
        raise PF360Unavailable("timeout")

    with pytest.raises(PF360Unavailable):
        reads.read(deps(8), slow_failure)
    assert waits == []


def test_attempts_are_bounded(waits: list[float]) -> None:
    call = Script(*[PF360Unavailable("503")] * 5)
    with pytest.raises(PF360Unavailable):
        reads.read(deps(60), call)
    assert call.calls == reads.ATTEMPTS


def test_a_permanent_error_is_not_retried(waits: list[float]) -> None:
    call = Script(PF360NotFound("404"), "never")
    with pytest.raises(PF360NotFound):
        reads.read(deps(8), call)
    assert (call.calls, waits) == (1, [])


def test_a_transient_weather_failure_is_retried_and_a_permanent_one_is_not(waits: list[float]) -> None:
    from pf360_client.weather import WeatherUnavailable

    flaky = Script(WeatherUnavailable("forecast service answered 503", transient=True), "forecast")
    assert reads.read(deps(8), flaky) == "forecast"
    nowhere = Script(WeatherUnavailable("geocoding found no place"), "never")
    with pytest.raises(WeatherUnavailable):
        reads.read(deps(8), nowhere)
    assert (flaky.calls, nowhere.calls) == (2, 1)
