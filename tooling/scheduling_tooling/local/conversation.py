"""Drive one booking execution the way the agent handlers do: open the session, start, reply with a
choice, wait for what the execution records on the session item. Tests, benchmarks and the local
walkthrough use it; reading history and polling DescribeExecution are for them, never for handlers."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from booking_bridge import BookingBridge, execution_arn
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.local.stack import EmbeddedStack
from session_store import Session, SessionStore


@dataclass
class Conversation:
    """One customer session driving one booking execution, the way the agent handlers will."""

    stack: EmbeddedStack
    bridge: BookingBridge
    store: SessionStore
    customer_id: str = DEMO_CUSTOMER
    client_id: str = DEMO_CLIENT
    session_id: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:16]}")
    session: Session | None = None

    def start(self, project_id: str, mode: str = "schedule", deadline: float = 60) -> Session:
        opened = self.store.open(self.session_id, self.customer_id, self.client_id)
        token = self.stack.sign_in(self.client_id, self.customer_id)  # as the agent handlers keep it
        self.stack.token_vault().keep(self.session_id, token)
        started = self.bridge.start(opened, project_id, mode)
        return self._wait(started.version, deadline)

    def reply(self, choice: dict[str, str], deadline: float = 60) -> Session:
        assert self.session is not None
        self.bridge.resume(self.session, choice)
        return self._wait(self.session.version, deadline)

    def _wait(self, version: int, deadline: float) -> Session:
        session = self.bridge.wait_for_change(self.session_id, version, deadline)
        assert session is not None
        self.session = session
        return session

    @property
    def execution_arn(self) -> str:
        assert self.session is not None
        assert self.session.execution_name
        return execution_arn(self.stack.state_machine_arn, self.session.execution_name)

    def finished(self, deadline: float = 60) -> dict[str, Any]:
        """DescribeExecution once it has stopped running (tests may poll; the handlers never do)."""
        end = time.monotonic() + deadline
        while True:
            described = self.stack.sfn.describe_execution(executionArn=self.execution_arn)
            if described["status"] != "RUNNING" or time.monotonic() > end:
                return dict(described)
            time.sleep(0.02)

    def history(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": self.execution_arn, "maxResults": 1000}
        while True:
            page = self.stack.sfn.get_execution_history(**kwargs)
            events += page["events"]
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]

    def entered(self) -> list[str]:
        """Names of the states entered, in order."""
        return [
            details["name"]
            for event in self.history()
            for key, details in event.items()
            if key == "stateEnteredEventDetails"
        ]

    def failed_attempts(self, state: str) -> int:
        """TaskFailed events while in `state`: each is one attempt the Retry policy saw fail."""
        count, current = 0, None
        for event in self.history():
            if "stateEnteredEventDetails" in event:
                current = event["stateEnteredEventDetails"]["name"]
            if event["type"] == "TaskFailed" and current == state:
                count += 1
        return count
