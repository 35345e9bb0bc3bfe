"""One booking execution as operators read it: each state with its time, each Task attempt with its
error and the wait before the retry, the customer's choices, the outcome or the failure.

`read_timeline` reads the whole history (pages of up to 1000 events; the newest `max_events` only,
newest first, when a history is longer than that). `read_latest` reads newest first and stops as soon
as it knows the status, the outcome and the current state, which is what lists and counts need.

Only whitelisted facts leave the history: ids, dates, times, state names, errors and their messages.
Task tokens (in waiting tasks' parameters) and customers' details are never read out of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from scheduling_tooling.ops import history
from scheduling_tooling.ops.names import parse

CHOICE_KEYS = ("date", "slot")  # what a customer's reply to a wait may say (functions/booking_bridge)
_FINAL = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionAborted": "ABORTED",
    "ExecutionTimedOut": "TIMED_OUT",
}
_TASK_ENDS = ("TaskSucceeded", "TaskFailed", "TaskTimedOut")
WAIT_RESOURCE = "waitForTaskToken"


@dataclass
class Attempt:
    started: datetime
    ended: datetime | None = None
    error: str | None = None
    cause: str | None = None
    wait_seconds: float | None = None  # between this attempt failing and the next one starting
    resource_type: str | None = None  # "lambda", "aws-sdk:dynamodb", ...

    @property
    def duration_ms(self) -> int | None:
        return _ms(self.started, self.ended)


@dataclass
class Step:
    state: str
    type: str  # Task, Choice, Pass, Succeed, Fail, Wait, ...
    entered: datetime
    exited: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)
    choice: str | None = None  # the customer's answer to a wait: "date 2026-12-01", "slot 10:00:00"
    waits_for_customer: bool = False  # a callback task (the execution waits for the customer's reply)
    outcome: str | None = None  # outcome.step when this state set it
    error: str | None = None  # the error this state ended with (its last attempt's)
    cause: str | None = None

    @property
    def duration_ms(self) -> int | None:
        return _ms(self.entered, self.exited)

    @property
    def retries(self) -> int:
        return max(0, len(self.attempts) - 1)

    @property
    def waiting(self) -> bool:
        """Waiting for the customer now (entered, not exited)."""
        return self.waits_for_customer and self.exited is None


@dataclass
class Execution:
    arn: str
    name: str
    status: str
    start: datetime | None
    stop: datetime | None
    session_id: str | None  # from the execution's input (the name holds only a digest of it)
    project_id: str | None
    mode: str | None
    customer_id: str | None


@dataclass
class Timeline:
    execution: Execution
    steps: list[Step]
    events_read: int
    truncated: bool = False  # the history was longer than what was read (the oldest part is missing)
    error: str | None = None  # how the execution failed, aborted or timed out
    cause: str | None = None

    @property
    def path(self) -> list[str]:
        return [step.state for step in self.steps]

    @property
    def retried(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for step in self.steps:
            if step.retries:
                counts[step.state] = counts.get(step.state, 0) + step.retries
        return counts

    @property
    def failed_state(self) -> str | None:
        """The state whose error failed the execution: the last one whose last attempt failed."""
        if self.execution.status not in ("FAILED", "TIMED_OUT"):
            return None
        for step in reversed(self.steps):
            if step.attempts and step.attempts[-1].error:
                return step.state
        return self.steps[-1].state if self.steps else None

    @property
    def outcome(self) -> str | None:
        return next((step.outcome for step in reversed(self.steps) if step.outcome), None)

    @property
    def transitions(self) -> int:
        """State transitions as Step Functions Standard bills them: each state entered, each retry."""
        return len(self.steps) + sum(step.retries for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        e = self.execution
        return {
            "execution": {
                "arn": e.arn,
                "name": e.name,
                "status": e.status,
                "start": _iso(e.start),
                "stop": _iso(e.stop),
                "session_id": e.session_id,
                "project_id": e.project_id,
                "mode": e.mode,
                "customer_id": e.customer_id,
            },
            "outcome": self.outcome,
            "error": self.error,
            "cause": self.cause,
            "failed_state": self.failed_state,
            "path": self.path,
            "retried": self.retried,
            "transitions": self.transitions,
            "events_read": self.events_read,
            "truncated": self.truncated,
            "steps": [
                {
                    "state": s.state,
                    "type": s.type,
                    "entered": _iso(s.entered),
                    "exited": _iso(s.exited),
                    "duration_ms": s.duration_ms,
                    "retries": s.retries,
                    "attempts": [
                        {
                            **{k: v for k, v in asdict(a).items() if k not in ("started", "ended")},
                            "started": _iso(a.started),
                            "ended": _iso(a.ended),
                            "duration_ms": a.duration_ms,
                        }
                        for a in s.attempts
                    ],
                    "choice": s.choice,
                    "waits_for_customer": s.waits_for_customer,
                    "waiting": s.waiting,
                    "outcome": s.outcome,
                    "error": s.error,
                    "cause": s.cause,
                }
                for s in self.steps
            ],
        }


def read_timeline(
    sfn: Any, execution_arn: str, *, page_size: int = history.MAX_PAGE, max_events: int = 5000
) -> Timeline:
    """The execution's timeline from its history. Read newest first, so a history longer than
    `max_events` is read once and cut there (`truncated`): the recent part is what an operator asks
    about."""
    described = sfn.describe_execution(executionArn=execution_arn)
    events = list(
        history.events(sfn, execution_arn, reverse=True, page_size=page_size, max_events=max_events + 1)
    )
    truncated = len(events) > max_events
    events = events[:max_events]
    events.reverse()
    return _build(described, events, truncated)


def _build(described: dict[str, Any], events: list[dict[str, Any]], truncated: bool) -> Timeline:
    started = history.loads(described.get("input")) or {}
    name = described.get("name") or described["executionArn"].rsplit(":", 1)[-1]
    parsed = parse(name)
    execution = Execution(
        arn=described["executionArn"],
        name=name,
        status=described["status"],
        start=described.get("startDate"),
        stop=described.get("stopDate"),
        session_id=_text(started.get("session_id")),
        project_id=_text(started.get("project_id")) or (parsed.project_id if parsed else None),
        mode=_text(started.get("mode")) or (parsed.mode if parsed else None),
        customer_id=_text(started.get("customer_id")),
    )
    timeline = Timeline(execution, [], len(events), truncated)
    step: Step | None = None
    carried: str | None = None  # the outcome the state data holds so far
    for event in events:
        kind, when = event["type"], event["timestamp"]
        if kind.endswith("StateEntered"):
            details = event["stateEnteredEventDetails"]
            step = Step(details["name"], kind[: -len("StateEntered")], when)
            timeline.steps.append(step)
        elif kind.endswith("StateExited") and step is not None:
            step.exited = when
            outcome = _outcome(history.loads(event["stateExitedEventDetails"].get("output")))
            if outcome and outcome != carried:  # this state set it
                step.outcome = carried = outcome
        elif kind == "TaskScheduled" and step is not None:
            details = event.get("taskScheduledEventDetails", {})
            if step.attempts and step.attempts[-1].error and step.attempts[-1].ended:
                step.attempts[-1].wait_seconds = (when - step.attempts[-1].ended).total_seconds()
            step.attempts.append(Attempt(when, resource_type=details.get("resourceType")))
            step.waits_for_customer = str(details.get("resource", "")).endswith(WAIT_RESOURCE)
        elif kind in _TASK_ENDS and step is not None and step.attempts:
            attempt = step.attempts[-1]
            attempt.ended = when
            details = _details(event)
            if kind == "TaskSucceeded":
                step.error = step.cause = None
                if step.waits_for_customer:
                    step.choice = _choice(history.loads(details.get("output")))
            else:
                attempt.error = details.get("error") or ("States.Timeout" if kind == "TaskTimedOut" else None)
                attempt.cause = history.summary(details.get("cause"))
                step.error, step.cause = attempt.error, attempt.cause
        elif kind in _FINAL:
            details = _details(event)
            if kind == "ExecutionSucceeded":
                outcome = _outcome(history.loads(details.get("output")))
                if outcome and timeline.steps and not timeline.outcome:
                    timeline.steps[-1].outcome = outcome
            else:
                timeline.error = details.get("error") or kind
                timeline.cause = history.summary(details.get("cause"))
    return timeline


# --- reading newest first ---------------------------------------------------------------------------


@dataclass
class Latest:
    """What the newest events say, read newest first and no further than needed."""

    status: str  # RUNNING, SUCCEEDED, FAILED, ABORTED, TIMED_OUT
    state: str | None = None  # the current (or last) state
    since: datetime | None = None  # when it was entered
    waiting: bool = False  # waiting for the customer's reply in that state
    session_id: str | None = None
    customer_id: str | None = None
    outcome: str | None = None
    error: str | None = None
    cause: str | None = None
    failed_state: str | None = None
    failed_attempts: int = 0  # attempts of the failed state that failed (its last visit)
    events_read: int = 0


def read_latest(
    sfn: Any,
    execution_arn: str,
    *,
    failure: bool = False,
    page_size: int = 25,
    max_events: int = 400,
    failure_window: int = 100,
) -> Latest:
    """Status, outcome, current state and session from the newest events. With `failure`, also the
    state that failed and its failed attempts (read back to where that state was entered). A failure
    with no failed task among the newest `failure_window` events (a Fail state reached otherwise) has
    none: the search stops there instead of reading the whole history."""
    latest = Latest(status="RUNNING")
    pending: dict[str, Any] = {"submitted": False, "task_end": None}
    want_failure = False
    counting: str | None = None  # "attempts" while reading back through the failed state
    for event in history.events(sfn, execution_arn, reverse=True, page_size=page_size, max_events=max_events):
        latest.events_read += 1
        kind = event["type"]
        details = _details(event)
        data = history.loads(history.payload(event))
        if isinstance(data, dict) and latest.session_id is None and "session_id" in data:
            latest.session_id = _text(data.get("session_id"))
            latest.customer_id = _text(data.get("customer_id"))
            latest.outcome = latest.outcome or _outcome(data)
        if latest.events_read == 1 and kind in _FINAL:
            latest.status = _FINAL[kind]
            if kind == "ExecutionSucceeded":
                latest.outcome = _outcome(data)
            else:
                latest.error = details.get("error") or kind
                latest.cause = history.summary(details.get("cause"))
                want_failure = failure and kind != "ExecutionAborted"
        if latest.state is None:
            if kind == "TaskSubmitted":
                pending["submitted"] = True
            elif kind in _TASK_ENDS:
                pending["task_end"] = kind
            elif kind.endswith("StateEntered"):
                latest.state, latest.since = details.get("name"), event["timestamp"]
                latest.waiting = (
                    latest.status == "RUNNING" and pending["submitted"] and pending["task_end"] is None
                )
        if want_failure:
            if counting is None and kind in ("TaskFailed", "TaskTimedOut"):
                counting = "attempts"
            elif counting is None and latest.events_read >= failure_window:
                want_failure = False
            if counting == "attempts":
                if kind in ("TaskFailed", "TaskTimedOut"):
                    latest.failed_attempts += 1
                elif kind.endswith("StateEntered"):
                    latest.failed_state = details.get("name")
                    want_failure = False
        if latest.state is not None and latest.session_id is not None and not want_failure:
            break
    return latest


# --- helpers -----------------------------------------------------------------------------------------


def _details(event: dict[str, Any]) -> dict[str, Any]:
    """The event's `...EventDetails` (each event type names its own)."""
    found = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
    return found if isinstance(found, dict) else {}


def _outcome(data: Any) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("outcome"), dict):
        step = data["outcome"].get("step")
        return step if isinstance(step, str) else None
    return None


def _choice(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    said = [f"{key} {data[key]}" for key in CHOICE_KEYS if isinstance(data.get(key), str)]
    return ", ".join(said) or None


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def _ms(start: datetime | None, end: datetime | None) -> int | None:
    return round((end - start).total_seconds() * 1000) if start and end else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
