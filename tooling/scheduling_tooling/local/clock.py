"""Engine time for the local stack: the one clock that decides when Wait states, retry backoff, task
timeouts, heartbeats and callback timeouts elapse (moto_fixes routes moto's waits here).

- Scaled (demos, `scheduling local up --time-scale`): Wait states and retry backoff take
  `seconds * scale` of real time. Timeouts and heartbeats always run in real time: scaled, a 300 s
  Lambda step got 3 s and a busy machine tripped it.
- Manual (tests): nothing elapses until a test calls `advance(seconds)`; timers whose deadline the
  virtual time passes fire then, so a loaded machine can never trip a timeout. Retry backoff is
  instant by default (each interval is still recorded in `requested`) and can be made manual too.

`now()` is epoch seconds for whoever keeps expiry beside the engine (the session store): wall time
plus everything advanced.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

WAIT, RETRY, TIMEOUT = "wait", "retry", "timeout"
KINDS = frozenset({WAIT, RETRY, TIMEOUT})
_STOP_CHECK_SECONDS = 0.05  # how often a manual sleep looks whether its execution was stopped


@dataclass(eq=False)
class _Timer:
    due: float
    kind: str
    fire: Callable[[], None]


class EngineClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._manual = False
        self._scale = 1.0
        self._instant: frozenset[str] = frozenset()
        self._elapsed = 0.0  # virtual seconds advanced, in either mode
        self._timers: list[_Timer] = []
        self.requested: deque[tuple[str, float]] = deque(maxlen=10_000)  # (kind, seconds) asked for

    # --- modes --------------------------------------------------------------------------------------

    def run_scaled(self, scale: float) -> None:
        """Demos: Wait states and retry backoff at `scale` times real time; timeouts in real time."""
        if not scale > 0:
            raise ValueError("the time scale must be positive")
        with self._lock:
            self._manual, self._scale, self._instant = False, scale, frozenset()

    def run_manual(self, *, instant: Iterable[str] = (RETRY,)) -> None:
        """Tests: time stands still until `advance()`; timers of the `instant` kinds fire at once."""
        kinds = frozenset(instant)
        if not kinds <= KINDS:
            raise ValueError(f"unknown timer kinds: {sorted(kinds - KINDS)}")
        with self._lock:
            self._manual, self._scale, self._instant = True, 1.0, kinds

    @property
    def manual(self) -> bool:
        return self._manual

    # --- reading and moving time --------------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self._elapsed

    def advance(self, seconds: float) -> None:
        """Move engine time forward: every timer it reaches fires, in deadline order."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._elapsed += seconds
            due = sorted((t for t in self._timers if t.due <= self._elapsed), key=lambda t: t.due)
            self._timers = [t for t in self._timers if t.due > self._elapsed]
        for timer in due:
            timer.fire()

    def pending(self, kind: str | None = None) -> list[float]:
        """Seconds left on each waiting timer (of one kind), soonest first."""
        with self._lock:
            return sorted(t.due - self._elapsed for t in self._timers if kind in (None, t.kind))

    # --- what moto's engine calls ---------------------------------------------------------------------

    def sleep(self, seconds: float, kind: str, stopped: threading.Event, running: Callable[[], bool]) -> None:
        """A Wait state or a retry interval. Returns early when the execution stops (moto pulses
        `stopped`, its program-state event, on every state change)."""
        self.requested.append((kind, seconds))
        if seconds <= 0 or not running():
            return
        if not self._manual:
            end = time.monotonic() + seconds * self._scale
            # The pulse wakes us at once; the periodic look catches a stop that came just before.
            while running() and (left := end - time.monotonic()) > 0:
                stopped.wait(min(left, _STOP_CHECK_SECONDS * 5))
            return
        if kind in self._instant:
            return
        done = threading.Event()
        timer = self._add(seconds, kind, done.set)
        while not done.wait(_STOP_CHECK_SECONDS):
            if not running():
                self._cancel(timer)
                return

    def wait(self, event: ClockEvent, seconds: float, kind: str = TIMEOUT) -> bool:
        """A timed `event.wait` on engine time: True when the event was set before the time was up."""
        self.requested.append((kind, seconds))
        if not self._manual:
            return threading.Event.wait(event, seconds)
        timer = self._add(seconds, kind, event.time_up)
        try:
            threading.Event.wait(event)
        finally:
            self._cancel(timer)
        return event.settle()

    # --- plumbing -------------------------------------------------------------------------------------

    def _add(self, seconds: float, kind: str, fire: Callable[[], None]) -> _Timer:
        with self._lock:
            timer = _Timer(self._elapsed + seconds, kind, fire)
            self._timers.append(timer)
        if seconds <= 0:
            self.advance(0)
        return timer

    def _cancel(self, timer: _Timer) -> None:
        with self._lock:
            if timer in self._timers:
                self._timers.remove(timer)


class ClockEvent(threading.Event):
    """A threading.Event whose timed waits run on the engine clock. moto's task timeouts, heartbeats
    and callback waits use it; a timer that fires wakes the waiter without marking the event set."""

    def __init__(self) -> None:
        super().__init__()
        self._guard = threading.Lock()
        self._set_for_real = False

    def set(self) -> None:
        with self._guard:
            self._set_for_real = True
            super().set()

    def clear(self) -> None:
        with self._guard:
            self._set_for_real = False
            super().clear()

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is None:
            return super().wait()
        return CLOCK.wait(self, timeout)

    def time_up(self) -> None:
        super().set()  # wakes the waiter; settle() tells it apart from a real set

    def settle(self) -> bool:
        """After a wake-up: True if it was a real set; a timer's wake-up is undone."""
        with self._guard:
            if not self._set_for_real:
                super().clear()
            return self._set_for_real


CLOCK = EngineClock()
