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

from session_store import Session, SessionStore

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class BookingNotWaiting(Exception):
    """The execution is not waiting for the customer any more (it moved on, finished or expired)."""


def execution_name(session_id: str, project_id: str, mode: str, attempt: int) -> str:
    """Valid characters only, at most 80, readable by ops: `schedule-12345-3-<hash of the session>`."""
    digest = hashlib.sha256(session_id.encode()).hexdigest()[:24]
    name = f"{mode}-{_NAME_UNSAFE.sub('', project_id)[:18]}-{attempt}-{digest}"
    return name[:80]


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
        name = execution_name(session.session_id, project_id, mode, session.version)
        started = self.store.begin_booking(session, project_id, mode, name)
        document = {
            "session_id": session.session_id,
            "client_id": session.client_id,
            "customer_id": session.customer_id,
            "project_id": project_id,
            "mode": mode,
            "timeout_seconds": self.timeout_seconds,
        }
        with contextlib.suppress(self.sfn.exceptions.ExecutionAlreadyExists):  # a retry of this start
            self.sfn.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(document)
            )
        return started

    def resume(self, session: Session, choice: dict[str, str]) -> None:
        """Hand the customer's choice to the waiting state."""
        if not session.waiting or not session.task_token:
            raise BookingNotWaiting(f"session is {session.step}")
        try:
            self.sfn.send_task_success(taskToken=session.task_token, output=json.dumps(choice))
        except self._gone() as error:
            raise BookingNotWaiting(type(error).__name__) from None

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
            if session is None or (session.version > after_version and session.step != "starting"):
                return session
            if time.monotonic() >= deadline:
                return session
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 1.5, self.max_poll_seconds)  # quick answers fast, slow ones cheaply
