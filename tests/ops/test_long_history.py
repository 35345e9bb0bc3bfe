"""Long histories are read no further than the answer needs: newest first, page by page.

The local engine (moto 5.2.5) returns a whole history in one page whatever is asked, so these tests
read the real history through a client that pages it as AWS does (maxResults, reverseOrder,
nextToken) and count the GetExecutionHistory calls."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from scheduling_tooling.local.stack import EmbeddedStack
from scheduling_tooling.ops.timeline import read_latest, read_timeline
from scheduling_tooling.target import Target

from .conftest import DATE_CHANGES, Booking, Run


class PagedAsAws:
    """A Step Functions client whose GetExecutionHistory pages the real history as AWS does."""

    def __init__(self, sfn: Any) -> None:
        self.sfn = sfn
        self.history_calls: list[dict[str, Any]] = []

    def get_execution_history(
        self, *, executionArn: str, maxResults: int = 100, reverseOrder: bool = False, nextToken: str = "0"
    ) -> dict[str, Any]:
        self.history_calls.append({"arn": executionArn, "reverse": reverseOrder, "max": maxResults})
        events = self.sfn.get_execution_history(executionArn=executionArn)["events"]
        events = events[::-1] if reverseOrder else events
        start = int(nextToken)
        page = {"events": events[start : start + maxResults]}
        return {**page, "nextToken": str(start + maxResults)} if start + maxResults < len(events) else page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sfn, name)


@pytest.fixture
def long_arn(ops_stack: EmbeddedStack, bookings: dict[str, Booking]) -> str:
    return (
        ops_stack.state_machine_arn.replace(":stateMachine:", ":execution:")
        + ":"
        + bookings["long"].execution_name
    )


def test_the_current_wait_of_a_long_history_takes_one_page(ops_stack: EmbeddedStack, long_arn: str) -> None:
    # Given a conversation whose customer changed the date many times (hundreds of events)
    sfn = PagedAsAws(ops_stack.sfn)
    total = len(ops_stack.sfn.get_execution_history(executionArn=long_arn)["events"])
    assert total > 10 * DATE_CHANGES
    # When its current state is read
    latest = read_latest(sfn, long_arn)
    # Then one page of the newest events answered it
    assert (latest.state, latest.waiting, latest.status) == ("Wait For Slot", True, "RUNNING")
    assert [c["reverse"] for c in sfn.history_calls] == [True]
    assert latest.events_read < 25


def test_the_whole_timeline_reads_every_page_and_a_cap_keeps_the_newest(
    ops_stack: EmbeddedStack, long_arn: str, bookings: dict[str, Booking]
) -> None:
    sfn = PagedAsAws(ops_stack.sfn)
    total = len(ops_stack.sfn.get_execution_history(executionArn=long_arn)["events"])
    # When the whole timeline is read in pages of 100
    timeline = read_timeline(sfn, long_arn, page_size=100)
    # Then every page was needed, and every date change is in it
    assert len(sfn.history_calls) == math.ceil(total / 100)
    assert [s.choice for s in timeline.steps if s.choice] == [f"date {d}" for d in bookings["long"].dates]
    # When capped at 50 events, Then only the newest are read, newest first, and it says so
    capped = PagedAsAws(ops_stack.sfn)
    recent = read_timeline(capped, long_arn, page_size=100, max_events=50)
    assert recent.truncated
    assert recent.steps[-1].state == "Wait For Slot"
    assert recent.steps[-1].waiting
    assert capped.history_calls[-1]["reverse"] is True


def test_ops_waiting_reads_one_page_per_running_execution(
    ops: Callable[..., Run], ops_stack: EmbeddedStack, long_arn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the command's Step Functions client pages histories as AWS does
    paged = PagedAsAws(ops_stack.sfn)
    real_client = Target.client

    def client(self: Target, service: str) -> Any:
        made = real_client(self, service)
        if service == "stepfunctions":
            paged.sfn = made
            return paged
        return made

    monkeypatch.setattr(Target, "client", client)
    # When the operator asks what waits for a customer
    result = ops("waiting", "--older-than", "0s", "--json")
    # Then the long conversation is found with a single history page
    assert result.status == 0, result.err
    assert any(r["arn"] == long_arn for r in result.json()["waiting"])
    assert sum(1 for c in paged.history_calls if c["arn"] == long_arn) == 1
