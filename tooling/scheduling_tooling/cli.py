"""`scheduling`: one console script for every tool. Each command is a module with `add_arguments`
and `run(args) -> exit status`; this table is the whole CLI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Protocol

from scheduling_tooling.commands import (
    agent_invoke,
    agent_openapi,
    console,
    demo,
    local_up,
    ops,
    ops_graph,
    pf360_demo,
    pf360_serve,
    smoke,
)

DESCRIPTION = """\
Book PF360 appointments through the Bedrock agent's action groups, on a local stack or on AWS:
serve the local stack, talk to the agent's handlers, watch and operate bookings."""

EXAMPLES = """\
examples:
  scheduling local up                      # serve the local stack on http://127.0.0.1:5360
  scheduling agent invoke --event tests/events/conversation.json
                                           # replay a conversation on the running local stack
  scheduling demo                          # a whole booking conversation, then its timeline
  scheduling COMMAND --help                # what a command does, its options and examples

Commands that need a stack use the one `scheduling local up` serves (--endpoint, or
$SCHEDULING_LOCAL_ENDPOINT), the deployed one with --aws, else start one in-process and say so."""

GROUP_HELP = {
    "pf360": "the PF360 simulator and client",
    "local": "the local stack",
    "agent": "the agent's action groups: invoke them, write their OpenAPI",
    "ops": "what happened to a booking: list, show, waiting, failures, stats, graph, redrive, stop",
}


class Command(Protocol):
    """A command module (or an object shaped like one, as the ops sub-commands are)."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


# (words, command, help)
COMMANDS: list[tuple[tuple[str, ...], Command, str]] = [
    (("pf360", "serve"), pf360_serve, "serve the PF360 simulator on its own, with fault injection"),
    (("pf360", "demo"), pf360_demo, "walk a booking through the PF360 client against the simulator"),
    (
        ("local", "up"),
        local_up,
        "serve the local stack (Step Functions, DynamoDB, Lambda, PF360 simulator) until Ctrl-C",
    ),
    (
        ("agent", "invoke"),
        agent_invoke,
        "send Bedrock action-group events to the agent's handlers and show each answer",
    ),
    (("agent", "openapi"), agent_openapi, "write (or --check) the action groups' OpenAPI from the handlers"),
    (("demo",), demo, "play a booking conversation on the local stack, then its execution timeline"),
    (
        ("smoke",),
        smoke,
        "a short read-only conversation with a deployed agent alias (Bedrock InvokeAgent), step by step",
    ),
    *ops.ROWS,  # ops list|show|waiting|failures|stats|redrive|stop (objects shaped like command modules)
    (("ops", "graph"), ops_graph, "draw the state machine with the path an execution took (SVG or PNG)"),
    (
        ("console",),
        console,
        "open the local web console: live executions, their timelines and pictures, play the agent",
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scheduling",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    top = parser.add_subparsers(title="commands", dest="command", required=True, metavar="COMMAND")
    for words, module, help_text in COMMANDS:
        subparsers = top
        for depth, word in enumerate(words[:-1]):
            key = " ".join(words[: depth + 1])
            if key not in groups:
                text = GROUP_HELP.get(key, f"{key} commands")
                group = subparsers.add_parser(word, help=text, description=text)
                groups[key] = group.add_subparsers(
                    title="commands", dest=f"{key}_command", required=True, metavar="COMMAND"
                )
            subparsers = groups[key]
        # The help a user reads: the row's text and the module's EXAMPLES, never its docstring (that is
        # for developers reading the code).
        command = subparsers.add_parser(
            words[-1],
            help=help_text,
            description=help_text[:1].upper() + help_text[1:] + ".",
            epilog=getattr(module, "EXAMPLES", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
