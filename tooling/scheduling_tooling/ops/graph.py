"""The state machine as a picture, with the path one execution took: `render_svg` and `render_png`.

The layout is computed here, in pure Python (no graphviz binary), the way layered graph drawing
usually goes: cycles broken by reversing the edges that close them (found by a depth-first walk from
StartAt, so the picture reads top-down in the order a booking runs), states put in layers by their
longest path from the start, long edges split into chains of invisible points so they route
between states, layers ordered by barycenter sweeps, then x positions pulled towards neighbours.
Every step is deterministic: the same definition always gives the same picture.

With a timeline, the states and transitions the execution took are highlighted (`taken`), a state the
Retry policy retried carries its retry count, and the state it failed in is red. In the SVG each
state is a `<g class="state ...">` with `data-state` (its name) and `data-steps` (its positions in the
path), so tools and tests can read the highlighted path back.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

from scheduling_tooling.asl_diagram import _condition

NODE_W, NODE_H = 210, 38
DUMMY_W = 14
GAP_X, GAP_Y = 26, 64
MARGIN = 28
START_R = 9

# (fill, stroke) by look; kept in one place so the SVG and the PNG agree.
COLORS = {
    "state": ("#f8fafc", "#94a3b8"),
    "choice": ("#fefce8", "#a16207"),
    "succeed": ("#f0fdf4", "#15803d"),
    "fail": ("#fef2f2", "#b91c1c"),
    "taken": ("#dbeafe", "#1d4ed8"),
    "failed": ("#fecaca", "#dc2626"),
}
EDGE, EDGE_TAKEN, RETRY_BADGE, TEXT = "#94a3b8", "#1d4ed8", "#ea580c", "#0f172a"
EDGE_CATCH = "#cbd5e1"  # lighter: most states catch into the same few, and those arrows would dominate


class TakenPath(Protocol):
    """What the picture reads from an ops.timeline.Timeline."""

    path: list[str]
    retried: dict[str, int]
    failed_state: str | None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # next | choice | default | catch
    label: str


@dataclass
class Layout:
    width: float
    height: float
    nodes: dict[str, tuple[float, float]]  # state -> centre
    types: dict[str, str]
    start: tuple[float, float]
    edges: list[tuple[Edge, list[tuple[float, float]]]] = field(default_factory=list)  # with route points


def edges_of(definition: dict[str, Any]) -> list[Edge]:
    """Every transition of the definition, in definition order, without duplicates."""
    found: dict[tuple[str, str, str], Edge] = {}
    for name, state in definition["States"].items():
        candidates = [(rule["Next"], "choice", _condition(rule)) for rule in state.get("Choices", [])]
        if "Default" in state:
            candidates.append((state["Default"], "default", "otherwise"))
        if "Next" in state:
            candidates.append((state["Next"], "next", ""))
        for catcher in state.get("Catch", []):
            errors = (re.sub(r"^DynamoD[bB]\.", "", error) for error in catcher["ErrorEquals"])
            candidates.append((catcher["Next"], "catch", " or ".join(errors)))
        for target, kind, label in candidates:
            key = (name, target, kind)
            if key in found:  # two catchers to one state: one arrow naming both
                found[key] = Edge(name, target, kind, f"{found[key].label} or {label}")
            else:
                found[key] = Edge(name, target, kind, label)
    return list(found.values())


def layout(definition: dict[str, Any]) -> Layout:
    states: dict[str, Any] = definition["States"]
    order = list(states)
    edges = [e for e in edges_of(definition) if e.source != e.target]
    successors: dict[str, list[str]] = {name: [] for name in order}
    for edge in edges:
        if edge.target not in successors[edge.source]:
            successors[edge.source].append(edge.target)

    back = _back_edges(definition["StartAt"], order, successors)
    forward = sorted({(t, s) if (s, t) in back else (s, t) for s, t in ((e.source, e.target) for e in edges)})
    layer = _longest_path_layers(order, forward)

    # Long edges become chains of dummy points, one per layer crossed.
    chains: dict[tuple[str, str], list[str]] = {}
    nodes_in: dict[int, list[str]] = {}
    for name in order:
        nodes_in.setdefault(layer[name], []).append(name)
    links: list[tuple[str, str]] = []
    for source, target in forward:
        chain = [source]
        for depth in range(layer[source] + 1, layer[target]):
            dummy = f"\0{source}\0{target}\0{depth}"
            layer[dummy] = depth
            nodes_in[depth].append(dummy)
            chain.append(dummy)
        chain.append(target)
        chains[(source, target)] = chain
        links += list(pairwise(chain))

    rows = [nodes_in[depth] for depth in range(max(nodes_in) + 1)]
    _order_rows(rows, links)
    x = _place(rows, links)

    y = {
        name: MARGIN + 2 * START_R + GAP_Y / 2 + depth * (NODE_H + GAP_Y) + NODE_H / 2
        for name, depth in layer.items()
    }
    width = max(x[n] + _half(n) for n in x) + MARGIN
    height = max(y.values()) + NODE_H / 2 + MARGIN
    start = (x[definition["StartAt"]], MARGIN + START_R)
    result = Layout(
        width, height, {n: (x[n], y[n]) for n in order}, {n: s["Type"] for n, s in states.items()}, start
    )
    for edge in edges:
        reversed_ = (edge.source, edge.target) in back
        chain = chains[(edge.target, edge.source) if reversed_ else (edge.source, edge.target)]
        points = [(x[n], y[n]) for n in chain]
        if reversed_:
            points.reverse()
        result.edges.append((edge, _route(points, upward=reversed_)))
    return result


def _back_edges(start: str, order: list[str], successors: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Edges closing a cycle on a depth-first walk from the start (then from any state not reached)."""
    back: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for root in [start, *order]:
        if root in seen:
            continue
        seen.add(root)
        on_path = {root}
        stack: list[tuple[str, Iterable[str]]] = [(root, iter(successors[root]))]
        while stack:
            node, rest = stack[-1]
            child = next(iter(rest), None)
            if child is None:
                stack.pop()
                on_path.discard(node)
            elif child in on_path:
                back.add((node, child))
            elif child not in seen:
                seen.add(child)
                on_path.add(child)
                stack.append((child, iter(successors[child])))
    return back


