"""The customer's PF360 token kept for the step Lambdas: encrypted under KMS, bound to its session,
never stored in clear, and a missing or moved one is an auth error (the customer signs in again)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pf360_client.errors import PF360AuthError
from session_store.tokens import ATTRIBUTE, TokenVault

TABLE, TOKEN = "sessions", "cust-token-of-the-customer-0001"


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any, str]]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        kms = boto3.client("kms", region_name="us-east-1")
        dynamodb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}],
        )
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/tokens", TargetKeyId=key)
        for session in ("s-1", "s-2"):
            dynamodb.put_item(TableName=TABLE, Item={"session_id": {"S": session}})
        yield dynamodb, kms, "alias/tokens"


def vault(aws: tuple[Any, Any, str]) -> TokenVault:
    dynamodb, kms, key = aws
    return TokenVault(TABLE, key, dynamodb=dynamodb, kms=kms)


def stored(aws: tuple[Any, Any, str], session: str) -> str | None:
    item = aws[0].get_item(TableName=TABLE, Key={"session_id": {"S": session}})["Item"]
    return item.get(ATTRIBUTE, {}).get("S")


def test_a_kept_token_is_read_back_by_another_container(aws: tuple[Any, Any, str]) -> None:
    vault(aws).keep("s-1", TOKEN)
    assert vault(aws).fetch("s-1") == TOKEN  # a fresh vault: nothing cached, KMS decrypts it


def test_the_token_is_never_stored_in_clear(aws: tuple[Any, Any, str]) -> None:
    vault(aws).keep("s-1", TOKEN)
    item = aws[0].get_item(TableName=TABLE, Key={"session_id": {"S": "s-1"}})["Item"]
    assert TOKEN not in str(item)
    sealed = stored(aws, "s-1")
    assert sealed
    assert TOKEN.encode() not in base64.b64decode(sealed)  # ciphertext, not an encoding of the token


def test_a_token_moved_onto_another_session_does_not_decrypt(aws: tuple[Any, Any, str]) -> None:
    vault(aws).keep("s-1", TOKEN)
    aws[0].update_item(
        TableName=TABLE,
        Key={"session_id": {"S": "s-2"}},
        UpdateExpression=f"SET {ATTRIBUTE} = :t",
        ExpressionAttributeValues={":t": {"S": stored(aws, "s-1")}},
    )
    with pytest.raises(PF360AuthError) as refused:
        vault(aws).fetch("s-2")
    assert TOKEN not in str(refused.value)


def test_a_session_without_a_token_is_an_auth_error(aws: tuple[Any, Any, str]) -> None:
    with pytest.raises(PF360AuthError):
        vault(aws).fetch("s-1")


def test_keeping_is_written_again_after_the_item_was_recreated(aws: tuple[Any, Any, str]) -> None:
    kept = vault(aws)
    kept.keep("s-1", TOKEN)
    aws[0].put_item(TableName=TABLE, Item={"session_id": {"S": "s-1"}})  # the session started over
    kept.keep("s-1", TOKEN)
    assert vault(aws).fetch("s-1") == TOKEN


def test_a_token_is_not_kept_on_a_session_that_does_not_exist(aws: tuple[Any, Any, str]) -> None:
    with pytest.raises(aws[0].exceptions.ConditionalCheckFailedException):
        vault(aws).keep("no-such-session", TOKEN)
