"""Plays the Bedrock agent runtime: sends action-group events to the handler Lambdas through the
Lambda Invoke API of a stack (the local endpoint), and reads the answers back."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3

from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.agent_events import answer_of, api_event, check_answer, function_event
from scheduling_tooling.local.resources import Resources


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    raw: dict[str, Any]

    @property
    def message(self) -> str:
        return str(self.body.get("message", ""))


@dataclass
class AgentClient:
    lambda_url: str
    customer_id: str = DEMO_CUSTOMER
    client_id: str = DEMO_CLIENT
    session_id: str = field(default_factory=lambda: f"agent-{uuid.uuid4().hex[:16]}")
    resources: Resources = field(default_factory=Resources)

    def __post_init__(self) -> None:
        self._lambda = boto3.client("lambda", endpoint_url=self.lambda_url, region_name=self.resources.region)

    def call(self, operation: str, *, functions: bool = False, **parameters: Any) -> Reply:
        """One turn: `operation` with `parameters`, as an OpenAPI event (or a function-details one)."""
        build = function_event if functions else api_event
        event = build(
            operation, self.session_id, customer_id=self.customer_id, client_id=self.client_id, **parameters
        )
        return self.send(event)

    def ask(self, operation: str, *, tries: int = 10, **parameters: Any) -> Reply:
        """`call`, asked again while the answer is "still working", as the agent does."""
        reply = self.call(operation, **parameters)
        for _ in range(tries - 1):
            if not reply.body.get("still_working"):
                break
            reply = self.call(operation, **parameters)
        return reply

    def send(self, event: Any, group: str | None = None) -> Reply:
        """Any event, well-formed or not, to a group's handler."""
        name = group or (event.get("actionGroup") if isinstance(event, dict) else None) or "scheduling"
        payload = self._lambda.invoke(
            FunctionName=self.resources.agent_function(name), Payload=json.dumps(event)
        )["Payload"].read()
        raw = json.loads(payload)
        check_answer(raw)  # what the Bedrock runtime would refuse fails here, in every test and the demo
        status, body = answer_of(raw)
        try:
            parsed = json.loads(body) if body else {}
        except json.JSONDecodeError:
            parsed = {"message": body}
        return Reply(status, parsed if isinstance(parsed, dict) else {"message": str(parsed)}, raw)
