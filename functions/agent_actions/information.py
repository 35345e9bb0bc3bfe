"""Information operations: appointment status, business hours, weather at the installation address."""

from __future__ import annotations

from agent_actions import errors
from agent_actions.booking import owned_project
from agent_actions.identity import Caller
from agent_actions.present import Answer, day_label, time_label
from agent_actions.services import services
from pf360_client.errors import PF360Error


def appointment_status(caller: Caller, project_id: str) -> Answer:
    project = owned_project(caller, project_id)
    try:
        status = services().pf360.get_appointment_status(
            caller.client_id, caller.customer_id, project.project_id
        )
    except PF360Error as error:
        raise errors.from_pf360(error) from None
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


def business_hours(caller: Caller) -> Answer:
    try:
        hours = services().pf360.get_business_hours(caller.client_id)
    except PF360Error as error:
        raise errors.from_pf360(error) from None
    days = [
        f"{d.day}: {time_label(d.start)} to {time_label(d.end)}"
        if d.is_working and d.start and d.end
        else f"{d.day}: closed"
        for d in hours.days
    ]
    zone = f" ({hours.timezone})" if hours.timezone else ""
    return Answer(f"Our business hours{zone}: " + "; ".join(days) + ".", {"hours": days})


def weather(caller: Caller, project_id: str, days: int) -> Answer:
    project = owned_project(caller, project_id)
    location = project.address.zipcode or project.address.city
    if not location:
        raise errors.NotFound("I don't have an installation address for that project.")
    try:
        forecast = services().pf360.get_weather(location, days)
    except PF360Error as error:
        raise errors.from_pf360(error) from None
    lines = [
        f"{day_label(d.date)}: {d.condition}, high {d.high_f:g}°F, low {d.low_f:g}°F" for d in forecast.days
    ]
    return Answer(
        f"Forecast at the installation address of your {project.display_name}: " + "; ".join(lines) + ".",
        {"forecast": lines},
    )
