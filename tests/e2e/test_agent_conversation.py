"""Conversations through the agent handlers: the whole flow, retries, races, expiry, scale."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pf360_client.fake.data import bookable
from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack


def _book(agent: AgentClient, project: str = "12345") -> tuple[dict[str, Any], dict[str, Any]]:
    dates = agent.call("get_available_dates", project_id=project)
    assert dates.status == 200, dates.message
    slots = agent.call("get_time_slots", project_id=project, date=dates.body["available_dates"][0])
    assert slots.status == 200, slots.message
    return dates.body, slots.body


def test_full_conversation(agent: AgentClient, stack: EmbeddedStack) -> None:
    # Given the documented customer
    projects = agent.call("list_projects")
    assert projects.status == 200
    assert "Flooring Installation" in projects.message
    # When they book, check, add a note, reschedule and cancel
    _, slots = _book(agent)
    booked = agent.call(
        "confirm_appointment", project_id="12345", date=slots["date"], time=slots["available_times"][0]
    )
    assert booked.status == 200
    assert booked.body["booked"] is True
    assert booked.body["confirmation_number"]
    status = agent.call("get_appointment_status", project_id="12345")
    assert slots["available_times"][0] in status.message
    assert agent.call("add_note", project_id="12345", note="Dog in the yard.").status == 200
    assert agent.call("get_notes", project_id="12345").body["notes"][0]["text"] == "Dog in the yard."
    assert agent.call("get_business_hours").body["hours"][0].startswith("Monday")
    assert len(agent.call("get_weather", project_id="12345", days=2).body["forecast"]) == 2
    new = agent.call("reschedule_appointment", project_id="12345").body["available_dates"]
    moved_slots = agent.call("get_time_slots", project_id="12345", date=new[1]).body
    moved = agent.call(
        "confirm_appointment", project_id="12345", date=new[1], time=moved_slots["available_times"][-1]
    )
    assert (moved.status, moved.body["date"]) == (200, new[1])
    cancelled = agent.call("cancel_appointment", project_id="12345")
    assert cancelled.body["cancelled"] is True
    # Then PF360 agrees, and the answers never carried a request id or token
    project = stack.simulator.simulator.model._data.projects["12345"]
    assert project.status == "Not Scheduled"
    assert {e["status"] for e in stack.executions_of(agent.session_id)} == {"SUCCEEDED"}


def test_function_details_events_work_the_same(agent: AgentClient) -> None:
    dates = agent.call("get_available_dates", functions=True, project_id="12345")
    assert dates.status == 200
    assert "functionResponse" in dates.raw["response"]
    slots = agent.call(
        "get_time_slots", functions=True, project_id="12345", date=dates.body["available_dates"][0]
    )
    refused = agent.call("get_time_slots", functions=True, project_id="12345", date="2031-01-01")
    assert refused.raw["response"]["functionResponse"]["responseState"] == "REPROMPT"
    booked = agent.call(
        "confirm_appointment",
        functions=True,
        project_id="12345",
        date=slots.body["date"],
        time=slots.body["available_times"][0],
    )
    assert booked.body["booked"] is True


def test_another_customers_project_is_denied_with_no_pf360_call_for_it(
    agent: AgentClient, pf360_calls: Callable[[], list[dict[str, Any]]], stack: EmbeddedStack
) -> None:
    # Given project 20000 belongs to someone else
    assert stack.simulator.simulator.model._data.projects["20000"].customer_id != agent.customer_id
    for operation in (
        "get_available_dates",
        "reschedule_appointment",
        "cancel_appointment",
        "get_appointment_status",
        "get_weather",
        "add_note",
        "get_notes",
    ):
        extra = {"note": "hi"} if operation == "add_note" else {}
        reply = agent.call(operation, project_id="20000", **extra)
        assert reply.status == 403, (operation, reply.message)
    # Then PF360 was asked nothing about that project, and nothing was started
    assert [c for c in pf360_calls() if c["project_id"] == "20000"] == []
    assert stack.executions_of(agent.session_id) == []


def test_identity_comes_from_session_attributes_not_llm_parameters(
    agent: AgentClient, stack: EmbeddedStack
) -> None:
    # Given the LLM passes the real owner's ids of project 20000 as parameters
    owner = stack.simulator.simulator.model._data.projects["20000"]
    reply = agent.send(
        {
            **_event(agent, "get_available_dates", project_id="20000"),
            "parameters": [
                {"name": "project_id", "type": "string", "value": "20000"},
                {"name": "customer_id", "type": "string", "value": owner.customer_id},
                {"name": "client_id", "type": "string", "value": owner.client_id},
            ],
        }
    )
    # Then they are ignored: the session's customer is still refused
    assert reply.status == 403


def _event(agent: AgentClient, operation: str, **parameters: Any) -> dict[str, Any]:
    return agent.event(operation, **parameters)


def test_choice_not_offered_is_reprompted_without_touching_step_functions(
    agent: AgentClient, sfn_calls: list[str]
) -> None:
    dates, slots = _book(agent)
    sfn_calls.clear()
    wrong_date = agent.call("get_time_slots", project_id="12345", date="2031-01-01")
    wrong_time = agent.call("confirm_appointment", project_id="12345", date=slots["date"], time="11:11 PM")
    other_day = next(d for d in dates["available_dates"] if d != slots["date"])
    wrong_pair = agent.call(
        "confirm_appointment", project_id="12345", date=other_day, time=slots["available_times"][0]
    )
    assert [r.status for r in (wrong_date, wrong_time, wrong_pair)] == [400, 400, 400]
    assert "2026" in wrong_date.message or dates["available_dates"][0][:4] in wrong_date.message
    assert slots["available_times"][0] in wrong_time.message
    assert sfn_calls == []


def test_double_confirm_books_once(
    agent: AgentClient, stack: EmbeddedStack, pf360_calls: Callable[[], list[dict[str, Any]]]
) -> None:
    _, slots = _book(agent)
    args = {"project_id": "12345", "date": slots["date"], "time": slots["available_times"][0]}
    first, second = agent.call("confirm_appointment", **args), agent.call("confirm_appointment", **args)
    assert first.body == second.body
    assert [c["operation"] for c in pf360_calls()].count("confirm_appointment") == 1


def test_concurrent_double_confirm_books_once(
    agent: AgentClient, pf360_calls: Callable[[], list[dict[str, Any]]]
) -> None:
    _, slots = _book(agent)
    args = {"project_id": "12345", "date": slots["date"], "time": slots["available_times"][0]}
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(lambda _: agent.call("confirm_appointment", **args), range(4)))
    assert all(r.status == 200 for r in replies)
    assert any(r.body.get("booked") for r in replies)
    assert [c["operation"] for c in pf360_calls()].count("confirm_appointment") == 1
    final = agent.call("confirm_appointment", **args)
    assert final.body["booked"] is True


def test_agent_retry_after_still_working_picks_the_result_up(
    stack: EmbeddedStack,
    agent: AgentClient,
    faults: Callable[[dict[str, Any]], None],
    answer_deadline: Callable[[float | None], None],
) -> None:
    # Given a scheduler holding the dates request, and a handler deadline that passes meanwhile
    faults({"get_available_dates": [{"kind": "hold", "seconds": 120, "times": 1}]})
    answer_deadline(0.2)
    first = agent.call("get_available_dates", project_id="12345")
    # Then the agent hears "still working"
    assert first.body.get("still_working") is True
    # When the scheduler answers and the agent asks again, Then it gets the dates, from one execution
    answer_deadline(None)
    stack.simulator.simulator.release()
    again = agent.call("get_available_dates", project_id="12345")
    assert again.body["available_dates"]
    assert len(stack.executions_of(agent.session_id)) == 1


def test_a_retried_confirm_after_still_working_never_shows_a_spent_offer(
    stack: EmbeddedStack,
    agent: AgentClient,
    faults: Callable[[dict[str, Any]], None],
    pf360_calls: Callable[[], list[dict[str, Any]]],
    answer_deadline: Callable[[float | None], None],
) -> None:
    _, slots = _book(agent)
    args = {"project_id": "12345", "date": slots["date"], "time": slots["available_times"][0]}
    # Given a scheduler holding the confirm, and a handler deadline that passes meanwhile
    faults({"confirm_appointment": [{"kind": "hold", "seconds": 120, "times": 1}]})
    answer_deadline(0.2)
    first, second = agent.call("confirm_appointment", **args), agent.call("confirm_appointment", **args)
    # While the confirm is in flight the agent hears "still working", never the spent list of times
    assert first.body.get("still_working") is True
    assert second.body.get("still_working") is True
    assert "available_times" not in first.body | second.body
    # When the scheduler answers, Then asking again says booked, and PF360 saw one confirm
    answer_deadline(None)
    stack.simulator.simulator.release()
    third = agent.call("confirm_appointment", **args)
    assert third.body.get("booked") is True
    assert [c["operation"] for c in pf360_calls()].count("confirm_appointment") == 1


def test_starting_over_after_the_session_item_expired_gets_a_new_execution(
    stack: EmbeddedStack, agent: AgentClient
) -> None:
    # Given a booking whose session item then expired (its TTL passed; DynamoDB has not deleted it)
    agent.call("get_available_dates", project_id="12345")
    stack.dynamodb.update_item(
        TableName=stack.resources.table_name,
        Key={"session_id": {"S": agent.session_id}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )
    late = agent.call("get_time_slots", project_id="12345", date="2026-12-01")
    assert late.body.get("expired") is True  # the booking timed out: ask for dates again
    # When the customer starts over, Then a new execution (a new name) offers dates
    fresh = agent.call("get_available_dates", project_id="12345")
    assert fresh.body.get("available_dates"), fresh.body
    names = [e["name"] for e in stack.executions_of(agent.session_id)]
    assert len(names) == len(set(names)) == 2


def _throttle_starts(throttles: int) -> Callable[[], None]:
    """The next `throttles` StartExecution calls of the handlers' real client are throttled."""
    from botocore.exceptions import ClientError

    from agent_actions.services import services

    client, left = services().bridge.sfn, [throttles]

    def throttle(**_: Any) -> None:
        if left[0] > 0:
            left[0] -= 1
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "StartExecution"
            )

    client.meta.events.register("before-call.sfn.StartExecution", throttle)
    return lambda: client.meta.events.unregister("before-call.sfn.StartExecution", throttle)


