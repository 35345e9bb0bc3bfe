"""Notes on a project: add one, read them back. PF360 errors become agent answers in one place (the
resolver's exception handler, app.py)."""

from __future__ import annotations

from agent_actions.deps import Deps
from agent_actions.identity import Caller
from agent_actions.ownership import owned_project
from agent_actions.present import Answer
from agent_actions.reads import read
from pf360_client.models import Project
from pf360_client.operations import ADDRESS_CHANGE_PREFIX


def add_note(deps: Deps, caller: Caller, project: Project, text: str) -> Answer:
    """Add a note to a project `owned_project` has already proved is the caller's."""
    deps.pf360.add_note(caller.client_id, project.project_id, text)
    return Answer(f"I added your note to your {project.display_name}.", {"noted": True})


def request_address_change(deps: Deps, caller: Caller, project: Project, new_address: str) -> Answer:
    """An installation address change is a request to the office, saved as the note PF360's
    production client routes to update-address-note: never applied by itself."""
    text = f"{ADDRESS_CHANGE_PREFIX}: {new_address}. Requested via AI Scheduling Assistant."
    deps.pf360.add_office_note(caller.client_id, project.project_id, text, address_change=True)
    return Answer(
        f"I sent your new address for your {project.display_name} to the office. They will confirm it; "
        "until then the project keeps its current address.",
        {"address_change_requested": True},
    )


def get_notes(deps: Deps, caller: Caller, project_id: str) -> Answer:
    project = owned_project(deps, caller, project_id)
    notes = read(deps, lambda: deps.pf360.get_notes(caller.client_id, caller.customer_id, project.project_id))
    if not notes:
        return Answer(f"There are no notes on your {project.display_name}.", {"notes": []})
    shown = [{"date": n.created_at[:10], "author": n.author, "text": n.text} for n in notes[:10]]
    return Answer(f"Notes on your {project.display_name} (newest first): {len(notes)}.", {"notes": shown})
