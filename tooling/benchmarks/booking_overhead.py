"""What the orchestration costs a customer: uneventful bookings through the action-group handlers
(list, dates, a date, a time, confirm) alternated with the same PF360 calls made directly with the
client, on one local stack, real time.

    python tooling/benchmarks/booking_overhead.py [--bookings 30]

Prints, per action, p50/p95 of the handler's answer time and of the direct PF360 call, and the
overhead (the difference); then state transitions, PF360 calls and Lambda invocations per booking.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from pf360_client import build_client
from pf360_client.credentials import StaticToken
from pf360_client.fake.data import bookable
from pf360_client.settings import Settings
from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN

ACTIONS = ("dates", "slots", "confirm")


@contextmanager
def timed(into: list[float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    into.append((time.perf_counter() - started) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=30)
    args = parser.parse_args()
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    logging.disable(logging.WARNING)

    with EmbeddedStack(time_scale=1.0) as stack:
        model = stack.simulator.simulator.model
        projects = sorted(
            (p for p in model._data.projects.values() if bookable(p)),
            key=lambda p: int(p.project_id),
        )
        direct = build_client(
            Settings.from_env(
                {
                    "USE_MOCK_API": "false",
                    "API_BASE_URL": stack.simulator.url,
                    "PF360_CREDENTIALS_SECRET": "unused",
                    "ENABLE_REAL_CONFIRM": "true",
                }
            ),
            credentials=StaticToken(DEFAULT_TOKEN),
        )
        agent_ms: dict[str, list[float]] = {a: [] for a in ACTIONS}
        direct_ms: dict[str, list[float]] = {a: [] for a in ACTIONS}
        calls: list[int] = []
        transitions: list[int] = []
        invocations: list[int] = []
        for n in range(args.bookings * 2):
            project = projects[n]
            cid, pid = project.client_id, project.project_id
            if n % 2:  # the same three PF360 calls, made directly
                with timed(direct_ms["dates"]):
                    offer = direct.get_available_dates(cid, pid)
                with timed(direct_ms["slots"]):
                    slots = direct.get_time_slots(cid, pid, offer.dates[0], offer.request_id)
                with timed(direct_ms["confirm"]):
                    direct.confirm_appointment(cid, pid, slots.date, slots.slots[0], slots.request_id)
                continue
            agent = AgentClient(stack.lambdas.url, customer_id=project.customer_id, client_id=cid)
            calls_before, lambdas_before = _call_count(stack), sum(stack.registry.invocations.values())
            agent.call("list_projects")
            with timed(agent_ms["dates"]):
                day = agent.ask("get_available_dates", project_id=pid).body["available_dates"][0]
            with timed(agent_ms["slots"]):
                time_ = agent.ask("get_time_slots", project_id=pid, date=day).body["available_times"][0]
            with timed(agent_ms["confirm"]):
                done = agent.ask("confirm_appointment", project_id=pid, date=day, time=time_)
            assert done.body.get("booked") is True, done.message
            calls.append(_call_count(stack) - calls_before)
            handler_calls = 4
            invocations.append(sum(stack.registry.invocations.values()) - lambdas_before - handler_calls)
            (execution,) = stack.executions_of(agent.session_id)
            transitions.append(_entered(stack, execution["executionArn"]))

        print(f"{args.bookings} uneventful bookings through the handlers, alternated with direct PF360 calls")
        print(f"{'ms':<10}{'handler p50/p95':>18}{'direct p50/p95':>18}{'overhead p50/p95':>20}")
        for action in ACTIONS:
            (a50, a95), (d50, d95) = _quantiles(agent_ms[action]), _quantiles(direct_ms[action])
            row = f"{a50:.1f}/{a95:.1f}", f"{d50:.1f}/{d95:.1f}", f"{a50 - d50:.1f}/{a95 - d95:.1f}"
            print(f"{action:<10}{row[0]:>18}{row[1]:>18}{row[2]:>20}")
        print(f"{'':<46}(before the redesign, issue 8: overhead p95 115-135 ms for dates, slots, confirm)")
        print(f"state transitions per booking: {Counter(transitions).most_common()}  (target <= 12; was 23)")
        print(f"PF360 calls per booking (list included): {Counter(calls).most_common()}  (target 4; was 7)")
        print(
            f"step Lambda invocations per booking: {Counter(invocations).most_common()}  (was 6 Task states)"
        )


def _quantiles(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), statistics.quantiles(values, n=20)[18]


def _call_count(stack: EmbeddedStack) -> int:
    return len(requests.get(f"{stack.simulator.url}/_sim/calls", timeout=10).json()["calls"])


def _entered(stack: EmbeddedStack, execution_arn: str) -> int:
    events = stack.sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return sum(1 for e in events if e["type"].endswith("StateEntered"))


if __name__ == "__main__":
    main()