def _longest_path_layers(order: list[str], forward: list[tuple[str, str]]) -> dict[str, int]:
    layer = dict.fromkeys(order, 0)
    for _ in order:  # a DAG settles within as many rounds as it has states
        changed = False
        for source, target in forward:
            if layer[target] < layer[source] + 1:
                layer[target] = layer[source] + 1
                changed = True
        if not changed:
            break
    return layer


def _order_rows(rows: list[list[str]], links: list[tuple[str, str]]) -> None:
    """Barycenter sweeps, down then up; ties keep the current order (stable sort)."""
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for a, b in links:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)
    for sweep in range(8):
        downward = sweep % 2 == 0
        neighbours = up if downward else down
        for i in range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1):
            ref = {n: k for k, n in enumerate(rows[i - 1 if downward else i + 1])}
            current = {n: k for k, n in enumerate(rows[i])}
            rows[i].sort(key=lambda name: _barycenter(neighbours.get(name, []), ref, current[name]))


def _barycenter(linked: list[str], ref: dict[str, int], fallback: int) -> float:
    positions = [ref[n] for n in linked if n in ref]
    return sum(positions) / len(positions) if positions else float(fallback)


def _half(name: str) -> float:
    return (DUMMY_W if name.startswith("\0") else NODE_W) / 2


