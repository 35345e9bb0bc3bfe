"""The service credential: read from Secrets Manager, kept for max_age, re-read on refresh."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pf360_client.credentials import SecretsManagerCredentials
from pf360_client.errors import PF360CredentialsError

NAME = "pf360/credentials"


@pytest.fixture
def secrets() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("secretsmanager")
        client.create_secret(Name=NAME, SecretString=json.dumps({"token": "first"}))
        yield client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_token_is_kept_for_max_age_then_read_again(secrets: Any) -> None:
    clock = Clock()
    credentials = SecretsManagerCredentials(NAME, max_age=300, clock=clock)
    assert credentials.token() == "first"
    secrets.put_secret_value(SecretId=NAME, SecretString=json.dumps({"token": "second"}))
    clock.now += 299
    assert credentials.token() == "first"  # still within max_age: no call
    clock.now += 1
    assert credentials.token() == "second"


def test_refresh_reads_the_secret_at_once(secrets: Any) -> None:
    credentials = SecretsManagerCredentials(NAME, max_age=300, clock=Clock())
    assert credentials.token() == "first"
    secrets.put_secret_value(SecretId=NAME, SecretString=json.dumps({"token": "rotated"}))
    assert credentials.token(refresh=True) == "rotated"


@pytest.mark.parametrize("value", ["not json", json.dumps({"token": ""}), json.dumps(["token"])])
def test_a_secret_without_a_token_is_a_clear_error_that_shows_no_value(secrets: Any, value: str) -> None:
    secrets.put_secret_value(SecretId=NAME, SecretString=value)
    with pytest.raises(PF360CredentialsError) as raised:
        SecretsManagerCredentials(NAME).token()
    assert NAME in str(raised.value)
    assert "not json" not in str(raised.value)


def test_a_missing_secret_names_the_secret_and_the_error(secrets: Any) -> None:
    with pytest.raises(PF360CredentialsError, match="ResourceNotFoundException"):
        SecretsManagerCredentials("no/such/secret").token()
