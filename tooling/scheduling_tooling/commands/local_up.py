"""`scheduling local up`: the embedded stack served on one well-known local endpoint until Ctrl-C.

Other commands find it there by themselves (`local/discovery.py`: GET /_local/info); the `export`
lines printed below the table are for plain boto3 scripts (`tooling/examples/drive_one_booking.py`).
"""

from __future__ import annotations

import argparse
import os
from typing import Any
from urllib.parse import urlsplit

from scheduling_tooling import terminal
from scheduling_tooling.local import discovery
from scheduling_tooling.target import ENV_LOCAL_ENDPOINT

PROG = "scheduling local up"
EXAMPLES = f"""\
Other commands (agent invoke, ops, demo, console) find the running stack by themselves at
http://127.0.0.1:{discovery.DEFAULT_PORT} (or ${ENV_LOCAL_ENDPOINT}); plain boto3 scripts use the
printed `export` lines. Everything lives in memory: stopping the stack forgets executions, sessions
and tokens.

examples:
  scheduling local up                       # serve on http://127.0.0.1:{discovery.DEFAULT_PORT}
  scheduling local up --time-scale 0.01     # waits and retry backoff 100x faster
  scheduling local up --port 5361           # a second stack; others use it with
                                            #   --endpoint http://127.0.0.1:5361
  scheduling local up --mock                # each Lambda in its own mock-mode process
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        help=f"the stack's endpoint port: the AWS API and /_local/info (default: the port of "
        f"${ENV_LOCAL_ENDPOINT}, else {discovery.DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--lambda-port", type=int, default=0, help="Lambda endpoint port (default: any free one)"
    )
    parser.add_argument(
        "--pf360-port", type=int, default=0, help="PF360 simulator port (default: any free one)"
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply engine time (Wait states, retry backoff); 0.01 = 100x faster (default 1)",
    )
    parser.add_argument(
        "--session-timeout",
        type=int,
        default=1800,
        metavar="SECONDS",
        help="how long a booking waits for the customer's next answer (default 1800)",
    )
    parser.add_argument(
        "--mock",
        action="store_true",
        help="run every Lambda function in its own process with USE_MOCK_API=true, as a mock deployment "
        "on AWS does (the fake PF360's state shared through DynamoDB)",
    )


def run(args: argparse.Namespace) -> int:
    port = _port(args.port)
    if port:
        refusal = _refusal(discovery.default_endpoint(port))
        if refusal:
            terminal.error(PROG, refusal)
            return 1
    stopping = terminal.until_stopped()
    from scheduling_tooling.local.stack import EmbeddedStack

    stack = EmbeddedStack(
        serve_api=True,
        api_port=port,
        lambda_port=args.lambda_port,
        pf360_port=args.pf360_port,
        time_scale=args.time_scale,
        session_timeout_seconds=args.session_timeout,
        mock_processes=args.mock,
    )
    out = terminal.Output()
    if not terminal.started(stack, out, PROG, "starting the local stack"):
        return 1
    try:
        endpoint = discovery.publish(stack)
        _serve_extras(stack, endpoint)
        _show(out, endpoint.info, mock=args.mock)
        stopping.wait()
        out.line("stopping")
    finally:
        stack.stop()
    return 0


def _serve_extras(stack: Any, endpoint: discovery.Endpoint) -> None:
    """Services that share the stack's endpoint (`endpoint.mount`); each lands in the table and in
    /_local/info, where `scheduling console` finds it."""
    from scheduling_tooling.console.app import mount

    mount(stack, endpoint)


def _port(requested: int | None) -> int:
    if requested is not None:
        return requested
    configured = os.environ.get(ENV_LOCAL_ENDPOINT)
    return (urlsplit(configured).port if configured else None) or discovery.DEFAULT_PORT


def _refusal(endpoint: str) -> str | None:
    """Why no stack may start on this endpoint: one already runs there, or another program has it."""
    try:
        running = discovery.read_info(endpoint)
    except discovery.NotALocalStack:
        running = None
    if running is not None:
        return (
            f"a local stack already runs at {endpoint} (pid {running.pid}, up since {running.started_at}); "
            "other commands use it as it is. Stop it first, or start another with --port"
        )
    if discovery.port_taken(endpoint):
        return f"port {urlsplit(endpoint).port} is taken by another program; choose another with --port"
    return None


def _show(out: terminal.Output, info: discovery.LocalInfo, *, mock: bool) -> None:
    rows: list[tuple[str, str]] = [
        ("AWS API (Step Functions, DynamoDB, KMS)", info.aws_endpoint),
        ("Lambda endpoint (steps, action groups)", info.lambda_endpoint),
        ("PF360 simulator", info.pf360_simulator),
        *((name, url) for name, url in info.services.items()),
        ("region", info.region),
        ("state machine", info.state_machine_arn),
        *((f"table {key}", name) for key, name in info.tables.items()),
        ("found by other commands at", info.aws_endpoint + discovery.INFO_PATH),
    ]
    title = "local stack up" + (" (every Lambda in its own USE_MOCK_API=true process)" if mock else "")
    out.table(["serves", "at"], rows, title=title)
    out.line()
    out.line("# for plain boto3 scripts in another shell:", style="dim")
    for name, value in info.env.items():
        out.line(f"export {name}={value}")
    out.line(
        "# Ctrl-C stops it (executions, sessions and tokens live in memory: they go with it)", style="dim"
    )
