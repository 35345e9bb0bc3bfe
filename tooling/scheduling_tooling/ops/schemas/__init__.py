"""JSON Schemas of `scheduling ops ... --json` output: one versioned file per command, with `$id`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

HERE = Path(__file__).parent
NAMES = ("list", "show", "waiting", "failures", "stats")


@cache
def schema(name: str) -> dict[str, Any]:
    return dict(json.loads((HERE / f"{name}.json").read_text(encoding="utf-8")))


def check(name: str, document: Any) -> None:
    """Raise jsonschema.ValidationError when `document` breaks the command's schema."""
    Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER).validate(document)
