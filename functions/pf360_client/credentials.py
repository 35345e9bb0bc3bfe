"""Whose token a PF360 call carries (`PF360_AUTH_MODE`).

- `caller` (default, as PF360's production client works): the signed-in customer's own token, which
  the front end passes with the identity. It is set for the duration of one invocation
  (`caller_token`), is never refreshed (a 401 means "sign in again"), and reaches step Lambdas through
  the session's token vault (session_store/tokens.py), never through an execution.
- `service`: a service credential from AWS Secrets Manager, as JSON `{"token": "<bearer token>"}`,
  kept per container for PF360_CREDENTIALS_MAX_AGE seconds. `token(refresh=True)` bypasses the cache:
  the transport does that once after a 401, which picks up a rotated secret without a redeploy.

A token is never logged and never put into an error message.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from pf360_client.errors import PF360AuthError, PF360CredentialsError


class CredentialProvider(Protocol):
    refreshable: bool  # a 401 may be retried once with a fresh token

    def token(self, *, refresh: bool = False) -> str: ...


_CALLER_TOKEN: ContextVar[str | None] = ContextVar("pf360_caller_token", default=None)


@contextmanager
def caller_token(token: str | None) -> Iterator[None]:
    """The customer's token for the PF360 calls made inside the block (this thread or task only)."""
    reset = _CALLER_TOKEN.set(token)
    try:
        yield
    finally:
        _CALLER_TOKEN.reset(reset)


class CallerToken:
    """The token of the customer this invocation serves."""

    refreshable = False

    def token(self, *, refresh: bool = False) -> str:
        token = _CALLER_TOKEN.get()
        if not token:
            raise PF360AuthError("no customer token for this call: the customer must sign in")
        return token


class SecretsManagerCredentials:
    """The secret read with one GetSecretValue call and kept for `max_age` seconds per container.
    (Its own small cache rather than Powertools Parameters: the IAM grants are derived from the calls
    this code makes, and Parameters' provider also carries calls that write secrets.)"""

    refreshable = True

    def __init__(
        self, secret_name: str, max_age: int = 300, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.secret_name = secret_name
        self.max_age = max_age
        self._clock = clock
        self._client: Any = None
        self._cached: tuple[float, Any] | None = None  # (read at, parsed value)
        self._lock = threading.Lock()

    def token(self, *, refresh: bool = False) -> str:
        try:
            value = self._read(refresh)
        except Exception as error:  # boto errors, missing secret, JSON that does not parse
            raise PF360CredentialsError(
                f"cannot read PF360 credentials secret {self.secret_name!r}: {type(error).__name__}"
            ) from None
        token = value.get("token") if isinstance(value, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise PF360CredentialsError(
                f"secret {self.secret_name!r} must be JSON with a non-empty string 'token'"
            )
        return token

    def _read(self, refresh: bool) -> Any:
        with self._lock:
            now = self._clock()
            if refresh or self._cached is None or now - self._cached[0] >= self.max_age:
                if self._client is None:  # built on first use: cold start stays cheap, moto can start first
                    import boto3

                    self._client = boto3.client("secretsmanager")
                answer = self._client.get_secret_value(SecretId=self.secret_name)
                self._cached = (now, json.loads(answer["SecretString"]))
            return self._cached[1]


class StaticToken:
    """A fixed token, for the local simulator and benchmarks only (tooling passes it explicitly)."""

    refreshable = False

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self, *, refresh: bool = False) -> str:
        return self._token
