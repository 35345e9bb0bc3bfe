"""The three Bedrock action groups, their handler modules and their committed OpenAPI files."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("scheduling", "information", "notes")
TITLES = {
    "scheduling": "PF360 scheduling: book, reschedule and cancel appointments",
    "information": "PF360 information: appointment status, business hours, weather",
    "notes": "PF360 notes: add and read project notes",
}
# Bedrock action groups require OpenAPI version "3.0.0" (AWS user guide: action group OpenAPI schemas).
BEDROCK_OPENAPI = "3.0.0"
_JSON = "application/json"
_ANSWER = {
    "type": "object",
    "properties": {"message": {"type": "string", "description": "what to tell the customer"}},
    "required": ["message"],
}


def module(group: str) -> ModuleType:
    return importlib.import_module(f"agent_actions.handlers.{group}")


def functions(group: str) -> dict[str, tuple[str, str]]:
    """The group's operations by name (function-details events), as its routes declare them."""
    from agent_actions.app import functions as declared

    return declared(module(group).app)


def openapi_path(group: str) -> Path:
    return ROOT / "schemas" / "agent" / f"{group}.openapi.json"


def openapi(group: str) -> dict[str, Any]:
    """The group's OpenAPI, generated from its routes (Powertools), with our answer shape, our 400 in
    place of Powertools' 422 (the handlers answer bad parameters with 400) and the version Bedrock takes."""
    document = json.loads(module(group).app.get_openapi_json_schema(title=TITLES[group], version="1.0.0"))
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"] = {
                "200": {"description": "The answer", "content": {_JSON: {"schema": _ANSWER}}},
                "400": {
                    "description": "Invalid or missing parameters, or a choice that was not offered "
                    "(the message lists what was)",
                    "content": {_JSON: {"schema": _ANSWER}},
                },
                "default": {
                    "description": "A refusal or failure the agent should relay",
                    "content": {_JSON: {"schema": _ANSWER}},
                },
            }
    document.pop("components", None)
    document["openapi"] = BEDROCK_OPENAPI  # Powertools says 3.0.3
    return document


def render(group: str) -> str:
    return json.dumps(openapi(group), indent=2, sort_keys=True) + "\n"
