"""`scheduling ops list|show|waiting|failures|stats|redrive|stop`: what happened to bookings, from the
booking state machine's execution history, on the running local stack or on AWS (--aws).

Each sub-command is an object with `add_arguments` and `run` (the CLI's command shape); the CLI
registers them as `ops <word>`. `ops graph` lives in commands/ops_graph.py.
Exit status: 0 done, 1 the command ran but found what it refuses (e.g. stop of a finished
execution), 2 it could not run (no stack, no credentials, wrong region, unknown session, bad option).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scheduling_tooling.ops import query, stats
from scheduling_tooling.ops.names import arn_of, parse
from scheduling_tooling.ops.query import Filters, OpsError
from scheduling_tooling.ops.timeline import Latest, Timeline, read_latest, read_timeline
from scheduling_tooling.target import Target, TargetError, add_target_arguments, explain, resolve
from scheduling_tooling.terminal import Output, note

Body = Callable[[argparse.Namespace, Target], int]


@dataclass(frozen=True)
class Command:
    """One `scheduling ops` sub-command: the CLI's command shape (add_arguments, run)."""

    word: str
    add_options: Callable[[argparse.ArgumentParser], None]
    body: Body
    EXAMPLES: str | None = None

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        self.add_options(parser)
        add_target_arguments(parser)

    def run(self, args: argparse.Namespace) -> int:
        prog = f"scheduling ops {self.word}"
        try:
            with resolve(args, announce=note) as target:
                try:
                    return self.body(args, target)
                except (TargetError, OpsError):
                    raise
                except Exception as error:  # an AWS or connection error: one line, no traceback
                    if not _is_aws_error(error):
                        raise
                    raise TargetError(explain(error, target)) from error
        except (TargetError, OpsError) as error:
            print(f"{prog}: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130


def _is_aws_error(error: Exception) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(error, BotoCoreError | ClientError)


# --- ops list ------------------------------------------------------------------------------------


def _list_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--status", type=str.upper, choices=query.STATUSES, help="only executions in this status"
    )
    parser.add_argument("--customer", metavar="ID", help="only this customer's (PF360 customer id)")
    parser.add_argument("--project", metavar="ID", help="only this project's")
    parser.add_argument("--since", metavar="WHEN", help="started at or after: 1d, 2h, 30m, or an ISO time")
    parser.add_argument("--until", metavar="WHEN", help="started before: 1d, 2h, 30m, or an ISO time")
    parser.add_argument("--limit", type=_positive, default=20, help="executions per page (20)")
    parser.add_argument("--next-token", metavar="TOKEN", help="the next page, as the previous page said")
    parser.add_argument(
        "--brief", action="store_true", help="no outcome or session column (no history read per execution)"
    )
    parser.add_argument("--json", action="store_true", help="JSON (ops/schemas/list.json)")


def _list(args: argparse.Namespace, target: Target) -> int:
    sfn = target.client("stepfunctions")
    digests = None
    since = query.moment(args.since) if args.since else None
    if args.customer:
        sessions = query.customer_sessions(target.client("dynamodb"), target.sessions_table, args.customer)
        digests = frozenset(query.session_digest(str(item["session_id"])) for item in sessions)
        if not sessions:
            note(f"no sessions of customer {args.customer} (session items expire with their TTL)")
        # No execution of a session starts before its item was created: the listing stops there.
        oldest = query.oldest_session_start(sessions)
        if oldest and (since is None or oldest > since):
            since = oldest
    filters = Filters(
        status=args.status,
        since=since,
        until=query.moment(args.until) if args.until else None,
        project=args.project,
        digests=digests,
    )
    page = (
        query.Page([], None, 0)
        if digests == frozenset()
        else query.executions(
            sfn, target.state_machine_arn, filters, limit=args.limit, next_token=args.next_token
        )
    )
    rows = []
    for execution in page.executions:
        latest = None if args.brief else read_latest(sfn, execution["executionArn"])
        rows.append(_list_row(execution, latest))
    if args.json:
        _print_json({"executions": rows, "next_token": page.next_token})
    else:
        Output().table(
            ["STARTED", "STATUS", "OUTCOME / NOW", "MODE", "PROJECT", "SESSION", "EXECUTION"],
            [
                [
                    _when(r["start"]),
                    r["status"],
                    _now_text(r),
                    r["mode"],
                    r["project_id"],
                    r["session_id"],
                    r["name"],
                ]
                for r in rows
            ],
        )
        if not rows:
            note("no executions match")
    if page.next_token and not args.json:
        note(f"more: --next-token {page.next_token}")
    return 0


