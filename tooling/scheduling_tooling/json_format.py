"""The house JSON layout for hand-edited definitions (the ASL): an object or array that fits on one
line stays on one line, anything longer opens up, two spaces a level. Readable in review and stable
under `format_json(json.loads(text))`, which a test holds the committed files to."""

from __future__ import annotations

import json
from typing import Any

WIDTH = 110


def format_json(value: Any, *, width: int = WIDTH) -> str:
    return _layout(value, 0, width) + "\n"


def _layout(value: Any, indent: int, width: int, prefix: str = "") -> str:
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or indent + len(prefix) + len(flat) <= width or not value:
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            head = f"{json.dumps(key, ensure_ascii=False)}: "
            lines.append(inner + head + _layout(item, indent + 2, width, head))
        return "{\n" + ",\n".join(lines) + "\n" + " " * indent + "}"
    items = [inner + _layout(item, indent + 2, width) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
