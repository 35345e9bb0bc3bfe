"""`scheduling ops graph EXECUTION --out FILE.svg|png`: the state machine with the path one execution
took: its states and transitions highlighted, retried states marked with their retry count, the state
it failed in red. The definition drawn is the one the execution ran (DescribeStateMachineForExecution).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scheduling_tooling.ops import query
from scheduling_tooling.ops.graph import execution_definition, render_png, render_svg
from scheduling_tooling.ops.names import arn_of, parse
from scheduling_tooling.ops.query import OpsError
from scheduling_tooling.ops.timeline import read_timeline
from scheduling_tooling.target import Target, TargetError, add_target_arguments, explain, resolve

FORMATS = (".svg", ".png")
EXAMPLES = """\
examples:
  scheduling ops graph schedule-12345-1-kx3f-8f0e... --out booking.svg   # on the running local stack
  scheduling ops graph arn:aws:states:...:execution:... --out booking.png --aws --region eu-west-1"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "execution",
        metavar="EXECUTION",
        help="an execution's name or ARN, or a session id (its newest execution)",
    )
    parser.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="where to write it: FILE.svg or FILE.png"
    )
    add_target_arguments(parser)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.suffix.lower() not in FORMATS:
        print(f"scheduling ops graph: --out must end in .svg or .png, not {out.name!r}", file=sys.stderr)
        return 2
    try:
        with resolve(args, announce=lambda line: print(line, file=sys.stderr)) as target:
            sfn = target.client("stepfunctions")
            try:
                arn = _execution_arn(target, args.execution)
                timeline = read_timeline(sfn, arn)
                definition = execution_definition(sfn, arn)
            except OpsError:
                raise
            except Exception as error:
                raise TargetError(explain(error, target)) from error
    except (TargetError, OpsError) as error:
        print(f"scheduling ops graph: {error}", file=sys.stderr)
        return 2
    data = (
        render_png(definition, timeline) if out.suffix.lower() == ".png" else render_svg(definition, timeline)
    )
    try:
        out.write_bytes(data.encode() if isinstance(data, str) else data)
    except OSError as error:
        print(f"scheduling ops graph: cannot write {out}: {error.strerror}", file=sys.stderr)
        return 2
    execution = timeline.execution
    retried = ", ".join(f"{state} {count}x" for state, count in timeline.retried.items()) or "none"
    print(
        f"wrote {out}: {execution.name} {execution.status}, {len(timeline.path)} states; retried: {retried}"
    )
    if timeline.failed_state:
        print(f"failed in {timeline.failed_state}: {timeline.error or ''} {timeline.cause or ''}".rstrip())
    return 0


def _execution_arn(target: Target, what: str) -> str:
    if what.startswith("arn:") or parse(what):
        return arn_of(target.state_machine_arn, what)
    sfn, dynamodb = target.client("stepfunctions"), target.client("dynamodb")
    found = query.session_executions(
        sfn, dynamodb, target.state_machine_arn, target.sessions_table, what, lookback=query.span("14d")
    )
    if not found:
        raise OpsError(f"unknown session {what}: no session item and no execution of it")
    return str(found[-1]["executionArn"])
