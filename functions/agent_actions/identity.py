"""Who is asking: only from `sessionAttributes`, which the trusted front end sets through
InvokeAgent `sessionState`. Customer or client ids in the LLM's parameters are never used. The rules
(session id, customer id, client id) are `#/$defs/identified` of schemas/agent/bedrock_event.json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent_actions.errors import NotAuthenticated
from agent_actions.event_shape import fits


@dataclass(frozen=True)
class Caller:
    session_id: str
    customer_id: str
    client_id: str


def caller_from(event: dict[str, Any]) -> Caller:
    if not fits("identified", event):
        raise NotAuthenticated()
    attributes = event["sessionAttributes"]
    return Caller(event["sessionId"], attributes["customer_id"], attributes["client_id"])
