"""Every fix this project makes to moto 5.2.5's Step Functions engine, in one place.

moto is pinned exactly; `tests/workflow/test_moto_fixes.py` checks each gap below still exists in
the original code (so a moto upgrade that fixes one tells us to delete the patch) and that the patched
behaviour works. `apply()` is idempotent; `TIME.scale` can change at any time.

Gaps fixed:
- start_execution without a name gives an ARN ending in ":None"        -> a uuid name
- SendTaskFailure drops `cause`                                         -> passed through
- StopExecution leaves a task blocked on its callback until it times out -> callbacks released
- SendTask*/StopExecution right after StartExecution raise AttributeError while the worker thread
  is still starting                                                     -> retried briefly
- finished worker threads are never pruned from TMP_THREADS             -> pruned on each start
- no time control                                                       -> TIME.scale applied to Wait
  states, retry backoff (now interruptible by StopExecution), task timeouts and heartbeats
- a new boto3 client for every task (~20 ms of CPU each)                -> cached per service/endpoint
"""

from __future__ import annotations

import functools
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from moto.stepfunctions import responses as sfn_responses
from moto.stepfunctions.parser import models as parser_models
from moto.stepfunctions.parser import utils as parser_utils
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.common.timeouts import heartbeat, timeout
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk,
    state_task_service_dynamodb,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackOutcomeFailure
from moto.stepfunctions.parser.asl.utils import boto_client
from moto.stepfunctions.parser.backend import execution as parser_execution


class TimeScale:
    """Multiplies every engine-side duration: 0.001 runs a 30-minute wait in 1.8 s."""

    def __init__(self) -> None:
        self.scale = 1.0

    def __call__(self, seconds: float) -> float:
        return seconds * self.scale


TIME = TimeScale()
ORIGINALS: dict[str, Callable[..., Any]] = {}
_applied = threading.Lock()
_installed: list[bool] = []
_STARTUP_GRACE_SECONDS = 2.0


def apply() -> None:
    """Install every fix (once per process)."""
    with _applied:
        if _installed:
            return
        _installed.append(True)
        _patch(parser_models.StepFunctionsParserBackend, "start_execution", _start_execution)
        _patch(sfn_responses.StepFunctionResponse, "send_task_failure", _send_task_failure_response)
        _patch(parser_execution.Execution, "stop", _stop_releases_callbacks)
        for name in ("send_task_success", "send_task_failure", "send_task_heartbeat", "stop_execution"):
            _patch(parser_models.StepFunctionsParserBackend, name, _retry_startup_race(name))
        _patch(wait_function.WaitFunction, "_wait_interval", _scaled_wait_interval)
        _patch(retrier_decl.RetrierDecl, "_eval_body", _scaled_retrier_eval_body)
        _patch(timeout.Timeout, "_eval_body", _scaled_seconds_eval_body(timeout.Timeout))
        _patch(heartbeat.Heartbeat, "_eval_body", _scaled_seconds_eval_body(heartbeat.Heartbeat))
        for module in (lambda_eval_utils, state_task_service_aws_sdk, state_task_service_dynamodb):
            _patch(module, "boto_client_for", _cached_boto_client_for)


def _patch(owner: Any, name: str, replacement: Callable[..., Any]) -> None:
    key = f"{getattr(owner, '__name__', owner)}.{name}"
    ORIGINALS[key] = getattr(owner, name)
    setattr(owner, name, replacement)


def original(owner: Any, name: str) -> Callable[..., Any]:
    return ORIGINALS[f"{getattr(owner, '__name__', owner)}.{name}"]


# --- names, cause, stop, start-up race, threads -----------------------------------------------


def _start_execution(
    self: Any, state_machine_arn: str, name: str | None = None, *args: Any, **kwargs: Any
) -> Any:
    _prune_finished_threads()
    start = original(parser_models.StepFunctionsParserBackend, "start_execution")
    return start(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)


def _prune_finished_threads() -> None:
    # Every module imported the same list object, so prune it in place.
    parser_utils.TMP_THREADS[:] = [t for t in parser_utils.TMP_THREADS if t.is_alive()]


def _send_task_failure_response(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return EmptyResult()


def _stop_releases_callbacks(self: Any, stop_date: Any, error: str | None, cause: str | None) -> None:
    original(parser_execution.Execution, "stop")(self, stop_date, error, cause)
    env = getattr(self.exec_worker, "env", None)
    if env is None:
        return
    for callback_id, endpoint in list(env.callback_pool_manager._pool.items()):
        if endpoint.get_outcome() is None:
            endpoint.notify(
                CallbackOutcomeFailure(callback_id=callback_id, error="States.Stopped", cause="stopped")
            )


def _retry_startup_race(name: str) -> Callable[..., Any]:
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        method = original(parser_models.StepFunctionsParserBackend, name)
        deadline = time.monotonic() + _STARTUP_GRACE_SECONDS
        while True:
            try:
                return method(self, *args, **kwargs)
            except AttributeError:  # the worker has no env yet: it is still starting
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    return call


# --- time control -------------------------------------------------------------------------------


def _scaled_wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
    # One wait: the original re-waits on int() truncation, which never ends for fractional seconds.
    if wait_seconds > 0:
        env.program_state_event.wait(TIME(wait_seconds))


def _scaled_retrier_eval_body(self: Any, env: Any) -> None:
    # The original's logic, with its time.sleep made scaled and interruptible by StopExecution.
    self.error_equals.eval(env)
    if not env.stack.pop():
        env.stack.append(retrier_decl.RetrierOutcome.Skipped)
        return
    self.max_attempts.eval(env=env)
    if env.stack.pop() == retrier_decl.MaxAttemptsOutcome.EXHAUSTED:
        env.stack.append(retrier_decl.RetrierOutcome.Failed)
        return
    self.interval_seconds.eval(env=env)
    self.backoff_rate.eval(env=env)
    self.max_delay_seconds.eval(env=env)
    self.jitter_strategy.eval(env=env)
    interval_seconds: float = env.stack.pop()
    env.program_state_event.wait(TIME(interval_seconds))
    env.stack.append(retrier_decl.RetrierOutcome.Executed)


def _scaled_seconds_eval_body(owner: type) -> Callable[[Any, Any], None]:
    def eval_body(self: Any, env: Any) -> None:
        env.stack.append(TIME(self._eval_seconds(env=env)))

    eval_body.__qualname__ = f"{owner.__name__}._eval_body (scaled)"
    return eval_body


# --- client cache -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _client(region: str, service: str, endpoint: str | None) -> Any:
    return ORIGINALS["moto.stepfunctions.parser.asl.utils.boto_client.boto_client_for"](region, service)


def _cached_boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    # boto3 clients are thread-safe; the endpoint override (AWS_ENDPOINT_URL_<SERVICE>) is part of the key.
    return _client(region, service, os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}"))


ORIGINALS["moto.stepfunctions.parser.asl.utils.boto_client.boto_client_for"] = boto_client.boto_client_for
