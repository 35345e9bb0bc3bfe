"""No PF360 token, credential, task token or request_id in any answer, log line or history."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN


def test_a_conversation_with_faults_leaks_nothing(
    agent: AgentClient, stack: EmbeddedStack, faults: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a conversation with a retried fault, a taken slot, a note with private details
    caplog.set_level(logging.DEBUG)
    faults(
        {
            "get_available_dates": [{"kind": "status", "status": 503, "times": 1}],
            "confirm_appointment": [{"kind": "slot_taken", "times": 1}],
        }
    )
    answers = [agent.call("list_projects"), agent.call("get_available_dates", project_id="12345")]
    session = stack_session(stack, agent)
    secrets = {DEFAULT_TOKEN, session["task_token"]}
    dates = answers[-1].body["available_dates"]
    answers.append(agent.call("get_time_slots", project_id="12345", date=dates[0]))
    request_ids = _request_ids(stack, agent)
    times = answers[-1].body["available_times"]
    answers.append(agent.call("confirm_appointment", project_id="12345", date=dates[0], time=times[0]))
    answers.append(
        agent.call(
            "confirm_appointment",
            project_id="12345",
            date=dates[0],
            time=answers[-1].body["available_times"][0],
        )
    )
    answers.append(agent.call("add_note", project_id="12345", note="Alarm code 4417"))
    assert answers[-2].body.get("booked") is True
    # Then no answer carries a token or a request id (the customer's own token only rides in the
    # session-state envelope Bedrock hands back, never in what the agent reads)
    said = json.dumps([a.raw for a in answers])
    for secret in secrets:
        assert secret not in said
    assert agent.token
    assert agent.token not in json.dumps([a.body for a in answers])
    assert "request_id" not in said
    for rid in request_ids:
        assert f'"{rid}"' not in said
        assert f": {rid}," not in said
    # And no log line carries a token or the note
    ours = [
        r for r in caplog.records if r.name.startswith(("booking-steps", "agent-actions", "pf360_client"))
    ]
    printed = "\n".join(json.dumps(vars(r), default=str) + r.getMessage() for r in ours)
    assert "step done" in printed  # the handlers did log
    assert DEFAULT_TOKEN not in printed
    assert agent.token not in printed
    assert "Alarm code 4417" not in printed
    # And no history carries a PF360 token or customer details
    model = stack.simulator.simulator.model
    private = {DEFAULT_TOKEN, agent.token, "Bearer", "Alarm code"}
    for project in model.customer_projects("09PF05VD", "1645975"):
        private |= {project.address1, project.installer_first, project.installer_last}
    for execution in stack.executions_of(agent.session_id):
        history = json.dumps(
            stack.sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)[
                "events"
            ],
            default=str,
        )
        assert not [p for p in private if p in history]


def stack_session(stack: EmbeddedStack, agent: AgentClient) -> dict[str, Any]:
    item = stack.dynamodb.get_item(
        TableName=stack.resources.table_name, Key={"session_id": {"S": agent.session_id}}, ConsistentRead=True
    )["Item"]
    return {k: next(iter(v.values())) for k, v in item.items()}


def _request_ids(stack: EmbeddedStack, agent: AgentClient) -> set[str]:
    ids = set()
    for execution in stack.executions_of(agent.session_id):
        for event in stack.sfn.get_execution_history(executionArn=execution["executionArn"])["events"]:
            details = event.get("taskSucceededEventDetails") or {}
            if "request_id" in details.get("output", ""):
                ids.add(str(json.loads(details["output"])["Payload"]["request_id"]))
    assert ids
    return ids
