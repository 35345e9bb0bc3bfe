"""Finding executions: newest first through ListExecutions, filtered by status, time window, project
and customer, and stopping at the window's old end (ListExecutions lists newest first).

The customer filter needs no lookup table: the sessions table's `customer_id-index` gives the
customer's session ids, and every execution name ends with a digest of its session id.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from scheduling_tooling.ops.names import ExecutionName, parse, project_in_name, session_digest

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
_SPAN = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])\Z")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
CREATED_MARGIN = timedelta(minutes=5)  # a session item's created_at vs its executions' startDate


class OpsError(Exception):
    """A problem the user can fix (unknown session, bad option); one line."""


def now() -> datetime:
    """The current time (tests of a stack on a manual clock replace it with the stack's)."""
    return datetime.now(UTC)


def span(text: str) -> timedelta:
    """`10m`, `1d`, `2h`, `90s`, `1w` as a timedelta."""
    match = _SPAN.match(text.strip().lower())
    if not match:
        raise OpsError(f"not a duration: {text!r} (e.g. 30s, 10m, 2h, 1d, 1w)")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2]])


def moment(text: str) -> datetime:
    """A point in time: a duration back from now (`1d`) or an ISO 8601 time (UTC if no zone)."""
    try:
        return now() - span(text)
    except OpsError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise OpsError(f"not a time: {text!r} (e.g. 1d, or 2026-11-28T09:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    project: str | None = None
    digests: frozenset[str] | None = None  # sessions whose executions to keep (None: all)

    def keeps(self, execution: dict[str, Any], name: ExecutionName | None) -> bool:
        started = execution["startDate"]
        if self.until and started > self.until:
            return False
        if self.status and execution["status"] != self.status:
            return False
        if self.project is not None and (name is None or name.project_id != project_in_name(self.project)):
            return False
        return self.digests is None or (name is not None and name.session_digest in self.digests)


@dataclass(frozen=True)
class Page:
    executions: list[dict[str, Any]]
    next_token: str | None  # ours: where the next page resumes
    listed: int  # executions ListExecutions returned to get this page (what it cost)


def executions(
    sfn: Any,
    state_machine_arn: str,
    filters: Filters,
    *,
    limit: int | None = 50,
    next_token: str | None = None,
    page_size: int = 100,
) -> Page:
    """Up to `limit` executions matching `filters`, newest first, and a token for the next ones.

    A token resumes after the last execution returned: found again in ListExecutions' page it was on,
    or, when executions started since moved it to a later page, passed by its start time (a cursor),
    so no row repeats. A token whose page no longer reaches back to it is refused as stale."""
    aws_token, after, after_start = _unpack(next_token)
    skipping, first = after is not None, True
    found: list[dict[str, Any]] = []
    listed = 0
    kwargs: dict[str, Any] = {"stateMachineArn": state_machine_arn, "maxResults": page_size}
    if filters.status:
        kwargs["statusFilter"] = filters.status
    while True:
        if aws_token:
            kwargs["nextToken"] = aws_token
        page = sfn.list_executions(**kwargs)
        batch = page["executions"]
        listed += len(batch)
        start = 0
        if skipping:
            start, skipping = _resume(batch, str(after), after_start, first=first)
        first = False
        for index, execution in enumerate(batch[start:], start):
            if filters.since and execution["startDate"] < filters.since:
                return Page(found, None, listed)  # newest first: everything after is older still
            if filters.keeps(execution, parse(execution["name"])):
                found.append(execution)
                if limit is not None and len(found) >= limit:
                    more = index + 1 < len(batch) or bool(page.get("nextToken"))
                    token = _pack(aws_token, execution) if more else None
                    return Page(found, token, listed)
        aws_token = page.get("nextToken")
        if not aws_token:
            return Page(found, None, listed)


def _resume(
    batch: list[dict[str, Any]], after: str, after_start: datetime | None, *, first: bool
) -> tuple[int, bool]:
    """Where in `batch` the page after `after` starts, and whether to keep skipping into the next batch."""
    arns = [e["executionArn"] for e in batch]
    if after in arns:
        return arns.index(after) + 1, False
    # Newer executions pushed it further: skip what is not older than it (same-millisecond starts are
    # taken as returned already).
    start = (
        len(batch)
        if after_start is None
        else next((i for i, e in enumerate(batch) if e["startDate"] < after_start), len(batch))
    )
    if first and (after_start is None or start == 0):  # an empty page too: the listing shrank
        raise OpsError("the page token is stale (the listing changed since): list again without --next-token")
    return start, start == len(batch)


def oldest_session_start(sessions: list[dict[str, Any]]) -> datetime | None:
    """The earliest an execution of these session items can have started: the oldest item's creation,
    less a margin for clock skew between the Lambda that wrote it and Step Functions."""
    created = [item["created_at"] for item in sessions if isinstance(item.get("created_at"), int | float)]
    if not created or len(created) < len(sessions):
        return None  # an item without its creation time: no lower bound
    return datetime.fromtimestamp(float(min(created)), UTC) - CREATED_MARGIN


def customer_sessions(dynamodb: Any, table: str, customer_id: str) -> list[dict[str, Any]]:
    """The customer's session items (id, creation time, latest execution) from the GSI."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": "customer_id-index",
        "KeyConditionExpression": "customer_id = :c",
        "ExpressionAttributeValues": {":c": {"S": customer_id}},
        "ProjectionExpression": "session_id, created_at, execution_name",
    }
    items: list[dict[str, Any]] = []
    while True:
        page = dynamodb.query(**kwargs)
        items += [_plain(item) for item in page.get("Items", [])]
        if not page.get("LastEvaluatedKey"):
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def session_item(dynamodb: Any, table: str, session_id: str) -> dict[str, Any] | None:
    """The session's item: only what ops needs (no token, no offers)."""
    item = dynamodb.get_item(
        TableName=table,
        Key={"session_id": {"S": session_id}},
        ProjectionExpression="session_id, created_at, execution_name, step, customer_id",
    ).get("Item")
    return _plain(item) if item else None


def session_executions(
    sfn: Any, dynamodb: Any, state_machine_arn: str, table: str, session_id: str, *, lookback: timedelta
) -> list[dict[str, Any]]:
    """The session's executions, oldest first. Reading stops at the session item's creation (none can
    be older); with no item (its TTL deleted it) it stops `lookback` back from now."""
    item = session_item(dynamodb, table, session_id)
    created = item.get("created_at") if item else None
    since = (
        datetime.fromtimestamp(float(created), UTC) - CREATED_MARGIN
        if isinstance(created, int | float)
        else now() - lookback
    )
    filters = Filters(since=since, digests=frozenset({session_digest(session_id)}))
    found = executions(sfn, state_machine_arn, filters, limit=None).executions
    return sorted(found, key=lambda e: e["startDate"])


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    values = {key: TypeDeserializer().deserialize(value) for key, value in item.items()}
    return {
        k: int(v) if hasattr(v, "as_integer_ratio") and not isinstance(v, bool) else v
        for k, v in values.items()
    }


def _pack(aws_token: str | None, last: dict[str, Any]) -> str:
    """Our page token: ListExecutions' token of the page, and the last execution returned from it (its
    ARN and start time)."""
    raw = json.dumps({"t": aws_token, "a": last["executionArn"], "d": last["startDate"].isoformat()})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _unpack(token: str | None) -> tuple[str | None, str | None, datetime | None]:
    if not token:
        return None, None, None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        started = datetime.fromisoformat(data["d"]) if data.get("d") else None
        return data.get("t"), str(data["a"]), started
    except (ValueError, TypeError, AttributeError, KeyError):
        raise OpsError("not a page token from `scheduling ops list` (--next-token)") from None
