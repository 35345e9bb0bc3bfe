"""Action group "notes": add a note to a project, read a project's notes."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from agent_actions import app as shared
from agent_actions import booking, notes
from agent_actions.observability import logger, metrics, tracer

app = shared.new_resolver()
ProjectId = Annotated[
    str, Query(description="The project's number (e.g. 12345).", min_length=1, max_length=18)
]
NoteText = Annotated[
    str, Query(description="The note, in the customer's words.", min_length=1, max_length=shared.MAX_TEXT)
]

FUNCTIONS = {"add_note": ("POST", "/add-note"), "get_notes": ("GET", "/get-notes")}


@app.post(
    "/add-note", operation_id="add_note", description="Add a note to a project for the installation team."
)
def add_note(project_id: ProjectId, note: NoteText) -> Response[Any]:
    caller = shared.current_caller(app)
    cleaned = shared.text(note, "note")
    # Project ownership before the idempotency layer: a stored answer is never replayed to another
    # customer, and the check is not skipped when an answer is stored.
    project = booking.owned_project(caller, project_id)
    key = {"project": project.project_id, "note": cleaned}
    return shared.respond(
        shared.idempotent(
            "add-note",
            caller,
            key,
            lambda: notes.add_note(caller, project, cleaned),
            app.lambda_context,
            done=lambda a: "note_id" in a.data,
        )
    )


@app.get("/get-notes", operation_id="get_notes", description="The notes on a project, newest first.")
def get_notes(project_id: ProjectId) -> Response[Any]:
    return shared.respond(notes.get_notes(shared.current_caller(app), project_id))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return shared.handle(app, FUNCTIONS, event, context)
