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
from agent_actions.reads import read
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
        wanted = project_id(value)
        return read(deps, lambda: deps.pf360.get_project(caller.client_id, caller.customer_id, wanted))
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


def known_facts(deps: Deps, caller: Caller, session: Session | None, value: str) -> dict[str, Any]:
    """What the session knows of a project proven the caller's (`facts`): as remembered, unless this
    session has booked it since (or remembered less): then from the dashboard, remembered again."""
    pid = project_id(value)
    remembered = session.projects.get(pid) if session else None
    booked_here = session is not None and session.project_id == pid and session.execution_name is not None
    if isinstance(remembered, dict) and set(FACTS) <= set(remembered) and not booked_here:
        return remembered
    project = owned_project(deps, caller, pid)
    known = facts(project)
    if session is not None:
        deps.store.remember_projects(session, {pid: known})
    return known


def known_project(deps: Deps, caller: Caller, session: Session, value: str) -> Known:
    """The project's facts the status rules and answers need (see known_facts)."""
    known = known_facts(deps, caller, session, value)
    return Known(project_id(value), known["name"], known["status"], known["date"], known["time"])


def project_name(deps: Deps, caller: Caller, session: Session, value: str) -> tuple[str, str]:
    """(project id, display name) of a project proven the caller's (see known_project)."""
    known = known_project(deps, caller, session, value)
    return known.project_id, known.name


FACTS = ("name", "status", "date", "time", "category", "type", "installer", "store", "address")


def facts(project: Project) -> dict[str, Any]:
    """What the session remembers of a project (schemas/workflow/v1/session_item.json `projects`):
    what answers, details and the status rules need, so later turns ask PF360 nothing about it."""
    number = f"#{project.store_number}" if project.store_number else ""
    store = " ".join(x for x in (project.store_name, number) if x)
    return {
        "name": project.display_name,
        "status": project.status,
        "date": project.scheduled_date,
        "time": project.scheduled_time,
        "category": project.category,
        "type": project.project_type,
        "installer": project.installer_name,
        "store": store or None,
        "address": project.address.one_line or None,
    }


def remember(deps: Deps, session: Session, projects: list[Project]) -> None:
    """The customer's projects as listed: proven theirs by the dashboard, for the rest of the session."""
    deps.store.remember_projects(session, {p.project_id: facts(p) for p in projects})
