"""The customer's PF360 token, kept server-side for the session's life so step Lambdas can act for
the customer without the token ever entering an execution (its input, output or history).

It lives on the session item as `caller_token`: KMS ciphertext (base64), encrypted under the
deployment's key with the session id as encryption context, so a ciphertext copied onto another
session does not decrypt. DynamoDB's TTL deletes it with the session. Only the agent handlers write
it (when a booking starts or resumes); only step Lambdas read it.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from typing import Any

from pydantic import Field

from pf360_client.errors import PF360AuthError
from pf360_client.settings import EnvSettings

ATTRIBUTE = "caller_token"


class VaultSettings(EnvSettings):
    sessions_table: str = Field(alias="DYNAMODB_TABLE_NAME", description="the sessions table name")
    key_id: str = Field(alias="SESSION_TOKEN_KEY_ID", description="the KMS key (id, ARN or alias) for tokens")


class TokenVault:
    def __init__(self, table: str, key_id: str, *, dynamodb: Any, kms: Any) -> None:
        self.table, self.key_id, self.dynamodb, self.kms = table, key_id, dynamodb, kms
        self._sealed: dict[tuple[str, str], str] = {}  # (session id, token fingerprint) -> ciphertext
        self._plain: dict[bytes, str] = {}  # ciphertext -> token, decrypted once per container
        self._lock = threading.Lock()

    def keep(self, session_id: str, token: str) -> None:
        """Store the caller's token on the session item, encrypted (once per token and session in this
        container). The write itself happens every time: a session item recreated after its TTL
        starts without one."""
        fingerprint = (session_id, hashlib.sha256(token.encode()).hexdigest())
        with self._lock:
            sealed = self._sealed.get(fingerprint)
        if sealed is None:
            blob = self.kms.encrypt(
                KeyId=self.key_id, Plaintext=token.encode(), EncryptionContext=_context(session_id)
            )["CiphertextBlob"]
            sealed = base64.b64encode(blob).decode()
            with self._lock:
                self._sealed[fingerprint] = sealed
        self.dynamodb.update_item(
            TableName=self.table,
            Key={"session_id": {"S": session_id}},
            UpdateExpression=f"SET {ATTRIBUTE} = :t",
            ConditionExpression="attribute_exists(session_id)",
            ExpressionAttributeValues={":t": {"S": sealed}},
        )

    def fetch(self, session_id: str) -> str:
        """The token kept for the session; PF360AuthError when there is none (the customer signs in)."""
        item = self.dynamodb.get_item(
            TableName=self.table,
            Key={"session_id": {"S": session_id}},
            ProjectionExpression=ATTRIBUTE,
            ConsistentRead=True,
        ).get("Item", {})
        stored = item.get(ATTRIBUTE, {}).get("S")
        if not stored:
            raise PF360AuthError("no customer token is kept for this session")
        blob = base64.b64decode(stored)
        with self._lock:
            if blob in self._plain:
                return self._plain[blob]
        try:
            plain = self.kms.decrypt(
                CiphertextBlob=blob, KeyId=self.key_id, EncryptionContext=_context(session_id)
            )
        except Exception as error:  # a ciphertext of another session, a key it cannot use
            raise PF360AuthError(f"the kept customer token cannot be read: {type(error).__name__}") from None
        token: str = plain["Plaintext"].decode()
        with self._lock:
            self._plain[blob] = token
        return token


def _context(session_id: str) -> dict[str, str]:
    return {"session_id": session_id}


def build_vault(settings: VaultSettings | None = None) -> TokenVault:
    """The container's vault, from the environment (the AWS clients are built here, not at import)."""
    import boto3

    settings = settings or VaultSettings.from_env()
    return TokenVault(
        settings.sessions_table,
        settings.key_id,
        dynamodb=boto3.client("dynamodb"),
        kms=boto3.client("kms"),
    )
