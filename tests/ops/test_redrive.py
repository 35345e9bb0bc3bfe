"""`scheduling ops redrive` on AWS, against a stubbed Step Functions client (botocore Stubber): what it
refuses, what it redrives, and what it says on a local stack whose engine cannot redrive."""

from __future__ import annotations

import argparse
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scheduling_tooling.commands import ops
from scheduling_tooling.ops.query import OpsError
from scheduling_tooling.target import Target

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:pf360-booking-conversation"
EXECUTION = f"{MACHINE.replace('stateMachine', 'execution')}:schedule-12345-1-tp8lox-7039"
AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DEFINITION = {
    "StartAt": "Get Time Slots",
    "States": {
        "Get Time Slots": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True},
        "Booking Failed": {"Type": "Fail"},
    },
}


def _history(last_state: str) -> dict[str, Any]:
    kind = "FailStateEntered" if last_state == "Booking Failed" else "TaskStateEntered"
    data = json.dumps({"session_id": "s-1"})
    events = [
        {"id": 3, "type": "ExecutionFailed", "timestamp": AT, "executionFailedEventDetails": {"error": "E"}},
        {
            "id": 2,
            "type": "TaskFailed",
            "timestamp": AT,
            "taskFailedEventDetails": {"resourceType": "lambda", "resource": "invoke", "error": "E"},
        },
        {
            "id": 1,
            "type": kind,
            "timestamp": AT,
            "stateEnteredEventDetails": {"name": last_state, "input": data},
        },
    ]
    return {"events": events}


def _redrive(stub: Any, sfn: Any, *options: str) -> tuple[int, str, str]:
    class Aws(Target):
        def client(self, service: str, **_: Any) -> Any:
            return sfn

    target = Aws("aws", "us-east-1", MACHINE, {"sessions": "s"}, None, None)
    out, err = io.StringIO(), io.StringIO()
    with stub, redirect_stdout(out), redirect_stderr(err):
        status = ops._redrive(argparse.Namespace(execution=EXECUTION, anyway="--anyway" in options), target)
    stub.assert_no_pending_responses()
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def sfn() -> tuple[Any, Stubber]:
    client = boto3.client(
        "stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def _described(stub: Stubber, **extra: Any) -> None:
    stub.add_response(
        "describe_execution",
        {
            "executionArn": EXECUTION,
            "stateMachineArn": MACHINE,
            "name": EXECUTION.rsplit(":", 1)[-1],
            "status": "FAILED",
            "startDate": AT,
            **extra,
        },
        {"executionArn": EXECUTION},
    )


def _ended_in(stub: Stubber, state: str) -> None:
    stub.add_response("get_execution_history", _history(state))
    stub.add_response(
        "describe_state_machine_for_execution",
        {
            "stateMachineArn": MACHINE,
            "name": "m",
            "definition": json.dumps(DEFINITION),
            "roleArn": "arn:aws:iam::123456789012:role/r",
            "updateDate": AT,
        },
        {"executionArn": EXECUTION},
    )


def test_a_not_redrivable_execution_is_refused_with_the_reason(sfn: tuple[Any, Stubber]) -> None:
    client, stub = sfn
    _described(stub, redriveStatus="NOT_REDRIVABLE", redriveStatusReason="Execution is SUCCEEDED")
    status, out, err = _redrive(stub, client)
    assert (status, out) == (1, "")
    assert err.strip() == "not redrivable: Execution is SUCCEEDED"


def test_a_run_that_ended_in_a_fail_state_is_refused_unless_anyway(sfn: tuple[Any, Stubber]) -> None:
    client, stub = sfn
    _described(stub, redriveStatus="REDRIVABLE")
    _ended_in(stub, "Booking Failed")
    status, _, err = _redrive(stub, client)
    assert status == 1
    assert "ended in the Fail state 'Booking Failed'" in err
    # With --anyway it is redriven
    _described(stub, redriveStatus="REDRIVABLE")
    _ended_in(stub, "Booking Failed")
    stub.add_response("redrive_execution", {"redriveDate": AT}, {"executionArn": EXECUTION})
    status, out, _ = _redrive(stub, client, "--anyway")
    assert status == 0
    assert "redriven schedule-12345-1-tp8lox-7039 at 2026-11-28 12:00:00Z" in out


def test_a_run_that_failed_in_a_task_is_redriven_where_it_failed(sfn: tuple[Any, Stubber]) -> None:
    client, stub = sfn
    _described(stub, redriveStatus="REDRIVABLE")
    _ended_in(stub, "Get Time Slots")
    stub.add_response("redrive_execution", {"redriveDate": AT}, {"executionArn": EXECUTION})
    status, out, _ = _redrive(stub, client)
    assert status == 0
    assert out.strip().endswith("it resumes in Get Time Slots")


def test_the_local_stack_says_its_engine_cannot_redrive() -> None:
    target = Target("local", "us-east-1", MACHINE, {}, "http://127.0.0.1:5360", None)
    with pytest.raises(OpsError) as refused:
        ops._redrive(argparse.Namespace(execution=EXECUTION, anyway=False), target)
    assert "its engine (moto) has no RedriveExecution" in str(refused.value)
    assert not any(character.isdigit() for character in str(refused.value).split("engine", 1)[1])
