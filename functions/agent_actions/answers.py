"""What every route answers, as its OpenAPI declares it: a typed AgentAnswer, under every status an
answer can have, derived from the error classes (so a new one is declared by being written)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent_actions import errors


class AgentAnswer(BaseModel):
    """Every answer: what to tell the customer, and the facts behind it for the agent to use."""

    model_config = ConfigDict(extra="allow")
    message: str = Field(description="What to tell the customer.")


def _responses() -> dict[int, Any]:
    """Every status a route can answer with, each with the typed answer, derived from the error
    classes (so a new one is declared in the OpenAPI by being written)."""
    content = {"application/json": {"model": AgentAnswer}}
    described = {200: "The answer."}
    for kind in _subclasses(errors.AgentError):
        described.setdefault(kind.status, kind.when)
    return {status: {"description": text, "content": content} for status, text in sorted(described.items())}


def _subclasses(kind: type[errors.AgentError]) -> list[type[errors.AgentError]]:
    return [kind] + [sub for direct in kind.__subclasses__() for sub in _subclasses(direct)]


RESPONSES = _responses()
