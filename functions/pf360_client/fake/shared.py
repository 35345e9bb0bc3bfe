"""Mock mode that works when deployed: every Lambda container has its own FakePF360, so their state
is shared through one DynamoDB item (`PF360_MOCK_STATE_TABLE`, a table only mock deployments create).

Each call loads the item (a consistent read; skipped when this container already holds its version),
runs on the fake, and writes the state back only if the call changed it, conditional on the version
it read; a conflict (another container wrote first) reloads and runs the call again, which is safe:
a call's effect depends only on the state and its request. What is stored is what calls change
(projects' status, appointment and notes, booked crews, issued request ids, counters) and the day the
seed was built for, so every container rebuilds the same seed.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pf360_client.fake.app import FakeApp, FakeResponse
from pf360_client.fake.model import FakePF360, IssuedRequest
from pf360_client.operations import Envelope

STATE_KEY = {"id": {"S": "fake-pf360"}}
ATTEMPTS = 20


class StateConflict(Exception):
    """Every attempt met a newer version: too much contention for a mock."""


def snapshot(model: FakePF360) -> dict[str, Any]:
    """The fake's mutable state, JSON-ready. Spent or expired request ids are dropped (bounded size)."""
    now = model.clock()
    live = {
        rid: r for rid, r in model._requests.items() if not r.used and now - r.issued_at <= model.request_ttl
    }
    return {
        "seed_day": model.seed_day.isoformat(),
        "projects": {
            pid: [p.status, p.scheduled_date, p.scheduled_time, p.notes]
            for pid, p in sorted(model._data.projects.items())
        },
        "bookings": sorted([*key, count] for key, count in model._bookings.items() if count),
        "requests": {
            str(rid): [r.client_id, r.project_id, r.issued_at.isoformat()] for rid, r in sorted(live.items())
        },
        "next_request_id": model._next_request_id,
        "confirmations": model._confirmations,
    }


def restore(model: FakePF360, state: dict[str, Any]) -> None:
    day = date.fromisoformat(state["seed_day"])
    if day != model.seed_day:
        model.reset(day)
    projects = model._data.projects
    for pid, (status, scheduled_date, scheduled_time, notes) in state["projects"].items():
        if pid not in projects:  # a shadow's project: known only through the state
            continue
        project = projects[pid]
        project.status, project.scheduled_date, project.scheduled_time = (
            status,
            scheduled_date,
            scheduled_time,
        )
        project.notes = [dict(n) for n in notes]
    model._bookings = {(c, d, t): n for c, d, t, n in state["bookings"]}
    model._requests = {
        int(rid): IssuedRequest(int(rid), c, p, datetime.fromisoformat(at))
        for rid, (c, p, at) in state["requests"].items()
    }
    model._next_request_id = state["next_request_id"]
    model._confirmations = state["confirmations"]


class SharedFakeApp(FakeApp):
    """FakeApp over the shared state: the same wire behaviour, one state for every container."""

    def __init__(self, model: FakePF360, table: str, dynamodb: Any) -> None:
        super().__init__(model)
        self.table, self.dynamodb = table, dynamodb
        self._version = -1  # the version of the state the model holds (-1: none loaded)

    def handle(self, operation: str, envelope: Envelope) -> FakeResponse:
        with self.model._lock:  # one call at a time in this container, as the fake's own lock
            for _ in range(ATTEMPTS):
                version = self._load()
                before = json.dumps(snapshot(self.model), sort_keys=True)
                answer = super().handle(operation, envelope)
                after = json.dumps(snapshot(self.model), sort_keys=True)
                if after == before or self._save(version, after):
                    return answer
                self._version = -1  # another container wrote first: reload and run the call again
        raise StateConflict(f"{operation}: the shared fake state kept changing under it")

    def _load(self) -> int:
        item = self.dynamodb.get_item(TableName=self.table, Key=STATE_KEY, ConsistentRead=True).get("Item")
        if item is None:
            if self._version != 0:
                self.model.reset()
                self._version = 0
            return 0
        version = int(item["version"]["N"])
        if version != self._version:
            restore(self.model, json.loads(item["state"]["S"]))
            self._version = version
        return version

    def _save(self, version: int, state: str) -> bool:
        condition = "attribute_not_exists(id)" if version == 0 else "version = :seen"
        values = {":next": {"N": str(version + 1)}, ":state": {"S": state}}
        if version:
            values[":seen"] = {"N": str(version)}
        try:
            self.dynamodb.update_item(
                TableName=self.table,
                Key=STATE_KEY,
                UpdateExpression="SET version = :next, #s = :state",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues=values,
            )
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        self._version = version + 1
        return True
