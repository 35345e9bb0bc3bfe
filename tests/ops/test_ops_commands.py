"""Each `scheduling ops` command on real executions: the facts an operator needs are in its output, and
every --json output follows its schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from booking_bridge import BookingBridge
from scheduling_tooling.local.conversation import Conversation
from scheduling_tooling.local.stack import EmbeddedStack
from scheduling_tooling.ops.schemas import check
from session_store import SessionStore

from .conftest import Booking, Run

Ops = Callable[..., Run]


def _row(listed: dict[str, Any], booking: Booking) -> dict[str, Any]:
    return next(r for r in listed["executions"] if r["name"] == booking.execution_name)


def test_list_shows_each_execution_with_its_outcome_newest_first(
    ops: Ops, bookings: dict[str, Booking]
) -> None:
    # When the operator lists every execution as JSON
    result = ops("list", "--limit", "100", "--json")
    assert result.status == 0
    listed = result.json()
    check("list", listed)
    # Then each booking is there with its status, outcome or current state, and its session
    expected = {
        "booked": ("SUCCEEDED", "confirmed"),
        "rescheduled": ("SUCCEEDED", "confirmed"),
        "cancelled": ("SUCCEEDED", "cancelled"),
        "expired": ("SUCCEEDED", "expired"),
        "failed": ("FAILED", None),
        "waiting": ("RUNNING", None),
        "long": ("RUNNING", None),
    }
    for key, (status, outcome) in expected.items():
        row = _row(listed, bookings[key])
        assert (row["status"], row["outcome"], row["session_id"]) == (
            status,
            outcome,
            bookings[key].session_id,
        )
        assert row["project_id"] == bookings[key].project_id
    assert _row(listed, bookings["failed"])["error"] == "PF360Unavailable"
    assert (_row(listed, bookings["waiting"])["state"], _row(listed, bookings["waiting"])["waiting"]) == (
        "Wait For Date",
        True,
    )
    assert _row(listed, bookings["long"])["state"] == "Wait For Slot"
    starts = [r["start"] for r in listed["executions"]]
    assert starts == sorted(starts, reverse=True)
    # And the table says the same for a person
    table = ops("list", "--limit", "100").out
    failed_line = next(line for line in table.splitlines() if bookings["failed"].execution_name in line)
    assert "FAILED" in failed_line
    assert "PF360Unavailable" in failed_line
    waiting_line = next(line for line in table.splitlines() if bookings["waiting"].execution_name in line)
    assert "waiting in Wait For Date" in waiting_line


def test_list_filters_by_customer_project_status_and_time(ops: Ops, bookings: dict[str, Booking]) -> None:
    def names(*words: str) -> set[str]:
        result = ops("list", "--limit", "100", "--json", *words)
        assert result.status == 0, result.err
        return {r["name"] for r in result.json()["executions"]}

    demo = {bookings[k].execution_name for k in ("booked", "failed", "expired", "rescheduled", "cancelled")}
    other = {bookings[k].execution_name for k in ("waiting", "long")}
    # By customer: through the session items' customer index, no lookup table
    assert names("--customer", bookings["booked"].customer_id) == demo
    assert names("--customer", bookings["waiting"].customer_id) >= other
    assert not names("--customer", "0000000")
    # By project, by status
    assert names("--project", "12347") == {bookings[k].execution_name for k in ("rescheduled", "cancelled")}
    assert names("--status", "failed") == {bookings["failed"].execution_name}
    # By time: all started within the last day, none before it
    assert names("--since", "1d") >= demo | other
    assert not names("--until", "1d")


def test_list_pages_through_everything_once(ops: Ops, bookings: dict[str, Booking]) -> None:
    # Given pages of two
    seen: list[str] = []
    token: str | None = None
    for _ in range(20):
        words = ["list", "--limit", "2", "--brief", "--json", *(["--next-token", token] if token else [])]
        page = ops(*words).json()
        check("list", page)
        assert len(page["executions"]) <= 2
        seen += [r["name"] for r in page["executions"]]
        token = page["next_token"]
        if not token:
            break
    # Then every execution came exactly once
    assert len(seen) == len(set(seen))
    assert {b.execution_name for b in bookings.values()} <= set(seen)


def test_show_a_booking_with_its_retries_and_the_customers_choices(
    ops: Ops, bookings: dict[str, Booking]
) -> None:
    booked = bookings["booked"]
    # When the operator asks about the customer's session
    result = ops("show", booked.session_id, "--json")
    assert result.status == 0
    shown = result.json()
    check("show", shown)
    (timeline,) = shown["executions"]
    # Then the timeline has the path, the two retried 503s with their error, the choices and the outcome
    assert timeline["execution"]["session_id"] == booked.session_id
    assert timeline["outcome"] == "confirmed"
    assert timeline["retried"] == {"Get Available Dates": 2}
    dates = next(s for s in timeline["steps"] if s["state"] == "Get Available Dates")
    assert [a["error"] for a in dates["attempts"]] == ["PF360Unavailable", "PF360Unavailable", None]
    assert all(a["wait_seconds"] is not None for a in dates["attempts"][:2])
    choices = [s["choice"] for s in timeline["steps"] if s["choice"]]
    assert choices == [f"date {booked.dates[0]}", f"slot {booked.slot}"]
    assert timeline["path"][-3:] == ["Confirm Appointment", "Record Outcome", "Done"]
    # And the table shows the same facts
    text = ops("show", booked.session_id).out
    for fact in (
        "attempt 1",
        "PF360Unavailable",
        f"customer chose date {booked.dates[0]}",
        "outcome: confirmed",
    ):
        assert fact in text


def test_show_a_failure_names_the_state_its_attempts_and_the_cause(
    ops: Ops, bookings: dict[str, Booking]
) -> None:
    failed = bookings["failed"]
    shown = ops("show", failed.execution_name, "--json").json()
    check("show", shown)
    (timeline,) = shown["executions"]
    assert (timeline["execution"]["status"], timeline["failed_state"], timeline["error"]) == (
        "FAILED",
        "Get Time Slots",
        "PF360Unavailable",
    )
    assert "get_time_slots" in timeline["cause"]
    assert "stackTrace" not in ops("show", failed.execution_name).out
    slots = next(s for s in timeline["steps"] if s["state"] == "Get Time Slots")
    assert len(slots["attempts"]) == 5  # the first and MaxAttempts (4) retries
    text = ops("show", failed.execution_name).out
    assert "failed in Get Time Slots: PF360Unavailable" in text


@pytest.mark.parametrize(
    ("key", "outcome", "states"),
    [
        ("expired", "expired", ["Wait For Date", "Customer Walked Away"]),
        ("rescheduled", "confirmed", ["Read Appointment", "Release Appointment", "Confirm Appointment"]),
        ("cancelled", "cancelled", ["Cancel Appointment"]),
    ],
)
def test_show_other_outcomes(
    ops: Ops, bookings: dict[str, Booking], key: str, outcome: str, states: list[str]
) -> None:
    (timeline,) = ops("show", bookings[key].session_id, "--json").json()["executions"]
    assert timeline["outcome"] == outcome
    assert all(state in timeline["path"] for state in states)
    if key == "expired":
        wait = next(s for s in timeline["steps"] if s["state"] == "Wait For Date")
        assert (wait["error"], wait["choice"]) == ("States.Timeout", None)
        assert "the wait timed out" in ops("show", bookings[key].session_id).out


def test_show_never_prints_a_task_token(
    ops: Ops, ops_stack: EmbeddedStack, bookings: dict[str, Booking]
) -> None:
    # Given a booking waiting for the customer (its token is on the session item and in the history)
    waiting = bookings["waiting"]
    item = ops_stack.dynamodb.get_item(
        TableName=ops_stack.resources.table_name, Key={"session_id": {"S": waiting.session_id}}
    )["Item"]
    token = item["task_token"]["S"]
    # Then neither the table nor the JSON carries it
    for words in (["show", waiting.session_id], ["show", waiting.session_id, "--json"], ["list", "--json"]):
        assert token not in ops(*words).out


def test_waiting_lists_only_waits_older_than_asked(ops: Ops, bookings: dict[str, Booking]) -> None:
    # Given two executions waiting for their customer (the long one for a slot)
    ours = {bookings["waiting"].execution_name, bookings["long"].execution_name}
    result = ops("waiting", "--older-than", "0s", "--json")
    assert result.status == 0
    waiting = result.json()
    check("waiting", waiting)
    rows = {r["name"]: r for r in waiting["waiting"]}
    assert rows[bookings["waiting"].execution_name]["state"] == "Wait For Date"
    assert rows[bookings["long"].execution_name]["state"] == "Wait For Slot"
    assert rows[bookings["waiting"].execution_name]["session_id"] == bookings["waiting"].session_id
    # When the threshold is one both have passed (a wait only grows older), Then both are listed
    youngest = min(rows[name]["waiting_seconds"] for name in ours)
    again = ops("waiting", "--older-than", f"{max(youngest - 1, 0)}s", "--json").json()
    assert ours <= {r["name"] for r in again["waiting"]}
    # When it is longer than the oldest has waited, Then none is listed
    oldest = max(r["waiting_seconds"] for r in rows.values())
    assert ops("waiting", "--older-than", f"{oldest + 3600}s", "--json").json()["waiting"] == []


def test_failures_are_grouped_by_error_and_state(ops: Ops, bookings: dict[str, Booking]) -> None:
    result = ops("failures", "--since", "1d", "--json")
    assert result.status == 0
    failures = result.json()
    check("failures", failures)
    group = next(g for g in failures["groups"] if g["error"] == "PF360Unavailable")
    assert (group["state"], group["count"]) == ("Get Time Slots", 1)
    assert group["example"]["name"] == bookings["failed"].execution_name
    assert group["example"]["failed_attempts"] == 5
    assert "HTTP 503" in group["example"]["cause"]
    assert "Get Time Slots" in ops("failures", "--since", "1d").out


def test_stats_counts_outcomes_retries_and_the_cost_per_booking(
    ops: Ops, bookings: dict[str, Booking]
) -> None:
    result = ops("stats", "--since", "1d", "--json")
    assert result.status == 0
    stats = result.json()
    check("stats", stats)
    outcomes = stats["outcomes"]
    assert (outcomes["confirmed"], outcomes["cancelled"], outcomes["expired"], outcomes["failed"]) == (
        2,
        1,
        1,
        1,
    )
    assert outcomes["waiting"] == 2
    assert stats["steps"]["Get Available Dates"]["retries"] == 2
    assert stats["steps"]["Get Time Slots"]["retries"] == 4
    assert stats["steps"]["Get Time Slots"]["p50_ms"] <= stats["steps"]["Get Time Slots"]["p95_ms"]
    # The booked one: 9 states and 2 retries; the reschedule: 11 states
    assert stats["completed_bookings"] == 2
    assert stats["transitions_per_completed_booking"]["mean"] == pytest.approx(11)
    cost = stats["cost_per_1000_completed_bookings_usd"]
    assert cost["step_functions"] == pytest.approx(11 * 0.025)
    assert cost["total"] == pytest.approx(sum(v for k, v in cost.items() if k != "total"))
    text = ops("stats", "--since", "1d").out
    assert "AWS cost per 1,000 completed bookings" in text
    assert "$0.025 per 1,000 transitions" in text


def test_stop_ends_a_waiting_execution_and_says_why(
    ops: Ops, ops_stack: EmbeddedStack, bookings: dict[str, Booking]
) -> None:
    # Given a booking waiting for its customer
    ops_stack.export_env()
    store = SessionStore(ops_stack.resources.table_name, clock=ops_stack.clock.now)
    bridge = BookingBridge(store, ops_stack.sfn, ops_stack.state_machine_arn, timeout_seconds=1800)
    waiting = bookings["waiting"]
    conversation = Conversation(ops_stack, bridge, store, customer_id=waiting.customer_id)
    conversation.client_id = store.get(waiting.session_id).client_id
    conversation.start(waiting.project_id)
    name = conversation.execution_arn.rsplit(":", 1)[1]
    # When the operator stops it with a cause
    result = ops("stop", name, "--cause", "asked by phone to stop")
    # Then it is stopped, the history keeps the cause, and a second stop has nothing to do
    assert result.status == 0, result.err
    assert "Wait For Date" in result.out
    assert conversation.finished()["status"] == "ABORTED"
    (timeline,) = ops("show", name, "--json").json()["executions"]
    # (moto 5.2.5 drops StopExecution's error and cause from the history; AWS keeps them)
    assert (timeline["execution"]["status"], timeline["path"][-1]) == ("ABORTED", "Wait For Date")
    assert "aborted" in ops("show", name).out
    again = ops("stop", name, "--cause", "again")
    assert again.status == 1
    assert "ABORTED" in again.err


def test_redrive_is_refused_on_the_local_stack(ops: Ops, bookings: dict[str, Booking]) -> None:
    result = ops("redrive", bookings["failed"].execution_name)
    assert result.status == 2
    assert "RedriveExecution" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_unknown_session_and_execution_are_one_line_errors(ops: Ops, bookings: dict[str, Booking]) -> None:
    unknown = ops("show", "no-such-session")
    assert (unknown.status, unknown.out) == (2, "")
    assert "unknown session no-such-session" in unknown.err
    missing = ops("show", bookings["booked"].execution_name.replace("schedule-", "cancel-", 1))
    assert missing.status == 2
    assert "no such execution" in missing.err
    for result in (unknown, missing):
        assert len(result.err.strip().splitlines()) == 1
        assert "Traceback" not in result.err


def test_schemas_reject_what_they_do_not_promise(ops: Ops) -> None:
    listed = ops("list", "--limit", "1", "--json").json()
    del listed["executions"][0]["status"]
    with pytest.raises(jsonschema.ValidationError):
        check("list", listed)