def _place(rows: list[list[str]], links: list[tuple[str, str]]) -> dict[str, float]:
    """x of each node's centre: packed rows, then each node pulled towards the mean of its neighbours
    in the row above (or below), without overlapping or reordering."""
    neighbours: dict[str, list[str]] = {}
    for a, b in links:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    x: dict[str, float] = {}
    for row in rows:
        cursor = 0.0
        for name in row:
            x[name] = cursor + _half(name)
            cursor += 2 * _half(name) + GAP_X
    widest = max(sum(2 * _half(n) + GAP_X for n in row) for row in rows)
    for row in rows:
        used = sum(2 * _half(n) + GAP_X for n in row)
        for name in row:
            x[name] += (widest - used) / 2
    for sweep in range(12):
        sequence = rows if sweep % 2 == 0 else rows[::-1]
        for row in sequence:
            want = []
            for name in row:
                linked = [x[n] for n in neighbours.get(name, [])]
                want.append(sum(linked) / len(linked) if linked else x[name])
            left = list(want)
            for k in range(1, len(row)):
                left[k] = max(left[k], left[k - 1] + _half(row[k - 1]) + GAP_X + _half(row[k]))
            right = list(want)
            for k in range(len(row) - 2, -1, -1):
                right[k] = min(right[k], right[k + 1] - _half(row[k + 1]) - GAP_X - _half(row[k]))
            placed = [(a + b) / 2 for a, b in zip(left, right, strict=True)]
            for k in range(1, len(row)):  # the average of two legal packings may still overlap
                placed[k] = max(placed[k], placed[k - 1] + _half(row[k - 1]) + GAP_X + _half(row[k]))
            for name, value in zip(row, placed, strict=True):
                x[name] = value
    shift = MARGIN - min(x[n] - _half(n) for n in x)
    return {n: v + shift for n, v in x.items()}


def _route(points: list[tuple[float, float]], *, upward: bool) -> list[tuple[float, float]]:
    """From the source's bottom (top, going up) through the chain to the target's top (bottom)."""
    first, last = points[0], points[-1]
    sign = -1 if upward else 1
    inner = points[1:-1]
    return [(first[0], first[1] + sign * NODE_H / 2), *inner, (last[0], last[1] - sign * NODE_H / 2)]


