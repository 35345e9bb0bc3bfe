"""`scheduling pf360 serve`: the PF360 simulator on localhost until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from scheduling_tooling.pf360_sim.faults import FaultPlan, FaultProfileError
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN, Simulator, SimulatorServer

EXAMPLES = """\
The fake PF360 API alone, for the PF360 client or a browser; `scheduling local up` already runs one
inside the local stack. Change its faults while it runs with PUT /_sim/faults.

examples:
  scheduling pf360 serve                          # http://127.0.0.1:8360
  scheduling pf360 serve --port 0 --faults faults.json   # e.g. {"faults": {"get_projects":
                                                        #   [{"kind": "status", "status": 503, "times": 2}]}}
  curl -X PUT localhost:8360/_sim/faults -d '{"faults": {}}'   # no faults any more
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8360, help="port (default 8360; 0 picks a free one)")
    parser.add_argument(
        "--faults", metavar="FILE", help="fault profile (JSON); change it later with PUT /_sim/faults"
    )
    parser.add_argument("--seed", type=int, default=1645975, help="seed of the fake's data (default 1645975)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="bearer token to accept")


def run(args: argparse.Namespace) -> int:
    try:
        faults = FaultPlan.load(args.faults) if args.faults else FaultPlan()
    except FaultProfileError as error:
        print(f"scheduling pf360 serve: {error}", file=sys.stderr)
        return 2
    try:
        server = SimulatorServer(Simulator(args.seed, faults=faults, token=args.token), args.host, args.port)
    except OSError as error:
        print(f"scheduling pf360 serve: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2
    print(f"PF360 simulator on {server.url}  (admin: {server.url}/_sim/faults; Ctrl-C stops)", flush=True)
    print(f"  API_BASE_URL={server.url}\n  bearer token: {args.token!r} (local only)", flush=True)
    # Ctrl-C and SIGTERM stop it, even when started from a script that ignores SIGINT (as `cmd &` does).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopping", flush=True)
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
