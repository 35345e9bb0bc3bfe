"""The scheduling conversation: start and resume booking executions, answer from the session item.

Every operation first proves the session is the caller's (checked before PF360 is asked anything,
Step Functions is sent anything or the item is written), then that the project is the caller's (the
session remembers what the dashboard proved, see ownership.py); choices are checked against what the
execution offered before anything is sent to Step Functions; a repeated call returns the current
state instead of acting twice. Dependencies come in as `deps` (the container's services, or fakes).
"""

from __future__ import annotations

from collections.abc import Callable

from agent_actions import errors, status_rules
from agent_actions.deps import Deps
from agent_actions.identity import Caller
from agent_actions.observability import count_outcome, logger
from agent_actions.ownership import known_project, open_session, project_id, remember, session_of
from agent_actions.present import Answer, offer_answer, outcome_answer, write_disabled_answer
from agent_actions.reads import read
from booking_bridge import BookingNotWaiting
from booking_bridge.bridge import HandOverFailed
from pf360_client.errors import PF360Error
from pf360_client.models import Project
from pf360_client.normalize import normalize_date, normalize_time
from session_store import ACTIVE_STEPS, PENDING_STEPS, Session, SessionConflict

# The PF360 writes each kind of booking may need: a reschedule confirms the new time, and releases
# the old one first when PF360 will not move it in one go.
_WRITES_OF_MODE = {
    "schedule": frozenset({"confirm_appointment"}),
    "reschedule": frozenset({"confirm_appointment", "cancel_reschedule"}),
    "cancel": frozenset({"cancel_appointment"}),
}


# How PF360's production client heads a cancellation reason note (PF360_API.md 4.6).
CANCELLATION_REASON = "CANCELLATION REASON:"


class StillWorking(Exception):
    """The execution has not answered within the deadline; the next call picks the result up."""

    def __init__(self, session: Session) -> None:
        super().__init__("still working")
        self.session = session


def customer_projects(deps: Deps, caller: Caller) -> list[Project]:
    """The customer's projects; listing them proves them theirs for the rest of the session."""
    session = open_session(deps, caller)
    projects = read(deps, lambda: deps.pf360.get_projects(caller.client_id, caller.customer_id))
    remember(deps, session, projects)
    return projects


def current_execution(deps: Deps, caller: Caller) -> str:
    """The session's current execution name ("" when none): part of the idempotency key of a write,
    so the same choice in a later booking is a new write, and a retry in this one is not.

    Called before a stored answer can be returned, so it refuses a session that is not the caller's
    (SessionNotYours): nothing is replayed, read from PF360 or written for another pair."""
    session = session_of(deps, caller)
    return (session.execution_name or "") if session else ""


def start_booking(deps: Deps, caller: Caller, project: str, mode: str) -> Answer:
    """get-available-dates (schedule), reschedule-appointment and cancel-appointment: start a booking,
    or show what the one under way offers."""
    refused = _write_refused(deps, mode)
    if refused:
        return refused
    session = open_session(deps, caller)  # the session's owner first: another pair is refused before PF360
    _keep_token(deps, caller)
    if session.project_id == project_id(project) and session.mode == mode and _still_on(session, mode):
        return _continue(deps, session, session.project_name or f"project {session.project_id}")  # a retry
    known = known_project(deps, caller, session, project)
    pid, name = known.project_id, known.name
    refused = status_rules.refusal(mode, known)
    if refused:  # PF360's status rules: nothing is started or written
        return refused
    if session.step == "working":  # a choice is in flight (e.g. a confirm): its outcome comes first
        raise StillWorking(session)
    deps.bridge.abandon(session)  # a booking the customer left for this one ends now
    try:
        started = deps.bridge.start(session, pid, mode, name)
    except SessionConflict:  # a concurrent call started first: answer from what it started, if it is this
        current = deps.store.get(caller.session_id)
        if current is None or (current.project_id, current.mode) != (pid, mode):
            raise StillWorking(current or session) from None  # another booking won: ask again
        return _answer(deps, current, name, want_slots=False)
    return _await(deps, started, name, want_slots=False)


def cancel(deps: Deps, caller: Caller, project: str, reason: str | None) -> Answer:
    """cancel-appointment, then the customer's reason as a note for the office, as PF360's production
    client does (its cancel takes no reason). A cancel is never reported unless PF360 cancelled; a
    reason that could not be saved is said."""
    answer = start_booking(deps, caller, project, "cancel")
    if not (reason and answer.data.get("cancelled") is True):
        return answer
    text = f"{CANCELLATION_REASON} {reason}. Cancelled via AI Scheduling Assistant."
    try:
        deps.pf360.add_office_note(caller.client_id, project_id(project), text)
    except PF360Error as error:
        logger.warning("cancellation reason not saved", extra={"error": type(error).__name__})
        return Answer(
            f"{answer.message} I couldn't save your reason, though.", answer.data | {"reason_saved": False}
        )
    return Answer(
        f"{answer.message} I passed your reason on to the office.", answer.data | {"reason_saved": True}
    )


def _still_on(session: Session, mode: str) -> bool:
    # a cancel is one step: once cancelled, asking again says so instead of cancelling anew
    return session.step in (("starting", "cancelled") if mode == "cancel" else ACTIVE_STEPS)


