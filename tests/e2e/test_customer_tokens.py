"""Per-caller tokens (PF360_AUTH_MODE=caller, the local stack's mode): every PF360 call of a
conversation, the step Lambdas' included, carries the signed-in customer's own token; a refused one is
"please sign in again", with nothing started; the token never enters an execution."""

from __future__ import annotations

import json

import requests

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack


def _service_token_revoked(stack: EmbeddedStack) -> None:
    """From now on the simulator accepts customers' tokens only."""
    url = f"{stack.simulator.url}/_sim/token"
    requests.put(url, json={"token": "revoked-service-token"}, timeout=5).raise_for_status()


def test_a_whole_booking_runs_on_the_customers_own_token(agent: AgentClient, stack: EmbeddedStack) -> None:
    # Given PF360 accepts nothing but the customer's token
    _service_token_revoked(stack)
    try:
        # When the customer books (the agent's reads and the step Lambdas' calls alike)
        dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
        times = agent.call("get_time_slots", project_id="12345", date=dates[0]).body["available_times"]
        booked = agent.call("confirm_appointment", project_id="12345", date=dates[0], time=times[0])
        # Then it is booked
        assert booked.body.get("booked") is True, booked.message
    finally:
        requests.put(f"{stack.simulator.url}/_sim/token", json={"token": "local-simulator-token"}, timeout=5)
    # And the token entered no execution: not its input, not its history
    assert agent.token
    for execution in stack.executions_of(agent.session_id):
        events = stack.sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)
        assert agent.token not in json.dumps(events["events"], default=str)


def test_a_refused_token_asks_the_customer_to_sign_in_again_and_starts_nothing(
    stack: EmbeddedStack,
) -> None:
    expired = AgentClient(stack.lambdas.url, token="cust-expired-token-0000")
    for operation, parameters in (("list_projects", {}), ("get_available_dates", {"project_id": "12345"})):
        reply = expired.call(operation, **parameters)
        assert (reply.status, reply.message) == (
            401,
            "I could not confirm who you are. Please sign in again.",
        )
    assert stack.executions_of(expired.session_id) == []


def test_without_a_token_a_booking_is_not_started(stack: EmbeddedStack) -> None:
    anonymous = AgentClient(stack.lambdas.url, token=None)
    reply = anonymous.call("get_available_dates", project_id="12345")
    assert reply.status == 401
    assert stack.executions_of(anonymous.session_id) == []


def test_a_customers_token_reaches_only_that_customers_data(stack: EmbeddedStack) -> None:
    token = stack.sign_in("09PF05VD", "1645975")
    other = next(
        p for p in stack.simulator.simulator.model._data.projects.values() if p.customer_id != "1645975"
    )
    headers = {"Authorization": f"Bearer {token}", "client_id": other.client_id}
    dashboard = requests.get(
        f"{stack.simulator.url}/dashboard/get/{other.client_id}/{other.customer_id}",
        headers=headers,
        timeout=5,
    )
    assert dashboard.status_code == 403
    own = requests.get(
        f"{stack.simulator.url}/dashboard/get/09PF05VD/1645975",
        headers={"Authorization": f"Bearer {token}", "client_id": "09PF05VD"},
        timeout=5,
    )
    assert own.status_code == 200