def test_a_throttled_start_is_tried_again_in_the_same_call(stack: EmbeddedStack, agent: AgentClient) -> None:
    remove = _throttle_starts(1)
    try:
        dates = agent.call("get_available_dates", project_id="12345")
    finally:
        remove()
    assert dates.body["available_dates"]
    assert len(stack.executions_of(agent.session_id)) == 1


def test_a_start_that_failed_is_started_on_the_next_call(stack: EmbeddedStack, agent: AgentClient) -> None:
    remove = _throttle_starts(3)  # every try of the first call
    try:
        first = agent.call("get_available_dates", project_id="12345")
    finally:
        remove()
    assert first.status == 500  # the start failed after the session was written
    again = agent.call("get_available_dates", project_id="12345")
    assert again.body["available_dates"]
    assert len(stack.executions_of(agent.session_id)) == 1


def test_expiry_mid_conversation_then_a_fresh_start(stack: EmbeddedStack, agent: AgentClient) -> None:
    # Given a session timeout of 60 s and a customer who was offered dates
    stack.session_timeout_seconds = 60
    stack.export_env()
    dates = agent.call("get_available_dates", project_id="12345").body["available_dates"]
    # When they come back after 61 s, Then they hear the booking timed out
    stack.advance(61)
    late = agent.call("get_time_slots", project_id="12345", date=dates[0])
    assert late.body.get("expired") is True
    assert "start again" in late.message
    # And asking for dates starts afresh
    fresh = agent.call("get_available_dates", project_id="12345")
    assert fresh.body["available_dates"]


