"""X-Ray keeps what a traced handler returns unless told not to, and the action handlers' answers echo
the session attributes, which carry the customer's PF360 token: no handler may let its answer be
captured (Powertools' default is to capture it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HANDLERS = sorted(
    (Path(__file__).resolve().parents[2] / "functions" / "agent_actions" / "handlers").glob("*.py")
)


def _tracer_decorators(path: Path) -> list[ast.expr]:
    tree = ast.parse(path.read_text())
    return [
        decorator
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for decorator in node.decorator_list
        if "tracer." in ast.unparse(decorator)
    ]


@pytest.mark.parametrize("path", [p for p in HANDLERS if p.name != "__init__.py"], ids=lambda p: p.stem)
def test_traced_handlers_never_capture_their_answer(path: Path) -> None:
    decorators = _tracer_decorators(path)
    assert decorators, f"{path.name}: the handler is not traced"
    for decorator in decorators:
        assert isinstance(decorator, ast.Call), f"{path.name}: {ast.unparse(decorator)} captures the answer"
        keywords = {k.arg: k.value for k in decorator.keywords}
        value = keywords.get("capture_response")
        assert isinstance(value, ast.Constant), f"{path.name}: {ast.unparse(decorator)} captures the answer"
        assert value.value is False
