"""Action group "scheduling": projects, dates, times, confirm, reschedule, cancel."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from agent_actions import app as shared
from agent_actions import booking
from agent_actions.observability import logger, metrics, tracer
from agent_actions.present import Answer, project_summary

app = shared.new_resolver()
ProjectId = Annotated[
    str,
    Query(description="The project's number, from list_projects (e.g. 12345).", min_length=1, max_length=18),
]
Day = Annotated[
    str, Query(description="A date from the available dates, as YYYY-MM-DD.", min_length=8, max_length=32)
]
Time = Annotated[
    str, Query(description="A time from the available times, e.g. 10:00 AM.", min_length=3, max_length=16)
]

FUNCTIONS = {
    "list_projects": ("GET", "/list-projects"),
    "get_available_dates": ("GET", "/get-available-dates"),
    "get_time_slots": ("GET", "/get-time-slots"),
    "confirm_appointment": ("POST", "/confirm-appointment"),
    "reschedule_appointment": ("POST", "/reschedule-appointment"),
    "cancel_appointment": ("POST", "/cancel-appointment"),
}
CONFIRM = {"x-requireConfirmation": "ENABLED"}


@app.get(
    "/list-projects",
    operation_id="list_projects",
    description="List the customer's home-improvement projects with their status and any appointment.",
)
def list_projects() -> Response[Any]:
    caller = shared.current_caller(app)
    projects = [project_summary(p) for p in booking.customer_projects(caller)]
    names = "; ".join(f"{p['name']} (project {p['project_id']}, {p['status']})" for p in projects)
    return shared.respond(
        Answer(
            f"You have {len(projects)} project(s): {names}." if projects else "You have no projects with us.",
            {"projects": projects},
        )
    )


@app.get(
    "/get-available-dates",
    operation_id="get_available_dates",
    description="Start booking an appointment for a project: returns the dates the scheduler offers.",
)
def get_available_dates(project_id: ProjectId) -> Response[Any]:
    return shared.respond(booking.start_booking(shared.current_caller(app), project_id, "schedule"))


@app.get(
    "/get-time-slots",
    operation_id="get_time_slots",
    description="The times available on one of the offered dates for the project being booked.",
)
def get_time_slots(project_id: ProjectId, date: Day) -> Response[Any]:
    return shared.respond(booking.choose_date(shared.current_caller(app), project_id, date))


@app.post(
    "/confirm-appointment",
    operation_id="confirm_appointment",
    openapi_extensions=CONFIRM,
    description="Book one of the offered times on the chosen date. Ask the customer to confirm first.",
)
def confirm_appointment(project_id: ProjectId, date: Day, time: Time) -> Response[Any]:
    caller = shared.current_caller(app)
    # Session ownership first (inside current_execution): a stored answer is never replayed to another pair.
    key = {"execution": booking.current_execution(caller), "project": project_id, "date": date, "time": time}
    answer = shared.idempotent(
        "confirm",
        caller,
        key,
        lambda: booking.choose_slot(caller, project_id, date, time),
        app.lambda_context,
        done=lambda a: a.data.get("booked") is True,
    )
    return shared.respond(answer)


@app.post(
    "/reschedule-appointment",
    operation_id="reschedule_appointment",
    description="Start moving a project's existing appointment: returns the dates it can move to. "
    "The current appointment is kept until a new one is booked.",
)
def reschedule_appointment(project_id: ProjectId) -> Response[Any]:
    return shared.respond(booking.start_booking(shared.current_caller(app), project_id, "reschedule"))


@app.post(
    "/cancel-appointment",
    operation_id="cancel_appointment",
    openapi_extensions=CONFIRM,
    description="Cancel a project's appointment. Ask the customer to confirm first.",
)
def cancel_appointment(project_id: ProjectId) -> Response[Any]:
    caller = shared.current_caller(app)
    # Session ownership first (inside current_execution): a stored answer is never replayed to another pair.
    key = {"execution": booking.current_execution(caller), "project": project_id}
    answer = shared.idempotent(
        "cancel",
        caller,
        key,
        lambda: booking.cancel_booking(caller, project_id),
        app.lambda_context,
        done=lambda a: a.data.get("cancelled") is True,
    )
    return shared.respond(answer)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return shared.handle(app, FUNCTIONS, event, context)
