"""Every fix in scheduling_tooling.local.moto_fixes, checked both ways.

For each gap: (a) with the fix applied the engine behaves as AWS does, and (b) with moto's original code
put back (monkeypatch + `moto_fixes.original`) the gap is still there. (b) failing means a moto upgrade
fixed the gap: delete that patch from moto_fixes.py, then this pair of tests.

Gaps: 1 SendTaskFailure cause, 2 StopExecution on a parked callback (and a stop staying final), 3 the
start-up race, 4 time control (Wait, retry, timeout, heartbeat), 5 boto3 client cache, 6 parsing the ASL
once per definition, 7 DynamoDB item operations serialised, 8 heap keys made under a lock, 9 a task
token answers once, 10 JSONPath parsed once per expression.
moto_fixes.py's docstring says which are upstreamable moto bugs and which are local-runtime needs.

The scenarios use tiny inline state machines on moto's engine (no Lambda, no EmbeddedStack): Pass/Wait
states, aws-sdk DynamoDB tasks, and `putItem.waitForTaskToken` callback tasks that park on their token.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.parsing.executors import SetExecutor
from moto.stepfunctions.parser import utils as parser_utils
from moto.stepfunctions.parser.api import InvalidToken
from moto.stepfunctions.parser.asl.component import eval_component
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk,
    state_task_service_dynamodb,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.seconds import Seconds
from moto.stepfunctions.parser.asl.eval.callback import callback
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackOutcomeFailure, CallbackPoolManager
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.backend import execution as parser_execution
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend, stepfunctions_parser_backends
from moto.stepfunctions.responses import StepFunctionResponse

from scheduling_tooling.local import moto_fixes
from scheduling_tooling.local.clock import CLOCK, RETRY, TIMEOUT, WAIT, EngineClock

REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/moto-fixes-tests"
TABLE = "moto-fixes-parking"
FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
# An upper bound on waiting for something that will happen (a busy machine is slow, never wrong);
# no test here asserts how long anything took.
WITHIN = 30.0


# --- harness ------------------------------------------------------------------------------------


@dataclass
class Engine:
    """moto's Step Functions engine (with every fix applied) plus DynamoDB, inside one mock_aws."""

    sfn: Any
    ddb: Any
    threads_before: set[threading.Thread]  # held, not their ids: an id can be reused once pruned

    @property
    def backend(self) -> StepFunctionsParserBackend:
        return stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][REGION]

    def create(self, definition: dict[str, Any]) -> str:
        return self.sfn.create_state_machine(
            name=f"sm-{uuid.uuid4().hex[:12]}", definition=json.dumps(definition), roleArn=ROLE_ARN
        )["stateMachineArn"]

    def start(self, machine_arn: str, name: str | None = None) -> str:
        # Named, as every caller in the project names its executions (moto's unnamed ARN ends ":None").
        name = name or uuid.uuid4().hex
        return self.sfn.start_execution(stateMachineArn=machine_arn, name=name)["executionArn"]

    def finish(self, execution_arn: str, within: float = WITHIN) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while True:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] in FINISHED or time.monotonic() > deadline:
                return described
            time.sleep(0.01)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        return self.sfn.get_execution_history(executionArn=execution_arn)["events"]

    def wait_for_event(self, execution_arn: str, event_type: str, within: float = WITHIN) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for event in self.history(execution_arn):
                if event["type"] == event_type:
                    return event
            time.sleep(0.01)
        raise AssertionError(f"no {event_type} event in {execution_arn} within {within}s")

    def create_parking_table(self) -> None:
        self.ddb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        )

    def parked_token(self, execution_name: str, within: float = WITHIN) -> str:
        """The task token a parked callback task wrote into the parking table."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            item = self.ddb.get_item(TableName=TABLE, Key={"pk": {"S": execution_name}}).get("Item")
            if item:
                return str(item["token"]["S"])
            time.sleep(0.01)
        raise AssertionError(f"execution {execution_name} never parked on its callback")

    def new_live_threads(self) -> list[threading.Thread]:
        return [t for t in parser_utils.TMP_THREADS if t.is_alive() and t not in self.threads_before]

    def release_everything(self) -> None:
        """Teardown: unblock every worker this test started, whatever code is patched in."""
        deadline = time.monotonic() + WITHIN
        for machine in self.backend.state_machines:
            for execution in machine.executions:
                env = getattr(execution.exec_worker, "env", None)
                while env is None and time.monotonic() < deadline:  # a worker may still be starting
                    time.sleep(0.01)
                    env = getattr(execution.exec_worker, "env", None)
                if env is None:
                    continue
                for callback_id, endpoint in list(env.callback_pool_manager._pool.items()):
                    if endpoint.get_outcome() is None:
                        endpoint.notify(CallbackOutcomeFailure(callback_id, "Test.Teardown", "teardown"))
                env.set_stop(stop_date=datetime.now(tz=UTC), cause="teardown", error="Test.Teardown")


@pytest.fixture
def engine() -> Iterator[Engine]:
    moto_fixes.apply()
    CLOCK.run_scaled(1.0)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        harness = Engine(
            sfn=boto3.client("stepfunctions", region_name=REGION),
            ddb=boto3.client("dynamodb", region_name=REGION),
            threads_before=set(parser_utils.TMP_THREADS),
        )
        try:
            yield harness
        finally:
            harness.release_everything()
            for thread in harness.new_live_threads():
                thread.join(timeout=5)
            CLOCK.run_scaled(1.0)


@pytest.fixture
def scale() -> Iterator[Callable[[float], None]]:
    """Run the engine clock scaled for one test; always back to real time afterwards."""
    yield CLOCK.run_scaled
    CLOCK.run_scaled(1.0)


@pytest.fixture
def manual() -> Iterator[EngineClock]:
    """Run the engine clock manually for one test (retries too): nothing elapses until advance()."""
    CLOCK.run_manual(instant=())
    yield CLOCK
    CLOCK.run_scaled(1.0)


def put_back(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
    """Temporarily restore moto's unpatched code for owner.name."""
    monkeypatch.setattr(owner, name, moto_fixes.original(owner, name))


