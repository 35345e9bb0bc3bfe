"""`scheduling console`: the local web console in a browser.

The console of the running local stack when it serves one (`local up` mounts it at /console/);
else a console for that stack on a port of its own, serving until Ctrl-C; else, when no stack runs,
a local stack with its console, started here and announced (it is found by other commands like one
`local up` serves, and goes when this command ends).
"""

from __future__ import annotations

import argparse
import os
import threading
import webbrowser

from scheduling_tooling import terminal
from scheduling_tooling.local import discovery
from scheduling_tooling.target import (
    DEFAULT_LOCAL_ENDPOINT,
    ENV_LOCAL_ENDPOINT,
    Target,
    TargetError,
    add_endpoint_argument,
    local_endpoint,
    local_target,
)

PROG = "scheduling console"
EXAMPLES = f"""\
examples:
  scheduling console                 # open the console of the stack `scheduling local up` serves
  scheduling console --no-browser    # only print its address
  scheduling console --endpoint http://127.0.0.1:5400 --port 8080

With no local stack running at {DEFAULT_LOCAL_ENDPOINT} (or ${ENV_LOCAL_ENDPOINT}), it starts one with
its console and says so; Ctrl-C stops it."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_endpoint_argument(parser)
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port for a console served by this command, when the stack serves none (default: any free)",
    )
    parser.add_argument("--no-browser", action="store_true", help="print the console's address, open nothing")


def run(args: argparse.Namespace) -> int:
    endpoint = local_endpoint(args)
    try:
        info = discovery.read_info(endpoint)  # its services: whether it serves a console already
        target = local_target(endpoint) if info is not None else None
    except (discovery.NotALocalStack, TargetError) as error:
        terminal.error(PROG, str(error))
        return 2
    out = terminal.Output()
    if info is not None and "console" in info.services:
        url = info.services["console"]
        out.line(f"the console of the local stack at {endpoint}: {url}")
        _open(url, args.no_browser)
        return 0
    if target is None and args.endpoint:
        terminal.error(PROG, f"no local stack answers at {endpoint} (start one with `scheduling local up`)")
        return 2
    stopping = terminal.until_stopped()
    if target is not None:
        return _serve_for(target, endpoint, args, out, stopping)
    return _start_stack(endpoint, args, out, stopping)


def _serve_for(
    target: Target,
    endpoint: str,
    args: argparse.Namespace,
    out: terminal.Output,
    stopping: threading.Event,
) -> int:
    """A stack that serves no console (started by an older `local up`): serve one for it here."""
    from scheduling_tooling.console.app import Backend, ConsoleServer

    try:
        server = ConsoleServer(Backend.of_target(target), port=args.port)
    except OSError as error:
        terminal.error(PROG, f"cannot serve the console on port {args.port}: {error}")
        return 1
    with server:
        url = server.url + "/"
        out.line(f"the console for the local stack at {endpoint}: {url}")
        out.line("# Ctrl-C stops the console (the stack keeps running)", style="dim")
        _open(url, args.no_browser)
        stopping.wait()
    return 0


def _start_stack(
    endpoint: str, args: argparse.Namespace, out: terminal.Output, stopping: threading.Event
) -> int:
    from urllib.parse import urlsplit

    from scheduling_tooling.console.app import mount
    from scheduling_tooling.local.stack import EmbeddedStack

    if discovery.port_taken(endpoint):
        terminal.error(
            PROG, f"port {urlsplit(endpoint).port} is taken by a program that is not a local stack"
        )
        return 1
    # The handlers run in this process: their log lines and metrics would bury what this command says.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    stack = EmbeddedStack(serve_api=True, api_port=urlsplit(endpoint).port or discovery.DEFAULT_PORT)
    if not terminal.started(stack, out, PROG, "starting a local stack with its console"):
        return 1
    try:
        url = mount(stack, discovery.publish(stack))
        out.line(f"no local stack ran at {endpoint}: started one here, with its console at {url}")
        out.line(
            "# other commands use it while this runs; Ctrl-C stops both (executions go with it)", style="dim"
        )
        _open(url, args.no_browser)
        stopping.wait()
        out.line("stopping")
    finally:
        stack.stop()
    return 0


def _open(url: str, no_browser: bool) -> None:
    if not no_browser and not webbrowser.open(url):
        terminal.note(f"no browser found: open {url} yourself")
