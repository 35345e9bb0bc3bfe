"""What the CLI prints: rich tables and a spinner when a person watches a terminal, plain text when the
output goes to a pipe, a file or a test (no ANSI escapes, nothing that redraws itself).

    out = Output()                       # stdout; Output(sys.stderr) for notes
    out.table(["what", "where"], rows, title="local stack")
    with out.spinner("starting the local stack"):
        ...
    out.note("one line for the user")    # stderr, so stdout stays parseable (--json)
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any, TextIO


def is_terminal(stream: TextIO) -> bool:
    """A person reads this stream: a TTY, and the user did not ask for plain output (TERM=dumb)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class Output:
    def __init__(self, stream: TextIO | None = None, *, terminal: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.terminal = is_terminal(self.stream) if terminal is None else terminal
        self._console: Any = None

    @property
    def console(self) -> Any:
        """The rich Console (terminal only; rich honours NO_COLOR)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, force_terminal=True, highlight=False)
        return self._console

    def line(self, text: str = "", *, style: str | None = None) -> None:
        if self.terminal and style:
            self.console.print(text, style=style, markup=False, soft_wrap=True)
        else:
            print(text, file=self.stream, flush=True)

    def table(
        self, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None
    ) -> None:
        cells = [[_text(cell) for cell in row] for row in rows]
        if self.terminal:
            from rich.table import Column, Table
            from rich.text import Text

            # fold, never truncate: an ARN or URL cut with "…" cannot be copied
            folded = [Column(column, overflow="fold") for column in columns]
            table = Table(*folded, title=title, title_justify="left", header_style="bold")
            for row in cells:
                table.add_row(*(Text(cell) for cell in row))  # Text: a "[x]" in a value is not markup
            self.console.print(table)
            return
        for text in plain_table(columns, cells, title=title):
            print(text, file=self.stream)
        self.stream.flush()

    @contextlib.contextmanager
    def spinner(self, message: str) -> Iterator[None]:
        """A spinner while the block runs (terminal); otherwise the message once, so a log shows it."""
        if not self.terminal:
            print(f"{message} ...", file=self.stream, flush=True)
            yield
            return
        with self.console.status(message):
            yield


def plain_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None
) -> list[str]:
    """Columns padded to their widest cell, a header and a rule: readable, and easy to grep."""
    widths = [max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)]

    def joined(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    lines = [title] if title else []
    lines += [joined(columns), joined(["-" * width for width in widths])]
    return lines + [joined(row) for row in rows]


def note(text: str) -> None:
    """One line for the user on stderr (where the stack is, what was started): stdout stays data."""
    Output(sys.stderr).line(text, style="dim")


def error(prog: str, text: str) -> None:
    Output(sys.stderr).line(f"{prog}: {text}", style="bold red")


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell)


def until_stopped() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM: what a serving command waits on before it stops its servers."""
    stopping = threading.Event()

    def stop(*_: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return stopping


def started(stack: Any, out: Output, prog: str, doing: str) -> bool:
    """Start `stack` (a local stack) behind a spinner saying `doing`; on a port or socket error, stop
    what did start and say why in one line."""
    try:
        with out.spinner(doing):
            stack.start()
    except OSError as problem:
        stack.stop()
        error(prog, f"cannot start the local stack: {problem}")
        return False
    return True
