"""`scheduling local up`: the embedded stack served on localhost until Ctrl-C.

Prints the environment another process needs (AWS_ENDPOINT_URL and friends) to drive bookings with
plain boto3, e.g. `tooling/examples/drive_one_booking.py`.
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from scheduling_tooling.local.stack import EmbeddedStack


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=5360, help="AWS API port: Step Functions, DynamoDB, Secrets Manager"
    )
    parser.add_argument(
        "--lambda-port", type=int, default=0, help="local Lambda endpoint port (default: any free)"
    )
    parser.add_argument("--pf360-port", type=int, default=0, help="PF360 simulator port (default: any free)")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply engine time (waits, retries, timeouts); 0.01 = 100x faster",
    )
    parser.add_argument(
        "--session-timeout", type=int, default=1800, help="seconds a wait for the customer lasts"
    )
    parser.add_argument(
        "--mock",
        action="store_true",
        help="run every Lambda function in its own process with USE_MOCK_API=true, as a mock deployment "
        "on AWS does (the fake PF360's state shared through DynamoDB)",
    )


def run(args: argparse.Namespace) -> int:
    stopping = threading.Event()

    def stop(*_: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    stack = EmbeddedStack(
        serve_api=True,
        api_port=args.port,
        lambda_port=args.lambda_port,
        pf360_port=args.pf360_port,
        time_scale=args.time_scale,
        session_timeout_seconds=args.session_timeout,
        mock_processes=args.mock,
    )
    with stack:
        print("local stack up: Step Functions, DynamoDB, Secrets Manager, Lambda endpoint, PF360 simulator")
        if args.mock:
            print("every Lambda function runs in its own process with USE_MOCK_API=true (mock deployment)")
        print("# for another shell:")
        for name, value in stack.client_env().items():
            print(f"export {name}={value}")
        print("# Ctrl-C stops it", flush=True)
        stopping.wait()
        print("stopping", flush=True)
    return 0
