"""The session item has one definition, schemas/workflow/v1/session_item.json, and every writer follows it:
each update the state machine makes (its waits and its outcome records) and each write of the session
store (against moto's DynamoDB) names only attributes the schema has, with values of the schema's
types, and leaves an item the schema accepts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pf360_client import contract
from scheduling_tooling.local.resources import STATEMACHINES
from session_store import SessionStore
from session_store.model import OFFER_ATTRIBUTES, OUTCOME_ATTRIBUTES

SCHEMA = contract.document("session_item.json", family="workflow")
PROPERTIES: dict[str, Any] = SCHEMA["properties"]
STATES: dict[str, Any] = json.loads((STATEMACHINES / "booking-conversation.asl.json").read_text())["States"]
STEPS = {
    step
    for group in ("waiting_step", "pending_step", "final_step")
    for step in SCHEMA["$defs"][group]["enum"]
} | {"idle"}
WRITERS = {
    name: state
    for name, state in STATES.items()
    if state.get("Parameters", {}).get("TableName") == "${sessions_table_arn}"
}
_CLAUSE = re.compile(r"\b(SET|REMOVE)\b")


def parse_update(expression: str, names: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    """(attribute -> the expression it is set to, attributes removed) of an UpdateExpression."""
    sets: dict[str, str] = {}
    removes: set[str] = set()
    parts = _CLAUSE.split(expression)
    for keyword, body in zip(parts[1::2], parts[2::2], strict=True):
        for clause in (c.strip() for c in body.split(",")):
            if keyword == "SET":
                target, value = (s.strip() for s in clause.split("=", 1))
                sets[names.get(target, target)] = value
            else:
                removes.add(names.get(clause, clause))
    return sets, removes


def schema_type(attribute: str) -> str:
    spec = PROPERTIES[attribute]
    if "type" in spec:
        return str(spec["type"])
    resolved = json.dumps(spec)  # refs into common.json and #/$defs: all strings but version counters
    return "string" if "$ref" in resolved or "enum" in resolved or "const" in resolved else "?"


def value_type(typed: dict[str, Any]) -> str:
    (kind,) = {k.removesuffix(".$") for k in typed}
    return {"S": "string", "N": "integer"}[kind]


def test_the_state_machine_writes_only_what_the_schema_defines() -> None:
    assert set(WRITERS) == {"Wait For Date", "Wait For Slot", "Record Outcome", "Record Failure"}
    for name, state in WRITERS.items():
        parameters = state["Parameters"]
        values = parameters["ExpressionAttributeValues"]
        sets, removes = parse_update(
            parameters["UpdateExpression"], parameters.get("ExpressionAttributeNames", {})
        )
        # every attribute it touches is in the schema
        assert set(sets) | removes <= set(PROPERTIES), name
        # every value has the schema's type, and every step it writes literally is a step
        for attribute, expression in sets.items():
            for placeholder in re.findall(r":\w+", expression):
                assert value_type(values[placeholder]) == schema_type(attribute), (name, attribute)
        if "S" in values[":step"]:
            assert values[":step"]["S"] in STEPS, name
        # it writes the offer, or the outcome, and clears what the schema groups with the other
        if name.startswith("Record"):
            assert set(sets) == {"step", "outcome", "version", "updated_at"}
            assert removes == set(OFFER_ATTRIBUTES)
        else:
            assert removes <= set(OFFER_ATTRIBUTES)
            assert set(sets) - {"step", "version", "updated_at"} <= set(OFFER_ATTRIBUTES)


def test_updated_at_is_the_engine_time_everywhere() -> None:
    for state in WRITERS.values():
        assert state["Parameters"]["ExpressionAttributeValues"][":now"] == {"S.$": "$$.State.EnteredTime"}
    assert PROPERTIES["updated_at"]["type"] == "string"


def test_the_outcome_records_write_the_outcome_schema() -> None:
    outcome = contract.document("outcome.json", family="workflow")
    producers = [s for s in STATES.values() if s.get("ResultPath") == "$.outcome"]
    for state in producers:
        shape = state.get("ResultSelector") or state.get("Parameters") or state.get("Result")
        assert {k.removesuffix(".$") for k in shape} == set(outcome["required"]), state
    assert OUTCOME_ATTRIBUTES == ("outcome",)


# --- the store's writes --------------------------------------------------------------------------


@pytest.fixture
def writes() -> Iterator[tuple[SessionStore, list[dict[str, Any]], Any]]:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="sessions",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}],
        )
        seen: list[dict[str, Any]] = []
        for operation in ("PutItem", "UpdateItem"):
            ddb.meta.events.register(
                f"before-parameter-build.dynamodb.{operation}", lambda params, **_: seen.append(dict(params))
            )
        yield SessionStore("sessions", client=ddb), seen, ddb


def _check_write(params: dict[str, Any]) -> None:
    values = params.get("ExpressionAttributeValues", {})
    if "Item" in params:
        targets = {k: next(iter(v)) for k, v in params["Item"].items()}
        assert set(targets) <= set(PROPERTIES)
        for attribute, kind in targets.items():
            assert {"S": "string", "N": "integer"}[kind] == schema_type(attribute), attribute
        return
    sets, removes = parse_update(params["UpdateExpression"], params.get("ExpressionAttributeNames", {}))
    assert set(sets) | removes <= set(PROPERTIES), params["UpdateExpression"]
    for attribute, expression in sets.items():
        for placeholder in re.findall(r":\w+", expression):
            kind = next(iter(values[placeholder]))
            assert {"S": "string", "N": "integer"}[kind] == schema_type(attribute), attribute


def test_every_store_write_follows_the_schema(writes: tuple[SessionStore, list[dict[str, Any]], Any]) -> None:
    store, seen, ddb = writes
    # Given every write the store makes, in the order a booking makes them
    session = store.open("s1", "1645975", "09PF05VD")
    session = store.remember_projects(session, {"12345": "Flooring Installation"})
    session = store.begin_booking(session, "12345", "schedule", "schedule-12345-1-x", "Flooring Installation")
    ddb.update_item(  # the state machine's wait, as Wait For Date writes it
        TableName="sessions",
        Key={"session_id": {"S": "s1"}},
        UpdateExpression="SET step = :s, task_token = :t, offered_dates = :d, notice = :n, "
        "version = version + :one",
        ExpressionAttributeValues={
            ":s": {"S": "awaiting_date"},
            ":t": {"S": "token"},
            ":d": {"S": '["2026-12-01"]'},
            ":n": {"S": "none"},
            ":one": {"N": "1"},
        },
    )
    waiting = store.get("s1")
    assert waiting is not None
    claimed = store.claim_waiting(waiting)
    store.give_back(claimed, waiting)
    store.touch(waiting)
    # Then each names only schema attributes with the schema's types, and the item stays valid
    store_writes = [p for p in seen if ":one" not in p.get("ExpressionAttributeValues", {})]
    assert len(store_writes) == 6
    for params in store_writes:
        _check_write(params)
    item = ddb.get_item(TableName="sessions", Key={"session_id": {"S": "s1"}})["Item"]
    from boto3.dynamodb.types import TypeDeserializer

    plain = {k: TypeDeserializer().deserialize(v) for k, v in item.items()}
    plain = {k: int(v) if k in ("version", "expires_at", "created_at") else v for k, v in plain.items()}
    contract.check("session_item.json", plain, family="workflow")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", plain["updated_at"])


def test_a_write_outside_the_schema_is_caught() -> None:
    with pytest.raises(AssertionError):
        _check_write(
            {"UpdateExpression": "SET colour = :c", "ExpressionAttributeValues": {":c": {"S": "red"}}}
        )
    with pytest.raises(AssertionError):
        _check_write(
            {"UpdateExpression": "SET version = :v", "ExpressionAttributeValues": {":v": {"S": "1"}}}
        )
