"""Numbers over many timelines: outcomes, time per step, retries per step, state transitions per
completed booking, and what those cost on AWS at published prices."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scheduling_tooling.ops.timeline import Timeline

# Published on-demand prices, us-east-1, as listed on the pricing pages on PRICES_AS_OF (unchanged
# there since 2020; other regions differ, and free tiers are ignored).
# https://aws.amazon.com/step-functions/pricing/  (Standard workflows)
# https://aws.amazon.com/lambda/pricing/          (x86, first duration tier)
PRICES_AS_OF = "2026-11-29"
SFN_STANDARD_PER_1000_TRANSITIONS = 0.025  # USD
LAMBDA_PER_1M_REQUESTS = 0.20  # USD
LAMBDA_PER_GB_SECOND = 0.0000166667  # USD
DEFAULT_LAMBDA_MEMORY_MB = 512  # terraform/variables.tf lambda_memory_mb default
COMPLETED = "confirmed"  # the outcome of a completed booking (also of a reschedule)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Stats:
    executions: int
    outcomes: dict[str, int]  # outcome (or status when there is none) -> executions
    steps: dict[str, dict[str, Any]]  # state -> visits, p50_ms, p95_ms, retries, executions_retried
    completed: int
    transitions_per_completed: dict[str, float | None]  # mean, p50, p95
    lambda_requests_per_completed: float | None
    lambda_gb_seconds_per_completed: float | None
    cost_per_1000_completed_usd: dict[str, float | None]
    lambda_memory_mb: int

    def to_json(self) -> dict[str, Any]:
        return {
            "executions": self.executions,
            "outcomes": self.outcomes,
            "steps": self.steps,
            "completed_bookings": self.completed,
            "transitions_per_completed_booking": self.transitions_per_completed,
            "lambda_requests_per_completed_booking": self.lambda_requests_per_completed,
            "lambda_gb_seconds_per_completed_booking": self.lambda_gb_seconds_per_completed,
            "cost_per_1000_completed_bookings_usd": self.cost_per_1000_completed_usd,
            "prices": {
                "as_of": PRICES_AS_OF,
                "region": "us-east-1",
                "step_functions_standard_per_1000_transitions_usd": SFN_STANDARD_PER_1000_TRANSITIONS,
                "lambda_per_1m_requests_usd": LAMBDA_PER_1M_REQUESTS,
                "lambda_per_gb_second_usd": LAMBDA_PER_GB_SECOND,
                "lambda_memory_mb": self.lambda_memory_mb,
            },
        }


def outcome_of(timeline: Timeline) -> str:
    status = timeline.execution.status
    if status == "SUCCEEDED":
        return timeline.outcome or "succeeded"
    if status == "RUNNING":
        return "waiting" if any(step.waiting for step in timeline.steps) else "running"
    ended = {"FAILED": "failed", "ABORTED": "stopped", "TIMED_OUT": "timed_out"}
    return str(ended.get(status, status.lower()))


def compute(timelines: Sequence[Timeline], *, lambda_memory_mb: int = DEFAULT_LAMBDA_MEMORY_MB) -> Stats:
    outcomes = Counter(outcome_of(t) for t in timelines)
    durations: dict[str, list[float]] = defaultdict(list)
    retries: Counter[str] = Counter()
    retried_in: Counter[str] = Counter()
    for timeline in timelines:
        for step in timeline.steps:
            # a wait for the customer measures the customer, not the system: its task time is its own row
            if step.duration_ms is not None:
                durations[step.state].append(step.duration_ms)
        for state, count in timeline.retried.items():
            retries[state] += count
            retried_in[state] += 1
    steps = {
        state: {
            "visits": len(values),
            "p50_ms": percentile(values, 0.5),
            "p95_ms": percentile(values, 0.95),
            "retries": retries.get(state, 0),
            "executions_retried": retried_in.get(state, 0),
        }
        for state, values in sorted(durations.items())
    }
    for state in retries.keys() - steps.keys():  # retried, never finished (still running)
        steps[state] = {"visits": 0, "p50_ms": None, "p95_ms": None, "retries": retries[state]}
        steps[state]["executions_retried"] = retried_in[state]
    done = [t for t in timelines if t.execution.status == "SUCCEEDED" and t.outcome == COMPLETED]
    transitions = [float(t.transitions) for t in done]
    requests = [float(_lambda_requests(t)) for t in done]
    gb_seconds = [_lambda_seconds(t) * lambda_memory_mb / 1024 for t in done]
    mean_transitions = _mean(transitions)
    mean_requests = _mean(requests)
    mean_gb_seconds = _mean(gb_seconds)
    return Stats(
        executions=len(timelines),
        outcomes=dict(outcomes.most_common()),
        steps=steps,
        completed=len(done),
        transitions_per_completed={
            "mean": mean_transitions,
            "p50": percentile(transitions, 0.5),
            "p95": percentile(transitions, 0.95),
        },
        lambda_requests_per_completed=mean_requests,
        lambda_gb_seconds_per_completed=mean_gb_seconds,
        cost_per_1000_completed_usd=cost_per_1000(mean_transitions, mean_requests, mean_gb_seconds),
        lambda_memory_mb=lambda_memory_mb,
    )


def cost_per_1000(
    transitions: float | None, requests: float | None, gb_seconds: float | None
) -> dict[str, float | None]:
    """USD for 1,000 bookings that each take these means (None when nothing completed)."""
    if transitions is None or requests is None or gb_seconds is None:
        return {"step_functions": None, "lambda_requests": None, "lambda_duration": None, "total": None}
    parts = {
        "step_functions": 1000 * transitions * SFN_STANDARD_PER_1000_TRANSITIONS / 1000,
        "lambda_requests": 1000 * requests * LAMBDA_PER_1M_REQUESTS / 1_000_000,
        "lambda_duration": 1000 * gb_seconds * LAMBDA_PER_GB_SECOND,
    }
    return {**{k: round(v, 6) for k, v in parts.items()}, "total": round(sum(parts.values()), 6)}


def _lambda_requests(timeline: Timeline) -> int:
    """Lambda invocations: every attempt of a lambda:invoke task (retries are invocations too)."""
    return sum(1 for step in timeline.steps for a in step.attempts if a.resource_type == "lambda")


def _lambda_seconds(timeline: Timeline) -> float:
    """Billed Lambda time: each invocation's duration, rounded up to the millisecond as billed."""
    total_ms = sum(
        math.ceil(a.duration_ms or 0)
        for step in timeline.steps
        for a in step.attempts
        if a.resource_type == "lambda"
    )
    return total_ms / 1000


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None
