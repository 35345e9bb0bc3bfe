"""Plays the Bedrock agent runtime: sends action-group events to the handler Lambdas through the
Lambda Invoke API of a stack (the local endpoint), and reads the answers back."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests

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


SIGN_IN = "sign-in"  # AgentClient's default token: sign the customer in at the local simulator


@dataclass
class AgentClient:
    """One customer's session, as the front end would hold it: the identity and the customer's PF360
    token (`token`: by default signed in at the local stack's simulator; None sends none).
    `lambda_client`: the Lambda client to invoke with; by default one from this process's AWS settings
    (in tests, the stack's); tools pass `target.local_lambda_client(...)`, which never needs the user's."""

    lambda_url: str
    customer_id: str = DEMO_CUSTOMER
    client_id: str = DEMO_CLIENT
    session_id: str = field(default_factory=lambda: f"agent-{uuid.uuid4().hex[:16]}")
    resources: Resources = field(default_factory=Resources)
    token: str | None = field(default=SIGN_IN, repr=False)
    lambda_client: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.lambda_client is None:
            self.lambda_client = boto3.client(
                "lambda", endpoint_url=self.lambda_url, region_name=self.resources.region
            )
        if self.token == SIGN_IN:
            self.token = sign_in(self.client_id, self.customer_id)

    def call(self, operation: str, *, functions: bool = False, **parameters: Any) -> Reply:
        """One turn: `operation` with `parameters`, as an OpenAPI event (or a function-details one)."""
        return self.send(self.event(operation, functions=functions, **parameters))

    def event(self, operation: str, *, functions: bool = False, **parameters: Any) -> dict[str, Any]:
        """The event Bedrock would send for this session's customer."""
        build = function_event if functions else api_event
        return build(
            operation,
            self.session_id,
            customer_id=self.customer_id,
            client_id=self.client_id,
            auth_token=self.token,
            **parameters,
        )

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
        payload = self.lambda_client.invoke(
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


def sign_in(client_id: str, customer_id: str) -> str | None:
    """The customer's PF360 token from the local simulator (`PF360_SIMULATOR_URL`, which the local stack
    sets), as PF360's sign-in gives the PF web app; None when no simulator is known."""
    url = os.environ.get("PF360_SIMULATOR_URL")
    if not url:
        return None
    answer = requests.post(
        f"{url}/_sim/tokens", json={"client_id": client_id, "customer_id": customer_id}, timeout=10
    )
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token
