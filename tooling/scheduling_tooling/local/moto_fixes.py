"""Every fix this project makes to moto 5.2.5's Step Functions engine (and its DynamoDB), in one place.

moto is pinned exactly; `tests/workflow/test_moto_fixes.py` checks each gap below still exists in
the original code (its `test_gap_still_there_*` test: a moto upgrade that fixes one fails it, and the
patch gets deleted) and that the patched behaviour works. `apply()` is idempotent and keeps every
original in ORIGINALS; engine time is `clock.CLOCK`'s, whatever its mode.

Upstreamable moto bugs (moto differs from AWS, or is wrong; each reproduced by the test named):
- SendTaskFailure drops `cause`                                       -> passed through
    test_gap_still_there_send_task_failure_drops_the_cause
- SendTaskSuccess/Failure with a token already answered is accepted again; AWS answers
  TaskTimedOut ("the task does not exist anymore")                   -> TaskTimedOut
    test_gap_still_there_a_spent_task_token_is_accepted_again
- StopExecution leaves a task blocked on its callback until it times out -> callbacks released
    test_gap_still_there_stop_execution_leaves_the_callback_waiting
- ... and once released, the stopped execution ends FAILED, not ABORTED -> a stop is final
    test_gap_still_there_stopped_execution_parked_on_a_callback_ends_failed
- SendTask* raise AttributeError while any execution's worker thread is still starting, and
  StopExecution while the stopped one is                              -> starting ones skipped;
                                                                         StopExecution retried briefly
    test_gap_still_there_calls_right_after_start_execution_raise_attribute_error,
    test_gap_still_there_token_search_trips_over_a_starting_execution
- the retry backoff is a plain time.sleep that StopExecution cannot interrupt -> interruptible
    test_gap_still_there_retry_interval_is_unscaled_and_uninterruptible
- DynamoDB item writes are applied attribute by attribute and reads hand back live items: a
  concurrent read sees half an update (a session "awaiting_date" with no offered dates yet)
                                                                      -> item operations serialised,
                                                                         results snapshotted
    test_gap_still_there_get_item_reads_half_an_update

Local-runtime-only needs (time control and the engine's cost; AWS has neither problem). CPU per
booking below: sequential bookings on the embedded stack, with and without the fix, alternated in one
process:
- no time control: Wait states, retry backoff, task timeouts, heartbeats and callback timeouts all run
  on the wall clock                                                   -> every one of them runs on
  clock.CLOCK: scaled for demos (Wait states and backoff only), manual for tests (nothing elapses
  until the test advances it). A scaled Wait is fractional, which moto's int()-truncating wait loop
  never finishes: one wait instead.
    test_gap_still_there_wait_rewaits_forever_on_fractional_seconds,
    test_gap_still_there_task_timeouts_run_on_the_wall_clock
- a new boto3 client for every task: 180 ms of CPU per booking instead of 106 -> cached per
                                                                         service and endpoint
    test_gap_still_there_new_boto_client_every_call
- the ASL is parsed again (pure-Python ANTLR) for every execution: 419 ms of CPU per booking
  instead of 115                                                      -> parsed once per definition
  (safe because evaluation state lives in each execution's Environment, keyed by each component's
  lazily made heap_key, which is now made under a lock; definitions with Map or Parallel states,
  whose components keep worker state, are still parsed per execution)
    test_gap_still_there_every_execution_parses_the_definition_again,
    test_gap_still_there_heap_key_is_made_lazily_without_a_lock
- every JSONPath (Parameters, InputPath, ResultPath, Choice variables, intrinsic arguments) is
  parsed again by jsonpath_ng (a fresh PLY parser each time) at every evaluation: 53 parses and
  185-205 ms of CPU per booking instead of 123-134                    -> parsed once per expression
  (the parsed expressions are immutable: find/update_or_create keep no state on them)
    test_gap_still_there_jsonpath_is_parsed_at_every_evaluation

Removed, serving no product or test need:
- a uuid name for StartExecution without one: every start names its execution (the bridge
  deterministically, tooling/examples and the tests explicitly);
- pruning finished threads from moto's TMP_THREADS: an append-only list nothing reads; 8 dead threads
  (~17 KB) per booking, next to the ~145 KB per booking moto keeps anyway (executions, histories);
- a lock-free account backend lookup (BackendDict.__getitem__ without moto's global lock): 40 and 100
  concurrent bookings with and without it cost the same CPU per booking (141-162 ms) and wall time.
"""