def _list_row(execution: dict[str, Any], latest: Latest | None) -> dict[str, Any]:
    name = parse(execution["name"])
    return {
        "arn": execution["executionArn"],
        "name": execution["name"],
        "status": execution["status"],
        "start": execution["startDate"],
        "stop": execution.get("stopDate"),
        "mode": name.mode if name else None,
        "project_id": name.project_id if name else None,
        "session_id": latest.session_id if latest else None,
        "outcome": latest.outcome if latest and execution["status"] == "SUCCEEDED" else None,
        "state": latest.state if latest else None,
        "since": latest.since if latest else None,
        "waiting": latest.waiting if latest else None,
        "error": latest.error if latest else None,
        "cause": latest.cause if latest else None,
    }


def _now_text(row: dict[str, Any]) -> str:
    if row["status"] == "SUCCEEDED":
        return row["outcome"] or ""
    if row["status"] == "RUNNING" and row["state"]:
        return f"{'waiting in' if row['waiting'] else 'in'} {row['state']}"
    if row["error"]:
        return f"{row['error']}: {row['cause']}" if row["cause"] else row["error"]
    return ""


# --- ops show --------------------------------------------------------------------------------------


def _show_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "what", metavar="SESSION_ID|EXECUTION", help="a session id, or an execution's name or ARN"
    )
    parser.add_argument(
        "--lookback",
        default="14d",
        metavar="SPAN",
        help="with a session id whose item has expired: how far back to look for its executions (14d)",
    )
    parser.add_argument("--json", action="store_true", help="JSON (ops/schemas/show.json)")


def _show(args: argparse.Namespace, target: Target) -> int:
    sfn = target.client("stepfunctions")
    what: str = args.what
    if what.startswith("arn:") or parse(what):
        arns = [arn_of(target.state_machine_arn, what)]
    else:
        found = query.session_executions(
            sfn,
            target.client("dynamodb"),
            target.state_machine_arn,
            target.sessions_table,
            what,
            lookback=query.span(args.lookback),
        )
        if not found:
            raise OpsError(f"unknown session {what}: no session item and no execution of it")
        arns = [e["executionArn"] for e in found]
    timelines = [read_timeline(sfn, arn) for arn in arns]
    if args.json:
        _print_json({"executions": [t.to_json() for t in timelines]})
        return 0
    out = Output()
    for number, timeline in enumerate(timelines):
        if number:
            out.line()
        _print_timeline(out, timeline)
    return 0


