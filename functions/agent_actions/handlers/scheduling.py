"""Action group "scheduling": projects, dates, times, confirm, reschedule, cancel."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from agent_actions import app as shared
from agent_actions import booking
from agent_actions.answers import AgentAnswer
from agent_actions.idempotency import idempotent
from agent_actions.observability import logger, metrics, tracer
from agent_actions.present import Answer, project_summary
from agent_actions.services import services
from pf360_client.project_rules import is_listed

app = shared.new_resolver()
ProjectId = Annotated[
    str,
    Query(description="The project's number, from list_projects (e.g. 12345).", min_length=1, max_length=18),
]
Day = Annotated[
    str, Query(description="A date from the available dates, as YYYY-MM-DD.", min_length=8, max_length=32)
]
Reason = Annotated[
    str | None,
    Query(description="Why the customer cancels, if they said (optional; saved as a note).", max_length=500),
]
Time = Annotated[
    str, Query(description="A time from the available times, e.g. 10:00 AM.", min_length=3, max_length=16)
]


@shared.operation(
    app,
    "GET",
    "/list-projects",
    "List the customer's home-improvement projects with their status and any appointment.",
)
def list_projects() -> Response[AgentAnswer]:
    caller = shared.current_caller(app)
    listed = [p for p in booking.customer_projects(services(), caller) if is_listed(p.status)]
    projects = [project_summary(p) for p in listed]
    names = "; ".join(f"{p['name']} (project {p['project_id']}, {p['status']})" for p in projects)
    return shared.respond(
        Answer(
            f"You have {len(projects)} project(s): {names}." if projects else "You have no projects with us.",
            {"projects": projects},
        )
    )


@shared.operation(
    app,
    "GET",
    "/get-available-dates",
    "Start booking an appointment for a project: returns the dates the scheduler offers.",
)
def get_available_dates(project_id: ProjectId) -> Response[AgentAnswer]:
    return shared.respond(
        booking.start_booking(services(), shared.current_caller(app), project_id, "schedule")
    )


@shared.operation(
    app,
    "GET",
    "/get-time-slots",
    "The times available on one of the offered dates for the project being booked.",
)
def get_time_slots(project_id: ProjectId, date: Day) -> Response[AgentAnswer]:
    return shared.respond(booking.choose_date(services(), shared.current_caller(app), project_id, date))


@shared.operation(
    app,
    "POST",
    "/confirm-appointment",
    "Book one of the offered times on the chosen date. Ask the customer to confirm first.",
    confirm=True,
)
def confirm_appointment(project_id: ProjectId, date: Day, time: Time) -> Response[AgentAnswer]:
    caller, deps = shared.current_caller(app), services()
    # the session's owner is checked before the idempotency layer can return a stored answer
    key = {
        "execution": booking.current_execution(deps, caller),
        "project": project_id,
        "date": date,
        "time": time,
    }
    answer = idempotent(
        "confirm",
        caller,
        key,
        lambda: booking.choose_slot(deps, caller, project_id, date, time),
        app.lambda_context,
        done=lambda a: a.data.get("booked") is True,
    )
    return shared.respond(answer)


@shared.operation(
    app,
    "POST",
    "/reschedule-appointment",
    "Start moving a project's existing appointment: returns the dates it can move to. The scheduling "
    "system releases the current appointment first (it has no other way); if no new time is booked, "
    "the old one is booked again. Ask the customer to confirm first.",
    confirm=True,
)
def reschedule_appointment(project_id: ProjectId) -> Response[AgentAnswer]:
    return shared.respond(
        booking.start_booking(services(), shared.current_caller(app), project_id, "reschedule")
    )


@shared.operation(
    app,
    "POST",
    "/cancel-appointment",
    "Cancel a project's appointment, with the customer's reason if they gave one. Ask the customer to "
    "confirm first.",
    confirm=True,
)
def cancel_appointment(project_id: ProjectId, reason: Reason = None) -> Response[AgentAnswer]:
    caller, deps = shared.current_caller(app), services()
    key = {"execution": booking.current_execution(deps, caller), "project": project_id}
    why = shared.text(reason, "reason") if reason else None
    answer = idempotent(
        "cancel",
        caller,
        key,
        lambda: booking.cancel(deps, caller, project_id, why),
        app.lambda_context,
        done=lambda a: a.data.get("cancelled") is True,
    )
    return shared.respond(answer)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # answers echo sessionAttributes: the token
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return shared.handle(app, event, context)