from __future__ import annotations

import copy
import functools
import os
import threading
import time
import types
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.stepfunctions import responses as sfn_responses
from moto.stepfunctions.exceptions import AWSError
from moto.stepfunctions.parser import models as parser_models
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk,
    state_task_service_dynamodb,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
from moto.stepfunctions.parser.asl.eval.callback import callback
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackOutcomeFailure, CallbackPoolManager
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import boto_client, json_path
from moto.stepfunctions.parser.backend import execution as parser_execution
from moto.stepfunctions.parser.backend import execution_worker

from scheduling_tooling.local.clock import CLOCK, RETRY, WAIT, ClockEvent

ORIGINALS: dict[str, Callable[..., Any]] = {}
_applied = threading.Lock()
_installed: list[bool] = []
_STARTUP_GRACE_SECONDS = 10.0


def apply() -> None:
    """Install every fix (once per process)."""
    with _applied:
        if _installed:
            return
        _patch(sfn_responses.StepFunctionResponse, "send_task_failure", _send_task_failure_response)
        _patch(parser_execution.Execution, "stop", _stop_releases_callbacks)
        _patch(parser_models.StepFunctionsParserBackend, "_get_executions", _started_executions)
        _patch(
            parser_models.StepFunctionsParserBackend, "stop_execution", _retry_startup_race("stop_execution")
        )
        _patch(wait_function.WaitFunction, "_wait_interval", _clock_wait_interval)
        _patch(retrier_decl.RetrierDecl, "_eval_body", _clock_retrier_eval_body)
        # Task timeouts, heartbeats and callback waits: the events they wait on keep engine time.
        _patch(callback, "Event", ClockEvent)
        _patch(execute_state, "threading", types.SimpleNamespace(Event=ClockEvent))
        _patch(execution_worker.ExecutionWorker, "_get_evaluation_entrypoint", _parsed_once)
        _patch(Environment, "set_error", _stop_is_final)
        _patch(CallbackPoolManager, "notify", _answer_once)
        _patch(EvalComponent, "heap_key", property(_locked_heap_key))
        for module in _JSONPATH_PARSERS:  # json_path: jsonpath_ng.ext's parser; result_path: the plain one
            _patch(module, "parse", functools.partial(_parsed_jsonpath, module.__name__))
        for name in _DYNAMODB_ITEM_OPERATIONS:
            _patch(DynamoDBBackend, name, _serialised(name))
        for module in (lambda_eval_utils, state_task_service_aws_sdk, state_task_service_dynamodb):
            _patch(module, "boto_client_for", _cached_boto_client_for)
        _installed.append(True)  # only once every patch is in


def _patch(owner: Any, name: str, replacement: Callable[..., Any]) -> None:
    key = f"{getattr(owner, '__name__', owner)}.{name}"
    ORIGINALS[key] = getattr(owner, name)
    setattr(owner, name, replacement)


def original(owner: Any, name: str) -> Callable[..., Any]:
    return ORIGINALS[f"{getattr(owner, '__name__', owner)}.{name}"]


# --- cause, stop, start-up race -------------------------------------------------------------------


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
            # moto refuses "States.*" names from a callback; the program is stopped, so none sees this one.
            failure = CallbackOutcomeFailure(callback_id=callback_id, error="Local.Stopped", cause="stopped")
            endpoint.notify(failure)


