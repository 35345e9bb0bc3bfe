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
# Bedrock action groups require OpenAPI version "3.0.0" (AWS user guide: action group OpenAPI schemas);
# Powertools' BedrockAgentResolver writes "3.0.3".
BEDROCK_OPENAPI = "3.0.0"
# Powertools declares a 422 on every route with parameters and can't be told otherwise; our handler
# answers bad parameters with 400 (declared on the routes), so the 422 and its schemas would mislead.
_UNUSED = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def module(group: str) -> ModuleType:
    return importlib.import_module(f"agent_actions.handlers.{group}")


def functions(group: str) -> dict[str, tuple[str, str]]:
    """The group's operations by name (function-details events), as its routes declare them."""
    from agent_actions.app import functions as declared

    return declared(module(group).app)


def openapi_path(group: str) -> Path:
    return ROOT / "schemas" / "agent" / f"{group}.openapi.json"


def openapi(group: str) -> dict[str, Any]:
    """The group's OpenAPI as Powertools generates it from the routes (typed answers, every status
    declared), in the version Bedrock takes and without the 422 no route answers."""
    document = json.loads(module(group).app.get_openapi_json_schema(title=TITLES[group], version="1.0.0"))
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"].pop("422", None)
    for name in _UNUSED:
        document["components"]["schemas"].pop(name, None)
    document["openapi"] = BEDROCK_OPENAPI
    return document


def render(group: str) -> str:
    return json.dumps(openapi(group), indent=2, sort_keys=True) + "\n"
