"""The console and the execution picture over a real local stack: one stack per module, on a manual
clock (retry backoff is instant, nothing expires unless a test calls `advance`), serving the AWS API
on a free port with the console mounted on it, as `scheduling local up` serves them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.console.app import mount
from scheduling_tooling.local import discovery
from scheduling_tooling.local.stack import EmbeddedStack

# Wall-clock bounds on calls that will answer (generous for a busy machine); engine time is manual.
PF360_READ_TIMEOUT = 30.0
ANSWER_DEADLINE = 25.0
TRIES = 2  # the console asks one agent turn at most this often while "still working"
TURN_BOUND_SECONDS = TRIES * (ANSWER_DEADLINE + 5)  # so one agent turn through the console ends within this


@dataclass
class Served:
    stack: EmbeddedStack
    endpoint: str  # the AWS API, where other commands find the stack
    console: str  # the console's URL


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with EmbeddedStack(
        manual_time=True,
        serve_api=True,
        pf360_timeout_seconds=PF360_READ_TIMEOUT,
        answer_deadline_seconds=ANSWER_DEADLINE,
    ) as stack:
        published = discovery.publish(stack)
        yield Served(stack, published.info.aws_endpoint, mount(stack, published, tries=TRIES))


@pytest.fixture
def stack(served: Served, monkeypatch: pytest.MonkeyPatch) -> EmbeddedStack:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
    served.stack.export_env()  # the per-test environment reset removed it
    served.stack.use_own_time()
    sim = served.stack.simulator.url
    requests.post(f"{sim}/_sim/reset", timeout=5).raise_for_status()
    requests.delete(f"{sim}/_sim/faults", timeout=5).raise_for_status()
    return served.stack


@pytest.fixture
def agent(stack: EmbeddedStack) -> AgentClient:
    return AgentClient(stack.lambdas.url)


class Executions:
    """What the tests read from the stack directly (GetExecutionHistory, not through ops.timeline)."""

    def __init__(self, stack: EmbeddedStack) -> None:
        self.stack = stack

    def newest_of(self, agent: AgentClient) -> dict[str, Any]:
        executions = self.stack.executions_of(agent.session_id)
        assert executions, "the conversation started no execution"
        return max(executions, key=lambda e: e["startDate"])

    def finished(self, arn: str, deadline: float = 60) -> dict[str, Any]:
        """DescribeExecution once the execution stopped (it runs on after the answer the agent got)."""
        end = time.monotonic() + deadline
        while True:
            described: dict[str, Any] = self.stack.sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING" or time.monotonic() > end:
                return described
            time.sleep(0.02)

    def entered(self, arn: str) -> list[str]:
        """The states entered, in order."""
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
        while True:
            page = self.stack.sfn.get_execution_history(**kwargs)
            events += page["events"]
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]

    def book(self, agent: AgentClient, project: str = "12345") -> dict[str, Any]:
        """A whole booking through the action groups; the finished execution's description."""
        dates = agent.call("get_available_dates", project_id=project).body["available_dates"]
        times = agent.call("get_time_slots", project_id=project, date=dates[0]).body["available_times"]
        confirmed = agent.call("confirm_appointment", project_id=project, date=dates[0], time=times[0])
        assert confirmed.status == 200, confirmed.message
        return self.finished(self.newest_of(agent)["executionArn"])


@pytest.fixture
def executions(stack: EmbeddedStack) -> Executions:
    return Executions(stack)
