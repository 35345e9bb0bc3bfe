"""Loads the project's JSON Schemas (draft 2020-12) and validates documents against them.

Two families: `pf360` (the PF360 API contract: request envelopes and response bodies) and `workflow`
(execution input, step Lambda payloads, the session item). A family's schemas are looked up, in
order, in `$PF360_SCHEMA_DIR/<family>`, in `schemas/<family>` inside this package (where the layer
build copies them) and in the repository's `schemas/<family>/`. Each validator is compiled on its
first use and kept for the process: importing this module loads no jsonschema (reading a schema as
written, `document`, needs none either), the first check pays for it, later calls do not.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry

SCHEMA_VERSION = "v1"
_ENV_DIR = "PF360_SCHEMA_DIR"


class ContractViolation(ValueError):
    """A document does not match its schema. `problems` are short `where: what` lines."""

    def __init__(self, schema_name: str, problems: list[str]) -> None:
        super().__init__(f"{schema_name}: " + "; ".join(problems))
        self.schema_name = schema_name
        self.problems = problems


def schema_dir(family: str = "pf360") -> Path:
    here = Path(__file__).resolve().parent
    candidates = [Path(os.environ[_ENV_DIR]) / family] if os.environ.get(_ENV_DIR) else []
    candidates += [here / "schemas" / family, here.parents[1] / "schemas" / family]
    for candidate in candidates:
        if (candidate / SCHEMA_VERSION).is_dir():
            return candidate / SCHEMA_VERSION
    raise FileNotFoundError(f"{family} schemas not found; looked in {[str(c) for c in candidates]}")


@cache
def _documents(family: str) -> dict[str, dict[str, Any]]:
    """Every schema of the family as written, by file name."""
    by_file: dict[str, dict[str, Any]] = {}
    for path in sorted(schema_dir(family).glob("*.json")):
        by_file[path.name] = json.loads(path.read_text(encoding="utf-8"))
    return by_file


@cache
def _registry(family: str) -> tuple[Registry, dict[str, dict[str, Any]]]:
    from referencing import Registry, Resource

    by_file = _documents(family)
    resources = [(document["$id"], Resource.from_contents(document)) for document in by_file.values()]
    return Registry().with_resources(resources), by_file


@cache
def _anchored(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262, where `$` is the end of the string; Python's `$` also
    # matches before a final newline, which would let "12345\n" through as a project id.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not _anchored(pattern).search(instance):
        from jsonschema import ValidationError

        yield ValidationError(f"does not match {pattern!r}")


@cache
def _validator_class() -> Any:
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    return extend(Draft202012Validator, {"pattern": _pattern})


@cache
def validator(file_name: str, family: str = "pf360") -> Any:
    registry, by_file = _registry(family)
    if file_name not in by_file:
        raise KeyError(f"no schema {file_name} in {schema_dir(family)}")
    return _validator_class()(by_file[file_name], registry=registry)


def document(file_name: str, family: str = "pf360") -> dict[str, Any]:
    """A schema as written: code that derives a vocabulary from it (the session item's steps) reads it."""
    return _documents(family)[file_name]


def schema_names(family: str = "pf360") -> list[str]:
    return sorted(_documents(family))


def check(file_name: str, document: Any, family: str = "pf360") -> None:
    """Raise ContractViolation listing (at most five) problems when `document` breaks the schema."""
    errors = sorted(validator(file_name, family).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise ContractViolation(file_name, [_describe(e) for e in errors[:5]])


def _describe(error: Any) -> str:
    # Name the rule, never echo the value: a response can hold addresses and names.
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    if error.validator in ("required", "additionalProperties", "unevaluatedProperties"):
        what = error.message  # names only property keys
    else:
        what = f"fails {error.validator} {json.dumps(error.validator_value, default=str)[:80]}"
    return f"{where}: {what}"


def request_schema(operation: str) -> str:
    return f"{operation}.request.json"


def response_schema(operation: str) -> str:
    return f"{operation}.response.json"
