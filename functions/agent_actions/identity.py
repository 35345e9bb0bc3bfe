"""Who is asking: only from `sessionAttributes`, which the trusted front end sets through
InvokeAgent `sessionState`. Customer or client ids in the LLM's parameters are never used. The rules
(session id, customer id, client id, the customer's PF360 token `auth_token`) are
`#/$defs/identified` of schemas/agent/bedrock_event.json."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent_actions.errors import NotAuthenticated
from agent_actions.event_shape import fits


@dataclass(frozen=True)
class Caller:
    session_id: str
    customer_id: str
    client_id: str
    token: str | None = field(default=None, repr=False, compare=False)  # never shown, never logged


def caller_from(event: dict[str, Any]) -> Caller:
    if not fits("identified", event):
        raise NotAuthenticated()
    attributes = event["sessionAttributes"]
    return Caller(event["sessionId"], attributes["customer_id"], attributes["client_id"], token_of(event))


def token_of(event: dict[str, Any]) -> str | None:
    """The customer's PF360 token, as the PF web app passes it with the identity (None if absent)."""
    attributes = event.get("sessionAttributes")
    token = attributes.get("auth_token") if isinstance(attributes, dict) else None
    return token if isinstance(token, str) and token else None