def pass_machine() -> dict[str, Any]:
    return {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


def wait_machine(seconds: int) -> dict[str, Any]:
    return {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": seconds, "End": True}}}


def callback_machine(timeout_seconds: int = 3600, heartbeat_seconds: int | None = None) -> dict[str, Any]:
    """One task that writes its token to the parking table and then waits for SendTask*."""
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken",
        "Parameters": {
            "TableName": TABLE,
            "Item": {"pk": {"S.$": "$$.Execution.Name"}, "token": {"S.$": "$$.Task.Token"}},
        },
        "TimeoutSeconds": timeout_seconds,
        "End": True,
    }
    if heartbeat_seconds is not None:
        task["HeartbeatSeconds"] = heartbeat_seconds
    return {"StartAt": "Park", "States": {"Park": task}}


def missing_table_task(retry: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An aws-sdk getItem on a table that does not exist: fails every time, with the given Retry."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
        "Parameters": {"TableName": "no-such-table", "Key": {"pk": {"S": "x"}}},
        "Retry": [{"ErrorEquals": ["DynamoDb.ResourceNotFoundException"], **retry}],
        **extra,
    }


# --- 1. SendTaskFailure cause --------------------------------------------------------------------


def _fail_parked_task(engine: Engine) -> list[dict[str, Any]]:
    engine.create_parking_table()
    machine = engine.create(callback_machine())
    execution_arn = engine.start(machine, name="cause")
    token = engine.parked_token("cause")
    engine.sfn.send_task_failure(taskToken=token, error="Custom.Err", cause="the cause text")
    assert engine.finish(execution_arn)["status"] == "FAILED"
    return engine.history(execution_arn)


def test_send_task_failure_keeps_the_cause(engine: Engine) -> None:
    # Given an execution parked on a callback task
    # When the task is failed with an error and a cause
    events = _fail_parked_task(engine)
    # Then both reach the TaskFailed event and the execution's failure
    (task_failed,) = [e["taskFailedEventDetails"] for e in events if e["type"] == "TaskFailed"]
    assert (task_failed["error"], task_failed["cause"]) == ("Custom.Err", "the cause text")
    (execution_failed,) = [e["executionFailedEventDetails"] for e in events if e["type"] == "ExecutionFailed"]
    assert (execution_failed["error"], execution_failed["cause"]) == ("Custom.Err", "the cause text")


def test_gap_still_there_send_task_failure_drops_the_cause(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given moto's original SendTaskFailure handler
    put_back(monkeypatch, StepFunctionResponse, "send_task_failure")
    # When a parked task is failed with an error and a cause
    events = _fail_parked_task(engine)
    # Then the error arrives but the cause is lost
    (task_failed,) = [e["taskFailedEventDetails"] for e in events if e["type"] == "TaskFailed"]
    assert task_failed["error"] == "Custom.Err"
    assert "cause" not in task_failed


# --- 2. StopExecution releases a parked callback -------------------------------------------------


def _waits_for_callback(thread: threading.Thread) -> bool:
    # ExecuteState runs a waitForTaskToken task on its own thread, which blocks on the callback endpoint.
    return "_exec_and_notify" in thread.name


def _park_and_stop(engine: Engine) -> tuple[str, list[threading.Thread]]:
    engine.create_parking_table()
    machine = engine.create(callback_machine(timeout_seconds=3600))
    execution_arn = engine.start(machine, name="parked")
    engine.parked_token("parked")
    workers = engine.new_live_threads()
    assert any(_waits_for_callback(t) for t in workers)
    engine.sfn.stop_execution(executionArn=execution_arn)
    return execution_arn, workers


def test_stop_execution_releases_a_parked_callback(engine: Engine, scale: Callable[[float], None]) -> None:
    # Given an execution parked on a callback task with a one-hour timeout, in real time
    scale(1.0)
    # When it is stopped
    execution_arn, workers = _park_and_stop(engine)
    # Then every worker thread ends promptly and the execution is aborted
    deadline = time.monotonic() + WITHIN
    for thread in workers:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert [t.name for t in workers if t.is_alive()] == []
    assert engine.finish(execution_arn)["status"] != "RUNNING"


def test_stopped_execution_parked_on_a_callback_is_aborted(
    engine: Engine, scale: Callable[[float], None]
) -> None:
    # Given an execution parked on a callback task, in real time
    scale(1.0)
    # When it is stopped
    execution_arn, _ = _park_and_stop(engine)
    # Then it ends ABORTED, as on AWS, and its history says so
    described = engine.finish(execution_arn)
    events = [e["type"] for e in engine.history(execution_arn)]
    assert (described["status"], events[-1]) == ("ABORTED", "ExecutionAborted")
    assert "ExecutionFailed" not in events


def test_gap_still_there_stopped_execution_parked_on_a_callback_ends_failed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, scale: Callable[[float], None]
) -> None:
    # Given moto's original Environment.set_error, with the callback-release fix still in place
    put_back(monkeypatch, Environment, "set_error")
    scale(1.0)
    # When an execution parked on a callback task is stopped
    execution_arn, _ = _park_and_stop(engine)
    # Then the released callback's failure overwrites the stop: the execution ends FAILED, not ABORTED
    described = engine.finish(execution_arn)
    events = [e["type"] for e in engine.history(execution_arn)]
    assert (described["status"], events[-1]) == ("FAILED", "ExecutionFailed")
    assert described.get("error") == "Local.Stopped"


def test_gap_still_there_stop_execution_leaves_the_callback_waiting(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, scale: Callable[[float], None]
) -> None:
    # Given moto's original Execution.stop
    put_back(monkeypatch, parser_execution.Execution, "stop")
    scale(1.0)
    # When an execution parked on a callback task (one-hour timeout) is stopped
    _, workers = _park_and_stop(engine)
    time.sleep(1.0)
    # Then the thread waiting for the token is still blocked a second later (until the engine's teardown)
    assert [t.name for t in workers if t.is_alive() and _waits_for_callback(t)] != []


# --- 3. SendTask*/StopExecution right after StartExecution ---------------------------------------


@dataclass
class HeldStart:
    """Holds the worker thread of executions named `racing`/`starting` before it builds its
    environment, until `go()`: the start-up race is then certain, not down to thread scheduling."""

    gate: threading.Event = field(default_factory=threading.Event)

    def go(self) -> None:
        self.gate.set()


@pytest.fixture
def held_start(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldStart]:
    # Depends on `engine` so the held workers are let go before the engine's teardown waits for them.
    held = HeldStart()
    execution_logic = ExecutionWorker._execution_logic

    def late_execution_logic(self: ExecutionWorker) -> None:
        if self._evaluation_details.execution_details.name in ("racing", "starting"):
            held.gate.wait(timeout=WITHIN)
        execution_logic(self)

    monkeypatch.setattr(ExecutionWorker, "_execution_logic", late_execution_logic)
    yield held
    held.go()


def _stop_while_starting(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, held: HeldStart, execution_arn: str
) -> None:
    """StopExecution that meets the starting worker at least once, then lets the worker start."""
    met_the_race = threading.Event()
    stop = moto_fixes.original(StepFunctionsParserBackend, "stop_execution")

    def watched(backend: StepFunctionsParserBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return stop(backend, *args, **kwargs)
        except AttributeError:
            met_the_race.set()
            raise

    monkeypatch.setitem(moto_fixes.ORIGINALS, "StepFunctionsParserBackend.stop_execution", watched)
    stopper = threading.Thread(target=engine.backend.stop_execution, args=(execution_arn,), daemon=True)
    stopper.start()
    assert met_the_race.wait(WITHIN), "the stop never met the starting worker"
    held.go()
    stopper.join(WITHIN)


# method -> (a call that races the worker's start-up, the backend attribute the fix patches for it)
RACING_CALLS: dict[str, tuple[Callable[[StepFunctionsParserBackend, str], Any], str]] = {
    "send_task_success": (
        lambda backend, _: backend.send_task_success("no-such-token", "{}"),
        "_get_executions",
    ),
    "send_task_failure": (
        lambda backend, _: backend.send_task_failure("no-such-token", "E", "C"),
        "_get_executions",
    ),
    "send_task_heartbeat": (
        lambda backend, _: backend.send_task_heartbeat("no-such-token"),
        "_get_executions",
    ),
    "stop_execution": (
        lambda backend, execution_arn: backend.stop_execution(execution_arn),
        "stop_execution",
    ),
}


@pytest.mark.parametrize("method", sorted(RACING_CALLS))
def test_calls_right_after_start_execution_do_not_trip_over_the_starting_worker(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, held_start: HeldStart, method: str
) -> None:
    # Given an execution whose worker thread has not built its environment yet
    execution_arn = engine.start(engine.create(wait_machine(3600)), name="racing")
    assert engine.backend.describe_execution(execution_arn).exec_worker.env is None
    # When SendTask*/StopExecution is called straight away
    call, _ = RACING_CALLS[method]
    if method == "stop_execution":
        _stop_while_starting(engine, monkeypatch, held_start, execution_arn)
        # Then the stop lands once the worker is up
        assert engine.finish(execution_arn)["status"] == "ABORTED"
    else:
        # Then the call answers as AWS would for an unknown token, not with an AttributeError
        with pytest.raises(InvalidToken):
            call(engine.backend, execution_arn)


@pytest.mark.usefixtures("held_start")
@pytest.mark.parametrize("method", sorted(RACING_CALLS))
def test_gap_still_there_calls_right_after_start_execution_raise_attribute_error(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    # Given moto's original code for this call
    call, patched = RACING_CALLS[method]
    put_back(monkeypatch, StepFunctionsParserBackend, patched)
    execution_arn = engine.start(engine.create(wait_machine(3600)), name="racing")
    # When it is called before the worker thread has built its environment
    # Then it trips over ExecutionWorker.env being None
    with pytest.raises(AttributeError, match="NoneType"):
        call(engine.backend, execution_arn)


def _answer_parked_task_while_another_execution_starts(engine: Engine) -> str:
    engine.create_parking_table()
    starting_machine = engine.create(wait_machine(3600))  # listed first, so the token search meets it first
    parked_arn = engine.start(engine.create(callback_machine()), name="parked")
    token = engine.parked_token("parked")
    engine.start(starting_machine, name="starting")
    engine.backend.send_task_success(token, json.dumps({"answer": 42}))
    return parked_arn


def test_token_is_delivered_while_another_execution_is_starting(
    engine: Engine, held_start: HeldStart
) -> None:
    # Given an execution parked on its callback, and another one still starting
    # When the parked task's token is answered
    parked_arn = _answer_parked_task_while_another_execution_starts(engine)
    held_start.go()
    # Then the parked execution gets the answer
    described = engine.finish(parked_arn)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"answer": 42})


@pytest.mark.usefixtures("held_start")
def test_gap_still_there_token_search_trips_over_a_starting_execution(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given moto's original execution listing
    put_back(monkeypatch, StepFunctionsParserBackend, "_get_executions")
    # When a parked task's token is answered while another execution is starting
    # Then the token search trips over the starting one
    with pytest.raises(AttributeError, match="NoneType"):
        _answer_parked_task_while_another_execution_starts(engine)


# --- 4. time control -----------------------------------------------------------------------------


def _until(condition: Callable[[], Any], what: str) -> Any:
    """Poll for something that will happen (a worker reaching a timer); never a claim about speed."""
    deadline = time.monotonic() + WITHIN
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)
    return value


def _timer(clock: EngineClock, kind: str, seconds: float) -> None:
    _until(lambda: clock.pending(kind) == [pytest.approx(seconds)], f"a {kind} timer of {seconds} s")


def one_hour_wait_then_retries() -> dict[str, Any]:
    """A one-hour Wait, then a task failing 4 times with retries after 60, 120 and 240 s."""
    retry = {"IntervalSeconds": 60, "BackoffRate": 2, "MaxAttempts": 3}
    return {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Flaky"},
            "Flaky": missing_table_task(retry, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Done"}]),
            "Done": {"Type": "Succeed"},
        },
    }


def _failures(engine: Engine, execution_arn: str) -> list[str]:
    return [
        e["taskFailedEventDetails"]["error"]
        for e in engine.history(execution_arn)
        if "taskFailedEventDetails" in e
    ]


def test_manual_clock_moves_a_wait_and_each_retry_only_when_advanced(
    engine: Engine, manual: EngineClock
) -> None:
    # Given an execution in its one-hour Wait, on a clock that only the test moves
    execution_arn = engine.start(engine.create(one_hour_wait_then_retries()))
    _timer(manual, WAIT, 3600)
    # When the clock is advanced to one second short of the hour, Then it is still waiting
    manual.advance(3599)
    assert manual.pending(WAIT) == [pytest.approx(1)]
    assert engine.sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    # When the hour is up, Then the task runs, fails, and waits for each retry in turn
    manual.advance(1)
    for failed, interval in enumerate((60, 120, 240), start=1):
        _timer(manual, RETRY, interval)
        assert _failures(engine, execution_arn) == ["DynamoDb.ResourceNotFoundException"] * failed
        manual.advance(interval)
    # Then the last failure is caught and the execution succeeds, 4020 engine seconds later
    assert engine.finish(execution_arn)["status"] == "SUCCEEDED"
    assert _failures(engine, execution_arn) == ["DynamoDb.ResourceNotFoundException"] * 4


def test_scaled_clock_runs_a_one_hour_wait_and_retries_for_a_demo(
    engine: Engine, scale: Callable[[float], None]
) -> None:
    # Given the same machine at a ten-thousandth of real time (0.4 s of waiting in all)
    scale(0.0001)
    # When it runs, Then it finishes with every retry taken
    execution_arn = engine.start(engine.create(one_hour_wait_then_retries()))
    assert engine.finish(execution_arn)["status"] == "SUCCEEDED"
    assert _failures(engine, execution_arn) == ["DynamoDb.ResourceNotFoundException"] * 4
    assert (WAIT, 3600) in CLOCK.requested


def test_retries_are_instant_on_the_test_stacks_clock(engine: Engine) -> None:
    # Given the clock the test stacks run on: manual, with retry backoff instant
    CLOCK.run_manual()
    try:
        machine = engine.create(
            {
                "StartAt": "Flaky",
                "States": {
                    "Flaky": missing_table_task({"IntervalSeconds": 3600, "MaxAttempts": 2}, End=True)
                },
            }
        )
        # When a task fails and is retried after an hour, twice
        execution_arn = engine.start(machine)
        # Then the execution fails with its error without the test advancing anything
        assert engine.finish(execution_arn)["status"] == "FAILED"
        assert _failures(engine, execution_arn) == ["DynamoDb.ResourceNotFoundException"] * 3
        assert CLOCK.pending() == []
    finally:
        CLOCK.run_scaled(1.0)


class _FakeWaitEnv:
    """Just enough Environment for WaitFunction: a wait that really sleeps, and a guard against hangs."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.program_state_event = self

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        if len(self.waits) > 5:
            raise RecursionError("re-waited more than 5 times")
        time.sleep(timeout)
        return False

    def is_running(self) -> bool:
        return True


def test_wait_state_waits_once_for_the_scaled_time(scale: Callable[[float], None]) -> None:
    # Given a Wait of a fractional number of seconds, in real time and at half speed
    moto_fixes.apply()
    for value, expected in ((1.0, 0.05), (0.5, 0.025)):
        scale(value)
        env = _FakeWaitEnv()
        # When the wait is evaluated
        Seconds(seconds=0.05)._eval_body(env)  # type: ignore[arg-type]
        # Then it waits once, for (at most) the scaled time
        assert len(env.waits) == 1
        assert 0 < env.waits[0] <= expected
        assert CLOCK.requested[-1] == (WAIT, 0.05)


def test_gap_still_there_wait_rewaits_forever_on_fractional_seconds(
    monkeypatch: pytest.MonkeyPatch, scale: Callable[[float], None]
) -> None:
    # Given moto's original WaitFunction._wait_interval, and a time scale it knows nothing about
    moto_fixes.apply()
    put_back(monkeypatch, wait_function.WaitFunction, "_wait_interval")
    scale(0.001)
    env = _FakeWaitEnv()
    # When a 0.05 s wait has really elapsed, int() truncates it to 0 s waited: it waits again, and again
    with pytest.raises(RecursionError):
        Seconds(seconds=0.05)._eval_body(env)  # type: ignore[arg-type]
    # Then every wait was the full, unscaled time
    assert env.waits == [0.05] * 6


def _stop_during_retry_interval(engine: Engine, interval_seconds: int) -> tuple[str, list[threading.Thread]]:
    retry = {"IntervalSeconds": interval_seconds, "MaxAttempts": 1}
    machine = engine.create({"StartAt": "Flaky", "States": {"Flaky": missing_table_task(retry, End=True)}})
    execution_arn = engine.start(machine, name="retrying")
    engine.wait_for_event(execution_arn, "TaskFailed")
    workers = engine.new_live_threads()
    engine.sfn.stop_execution(executionArn=execution_arn)
    return execution_arn, workers


@pytest.mark.parametrize("mode", ["scaled", "manual"])
def test_retry_interval_is_interrupted_by_stop_execution(engine: Engine, mode: str) -> None:
    # Given a task that failed and waits an hour (real or manual) before its retry
    if mode == "manual":
        CLOCK.run_manual(instant=())
    # When the execution is stopped during that interval (or just before it begins)
    execution_arn, workers = _stop_during_retry_interval(engine, interval_seconds=3600)
    # Then its threads end and the execution is aborted
    deadline = time.monotonic() + WITHIN
    for thread in workers:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert [t.name for t in workers if t.is_alive()] == []
    assert engine.finish(execution_arn)["status"] == "ABORTED"
    assert CLOCK.pending() == []


def test_gap_still_there_retry_interval_is_unscaled_and_uninterruptible(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, scale: Callable[[float], None]
) -> None:
    # Given moto's original retrier, at a clock scale of 0.001 (a 5 s interval should take 5 ms)
    put_back(monkeypatch, retrier_decl.RetrierDecl, "_eval_body")
    scale(0.001)
    # When the execution is stopped during the retry interval
    _, workers = _stop_during_retry_interval(engine, interval_seconds=5)
    # Then a worker is in the retrier's time.sleep, and still there half a second on: the interval was
    # neither scaled nor cut short by the stop
    sleeping = _until(lambda: [t for t in workers if _in_retry_sleep(t)], "a worker in the retry sleep")
    time.sleep(0.5)
    assert any(_in_retry_sleep(t) for t in sleeping)
    for thread in workers:
        thread.join(timeout=WITHIN)


def _in_retry_sleep(thread: threading.Thread) -> bool:
    """The thread's innermost Python frame is the retrier's body (inside time.sleep, a C call)."""
    frame = sys._current_frames().get(thread.ident or 0)
    return frame is not None and (
        frame.f_code.co_name == "_eval_body" and frame.f_code.co_filename.endswith("retrier_decl.py")
    )


def test_task_timeout_fires_only_when_the_clock_reaches_it(engine: Engine, manual: EngineClock) -> None:
    # Given a callback task with a 500 s timeout that nobody answers, on a clock only the test moves
    engine.create_parking_table()
    execution_arn = engine.start(engine.create(callback_machine(timeout_seconds=500)), name="late")
    engine.parked_token("late")
    _until(lambda: pytest.approx(500) in manual.pending(TIMEOUT), "the task's 500 s timeout")
    # When the clock reaches one second short of it, Then the task is still waiting
    manual.advance(499)
    assert engine.sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    # When it reaches it, Then the task times out
    manual.advance(1)
    described = engine.finish(execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")


def test_heartbeat_timeout_fires_only_when_the_clock_reaches_it(engine: Engine, manual: EngineClock) -> None:
    # Given a callback task with a 200 s heartbeat (and a one-hour timeout) that never beats
    engine.create_parking_table()
    machine = engine.create(callback_machine(timeout_seconds=3600, heartbeat_seconds=200))
    execution_arn = engine.start(machine, name="silent")
    engine.parked_token("silent")
    _until(lambda: pytest.approx(200) in manual.pending(TIMEOUT), "the task's 200 s heartbeat")
    # When the clock reaches the heartbeat, Then the task times out, long before its task timeout
    # (moto reports heartbeat timeouts as States.Timeout; AWS says States.HeartbeatTimeout)
    manual.advance(200)
    described = engine.finish(execution_arn)
    assert described["status"] == "FAILED"
    assert described["error"] in {"States.Timeout", "States.HeartbeatTimeout"}


def test_timeouts_stay_in_real_time_on_a_scaled_clock(engine: Engine, scale: Callable[[float], None]) -> None:
    # Given a demo clock at a thousandth of real time, and a callback task with a 100 s timeout
    scale(0.001)
    engine.create_parking_table()
    execution_arn = engine.start(engine.create(callback_machine(timeout_seconds=100)), name="demo")
    engine.parked_token("demo")
    # When a second passes (a scaled timeout would have fired after 0.1 s)
    time.sleep(1.0)
    # Then the task is still waiting: scaling timeouts let a busy machine trip them
    assert engine.sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"


def test_gap_still_there_task_timeouts_run_on_the_wall_clock(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, manual: EngineClock
) -> None:
    # Given moto's own threading events for task timeouts and callbacks, and a manual clock
    put_back(monkeypatch, callback, "Event")
    put_back(monkeypatch, execute_state, "threading")
    engine.create_parking_table()
    # When a callback task with a 1 s timeout is never answered nor advanced
    execution_arn = engine.start(engine.create(callback_machine(timeout_seconds=1)), name="wall")
    # Then it times out anyway, on the wall clock, with no timer on the engine clock
    described = engine.finish(execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert manual.pending(TIMEOUT) == []


# --- 5. boto3 client cache -----------------------------------------------------------------------

CLIENT_MODULES = [lambda_eval_utils, state_task_service_aws_sdk, state_task_service_dynamodb]
# A region nobody else uses, so this test neither reuses nor leaves behind a client another test gets.
CACHE_REGION = "ap-southeast-4"


@pytest.mark.parametrize("module", CLIENT_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_boto_client_is_cached_per_service_and_endpoint(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, module: Any
) -> None:
    # Given no endpoint override for DynamoDB
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    # When the engine asks twice for the same client
    first = module.boto_client_for(CACHE_REGION, "dynamodb")
    # Then it gets the same object back, and a different one for another service
    assert module.boto_client_for(CACHE_REGION, "dynamodb") is first
    assert module.boto_client_for(CACHE_REGION, "stepfunctions") is not first
    # And when the endpoint override changes, it gets a client for the new endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    moved = module.boto_client_for(CACHE_REGION, "dynamodb")
    assert moved is not first
    assert moved.meta.endpoint_url == "http://127.0.0.1:9"


@pytest.mark.parametrize("module", CLIENT_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_gap_still_there_new_boto_client_every_call(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, module: Any
) -> None:
    # Given moto's original boto_client_for
    put_back(monkeypatch, module, "boto_client_for")
    # When the engine asks twice for the same client
    # Then it builds a new one each time
    assert module.boto_client_for(CACHE_REGION, "dynamodb") is not module.boto_client_for(
        CACHE_REGION, "dynamodb"
    )


# --- 6. the ASL is parsed once per definition ----------------------------------------------------


@dataclass
class ProgramRecorder:
    """Records the parsed program each execution's worker gets, from whatever code is in place."""

    monkeypatch: pytest.MonkeyPatch
    programs: list[Any] = field(default_factory=list)

    def install(self) -> None:
        entrypoint = ExecutionWorker._get_evaluation_entrypoint

        def recording(worker: ExecutionWorker) -> Any:
            program = entrypoint(worker)
            self.programs.append(program)
            return program

        self.monkeypatch.setattr(ExecutionWorker, "_get_evaluation_entrypoint", recording)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> ProgramRecorder:
    return ProgramRecorder(monkeypatch)


def _run_twice(engine: Engine, recorder: ProgramRecorder, definition: dict[str, Any]) -> list[Any]:
    recorder.install()
    machine = engine.create(definition)
    for n in range(2):
        assert engine.finish(engine.start(machine, name=f"run-{n}"))["status"] == "SUCCEEDED"
    return recorder.programs


def parallel_machine() -> dict[str, Any]:
    branch = {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "End": True}}}
    return {"StartAt": "Fork", "States": {"Fork": {"Type": "Parallel", "Branches": [branch], "End": True}}}


