"""The state machine's picture in the README is generated from the ASL, and the ASL keeps the house
JSON layout: both are held to what the code produces, so neither drifts."""

from __future__ import annotations

import json

from scheduling_tooling import asl_diagram
from scheduling_tooling.json_format import format_json
from scheduling_tooling.local.resources import STATEMACHINES

ASL = STATEMACHINES / "booking-conversation.asl.json"


def test_the_readme_shows_the_state_machine_as_it_is() -> None:
    shown = asl_diagram.readme_copy(asl_diagram.README.read_text())
    assert shown == asl_diagram.current(), "run: .venv/bin/python -m scheduling_tooling.asl_diagram --write"


def test_the_picture_has_every_state_and_transition() -> None:
    definition = json.loads(ASL.read_text())
    picture = asl_diagram.mermaid(definition)
    for name, state in definition["States"].items():
        assert f'state "{name}"' in picture
        for target in [state.get("Next"), state.get("Default")] + [c["Next"] for c in state.get("Catch", [])]:
            if target:
                assert f"--> {target.replace(' ', '')}" in picture


def test_the_asl_keeps_the_house_layout() -> None:
    text = ASL.read_text()
    assert text == format_json(json.loads(text))


def test_the_asl_is_a_third_of_what_it_was_and_every_state_says_what_it_does() -> None:
    definition = json.loads(ASL.read_text())
    assert len(ASL.read_text().splitlines()) <= 1981 // 3
    generic = {"State", "Step", "Task", "Pass", "Check", "Handle"}
    assert not [name for name in definition["States"] if name.split()[0] in generic]