def _print_timeline(out: Output, timeline: Timeline) -> None:
    e = timeline.execution
    ended = f", ended {_when(e.stop)}, took {_span_text(e.start, e.stop)}" if e.stop else ""
    out.line(f"{e.name}  {e.status}", style="bold")
    out.line(
        f"session {e.session_id}  project {e.project_id}  mode {e.mode}  customer {e.customer_id}"
        f"  started {_when(e.start)}{ended}"
    )
    if timeline.truncated:
        out.line(f"(a long history: only its newest {timeline.events_read} events were read)")
    rows: list[list[Any]] = []
    for step in timeline.steps:
        rows.append([_clock(step.entered), step.state, _ms_text(step.duration_ms), _step_note(step)])
        if step.retries:
            for number, attempt in enumerate(step.attempts, 1):
                what = f"{attempt.error}: {attempt.cause}" if attempt.error else "succeeded"
                if attempt.wait_seconds is not None:
                    what += f"; retried after {attempt.wait_seconds:g} s"
                rows.append(["", f"  attempt {number}", _ms_text(attempt.duration_ms), what])
    out.table(["AT", "STATE", "TOOK", "WHAT HAPPENED"], rows)
    if e.status == "SUCCEEDED":
        out.line(f"outcome: {timeline.outcome or 'succeeded'}", style="bold green")
    elif e.status == "RUNNING":
        waiting = next((s for s in timeline.steps if s.waiting), None)
        where = f"waiting for the customer in {waiting.state}" if waiting else f"in {timeline.path[-1]}"
        out.line(f"running: {where}" if timeline.steps else "running", style="bold")
    else:
        failed = f" in {timeline.failed_state}" if timeline.failed_state else ""
        cause = f": {timeline.cause}" if timeline.cause else ""
        out.line(f"{e.status.lower()}{failed}: {timeline.error}{cause}", style="bold red")
    if timeline.retried:
        out.line("retried: " + ", ".join(f"{s} x{n}" for s, n in timeline.retried.items()))


def _step_note(step: Any) -> str:
    parts = []
    if step.choice:
        parts.append(f"customer chose {step.choice}")
    elif step.waiting:
        parts.append("waiting for the customer")
    if step.retries:
        parts.append(f"{step.retries} {'retry' if step.retries == 1 else 'retries'}")
    if step.error and step.waits_for_customer and step.error == "States.Timeout":
        parts.append("no answer from the customer: the wait timed out (States.Timeout)")
    elif step.error and not step.choice:
        parts.append(f"{step.error}: {step.cause}" if step.cause else step.error)
    if step.outcome:
        parts.append(f"outcome {step.outcome}")
    return "; ".join(parts)


# --- ops waiting ----------------------------------------------------------------------------------


def _waiting_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--older-than", default="10m", metavar="SPAN", help="waiting at least this long: 30s, 10m, 2h (10m)"
    )
    parser.add_argument(
        "--max", type=_positive, default=1000, help="running executions to look at, newest first"
    )
    parser.add_argument("--json", action="store_true", help="JSON (ops/schemas/waiting.json)")


def _waiting(args: argparse.Namespace, target: Target) -> int:
    sfn = target.client("stepfunctions")
    older = query.span(args.older_than)
    current = query.now()
    # An execution started less than --older-than ago cannot have waited that long: not read at all.
    candidates = Filters(status="RUNNING", until=current - older)
    running = query.executions(sfn, target.state_machine_arn, candidates, limit=args.max)
    sampled = running.next_token is not None
    rows = []
    for execution in running.executions:
        latest = read_latest(sfn, execution["executionArn"])
        if latest.waiting and latest.since and current - latest.since >= older:
            name = parse(execution["name"])
            rows.append(
                {
                    "arn": execution["executionArn"],
                    "name": execution["name"],
                    "session_id": latest.session_id,
                    "project_id": name.project_id if name else None,
                    "mode": name.mode if name else None,
                    "state": latest.state,
                    "since": latest.since,
                    "waiting_seconds": round((current - latest.since).total_seconds()),
                }
            )
    rows.sort(key=lambda r: r["since"])
    if args.json:
        _print_json({"older_than_seconds": older.total_seconds(), "sampled": sampled, "waiting": rows})
        return 0
    Output().table(
        ["WAITING SINCE", "FOR", "STATE", "SESSION", "PROJECT", "MODE", "EXECUTION"],
        [
            [
                _when(r["since"]),
                _seconds_text(r["waiting_seconds"]),
                *(r[key] for key in ("state", "session_id", "project_id", "mode", "name")),
            ]
            for r in rows
        ],
    )
    read = f"{len(running.executions)} running over {args.older_than} read"
    more = f"; more were running: only the newest {args.max} were read (--max reads more)" if sampled else ""
    note(f"{len(rows)} waiting for the customer over {args.older_than} ({read}{more})")
    return 0


