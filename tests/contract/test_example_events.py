"""Every example event under tests/events/ is a valid Bedrock action-group event, and replaying the
example conversation with `scheduling agent invoke` answers each turn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
EVENTS = sorted((ROOT / "tests" / "events").glob("*.json"))
SCHEMA = json.loads((ROOT / "schemas" / "agent" / "bedrock_event.json").read_text())


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.name)
def test_example_event_validates(path: Path) -> None:
    document = json.loads(path.read_text())
    for event in document if isinstance(document, list) else [document]:
        Draft202012Validator(SCHEMA).validate(event)


def test_event_schema_rejects_an_event_without_identity() -> None:
    event = json.loads((ROOT / "tests" / "events" / "scheduling_get_available_dates.json").read_text())
    del event["sessionAttributes"]
    assert not Draft202012Validator(SCHEMA).is_valid(event)


def test_agent_invoke_replays_a_conversation_on_an_in_process_stack() -> None:
    scheduling = str(Path(sys.executable).with_name("scheduling"))
    result = subprocess.run(  # noqa: S603 - our own console script
        [scheduling, "agent", "invoke", "--event", str(ROOT / "tests" / "events" / "conversation.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "true",
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
