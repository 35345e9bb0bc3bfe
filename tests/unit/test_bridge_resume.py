"""Issue 7, defect 1: a failed hand-over (SendTaskSuccess) must never strand the session.

The bridge against moto's DynamoDB (the real session store) and a real boto3 Step Functions client
under moto. Failures are injected with botocore hooks on that client, the way a network or service
fault reaches the handlers; the sleep between tries is recorded, not slept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from moto import mock_aws

from booking_bridge import BookingBridge, BookingNotWaiting
from booking_bridge.bridge import HandOverFailed
from session_store import Session, SessionStore

TABLE = "sessions-under-test"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:booking"
TOKEN = "token-of-the-date-wait"
DATES = ["2026-12-01", "2026-12-02"]


class Faults:
    """SendTaskSuccess outcomes, one per try, in order; an empty plan lets the call through."""

    def __init__(self, sfn: Any) -> None:
        self.plan: list[Callable[[], None]] = []
        self.tries = 0
        self.lost_answers = 0
        sfn.meta.events.register("before-call.sfn.SendTaskSuccess", self._before)
        sfn.meta.events.register("after-call.sfn.SendTaskSuccess", self._after)

    def _before(self, **_: Any) -> None:
        self.tries += 1
        if self.plan:
            self.plan.pop(0)()

    def _after(self, **_: Any) -> None:
        if self.lost_answers:  # the call landed; its answer never comes back
            self.lost_answers -= 1
            raise EndpointConnectionError(endpoint_url="https://states.us-east-1.amazonaws.com")


def unreachable() -> None:
    raise EndpointConnectionError(endpoint_url="https://states.us-east-1.amazonaws.com")


def client_error(code: str, status: int, sfn: Any = None) -> Callable[[], None]:
    """A Step Functions error answer; with `sfn`, as the modeled class botocore raises for `code`."""

    def raise_it() -> None:
        response: Any = {
            "Error": {"Code": code, "Message": "x"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        kind = getattr(sfn.exceptions, code) if sfn is not None else ClientError
        raise kind(response, "SendTaskSuccess")

    return raise_it


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any]]:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}],
        )
        yield ddb, boto3.client("stepfunctions", region_name="us-east-1")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def bridge(aws: tuple[Any, Any], sleeps: list[float]) -> BookingBridge:
    ddb, sfn = aws
    return BookingBridge(SessionStore(TABLE, client=ddb), sfn, MACHINE, sleep=sleeps.append)


@pytest.fixture
def faults(bridge: BookingBridge) -> Faults:
    return Faults(bridge.sfn)


def waiting_for_a_date(bridge: BookingBridge, ddb: Any) -> Session:
    """A session whose execution waits for a date, written the way the ASL's wait state writes it."""
    store = bridge.store
    started = store.begin_booking(store.open("s1", "1645975", "09PF05VD"), "12345", "schedule", "exec-1")
    ddb.update_item(
        TableName=TABLE,
        Key={"session_id": {"S": "s1"}},
        UpdateExpression="SET step = :s, task_token = :t, offered_dates = :d, version = version + :one "
        "REMOVE offered_slots, slots_date",
        ExpressionAttributeValues={
            ":s": {"S": "awaiting_date"},
            ":t": {"S": TOKEN},
            ":d": {"S": json.dumps(DATES)},
            ":one": {"N": "1"},
        },
    )
    session = store.get("s1")
    assert session is not None
    assert session.version == started.version + 1
    return session


def test_a_hand_over_failing_once_is_retried_after_a_short_pause(
    bridge: BookingBridge, aws: tuple[Any, Any], faults: Faults, sleeps: list[float]
) -> None:
    waiting = waiting_for_a_date(bridge, aws[0])
    faults.plan = [unreachable]
    claimed = bridge.resume(waiting, {"date": DATES[0]})
    assert (faults.tries, sleeps) == (2, [0.1])
    assert claimed.step == "working"
    assert bridge.store.get("s1").step == "working"  # type: ignore[union-attr]  # handed over


def test_failed_resume_hand_over_never_strands_the_session(
    bridge: BookingBridge, aws: tuple[Any, Any], faults: Faults, sleeps: list[float]
) -> None:
    # Given Step Functions cannot be reached on any try
    waiting = waiting_for_a_date(bridge, aws[0])
    faults.plan = [unreachable] * 3
    with pytest.raises(HandOverFailed) as failed:
        bridge.resume(waiting, {"date": DATES[0]})
    # Then it was tried 3 times, within a bounded pause, and the claim was given back
    assert (faults.tries, sleeps) == (3, [0.1, 0.2])
    assert failed.value.given_back is True
    assert failed.value.error_type == "EndpointConnectionError"
    restored = bridge.store.get("s1")
    assert restored is not None
    assert (restored.step, restored.task_token, list(restored.offered_dates)) == (
        "awaiting_date",
        TOKEN,
        DATES,
    )
    assert restored.version == waiting.version + 2  # the claim, then the give-back: both visible
    # And once Step Functions answers again, the same choice goes through
    assert bridge.resume(restored, {"date": DATES[0]}).step == "working"


