"""Execution names back to what they encode, without a lookup table: functions/booking_bridge/names.py
owns the format (`<mode>-<project>-<attempt>-<24 hex of sha256(session id)>`) and its parser."""

from __future__ import annotations

from booking_bridge import ExecutionName, execution_arn, execution_name, parse_execution_name, session_digest

__all__ = ["ExecutionName", "arn_of", "parse", "project_in_name", "session_digest"]


def parse(name: str) -> ExecutionName | None:
    """What a booking execution's name says, or None for a name the bridge did not make."""
    return parse_execution_name(name)


def project_in_name(project_id: str) -> str:
    """A project id as execution names hold it (so a filter compares like with like)."""
    parsed = parse_execution_name(execution_name("x", project_id, "x", 0))
    assert parsed is not None
    return parsed.project_id


def arn_of(state_machine_arn: str, execution: str) -> str:
    """An execution ARN from an ARN or a name."""
    return execution if execution.startswith("arn:") else execution_arn(state_machine_arn, execution)
