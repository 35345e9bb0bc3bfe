"""terraform/ read as data (python-hcl2) for the structure tests: blocks by kind, type and name.

Values keep Terraform's own spelling: literals as Python values, expressions as "${...}" strings.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"


@dataclass(frozen=True)
class Stack:
    files: dict[str, dict[str, Any]]  # file name -> parsed file

    def blocks(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """(file, body) of every top-level `kind` block (resource, data, variable, output, locals...)."""
        return [(name, block) for name, parsed in self.files.items() for block in parsed.get(kind, [])]

    def resources(self, type_: str, kind: str = "resource") -> dict[str, dict[str, Any]]:
        """name -> body of every `kind "type_" "name"` block (kind: resource or data)."""
        found: dict[str, dict[str, Any]] = {}
        for _, block in self.blocks(kind):
            for name, body in block.get(type_, {}).items():
                assert name not in found, f"{kind} {type_}.{name} is defined twice"
                found[name] = body
        return found

    def resource(self, type_: str, name: str, kind: str = "resource") -> dict[str, Any]:
        bodies = self.resources(type_, kind)
        assert name in bodies, f"terraform/ has no {kind} {type_}.{name}"
        return bodies[name]

    def file_of(self, type_: str, name: str, kind: str = "resource") -> str:
        return next(file for file, block in self.blocks(kind) if name in block.get(type_, {}))

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return {name: body for _, block in self.blocks("variable") for name, body in block.items()}

    @property
    def locals(self) -> dict[str, Any]:
        return {name: value for _, block in self.blocks("locals") for name, value in block.items()}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return {name: body for _, block in self.blocks("output") for name, body in block.items()}


@functools.cache
def stack() -> Stack:
    files = {}
    for path in sorted(TERRAFORM.glob("*.tf")):
        with path.open() as handle:
            files[path.name] = hcl2.load(handle)
    return Stack(files)


def walk(value: Any) -> list[Any]:
    """Every scalar inside a parsed value (dicts and lists flattened), to search expressions."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in walk(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in walk(item)]
    return [value]
