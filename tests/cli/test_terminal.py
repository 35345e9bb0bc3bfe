"""What the CLI prints: rich on a terminal, plain text (no escapes) anywhere else."""

from __future__ import annotations

import io

import pytest

from scheduling_tooling.terminal import Output

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:pf360-booking-conversation"
ROWS = [("AWS API", "http://127.0.0.1:5360"), ("state machine", ARN)]


def test_a_table_on_a_pipe_is_aligned_plain_text() -> None:
    stream = io.StringIO()
    Output(stream).table(["serves", "at"], ROWS, title="local stack up")  # StringIO is no terminal
    lines = stream.getvalue().splitlines()
    assert "\x1b" not in stream.getvalue()
    assert lines[0] == "local stack up"
    assert lines[-1] == f"state machine  {ARN}"
    assert lines[-2].index("http://") == lines[-1].index("arn:")  # one column, whatever the widths


def test_a_spinner_on_a_pipe_says_what_it_waits_for_once() -> None:
    stream = io.StringIO()
    with Output(stream).spinner("starting the local stack"):
        pass
    assert stream.getvalue() == "starting the local stack ...\n"


def test_a_table_on_a_narrow_terminal_folds_long_values_instead_of_cutting_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    stream = io.StringIO()
    Output(stream, terminal=True).table(["serves", "at"], ROWS)
    text = stream.getvalue()
    assert "┃" in text or "│" in text  # drawn by rich
    assert "…" not in text
    unboxed = "".join(part.strip() for line in text.splitlines() for part in line.split("│")[2:3])
    assert ARN in unboxed
