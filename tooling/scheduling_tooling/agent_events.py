"""Bedrock agent action-group events, as the agent runtime sends them, for demos, replays and tests."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from agent_actions.event_shape import schema_path
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.agent_groups import functions


def _routes() -> dict[str, tuple[str, str, str]]:
    """operation -> (group, method, apiPath), read from the handlers themselves."""
    from scheduling_tooling.agent_groups import GROUPS

    return {
        name: (group, method, path) for group in GROUPS for name, (method, path) in functions(group).items()
    }


def api_event(
    operation: str,
    session_id: str,
    *,
    customer_id: str = DEMO_CUSTOMER,
    client_id: str = DEMO_CLIENT,
    auth_token: str | None = None,
    **parameters: Any,
) -> dict[str, Any]:
    """An OpenAPI-schema action-group event for `operation` (e.g. "get_time_slots")."""
    group, method, path = _routes()[operation]
    return {
        "messageVersion": "1.0",
        "agent": {"name": "pf360-scheduling-agent", "id": "LOCALAGENT", "alias": "LOCAL", "version": "DRAFT"},
        "inputText": "",
        "sessionId": session_id,
        "actionGroup": group,
        "apiPath": path,
        "httpMethod": method,
        "parameters": [
            {"name": k, "type": "integer" if isinstance(v, int) else "string", "value": str(v)}
            for k, v in parameters.items()
        ],
        "sessionAttributes": {"customer_id": customer_id, "client_id": client_id}
        | ({"auth_token": auth_token} if auth_token else {}),
        "promptSessionAttributes": {},
    }


def function_event(
    operation: str,
    session_id: str,
    *,
    customer_id: str = DEMO_CUSTOMER,
    client_id: str = DEMO_CLIENT,
    auth_token: str | None = None,
    **parameters: Any,
) -> dict[str, Any]:
    """The same operation as a function-details event."""
    event = api_event(
        operation,
        session_id,
        customer_id=customer_id,
        client_id=client_id,
        auth_token=auth_token,
        **parameters,
    )
    for key in ("apiPath", "httpMethod"):
        event.pop(key)
    event["function"] = operation
    return event


def answer_of(response: dict[str, Any]) -> tuple[int, str]:
    """(status, body) of an action-group response in either format. A function-details answer
    carries an error's HTTP status in its body as `http_status` (it has no HTTP status of its own)."""
    inner = response.get("response", {})
    if "functionResponse" in inner:
        body = inner["functionResponse"]["responseBody"]["TEXT"]["body"]
        try:
            status = json.loads(body).get("http_status")
        except (json.JSONDecodeError, AttributeError):
            status = None
        return status if isinstance(status, int) else 200, body
    body = inner.get("responseBody", {}).get("application/json", {}).get("body", "")
    return inner.get("httpStatusCode", 0), body


@cache
def _answer_schema() -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_path("bedrock_response.json").read_text(encoding="utf-8")))


def check_answer(response: Any) -> None:
    """Raise jsonschema's ValidationError unless `response` is a valid Bedrock action-group answer
    (schemas/agent/bedrock_response.json) whose body is a JSON object with a `message`."""
    _answer_schema().validate(response)
    _, body = answer_of(response)
    document = json.loads(body)
    if not (isinstance(document, dict) and isinstance(document.get("message"), str)):
        raise ValueError("the answer's body is not a JSON object with a message")
