"""PF360's project-status rules (PF360_API.md section 7), as its production client applies them:
which statuses may be scheduled, rescheduled or cancelled. Statuses compare lowercased and trimmed."""

from __future__ import annotations

from dataclasses import dataclass

SCHEDULABLE = frozenset(
    {"new", "pending reschedule", "not scheduled", "ready to schedule", "ready for auto call"}
)
SCHEDULED = frozenset(
    {
        "scheduled",
        "tentatively scheduled",
        "customer scheduled",
        "store scheduled",
        "install scheduled",
        "hdms scheduled",
    }
)
TERMINAL = frozenset({"completed", "cancelled", "closed", "on hold"})
BLOCKED = frozenset({"in progress", "pending confirmation"})
# Statuses the project list leaves out (finished work); a separate set from the action rules.
HIDDEN = frozenset(
    {
        "completed",
        "work complete",
        "project completed",
        "work order completed",
        "done",
        "completed-archived",
        "cancelled",
        "cancelled/surge",
        "ready to cancel",
        "closed",
        "archived",
    }
)
# Statuses that only explain why nothing can be scheduled yet (waiting on product, a permit, ...).
WAITING = frozenset(
    {
        "on hold",
        "waiting for product",
        "waiting product",
        "missing product",
        "paused - missing product",
        "paused - waiting on product",
        "waiting for permit",
        "needs permit",
        "product ordered",
        "pending",
    }
)


def _key(status: str) -> str:
    return status.strip().lower()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # Why not, in a word the answers use: "scheduled", "terminal", "blocked", "waiting",
    # "not_scheduled" (nothing to change), "unknown"; "" when allowed.
    reason: str = ""


def _refusal(status: str) -> Verdict:
    key = _key(status)
    if key in SCHEDULED:
        return Verdict(False, "scheduled")
    if key in TERMINAL:
        return Verdict(False, "terminal")
    if key in BLOCKED:
        return Verdict(False, "blocked")
    if key in WAITING:
        return Verdict(False, "waiting")
    return Verdict(False, "unknown")


def can_schedule(status: str) -> Verdict:
    """Schedulable statuses, and an unknown one (the production client allows it and logs it; so
    are the waiting set's, which PF360's dates call answers "Not allowed": WAITING explains that)."""
    key = _key(status)
    if key in SCHEDULED | TERMINAL | BLOCKED:
        return _refusal(status)
    return Verdict(True)


def waiting_reason(status: str) -> bool:
    """A status that explains why PF360 will not schedule yet (product, permit, on hold)."""
    return _key(status) in WAITING


def can_reschedule(status: str, has_date: bool) -> Verdict:
    """Scheduled, or schedulable with a date (a data inconsistency PF360 has); never unknown."""
    return _change_rule(status, has_date)


def can_cancel(status: str, has_date: bool) -> Verdict:
    return _change_rule(status, has_date)


def _change_rule(status: str, has_date: bool) -> Verdict:
    key = _key(status)
    if key in SCHEDULED or (key in SCHEDULABLE and has_date):
        return Verdict(True)
    if key in SCHEDULABLE:
        return Verdict(False, "not_scheduled")
    return _refusal(status)


def is_scheduled(status: str) -> bool:
    return _key(status) in SCHEDULED


def is_listed(status: str) -> bool:
    return _key(status) not in HIDDEN


def stale_dates(status: str) -> bool:
    """ "Ready To Schedule" rows can carry dates and an installer left from an earlier booking."""
    return _key(status) == "ready to schedule"
