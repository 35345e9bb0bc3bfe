"""Action group "notes": add a note to a project, read a project's notes, ask the office to change a
project's installation address."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from agent_actions import app as shared
from agent_actions import notes
from agent_actions.answers import AgentAnswer
from agent_actions.idempotency import idempotent
from agent_actions.observability import logger, metrics, tracer
from agent_actions.ownership import owned_project
from agent_actions.services import services

app = shared.new_resolver()
ProjectId = Annotated[
    str, Query(description="The project's number (e.g. 12345).", min_length=1, max_length=18)
]
Address = Annotated[
    str,
    Query(
        description="The new installation address, in full (street, city, state, ZIP).",
        min_length=5,
        max_length=300,
    ),
]
NoteText = Annotated[
    str, Query(description="The note, in the customer's words.", min_length=1, max_length=shared.MAX_TEXT)
]


@shared.operation(app, "POST", "/add-note", "Add a note to a project for the installation team.")
def add_note(project_id: ProjectId, note: NoteText) -> Response[AgentAnswer]:
    caller, deps = shared.current_caller(app), services()
    cleaned = shared.text(note, "note")
    # Project ownership before the idempotency layer: a stored answer is never replayed to another
    # customer, and the check is not skipped when an answer is stored.
    project = owned_project(deps, caller, project_id)
    key = {"project": project.project_id, "note": cleaned}
    return shared.respond(
        idempotent(
            "add-note",
            caller,
            key,
            lambda: notes.add_note(deps, caller, project, cleaned),
            app.lambda_context,
            done=lambda a: a.data.get("noted") is True,
        )
    )


@shared.operation(
    app,
    "POST",
    "/request-address-change",
    "Ask the office to change a project's installation address (a request they confirm, never applied "
    "by itself). Ask the customer to confirm the new address first.",
    confirm=True,
)
def request_address_change(project_id: ProjectId, new_address: Address) -> Response[AgentAnswer]:
    caller, deps = shared.current_caller(app), services()
    cleaned = shared.text(new_address, "new address")
    project = owned_project(deps, caller, project_id)  # before a stored answer could be replayed
    return shared.respond(
        idempotent(
            "address-change",
            caller,
            {"project": project.project_id, "address": cleaned},
            lambda: notes.request_address_change(deps, caller, project, cleaned),
            app.lambda_context,
            done=lambda a: a.data.get("address_change_requested") is True,
        )
    )


@shared.operation(app, "GET", "/get-notes", "The notes on a project, newest first.")
def get_notes(project_id: ProjectId) -> Response[AgentAnswer]:
    return shared.respond(notes.get_notes(services(), shared.current_caller(app), project_id))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # answers echo sessionAttributes: the token
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return shared.handle(app, event, context)
