"""What a well-formed action-group event is: `schemas/agent/bedrock_event.json`, its one definition.

Compiled once per container, on the first check: importing this module loads no jsonschema. The
handlers check every event against `well_formed` before anything else; identity checks `identified`;
answers echo only fields that fit their rule.
The schema is looked up in `$PF360_SCHEMA_DIR/agent`, in `schemas/agent` inside this package (where
a build copies it) and in the repository's `schemas/agent/`.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

EVENT_SCHEMA = "bedrock_event.json"


def schema_path(name: str) -> Path:
    here = Path(__file__).resolve().parent
    env = os.environ.get("PF360_SCHEMA_DIR")
    candidates = [Path(env) / "agent"] if env else []
    candidates += [here / "schemas" / "agent", here.parents[1] / "schemas" / "agent"]
    for candidate in candidates:
        if (candidate / name).is_file():
            return candidate / name
    raise FileNotFoundError(f"{name} not found; looked in {[str(c) for c in candidates]}")


@cache
def _anchored(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262, where `$` is the end of the string; Python's `$` also
    # matches before a final newline, which would let customer_id "1645975\n" through.
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not _anchored(pattern).search(instance):
        from jsonschema import ValidationError

        yield ValidationError(f"does not match {pattern!r}")


@cache
def _parts() -> dict[str, Any]:
    """A validator per `$defs` entry of the event schema, compiled on the first check."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend
    from referencing import Registry, Resource

    validator_class = extend(Draft202012Validator, {"pattern": _pattern})
    schema: dict[str, Any] = json.loads(schema_path(EVENT_SCHEMA).read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return {
        name: validator_class({"$ref": f"{schema['$id']}#/$defs/{name}"}, registry=registry)
        for name in schema["$defs"]
    }


def problem(event: Any) -> str | None:
    """Why `event` is not a well-formed action-group event, as `where: rule` (never the value), or
    None when it is one."""
    parts = _parts()
    if parts["well_formed"].is_valid(event):
        return None
    from jsonschema.exceptions import best_match

    # Explain against the format the event claims: oneOf alone would only say "oneOf".
    claims_function = isinstance(event, dict) and "function" in event and "apiPath" not in event
    error = best_match(parts["function_event" if claims_function else "openapi_event"].iter_errors(event))
    if error is None:
        return "(root): oneOf"
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{where[:120]}: {error.validator}"


def fits(definition: str, value: Any) -> bool:
    """`value` matches `#/$defs/<definition>` (e.g. "identified", "string_map", "action_group")."""
    return bool(_parts()[definition].is_valid(value))