def test_50_conversations_in_parallel_all_book_once(stack: EmbeddedStack) -> None:
    model = stack.simulator.simulator.model
    projects = sorted(
        (p for p in model._data.projects.values() if bookable(p)),
        key=lambda p: int(p.project_id),
    )[:50]

    def converse(index: int) -> str:
        project = projects[index]
        agent = AgentClient(stack.lambdas.url, customer_id=project.customer_id, client_id=project.client_id)
        reply = agent.ask("get_available_dates", project_id=project.project_id)
        for attempt in range(12):
            if reply.body.get("available_dates"):
                day = reply.body["available_dates"][(index + attempt) % len(reply.body["available_dates"])]
                reply = agent.ask("get_time_slots", project_id=project.project_id, date=day)
            if "available_times" in reply.body:
                times = reply.body["available_times"]
                reply = agent.ask(
                    "confirm_appointment",
                    project_id=project.project_id,
                    date=reply.body["date"],
                    time=times[(index + attempt) % len(times)],
                )
            if reply.body.get("booked"):
                return "booked"
        return reply.message

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = Counter(pool.map(converse, range(50)))
    assert outcomes == Counter({"booked": 50})
    assert sum(1 for p in projects if p.status == "Scheduled") == 50


def test_an_uneventful_booking_asks_pf360_four_things(
    agent: AgentClient, pf360_calls: Callable[[], list[dict[str, Any]]]
) -> None:
    # When the customer lists their projects, then books one: dates, a date, a time
    agent.call("list_projects")
    _, slots = _book(agent)
    done = agent.call(
        "confirm_appointment", project_id="12345", date=slots["date"], time=slots["available_times"][0]
    )
    assert done.body["booked"] is True
    # Then PF360 was asked four things: the list proved the project the customer's for the session,
    # and every later turn named it from the session
    assert [c["operation"] for c in pf360_calls()] == [
        "get_projects",
        "get_available_dates",
        "get_time_slots",
        "confirm_appointment",
    ]


def test_without_a_list_first_ownership_is_proven_once(
    agent: AgentClient, pf360_calls: Callable[[], list[dict[str, Any]]]
) -> None:
    _, slots = _book(agent)
    agent.call(
        "confirm_appointment", project_id="12345", date=slots["date"], time=slots["available_times"][0]
    )
    assert [c["operation"] for c in pf360_calls()].count("get_projects") == 1
    assert len(pf360_calls()) == 4
