"""The scheduling conversation: start and resume booking executions, answer from the session item.

Every operation first proves the session is the caller's (the (client_id, customer_id) pair that
opened it: checked before PF360 is asked anything, Step Functions is sent anything or the item is
written), then that the project is the caller's (the dashboard, once per call) or that the session
already holds it; choices are checked against what the execution offered before anything is sent to
Step Functions; a repeated call returns the current state instead of acting twice.
"""

from __future__ import annotations

from collections.abc import Callable

from agent_actions import errors
from agent_actions.identity import Caller
from agent_actions.observability import count_outcome, logger
from agent_actions.present import Answer, offer_answer, outcome_answer, write_disabled_answer
from agent_actions.services import services
from booking_bridge import BookingNotWaiting
from booking_bridge.bridge import HandOverFailed
from pf360_client.errors import PF360Error, PF360NotFound
from pf360_client.models import Project
from pf360_client.normalize import normalize_date, normalize_time, validate_numeric_id
from session_store import ACTIVE_STEPS, PENDING_STEPS, Session, SessionConflict, SessionExpired
from session_store.store import SessionNotYours

# The PF360 writes each kind of booking may need: a reschedule confirms the new time, and releases
# the old one first when PF360 will not move it in one go.
_WRITES_OF_MODE = {
    "schedule": frozenset({"confirm_appointment"}),
    "reschedule": frozenset({"confirm_appointment", "cancel_appointment"}),
    "cancel": frozenset({"cancel_appointment"}),
}


class StillWorking(Exception):
    """The execution has not answered within the deadline; the next call picks the result up."""

    def __init__(self, session: Session) -> None:
        super().__init__("still working")
        self.session = session


def customer_projects(caller: Caller) -> list[Project]:
    try:
        return services().pf360.get_projects(caller.client_id, caller.customer_id)
    except PF360Error as error:
        raise errors.from_pf360(error) from None


def current_execution(caller: Caller) -> str:
    """The session's current execution name ("" when none): part of the idempotency key of a write,
    so the same choice in a later booking is a new write, and a retry in this one is not.

    Called before a stored answer can be returned, so it refuses a session that is not the caller's
    (SessionNotYours): nothing is replayed, read from PF360 or written for another pair."""
    session = _session_of(caller)
    return (session.execution_name or "") if session else ""


def _session_of(caller: Caller, *, expired_too: bool = False) -> Session | None:
    """The caller's session as stored (a read, never a write), None when absent (or expired, unless
    `expired_too`); errors.SessionNotYours when another (client_id, customer_id) pair opened it."""
    try:
        session = services().store.get(caller.session_id)
    except SessionExpired as expired:
        session = expired.session if expired_too else None
    if session is None:
        return None
    try:
        return services().store.owned(session, caller.customer_id, caller.client_id)
    except SessionNotYours:
        raise errors.SessionNotYours() from None


def owned_project(caller: Caller, project_id: str) -> Project:
    """The caller's project, or NotPermitted. Nothing is asked of PF360 about the project itself."""
    pid = _project_id(project_id)
    try:
        return services().pf360.get_project(caller.client_id, caller.customer_id, pid)
    except PF360NotFound:
        raise errors.NotPermitted() from None
    except PF360Error as error:
        raise errors.from_pf360(error) from None


def open_session(caller: Caller) -> Session:
    try:
        return services().store.open(caller.session_id, caller.customer_id, caller.client_id)
    except SessionNotYours:
        raise errors.SessionNotYours() from None


def start_booking(caller: Caller, project_id: str, mode: str) -> Answer:
    """get-available-dates (schedule) and reschedule-appointment: start, or show what is on offer."""
    refused = _write_refused(mode)
    if refused:
        return refused
    session = open_session(caller)  # the session's owner first: another pair is refused before PF360
    project = owned_project(caller, project_id)
    if session.project_id == project.project_id and session.mode == mode and session.step in ACTIVE_STEPS:
        return _continue(session, project.display_name)  # an agent retry: no second start
    return _start(caller, session, project, mode, want_slots=False)


def cancel_booking(caller: Caller, project_id: str) -> Answer:
    refused = _write_refused("cancel")
    if refused:
        return refused
    session = open_session(caller)
    project = owned_project(caller, project_id)
    if (
        session.project_id == project.project_id
        and session.mode == "cancel"
        and session.step in ("starting", "cancelled")
    ):
        return _continue(session, project.display_name)
    return _start(caller, session, project, "cancel", want_slots=False)


def _write_refused(mode: str) -> Answer | None:
    """The honest refusal when this deployment does not let the booking's PF360 write through (prod
    with its flag off): said before anything starts, instead of a booking that can never finish."""
    disabled: frozenset[str] = services().pf360.writes_disabled
    return write_disabled_answer(mode) if _WRITES_OF_MODE[mode] & disabled else None


def choose_date(caller: Caller, project_id: str, day: str) -> Answer:
    session, name = _booking_in_progress(caller, project_id)
    wanted = _valid(normalize_date, day, "date")
    if not session.waiting:
        return _answer(session, name, want_slots=True)
    if wanted not in session.offered_dates:
        return _reprompt(session, name, f"{wanted} is not one of the available dates.", want_slots=False)
    if session.step == "awaiting_slot" and session.slots_date == wanted:
        return _answer(session, name, want_slots=True)  # already showing that date: an agent retry
    return _resume(session, name, {"date": wanted}, want_slots=True)


