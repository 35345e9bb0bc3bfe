"""Action group "information": appointment status, business hours, weather."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from agent_actions import app as shared
from agent_actions import information
from agent_actions.answers import AgentAnswer
from agent_actions.observability import logger, metrics, tracer
from agent_actions.services import services

app = shared.new_resolver()
ProjectId = Annotated[
    str, Query(description="The project's number (e.g. 12345).", min_length=1, max_length=18)
]
Days = Annotated[int, Query(description="How many days of forecast, 1 to 7.", ge=1, le=7)]


@shared.operation(app, "GET", "/get-appointment-status", "Whether a project has an appointment, and when.")
def get_appointment_status(project_id: ProjectId) -> Response[AgentAnswer]:
    return shared.respond(information.appointment_status(services(), shared.current_caller(app), project_id))


@shared.operation(
    app,
    "GET",
    "/get-project-details",
    "A project's category, type, status, appointment, installer, store and installation address.",
)
def get_project_details(project_id: ProjectId) -> Response[AgentAnswer]:
    return shared.respond(information.project_details(services(), shared.current_caller(app), project_id))


@shared.operation(
    app, "GET", "/get-business-hours", "The business hours of the customer's store, day by day."
)
def get_business_hours() -> Response[AgentAnswer]:
    return shared.respond(information.business_hours(services(), shared.current_caller(app)))


@shared.operation(app, "GET", "/get-weather", "The weather forecast at a project's installation address.")
def get_weather(project_id: ProjectId, days: Days = 3) -> Response[AgentAnswer]:
    return shared.respond(information.weather(services(), shared.current_caller(app), project_id, days))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # answers echo sessionAttributes: the token
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return shared.handle(app, event, context)
