"""Issue 7, defect 3, at the idempotency layer itself: a stored answer is kept per caller, whatever
the call site checks first (Powertools Idempotency on moto's DynamoDB)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from agent_actions.idempotency import idempotent
from agent_actions.identity import Caller
from agent_actions.present import Answer
from agent_actions.services import reset_services

KEY = {"project": "12345", "date": "2026-12-01", "time": "08:00:00"}


@pytest.fixture
def idempotency_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DYNAMODB_TABLE_NAME", "sessions")
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", "idempotency")
    monkeypatch.setenv("STATE_MACHINE_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:x")
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="idempotency",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        )
        reset_services()
        yield
        reset_services()


@pytest.mark.usefixtures("idempotency_table")
def test_stored_confirm_is_not_replayed_to_another_customer_even_past_the_ownership_check() -> None:
    # Given a write that books and says which run booked it
    runs: list[str] = []

    def book() -> Answer:
        runs.append("run")
        return Answer(f"booked by run {len(runs)}", {"booked": True})

    owner = Caller("shared-1", "1645975", "09PF05VD")
    same_number_other_client = Caller("shared-1", "1645975", "11PF22QX")
    other_customer = Caller("shared-1", "6597832", "09PF05VD")

    def confirm(caller: Caller) -> str:
        return idempotent(
            "confirm", caller, KEY, book, None, done=lambda a: a.data.get("booked") is True
        ).message

    # When the owner confirms twice, Then the second is the stored answer (one run)
    assert confirm(owner) == confirm(owner) == "booked by run 1"
    # When others send the very same request on the same session, Then each runs it for themselves
    assert confirm(other_customer) == "booked by run 2"
    assert confirm(same_number_other_client) == "booked by run 3"
    assert len(runs) == 3
