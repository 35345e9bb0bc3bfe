"""The execution picture (`ops.graph`, `scheduling ops graph`) from real executions on the local stack:
the highlighted states, read back from the SVG, are the path the history shows; retries and the
failing state are marked; the PNG is a real image with the taken states coloured where they are."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.cli import main
from scheduling_tooling.local.resources import STATEMACHINES
from scheduling_tooling.local.stack import EmbeddedStack
from scheduling_tooling.ops import graph
from scheduling_tooling.ops.timeline import read_timeline

SVG = "{http://www.w3.org/2000/svg}"
DEFINITION: dict[str, Any] = json.loads((STATEMACHINES / "booking-conversation.asl.json").read_text())


def highlighted(svg: str) -> dict[str, Any]:
    """What the picture marks, read from the SVG: the path (states ordered by their positions), the
    retry counts, the failed states and the taken transitions."""
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG; parsing it proves it is well-formed XML
    states = [g for g in root.iter(f"{SVG}g") if "state" in g.get("class", "").split()]
    at: dict[int, str] = {}
    for g in states:
        if "taken" in g.get("class", "").split():
            for step in g.get("data-steps", "").split():
                at[int(step)] = g.get("data-state", "")
    return {
        "states": [g.get("data-state") for g in states],
        "path": [at[k] for k in sorted(at)],
        "positions": sorted(at),
        "retried": {
            g.get("data-state"): int(g.get("data-retries", "0")) for g in states if g.get("data-retries")
        },
        "failed": [g.get("data-state") for g in states if "failed" in g.get("class", "").split()],
        "edges": {
            (p.get("data-from"), p.get("data-to"))
            for p in root.iter(f"{SVG}path")
            if "taken" in p.get("class", "").split() and p.get("data-from")
        },
    }


def test_the_picture_without_an_execution_shows_every_state_and_transition_once() -> None:
    # Given the booking state machine, When it is drawn twice with no execution
    svg = graph.render_svg(DEFINITION, None)
    # Then it is the same picture both times (the layout is deterministic)
    assert svg == graph.render_svg(DEFINITION, None)
    marks = highlighted(svg)
    # And every state is drawn exactly once, nothing is highlighted
    assert sorted(marks["states"]) == sorted(DEFINITION["States"])
    assert marks["path"] == []
    assert marks["failed"] == []
    assert marks["edges"] == set()
    # And every transition of the ASL is an arrow, Catch arrows dashed
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    arrows = {(p.get("data-from"), p.get("data-to")) for p in root.iter(f"{SVG}path") if p.get("data-from")}
    assert arrows == {(e.source, e.target) for e in graph.edges_of(DEFINITION)}
    dashed = {
        (p.get("data-from"), p.get("data-to"))
        for p in root.iter(f"{SVG}path")
        if p.get("stroke-dasharray") and p.get("data-from")
    }
    assert ("Get Available Dates", "No Dates To Offer") in dashed
    assert ("Route Mode", "Get Available Dates") not in dashed


def test_states_do_not_overlap_in_the_layout() -> None:
    shape = graph.layout(DEFINITION)
    boxes = list(shape.nodes.values())
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1 :]:
            apart = abs(x1 - x2) >= graph.NODE_W or abs(y1 - y2) >= graph.NODE_H
            assert apart, "two states drawn over each other"


def test_a_booking_highlights_the_path_its_history_shows(
    stack: EmbeddedStack, agent: AgentClient, executions: Any, faults: Any, tmp_path: Path
) -> None:
    # Given a booking whose dates call PF360 answered 503 twice before the dates came
    faults({"get_available_dates": [{"kind": "status", "status": 503, "times": 2}]})
    described = executions.book(agent)
    assert described["status"] == "SUCCEEDED"
    arn = described["executionArn"]
    # When its picture is drawn from its timeline
    marks = highlighted(graph.render_svg(DEFINITION, read_timeline(stack.sfn, arn)))
    # Then the highlighted states, in their order, are the states the history entered
    path = executions.entered(arn)
    assert marks["path"] == path
    assert marks["positions"] == list(range(len(path)))
    assert marks["path"][-1] == "Done"
    # And the taken arrows are the transitions between them; the retried state carries its count
    assert marks["edges"] == set(pairwise(path))
    assert marks["retried"] == {"Get Available Dates": 2}
    assert marks["failed"] == []
    # And `scheduling ops graph SESSION_ID` draws the same picture of the session's execution
    out = tmp_path / "booked.svg"
    endpoint = f"http://127.0.0.1:{stack.api_port}"
    assert main(["ops", "graph", agent.session_id, "--out", str(out), "--endpoint", endpoint]) == 0
    assert highlighted(out.read_text()) == marks


def test_a_booking_failed_after_retries_marks_the_failing_state_red(
    stack: EmbeddedStack, agent: AgentClient, executions: Any, faults: Any, tmp_path: Path
) -> None:
    # Given a booking whose slots call PF360 keeps answering 503 until the retries run out
    dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
    faults({"get_time_slots": [{"kind": "status", "status": 503}]})
    agent.call("get_time_slots", project_id="12345", date=dates[0])
    described = executions.finished(executions.newest_of(agent)["executionArn"])
    assert described["status"] == "FAILED"
    arn, name = described["executionArn"], described["name"]
    # When `scheduling ops graph` draws it from the running local stack, as SVG and as PNG
    endpoint = f"http://127.0.0.1:{stack.api_port}"
    svg_file, png_file = tmp_path / "failed.svg", tmp_path / "failed.png"
    assert main(["ops", "graph", name, "--out", str(svg_file), "--endpoint", endpoint]) == 0
    assert main(["ops", "graph", arn, "--out", str(png_file), "--endpoint", endpoint]) == 0
    # Then the SVG marks Get Time Slots red with its 4 retries, on the path the history shows
    marks = highlighted(svg_file.read_text())
    assert marks["failed"] == ["Get Time Slots"]
    assert marks["retried"] == {"Get Time Slots": 4}
    assert marks["path"] == executions.entered(arn)
    # And the PNG is a real image: failing state red, taken states blue, untaken ones plain
    image = Image.open(png_file)
    image.load()
    assert image.format == "PNG"
    scale = 1.5
    shape = graph.layout(DEFINITION)
    assert image.size == (round(shape.width * scale), round(shape.height * scale))

    def fill_of(state: str) -> str:
        cx, cy = shape.nodes[state]
        inside = ((cx - graph.NODE_W / 2 + 8) * scale, (cy - graph.NODE_H / 2 + 8) * scale)  # not on text
        red, green, blue = image.convert("RGB").getpixel((round(inside[0]), round(inside[1])))  # type: ignore[misc]
        return f"#{red:02x}{green:02x}{blue:02x}"

    assert fill_of("Get Time Slots") == graph.COLORS["failed"][0]
    for state in set(marks["path"]) - {"Get Time Slots"}:
        assert fill_of(state) == graph.COLORS["taken"][0], state
    assert fill_of("Confirm Appointment") == graph.COLORS["state"][0]  # never reached


def test_ops_graph_refuses_an_unknown_execution_and_a_wrong_format(
    stack: EmbeddedStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = f"http://127.0.0.1:{stack.api_port}"
    out = tmp_path / "x.svg"
    assert main(["ops", "graph", "schedule-1-1-" + "0" * 24, "--out", str(out), "--endpoint", endpoint]) == 2
    assert "no such execution" in capsys.readouterr().err
    assert not out.exists()
    assert main(["ops", "graph", "whatever", "--out", str(tmp_path / "x.jpg"), "--endpoint", endpoint]) == 2
    assert ".svg or .png" in capsys.readouterr().err
