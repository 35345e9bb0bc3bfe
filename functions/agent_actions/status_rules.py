"""PF360's project-status rules (pf360_client/project_rules.py, PF360_API.md section 7) applied to
each kind of booking before anything starts, and what the customer hears when they refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_actions.observability import count_outcome
from agent_actions.ownership import Known
from agent_actions.present import OFFICE, Answer, appointment_label, time_label
from pf360_client import project_rules

# PF360's status rules (PF360_API.md section 7) for each kind of booking, on what the session knows.
RULES: dict[str, Callable[[Known], project_rules.Verdict]] = {
    "schedule": lambda known: project_rules.can_schedule(known.status),
    "reschedule": lambda known: _reschedulable(known),
    "cancel": lambda known: project_rules.can_cancel(known.status, known.date is not None),
}


def refusal(mode: str, known: Known) -> Answer | None:
    """The answer that refuses this booking of this project, or None when the rules allow it."""
    verdict = RULES[mode](known)
    if verdict.allowed:
        return None
    count_outcome(f"refused_{verdict.reason}")
    return _answer(mode, verdict.reason, known.name, known.status, known.date, known.time)


def _reschedulable(known: Known) -> project_rules.Verdict:
    """PF360's rule, and one of ours: PF360 cancels before it books anew, so without the old time we
    could not put the appointment back if the new booking fails."""
    verdict = project_rules.can_reschedule(known.status, known.date is not None)
    if verdict.allowed and known.time is None:
        return project_rules.Verdict(False, "time_unknown")
    return verdict


_ACTION = {"schedule": "scheduled", "reschedule": "rescheduled", "cancel": "cancelled"}


def _answer(mode: str, reason: str, name: str, status: str, day: str | None, hms: str | None) -> Answer:
    """Why PF360's status rules (PF360_API.md section 7) do not let this action start; said before
    anything is started or written. `reason` is project_rules' word for it."""
    facts: dict[str, Any] = {"status": status, "refused": reason}
    if reason == "scheduled":
        when = appointment_label(day, hms)
        on = f" on {when}" if when else ""
        facts |= {"already_scheduled": True, "date": day, "time": time_label(hms) if hms else None}
        facts["next_step"] = "reschedule-appointment if the customer wants another time"
        return Answer(f"Your {name} already has an appointment{on}. I can reschedule it if you like.", facts)
    if reason == "not_scheduled":
        verb = "cancel" if mode == "cancel" else "reschedule"
        return Answer(f"Your {name} has no appointment to {verb}. I can look for dates to book one.", facts)
    if reason == "time_unknown":
        return Answer(
            f"I can't move the appointment of your {name} by chat: the scheduling system doesn't show its "
            f"time, so I couldn't put it back if the new booking failed. {OFFICE}",
            facts,
        )
    if reason == "waiting":
        return Answer(f"Your {name} can't be scheduled yet: it is {status}. {OFFICE}", facts)
    if reason == "blocked":
        return Answer(
            f"Your {name} is {status}, so its appointment can't be changed by chat. {OFFICE}", facts
        )
    if reason == "terminal":
        return Answer(f"Your {name} can't be {_ACTION[mode]}: it is {status}. {OFFICE}", facts)
    return Answer(
        f"I can't change the appointment of your {name} by chat (its status is {status}). {OFFICE}", facts
    )