def test_executions_of_one_definition_share_one_parsed_program(
    engine: Engine, recorder: ProgramRecorder
) -> None:
    # Given a definition without Map or Parallel states
    # When it is executed twice
    first, second = _run_twice(engine, recorder, pass_machine())
    # Then both executions ran the same parsed program
    assert first is second


def test_definitions_with_parallel_states_are_still_parsed_per_execution(
    engine: Engine, recorder: ProgramRecorder
) -> None:
    # Given a definition with a Parallel state, whose components keep worker state
    # When it is executed twice
    first, second = _run_twice(engine, recorder, parallel_machine())
    # Then each execution got its own parsed program
    assert first is not second


def test_shared_program_keeps_concurrent_executions_apart(engine: Engine) -> None:
    # Given two executions of one definition parked on their callbacks at the same time
    engine.create_parking_table()
    machine = engine.create(callback_machine())
    arns = {name: engine.start(machine, name=name) for name in ("left", "right")}
    tokens = {name: engine.parked_token(name) for name in arns}
    # When each is answered with its own output, in reverse order
    for name in ("right", "left"):
        engine.sfn.send_task_success(taskToken=tokens[name], output=json.dumps({"who": name}))
    # Then each execution ends with its own answer
    outputs = {name: json.loads(engine.finish(arn)["output"]) for name, arn in arns.items()}
    assert outputs == {"left": {"who": "left"}, "right": {"who": "right"}}