# --- ops failures --------------------------------------------------------------------------------


def _failures_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", default="1d", metavar="WHEN", help="failed executions started since (1d)")
    parser.add_argument("--max", type=_positive, default=500, help="failed executions to read, newest first")
    parser.add_argument("--json", action="store_true", help="JSON (ops/schemas/failures.json)")


def _failures(args: argparse.Namespace, target: Target) -> int:
    sfn = target.client("stepfunctions")
    since = query.moment(args.since)
    failed: list[dict[str, Any]] = []
    sampled = False
    for status in ("FAILED", "TIMED_OUT"):
        page = query.executions(
            sfn, target.state_machine_arn, Filters(status=status, since=since), limit=args.max
        )
        failed += page.executions
        sampled = sampled or page.next_token is not None
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for execution in sorted(failed, key=lambda e: e["startDate"], reverse=True):
        latest = read_latest(sfn, execution["executionArn"], failure=True)
        key = (latest.error or execution["status"], latest.failed_state or latest.state or "?")
        group = groups.setdefault(
            key,
            {
                "error": key[0],
                "state": key[1],
                "count": 0,
                "example": {
                    "arn": execution["executionArn"],
                    "name": execution["name"],
                    "start": execution["startDate"],
                    "session_id": latest.session_id,
                    "cause": latest.cause,
                    "failed_attempts": latest.failed_attempts,
                },
            },
        )
        group["count"] += 1
    ordered = sorted(groups.values(), key=lambda g: (-g["count"], g["error"], g["state"]))
    if args.json:
        _print_json({"since": since, "failed": len(failed), "sampled": sampled, "groups": ordered})
        return 0
    Output().table(
        ["COUNT", "ERROR", "IN STATE", "EXAMPLE", "ATTEMPTS", "CAUSE"],
        [
            [
                g["count"],
                g["error"],
                g["state"],
                *(g["example"][key] for key in ("name", "failed_attempts", "cause")),
            ]
            for g in ordered
        ],
    )
    groups_text = "1 group" if len(ordered) == 1 else f"{len(ordered)} groups"
    more = f" (the newest {args.max} per status: --max reads more)" if sampled else ""
    note(f"{len(failed)} failed since {_when(since)}{more}, in {groups_text} by error and state")
    return 0


# --- ops stats ------------------------------------------------------------------------------------


def _stats_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", default="1d", metavar="WHEN", help="executions started since (1d)")
    parser.add_argument("--max", type=_positive, default=200, help="executions to read, newest first (200)")
    parser.add_argument(
        "--lambda-memory-mb",
        type=_positive,
        default=stats.DEFAULT_LAMBDA_MEMORY_MB,
        help=f"the Lambdas' memory, for their cost ({stats.DEFAULT_LAMBDA_MEMORY_MB}, Terraform's default)",
    )
    parser.add_argument("--json", action="store_true", help="JSON (ops/schemas/stats.json)")