def choose_slot(caller: Caller, project_id: str, day: str, time: str) -> Answer:
    session, name = _booking_in_progress(caller, project_id)
    wanted_day, wanted_time = _valid(normalize_date, day, "date"), _valid(normalize_time, time, "time")
    if session.step == "confirmed" and (session.booked_date, session.booked_time) == (
        wanted_day,
        wanted_time,
    ):
        return _answer(session, name, want_slots=True)  # confirmed already: say so again, book nothing
    if not session.waiting:
        return _answer(session, name, want_slots=True)
    if session.step != "awaiting_slot" or session.slots_date != wanted_day:
        return _reprompt(
            session,
            name,
            "Please pick a date and then one of its times first.",
            want_slots=session.step == "awaiting_slot",
        )
    if wanted_time not in session.offered_slots:
        return _reprompt(session, name, "That time is not one of the available times.", want_slots=True)
    return _resume(session, name, {"slot": wanted_time}, want_slots=True)


# --- plumbing -------------------------------------------------------------------------------------


def _continue(session: Session, name: str) -> Answer:
    """The booking already under way: re-start it if its first start failed, then answer from it."""
    if session.step == "starting":
        services().bridge.ensure_started(session)
        return _await(session.replace(version=session.version - 1), name, want_slots=False)
    return _answer(session, name, want_slots=False)


def _start(caller: Caller, session: Session, project: Project, mode: str, *, want_slots: bool) -> Answer:
    svc = services()
    if session.step == "working":  # a choice is in flight (e.g. a confirm): its outcome comes first
        raise StillWorking(session)
    svc.bridge.abandon(session)  # a booking the customer left for this one ends now
    try:
        started = svc.bridge.start(session, project.project_id, mode)
    except SessionConflict:  # a concurrent call started first: answer from what it started
        current = svc.store.get(caller.session_id)
        assert current is not None
        return _answer(current, project.display_name, want_slots=want_slots)
    return _await(started, project.display_name, want_slots=want_slots)


def _resume(session: Session, name: str, choice: dict[str, str], *, want_slots: bool) -> Answer:
    try:
        services().bridge.resume(session, choice)
    except BookingNotWaiting:  # a concurrent call (an agent retry) answered it first
        pass
    except HandOverFailed as failed:  # the offer stands (claim given back): the customer asks again
        logger.warning(
            "hand-over failed", extra={"error": failed.error_type, "given_back": failed.given_back}
        )
        raise errors.HandOverFailed() from None
    return _await(session, name, want_slots=want_slots)


def _await(before: Session, name: str, *, want_slots: bool) -> Answer:
    svc = services()
    after = svc.bridge.wait_for_change(
        before.session_id, before.version, svc.settings.answer_deadline_seconds
    )
    if after is None or after.version <= before.version or after.step in PENDING_STEPS:
        raise StillWorking(after or before)
    execution = after.execution_name or ""
    logger.append_keys(project_id=after.project_id, execution_arn=svc.bridge.execution_arn(execution))
    count_outcome(after.step)
    return _answer(after, name, want_slots=want_slots)


def _answer(session: Session, name: str, *, want_slots: bool) -> Answer:
    if session.waiting:
        return offer_answer(session, name, want_slots=want_slots)
    if session.step in PENDING_STEPS:  # an earlier call's choice is in flight: wait for its outcome
        return _await(session, name, want_slots=want_slots)
    return outcome_answer(session, name)


def _reprompt(session: Session, name: str, problem: str, *, want_slots: bool) -> Answer:
    offer = offer_answer(session, name, want_slots=want_slots)
    return Answer(f"{problem} {offer.message}", offer.data, status=400, reprompt=True)


def _booking_in_progress(caller: Caller, project_id: str) -> tuple[Session, str]:
    pid = _project_id(project_id)
    # another pair's session is refused before anything else happens
    session = _session_of(caller, expired_too=True)
    if session is None or session.project_id != pid:
        raise errors.InvalidInput(
            "No booking is in progress for that project. Ask for available dates first."
        )
    if session.expires_at <= services().clock():  # the customer walked away: say so, touch nothing
        step = "expired" if session.step in ACTIVE_STEPS else session.step
        return session.replace(step=step), _name_of(caller, pid)
    return services().store.touch(session), _name_of(caller, pid)  # the TTL runs from the last word


def _name_of(caller: Caller, project_id: str) -> str:
    """The project's name for the answer; the session already proved the project is the caller's."""
    try:
        return services().pf360.get_project(caller.client_id, caller.customer_id, project_id).display_name
    except PF360Error:
        return f"project {project_id}"


def _project_id(value: str) -> str:
    try:
        return validate_numeric_id(value, "project_id")
    except ValueError:
        raise errors.InvalidInput("project_id must be the project's number, e.g. 12345.") from None


def _valid(check: Callable[[str], str], value: str, what: str) -> str:
    try:
        return check(value)
    except ValueError:
        raise errors.InvalidInput(
            f"That {what} is not valid: use YYYY-MM-DD for dates and e.g. 10:00 AM for times."
        ) from None
