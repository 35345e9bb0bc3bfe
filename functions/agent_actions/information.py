"""Information operations: appointment status, business hours, weather at the installation address.
PF360 errors become agent answers in one place (the resolver's exception handler, app.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from agent_actions import errors
from agent_actions.deps import Deps
from agent_actions.identity import Caller
from agent_actions.observability import logger
from agent_actions.ownership import known_facts, owned_project, session_of
from agent_actions.present import Answer, appointment_label, day_label, time_label
from agent_actions.reads import read
from pf360_client.client import appointment_of
from pf360_client.project_rules import is_scheduled
from pf360_client.weather import MAX_FORECAST_DAYS, WeatherUnavailable


def appointment_status(deps: Deps, caller: Caller, project_id: str) -> Answer:
    project = owned_project(deps, caller, project_id)
    status = appointment_of(project)  # the dashboard row says it: no second call
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


def project_details(deps: Deps, caller: Caller, project_id: str) -> Answer:
    """Category, type, status, appointment, installer, store and address, from the dashboard (once
    per session: then from what the session remembers)."""
    known = known_facts(deps, caller, session_of(deps, caller), project_id)
    parts = [f"{known['category']} {known['type']}".strip(), f"status {known['status']}"]
    when = appointment_label(known["date"], known["time"]) if is_scheduled(known["status"]) else ""
    if when:
        parts.append(f"appointment {when}" + (f" with {known['installer']}" if known["installer"] else ""))
    if known["store"]:
        parts.append(f"store {known['store']}")
    if known["address"]:
        parts.append(f"installation address {known['address']}")
    shown = {k: known[k] for k in ("category", "type", "status", "installer", "store", "address")}
    return Answer(f"Your {known['name']}: " + "; ".join(parts) + ".", shown | {"appointment": when or None})


def business_hours(deps: Deps, caller: Caller) -> Answer:
    hours = read(deps, lambda: deps.pf360.get_business_hours(caller.client_id))
    days = [
        f"{d.day}: {time_label(d.start)} to {time_label(d.end)}"
        if d.is_working and d.start and d.end
        else f"{d.day}: closed"
        for d in hours.days
    ]
    zone = f" ({hours.timezone})" if hours.timezone else ""
    if not days and hours.other:  # PF360 answered another shape: passed on as given, never guessed at
        shown = [f"{key}: {value}" for key, value in hours.other.items() if key != "timezone"]
        return Answer(f"Our business hours{zone}: " + "; ".join(shown) + ".", {"hours": shown})
    return Answer(f"Our business hours{zone}: " + "; ".join(days) + ".", {"hours": days})


def weather(deps: Deps, caller: Caller, project_id: str, days: int) -> Answer:
    """The forecast at the installation address: from the appointment's date when it is within the
    provider's reach, else from today. When the provider fails, the answer says so: never a guess."""
    project = owned_project(deps, caller, project_id)
    address = project.address
    if not (address.zipcode or address.city):
        raise errors.NotFound("I don't have an installation address for that project.")
    appointment = appointment_of(project)
    start = appointment.date if appointment.scheduled and _within_reach(appointment.date) else None
    try:
        forecast = read(
            deps,
            lambda: deps.weather.weather_for_address(
                zipcode=address.zipcode, city=address.city, state=address.state, days=days, start=start
            ),
        )
    except WeatherUnavailable as error:
        logger.warning("weather unavailable", extra={"reason": str(error)})
        return Answer(
            "The weather forecast is unavailable right now. Please ask again later.", {"forecast": None}
        )
    lines = [
        f"{day_label(d.date)}: {d.condition}, high {d.high_f:g}°F, low {d.low_f:g}°F" for d in forecast.days
    ]
    lead = "From your appointment day, the forecast" if start else "The forecast"
    return Answer(
        f"{lead} at the installation address of your {project.display_name}: " + "; ".join(lines) + ".",
        {"forecast": lines, "from_appointment": start is not None},
    )


def _within_reach(day: str | None) -> bool:
    """The appointment's day is one the forecast reaches (Open-Meteo: 16 days)."""
    if not day:
        return False
    ahead = (date.fromisoformat(day) - datetime.now(UTC).date()).days
    return 0 <= ahead < MAX_FORECAST_DAYS
