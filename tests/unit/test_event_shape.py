"""The event shape the handlers check first (schemas/agent/bedrock_event.json, issue 7 defect 6):
what it says about a malformed event names the place and the rule, never the value, and its patterns
end where the string ends (ECMA-262), not before a final newline (Python's `$`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent_actions import event_shape

EXAMPLE = Path(__file__).resolve().parents[1] / "events" / "function_details_get_time_slots.json"


def _event(**changes: Any) -> dict[str, Any]:
    return {**json.loads(EXAMPLE.read_text()), **changes}


def test_problem_names_where_and_the_rule_never_the_value() -> None:
    secret = "hunter2-" * 4000  # too long for a parameter value
    parameters = [{"name": "note", "type": "string", "value": secret}]
    assert event_shape.problem(_event(parameters=parameters)) == "parameters/0/value: maxLength"
    assert event_shape.problem(_event(sessionAttributes={"token": 42})) == "sessionAttributes/token: type"
    assert event_shape.problem(_event(actionGroup=secret)) == "actionGroup: pattern"
    assert event_shape.problem(_event(actionGroup="pf360-scheduling_v2")) is None  # any configured name
    assert event_shape.problem(["hunter2"]) == "(root): type"
    assert event_shape.problem(_event()) is None


def test_identity_patterns_are_anchored_at_the_end_of_the_string() -> None:
    assert event_shape.fits("identified", _event())
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in "1645975")
    for customer in ("1645975\n", "1645975 ", fullwidth):
        attributes = {"customer_id": customer, "client_id": "09PF05VD"}
        assert not event_shape.fits("identified", _event(sessionAttributes=attributes))
    assert not event_shape.fits("identified", _event(sessionId="replay-1\n"))


def test_string_maps_are_strings_to_strings() -> None:
    assert event_shape.fits("string_map", {"customer_id": "1645975"})
    assert event_shape.fits("string_map", {})
    for bad in ("x", [], {"a": 1}, {"a": None}, {"a": {"b": "c"}}, None):
        assert not event_shape.fits("string_map", bad)
