"""`scheduling`: one console script for every tool. Each command is a module with `add_arguments`
and `run(args) -> exit status`; this table is the whole CLI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from scheduling_tooling.commands import (
    agent_invoke,
    agent_openapi,
    demo,
    local_up,
    pf360_demo,
    pf360_serve,
    smoke,
)

# (words, module, help)
COMMANDS: list[tuple[tuple[str, ...], ModuleType, str]] = [
    (("pf360", "serve"), pf360_serve, "serve the PF360 simulator over HTTP, with fault injection"),
    (("pf360", "demo"), pf360_demo, "walk a booking through the PF360 client against the simulator"),
    (
        ("local", "up"),
        local_up,
        "serve the embedded local stack (Step Functions, DynamoDB, Lambda, PF360) until Ctrl-C",
    ),
    (
        ("agent", "invoke"),
        agent_invoke,
        "send Bedrock action-group events through a handler on the local stack",
    ),
    (("agent", "openapi"), agent_openapi, "write schemas/agent/*.openapi.json from the handlers"),
    (("demo",), demo, "a whole agent conversation on the embedded local stack, then the execution timeline"),
    (
        ("smoke",),
        smoke,
        "a short read-only conversation with a deployed agent alias (Bedrock InvokeAgent), step by step",
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scheduling", description=__doc__.split("\n")[0])
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    top = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for words, module, help_text in COMMANDS:
        subparsers = top
        for depth, word in enumerate(words[:-1]):
            key = " ".join(words[: depth + 1])
            if key not in groups:
                group = subparsers.add_parser(word, help=f"{word} commands")
                groups[key] = group.add_subparsers(dest=f"{key}_command", required=True, metavar="COMMAND")
            subparsers = groups[key]
        command = subparsers.add_parser(words[-1], help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