def test_gap_still_there_every_execution_parses_the_definition_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, recorder: ProgramRecorder
) -> None:
    # Given moto's original ExecutionWorker._get_evaluation_entrypoint
    put_back(monkeypatch, ExecutionWorker, "_get_evaluation_entrypoint")
    # When a definition without Map or Parallel states is executed twice
    first, second = _run_twice(engine, recorder, pass_machine())
    # Then each execution parsed it anew
    assert first is not second


# --- 7. DynamoDB item operations are serialised --------------------------------------------------

PAIR = {"pk": {"S": "pair"}}
# A GetItem that is not blocked answers in milliseconds; this bound only has to beat a busy machine.
PROBE_SECONDS = 3.0


@dataclass
class ProbedUpdate:
    """A GetItem started in the middle of an UpdateExpression, right after its first SET was applied."""

    waited: list[bool] = field(default_factory=list)  # still waiting PROBE_SECONDS later?
    seen: dict[str, str] = field(default_factory=dict)  # the a and b it finally read
    probes: list[threading.Thread] = field(default_factory=list)


def _read_in_the_middle_of_an_update(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> ProbedUpdate:
    engine.create_parking_table()
    engine.ddb.put_item(TableName=TABLE, Item={**PAIR, "a": {"N": "0"}, "b": {"N": "0"}})
    probe = ProbedUpdate()
    execute = SetExecutor.execute

    def read() -> None:
        item = engine.ddb.get_item(TableName=TABLE, Key=PAIR)["Item"]
        probe.seen.update({name: item[name]["N"] for name in ("a", "b")})

    def set_then_read(self: SetExecutor, item: Any) -> None:
        execute(self, item)
        if not probe.probes:  # one of the two SETs is applied, the other is not yet
            reader = threading.Thread(target=read, name="probe-get-item", daemon=True)
            probe.probes.append(reader)
            reader.start()
            reader.join(timeout=PROBE_SECONDS)
            probe.waited.append(reader.is_alive())

    monkeypatch.setattr(SetExecutor, "execute", set_then_read)
    engine.ddb.update_item(
        TableName=TABLE,
        Key=PAIR,
        UpdateExpression="SET a = :v, b = :v",
        ExpressionAttributeValues={":v": {"N": "1"}},
    )
    for reader in probe.probes:
        reader.join(timeout=5)
    assert len(probe.waited) == 1, "the update should have applied its SETs one by one"
    return probe


def test_get_item_waits_for_an_update_in_progress(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an item with a = b = 0
    # When a GetItem arrives while `SET a = :v, b = :v` (v = 1) has applied only its first SET
    probe = _read_in_the_middle_of_an_update(engine, monkeypatch)
    # Then the read waits for the whole update, and sees both attributes updated, as on AWS
    assert probe.waited == [True]
    assert probe.seen == {"a": "1", "b": "1"}


def test_gap_still_there_get_item_reads_half_an_update(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given moto's original UpdateItem and GetItem
    put_back(monkeypatch, DynamoDBBackend, "update_item")
    put_back(monkeypatch, DynamoDBBackend, "get_item")
    # When a GetItem arrives while `SET a = :v, b = :v` (v = 1) has applied only its first SET
    probe = _read_in_the_middle_of_an_update(engine, monkeypatch)
    # Then the read does not wait, and sees one attribute updated and the other not
    assert probe.waited == [False]
    assert sorted(probe.seen.values()) == ["0", "1"]


SPREAD = [f"a{n:02d}" for n in range(20)]  # every update sets all of them to one new value


@dataclass
class ReadsDuringUpdates:
    reads: int = 0
    writes: int = 0
    torn: list[list[int]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def _read_while_updating(engine: Engine, updates: int, readers: int = 4) -> ReadsDuringUpdates:
    """One thread sets every SPREAD attribute to 1, 2, 3... in `updates` single UpdateItems while
    `readers` threads GetItem them and check they agree, until the writer is done or a read is torn.
    Bounded by work, not time: a busy machine takes longer over the same interleavings.

    The reads project the attributes, so moto copies the item inside its get_item. A plain GetItem gets
    moto's live item back and serialises it after get_item has returned, outside the serialisation lock:
    that copy is not covered by the fix (and can itself be torn), so it would not test the fix.
    """
    engine.create_parking_table()
    key = {"pk": {"S": "spread"}}
    engine.ddb.put_item(TableName=TABLE, Item={**key, **{name: {"N": "0"} for name in SPREAD}})
    result = ReadsDuringUpdates()
    stop = threading.Event()

    def update() -> None:
        while not stop.is_set() and result.writes < updates:
            engine.ddb.update_item(
                TableName=TABLE,
                Key=key,
                UpdateExpression="SET " + ", ".join(f"{name} = :v" for name in SPREAD),
                ExpressionAttributeValues={":v": {"N": str(result.writes + 1)}},
            )
            result.writes += 1
        stop.set()

    def read() -> None:
        while not stop.is_set():
            item = engine.ddb.get_item(TableName=TABLE, Key=key, ProjectionExpression=", ".join(SPREAD))
            values = [int(item["Item"][name]["N"]) for name in SPREAD]
            result.reads += 1  # not atomic across readers; only a rough count is needed
            if len(set(values)) > 1:
                result.torn.append(values)
                stop.set()

    def guarded(body: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                body()
            except BaseException as error:  # reported by the test, not lost in a thread
                result.errors.append(error)
                stop.set()

        return run

    threads = [threading.Thread(target=guarded(update), name="spread-writer", daemon=True)]
    threads += [
        threading.Thread(target=guarded(read), name=f"spread-reader-{n}", daemon=True) for n in range(readers)
    ]
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)  # hand the GIL over more often: more interleavings to catch
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        stop.set()
        sys.setswitchinterval(switch_interval)
    assert result.errors == []
    return result


def test_reads_never_see_half_an_update_under_concurrent_updates(engine: Engine) -> None:
    # Given one thread updating 20 attributes to a new common value 100 times
    # When four threads read the item concurrently all the while
    result = _read_while_updating(engine, updates=100)
    # Then every read saw the 20 attributes agree (the same workload tears within a few dozen updates
    # without the fix; the deterministic pair above proves the gap)
    assert result.torn == []
    assert result.writes == 100
    assert result.reads > 0


# --- 8. heap keys are made under a lock ---------------------------------------------------------


class _Component(eval_component.EvalComponent):
    """A bare EvalComponent: nothing touched its heap_key yet."""

    def _eval_body(self, env: Any) -> None:
        return None


def _first_touch_from_many_threads(
    monkeypatch: pytest.MonkeyPatch, threads: int = 16
) -> tuple[set[str], int]:
    """Read one fresh component's heap_key from many threads at once.

    The first thread to mint a key waits (up to a second) for a second one to start minting too: without
    the lock one does, and the race the lock closes is then certain rather than down to scheduling;
    with the lock none can, and the wait just runs out.
    Returns the keys the threads got and how many keys were minted.
    """
    real_long_uid = eval_component.long_uid
    minted: list[str] = []
    entered: list[int] = []
    second_minter = threading.Event()

    def slow_long_uid() -> str:
        entered.append(1)
        if len(entered) >= 2:
            second_minter.set()
        second_minter.wait(timeout=1.0)
        minted.append(real_long_uid())
        return minted[-1]

    monkeypatch.setattr(eval_component, "long_uid", slow_long_uid)
    component = _Component()
    start = threading.Barrier(threads, timeout=WITHIN)
    keys: list[str] = []

    def touch() -> None:
        start.wait()
        keys.append(component.heap_key)

    workers = [threading.Thread(target=touch, name=f"heap-key-{n}", daemon=True) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=WITHIN)
    assert len(keys) == threads, "some thread never got a heap key"
    return set(keys), len(minted)


def test_a_shared_component_gets_one_heap_key_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a component of a shared parsed program that no execution has evaluated yet
    moto_fixes.apply()
    # When 16 executions' threads first read its heap_key at the same moment
    keys, minted = _first_touch_from_many_threads(monkeypatch)
    # Then one key is made and all of them get it
    assert (len(keys), minted) == (1, 1)


def test_gap_still_there_heap_key_is_made_lazily_without_a_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given moto's original heap_key property
    moto_fixes.apply()
    put_back(monkeypatch, eval_component.EvalComponent, "heap_key")
    # When 16 threads first read a fresh component's heap_key at the same moment
    keys, minted = _first_touch_from_many_threads(monkeypatch)
    # Then each thread makes its own key: the threads disagree on where the component's state lives
    assert minted > 1
    assert len(keys) > 1


# --- 9. a task token answers once ---------------------------------------------------------------------


def _answer_twice(engine: Engine) -> Any:
    # a callback task, then a long Wait: the execution is still RUNNING when the token comes again
    engine.create_parking_table()
    definition = callback_machine()
    task = definition["States"][definition["StartAt"]]
    task.pop("End")
    task["Next"] = "Nap"
    definition["States"]["Nap"] = {"Type": "Wait", "Seconds": 3600, "End": True}
    execution_arn = engine.start(engine.create(definition), name="answered-twice")
    token = engine.parked_token("answered-twice")
    engine.sfn.send_task_success(taskToken=token, output="{}")
    engine.wait_for_event(execution_arn, "WaitStateEntered")
    return lambda: engine.sfn.send_task_success(taskToken=token, output="{}")


def test_a_spent_task_token_is_refused_as_timed_out(engine: Engine) -> None:
    # Given a callback task already answered
    again = _answer_twice(engine)
    # When the same token is sent again, Then it is refused as AWS does
    with pytest.raises(engine.sfn.exceptions.TaskTimedOut):
        again()


def test_gap_still_there_a_spent_task_token_is_accepted_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_back(monkeypatch, CallbackPoolManager, "notify")
    again = _answer_twice(engine)
    again()  # moto's original takes it silently: nothing is raised


# --- 10. JSONPath expressions are parsed once ------------------------------------------------------

# moto parses a JSONPath in two places: utils.json_path (jsonpath_ng.ext: Parameters, InputPath, Choice
# variables, intrinsic arguments) and ResultPath (plain jsonpath_ng).
JSONPATH_MODULES = [json_path, result_path]


def jsonpath_machine(tag: str) -> dict[str, Any]:
    """Writes through a ResultPath, then reads through a Parameters path, then writes again; `tag` makes
    the paths ones no other test evaluated, so no parse cache has seen them."""
    return {
        "StartAt": "Seed",
        "States": {
            "Seed": {"Type": "Pass", "Result": {"value": 7}, "ResultPath": f"$.seed_{tag}", "Next": "Copy"},
            "Copy": {
                "Type": "Pass",
                "Parameters": {"copied.$": f"$.seed_{tag}.value"},
                "ResultPath": f"$.copy_{tag}",
                "End": True,
            },
        },
    }


def _counting(
    calls: Counter[tuple[str, str]], module: Any, parse: Callable[[str], Any]
) -> Callable[[str], Any]:
    def counted(path: str) -> Any:
        calls[(module.__name__, path)] += 1
        return parse(path)

    return counted


def _parses_over_two_executions(engine: Engine, calls: Counter[tuple[str, str]]) -> list[int]:
    """Run jsonpath_machine twice; how often each of its three paths was parsed, and check the outputs."""
    tag = uuid.uuid4().hex[:12]
    machine = engine.create(jsonpath_machine(tag))
    for n in range(2):
        described = engine.finish(engine.start(machine, name=f"paths-{n}"))
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {f"seed_{tag}": {"value": 7}, f"copy_{tag}": {"copied": 7}}
    paths = [
        (json_path, f"$.seed_{tag}.value"),
        (result_path, f"$.seed_{tag}"),
        (result_path, f"$.copy_{tag}"),
    ]
    return [calls[(module.__name__, path)] for module, path in paths]


def test_a_jsonpath_is_parsed_once_across_evaluations(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given moto's JSONPath parsers counted where the fix calls them, on a cache miss
    calls: Counter[tuple[str, str]] = Counter()
    for module in JSONPATH_MODULES:
        parse = moto_fixes.original(module, "parse")
        monkeypatch.setitem(moto_fixes.ORIGINALS, f"{module.__name__}.parse", _counting(calls, module, parse))
    # When two executions evaluate the same new paths (each answering correctly)
    parses = _parses_over_two_executions(engine, calls)
    # Then each path was parsed once, by the first execution; the second reused it
    assert parses == [1, 1, 1]


def test_gap_still_there_jsonpath_is_parsed_at_every_evaluation(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given moto's original parse functions, counted
    calls: Counter[tuple[str, str]] = Counter()
    for module in JSONPATH_MODULES:
        monkeypatch.setattr(module, "parse", _counting(calls, module, moto_fixes.original(module, "parse")))
    # When two executions evaluate the same new paths
    parses = _parses_over_two_executions(engine, calls)
    # Then every evaluation parsed its path again
    assert parses == [2, 2, 2]