def choose_date(deps: Deps, caller: Caller, project: str, day: str) -> Answer:
    session, name = _booking_in_progress(deps, caller, project)
    wanted = _valid(normalize_date, day, "date")
    if not session.waiting:
        return _answer(deps, session, name, want_slots=True)
    if wanted not in session.offered_dates:
        return _reprompt(session, name, f"{wanted} is not one of the available dates.", want_slots=False)
    if session.step == "awaiting_slot" and session.slots_date == wanted:
        return _answer(deps, session, name, want_slots=True)  # already showing that date: an agent retry
    _keep_token(deps, caller)
    return _resume(deps, session, name, {"date": wanted})


def choose_slot(deps: Deps, caller: Caller, project: str, day: str, time: str) -> Answer:
    session, name = _booking_in_progress(deps, caller, project)
    wanted_day, wanted_time = _valid(normalize_date, day, "date"), _valid(normalize_time, time, "time")
    if session.step == "confirmed" and (session.booked_date, session.booked_time) == (
        wanted_day,
        wanted_time,
    ):
        return _answer(deps, session, name, want_slots=True)  # confirmed already: say so again, book nothing
    if not session.waiting:
        return _answer(deps, session, name, want_slots=True)
    if session.step != "awaiting_slot" or session.slots_date != wanted_day:
        problem = "Please pick a date and then one of its times first."
        return _reprompt(session, name, problem, want_slots=session.step == "awaiting_slot")
    if wanted_time not in session.offered_slots:
        return _reprompt(session, name, "That time is not one of the available times.", want_slots=True)
    _keep_token(deps, caller)
    return _resume(deps, session, name, {"slot": wanted_time})


# --- plumbing -------------------------------------------------------------------------------------


def _keep_token(deps: Deps, caller: Caller) -> None:
    """The step Lambdas this turn sets going call PF360 with the customer's token: keep it (encrypted)
    for them. Without one, nothing is started: the customer must sign in."""
    if deps.tokens is None:
        return
    if not caller.token:
        raise errors.NotAuthenticated()
    deps.tokens.keep(caller.session_id, caller.token)


def _write_refused(deps: Deps, mode: str) -> Answer | None:
    """The honest refusal when this deployment does not let the booking's PF360 write through (prod
    with its flag off): said before anything starts, instead of a booking that can never finish."""
    return write_disabled_answer(mode) if _WRITES_OF_MODE[mode] & deps.pf360.writes_disabled else None


def _continue(deps: Deps, session: Session, name: str) -> Answer:
    """The booking already under way: re-start it if its first start failed, then answer from it."""
    if session.step == "starting":
        deps.bridge.ensure_started(session)
        return _await(deps, session.replace(version=session.version - 1), name, want_slots=False)
    return _answer(deps, session, name, want_slots=False)


def _resume(deps: Deps, session: Session, name: str, choice: dict[str, str]) -> Answer:
    try:
        deps.bridge.resume(session, choice)
    except BookingNotWaiting:  # a concurrent call (an agent retry) answered it first
        pass
    except HandOverFailed as failed:  # the offer stands (claim given back): the customer asks again
        logger.warning(
            "hand-over failed", extra={"error": failed.error_type, "given_back": failed.given_back}
        )
        raise errors.HandOverFailed() from None
    return _await(deps, session, name, want_slots=True)


def _await(deps: Deps, before: Session, name: str, *, want_slots: bool) -> Answer:
    after = deps.bridge.wait_for_change(before.session_id, before.version, deps.answer_deadline_seconds)
    if after is None or after.version <= before.version or after.step in PENDING_STEPS:
        raise StillWorking(after or before)
    execution = after.execution_name or ""
    logger.append_keys(project_id=after.project_id, execution_arn=deps.bridge.execution_arn(execution))
    count_outcome(after.step)
    return _answer(deps, after, name, want_slots=want_slots)


def _answer(deps: Deps, session: Session, name: str, *, want_slots: bool) -> Answer:
    if session.waiting:
        return offer_answer(session, name, want_slots=want_slots)
    if session.step in PENDING_STEPS:  # an earlier call's choice is in flight: wait for its outcome
        return _await(deps, session, name, want_slots=want_slots)
    return outcome_answer(session, name)


def _reprompt(session: Session, name: str, problem: str, *, want_slots: bool) -> Answer:
    offer = offer_answer(session, name, want_slots=want_slots)
    return Answer(f"{problem} {offer.message}", offer.data, status=400, reprompt=True)


def _booking_in_progress(deps: Deps, caller: Caller, project: str) -> tuple[Session, str]:
    """The session's booking of this project (another pair's session is refused first) and the
    project's name as the booking recorded it: no PF360 call."""
    pid = project_id(project)
    session = session_of(deps, caller, expired_too=True)
    if session is None or session.project_id != pid:
        raise errors.InvalidInput(
            "No booking is in progress for that project. Ask for available dates first."
        )
    name = session.project_name or f"project {pid}"
    if session.expires_at <= deps.clock():  # the customer walked away: say so, touch nothing
        return session.replace(step="expired" if session.step in ACTIVE_STEPS else session.step), name
    return deps.store.touch(session), name  # the TTL runs from the last word


def _valid(check: Callable[[str], str], value: str, what: str) -> str:
    try:
        return check(value)
    except ValueError:
        raise errors.InvalidInput(
            f"That {what} is not valid: use YYYY-MM-DD for dates and e.g. 10:00 AM for times."
        ) from None
