"""How much the ops commands read, and how page tokens resume, on a fake Step Functions client: no
stack, no clock, no network. Each test counts the calls a fix saves or checks the rows a fix keeps."""

from __future__ import annotations

import argparse
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scheduling_tooling.commands import ops
from scheduling_tooling.ops import query
from scheduling_tooling.ops.query import Filters, OpsError
from scheduling_tooling.ops.timeline import read_latest, read_timeline
from scheduling_tooling.target import Target

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:pf360-booking-conversation"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SESSION = json.dumps({"session_id": "s-1", "customer_id": "1645975"})  # every state's input carries it


def _execution(number: int, *, status: str = "RUNNING", age: timedelta | None = None) -> dict[str, Any]:
    name = f"e{number}"
    return {
        "executionArn": f"{MACHINE.replace('stateMachine', 'execution')}:{name}",
        "name": name,
        "status": status,
        "startDate": NOW - (age if age is not None else timedelta(minutes=100 - number)),
    }


class FakeSfn:
    """ListExecutions and GetExecutionHistory as AWS pages them: newest first, offset tokens (so a
    newly started execution shifts every later page), reverseOrder and maxResults honoured."""

    def __init__(self, executions: list[dict[str, Any]], histories: dict[str, list[dict[str, Any]]]) -> None:
        self.executions, self.histories = executions, histories
        self.listed_pages = 0
        self.history_calls: list[str] = []
        self.events_returned = 0

    def list_executions(self, **kwargs: Any) -> dict[str, Any]:
        self.listed_pages += 1
        rows = [e for e in self.executions if kwargs.get("statusFilter") in (None, e["status"])]
        start = int(kwargs.get("nextToken") or 0)
        end = start + kwargs["maxResults"]
        return {"executions": rows[start:end], **({"nextToken": str(end)} if end < len(rows) else {})}

    def get_execution_history(self, **kwargs: Any) -> dict[str, Any]:
        arn = kwargs["executionArn"]
        self.history_calls.append(arn)
        events = self.histories.get(arn, [])
        events = list(reversed(events)) if kwargs.get("reverseOrder") else events
        start = int(kwargs.get("nextToken") or 0)
        end = start + kwargs["maxResults"]
        self.events_returned += len(events[start:end])
        return {"events": events[start:end], **({"nextToken": str(end)} if end < len(events) else {})}

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        found = next(e for e in self.executions if e["executionArn"] == executionArn)
        return {**found, "input": "{}"}


def _history(kinds: list[str], *, start: datetime = NOW) -> list[dict[str, Any]]:
    events = []
    for number, kind in enumerate(kinds, 1):
        event: dict[str, Any] = {"id": number, "type": kind, "timestamp": start + timedelta(seconds=number)}
        if kind.endswith("StateEntered"):
            event["stateEnteredEventDetails"] = {"name": f"State {number}", "input": SESSION}
        elif kind.endswith("StateExited"):
            event["stateExitedEventDetails"] = {"name": f"State {number}", "output": "{}"}
        elif kind == "ExecutionFailed":
            event["executionFailedEventDetails"] = {"error": "Boom", "cause": "it broke"}
        events.append(event)
    return events


def _target(sfn: Any, dynamodb: Any = None) -> Target:
    class Fake(Target):
        def client(self, service: str, **_: Any) -> Any:
            return sfn if service == "stepfunctions" else dynamodb

    return Fake("aws", "us-east-1", MACHINE, {"sessions": "sessions"}, None, None)


def _run(body: Any, target: Target, **options: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = body(argparse.Namespace(**options), target)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query, "now", lambda: NOW)


# --- page tokens (review finding 6) ------------------------------------------------------------------


def test_a_page_token_resumes_after_its_last_row_when_newer_executions_started() -> None:
    # Given five executions, listed three at a time from pages of two
    sfn = FakeSfn([_execution(n) for n in (5, 4, 3, 2, 1)], {})
    first = query.executions(sfn, MACHINE, Filters(), limit=3, page_size=2)
    assert [e["name"] for e in first.executions] == ["e5", "e4", "e3"]
    # When two executions start before the next page is asked for (every offset moves by two)
    sfn.executions[:0] = [_execution(7), _execution(6)]
    second = query.executions(sfn, MACHINE, Filters(), limit=3, next_token=first.next_token, page_size=2)
    # Then the next page goes on after e3: nothing repeats, nothing is skipped
    assert [e["name"] for e in second.executions] == ["e2", "e1"]


