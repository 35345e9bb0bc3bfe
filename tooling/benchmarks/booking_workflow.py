"""The booking workflow on the embedded local stack: per-step latency, state transitions and Lambda
invocations per completed booking, and the wall time of N concurrent bookings.

    python tooling/benchmarks/booking_workflow.py [--sequential 30] [--concurrent 100]

Per-step latency is what the agent handler waits for: start -> dates offered, date -> slots offered,
slot -> confirmed (each read back from the session item, as the handlers do).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from booking_bridge import BookingBridge
from pf360_client.fake.data import bookable
from scheduling_tooling.local.conversation import Conversation
from scheduling_tooling.local.stack import EmbeddedStack
from session_store import SessionStore


def _projects(stack: EmbeddedStack) -> list[tuple[str, str, str]]:
    model = stack.simulator.simulator.model
    return sorted(
        (p.project_id, p.customer_id, p.client_id) for p in model._data.projects.values() if bookable(p)
    )


def _book(
    stack: EmbeddedStack,
    bridge: BookingBridge,
    store: SessionStore,
    project: tuple[str, str, str],
    seed: int,
    timings: dict[str, list[float]] | None = None,
) -> Conversation:
    project_id, customer_id, client_id = project
    chooser = random.Random(seed)
    conversation = Conversation(stack, bridge, store, customer_id=customer_id, client_id=client_id)
    started = time.perf_counter()
    session = conversation.start(project_id, deadline=120)
    label = "start -> dates offered"
    for _ in range(15):
        if timings is not None:
            timings[label].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        if session.step == "awaiting_date":
            assert session.offered_dates, session
            label = "date -> slots offered"
            session = conversation.reply({"date": chooser.choice(session.offered_dates)}, deadline=120)
        elif session.step == "awaiting_slot":
            label = "slot -> confirmed"
            session = conversation.reply({"slot": chooser.choice(session.offered_slots)}, deadline=120)
        else:
            break
    return conversation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequential", type=int, default=30)
    parser.add_argument("--concurrent", type=int, default=100)
    args = parser.parse_args()

    with EmbeddedStack(time_scale=1.0) as stack:
        store = SessionStore(stack.resources.table_name)
        bridge = BookingBridge(store, stack.sfn, stack.state_machine_arn)
        projects = _projects(stack)
        _book(stack, bridge, store, projects[-1], 0)  # warm-up: imports, schemas, clients

        timings: dict[str, list[float]] = {
            k: [] for k in ("start -> dates offered", "date -> slots offered", "slot -> confirmed")
        }
        invoked_before = sum(stack.registry.invocations.values())
        transitions = []
        for i in range(args.sequential):
            conversation = _book(stack, bridge, store, projects[i], i, timings)
            conversation.finished()
            transitions.append(len(conversation.entered()))
        invocations = (sum(stack.registry.invocations.values()) - invoked_before) / args.sequential

        print(f"sequential bookings: {args.sequential}")
        print(f"{'step (handler waits for)':<26}{'p50 ms':>9}{'p95 ms':>9}")
        for label, values in timings.items():
            q = statistics.quantiles(values, n=20) if len(values) > 1 else values * 19
            print(f"{label:<26}{statistics.median(values):>9.1f}{q[18]:>9.1f}")
        print(f"state transitions per booking: {statistics.mean(transitions):.1f}")
        print(f"Lambda invocations per booking: {invocations:.1f}")

        batch = projects[args.sequential : -1][: args.concurrent]  # the last one was the warm-up booking
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            ended = list(
                pool.map(lambda ip: _book(stack, bridge, store, ip[1], 1000 + ip[0]), enumerate(batch))
            )
        wall = time.perf_counter() - started
        outcomes = Counter(c.session.step if c.session else "none" for c in ended)
        print(f"{len(batch)} concurrent bookings: {wall:.1f} s wall, outcomes {dict(outcomes)}")


if __name__ == "__main__":
    main()
