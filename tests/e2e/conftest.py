"""The agent handlers end to end: Bedrock events through the Lambda Invoke API of the local stack,
into the real handlers, the real state machine, the PF360 simulator over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack

# Wall-clock bounds on things that will answer, generous so a busy machine cannot trip them; the
# engine's own time is manual (nothing times out until a test calls stack.advance()).
PF360_READ_TIMEOUT = 30.0
ANSWER_DEADLINE = 25.0  # the most AgentSettings allows


@pytest.fixture(scope="module")
def local_stack() -> Iterator[EmbeddedStack]:
    with EmbeddedStack(
        manual_time=True, pf360_timeout_seconds=PF360_READ_TIMEOUT, answer_deadline_seconds=ANSWER_DEADLINE
    ) as stack:
        yield stack


@pytest.fixture
def stack(local_stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch) -> EmbeddedStack:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    local_stack.answer_deadline_seconds = ANSWER_DEADLINE  # a test may have shortened these
    local_stack.session_timeout_seconds = 1800
    local_stack.export_env()
    local_stack.use_own_time()
    requests.post(f"{local_stack.simulator.url}/_sim/reset", timeout=5).raise_for_status()
    requests.delete(f"{local_stack.simulator.url}/_sim/faults", timeout=5).raise_for_status()
    return local_stack


@pytest.fixture
def answer_deadline(stack: EmbeddedStack) -> Callable[[float | None], None]:
    """Set the handlers' answer deadline, as a cold start would read it (None: the generous default)."""

    def set_deadline(seconds: float | None) -> None:
        stack.answer_deadline_seconds = ANSWER_DEADLINE if seconds is None else seconds
        stack.export_env()

    return set_deadline


@pytest.fixture
def agent(stack: EmbeddedStack) -> AgentClient:
    return AgentClient(stack.lambdas.url)


@pytest.fixture
def sfn_calls(stack: EmbeddedStack) -> Iterator[list[str]]:
    """Every Step Functions API call the agent handlers make (a botocore hook on their real client)."""
    from agent_actions.services import services

    seen: list[str] = []
    client = services().bridge.sfn

    def count(model: Any, **_: Any) -> None:
        seen.append(model.name)

    client.meta.events.register("before-call.sfn", count)
    yield seen
    client.meta.events.unregister("before-call.sfn", count)
