"""Execution names and ARNs: deterministic per (session, project, mode, attempt), so a retried start
is idempotent, and readable by ops without a lookup table."""

from __future__ import annotations

import hashlib
import re

from session_store import Session

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def execution_name(session_id: str, project_id: str, mode: str, attempt: int | str) -> str:
    """Valid characters only, at most 80, readable by ops: `schedule-12345-3-<hash of the session>`."""
    digest = hashlib.sha256(session_id.encode()).hexdigest()[:24]
    name = (
        f"{mode}-{_NAME_UNSAFE.sub('', project_id)[:18]}-{_NAME_UNSAFE.sub('', str(attempt))[:20]}-{digest}"
    )
    return name[:80]


def execution_arn(state_machine_arn: str, name: str) -> str:
    """An execution's ARN, built from its machine's and its name (as AWS builds it)."""
    return state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + name


def attempt_of(session: Session) -> str:
    """Unique per start for the life of a session id: the version counts starts, and the creation
    time tells a session recreated after DynamoDB's TTL deleted it (names stay reserved 90 days)."""
    return f"{session.version}-{_base36(session.created_at)}" if session.created_at else str(session.version)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"
