"""One Lambda function in its own process (`scheduling local up --mock`): reads an invocation per line
on stdin (`{"event", "function_name", "arn", "request_id", "timeout"}`), runs the handler, writes
`{"payload", "failed"}` per line on the protocol pipe. Everything the handler prints goes to stderr,
so logs never corrupt the protocol. The process is the container: module state lives as long as it."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from typing import Any

from scheduling_tooling.local.lambda_endpoint import LambdaContext, run_handler


def main(handler_path: str) -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the handler's prints and logs: to stderr
    sys.stdout = sys.stderr
    module_name, _, attribute = handler_path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    for line in sys.stdin:
        call: dict[str, Any] = json.loads(line)
        context = LambdaContext(
            call["function_name"], call["arn"], call["request_id"], time.monotonic() + call["timeout"]
        )
        payload, failed = run_handler(handler, call["event"], context)
        protocol.write(json.dumps({"payload": payload, "failed": failed}, default=str) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
