"""PF360 credentials from AWS Secrets Manager, through Powertools Parameters (cached per container).

The secret is JSON: `{"token": "<bearer token>"}`. The token is never logged and never put into an
error message. `token(refresh=True)` bypasses the cache: the transport does that once after a 401,
which picks up a rotated secret without a redeploy.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from pf360_client.errors import PF360AuthError


class CredentialProvider(Protocol):
    def token(self, *, refresh: bool = False) -> str: ...


class SecretsManagerCredentials:
    def __init__(self, secret_name: str, max_age: int = 300) -> None:
        self.secret_name = secret_name
        self.max_age = max_age
        self._provider: Any = None
        self._lock = threading.Lock()

    def token(self, *, refresh: bool = False) -> str:
        try:
            value = self._secrets().get(
                self.secret_name, transform="json", max_age=self.max_age, force_fetch=refresh
            )
        except Exception as error:  # boto errors, missing secret, JSON that does not parse
            raise PF360AuthError(
                f"cannot read PF360 credentials secret {self.secret_name!r}: {type(error).__name__}"
            ) from None
        token = value.get("token") if isinstance(value, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise PF360AuthError(f"secret {self.secret_name!r} must be JSON with a non-empty string 'token'")
        return token

    def _secrets(self) -> Any:
        # Built on first use, not at import: cold start stays cheap and tests can set up moto first.
        with self._lock:
            if self._provider is None:
                from aws_lambda_powertools.utilities.parameters import SecretsProvider

                self._provider = SecretsProvider()
            return self._provider


class StaticToken:
    """A fixed token, for the local simulator and benchmarks only (tooling passes it explicitly)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self, *, refresh: bool = False) -> str:
        return self._token
