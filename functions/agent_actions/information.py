"""Information operations: appointment status, business hours, weather at the installation address.
PF360 errors become agent answers in one place (the resolver's exception handler, app.py)."""

from __future__ import annotations

from agent_actions import errors
from agent_actions.deps import Deps
from agent_actions.identity import Caller
from agent_actions.ownership import owned_project
from agent_actions.present import Answer, day_label, time_label


def appointment_status(deps: Deps, caller: Caller, project_id: str) -> Answer:
    project = owned_project(deps, caller, project_id)
    status = deps.pf360.get_appointment_status(caller.client_id, caller.customer_id, project.project_id)
    name = project.display_name
    if status.scheduled and status.date and status.start_time:
        when = f"{day_label(status.date)} at {time_label(status.start_time)}"
        crew = f" with {status.installer}" if status.installer else ""
        return Answer(
            f"Your {name} is scheduled for {when}{crew}.",
            {"project_status": status.status, "date": status.date, "time": time_label(status.start_time)},
        )
    return Answer(
        f"Your {name} has no appointment yet (status: {status.status}).", {"project_status": status.status}
    )


def business_hours(deps: Deps, caller: Caller) -> Answer:
    hours = deps.pf360.get_business_hours(caller.client_id)
    days = [
        f"{d.day}: {time_label(d.start)} to {time_label(d.end)}"
        if d.is_working and d.start and d.end
        else f"{d.day}: closed"
        for d in hours.days
    ]
    zone = f" ({hours.timezone})" if hours.timezone else ""
    return Answer(f"Our business hours{zone}: " + "; ".join(days) + ".", {"hours": days})


def weather(deps: Deps, caller: Caller, project_id: str, days: int) -> Answer:
    project = owned_project(deps, caller, project_id)
    location = project.address.zipcode or project.address.city
    if not location:
        raise errors.NotFound("I don't have an installation address for that project.")
    forecast = deps.pf360.get_weather(location, days)
    lines = [
        f"{day_label(d.date)}: {d.condition}, high {d.high_f:g}°F, low {d.low_f:g}°F" for d in forecast.days
    ]
    return Answer(
        f"Forecast at the installation address of your {project.display_name}: " + "; ".join(lines) + ".",
        {"forecast": lines},
    )
