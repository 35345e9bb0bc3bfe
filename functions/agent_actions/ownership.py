"""Who may do what: the session belongs to the (client_id, customer_id) pair that opened it, and a
project must be the caller's. A project proven the caller's (by the dashboard, once) is remembered on
the session with the name answers use, so the later turns of a booking ask PF360 nothing about it."""

from __future__ import annotations

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


def project_name(deps: Deps, caller: Caller, session: Session, value: str) -> tuple[str, str]:
    """(project id, display name) of a project proven the caller's: from the session when it already
    proved it, else from the dashboard (remembered on the session for the next turns)."""
    pid = project_id(value)
    if pid in session.projects:
        return pid, session.projects[pid]
    project = owned_project(deps, caller, pid)
    deps.store.remember_projects(session, {pid: project.display_name})
    return pid, project.display_name


def remember(deps: Deps, session: Session, projects: list[Project]) -> None:
    """The customer's projects as listed: proven theirs by the dashboard, for the rest of the session."""
    deps.store.remember_projects(session, {p.project_id: p.display_name for p in projects})