def test_a_page_token_whose_page_no_longer_reaches_it_is_refused_as_stale() -> None:
    sfn = FakeSfn([_execution(n) for n in (5, 4, 3, 2, 1)], {})
    first = query.executions(sfn, MACHINE, Filters(), limit=3, page_size=2)
    # When the listing lost rows before the token's page (rows between could be missed)
    del sfn.executions[:3]
    with pytest.raises(OpsError, match="stale"):
        query.executions(sfn, MACHINE, Filters(), limit=3, next_token=first.next_token, page_size=2)


# --- how much is read (review finding 5) -------------------------------------------------------------


def test_a_long_history_is_read_once_newest_first() -> None:
    execution = _execution(1, status="SUCCEEDED")
    kinds = ["ExecutionStarted"] + ["PassStateEntered", "PassStateExited"] * 30 + ["ExecutionSucceeded"]
    sfn = FakeSfn([execution], {execution["executionArn"]: _history(kinds)})
    timeline = read_timeline(sfn, execution["executionArn"], page_size=100, max_events=20)
    assert timeline.truncated
    assert sfn.events_returned <= 21  # not the whole history, and not twice


def test_the_failed_state_search_stops_when_no_task_failed() -> None:
    execution = _execution(1, status="FAILED")
    kinds = ["ExecutionStarted"] + ["PassStateEntered", "PassStateExited"] * 300 + ["ExecutionFailed"]
    sfn = FakeSfn([execution], {execution["executionArn"]: _history(kinds)})
    latest = read_latest(sfn, execution["executionArn"], failure=True, failure_window=50)
    assert latest.error == "Boom"
    assert latest.failed_state is None
    assert latest.events_read <= 50


def test_waiting_reads_no_history_of_executions_younger_than_the_threshold() -> None:
    # Given one execution waiting for an hour and many started a minute ago
    old = _execution(1, age=timedelta(hours=1))
    young = [_execution(n, age=timedelta(minutes=1)) for n in range(2, 12)]
    waits = ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted"]
    sfn = FakeSfn([*young, old], {e["executionArn"]: _history(waits, start=e["startDate"]) for e in [old]})
    # When the operator asks for waits over ten minutes
    status, out, _ = _run(ops._waiting, _target(sfn), older_than="10m", max=1000, json=True)
    # Then only the old one's history was read, and it is listed
    assert status == 0
    assert sfn.history_calls
    assert set(sfn.history_calls) == {old["executionArn"]}
    assert [r["name"] for r in json.loads(out)["waiting"]] == ["e1"]


def test_failures_say_when_they_counted_only_the_newest() -> None:
    failed = [_execution(n, status="FAILED") for n in (3, 2, 1)]
    history = _history(["ExecutionStarted", "TaskStateEntered", "TaskFailed", "ExecutionFailed"])
    sfn = FakeSfn(failed, {e["executionArn"]: history for e in failed})
    status, out, _ = _run(ops._failures, _target(sfn), since="1d", max=2, json=True)
    assert status == 0
    assert json.loads(out)["sampled"] is True
    _, _, err = _run(ops._failures, _target(sfn), since="1d", max=2, json=False)
    assert "--max reads more" in err
    assert json.loads(_run(ops._failures, _target(sfn), since="1d", max=5, json=True)[1])["sampled"] is False


def test_a_customers_listing_stops_at_their_oldest_session() -> None:
    # Given a customer whose one session was created half an hour ago, among 300 older executions
    theirs = _execution(1, status="SUCCEEDED", age=timedelta(minutes=30))
    older = [_execution(n, status="SUCCEEDED", age=timedelta(hours=2, minutes=n)) for n in range(2, 302)]
    sfn = FakeSfn([theirs, *older], {})

    class Sessions:
        def query(self, **_: Any) -> dict[str, Any]:
            created = int((NOW - timedelta(minutes=31)).timestamp())
            return {"Items": [{"session_id": {"S": "s-1"}, "created_at": {"N": str(created)}}]}

    # When the operator lists that customer's executions
    options = {"customer": "1645975", "status": None, "since": None, "until": None, "project": None}
    status, _, _ = _run(
        ops._list, _target(sfn, Sessions()), **options, limit=20, next_token=None, brief=True, json=True
    )
    # Then the listing stopped at the first page, older than the session: not all four
    assert status == 0
    assert sfn.listed_pages == 1
