"""Fault injection for the PF360 simulator: per-operation rule sequences, consumed in order.

A profile is JSON:

    {"faults": {"get_projects": [{"kind": "status", "status": 503, "times": 2}],
                "*": [{"kind": "latency", "ms": 20}]}}

For each request the first rule of its operation's list that still has `times` left is consumed
(then the `"*"` list); no rule left means a normal answer. So "503 twice, then OK" is one rule with
`times: 2`, and `[{"kind": "pass", "times": 1}, {"kind": "reset"}]` is "succeed once, then reset
every connection". A rule without `times` applies forever.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pf360_client.operations import OPERATIONS
from scheduling_tooling.pf360_sim.open_meteo import ROUTES

KNOWN = sorted([*OPERATIONS, *ROUTES.values()])  # PF360's operations and the Open-Meteo API's

KINDS = {
    "pass": "answer normally (a placeholder in a sequence)",
    "latency": "wait `ms` milliseconds, then answer normally",
    "status": "answer HTTP `status` (default 503) with an error body",
    "rate_limit": "answer 429 with `Retry-After: retry_after` seconds (default 1)",
    "hang": "hold the request `seconds` (default 30) without answering, then drop the connection",
    "hold": "hold the request until released (POST /_sim/release), `seconds` at most, then answer normally",
    "reset": "reset the TCP connection without answering",
    "error_body": "answer 200 with an `error` field (`message`)",
    "bad_json": "answer 200 with a body that is not JSON",
    "slot_taken": "fill the requested slot just before a confirm, so the confirm finds it taken",
    "expire_request": "make every issued request_id stale just before the call",
    "review": 'answer a confirm 200 "submitted for review" without booking (the office decides later)',
    "lose_answer": "do the call for real, then answer HTTP `status` (default 503) instead: the write landed, "
    "the caller cannot know",
}
_FIELDS = {"kind", "times", "ms", "status", "retry_after", "seconds", "message"}


class FaultProfileError(ValueError):
    pass


@dataclass
class FaultRule:
    kind: str
    times: int | None = None  # None: forever
    ms: int = 0
    status: int = 503
    retry_after: float = 1
    seconds: float = 30
    message: str = "Unable to process the request at this time"

    @classmethod
    def parse(cls, raw: Any, where: str) -> FaultRule:
        if not isinstance(raw, dict):
            raise FaultProfileError(f"{where}: a rule must be an object")
        unknown = set(raw) - _FIELDS
        if unknown:
            raise FaultProfileError(f"{where}: unknown field(s) {sorted(unknown)}")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise FaultProfileError(f"{where}: kind must be one of {sorted(KINDS)}, got {kind!r}")
        rule = cls(**raw)
        times = rule.times
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise FaultProfileError(f"{where}: times must be a positive integer or absent (forever)")
        if not (isinstance(rule.status, int) and 400 <= rule.status <= 599):
            raise FaultProfileError(f"{where}: status must be an HTTP error status (400-599)")
        for name in ("ms", "retry_after", "seconds"):
            value = getattr(rule, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 3600:
                raise FaultProfileError(f"{where}: {name} must be a number from 0 to 3600")
        return rule


class FaultPlan:
    """Thread-safe: concurrent requests each consume their own rule application."""

    def __init__(self, rules: dict[str, list[FaultRule]] | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, list[FaultRule]] = rules or {}

    @classmethod
    def parse(cls, document: Any) -> FaultPlan:
        if not isinstance(document, dict) or set(document) - {"faults"}:
            raise FaultProfileError('a fault profile is an object {"faults": {operation: [rule, ...]}}')
        faults = document.get("faults", {})
        if not isinstance(faults, dict):
            raise FaultProfileError('"faults" must map operation names to lists of rules')
        rules: dict[str, list[FaultRule]] = {}
        for operation, items in faults.items():
            if operation != "*" and operation not in KNOWN:
                raise FaultProfileError(f"unknown operation {operation!r}; known: {KNOWN} or '*'")
            if not isinstance(items, list):
                raise FaultProfileError(f"{operation}: rules must be a list")
            rules[operation] = [FaultRule.parse(item, f"{operation}[{i}]") for i, item in enumerate(items)]
        return cls(rules)

    @classmethod
    def load(cls, path: str | Path) -> FaultPlan:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise FaultProfileError(f"cannot read fault profile {path}: {error}") from None
        return cls.parse(document)

    def next_fault(self, operation: str) -> FaultRule | None:
        with self._lock:
            for key in (operation, "*"):
                for rule in self._rules.get(key, []):
                    if rule.times is None:
                        return rule
                    if rule.times > 0:
                        rule.times -= 1
                        return rule
        return None

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {"faults": {op: [asdict(r) for r in rules] for op, rules in self._rules.items()}}
