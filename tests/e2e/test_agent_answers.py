"""What the agent is handed back (issue 7, defect 7 and the agent-contract parity items):
function-details answers never say FAILURE (the agent would throw DependencyFailedException and the
customer would see an error page instead of our message), say REPROMPT only for the customer's own
mistakes, and name an HTTP status `http_status`, apart from a project's `project_status`; answers in
both formats hand the session attributes back."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from scheduling_tooling.agent_client import AgentClient, Reply

PROMPT_ATTRIBUTES = {"time_zone": "America/Chicago"}


def _state(reply: Reply) -> str | None:
    return reply.raw["response"]["functionResponse"].get("responseState")


def _event(
    agent: AgentClient, operation: str, *, functions: bool = False, **parameters: Any
) -> dict[str, Any]:
    event = agent.event(operation, functions=functions, **parameters)
    return {**event, "promptSessionAttributes": dict(PROMPT_ATTRIBUTES)}


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ({"kind": "status", "status": 503}, 503),
        ({"kind": "rate_limit", "retry_after": 5}, 429),
        ({"kind": "bad_json"}, 500),
    ],
    ids=["unavailable", "rate-limited", "internal"],
)
def test_function_details_failure_is_relayed_as_a_message_not_a_failure_state(
    agent: AgentClient, faults: Callable[[dict[str, Any]], None], rule: dict[str, Any], status: int
) -> None:
    faults({"get_business_hours": [rule]})
    reply = agent.call("get_business_hours", functions=True)
    assert _state(reply) is None  # FAILURE would become DependencyFailedException
    assert reply.body["http_status"] == status
    assert "status" not in reply.body
    assert "try again" in reply.message.lower()


def test_function_details_reprompt_only_for_the_customers_own_mistakes(agent: AgentClient) -> None:
    # the customer's mistakes: a missing or invalid detail, a choice not offered, another's project
    assert _state(agent.call("get_available_dates", functions=True)) == "REPROMPT"
    assert _state(agent.call("get_available_dates", functions=True, project_id="12x45")) == "REPROMPT"
    not_theirs = agent.call("get_available_dates", functions=True, project_id="20000")
    assert (not_theirs.status, _state(not_theirs)) == (403, "REPROMPT")
    dates = agent.call("get_available_dates", functions=True, project_id="12345")
    assert (dates.status, _state(dates)) == (200, None)
    not_offered = agent.call("get_time_slots", functions=True, project_id="12345", date="2031-01-01")
    assert (not_offered.status, _state(not_offered)) == (400, "REPROMPT")
    # not theirs to fix: no identity, an unknown operation, a malformed event
    nobody = AgentClient(agent.lambda_url, customer_id="", session_id=agent.session_id)
    anonymous = nobody.call("list_projects", functions=True)
    assert (anonymous.status, _state(anonymous)) == (401, None)
    unknown = agent.send({**_event(agent, "list_projects", functions=True), "function": "format_disk"})
    assert (unknown.status, _state(unknown)) == (404, None)
    malformed = agent.send({**_event(agent, "list_projects", functions=True), "parameters": "all"})
    assert (malformed.status, _state(malformed)) == (400, None)


@pytest.mark.parametrize("functions", [False, True], ids=["openapi", "function-details"])
def test_appointment_status_says_project_status_not_status(agent: AgentClient, functions: bool) -> None:
    scheduled = agent.call("get_appointment_status", functions=functions, project_id="12347")
    pending = agent.call("get_appointment_status", functions=functions, project_id="12345")
    assert (scheduled.status, scheduled.body["project_status"]) == (200, "Scheduled")
    assert (pending.status, pending.body["project_status"]) == (200, "New")
    for reply in (scheduled, pending):
        assert "status" not in reply.body
        assert "http_status" not in reply.body  # only errors carry one
    refused = agent.call("get_appointment_status", functions=functions, project_id="20000")
    assert refused.status == 403
    assert "project_status" not in refused.body
    assert refused.body.get("http_status") == (403 if functions else None)


@pytest.mark.parametrize("functions", [False, True], ids=["openapi", "function-details"])
def test_answers_echo_session_attributes_in_both_formats(agent: AgentClient, functions: bool) -> None:
    # (the customer's token too: Bedrock keeps the session state it is handed back, and later action
    # calls of the same turn need it; it never enters an answer body)
    identity = {"customer_id": agent.customer_id, "client_id": agent.client_id, "auth_token": agent.token}
    cases = {
        200: _event(agent, "list_projects", functions=functions),
        403: _event(agent, "get_notes", functions=functions, project_id="20000"),
        400: {**_event(agent, "list_projects", functions=functions), "inputText": 7},  # malformed
    }
    for status, event in cases.items():
        reply = agent.send(event)
        assert reply.status == status, reply.message
        assert reply.raw["sessionAttributes"] == identity
        assert reply.raw["promptSessionAttributes"] == PROMPT_ATTRIBUTES


def test_only_well_formed_session_attributes_are_echoed(agent: AgentClient) -> None:
    event = {
        **_event(agent, "list_projects"),
        "sessionAttributes": {"customer_id": 1645975, "client_id": "09PF05VD"},
        "promptSessionAttributes": {"nested": {"a": "b"}},
    }
    reply = agent.send(event)
    assert reply.status == 400
    assert "sessionAttributes" not in reply.raw
    assert "promptSessionAttributes" not in reply.raw
    assert json.loads(reply.raw["response"]["responseBody"]["application/json"]["body"])["message"]