def test_a_hand_over_whose_answer_was_lost_counts_as_delivered(
    bridge: BookingBridge, aws: tuple[Any, Any], faults: Faults
) -> None:
    # Given the first send lands but its answer is lost, and the resend is refused: the token is spent
    waiting = waiting_for_a_date(bridge, aws[0])
    faults.lost_answers = 1
    faults.plan = [lambda: None, client_error("TaskTimedOut", 400, bridge.sfn)]
    # Then that is a delivery, not an error: the claim stands, nothing is given back
    assert bridge.resume(waiting, {"date": DATES[0]}).step == "working"
    assert faults.tries == 2
    assert bridge.store.get("s1").step == "working"  # type: ignore[union-attr]


def test_a_token_gone_on_the_first_try_is_not_waiting_any_more(
    bridge: BookingBridge, aws: tuple[Any, Any], faults: Faults, sleeps: list[float]
) -> None:
    waiting = waiting_for_a_date(bridge, aws[0])
    faults.plan = [client_error("TaskTimedOut", 400, bridge.sfn)]
    with pytest.raises(BookingNotWaiting):
        bridge.resume(waiting, {"date": DATES[0]})
    assert (faults.tries, sleeps) == (1, [])  # the wait ended: its own record write follows


def test_a_refused_hand_over_is_not_retried_but_still_given_back(
    bridge: BookingBridge, aws: tuple[Any, Any], faults: Faults, sleeps: list[float]
) -> None:
    waiting = waiting_for_a_date(bridge, aws[0])
    faults.plan = [client_error("InvalidOutput", 400)]
    with pytest.raises(HandOverFailed):
        bridge.resume(waiting, {"date": DATES[0]})
    assert (faults.tries, sleeps) == (1, [])  # a 4xx would fail the same way again
    assert bridge.store.get("s1").step == "awaiting_date"  # type: ignore[union-attr]


def test_throttling_and_5xx_are_retried(
    bridge: BookingBridge, aws: tuple[Any, Any], faults: Faults, sleeps: list[float]
) -> None:
    waiting = waiting_for_a_date(bridge, aws[0])
    faults.plan = [client_error("ThrottlingException", 400), client_error("InternalFailure", 500)]
    assert bridge.resume(waiting, {"date": DATES[0]}).step == "working"
    assert (faults.tries, sleeps) == (3, [0.1, 0.2])


def test_the_executions_own_write_wins_over_a_give_back(
    bridge: BookingBridge, aws: tuple[Any, Any], faults: Faults
) -> None:
    # Given every try seems to fail, but one landed: the execution writes its next offer meanwhile
    ddb = aws[0]
    waiting = waiting_for_a_date(bridge, ddb)

    def landed_then_unreachable() -> None:
        ddb.update_item(
            TableName=TABLE,
            Key={"session_id": {"S": "s1"}},
            UpdateExpression="SET step = :s, task_token = :t, version = version + :one",
            ExpressionAttributeValues={
                ":s": {"S": "awaiting_slot"},
                ":t": {"S": "token-of-the-slot-wait"},
                ":one": {"N": "1"},
            },
        )
        unreachable()

    faults.plan = [unreachable, unreachable, landed_then_unreachable]
    with pytest.raises(HandOverFailed) as failed:
        bridge.resume(waiting, {"date": DATES[0]})
    # Then the give-back loses (it is conditional on the claim's version) and the execution's write stands
    assert failed.value.given_back is True  # nothing is stranded
    after = bridge.store.get("s1")
    assert after is not None
    assert (after.step, after.task_token) == ("awaiting_slot", "token-of-the-slot-wait")


def test_a_give_back_restores_the_times_on_offer_too(bridge: BookingBridge, aws: tuple[Any, Any]) -> None:
    ddb = aws[0]
    waiting_for_a_date(bridge, ddb)
    ddb.update_item(
        TableName=TABLE,
        Key={"session_id": {"S": "s1"}},
        UpdateExpression="SET step = :s, offered_slots = :o, slots_date = :d, version = version + :one",
        ExpressionAttributeValues={
            ":s": {"S": "awaiting_slot"},
            ":o": {"S": json.dumps(["08:00:00", "10:00:00"])},
            ":d": {"S": DATES[0]},
            ":one": {"N": "1"},
        },
    )
    waiting = bridge.store.get("s1")
    assert waiting is not None
    claimed = bridge.store.claim_waiting(waiting)
    bridge.store.give_back(claimed, waiting)
    restored = bridge.store.get("s1")
    assert restored is not None
    assert restored.replace(version=0, updated_at="") == waiting.replace(version=0, updated_at="")