def _stats(args: argparse.Namespace, target: Target) -> int:
    sfn = target.client("stepfunctions")
    since = query.moment(args.since)
    page = query.executions(sfn, target.state_machine_arn, Filters(since=since), limit=args.max)
    timelines = [read_timeline(sfn, e["executionArn"]) for e in page.executions]
    result = stats.compute(timelines, lambda_memory_mb=args.lambda_memory_mb)
    if args.json:
        _print_json({"since": since, "sampled": page.next_token is not None, **result.to_json()})
        return 0
    out = Output()
    sampled = f" (the newest {args.max}: --max reads more)" if page.next_token else ""
    out.line(f"{result.executions} executions since {_when(since)}{sampled}", style="bold")
    out.table(["OUTCOME", "EXECUTIONS"], [[k, v] for k, v in result.outcomes.items()])
    out.line()
    out.table(
        ["STATE", "VISITS", "P50", "P95", "RETRIES", "EXECUTIONS RETRIED"],
        [
            [
                state,
                s["visits"],
                _ms_text(s["p50_ms"]),
                _ms_text(s["p95_ms"]),
                s["retries"],
                s["executions_retried"],
            ]
            for state, s in result.steps.items()
        ],
    )
    out.line()
    t = result.transitions_per_completed
    if result.completed:
        cost = result.cost_per_1000_completed_usd
        out.line(
            f"{result.completed} completed bookings: {t['mean']:g} state transitions each on average "
            f"(p50 {t['p50']:g}, p95 {t['p95']:g}), {result.lambda_requests_per_completed:g} Lambda "
            f"requests, {result.lambda_gb_seconds_per_completed:g} GB-s at {args.lambda_memory_mb} MB"
        )
        out.line(
            f"AWS cost per 1,000 completed bookings: ${cost['total']:.4f} = "
            f"Step Functions ${cost['step_functions']:.4f} + Lambda requests ${cost['lambda_requests']:.4f} "
            f"+ Lambda duration ${cost['lambda_duration']:.4f}"
        )
    else:
        out.line("no completed bookings in the window: no cost per booking")
    out.line(
        f"prices (us-east-1, published, as of {stats.PRICES_AS_OF}): Step Functions Standard "
        f"${stats.SFN_STANDARD_PER_1000_TRANSITIONS:.3f} per 1,000 transitions; "
        f"Lambda ${stats.LAMBDA_PER_1M_REQUESTS:.2f} per 1M requests "
        f"+ ${stats.LAMBDA_PER_GB_SECOND:.10f} per GB-s; free tiers and DynamoDB not counted"
    )
    return 0


# --- ops redrive / stop ----------------------------------------------------------------------------


def _redrive_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("execution", metavar="EXECUTION", help="the execution's name or ARN")
    parser.add_argument(
        "--anyway",
        action="store_true",
        help="redrive even when it ended in a Fail state (it will fail again)",
    )


def _redrive(args: argparse.Namespace, target: Target) -> int:
    if target.kind != "aws":
        raise OpsError(
            f"the {target.describe()} cannot redrive: its engine (moto) has no RedriveExecution. "
            "Use --aws, or start the booking again"
        )
    sfn = target.client("stepfunctions")
    arn = arn_of(target.state_machine_arn, args.execution)
    described = sfn.describe_execution(executionArn=arn)
    if described.get("redriveStatus") == "NOT_REDRIVABLE":
        print(f"not redrivable: {described.get('redriveStatusReason', described['status'])}", file=sys.stderr)
        return 1
    latest = read_latest(sfn, arn)
    definition = json.loads(sfn.describe_state_machine_for_execution(executionArn=arn)["definition"])
    kind = definition.get("States", {}).get(latest.state or "", {}).get("Type")
    if kind == "Fail" and not args.anyway:
        print(
            f"{described['name']} ended in the Fail state {latest.state!r} ({latest.error}): a redrive "
            "reruns that state and fails again. The failure is recorded on the session: start the booking "
            "again (or --anyway)",
            file=sys.stderr,
        )
        return 1
    answer = sfn.redrive_execution(executionArn=arn)
    print(f"redriven {described['name']} at {_when(answer.get('redriveDate'))}: it resumes in {latest.state}")
    return 0


def _stop_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("execution", metavar="EXECUTION", help="the execution's name or ARN")
    parser.add_argument(
        "--cause", required=True, metavar="TEXT", help="why (kept in the execution's history)"
    )
    parser.add_argument("--error", default="Ops.Stopped", help="the error name recorded (Ops.Stopped)")


