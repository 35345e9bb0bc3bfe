"""Product code (what runs in Lambda) stays in small files: a file over ~250 lines says at its top why
it is one file, so growth is a decision rather than an accident."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
LIMIT = 250
PRODUCT_FILES = sorted(FUNCTIONS.rglob("*.py"))


def test_there_is_product_code_to_check() -> None:
    assert len(PRODUCT_FILES) > 20


@pytest.mark.parametrize("path", PRODUCT_FILES, ids=lambda p: str(p.relative_to(FUNCTIONS)))
def test_a_long_product_file_states_why_it_is_one_file(path: Path) -> None:
    source = path.read_text()
    if len(source.splitlines()) <= LIMIT:
        return
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert "Why one file" in docstring, f"{path.name} is over {LIMIT} lines: split it or say why at its top"
