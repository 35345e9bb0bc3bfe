"""Notes on a project: add one, read them back."""

from __future__ import annotations

from agent_actions import errors
from agent_actions.booking import owned_project
from agent_actions.identity import Caller
from agent_actions.present import Answer
from agent_actions.services import services
from pf360_client.errors import PF360Error
from pf360_client.models import Project


def add_note(caller: Caller, project: Project, text: str) -> Answer:
    """Add a note to a project `owned_project` has already proved is the caller's."""
    try:
        note = services().pf360.add_note(caller.client_id, caller.customer_id, project.project_id, text)
    except PF360Error as error:
        raise errors.from_pf360(error) from None
    return Answer(f"I added your note to your {project.display_name}.", {"note_id": note.note_id})


def get_notes(caller: Caller, project_id: str) -> Answer:
    project = owned_project(caller, project_id)
    try:
        notes = services().pf360.get_notes(caller.client_id, project.project_id)
    except PF360Error as error:
        raise errors.from_pf360(error) from None
    if not notes:
        return Answer(f"There are no notes on your {project.display_name}.", {"notes": []})
    shown = [{"date": n.created_at[:10], "author": n.author, "text": n.text} for n in notes[:10]]
    return Answer(f"Notes on your {project.display_name} (newest first): {len(notes)}.", {"notes": shown})