def _stop(args: argparse.Namespace, target: Target) -> int:
    sfn = target.client("stepfunctions")
    arn = arn_of(target.state_machine_arn, args.execution)
    described = sfn.describe_execution(executionArn=arn)
    if described["status"] != "RUNNING":
        print(f"{described['name']} is {described['status']}: nothing to stop", file=sys.stderr)
        return 1
    latest = read_latest(sfn, arn)
    answer = sfn.stop_execution(executionArn=arn, error=args.error, cause=args.cause)
    print(
        f"stopped {described['name']} at {_when(answer.get('stopDate') or query.now())} in {latest.state} "
        f"({args.error}: {args.cause})"
    )
    if latest.waiting:
        print("the session item still shows the offer; the customer's next answer finds nothing waiting")
    return 0


# --- the table the CLI registers -----------------------------------------------------------------

LIST = Command(
    "list",
    _list_options,
    _list,
    """examples:
  scheduling ops list                                  # the newest 20, on the running local stack
  scheduling ops list --status FAILED --since 1d
  scheduling ops list --customer 1645975 --project 12345 --json
  scheduling ops list --aws --region eu-west-1 --limit 50 --next-token TOKEN""",
)
SHOW = Command(
    "show",
    _show_options,
    _show,
    """examples:
  scheduling ops show agent-3f2a9c01d4e5b6a7          # every execution of that session, in order
  scheduling ops show schedule-12345-1-tp8lox-7039...  # one execution, by name or ARN
  scheduling ops show agent-3f2a9c01d4e5b6a7 --json""",
)
WAITING = Command(
    "waiting",
    _waiting_options,
    _waiting,
    """examples:
  scheduling ops waiting --older-than 10m
  scheduling ops waiting --older-than 1h --aws --json""",
)
FAILURES = Command(
    "failures",
    _failures_options,
    _failures,
    """examples:
  scheduling ops failures --since 1d
  scheduling ops failures --since 2026-11-28T00:00 --aws --json""",
)
STATS = Command(
    "stats",
    _stats_options,
    _stats,
    """examples:
  scheduling ops stats --since 1d
  scheduling ops stats --since 7d --max 1000 --lambda-memory-mb 1024 --aws --json""",
)
REDRIVE = Command(
    "redrive",
    _redrive_options,
    _redrive,
    """examples:
  scheduling ops redrive schedule-12345-1-tp8lox-7039... --aws   # AWS only: the local engine cannot""",
)
STOP = Command(
    "stop",
    _stop_options,
    _stop,
    """examples:
  scheduling ops stop schedule-12345-1-tp8lox-7039... --cause "customer asked by phone to stop\"""",
)
# (words, command, help) rows for cli.COMMANDS; `ops graph` is commands/ops_graph.py's row.
ROWS: list[tuple[tuple[str, ...], Command, str]] = [
    (("ops", "list"), LIST, "list executions, newest first: by status, customer, project, time"),
    (("ops", "show"), SHOW, "a booking's timeline: steps, retries, the customer's choices, the outcome"),
    (("ops", "waiting"), WAITING, "executions waiting for the customer longer than a time"),
    (("ops", "failures"), FAILURES, "failed executions grouped by error and state, one example each"),
    (("ops", "stats"), STATS, "outcomes, time and retries per step, transitions and AWS cost per booking"),
    (("ops", "redrive"), REDRIVE, "redrive a failed execution from where it failed (AWS only)"),
    (("ops", "stop"), STOP, "stop a running execution, with a cause"),
]


# --- formatting ------------------------------------------------------------------------------------


def _print_json(document: dict[str, Any]) -> None:
    """`document` as JSON; ops/schemas/<word>.json describes each command's (tests/ops check them)."""
    print(json.dumps(document, indent=2, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if moment else ""


def _clock(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3] if moment else ""


def _ms_text(ms: float | None) -> str:
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms:.0f} ms"
    return _seconds_text(ms / 1000)


def _seconds_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _span_text(start: datetime | None, stop: datetime | None) -> str:
    return _seconds_text((stop - start).total_seconds()) if start and stop else ""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
