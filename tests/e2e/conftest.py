"""The agent handlers end to end: Bedrock events through the Lambda Invoke API of the local stack,
into the real handlers, the real state machine, the PF360 simulator over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local import moto_fixes
from scheduling_tooling.local.stack import LocalStack

TIME_SCALE = 0.01


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStack]:
    with LocalStack(time_scale=TIME_SCALE, pf360_timeout_seconds=1.0, answer_deadline_seconds=10) as stack:
        yield stack


@pytest.fixture
def stack(local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> LocalStack:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    local_stack.export_env()
    moto_fixes.TIME.scale = TIME_SCALE
    requests.post(f"{local_stack.simulator.url}/_sim/reset", timeout=5).raise_for_status()
    requests.delete(f"{local_stack.simulator.url}/_sim/faults", timeout=5).raise_for_status()
    return local_stack


@pytest.fixture
def agent(stack: LocalStack) -> AgentClient:
    return AgentClient(stack.lambdas.url)


@pytest.fixture
def sfn_calls(stack: LocalStack) -> Iterator[list[str]]:
    """Every Step Functions API call the agent handlers make (a botocore hook on their real client)."""
    from agent_actions.services import services

    seen: list[str] = []
    client = services().bridge.sfn

    def count(model: Any, **_: Any) -> None:
        seen.append(model.name)

    client.meta.events.register("before-call.sfn", count)
    yield seen
    client.meta.events.unregister("before-call.sfn", count)
