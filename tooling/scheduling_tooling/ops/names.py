"""Execution names back to what they encode, without a lookup table (functions/booking_bridge/names.py
writes them: `<mode>-<project>-<attempt>-<24 hex of sha256(session id)>`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from booking_bridge import execution_arn, execution_name

# The project may contain '-' or '_', the attempt is `<version>` or `<version>-<base36 creation time>`.
_NAME = re.compile(
    r"(?P<mode>[a-z_]+)-(?P<project>[A-Za-z0-9_-]*?)-(?P<attempt>\d+(?:-[0-9a-z]+)?)-(?P<digest>[0-9a-f]{24})\Z"
)


@dataclass(frozen=True)
class ExecutionName:
    name: str
    mode: str
    project_id: str  # as the name holds it: unsafe characters removed, at most 18 characters
    attempt: str
    session_digest: str


def parse(name: str) -> ExecutionName | None:
    """What a booking execution's name says, or None for a name the bridge did not make."""
    match = _NAME.match(name)
    if not match:
        return None
    return ExecutionName(name, match["mode"], match["project"], match["attempt"], match["digest"])


def session_digest(session_id: str) -> str:
    """The part of every execution name of this session that identifies it."""
    return execution_name(session_id, "0", "x", 0).rsplit("-", 1)[1]


def project_in_name(project_id: str) -> str:
    """A project id as execution names hold it (so a filter compares like with like)."""
    return execution_name("x", project_id, "x", 0).split("-", 1)[1].rsplit("-", 2)[0]


def arn_of(state_machine_arn: str, execution: str) -> str:
    """An execution ARN from an ARN or a name."""
    return execution if execution.startswith("arn:") else execution_arn(state_machine_arn, execution)
