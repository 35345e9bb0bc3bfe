"""Rules AWS enforces at run time that moto's engine does not, checked over the ASL itself.

moto treats a missing path in a Choice rule as "no match" and a missing `$.error.Cause` as empty;
AWS fails the execution with States.Runtime, which no Catch can handle, and the session would stay
`working`. So two rules, proven by a must-be-present dataflow analysis over every path through the
machine:
- a Choice rule may compare an optional field only inside an `And` that first checks `IsPresent`;
- no other state may read an optional field unless every way into it proved the field present.
Optional fields are the ones whose presence nobody here controls: the customer's reply (whatever
SendTaskSuccess carried) and the `Cause` of a caught error (AWS leaves it out of, e.g., a timeout).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from pf360_client import errors as pf360_errors
from scheduling_tooling.local.resources import STATEMACHINES

DEFINITION = json.loads((STATEMACHINES / "booking-conversation.asl.json").read_text())
STATES: dict[str, Any] = DEFINITION["States"]
OPTIONAL = re.compile(r"^\$\.(reply\..+|error\.Cause)$")
PATH = re.compile(r"\$\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
ALL_PATHS = frozenset({"*"})  # "anything": the top of the lattice before the analysis reaches a state


def _rules(
    rule: dict[str, Any], guards: frozenset[str] = frozenset()
) -> Iterator[tuple[str, frozenset[str]]]:
    """(Variable, paths proven present when it is evaluated) for every comparison in a Choice rule.
    In an `And`, each operand may rely on the IsPresent checks before it (AWS evaluates in order)."""
    if "And" in rule:
        proven = set(guards)
        for operand in rule["And"]:
            yield from _rules(operand, frozenset(proven))
            if operand.get("IsPresent") is True:
                proven.add(operand["Variable"])
    for operand in rule.get("Or", []):
        yield from _rules(operand, guards)
    if "Not" in rule:
        yield from _rules(rule["Not"], guards)
    if "Variable" in rule:
        yield rule["Variable"], guards


def _proven_by(rule: dict[str, Any]) -> frozenset[str]:
    """Paths a matching Choice rule proves present."""
    if rule.get("IsPresent") is True:
        return frozenset({rule["Variable"]})
    if "And" in rule:
        return frozenset().union(*(_proven_by(r) for r in rule["And"]))
    return frozenset()


def _written(result_path: str | None, value: Any = None) -> tuple[str | None, frozenset[str]]:
    """What a ResultPath overwrites, and which optional fields the value it writes is known to hold."""
    if result_path is None or not isinstance(value, dict):
        return result_path, frozenset()
    keys = {k.removesuffix(".$") for k in value}
    return result_path, frozenset(f"{result_path}.{k}" for k in keys)


def _after(present: frozenset[str], result_path: str | None, known: frozenset[str]) -> frozenset[str]:
    if present == ALL_PATHS:
        return present
    if result_path is None:
        return present
    kept = {p for p in present if not (p == result_path or p.startswith(result_path + "."))}
    return frozenset(kept | known)


def _edges(name: str, state: dict[str, Any], present: frozenset[str]) -> Iterator[tuple[str, frozenset[str]]]:
    """(next state, paths present on arrival) for every way out of a state."""
    if state["Type"] == "Choice":
        for rule in state["Choices"]:
            yield rule["Next"], (present if present == ALL_PATHS else present | _proven_by(rule))
        if "Default" in state:
            yield state["Default"], present
        return
    for catcher in state.get("Catch", []):
        # a caught error is written at the catcher's ResultPath: Error always, Cause maybe
        path, _ = _written(catcher.get("ResultPath", "$"))
        yield catcher["Next"], _after(present, path, frozenset({f"{path}.Error"}) if path else frozenset())
    if "Next" in state:
        value = state.get("Parameters", state.get("Result")) if state["Type"] == "Pass" else None
        path, known = _written(state.get("ResultPath", "$"), value)
        if state["Type"] == "Task":  # a task's result is whatever the service answered
            known = frozenset()
        yield state["Next"], _after(present, path, known)


def present_on_entry(states: dict[str, Any]) -> dict[str, frozenset[str]]:
    """For each state, the optional paths present on every way into it (a must-analysis)."""
    entry = {name: ALL_PATHS for name in states}
    entry[DEFINITION["StartAt"]] = frozenset()
    changed = True
    while changed:
        changed = False
        for name, state in states.items():
            for target, arriving in _edges(name, state, entry[name]):
                if entry[target] == ALL_PATHS:
                    merged = arriving
                elif arriving == ALL_PATHS:
                    merged = entry[target]
                else:
                    merged = entry[target] & arriving
                if merged != entry[target]:
                    entry[target], changed = merged, True
    return entry


def _reads(state: dict[str, Any]) -> set[str]:
    """Paths a non-Choice state reads: from `.$` fields, intrinsic functions, *Path fields."""
    found: set[str] = set()

    def visit(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in ("Catch", "Retry", "Next", "ResultPath", "Comment"):
                    visit(v, k)
        elif isinstance(value, list):
            for v in value:
                visit(v, key)
        elif isinstance(value, str) and (key.endswith(".$") or key.endswith("Path")):
            found.update(PATH.findall(value))

    visit(state)
    return found


def unguarded_choices(states: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (name, variable)
        for name, state in states.items()
        if state["Type"] == "Choice"
        for rule in state["Choices"]
        for variable, guards in _rules(rule)
        if OPTIONAL.match(variable) and variable not in guards and not _is_presence_check(rule, variable)
    ]


def _is_presence_check(rule: dict[str, Any], variable: str) -> bool:
    """The IsPresent test itself is the guard, wherever it stands."""
    return any(r.get("Variable") == variable and "IsPresent" in r for r in [rule, *rule.get("And", [])])


def unproven_reads(states: dict[str, Any]) -> list[tuple[str, str]]:
    entry = present_on_entry(states)
    return [
        (name, path)
        for name, state in states.items()
        if state["Type"] != "Choice"
        for path in sorted(_reads(state))
        if OPTIONAL.match(path) and path not in entry[name]
    ]


def test_choice_rules_check_an_optional_field_is_present_before_comparing_it() -> None:
    assert unguarded_choices(STATES) == []


def test_no_state_reads_an_optional_field_it_was_not_proven_to_have() -> None:
    assert unproven_reads(STATES) == []


def test_the_analysis_catches_an_unguarded_read_and_an_unguarded_rule() -> None:
    # Given the failure described from the error's Cause, and a bare IsString on the customer's reply,
    # as the machine once had them
    broken = json.loads(json.dumps(STATES))
    broken["Describe Failure"]["Parameters"]["cause.$"] = "$.error.Cause"
    broken["Slot Or New Date"]["Choices"] = [
        {"Variable": "$.reply.date", "IsString": True, "Next": "Get Time Slots"}
    ]
    broken["Get Time Slots"]["Parameters"]["Payload"]["date.$"] = "$.reply.date"
    # Then both rules find them
    assert ("Describe Failure", "$.error.Cause") in unproven_reads(broken)
    assert ("Get Time Slots", "$.reply.date") in unproven_reads(broken)
    assert ("Slot Or New Date", "$.reply.date") in unguarded_choices(broken)


def test_a_failed_execution_always_carries_a_cause() -> None:
    fails = {name: state for name, state in STATES.items() if state["Type"] == "Fail"}
    entry = present_on_entry(STATES)
    for name, state in fails.items():
        assert "Cause" in state or "CausePath" in state, name
        cause_reads = {p for p in PATH.findall(state.get("CausePath", "")) if OPTIONAL.match(p)}
        assert cause_reads <= entry[name], name


@pytest.mark.parametrize("name", ["Confirm Appointment", "Release Appointment", "Cancel Appointment"])
def test_a_write_the_deployment_refuses_is_recorded_not_reconciled(name: str) -> None:
    # A refused write never reached PF360: recording it as a failure is honest; reconciling or
    # escalating would imply something might have happened.
    catchers = STATES[name]["Catch"]
    first = next(c for c in catchers if {"PF360WriteDisabled", "States.ALL"} & set(c["ErrorEquals"]))
    assert first["Next"] == "Describe Failure"
    assert STATES["Describe Failure"]["Next"] == "Put Back Before Failing"  # a released one is put back
    assert STATES["Put Back Before Failing"]["Default"] == "Record Failure"


def test_every_pf360_error_the_asl_names_exists_in_the_client() -> None:
    named = {
        error
        for state in STATES.values()
        for policy in state.get("Retry", []) + state.get("Catch", [])
        for error in policy["ErrorEquals"]
        if error.startswith("PF360")
    }
    assert named
    assert named <= {name for name in dir(pf360_errors) if name.startswith("PF360")}
