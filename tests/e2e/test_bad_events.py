"""Bad events of every class get a well-formed Bedrock response with the right status and a message
the agent can relay; nothing is started, nothing crashes, no stack trace leaks. (Issue 7, defect 6:
malformed events once got 500s and answers Bedrock would refuse; the property test beside this file
mutates valid events at random.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scheduling_tooling.agent_client import AgentClient, Reply
from scheduling_tooling.agent_events import check_answer
from scheduling_tooling.local.stack import EmbeddedStack

FULLWIDTH_12345 = "".join(chr(0xFF10 + int(d)) for d in "12345")  # digits to Python's isdigit, not to PF360


def _well_formed(reply: Reply, status: int) -> None:
    check_answer(reply.raw)  # schemas/agent/bedrock_response.json: what Bedrock accepts
    response = reply.raw["response"]
    assert isinstance(response["actionGroup"], str)
    assert reply.status == status, reply.message
    assert reply.message
    for leak in ("Traceback", 'File "', "Exception", "botocore", "request_id", "task_token"):
        assert leak not in reply.message


def _event(agent: AgentClient, operation: str, **parameters: Any) -> dict[str, Any]:
    return agent.event(operation, **parameters)


@pytest.mark.parametrize(
    ("mutate", "status"),
    [
        (lambda e: "not an event", 400),
        (lambda e: {"unexpected": True}, 400),
        (lambda e: {**e, "apiPath": "/format-hard-drive"}, 404),
        (
            lambda e: {
                **{k: v for k, v in e.items() if k not in ("apiPath", "httpMethod")},
                "function": "nope",
            },
            404,
        ),
        (lambda e: {**e, "parameters": []}, 400),  # missing project_id
        (lambda e: {**e, "parameters": "project_id=12345"}, 400),  # mistyped parameters
        (
            lambda e: {**e, "parameters": [{"name": "project_id", "type": "string", "value": "x" * 50_000}]},
            400,
        ),
        (
            lambda e: {
                **e,
                "parameters": [{"name": "project_id", "type": "string", "value": "12345; DROP TABLE"}],
            },
            400,
        ),
        (
            lambda e: {
                **e,
                "parameters": [{"name": "project_id", "type": "string", "value": "../../etc/passwd"}],
            },
            400,
        ),
        (
            lambda e: {
                **e,
                "parameters": [{"name": "project_id", "type": "string", "value": FULLWIDTH_12345}],
            },
            400,
        ),
        (lambda e: {**e, "sessionAttributes": {}}, 401),  # no identity
        (lambda e: {**e, "sessionAttributes": {"customer_id": "1645975"}}, 401),
        (
            lambda e: {**e, "sessionAttributes": {"customer_id": "1645975<script>", "client_id": "09PF05VD"}},
            401,
        ),
        (lambda e: {**e, "sessionId": "x" * 500}, 401),
        (
            lambda e: {**e, "sessionAttributes": {"customer_id": "1645975\n", "client_id": "09PF05VD"}},
            401,
        ),
        # issue 7, defect 6: each of these was a 500, or an answer Bedrock would refuse
        (lambda e: {k: v for k, v in e.items() if k != "actionGroup"}, 400),
        (lambda e: {**e, "sessionAttributes": "x"}, 400),
        (lambda e: {**e, "actionGroup": 5}, 400),
        (lambda e: {**e, "promptSessionAttributes": [1]}, 400),
        (lambda e: {**e, "parameters": [{"name": "project_id", "type": "string", "value": 12345}]}, 400),
        (lambda e: {**e, "parameters": [{"value": "12345"}]}, 400),
        (lambda e: {**e, "sessionId": 5}, 400),
        (lambda e: {**e, "function": "get_available_dates"}, 400),  # both formats at once
        (lambda e: [e], 400),
    ],
    ids=[
        "not-a-dict",
        "no-keys",
        "unknown-apiPath",
        "unknown-function",
        "missing-parameter",
        "mistyped-parameters",
        "huge-string",
        "injection",
        "path-traversal",
        "fullwidth-digits",
        "no-identity",
        "half-identity",
        "hostile-identity",
        "huge-session-id",
        "newline-in-customer-id",
        "no-actionGroup",
        "sessionAttributes-not-a-map",
        "actionGroup-a-number",
        "promptSessionAttributes-not-a-map",
        "parameter-value-a-number",
        "parameter-without-name",
        "sessionId-a-number",
        "both-formats",
        "event-in-a-list",
    ],
)
def test_bad_event_gets_a_clear_well_formed_answer_and_starts_nothing(
    agent: AgentClient,
    stack: EmbeddedStack,
    sfn_calls: list[str],
    pf360_calls: Callable[[], list[dict[str, Any]]],
    mutate: Callable[[dict[str, Any]], Any],
    status: int,
) -> None:
    reply = agent.send(mutate(_event(agent, "get_available_dates", project_id="12345")), group="scheduling")
    _well_formed(reply, status)
    assert stack.executions_of(agent.session_id) == []
    assert sfn_calls == []
    assert pf360_calls() == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: {k: v for k, v in e.items() if k != "actionGroup"},
        lambda e: {**e, "sessionAttributes": "x"},
        lambda e: {**e, "actionGroup": 5},
        lambda e: {**e, "function": ["get_available_dates"]},
        lambda e: {**e, "parameters": {"project_id": "12345"}},
    ],
    ids=[
        "no-actionGroup",
        "sessionAttributes-not-a-map",
        "actionGroup-a-number",
        "function-a-list",
        "parameters-a-map",
    ],
)
def test_malformed_function_details_event_gets_400_in_a_function_answer(
    agent: AgentClient, sfn_calls: list[str], mutate: Callable[[dict[str, Any]], Any]
) -> None:
    event = agent.event("get_available_dates", functions=True, project_id="12345")
    reply = agent.send(mutate(event), group="scheduling")
    _well_formed(reply, 400)
    assert "functionResponse" in reply.raw["response"]
    assert "responseState" not in reply.raw["response"]["functionResponse"]  # not the customer's mistake
    assert sfn_calls == []


def test_mistyped_number_and_out_of_range_values(agent: AgentClient) -> None:
    _well_formed(agent.send(_event(agent, "get_weather", project_id="12345", days="many")), 400)
    _well_formed(agent.call("get_weather", project_id="12345", days=30), 400)
    _well_formed(agent.call("add_note", project_id="12345", note="\u0000\u0007"), 400)


def test_dates_and_times_in_bad_formats_are_refused(agent: AgentClient) -> None:
    dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
    _well_formed(agent.call("get_time_slots", project_id="12345", date="next tuesday"), 400)
    _well_formed(agent.call("get_time_slots", project_id="12345", date="2026-02-30"), 400)
    slots = agent.call("get_time_slots", project_id="12345", date=dates[0]).body
    _well_formed(agent.call("confirm_appointment", project_id="12345", date=slots["date"], time="25:99"), 400)


def test_slots_before_any_booking_is_a_clear_sequencing_answer(agent: AgentClient) -> None:
    _well_formed(agent.call("get_time_slots", project_id="12345", date="2026-12-01"), 400)


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ({"kind": "rate_limit", "retry_after": 5}, 429),
        ({"kind": "status", "status": 503}, 503),
        ({"kind": "status", "status": 408}, 504),  # PF360Timeout; the read timeout itself: integration
        ({"kind": "bad_json"}, 500),
    ],
    ids=["rate-limited", "unavailable", "timeout", "internal"],
)
def test_pf360_trouble_maps_to_the_agents_error_classes(
    agent: AgentClient, faults: Any, rule: dict[str, Any], status: int
) -> None:
    faults({"get_business_hours": [rule]})
    _well_formed(agent.call("get_business_hours"), status)


def test_failed_booking_step_is_relayed_with_its_class(agent: AgentClient, faults: Any) -> None:
    dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
    faults({"get_time_slots": [{"kind": "status", "status": 503}]})
    reply = agent.call("get_time_slots", project_id="12345", date=dates[0])
    _well_formed(reply, 503)
    assert reply.body["failed"] is True
