"""Who may do what: the session belongs to the (client_id, customer_id) pair that opened it, and a
project must be the caller's. A project proven the caller's (by the dashboard, once) is remembered on
the session with what answers and the status rules need (name, status, appointment), so the later turns
of a booking ask PF360 nothing about it. A booking this session made of a project makes what was
remembered about it stale: the dashboard is read again then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent_actions import errors
from agent_actions.deps import Deps
from agent_actions.identity import Caller
from pf360_client.errors import PF360NotFound
from pf360_client.models import Project
from pf360_client.normalize import validate_numeric_id
from session_store import Session, SessionExpired
from session_store.store import SessionNotYours


def session_of(deps: Deps, caller: Caller, *, expired_too: bool = False) -> Session | None:
    """The caller's session as stored (a read, never a write), None when absent (or expired, unless
    `expired_too`); errors.SessionNotYours when another (client_id, customer_id) pair opened it."""
    try:
        session = deps.store.get(caller.session_id)
    except SessionExpired as expired:
        session = expired.session if expired_too else None
    if session is None:
        return None
    try:
        return deps.store.owned(session, caller.customer_id, caller.client_id)
    except SessionNotYours:
        raise errors.SessionNotYours() from None


def open_session(deps: Deps, caller: Caller) -> Session:
    try:
        return deps.store.open(caller.session_id, caller.customer_id, caller.client_id)
    except SessionNotYours:
        raise errors.SessionNotYours() from None


def project_id(value: str) -> str:
    try:
        return validate_numeric_id(value, "project_id")
    except ValueError:
        raise errors.InvalidInput("project_id must be the project's number, e.g. 12345.") from None


def owned_project(deps: Deps, caller: Caller, value: str) -> Project:
    """The caller's project from the dashboard, or NotPermitted: nothing is asked of PF360 about a
    project that is not theirs."""
    try:
        return deps.pf360.get_project(caller.client_id, caller.customer_id, project_id(value))
    except PF360NotFound:
        raise errors.NotPermitted() from None


@dataclass(frozen=True)
class Known:
    """What the session knows of a project proven the caller's."""

    project_id: str
    name: str
    status: str
    date: str | None  # the appointment's, when it has one
    time: str | None


def known_project(deps: Deps, caller: Caller, session: Session, value: str) -> Known:
    """The project's facts: as remembered, unless this session has booked it since (or remembered only
    its name): then from the dashboard, remembered again."""
    pid = project_id(value)
    remembered = session.projects.get(pid)
    booked_here = session.project_id == pid and session.execution_name is not None
    if isinstance(remembered, dict) and "status" in remembered and not booked_here:
        return Known(
            pid, remembered["name"], remembered["status"], remembered.get("date"), remembered.get("time")
        )
    project = owned_project(deps, caller, pid)
    deps.store.remember_projects(session, {pid: facts(project)})
    return Known(pid, project.display_name, project.status, project.scheduled_date, project.scheduled_time)


def project_name(deps: Deps, caller: Caller, session: Session, value: str) -> tuple[str, str]:
    """(project id, display name) of a project proven the caller's (see known_project)."""
    known = known_project(deps, caller, session, value)
    return known.project_id, known.name


def facts(project: Project) -> dict[str, Any]:
    """What the session remembers of a project (schemas/workflow/v1/session_item.json `projects`)."""
    return {
        "name": project.display_name,
        "status": project.status,
        "date": project.scheduled_date,
        "time": project.scheduled_time,
    }


def remember(deps: Deps, session: Session, projects: list[Project]) -> None:
    """The customer's projects as listed: proven theirs by the dashboard, for the rest of the session."""
    deps.store.remember_projects(session, {p.project_id: facts(p) for p in projects})
