"""The DynamoDB session store: one item per agent session, keyed by `session_id`.

Every write is conditional on the `version` counter (or, for the state machine's own writes, on the
item still naming the writing execution), so concurrent updates never clobber each other. TTL is
30 minutes by default, extended on access; DynamoDB deletes expired items lazily, so expiry is also
enforced here: an expired item reads as `SessionExpired`.

Why one file of ~300 lines: every conditional write on the session item lives here, side by side, so
a reader can check their conditions against each other (and `tests/infra/test_session_item_owner.py`
holds them all to `schemas/workflow/v1/session_item.json`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from session_store.model import OFFER_ATTRIBUTES, OUTCOME_ATTRIBUTES, Session

DEFAULT_TTL_SECONDS = 1800
# A cleared attribute's value on the typed Session (what from_item gives when it is absent).
_EMPTY: dict[str, Any] = {"offered_dates": (), "offered_slots": (), "outcome": {}}
CUSTOMER_INDEX = "customer_id-index"
_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


class SessionError(Exception):
    """Base class of session store errors."""


class SessionExpired(SessionError):
    def __init__(self, session: Session) -> None:
        super().__init__(f"session {session.session_id} expired")
        self.session = session


class SessionConflict(SessionError):
    """Another writer changed the session first (version mismatch): re-read and carry on."""


class SessionNotYours(SessionError):
    """The session was opened by another (client_id, customer_id) pair. Not a race: never retried."""


class SessionStore:
    def __init__(
        self,
        table_name: str,
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        client: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self.ttl_seconds = ttl_seconds
        self._ddb = client or boto3.client("dynamodb")
        self._clock = clock

    # --- reads ---------------------------------------------------------------------------------

    def get(self, session_id: str) -> Session | None:
        """Consistent read; None when absent; SessionExpired when past its TTL (even if not yet deleted)."""
        answer = self._ddb.get_item(TableName=self.table_name, Key=_key(session_id), ConsistentRead=True)
        if "Item" not in answer:
            return None
        session = Session.from_item({k: _deserialize(v) for k, v in answer["Item"].items()})
        if session.expires_at <= self._clock():
            raise SessionExpired(session)
        return session

    def for_customer(self, client_id: str, customer_id: str) -> list[Session]:
        """Live sessions of a customer (the client and customer pair: the same customer number under
        another client is another person), through the GSI (eventually consistent)."""
        answer = self._ddb.query(
            TableName=self.table_name,
            IndexName=CUSTOMER_INDEX,
            KeyConditionExpression="customer_id = :c",
            ExpressionAttributeValues={":c": {"S": customer_id}},
        )
        sessions = [Session.from_item({k: _deserialize(v) for k, v in i.items()}) for i in answer["Items"]]
        return [s for s in sessions if s.expires_at > self._clock() and s.client_id == client_id]

    # --- writes --------------------------------------------------------------------------------

    def open(self, session_id: str, customer_id: str, client_id: str) -> Session:
        """The session, created if new, its TTL extended. SessionNotYours, before any write, if another
        (client_id, customer_id) pair opened it."""
        expired: Session | None = None
        try:
            existing = self.get(session_id)
        except SessionExpired as error:
            existing, expired = None, error.session  # an expired session starts over
        if existing is not None:
            return self.touch(self.owned(existing, customer_id, client_id))
        now = int(self._clock())
        item = {
            "session_id": session_id,
            "customer_id": customer_id,
            "client_id": client_id,
            # Versions keep counting over an expired session: execution names never repeat.
            "version": (expired.version + 1) if expired else 1,
            "step": "idle",
            "created_at": now,
            "updated_at": self._now_iso(),
            "expires_at": now + self.ttl_seconds,
        }
        condition = "attribute_not_exists(session_id) OR expires_at <= :now"
        try:
            self._write_item(item, condition, {":now": now})
        except SessionConflict:  # a concurrent first call created it: use theirs if it is ours
            current = self.get(session_id)
            if current is None:
                raise
            return self.owned(current, customer_id, client_id)
        return Session.from_item(item)

    @staticmethod
    def owned(session: Session, customer_id: str, client_id: str) -> Session:
        """The one ownership rule: a session belongs to the (client_id, customer_id) pair that opened
        it. Both ids count: the same customer number under another client is another person."""
        if (session.customer_id, session.client_id) != (customer_id, client_id):
            raise SessionNotYours("the session belongs to someone else")
        return session

    def touch(self, session: Session) -> Session:
        """Extend the TTL. Not versioned: it changes nothing a concurrent writer relies on."""
        expires = int(self._clock()) + self.ttl_seconds
        self._update(
            session.session_id,
            "SET expires_at = :e",
            "attribute_exists(session_id)",
            {":e": expires},
        )
        return session.replace(expires_at=expires)

    def remember_projects(self, session: Session, projects: dict[str, Any]) -> Session:
        """Add projects proven the customer's (id -> what is known of it) to the session. Not versioned, like
        the TTL: a lost concurrent update only means one more dashboard read later."""
        known = {**session.projects, **projects}
        if known != session.projects:
            self._update(
                session.session_id,
                "SET projects = :p",
                "attribute_exists(session_id)",
                {":p": json.dumps(known, sort_keys=True)},
            )
        return session.replace(projects=known)

    def claim_waiting(self, session: Session) -> Session:
        """Take the waiting state's task token before resuming it: the session stops looking like it
        waits (a retry or a restart can no longer use the spent token) until the execution writes its
        next step. SessionConflict if someone else claimed it or anything moved."""
        now = self._now_iso()
        self._update(
            session.session_id,
            "SET step = :working, version = :next, updated_at = :now REMOVE task_token",
            "version = :expected AND task_token = :token",
            {
                ":working": "working",
                ":next": session.version + 1,
                ":expected": session.version,
                ":token": session.task_token or "",
                ":now": now,
            },
        )
        return session.replace(step="working", version=session.version + 1, task_token=None, updated_at=now)

    def give_back(self, claimed: Session, waiting: Session) -> Session:
        """Undo `claim_waiting` after a hand-over that did not reach the execution: the waiting step,
        its token and its offers as they were, so the customer's next call can resume it.

        Conditional on the version the claim wrote: if the execution wrote since (the choice did land
        after all, or the wait ended), SessionConflict and its write stands. Bumps the version, so a
        handler waiting on the claim sees a change."""
        values: dict[str, Any] = {
            ":step": waiting.step,
            ":token": waiting.task_token or "",
            ":dates": json.dumps(list(waiting.offered_dates)),
            ":next": claimed.version + 1,
            ":claimed": claimed.version,
            ":working": "working",
            ":now": self._now_iso(),
        }
        expression = (
            "SET step = :step, task_token = :token, offered_dates = :dates, "
            "version = :next, updated_at = :now"
        )
        if waiting.slots_date:  # the slot wait: the times of one date were on offer too
            expression += ", offered_slots = :slots, slots_date = :day"
            values |= {":slots": json.dumps(list(waiting.offered_slots)), ":day": waiting.slots_date}
        else:  # the date wait: as the state machine writes it
            expression += " REMOVE offered_slots, slots_date"
        self._update(claimed.session_id, expression, "version = :claimed AND step = :working", values)
        return waiting.replace(version=claimed.version + 1)

    def begin_booking(
        self,
        session: Session,
        project_id: str,
        mode: str,
        execution_name: str,
        project_name: str | None = None,
    ) -> Session:
        """Point the session at a new booking execution, clearing the previous one's offers and outcome.

        Conditional on the version read: if anything moved since, SessionConflict."""
        now = int(self._clock())
        cleared = [*OFFER_ATTRIBUTES, *OUTCOME_ATTRIBUTES] + ([] if project_name else ["project_name"])
        named = {"#mode": "mode"}
        values: dict[str, Any] = {
            ":p": project_id,
            ":m": mode,
            ":x": execution_name,
            ":s": "starting",
            ":next": session.version + 1,
            ":expected": session.version,
            ":now": self._now_iso(),
            ":e": now + self.ttl_seconds,
        }
        expression = (
            "SET project_id = :p, #mode = :m, execution_name = :x, step = :s, version = :next, "
            "updated_at = :now, expires_at = :e"
        )
        if project_name:
            expression += ", project_name = :n"
            values[":n"] = project_name
        self._update(
            session.session_id,
            f"{expression} REMOVE {', '.join(cleared)}",
            "version = :expected",
            values,
            names=named,
        )
        # What was just written, without reading it back.
        return session.replace(
            project_id=project_id,
            project_name=project_name,
            mode=mode,
            execution_name=execution_name,
            step="starting",
            version=session.version + 1,
            expires_at=now + self.ttl_seconds,
            updated_at=values[":now"],
            **{name: _EMPTY.get(name) for name in cleared if name != "project_name"},
        )

    def _now_iso(self) -> str:
        """updated_at, in the format the state machine writes it ($$.State.EnteredTime)."""
        moment = datetime.fromtimestamp(self._clock(), tz=UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    # --- plumbing ------------------------------------------------------------------------------

    def _write_item(self, item: dict[str, Any], condition: str, values: dict[str, Any]) -> None:
        try:
            self._ddb.put_item(
                TableName=self.table_name,
                Item={k: _serialize(v) for k, v in item.items()},
                ConditionExpression=condition,
                ExpressionAttributeValues={k: _serialize(v) for k, v in values.items()},
            )
        except ClientError as error:
            raise _conflict_or_raise(error) from None

    def _update(
        self,
        session_id: str,
        expression: str,
        condition: str,
        values: dict[str, Any],
        *,
        names: dict[str, str] | None = None,
    ) -> None:
        extra = {"ExpressionAttributeNames": names} if names else {}
        try:
            self._ddb.update_item(
                TableName=self.table_name,
                Key=_key(session_id),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeValues={k: _serialize(v) for k, v in values.items()},
                **extra,
            )
        except ClientError as error:
            raise _conflict_or_raise(error) from None


def _key(session_id: str) -> dict[str, Any]:
    return {"session_id": {"S": session_id}}


def _conflict_or_raise(error: ClientError) -> Exception:
    if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
        return SessionConflict("the session changed since it was read")
    return error  # type: ignore[no-any-return]  # botocore is untyped
