"""Every example event under tests/events/ is a valid Bedrock action-group event, the agent schemas
are sound and refuse the malformed events of issue 7 (defect 6), and replaying the example
conversation with `scheduling agent invoke` answers each turn."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from agent_actions import event_shape

ROOT = Path(__file__).resolve().parents[2]
EVENTS = sorted((ROOT / "tests" / "events").glob("*.json"))
SCHEMA = json.loads((ROOT / "schemas" / "agent" / "bedrock_event.json").read_text())
RESPONSE_SCHEMA = json.loads((ROOT / "schemas" / "agent" / "bedrock_response.json").read_text())


def _example(name: str = "scheduling_get_available_dates.json") -> dict[str, Any]:
    return dict(json.loads((ROOT / "tests" / "events" / name).read_text()))


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.name)
def test_example_event_validates(path: Path) -> None:
    document = json.loads(path.read_text())
    for event in document if isinstance(document, list) else [document]:
        Draft202012Validator(SCHEMA).validate(event)
        assert event_shape.problem(event) is None  # what the handlers check, with ECMA anchoring
        assert event_shape.fits("identified", event)


def test_agent_schemas_are_valid_draft_2020_12() -> None:
    for schema in (SCHEMA, RESPONSE_SCHEMA):
        Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: {k: v for k, v in e.items() if k != "actionGroup"},
        lambda e: {**e, "sessionAttributes": "x"},
        lambda e: {**e, "actionGroup": 5},
        lambda e: {**e, "promptSessionAttributes": {"a": 1}},
        lambda e: {**e, "parameters": [{"name": "project_id", "type": "string", "value": 12345}]},
        lambda e: {**e, "parameters": [{"name": "project_id", "value": "12345"}]},
        lambda e: {**e, "inputText": "x" * 25_001},
        lambda e: {**e, "function": "get_available_dates"},
        lambda e: {k: v for k, v in e.items() if k != "httpMethod"},
    ],
    ids=[
        "no-actionGroup",
        "sessionAttributes-not-a-map",
        "actionGroup-a-number",
        "attribute-not-a-string",
        "parameter-value-a-number",
        "parameter-without-type",
        "oversized-inputText",
        "both-formats",
        "no-httpMethod",
    ],
)
def test_event_schema_refuses_malformed_events(mutate: Callable[[dict[str, Any]], Any]) -> None:
    event = mutate(_example())
    assert not Draft202012Validator(SCHEMA).is_valid(event)
    assert event_shape.problem(event) is not None


def test_an_anonymous_event_is_well_formed_but_not_identified() -> None:
    # well-formed: the handlers answer it 401 (who are you?), not 400 (what is this?)
    event = _example()
    del event["sessionAttributes"]
    assert event_shape.problem(event) is None
    assert not event_shape.fits("identified", event)


def test_event_schema_rejects_an_event_without_identity() -> None:
    event = json.loads((ROOT / "tests" / "events" / "scheduling_get_available_dates.json").read_text())
    del event["sessionAttributes"]
    assert not Draft202012Validator(SCHEMA).is_valid(event)


def test_agent_invoke_replays_a_conversation_on_an_in_process_stack() -> None:
    scheduling = str(Path(sys.executable).with_name("scheduling"))
    result = subprocess.run(  # noqa: S603 - our own console script
        [
            scheduling,
            "agent",
            "invoke",
            "--json",
            "--event",
            str(ROOT / "tests" / "events" / "conversation.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "SCHEDULING_LOCAL_ENDPOINT": "http://127.0.0.1:9",  # never a stack someone runs on 5360
        },
    )
    assert result.returncode == 0, result.stderr[-2000:]
    decoder, text, answers = json.JSONDecoder(), result.stdout.strip(), []
    while text:
        answer, end = decoder.raw_decode(text)
        answers.append(answer)
        text = text[end:].strip()
    assert len(answers) == len(json.loads((ROOT / "tests" / "events" / "conversation.json").read_text()))
    statuses = [a["response"].get("httpStatusCode", 200) for a in answers]
    assert statuses == [200] * len(answers)
    assert "Flooring Installation" in answers[0]["response"]["responseBody"]["application/json"]["body"]
