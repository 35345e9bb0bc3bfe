"""Start and resume booking executions, and wait for what they record on the session item.

The conversation path never polls Step Functions APIs (their quotas are small): it reads the session
item, where the waiting states write their task token and offers and the final states write the
outcome. Execution names are deterministic per (session, project, mode, attempt), so a retried start
is idempotent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from typing import Any

from session_store import PENDING_STEPS, Session, SessionConflict, SessionStore

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class BookingNotWaiting(Exception):
    """The execution is not waiting for the customer any more (it moved on, finished or expired)."""


def execution_name(session_id: str, project_id: str, mode: str, attempt: int | str) -> str:
    """Valid characters only, at most 80, readable by ops: `schedule-12345-3-<hash of the session>`."""
    digest = hashlib.sha256(session_id.encode()).hexdigest()[:24]
    name = (
        f"{mode}-{_NAME_UNSAFE.sub('', project_id)[:18]}-{_NAME_UNSAFE.sub('', str(attempt))[:20]}-{digest}"
    )
    return name[:80]


def attempt_of(session: Session) -> str:
    """Unique per start for the life of a session id: the version counts starts, and the creation
    time tells a session recreated after DynamoDB's TTL deleted it (names stay reserved 90 days)."""
    return f"{session.version}-{_base36(session.created_at)}" if session.created_at else str(session.version)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"


class BookingBridge:
    def __init__(
        self,
        store: SessionStore,
        sfn: Any,
        state_machine_arn: str,
        *,
        timeout_seconds: int = 1800,
        poll_seconds: float = 0.01,
        max_poll_seconds: float = 0.2,
    ) -> None:
        self.store = store
        self.sfn = sfn
        self.state_machine_arn = state_machine_arn
        self.timeout_seconds = timeout_seconds
        self.poll_seconds = poll_seconds
        self.max_poll_seconds = max_poll_seconds

    def start(self, session: Session, project_id: str, mode: str) -> Session:
        """Point the session at a new execution and start it. Raises SessionConflict if the session
        moved since it was read (a concurrent start): the caller re-reads and answers from it."""
        name = execution_name(session.session_id, project_id, mode, attempt_of(session))
        started = self.store.begin_booking(session, project_id, mode, name)
        self.sfn.start_execution(
            stateMachineArn=self.state_machine_arn, name=name, input=self._input(started)
        )
        return started

    def execution_arn(self, name: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + name

    def ensure_started(self, session: Session) -> None:
        """Start again the execution a session says is starting (its first start may have failed
        after the session was written): same name, same input, so a running one is not doubled."""
        if session.step == "starting" and session.execution_name and session.project_id and session.mode:
            with contextlib.suppress(
                self.sfn.exceptions.ExecutionAlreadyExists
            ):  # it ran: its outcome follows
                self.sfn.start_execution(
                    stateMachineArn=self.state_machine_arn,
                    name=session.execution_name,
                    input=self._input(session),
                )

    def _input(self, session: Session) -> str:
        return json.dumps(
            {
                "session_id": session.session_id,
                "client_id": session.client_id,
                "customer_id": session.customer_id,
                "project_id": session.project_id,
                "mode": session.mode,
                "timeout_seconds": self.timeout_seconds,
            }
        )

    def resume(self, session: Session, choice: dict[str, str]) -> Session:
        """Hand the customer's choice to the waiting state. The token is claimed on the session first,
        so a concurrent or retried call cannot send it twice and nobody reads a spent offer."""
        if not session.waiting or not session.task_token:
            raise BookingNotWaiting(f"session is {session.step}")
        try:
            claimed = self.store.claim_waiting(session)
        except SessionConflict:
            raise BookingNotWaiting("someone else answered it") from None
        try:
            self.sfn.send_task_success(taskToken=session.task_token, output=json.dumps(choice))
        except self._gone() as error:  # it expired meanwhile: its own record write follows
            raise BookingNotWaiting(type(error).__name__) from None
        return claimed

    def abandon(self, session: Session) -> None:
        """End a waiting execution the customer has left (e.g. they started over)."""
        if session.waiting and session.task_token:
            with contextlib.suppress(*self._gone()):  # it had already moved on
                self.sfn.send_task_failure(
                    taskToken=session.task_token, error="Booking.Abandoned", cause="the customer started over"
                )

    def _gone(self) -> tuple[type[Exception], ...]:
        """Errors saying the task token no longer has a waiting state behind it."""
        errors = self.sfn.exceptions
        return (errors.TaskTimedOut, errors.InvalidToken, errors.TaskDoesNotExist)

    def wait_for_change(self, session_id: str, after_version: int, deadline_seconds: float) -> Session | None:
        """The session once the execution has written past `after_version` (a new offer or an
        outcome), or the latest read when the deadline passes first ("still working")."""
        deadline = time.monotonic() + deadline_seconds
        pause = self.poll_seconds
        while True:
            session = self.store.get(session_id)
            if session is None or (session.version > after_version and session.step not in PENDING_STEPS):
                return session
            if time.monotonic() >= deadline:
                return session
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 1.5, self.max_poll_seconds)  # quick answers fast, slow ones cheaply
