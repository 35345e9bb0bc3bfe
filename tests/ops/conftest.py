"""`scheduling ops` against real executions on the local stack, read over its HTTP API as AWS is.

One stack per module on a manual clock, served on a free localhost port; the bookings every test reads
are made once per module: booked (after two retried 503s), failed after retries, waiting, expired,
rescheduled, cancelled, and a long conversation (many date changes) still waiting for a slot.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from booking_bridge import BookingBridge
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER, bookable
from scheduling_tooling import cli
from scheduling_tooling.local import discovery
from scheduling_tooling.local.clock import TIMEOUT
from scheduling_tooling.local.conversation import Conversation
from scheduling_tooling.local.stack import EmbeddedStack
from session_store import SessionStore

PF360_READ_TIMEOUT = 30.0
DATE_CHANGES = 30  # the long conversation: each change adds a Get Time Slots and a wait (13 events)


@dataclass(frozen=True)
class Booking:
    session_id: str
    customer_id: str
    project_id: str
    execution_name: str
    step: str  # what the session item says at the end
    dates: tuple[str, ...] = ()  # the dates the customer chose, in order
    slot: str | None = None


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture(scope="module")
def ops_stack() -> Iterator[EmbeddedStack]:
    with EmbeddedStack(manual_time=True, serve_api=True, pf360_timeout_seconds=PF360_READ_TIMEOUT) as stack:
        discovery.publish(stack)  # answer /_local/info, as `scheduling local up` does: how commands find it
        yield stack


@pytest.fixture(scope="module")
def bookings(ops_stack: EmbeddedStack) -> dict[str, Booking]:
    """The module's bookings, made once (the module's first test pays for them)."""
    return make_bookings(ops_stack)


def make_bookings(stack: EmbeddedStack) -> dict[str, Booking]:
    """Every kind of booking ops must explain, on `stack` (also run to capture the README's output)."""
    stack.export_env()
    stack.use_own_time()
    sim = stack.simulator.url
    requests.post(f"{sim}/_sim/reset", timeout=5).raise_for_status()
    store = SessionStore(stack.resources.table_name, clock=stack.clock.now)

    def conversation(
        customer: tuple[str, str] = (DEMO_CLIENT, DEMO_CUSTOMER), timeout: int = 1800
    ) -> Conversation:
        bridge = BookingBridge(store, stack.sfn, stack.state_machine_arn, timeout_seconds=timeout)
        return Conversation(stack, bridge, store, customer_id=customer[1], client_id=customer[0])

    def faults(plan: dict[str, Any]) -> None:
        requests.put(f"{sim}/_sim/faults", json={"faults": plan}, timeout=5).raise_for_status()

    def done(c: Conversation, **extra: Any) -> Booking:
        assert c.session is not None
        assert c.session.execution_name
        assert c.session.project_id
        if c.session.step not in ("awaiting_date", "awaiting_slot"):
            c.finished()  # the execution has ended, not just written its outcome
        return Booking(
            c.session_id,
            c.customer_id,
            c.session.project_id,
            c.session.execution_name,
            c.session.step,
            **extra,
        )

    made: dict[str, Booking] = {}
    # expired: the customer walks away from the offered dates (a 60 s session here)
    c = conversation(timeout=60)
    offered = c.start("12345")
    _until(lambda: pytest.approx(60) in stack.clock.pending(TIMEOUT), "the wait's 60 s timer")
    stack.advance(60)
    c.session = c.bridge.wait_for_change(c.session_id, offered.version, 60)
    made["expired"] = done(c)
    # failed after retries: PF360 answers 503 to every slots call
    faults({"get_time_slots": [{"kind": "status", "status": 503}]})
    c = conversation()
    offered = c.start("12345")
    c.reply({"date": offered.offered_dates[0]})
    made["failed"] = done(c, dates=(offered.offered_dates[0],))
    # booked, after two 503s on the dates that the Retry policy rode out
    faults({"get_available_dates": [{"kind": "status", "status": 503, "times": 2}]})
    c = conversation()
    offered = c.start("12345")
    slots = c.reply({"date": offered.offered_dates[1]})
    c.reply({"slot": slots.offered_slots[0]})
    made["booked"] = done(c, dates=(offered.offered_dates[1],), slot=slots.offered_slots[0])
    requests.delete(f"{sim}/_sim/faults", timeout=5).raise_for_status()
    # rescheduled to another date, then cancelled
    c = conversation()
    offered = c.start("12347", "reschedule")
    slots = c.reply({"date": offered.offered_dates[-1]})
    c.reply({"slot": slots.offered_slots[-1]})
    made["rescheduled"] = done(c, dates=(offered.offered_dates[-1],), slot=slots.offered_slots[-1])
    c = conversation()
    c.start("12347", "cancel")
    made["cancelled"] = done(c)
    # another customer: one booking waiting for a date, one long conversation waiting for a slot
    other, projects = _other_customer(stack)
    c = conversation(other)
    c.start(projects[0])
    made["waiting"] = done(c)
    c = conversation(other)
    offered = c.start(projects[1])
    chosen = [offered.offered_dates[i % len(offered.offered_dates)] for i in range(DATE_CHANGES)]
    for date in chosen:
        c.reply({"date": date})
    made["long"] = done(c, dates=tuple(chosen))
    return made


def _other_customer(stack: EmbeddedStack) -> tuple[tuple[str, str], list[str]]:
    """A seeded customer (not the demo one) with two projects a booking can finish for."""
    by_customer: dict[tuple[str, str], list[str]] = {}
    for project in stack.simulator.simulator.model._data.projects.values():
        if project.client_id == DEMO_CLIENT and project.customer_id != DEMO_CUSTOMER and bookable(project):
            by_customer.setdefault((project.client_id, project.customer_id), []).append(project.project_id)
    return next((key, ids) for key, ids in sorted(by_customer.items()) if len(ids) >= 2)


def _until(condition: Callable[[], bool], what: str, within: float = 60) -> None:
    """Poll for something that will happen; never a claim about how fast."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


@pytest.fixture
def ops(ops_stack: EmbeddedStack, bookings: dict[str, Booking]) -> Callable[..., Run]:
    """`scheduling ops ...` in this process against the module's stack, over its HTTP endpoint. Its
    "now" is the real time, as are the executions' start and event times."""
    endpoint = f"http://127.0.0.1:{ops_stack.api_port}"

    def run(*words: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            status = cli.main(["ops", *words, "--endpoint", endpoint])
        return Run(status, out.getvalue(), err.getvalue())

    return run
