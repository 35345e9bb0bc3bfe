"""`scheduling --help` and every command's help speak to users: what it does and examples, never the
developer notes of the module docstrings."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from scheduling_tooling import cli


def _commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*words, name))
            return
    yield words


def _help(words: tuple[str, ...]) -> str:
    parser = cli.build_parser()
    for action in [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]:
        for word in words:
            parser = action.choices[word]
            action = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), action)
    return parser.format_help()


def _sentences(doc: str | None) -> list[str]:
    """The docstring's wording, ten words at a time: found in a help text whatever argparse's line
    wrapping did, and too long to match a help that merely shares a phrase."""
    words = re.findall(r"\S+", doc or "")
    return [" ".join(words[i : i + 10]) for i in range(0, max(len(words) - 9, 0), 5)]


COMMANDS = {words: module for words, module, _ in cli.COMMANDS}


def _developer_note(command: object) -> str | None:
    """The module docstring behind a command: the module itself, or the module defining an object
    command (the `ops` sub-commands are objects of commands/ops.py)."""
    module = command if isinstance(command, ModuleType) else sys.modules[type(command).__module__]
    return module.__doc__


def test_top_help_describes_the_tool_with_examples_not_the_developer_note() -> None:
    text = " ".join(_help(()).split())
    assert not any(piece in text for piece in _sentences(cli.__doc__))
    assert "examples:" in text
    assert "scheduling local up" in text


@pytest.mark.parametrize("words", sorted(COMMANDS), ids=" ".join)
def test_each_command_help_shows_examples_and_no_developer_note(words: tuple[str, ...]) -> None:
    # Given a command's help, as `scheduling <words> --help` prints it
    text = " ".join(_help(words).split())
    # Then none of its module's docstring shows, and it ends with examples a user can copy
    note = _developer_note(COMMANDS[words])
    assert _sentences(note), "no developer note found to check against"
    leaked = [piece for piece in _sentences(note) if piece in text]
    assert not leaked, leaked
    assert "examples:" in text
    assert f"scheduling {' '.join(words)}" in text.split("examples:", 1)[1]


def test_every_command_of_the_table_is_reachable_from_the_top() -> None:
    assert set(_commands(cli.build_parser())) == set(COMMANDS)