def _started_executions(self: Any, execution_status: Any = None) -> list[Any]:
    # SendTask* walk every running execution looking for the token's owner; one that is still
    # starting (worker env not built yet) cannot own it, and would raise AttributeError.
    executions = original(parser_models.StepFunctionsParserBackend, "_get_executions")(self, execution_status)
    return [e for e in executions if getattr(getattr(e, "exec_worker", None), "env", None) is not None]


class TaskTimedOut(AWSError):
    """AWS's answer to a spent task token (moto has none that its response layer can send)."""

    TYPE = "TaskTimedOut"
    STATUS = 400


def _answer_once(self: Any, callback_id: str, outcome: Any) -> bool:
    endpoint = self.get(callback_id)
    if endpoint is not None and endpoint.get_outcome() is not None:
        # Raised here: the backend's own mapping to TaskTimedOut omits the message and fails.
        raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
    return original(CallbackPoolManager, "notify")(self, callback_id, outcome)  # type: ignore[no-any-return]


def _stop_is_final(self: Any, error: Any) -> None:
    with self._state_mutex:  # re-entrant: the original takes it too
        if isinstance(self._program_state, ProgramStopped):
            return  # the task failed because we released its callback on stop: stay ABORTED
        original(Environment, "set_error")(self, error)


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


def _clock_wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
    # One wait: the original re-waits on int() truncation, which never ends for fractional seconds.
    CLOCK.sleep(wait_seconds, WAIT, env.program_state_event, env.is_running)


def _clock_retrier_eval_body(self: Any, env: Any) -> None:
    # The original's logic, with its time.sleep on the engine clock and interruptible by StopExecution.
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
    CLOCK.sleep(interval_seconds, RETRY, env.program_state_event, env.is_running)
    env.stack.append(retrier_decl.RetrierOutcome.Executed)


# --- caches -------------------------------------------------------------------------------------


_DYNAMODB_ITEM_OPERATIONS = (
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "transact_write_items",
    "transact_get_items",
    "batch_get_item",
    "batch_write_item",
)
_dynamodb_lock = threading.RLock()


def _serialised(name: str) -> Callable[..., Any]:
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        # DynamoDB applies an item write atomically; moto does not, and hands back live items that
        # its response layer reads after the call: so run under one lock and return a snapshot.
        with _dynamodb_lock:
            return copy.deepcopy(original(DynamoDBBackend, name)(self, *args, **kwargs))

    return call


_heap_key_lock = threading.Lock()


def _locked_heap_key(self: Any) -> str:
    # Shared parsed programs: two executions must not both mint a component's heap key.
    with _heap_key_lock:
        return ORIGINALS["EvalComponent.heap_key"].fget(self)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=16)
def _parse(definition: str) -> Any:
    return AmazonStateLanguageParser.parse(definition)[0]


def _parsed_once(self: Any) -> Any:
    definition = self._evaluation_details.state_machine_details.definition
    if '"Map"' in definition or '"Parallel"' in definition:
        return original(execution_worker.ExecutionWorker, "_get_evaluation_entrypoint")(self)
    return _parse(definition)


_JSONPATH_PARSERS = (json_path, result_path)


@functools.lru_cache(maxsize=4096)
def _parsed_jsonpath(module: str, path: str) -> Any:
    # Keyed by module too: the two modules use different jsonpath_ng parsers (ext and plain). The
    # expressions come from state machine definitions, so the set is small and fixed; moto builds a
    # whole PLY parser for each parse. A miss calls the original through ORIGINALS (tests count them).
    return ORIGINALS[f"{module}.parse"](path)


@functools.lru_cache(maxsize=64)
def _client(region: str, service: str, endpoint: str | None) -> Any:
    return ORIGINALS["moto.stepfunctions.parser.asl.utils.boto_client.boto_client_for"](region, service)


def _cached_boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    # boto3 clients are thread-safe; the endpoint override (AWS_ENDPOINT_URL_<SERVICE>) is part of the key.
    return _client(region, service, os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}"))


ORIGINALS["moto.stepfunctions.parser.asl.utils.boto_client.boto_client_for"] = boto_client.boto_client_for
