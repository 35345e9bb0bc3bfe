"""Execution names and ARNs: deterministic per (session, project, mode, attempt), so a retried start
is idempotent, and readable by ops without a lookup table."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from session_store import Session

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_PROJECT_UNSAFE = re.compile(r"[^A-Za-z0-9_]")  # no '-' either: the dash separates the name's parts
# <mode>-<project>-<attempt: version, or version-base36 creation time>-<24 hex of the session's hash>
_NAME = re.compile(
    r"(?P<mode>[a-z_]+)-(?P<project>[A-Za-z0-9_]*)-(?P<attempt>[0-9]+(?:-[0-9a-z]+)?)-(?P<digest>[0-9a-f]{24})\Z"
)


@dataclass(frozen=True)
class ExecutionName:
    """What an execution's name says (the project as the name holds it: at most 18 safe characters)."""

    mode: str
    project_id: str
    attempt: str
    session_digest: str


def execution_name(session_id: str, project_id: str, mode: str, attempt: int | str) -> str:
    """Valid characters only, at most 80, readable by ops: `schedule-12345-3-<hash of the session>`."""
    project = _PROJECT_UNSAFE.sub("", project_id)[:18]
    name = f"{mode}-{project}-{_NAME_UNSAFE.sub('', str(attempt))[:20]}-{session_digest(session_id)}"
    return name[:80]


def session_digest(session_id: str) -> str:
    """The part of each of a session's execution names that tells the session (ops find them by it)."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:24]


def parse_execution_name(name: str) -> ExecutionName | None:
    """The parts `execution_name` put in `name`, or None for a name it did not make."""
    match = _NAME.match(name)
    if not match:
        return None
    return ExecutionName(match["mode"], match["project"], match["attempt"], match["digest"])


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
