"""Start and resume booking executions, and wait for what they record on the session item.

The conversation path never polls Step Functions APIs (their quotas are small): it reads the session
item, where the waiting states write their task token and offers and the final states write the
outcome. Execution names are deterministic per (session, project, mode, attempt), so a retried start
is idempotent.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from booking_bridge.names import attempt_of, execution_arn, execution_name
from session_store import PENDING_STEPS, Session, SessionConflict, SessionStore


class BookingNotWaiting(Exception):
    """The execution is not waiting for the customer any more (it moved on, finished or expired)."""


class HandOverFailed(Exception):
    """Step Functions could not be reached with the customer's choice, even after retries.

    `given_back`: the claim was undone (the session waits again, token and offers restored), so the
    customer's next call can resume it. False only if DynamoDB failed too (the wait's own timeout is
    then the backstop)."""

    def __init__(self, error: Exception, *, given_back: bool) -> None:
        super().__init__(f"SendTaskSuccess failed: {type(error).__name__}")
        self.error_type = type(error).__name__  # a class name only: never the token or the choice
        self.given_back = given_back


class BookingBridge:
    def __init__(
        self,
        store: SessionStore,
        sfn: Any,
        state_machine_arn: str,
        *,
        timeout_seconds: int = 1800,
        first_poll_seconds: float = 0.025,
        poll_seconds: float = 0.01,
        poll_backoff: float = 1.5,
        max_poll_seconds: float = 0.5,
        send_attempts: int = 3,
        send_backoff_seconds: float = 0.1,
        send_budget_seconds: float = 4.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.sfn = sfn
        self.state_machine_arn = state_machine_arn
        self.timeout_seconds = timeout_seconds
        # wait_for_change's schedule: the first read, then pauses growing by poll_backoff up to the cap.
        self.first_poll_seconds = first_poll_seconds
        self.poll_seconds = poll_seconds
        self.poll_backoff = poll_backoff
        self.max_poll_seconds = max_poll_seconds
        # The bridge owns retries of its Step Functions calls: give it a client without botocore's own
        # (services does), or a try multiplies into several and the budget means nothing.
        self.send_attempts = send_attempts
        self.send_backoff_seconds = send_backoff_seconds
        self.send_budget_seconds = send_budget_seconds
        self._sleep = sleep

    def start(self, session: Session, project_id: str, mode: str, project_name: str | None = None) -> Session:
        """Point the session at a new execution and start it. Raises SessionConflict if the session
        moved since it was read (a concurrent start): the caller re-reads and answers from it."""
        name = execution_name(session.session_id, project_id, mode, attempt_of(session))
        started = self.store.begin_booking(session, project_id, mode, name, project_name)
        # Same name, same input: a retried start that had landed returns the same execution.
        self._retrying(
            lambda: self.sfn.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=self._input(started)
            )
        )
        return started

    def execution_arn(self, name: str) -> str:
        return execution_arn(self.state_machine_arn, name)

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
        so a concurrent or retried call cannot send it twice and nobody reads a spent offer.

        A send that still fails after retries gives the claim back and raises HandOverFailed: a
        session left `working` with no token would answer "still working" until the wait expired."""
        if not session.waiting or not session.task_token:
            raise BookingNotWaiting(f"session is {session.step}")
        try:
            claimed = self.store.claim_waiting(session)
        except SessionConflict:
            raise BookingNotWaiting("someone else answered it") from None
        try:
            self._hand_over(session.task_token, json.dumps(choice))
        except self._gone() as error:  # it expired meanwhile: its own record write follows
            raise BookingNotWaiting(type(error).__name__) from None
        except Exception as error:  # whatever it was, the session must not stay claimed
            raise HandOverFailed(error, given_back=self._give_back(claimed, session)) from error
        return claimed

    def _hand_over(self, token: str, output: str) -> None:
        """SendTaskSuccess, retried on transient failures. A failed try may still have landed (its
        answer lost): resending the same token is safe, and "token gone" on a later try means an
        earlier one was delivered, so it counts as delivered, not as an error."""
        tries = 0

        def send() -> None:
            nonlocal tries
            tries += 1
            try:
                self.sfn.send_task_success(taskToken=token, output=output)
            except self._gone():
                if tries == 1:
                    raise
                # spent by our own earlier try (or the wait ended since: the execution records that)

        self._retrying(send)

    def _give_back(self, claimed: Session, waiting: Session) -> bool:
        """Restore the waiting state a failed hand-over claimed. If the execution wrote meanwhile, it
        did get the choice (or its wait ended) and its own write stands: nothing is stranded. (The
        store's client retries DynamoDB itself.)"""
        try:
            self.store.give_back(claimed, waiting)
        except SessionConflict:
            return True
        except Exception:  # DynamoDB failing too: the caller says so; the wait's timeout ends it
            return False
        return True

    def _retrying(self, call: Callable[[], object]) -> None:
        """`call()`, tried again on transient failures with doubling pauses (0.1 s, 0.2 s by default),
        no new try once `send_budget_seconds` would be spent: a blip is ridden out and a failure is
        reported well within the answer deadline. The last error propagates."""
        began = time.monotonic()
        for attempt in range(1, self.send_attempts + 1):
            try:
                call()
                return
            except Exception as error:
                pause = self.send_backoff_seconds * 2 ** (attempt - 1)
                out_of_time = time.monotonic() - began + pause > self.send_budget_seconds
                if attempt == self.send_attempts or out_of_time or not _transient(error):
                    raise
                self._sleep(pause)

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
        outcome), or the latest read when the deadline passes first ("still working").

        Called right after a hand-over (or a read that found no answer yet), when a read at once
        would find nothing, so the first read waits `first_poll_seconds`: about when answers arrive
        (measured on the local stack, start -> dates, date -> slots and slot -> confirmed alike: p25
        21 ms, p50 25 ms, p90 45 ms, p99 130 ms). The pauses then grow from `poll_seconds` by
        `poll_backoff` (reads at 25, 35, 50, 72, 106, 157 ms, ...) up to `max_poll_seconds`: a quick
        answer is seen within about 10 ms, a slow one (PF360 retries take seconds) costs a read per
        half second, and the last read is at the deadline (25 reads in 8 s). Deadline 0: one read."""
        deadline = time.monotonic() + deadline_seconds
        wait, pause = self.first_poll_seconds, self.poll_seconds
        while True:
            time.sleep(max(0.0, min(wait, deadline - time.monotonic())))
            session = self.store.get(session_id)
            if session is None or (session.version > after_version and session.step not in PENDING_STEPS):
                return session
            if time.monotonic() >= deadline:
                return session
            wait, pause = pause, min(pause * self.poll_backoff, self.max_poll_seconds)


def _transient(error: Exception) -> bool:
    """Worth another try: no answer at all (connection refused or reset, timeouts), throttling, or a
    Step Functions 5xx. A 4xx such as InvalidOutput would only fail the same way again."""
    if isinstance(error, BotoCoreError):
        return True
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return status >= 500 or "Throttl" in code
    return False
