"""The in-memory session store cannot drift from the real one: one behaviour suite, run on SessionStore
over moto's DynamoDB (the reference) and on InMemorySessionStore, and a lockstep run of the same
conversation on both that compares the items they leave after every write."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from scheduling_tooling.fakes import InMemorySessionStore, ManualClock, asl_write
from session_store import CUSTOMER_INDEX, Session, SessionConflict, SessionExpired, SessionStore
from session_store.model import OFFER_ATTRIBUTES, OUTCOME_ATTRIBUTES
from session_store.store import SessionNotYours

TABLE = "sessions-under-test"
DATES = ["2026-11-30", "2026-12-01"]


def dynamodb_store(clock: ManualClock) -> SessionStore:
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    ddb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "session_id", "AttributeType": "S"},
            {"AttributeName": "customer_id", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": CUSTOMER_INDEX,
                "KeySchema": [{"AttributeName": "customer_id", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return SessionStore(TABLE, client=ddb, clock=clock)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=["dynamodb", "in_memory"])
def store(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[SessionStore]:
    if request.param == "in_memory":
        yield InMemorySessionStore(clock=clock)
        return
    with mock_aws():
        yield dynamodb_store(clock)


def raw(store: SessionStore, session_id: str = "s1") -> dict[str, Any]:
    """The item as stored, typed values and all: what DynamoDB (or the fake) holds."""
    return dict(
        store._ddb.get_item(TableName=store.table_name, Key={"session_id": {"S": session_id}})["Item"]
    )


def execution_writes(store: SessionStore, state: str, values: dict[str, Any], session_id: str = "s1") -> None:
    """A write of the state machine's, with the ASL's own expression (and its placeholders)."""
    values = {":one": 1, ":now": "2026-11-27T15:00:01.000Z", **values}
    store._ddb.update_item(**asl_write(state, session_id, values, table=store.table_name))


def waiting_for(store: SessionStore, step: str = "awaiting_date") -> Session:
    """A booking whose execution waits for a date (or, with awaiting_slot, for a time on DATES[0])."""
    started = store.begin_booking(store.open("s1", "1645975", "09PF05VD"), "12345", "schedule", "exec-1")
    values = {":step": "awaiting_date", ":token": "tok-1", ":notice": "none", ":dates": json.dumps(DATES)}
    execution_writes(store, "Wait For Date", {**values, ":me": "exec-1"})
    if step == "awaiting_slot":
        slots = {":slots": '["09:00:00", "11:00:00"]', ":day": DATES[0], ":step": "awaiting_slot"}
        execution_writes(store, "Wait For Slot", {**values, **slots, ":me": "exec-1"})
    waiting = store.get("s1")
    assert waiting is not None
    assert waiting.version > started.version
    return waiting


# --- the behaviour suite, on both -------------------------------------------------------------------


def test_open_creates_an_idle_session_then_extends_its_ttl(store: SessionStore, clock: ManualClock) -> None:
    # When a conversation opens its session, Then it is idle, version 1, with ISO updated_at
    created = store.open("s1", "1645975", "09PF05VD")
    assert (created.step, created.version, created.created_at) == ("idle", 1, int(clock.now))
    assert (created.expires_at, created.updated_at) == (int(clock.now) + 1800, "2026-11-27T15:00:00.000Z")
    assert store.get("s1") == created
    # When it opens again later, Then it is the same session with its TTL running from now
    clock.advance(600)
    again = store.open("s1", "1645975", "09PF05VD")
    assert (again.version, again.expires_at) == (1, int(clock.now) + 1800)
    assert store.get("s1") == again


@pytest.mark.parametrize(("customer", "client"), [("7777777", "09PF05VD"), ("1645975", "11PF22QX")])
def test_a_session_is_refused_to_another_pair_before_any_write(
    store: SessionStore, clock: ManualClock, customer: str, client: str
) -> None:
    # Given the documented customer's session
    opened = store.open("s1", "1645975", "09PF05VD")
    before = raw(store)
    clock.advance(60)
    # When another (customer, client) pair opens it or asks who owns it, Then it is refused
    with pytest.raises(SessionNotYours):
        store.open("s1", customer, client)
    with pytest.raises(SessionNotYours):
        store.owned(opened, customer, client)
    # And nothing was written, not even the TTL
    assert raw(store) == before


def test_begin_booking_is_conditional_on_the_version_read(store: SessionStore) -> None:
    session = store.open("s1", "1645975", "09PF05VD")
    started = store.begin_booking(session, "12345", "schedule", "exec-1", "Flooring Installation")
    # Then it wrote what it returned
    assert store.get("s1") == started
    assert (started.step, started.version, started.project_name) == ("starting", 2, "Flooring Installation")
    # And a writer holding the older version loses instead of clobbering
    before = raw(store)
    with pytest.raises(SessionConflict):
        store.begin_booking(session, "12347", "cancel", "exec-2")
    assert raw(store) == before


def test_begin_booking_clears_the_previous_bookings_offer_and_outcome(store: SessionStore) -> None:
    # Given a booking that waited for a time, then ended
    waiting = waiting_for(store, "awaiting_slot")
    ended = {":step": "confirmed", ":outcome": '{"step": "confirmed"}', ":me": "exec-1"}
    execution_writes(store, "Record Outcome", ended)
    ended_session = store.get("s1")
    assert ended_session is not None
    assert ended_session.outcome == {"step": "confirmed"}
    assert waiting.offered_slots
    # When another booking starts, without a project name
    started = store.begin_booking(ended_session, "12347", "cancel", "exec-2")
    # Then no offer, outcome or project name of the last one is left, in the item or the value
    item = raw(store)
    assert not set(item) & {*OFFER_ATTRIBUTES, *OUTCOME_ATTRIBUTES, "project_name"}
    assert store.get("s1") == started
    assert (started.offered_dates, started.outcome, started.task_token) == ((), {}, None)


def test_claim_then_give_back_restores_the_date_wait(store: SessionStore) -> None:
    # Given an execution waiting for a date
    waiting = waiting_for(store)
    # When a choice claims it, Then the token is taken and the step is working
    claimed = store.claim_waiting(waiting)
    assert store.get("s1") == claimed
    assert (claimed.step, claimed.task_token, claimed.version) == ("working", None, waiting.version + 1)
    # And a second claim of the same wait loses
    with pytest.raises(SessionConflict):
        store.claim_waiting(waiting)
    # When the hand-over failed and the claim is given back, Then the wait is as it was, one version on
    given = store.give_back(claimed, waiting)
    assert given == waiting.replace(version=claimed.version + 1)
    current = store.get("s1")
    assert current is not None
    assert current.replace(updated_at="") == given.replace(updated_at="")
    assert current.updated_at == "2026-11-27T15:00:00.000Z"  # the give-back's own time, ISO
    # And a give-back of a stale claim loses
    with pytest.raises(SessionConflict):
        store.give_back(claimed, waiting)


def test_give_back_of_a_time_wait_keeps_its_times(store: SessionStore) -> None:
    waiting = waiting_for(store, "awaiting_slot")
    given = store.give_back(store.claim_waiting(waiting), waiting)
    current = store.get("s1")
    assert current is not None
    assert (current.step, current.slots_date, current.offered_slots) == (
        "awaiting_slot",
        DATES[0],
        ("09:00:00", "11:00:00"),
    )
    assert current.replace(updated_at="") == given.replace(updated_at="")


def test_a_claim_needs_the_token_it_read(store: SessionStore) -> None:
    waiting = waiting_for(store)
    with pytest.raises(SessionConflict):
        store.claim_waiting(waiting.replace(task_token="someone-elses"))
    assert store.get("s1") == waiting


def test_expiry_is_enforced_in_code_and_a_reopened_session_keeps_counting_versions(
    store: SessionStore, clock: ManualClock
) -> None:
    # Given a session with a booking and projects, left alone to the very second its TTL ends
    session = store.open("s1", "1645975", "09PF05VD")
    store.remember_projects(session, {"12345": "Flooring Installation"})
    started = store.begin_booking(session, "12345", "schedule", "exec-1")
    clock.advance(1800)
    # Then reading it says expired, with the session it was
    with pytest.raises(SessionExpired) as expired:
        store.get("s1")
    assert expired.value.session.execution_name == "exec-1"
    assert store.for_customer("09PF05VD", "1645975") == []
    # When anyone opens it, Then it starts afresh, carries nothing over, and its version keeps counting
    again = store.open("s1", "7777777", "09PF05VD")
    assert (again.step, again.version, again.projects, again.project_id) == (
        "idle",
        started.version + 1,
        {},
        None,
    )
    assert store.get("s1") == again


def test_remember_projects_and_touch_are_not_versioned(store: SessionStore, clock: ManualClock) -> None:
    session = store.open("s1", "1645975", "09PF05VD")
    # When projects are remembered, twice, Then they merge without a version bump
    first = store.remember_projects(session, {"12345": "Flooring Installation"})
    both = store.remember_projects(first, {"12347": "Windows Installation"})
    assert both.projects == {"12345": "Flooring Installation", "12347": "Windows Installation"}
    assert store.get("s1") == both
    assert both.version == 1
    # And remembering what is known writes nothing
    before = raw(store)
    assert store.remember_projects(both, {"12345": "Flooring Installation"}) == both
    assert raw(store) == before
    # When the session is touched, Then only its TTL moves
    clock.advance(100)
    touched = store.touch(both)
    assert store.get("s1") == touched == both.replace(expires_at=int(clock.now) + 1800)


def test_sessions_of_a_customer_are_those_of_the_pair_still_alive(
    store: SessionStore, clock: ManualClock
) -> None:
    store.open("s1", "1645975", "09PF05VD")
    store.open("s2", "1645975", "09PF05VD")
    store.open("s3", "2222222", "09PF05VD")
    store.open("s4", "1645975", "11PF22QX")
    assert sorted(s.session_id for s in store.for_customer("09PF05VD", "1645975")) == ["s1", "s2"]
    assert [s.session_id for s in store.for_customer("11PF22QX", "1645975")] == ["s4"]
    clock.advance(1801)
    assert store.for_customer("09PF05VD", "1645975") == []


def test_the_execution_writes_only_while_the_session_names_it(store: SessionStore) -> None:
    # Given a session whose booking moved on to exec-2
    waiting = waiting_for(store)
    store.begin_booking(waiting, "12345", "schedule", "exec-2")
    before = raw(store)
    # When exec-1 records its outcome, Then DynamoDB refuses it (the ASL's Superseded)
    with pytest.raises(ClientError) as refused:
        execution_writes(store, "Record Outcome", {":step": "expired", ":outcome": "{}", ":me": "exec-1"})
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert raw(store) == before


def test_a_write_with_an_unused_value_is_refused(store: SessionStore) -> None:
    store.open("s1", "1645975", "09PF05VD")
    with pytest.raises(ClientError) as refused:
        store._ddb.update_item(
            TableName=store.table_name,
            Key={"session_id": {"S": "s1"}},
            UpdateExpression="SET step = :s",
            ConditionExpression="attribute_exists(session_id)",
            ExpressionAttributeValues={":s": {"S": "idle"}, ":unused": {"S": "x"}},
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"


# --- lockstep: the same conversation on both, the same items after every write ----------------------


def conversation() -> list[Callable[[SessionStore], object] | int]:
    """A session's life as the handlers and the state machine write it: one write per entry (an int:
    that many seconds pass)."""

    def session(store: SessionStore) -> Session:
        current = store.get("s1")
        assert current is not None
        return current

    def wait(step: str, token: str) -> Callable[[SessionStore], object]:
        values = {
            ":step": step,
            ":token": token,
            ":notice": "none",
            ":dates": json.dumps(DATES),
            ":me": "exec-1",
        }
        if step == "awaiting_slot":
            values |= {":slots": '["09:00:00"]', ":day": DATES[0], ":notice": "NoSlotsOnDate"}
            return lambda s: execution_writes(s, "Wait For Slot", values)
        return lambda s: execution_writes(s, "Wait For Date", values)

    def claim_and_give_back(store: SessionStore) -> object:
        waiting = session(store)
        return store.give_back(store.claim_waiting(waiting), waiting)

    confirmed = {":step": "confirmed", ":outcome": '{"step":"confirmed"}', ":me": "exec-1"}
    return [
        lambda s: s.open("s1", "1645975", "09PF05VD"),
        lambda s: s.remember_projects(session(s), {"12345": "Flooring Installation"}),
        30,
        lambda s: s.begin_booking(session(s), "12345", "schedule", "exec-1", "Flooring Installation"),
        wait("awaiting_date", "tok-1"),
        lambda s: s.touch(session(s)),
        claim_and_give_back,
        lambda s: s.claim_waiting(session(s)),
        wait("awaiting_slot", "tok-2"),
        lambda s: s.claim_waiting(session(s)),
        lambda s: execution_writes(s, "Record Outcome", confirmed),
        lambda s: s.begin_booking(session(s), "12347", "cancel", "exec-2"),
        1801,
        lambda s: s.open("s1", "1645975", "09PF05VD"),
    ]


def test_the_fake_leaves_the_same_items_as_dynamodb(clock: ManualClock) -> None:
    with mock_aws():
        real, fake = dynamodb_store(clock), InMemorySessionStore(clock=clock)
        for number, write in enumerate(conversation()):
            if isinstance(write, int):
                clock.advance(write)
                continue
            # When the same write is made on both, Then both answer the same and hold the same item
            assert write(real) == write(fake), f"write {number} answered differently"
            assert raw(real) == raw(fake), f"write {number} left different items"