def _bezier(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    """The smooth curve through the route points the SVG draws, sampled (for the PNG)."""
    sampled = [points[0]]
    for (x0, y0), (x1, y1) in pairwise(points):
        mid = (y0 + y1) / 2
        for k in range(1, steps + 1):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            sampled.append((a * x0 + b * x0 + c * x1 + d * x1, a * y0 + b * mid + c * mid + d * y1))
    return sampled


# --- what the timeline marks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Marks:
    steps: dict[str, list[int]]  # state -> its positions in the path
    taken: set[tuple[str, str]]
    retried: dict[str, int]
    failed: str | None

    @classmethod
    def of(cls, timeline: TakenPath | None) -> Marks:
        if timeline is None:
            return cls({}, set(), {}, None)
        steps: dict[str, list[int]] = {}
        for index, state in enumerate(timeline.path):
            steps.setdefault(state, []).append(index)
        taken = set(pairwise(timeline.path))
        retried = {state: count for state, count in timeline.retried.items() if count}
        return cls(steps, taken, retried, timeline.failed_state)

    def look(self, name: str, kind: str) -> str:
        if name == self.failed:
            return "failed"
        if name in self.steps:
            return "taken"
        return {"Choice": "choice", "Succeed": "succeed", "Fail": "fail"}.get(kind, "state")


# --- SVG -------------------------------------------------------------------------------------------


def execution_definition(sfn: Any, execution_arn: str) -> dict[str, Any]:
    """The definition an execution ran (DescribeStateMachineForExecution), not the repository's file nor
    the machine's current one: what `ops graph` and the console draw its path on."""
    described = sfn.describe_state_machine_for_execution(executionArn=execution_arn)
    definition: dict[str, Any] = json.loads(described["definition"])
    return definition


def machine_definition(sfn: Any, state_machine_arn: str) -> dict[str, Any]:
    """The state machine's current definition as deployed (DescribeStateMachine)."""
    definition: dict[str, Any] = json.loads(
        sfn.describe_state_machine(stateMachineArn=state_machine_arn)["definition"]
    )
    return definition


def render_svg(definition: dict[str, Any], timeline: TakenPath | None = None) -> str:
    """The state machine as an SVG document; with a timeline, the path it took highlighted."""
    shape = layout(definition)
    marks = Marks.of(timeline)
    size = {"width": f"{shape.width:.0f}", "height": f"{shape.height:.0f}"}
    out = [
        _open(
            "svg",
            xmlns="http://www.w3.org/2000/svg",
            **{"class": "state-machine", "viewBox": f"0 0 {size['width']} {size['height']}"},
            **size,
            font_family="DejaVu Sans, Helvetica, Arial, sans-serif",
            font_size="12",
        ),
        "<defs>",
    ]
    for name, color in (("plain", EDGE), ("taken", EDGE_TAKEN)):
        marker = {"viewBox": "0 0 10 10", "refX": "9", "refY": "5", "markerWidth": "7", "markerHeight": "7"}
        out.append(_open("marker", id=f"arrow-{name}", orient="auto-start-reverse", **marker))
        out.append(_tag("path", d="M0,0 L10,5 L0,10 z", fill=color) + "</marker>")
    out.append("</defs>")
    out.append(_tag("rect", width="100%", height="100%", fill="#ffffff"))

    start_taken = definition["StartAt"] in marks.steps
    sx, sy = shape.start
    top = shape.nodes[definition["StartAt"]][1] - NODE_H / 2
    out.append(_tag("circle", cx=f"{sx:.1f}", cy=f"{sy:.1f}", r=str(START_R), fill=_edge_color(start_taken)))
    out.append(
        _tag(
            "path",
            d=f"M{sx:.1f},{sy + START_R:.1f} L{sx:.1f},{top:.1f}",
            **_edge_style("start", start_taken),
        )
    )
    ordered = sorted(shape.edges, key=lambda item: (item[0].source, item[0].target) in marks.taken)
    for edge, points in ordered:  # taken edges last, so they are drawn over the others
        taken = (edge.source, edge.target) in marks.taken
        title = f"{edge.source} → {edge.target}" + (f": {edge.label}" if edge.label else "")
        style = _edge_style(edge.kind, taken) | ({"stroke-dasharray": "5,4"} if edge.kind == "catch" else {})
        out.append(
            _open("path", data_from=edge.source, data_to=edge.target, d=_svg_path(points), **style)
            + f"<title>{escape(title)}</title></path>"
        )
    for index, (name, (cx, cy)) in enumerate(shape.nodes.items()):
        out += _svg_state(index, name, shape.types[name], (cx, cy), marks)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_state(index: int, name: str, kind: str, centre: tuple[float, float], marks: Marks) -> list[str]:
    cx, cy = centre
    look = marks.look(name, kind)
    fill, stroke = COLORS[look]
    classes = ["state", kind.lower()]
    classes += ["taken"] if name in marks.steps else []
    classes += ["failed"] if look == "failed" else []
    classes += ["retried"] if name in marks.retried else []
    extra = {"data_retries": str(marks.retried[name])} if name in marks.retried else {}
    steps = " ".join(str(k) for k in marks.steps.get(name, []))
    lines = [
        _open(
            "g",
            id=f"state-{index}",
            data_state=name,
            data_steps=steps,
            **{"class": " ".join(classes)},
            **extra,
        )
        + f"<title>{escape(name)} ({escape(kind)})</title>",
        _tag(
            "rect",
            x=f"{cx - NODE_W / 2:.1f}",
            y=f"{cy - NODE_H / 2:.1f}",
            width=str(NODE_W),
            height=str(NODE_H),
            rx="9",
            fill=fill,
            stroke=stroke,
            stroke_width="2.5" if look in ("taken", "failed") else "1.2",
        ),
        _open("text", x=f"{cx:.1f}", y=f"{cy + 4:.1f}", text_anchor="middle", fill=TEXT)
        + f"{escape(name)}</text>",
    ]
    if name in marks.retried:
        bx, by = cx + NODE_W / 2 - 6, cy - NODE_H / 2
        lines.append(
            _open("g", **{"class": "retry-badge"})
            + _tag(
                "rect",
                x=f"{bx - 24:.1f}",
                y=f"{by - 9:.1f}",
                width="36",
                height="18",
                rx="9",
                fill=RETRY_BADGE,
            )
            + _open("text", x=f"{bx - 6:.1f}", y=f"{by + 4:.1f}", text_anchor="middle", fill="#ffffff")
            + f"↻{marks.retried[name]}</text></g>"
        )
    lines.append("</g>")
    return lines


def _edge_color(taken: bool, kind: str = "next") -> str:
    if taken:
        return EDGE_TAKEN
    return EDGE_CATCH if kind == "catch" else EDGE


def _edge_style(kind: str, taken: bool) -> dict[str, str]:
    return {
        "class": f"edge {kind}" + (" taken" if taken else ""),
        "stroke": _edge_color(taken, kind),
        "stroke-width": "2.5" if taken else "1.2",
        "fill": "none",
        "marker-end": f"url(#arrow-{'taken' if taken else 'plain'})",
    }


def _open(name: str, **attributes: str) -> str:
    """An opening tag; attribute values escaped, `data_state` spelled `data-state`."""
    text = " ".join(f"{key.replace('_', '-')}={quoteattr(value)}" for key, value in attributes.items())
    return f"<{name} {text}>"


def _tag(name: str, **attributes: str) -> str:
    return _open(name, **attributes)[:-1] + "/>"


def _svg_path(points: list[tuple[float, float]]) -> str:
    (x0, y0), *rest = points
    parts = [f"M{x0:.1f},{y0:.1f}"]
    for x1, y1 in rest:
        mid = (y0 + y1) / 2
        parts.append(f"C{x0:.1f},{mid:.1f} {x1:.1f},{mid:.1f} {x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    return " ".join(parts)


# --- PNG -------------------------------------------------------------------------------------------


def render_png(definition: dict[str, Any], timeline: TakenPath | None = None, *, scale: float = 1.5) -> bytes:
    """The same picture as `render_svg`, drawn with Pillow (no cairo, no browser)."""
    from PIL import Image, ImageDraw, ImageFont

    shape = layout(definition)
    marks = Marks.of(timeline)
    image = Image.new("RGB", (round(shape.width * scale), round(shape.height * scale)), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=round(12 * scale))
    small = ImageFont.load_default(size=round(11 * scale))

    def s(point: tuple[float, float]) -> tuple[float, float]:
        return point[0] * scale, point[1] * scale

    sx, sy = shape.start
    start_taken = definition["StartAt"] in marks.steps
    color = _edge_color(start_taken)
    draw.ellipse([*s((sx - START_R, sy - START_R)), *s((sx + START_R, sy + START_R))], fill=color)
    top = shape.nodes[definition["StartAt"]][1] - NODE_H / 2
    _line(draw, [s((sx, sy + START_R)), s((sx, top))], color, (2.5 if start_taken else 1.2) * scale, False)
    ordered = sorted(shape.edges, key=lambda item: (item[0].source, item[0].target) in marks.taken)
    for edge, points in ordered:
        taken = (edge.source, edge.target) in marks.taken
        color = _edge_color(taken, edge.kind)
        curve = [s(p) for p in _bezier(points)]
        _line(draw, curve, color, (2.5 if taken else 1.2) * scale, edge.kind == "catch")
    for name, (cx, cy) in shape.nodes.items():
        look = marks.look(name, shape.types[name])
        fill, stroke = COLORS[look]
        box = [*s((cx - NODE_W / 2, cy - NODE_H / 2)), *s((cx + NODE_W / 2, cy + NODE_H / 2))]
        width = round((2.5 if look in ("taken", "failed") else 1.2) * scale)
        draw.rounded_rectangle(box, radius=9 * scale, fill=fill, outline=stroke, width=max(1, width))
        draw.text(s((cx, cy)), name, fill=TEXT, font=font, anchor="mm")
        if name in marks.retried:
            bx, by = cx + NODE_W / 2 - 6, cy - NODE_H / 2
            draw.rounded_rectangle(
                [*s((bx - 24, by - 9)), *s((bx + 12, by + 9))], radius=9 * scale, fill=RETRY_BADGE
            )
            draw.text(s((bx - 6, by)), f"x{marks.retried[name]}", fill="#ffffff", font=small, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _line(draw: Any, points: list[tuple[float, float]], color: str, width: float, dashed: bool) -> None:
    """A polyline ending in an arrowhead; dashed by drawing every other stretch of its length."""
    w = max(1, round(width))
    if dashed:
        on, dash = True, 0.0
        for a, b in pairwise(points):
            if on:
                draw.line([a, b], fill=color, width=w)
            dash += ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
            if dash >= 7 * w:
                on, dash = not on, 0.0
    else:
        draw.line(points, fill=color, width=w, joint="curve")
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-6)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    size = 4 * w + 4
    draw.polygon(
        [
            (x1, y1),
            (x1 - size * ux + size * 0.5 * uy, y1 - size * uy - size * 0.5 * ux),
            (x1 - size * ux - size * 0.5 * uy, y1 - size * uy + size * 0.5 * ux),
        ],
        fill=color,
    )
