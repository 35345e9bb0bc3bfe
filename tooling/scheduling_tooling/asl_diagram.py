"""The state machine as a Mermaid `stateDiagram-v2`, generated from the ASL: the picture in the README
(between the `asl-diagram` markers) is this function's output, and a test fails when they drift.

    .venv/bin/python -m scheduling_tooling.asl_diagram            # print it
    .venv/bin/python -m scheduling_tooling.asl_diagram --write    # rewrite the README's copy
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from scheduling_tooling.local.resources import ROOT, STATEMACHINES

README = ROOT / "README.md"
START, END = "<!-- asl-diagram:start -->", "<!-- asl-diagram:end -->"


def mermaid(definition: dict[str, Any]) -> str:
    states: dict[str, Any] = definition["States"]
    ident = {name: re.sub(r"[^A-Za-z0-9]", "", name) for name in states}
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{name}" as {ident[name]}' for name in states]
    lines.append(f"    [*] --> {ident[definition['StartAt']]}")
    for name, state in states.items():
        for target, label in _edges(state):
            arrow = f"    {ident[name]} --> {ident[target] if target else '[*]'}"
            lines.append(f"{arrow}: {label}" if label else arrow)
    return "\n".join(lines)


def _edges(state: dict[str, Any]) -> list[tuple[str | None, str]]:
    edges: list[tuple[str | None, str]] = [
        (rule["Next"], _condition(rule)) for rule in state.get("Choices", [])
    ]
    if "Default" in state:
        edges.append((state["Default"], "otherwise"))
    if "Next" in state:
        edges.append((state["Next"], ""))
    for catcher in state.get("Catch", []):
        errors = (re.sub(r"^DynamoD[bB]\.", "", error) for error in catcher["ErrorEquals"])
        edges.append((catcher["Next"], " or ".join(errors)))
    if state["Type"] in ("Succeed", "Fail"):
        edges.append((None, state["Type"].lower()))
    return edges


_WORDS = {"StringEquals": "=", "BooleanEquals": "=", "StringMatches": "matches", "NumericGreaterThan": ">"}


def _condition(rule: dict[str, Any]) -> str:
    """A Choice rule in a few words: the last comparison of an And (its IsPresent guards are implied)."""
    if "And" in rule:
        return _condition(rule["And"][-1])
    if "Not" in rule:
        return "not " + _condition(rule["Not"])
    variable = rule.get("Variable", "").removeprefix("$.")
    for key, value in rule.items():
        if key in _WORDS:
            return f"{variable} {_WORDS[key]} {value}"
        if key.startswith("Is"):
            return f"{variable} is {key.removeprefix('Is').lower()}"
    return variable


def current() -> str:
    return mermaid(json.loads((STATEMACHINES / "booking-conversation.asl.json").read_text()))


def readme_copy(text: str) -> str:
    """The diagram the README shows (between the markers, without the ``` fence)."""
    block = text.split(START, 1)[1].split(END, 1)[0]
    return block.strip().removeprefix("```mermaid").removesuffix("```").strip()


def write(readme: Path = README) -> None:
    text = readme.read_text()
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    readme.write_text(f"{head}{START}\n```mermaid\n{current()}\n```\n{END}{tail}")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        print(current())
