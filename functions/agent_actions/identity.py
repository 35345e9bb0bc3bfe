"""Who is asking: only from `sessionAttributes`, which the trusted front end sets through
InvokeAgent `sessionState`. Customer or client ids in the LLM's parameters are never used."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent_actions.errors import NotAuthenticated

_SESSION = re.compile(r"[A-Za-z0-9._:-]{1,100}")
_CLIENT = re.compile(r"[A-Za-z0-9]{2,32}")
_CUSTOMER = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class Caller:
    session_id: str
    customer_id: str
    client_id: str


def caller_from(event: dict[str, Any]) -> Caller:
    attributes = event.get("sessionAttributes") or {}
    session_id, customer_id, client_id = (
        event.get("sessionId"),
        attributes.get("customer_id"),
        attributes.get("client_id"),
    )
    if not (
        isinstance(session_id, str)
        and _SESSION.fullmatch(session_id)
        and isinstance(customer_id, str)
        and _CUSTOMER.fullmatch(customer_id)
        and isinstance(client_id, str)
        and _CLIENT.fullmatch(client_id)
    ):
        raise NotAuthenticated()
    return Caller(session_id, customer_id, client_id)
