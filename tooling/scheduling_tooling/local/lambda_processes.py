"""Every Lambda function in its own process, as AWS runs them (`scheduling local up --mock`): nothing
is shared between functions but what AWS would share (DynamoDB, Step Functions, the Lambda API), so
state kept in a process, like a mock-mode fake's, shows up as it would in a deployment.

Each function gets one worker process (lambda_worker.py), started at its first invocation with the
environment the stack gives it; its invocations run one at a time, as in one warm container."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO


class ProcessRegistry:
    """The LambdaRegistry interface the endpoint uses, with a process per function."""

    def __init__(
        self,
        handlers: dict[str, str],
        *,
        region: str,
        account: str,
        environment: Callable[[], dict[str, str]],
        timeout_seconds: int = 60,
    ) -> None:
        self._paths = dict(handlers)
        self.region, self.account, self.timeout_seconds = region, account, timeout_seconds
        self.environment = environment
        self.invocations: Counter[str] = Counter()
        self.containers: Counter[str] = Counter()
        self._workers: dict[str, subprocess.Popen[str]] = {}
        self._locks: dict[str, threading.Lock] = {name: threading.Lock() for name in handlers}
        self._lock = threading.Lock()

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def invoke(self, name: str, event: Any) -> tuple[Any, bool]:
        short = name.split(":")[6] if name.startswith("arn:") else name
        if short not in self._paths:
            raise KeyError(short)
        with self._locks[short]:  # one invocation at a time per process: one warm container
            worker = self._worker(short)
            call = {
                "event": event,
                "function_name": short,
                "arn": self.arn(short),
                "request_id": str(uuid.uuid4()),
                "timeout": self.timeout_seconds,
            }
            stdin, stdout = _pipes(worker)
            stdin.write(json.dumps(call) + "\n")
            stdin.flush()
            line = stdout.readline()
            with self._lock:
                self.invocations[short] += 1
        if not line:
            raise RuntimeError(f"the {short} process ended (exit {worker.poll()}); see its stderr")
        answer = json.loads(line)
        return answer["payload"], bool(answer["failed"])

    def _worker(self, name: str) -> subprocess.Popen[str]:
        worker = self._workers.get(name)
        if worker is None or worker.poll() is not None:
            worker = subprocess.Popen(  # noqa: S603 - our own worker module, with our interpreter
                [sys.executable, "-m", "scheduling_tooling.local.lambda_worker", self._paths[name]],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=self.environment(),
            )
            self._workers[name] = worker
            with self._lock:
                self.containers[name] += 1
        return worker

    def stop(self) -> None:
        for worker in self._workers.values():
            if worker.stdin:
                worker.stdin.close()
        for worker in self._workers.values():
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        self._workers.clear()


def _pipes(worker: subprocess.Popen[str]) -> tuple[TextIO, TextIO]:
    assert worker.stdin is not None
    assert worker.stdout is not None
    return worker.stdin, worker.stdout
