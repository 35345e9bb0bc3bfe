"""The booking conversation (agent_actions/booking.py) on in-memory fakes: the real session store over a
dict, the real bridge over a scripted Step Functions that plays the ASL with the real step Lambdas on
the fake PF360 (tooling/scheduling_tooling/fakes.py). No moto, no socket, no sleep.

Each test asserts what the customer would notice: the answer (status, words, data), the session's
step, what reached Step Functions and what PF360 was asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from agent_actions import booking, errors, information, notes
from agent_actions.identity import Caller
from agent_actions.present import Answer
from pf360_client.errors import PF360Unavailable
from pf360_client.weather import WeatherUnavailable
from scheduling_tooling.fakes import FakeDeps, fake_deps
from session_store import Session

CUSTOMER = Caller("conversation-1", "1645975", "09PF05VD")
ANOTHER_CUSTOMER = Caller(CUSTOMER.session_id, "7777777", "09PF05VD")
SAME_NUMBER_OTHER_CLIENT = Caller(CUSTOMER.session_id, "1645975", "11PF22QX")
# The seeded calendar as seen on Friday 2026-11-27 (fakes.START): the first date offered, its times
FIRST_DAY, FIRST_DAY_SAID, FIRST_TIMES = "2026-11-28", "Saturday, November 28, 2026", ["9:00 AM", "11:00 AM"]
NOT_OFFERED_DAY = "2031-01-01"


@pytest.fixture
def deps() -> FakeDeps:
    return fake_deps()


def session(deps: FakeDeps) -> Session:
    current = deps.store.get(CUSTOMER.session_id)
    assert current is not None
    return current


def item(deps: FakeDeps) -> dict[str, Any]:
    """The session item as stored (a copy)."""
    return dict(deps.store.table.items[CUSTOMER.session_id])


def started(deps: FakeDeps) -> list[str]:
    """The executions Step Functions was asked to start, in order (a landed retry counts again)."""
    return [name for call, name in deps.bridge.sent if call == "start_execution"]


def offer_dates(deps: FakeDeps, project: str = "12345", mode: str = "schedule") -> Answer:
    answer = booking.start_booking(deps, CUSTOMER, project, mode)
    assert answer.status == 200, answer.message
    assert answer.data["available_dates"]
    return answer


def offer_times(deps: FakeDeps, project: str = "12345", mode: str = "schedule") -> Answer:
    dates = offer_dates(deps, project, mode)
    times = booking.choose_date(deps, CUSTOMER, project, dates.data["available_dates"][0])
    assert times.status == 200, times.message
    return times


# --- start: get-available-dates, reschedule-appointment, cancel-appointment -------------------------


@pytest.mark.parametrize(
    ("mode", "refused_write", "said", "data"),
    [
        ("schedule", "confirm_appointment", "Booking by chat isn't available yet", {"booked": False}),
        ("reschedule", "confirm_appointment", "Booking by chat isn't available yet", {"booked": False}),
        ("reschedule", "cancel_appointment", "Booking by chat isn't available yet", {"booked": False}),
        ("cancel", "cancel_appointment", "Cancelling by chat isn't available yet", {"cancelled": False}),
    ],
)
def test_a_write_the_deployment_refuses_is_said_before_anything_starts(
    mode: str, refused_write: str, said: str, data: dict[str, bool]
) -> None:
    # Given production with the write this booking needs switched off
    deps = fake_deps(writes_disabled={refused_write})
    # When the customer asks for it
    answer = booking.start_booking(deps, CUSTOMER, "12347", mode)
    # Then they hear it honestly, and nothing was opened, asked or started
    assert (answer.status, answer.data) == (501, data)
    assert said in answer.message
    assert deps.store.table.items == {}
    assert (deps.pf360_calls, deps.bridge.asked) == ([], [])


def test_a_write_the_booking_does_not_need_does_not_stop_it() -> None:
    deps = fake_deps(writes_disabled={"cancel_appointment"})
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    assert answer.data["available_dates"][0] == FIRST_DAY


OPERATIONS: dict[str, Callable[[FakeDeps, Caller], object]] = {
    "get_available_dates": lambda deps, caller: booking.start_booking(deps, caller, "12345", "schedule"),
    "reschedule_appointment": lambda deps, caller: booking.start_booking(deps, caller, "12347", "reschedule"),
    "cancel_appointment": lambda deps, caller: booking.start_booking(deps, caller, "12347", "cancel"),
    "get_time_slots": lambda deps, caller: booking.choose_date(deps, caller, "12345", FIRST_DAY),
    "confirm_appointment": lambda deps, caller: booking.choose_slot(
        deps, caller, "12345", FIRST_DAY, "9:00 AM"
    ),
    "current_execution": booking.current_execution,
    "list_projects": booking.customer_projects,
}


@pytest.mark.parametrize("stranger", [ANOTHER_CUSTOMER, SAME_NUMBER_OTHER_CLIENT], ids=["customer", "client"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_conversation_of_another_pair_is_refused_before_anything(
    deps: FakeDeps, operation: str, stranger: Caller
) -> None:
    # Given the customer's conversation, with dates on offer
    offer_dates(deps)
    before, asked, sent = item(deps), len(deps.pf360_calls), list(deps.bridge.sent)
    deps.clock.advance(60)
    # When another (customer, client) pair acts on it
    with pytest.raises(errors.SessionNotYours) as refused:
        OPERATIONS[operation](deps, stranger)
    # Then it is told the conversation is someone else's
    assert refused.value.status == 403
    assert "belongs to someone else" in refused.value.message
    # And the item was not written (not even its TTL), PF360 not asked, Step Functions not sent anything
    assert item(deps) == before
    assert len(deps.pf360_calls) == asked
    assert deps.bridge.sent == sent


def test_another_customers_project_is_not_permitted_and_pf360_hears_nothing_of_it(deps: FakeDeps) -> None:
    # Given project 20000 belongs to another customer of the same client
    assert deps.model._data.projects["20000"].customer_id != CUSTOMER.customer_id
    # When the customer asks to book it
    with pytest.raises(errors.NotPermitted) as refused:
        booking.start_booking(deps, CUSTOMER, "20000", "schedule")
    # Then they hear it is not theirs
    assert (refused.value.status, refused.value.message) == (403, "That project is not on your account.")
    # And PF360 was asked only for the customer's own dashboard, and nothing started
    assert deps.pf360_calls == [("get_projects", None)]
    assert deps.bridge.sent == []
    assert (session(deps).project_id, session(deps).projects) == (None, {})


def test_a_whole_booking_asks_the_dashboard_once_and_pf360_four_times(deps: FakeDeps) -> None:
    # Given a customer who never listed their projects
    # When they book 12345 from start to finish
    dates = offer_dates(deps)
    times = booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    booked = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    # Then the dashboard proved the project once, at the start, and the session remembers it by name
    assert deps.pf360_calls == [("get_projects", None)]
    assert session(deps).projects["12345"]["name"] == "Flooring Installation"
    assert all("Flooring Installation" in a.message for a in (dates, times, booked))
    # And the booking cost PF360 four calls in all (dashboard, dates, times, confirm)
    assert [op for op, _ in deps.steps_pf360_calls] == [
        "get_available_dates",
        "get_time_slots",
        "confirm_appointment",
    ]


def test_listed_projects_start_with_no_dashboard_call(deps: FakeDeps) -> None:
    # Given the customer listed their projects
    booking.customer_projects(deps, CUSTOMER)
    assert deps.pf360_calls == [("get_projects", None)]
    # When they book one, Then the logic asks PF360 nothing more
    answer = offer_dates(deps, "12347", "reschedule")
    assert "Windows Installation" in answer.message
    assert deps.pf360_calls == [("get_projects", None)]


def test_an_agent_retry_of_a_running_booking_starts_nothing_new(deps: FakeDeps) -> None:
    # Given dates on offer
    first = offer_dates(deps)
    # When the agent asks again, and again once the customer is looking at a date's times
    again = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    while_choosing = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    # Then it hears the same dates each time, from the one execution, which PF360 was asked for once
    assert first.data == again.data == while_choosing.data
    assert len(started(deps)) == 1
    assert [op for op, _ in deps.steps_pf360_calls].count("get_available_dates") == 1
    assert session(deps).step == "awaiting_slot"


def test_a_start_that_never_reached_step_functions_is_started_by_the_next_call(deps: FakeDeps) -> None:
    # Given Step Functions cannot be reached
    deps.bridge.reachable = False
    # When the customer asks for dates, Then the call fails after three tries (the handler says 500)
    with pytest.raises(EndpointConnectionError):
        booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    assert deps.bridge.pauses == [0.1, 0.2]
    stranded = session(deps)
    assert (stranded.step, started(deps)) == ("starting", [])
    # When it is back and the agent asks again
    deps.bridge.reachable = True
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    # Then the execution the session names is started (not a second one) and offers its dates
    assert answer.data["available_dates"][0] == FIRST_DAY
    assert ("ensure_started", stranded.execution_name) in deps.bridge.asked
    assert started(deps) == [stranded.execution_name]
    assert session(deps).execution_name == stranded.execution_name


def test_a_start_waits_for_a_choice_in_flight(deps: FakeDeps) -> None:
    # Given a confirm handed to the execution that has not answered yet
    offer_times(deps)
    deps.bridge.next_turn(hold=True)
    with pytest.raises(booking.StillWorking):
        booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    sent = list(deps.bridge.sent)
    # When the customer asks to cancel another project meanwhile
    with pytest.raises(booking.StillWorking) as still:
        booking.start_booking(deps, CUSTOMER, "12347", "cancel")
    # Then they hear "still working": nothing is abandoned or started, the confirm's outcome comes first
    assert still.value.session.step == "working"
    assert deps.bridge.sent == sent
    assert session(deps).project_id == "12345"
    # And the agent's retry of the confirm hears "still working" too, until the confirm lands
    with pytest.raises(booking.StillWorking):
        booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    assert deps.bridge.sent == sent
    deps.bridge.release()
    booked = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    assert booked.data["booked"] is True


def test_a_concurrent_start_is_answered_from_the_booking_it_started(deps: FakeDeps) -> None:
    # Given the agent sends the same request twice at once: the other call starts first
    others: list[Answer] = []
    deps.bridge.meanwhile(lambda: others.append(booking.start_booking(deps, CUSTOMER, "12345", "schedule")))
    # When this call then tries to start (its version is stale: SessionConflict)
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    # Then it answers with what the other one started: the same dates, one execution
    assert answer.data == others[0].data
    assert answer.data["available_dates"][0] == FIRST_DAY
    assert len(started(deps)) == 1


def test_a_concurrent_start_of_another_booking_is_not_answered_as_this_one(deps: FakeDeps) -> None:
    # Given the customer asks to reschedule the windows while the flooring start is under way
    deps.bridge.meanwhile(lambda: booking.start_booking(deps, CUSTOMER, "12347", "reschedule"))
    # When the flooring start loses the race, Then it says "still working" (ask again) rather than
    # offering the windows' dates under the flooring's name
    with pytest.raises(booking.StillWorking):
        booking.start_booking(deps, CUSTOMER, "12345", "schedule")


def test_a_start_past_the_answer_deadline_says_still_working_and_the_retry_picks_it_up(
    deps: FakeDeps,
) -> None:
    # Given an execution that has not offered its dates by the answer deadline
    deps.bridge.next_turn(hold=True)
    with pytest.raises(booking.StillWorking) as still:
        booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    assert still.value.session.step == "starting"
    # When the agent asks again too soon, Then it is still working (the same execution, not a new one)
    with pytest.raises(booking.StillWorking):
        booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    # When the dates arrive and the agent asks again, Then it hears them
    deps.bridge.release()
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    assert answer.data["available_dates"][0] == FIRST_DAY
    assert len(deps.bridge.scripted.executions) == 1
    assert [op for op, _ in deps.steps_pf360_calls] == ["get_available_dates"]


def test_starting_over_with_another_project_ends_the_booking_left_behind(deps: FakeDeps) -> None:
    # Given dates on offer for the flooring
    offer_dates(deps)
    left = session(deps).execution_name
    # When the customer asks for dates for the deck instead
    answer = booking.start_booking(deps, CUSTOMER, "12350", "schedule")
    # Then the deck's answer is given (PF360 has no dates for it)
    assert (
        answer.message
        == "There are no dates available for your Deck Repair right now. Please try again later."
    )
    assert answer.data == {"available_dates": []}
    # And the flooring's execution was told the customer left, and ended
    assert ("send_task_failure", "Booking.Abandoned") in deps.bridge.sent
    assert deps.bridge.execution(left).status == "SUCCEEDED"
    assert (session(deps).project_id, session(deps).step) == ("12350", "no_availability")


def test_asking_again_after_a_booking_ended_starts_a_new_one(deps: FakeDeps) -> None:
    # Given a booking that ended (no dates for the deck)
    first = booking.start_booking(deps, CUSTOMER, "12350", "schedule")
    # When the customer asks again
    second = booking.start_booking(deps, CUSTOMER, "12350", "schedule")
    # Then PF360 is asked afresh, by a new execution
    assert first.data == second.data == {"available_dates": []}
    assert len(set(started(deps))) == 2


def test_after_the_session_expired_asking_for_dates_starts_afresh(deps: FakeDeps) -> None:
    # Given dates offered, then the customer walked away past the session's TTL
    offer_dates(deps)
    first = session(deps).execution_name
    deps.clock.advance(1801)
    # When they ask for dates again
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    # Then a new execution offers them (the old name is never reused) and nothing was carried over:
    # the project is proven by the dashboard again
    assert answer.data["available_dates"]
    assert started(deps)[-1] != first
    assert len(started(deps)) == 2
    assert deps.pf360_calls == [("get_projects", None), ("get_projects", None)]


def test_a_booking_that_fails_says_why(deps: FakeDeps) -> None:
    # Given PF360 is down for longer than the execution's retries
    deps.bridge.next_turn(raises="PF360Unavailable")
    # When the customer asks for dates
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    # Then they hear the scheduling system is unavailable, and the booking is recorded as failed
    assert (answer.status, answer.data) == (503, {"failed": True})
    assert "unavailable right now" in answer.message
    assert (session(deps).step, session(deps).error) == ("failed", "PF360Unavailable")


# --- choose date: get-time-slots --------------------------------------------------------------------


@pytest.mark.parametrize("other_project", [False, True], ids=["no session", "another project"])
def test_a_date_with_no_booking_in_progress_asks_for_dates_first(deps: FakeDeps, other_project: bool) -> None:
    # Given no booking, or one of another project
    if other_project:
        offer_dates(deps, "12347", "reschedule")
    sent = list(deps.bridge.sent)
    # When the customer picks a date for the flooring
    with pytest.raises(errors.InvalidInput) as refused:
        booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    # Then they are told to ask for dates first, and nothing is sent
    assert refused.value.status == 400
    assert (
        refused.value.message == "No booking is in progress for that project. Ask for available dates first."
    )
    assert deps.bridge.sent == sent


def test_a_date_after_the_session_expired_says_it_timed_out(deps: FakeDeps) -> None:
    # Given dates on offer, and the customer gone past the session's TTL
    offer_dates(deps)
    before, sent = item(deps), list(deps.bridge.sent)
    deps.clock.advance(1801)
    # When they pick a date
    answer = booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    # Then they hear the booking timed out, and nothing is sent or written
    assert (answer.status, answer.data) == (200, {"expired": True})
    assert "timed out" in answer.message
    assert deps.bridge.sent == sent
    assert item(deps) == before


def test_a_date_when_nothing_waits_for_one_answers_how_the_booking_stands(deps: FakeDeps) -> None:
    # Given a booking already confirmed
    offer_times(deps)
    booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    sent = list(deps.bridge.sent)
    # When the agent picks a date again
    answer = booking.choose_date(deps, CUSTOMER, "12345", "2026-11-30")
    # Then it hears the booking stands, and nothing is sent
    assert answer.data["booked"] is True
    assert f"booked for {FIRST_DAY_SAID} at 9:00 AM" in answer.message
    assert deps.bridge.sent == sent


def test_a_date_not_offered_is_asked_again_without_step_functions(deps: FakeDeps) -> None:
    # Given dates on offer
    dates = offer_dates(deps)
    sent, asked = list(deps.bridge.sent), len(deps.pf360_calls)
    # When the customer picks a date that was not offered
    answer = booking.choose_date(deps, CUSTOMER, "12345", NOT_OFFERED_DAY)
    # Then they are asked again, with the dates that are on offer
    assert (answer.status, answer.reprompt) == (400, True)
    assert answer.message.startswith(f"{NOT_OFFERED_DAY} is not one of the available dates.")
    assert f"{FIRST_DAY_SAID} ({FIRST_DAY})" in answer.message
    assert answer.data["available_dates"] == dates.data["available_dates"]
    # And neither Step Functions nor PF360 heard of it
    assert deps.bridge.sent == sent
    assert len(deps.pf360_calls) == asked


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (lambda deps: booking.choose_date(deps, CUSTOMER, "12345", "28/11/2026"), "That date is not valid"),
        (
            lambda deps: booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "25:99"),
            "That time is not valid",
        ),
        (
            lambda deps: booking.start_booking(deps, CUSTOMER, "twelve", "schedule"),
            "project_id must be the project's number",
        ),
        (lambda deps: booking.choose_date(deps, CUSTOMER, "12 345", FIRST_DAY), "project_id must be"),
    ],
    ids=["date", "time", "project to start", "project to continue"],
)
def test_a_malformed_detail_is_refused_with_what_is_expected(
    deps: FakeDeps, call: Callable[[FakeDeps], object], said: str
) -> None:
    offer_dates(deps)
    sent = list(deps.bridge.sent)
    with pytest.raises(errors.InvalidInput) as refused:
        call(deps)
    assert refused.value.status == 400
    assert refused.value.message.startswith(said)
    assert deps.bridge.sent == sent


def test_the_date_on_show_asked_again_shows_its_times_again(deps: FakeDeps) -> None:
    # Given the times of a date on show
    times = offer_times(deps)
    # When the agent picks that date again
    again = booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    # Then it hears the same times, and the choice was handed over only once
    assert again.data == times.data
    assert deps.bridge.sent.count(("send_task_success", {"date": FIRST_DAY})) == 1


def test_a_choice_step_functions_cannot_take_is_given_back(deps: FakeDeps) -> None:
    # Given dates on offer, and Step Functions unreachable
    offer_dates(deps)
    waiting = session(deps)
    deps.bridge.reachable = False
    # When the customer picks a date
    with pytest.raises(errors.HandOverFailed) as failed:
        booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    # Then they hear to try again (503), after three tries
    assert (failed.value.status, failed.value.message) == (
        503,
        "I couldn't pass your choice on just now. Please try again in a moment.",
    )
    assert deps.bridge.pauses == [0.1, 0.2]
    # And the offer still stands, so their next try goes through
    now = session(deps)
    assert (now.step, now.task_token, now.offered_dates) == (
        "awaiting_date",
        waiting.task_token,
        waiting.offered_dates,
    )
    deps.bridge.reachable = True
    times = booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    assert times.data["available_times"] == FIRST_TIMES


def test_a_date_is_handed_to_the_execution_which_offers_its_times(deps: FakeDeps) -> None:
    # Given dates on offer, a while ago
    offer_dates(deps)
    deps.clock.advance(600)
    # When the customer picks one
    answer = booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    # Then they hear its times, in their words
    assert (
        answer.message
        == f"Available times for your Flooring Installation on {FIRST_DAY_SAID}: 9:00 AM, 11:00 AM."
    )
    assert (answer.data["date"], answer.data["available_times"]) == (FIRST_DAY, FIRST_TIMES)
    # And the execution got the date and waits for a time; the session's TTL runs from this word
    assert deps.bridge.sent[-1] == ("send_task_success", {"date": FIRST_DAY})
    now = session(deps)
    assert (now.step, now.slots_date, now.offered_slots) == (
        "awaiting_slot",
        FIRST_DAY,
        ("09:00:00", "11:00:00"),
    )
    assert now.expires_at == int(deps.clock.now) + 1800


def test_another_date_while_times_are_on_show_offers_that_dates_times(deps: FakeDeps) -> None:
    offer_times(deps)
    answer = booking.choose_date(deps, CUSTOMER, "12345", "2026-11-30")
    assert answer.data["date"] == "2026-11-30"
    assert "Monday, November 30, 2026" in answer.message
    assert session(deps).slots_date == "2026-11-30"


def test_a_date_whose_times_are_gone_is_asked_again_with_a_notice(deps: FakeDeps) -> None:
    # Given dates on offer, and the chosen date's last times go before the execution asks for them
    dates = offer_dates(deps)
    deps.bridge.next_turn(raises="NoSlotsOnDate")
    # When the customer picks it
    answer = booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    # Then they hear why, with the dates again
    assert answer.message.startswith("That date has no free times left. Available dates for your Flooring")
    assert answer.data["available_dates"] == dates.data["available_dates"]
    assert (session(deps).step, session(deps).notice) == ("awaiting_date", "NoSlotsOnDate")


def test_a_concurrent_choice_answered_first_is_handed_over_once(deps: FakeDeps) -> None:
    # Given the agent sends the same date twice at once: the other call hands it over first
    offer_dates(deps)
    deps.bridge.meanwhile(lambda: booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY))
    # When this call tries to hand it over (BookingNotWaiting)
    answer = booking.choose_date(deps, CUSTOMER, "12345", FIRST_DAY)
    # Then it answers with the times the other one got, and the execution got the date once
    assert answer.data["available_times"] == FIRST_TIMES
    assert [call for call, _ in deps.bridge.sent].count("send_task_success") == 1


# --- choose slot: confirm-appointment ---------------------------------------------------------------


def test_a_time_is_handed_to_the_execution_which_books_it(deps: FakeDeps) -> None:
    # Given the times of a date on show
    offer_times(deps)
    # When the customer picks one
    answer = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    # Then they hear it is booked, with PF360's confirmation number
    assert answer.message == (
        f"Your Flooring Installation is booked for {FIRST_DAY_SAID} at 9:00 AM. "
        "Your confirmation number is PF12345-00001."
    )
    assert answer.data == {
        "booked": True,
        "date": FIRST_DAY,
        "time": "9:00 AM",
        "confirmation_number": "PF12345-00001",
    }
    # And PF360 holds that appointment, and the session says confirmed
    project = deps.model._data.projects["12345"]
    assert (project.status, project.scheduled_date, project.scheduled_time) == (
        "Scheduled",
        FIRST_DAY,
        "09:00:00",
    )
    assert deps.bridge.sent[-1] == ("send_task_success", {"slot": "09:00:00"})
    assert session(deps).step == "confirmed"


def test_confirming_the_booked_time_again_books_nothing(deps: FakeDeps) -> None:
    # Given a booking confirmed
    offer_times(deps)
    first = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    sent = list(deps.bridge.sent)
    # When the agent confirms the same time again (written another way)
    again = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "09:00:00")
    # Then it hears the same, and PF360 was asked to confirm once
    assert again.data == first.data
    assert deps.bridge.sent == sent
    assert [op for op, _ in deps.steps_pf360_calls].count("confirm_appointment") == 1


def test_a_time_when_nothing_waits_for_one_answers_how_the_booking_stands(deps: FakeDeps) -> None:
    # Given a booking confirmed at 9:00 AM
    offer_times(deps)
    booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    sent = list(deps.bridge.sent)
    # When the agent confirms another time
    answer = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "11:00 AM")
    # Then it hears the booking as it stands, and nothing is sent
    assert (answer.data["booked"], answer.data["time"]) == (True, "9:00 AM")
    assert deps.bridge.sent == sent


def test_a_time_before_a_date_is_chosen_asks_for_a_date_first(deps: FakeDeps) -> None:
    # Given dates on offer, no date chosen
    dates = offer_dates(deps)
    sent = list(deps.bridge.sent)
    # When the agent confirms a time
    answer = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    # Then the customer is asked for a date first, with the dates on offer, and nothing is sent
    assert (answer.status, answer.reprompt) == (400, True)
    assert answer.message.startswith("Please pick a date and then one of its times first. Available dates")
    assert answer.data["available_dates"] == dates.data["available_dates"]
    assert deps.bridge.sent == sent


def test_a_time_on_another_date_than_the_one_on_show_is_asked_again(deps: FakeDeps) -> None:
    times = offer_times(deps)
    sent = list(deps.bridge.sent)
    answer = booking.choose_slot(deps, CUSTOMER, "12345", "2026-11-30", "9:00 AM")
    assert (answer.status, answer.reprompt) == (400, True)
    assert answer.message.startswith("Please pick a date and then one of its times first. Available times")
    assert answer.data == times.data
    assert deps.bridge.sent == sent


def test_a_time_not_offered_is_asked_again_with_the_times_on_offer(deps: FakeDeps) -> None:
    offer_times(deps)
    sent, asked = list(deps.bridge.sent), list(deps.steps_pf360_calls)
    answer = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "11:11 PM")
    assert (answer.status, answer.reprompt) == (400, True)
    assert answer.message.startswith("That time is not one of the available times. Available times")
    assert answer.data["available_times"] == FIRST_TIMES
    assert (deps.bridge.sent, deps.steps_pf360_calls) == (sent, asked)


def test_a_time_taken_meanwhile_is_offered_again_with_a_notice(deps: FakeDeps) -> None:
    # Given the times on show, and someone else takes 9:00 AM before the confirm
    offer_times(deps)
    deps.model.fill_slot("09PF05VD", FIRST_DAY, "09:00:00")
    # When the customer picks 9:00 AM
    answer = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    # Then they hear it was just taken, with the times still free
    assert answer.message.startswith("The time you picked was just taken by someone else. Available times")
    assert answer.data["available_times"] == ["11:00 AM"]
    assert (session(deps).step, session(deps).notice) == ("awaiting_slot", "PF360SlotUnavailable")


def test_a_project_booked_elsewhere_meanwhile_is_said_at_confirm(deps: FakeDeps) -> None:
    # Given the customer is offered times for the flooring, and it is booked by another channel meanwhile
    times = offer_times(deps, "12345")
    deps.model._data.projects["12345"].status = "Scheduled"
    # When they confirm a time
    answer = booking.choose_slot(
        deps, CUSTOMER, "12345", times.data["date"], times.data["available_times"][0]
    )
    # Then PF360's refusal is checked and said: the appointment stands, a reschedule is offered
    assert answer.message == (
        "Your Flooring Installation already has an appointment. I can reschedule it if you like."
    )
    assert session(deps).step == "already_scheduled"


def test_a_confirm_refused_inside_the_booking_is_said_honestly(deps: FakeDeps) -> None:
    # Given the execution's confirm meets production's refusal (its flag was turned off meanwhile)
    offer_times(deps)
    deps.bridge.next_turn(raises="PF360WriteDisabled")
    # When the customer picks a time
    answer = booking.choose_slot(deps, CUSTOMER, "12345", FIRST_DAY, "9:00 AM")
    # Then they never hear "booked"
    assert (answer.status, answer.data) == (501, {"booked": False})
    assert answer.message.startswith("Booking by chat isn't available yet.")


# --- cancel, reschedule, projects, the current execution ---------------------------------------------


def test_cancelling_cancels_the_appointment_in_pf360(deps: FakeDeps) -> None:
    answer = booking.start_booking(deps, CUSTOMER, "12347", "cancel")
    assert (answer.message, answer.data) == (
        "The appointment for your Windows Installation is cancelled.",
        {"cancelled": True},
    )
    assert deps.model._data.projects["12347"].status == "Not Scheduled"
    assert (session(deps).mode, session(deps).step) == ("cancel", "cancelled")


def test_cancelling_again_says_so_without_cancelling_anew(deps: FakeDeps) -> None:
    # Given the appointment cancelled
    first = booking.start_booking(deps, CUSTOMER, "12347", "cancel")
    # When the agent asks to cancel it again
    again = booking.start_booking(deps, CUSTOMER, "12347", "cancel")
    # Then it hears it is cancelled, and nothing was started or sent to PF360 again
    assert again == first
    assert len(started(deps)) == 1
    assert [op for op, _ in deps.steps_pf360_calls].count("cancel_appointment") == 1


def test_rescheduling_offers_dates_to_move_to_and_moves_the_appointment(deps: FakeDeps) -> None:
    # When the customer asks to move the windows' appointment
    dates = offer_dates(deps, "12347", "reschedule")
    # Then a reschedule starts: PF360 released the old appointment (cancel-reschedule) and offered dates
    assert (session(deps).mode, session(deps).step) == ("reschedule", "awaiting_date")
    assert started(deps)[0].startswith("reschedule-12347-")
    assert ("cancel_reschedule", "12347") in deps.steps_pf360_calls
    assert deps.model._data.projects["12347"].status == "Pending Reschedule"
    # And when they pick a new date and time, PF360 holds the new appointment
    day = dates.data["available_dates"][1]
    times = booking.choose_date(deps, CUSTOMER, "12347", day)
    moved = booking.choose_slot(deps, CUSTOMER, "12347", day, times.data["available_times"][-1])
    assert (moved.data["booked"], moved.data["date"]) == (True, day)
    assert deps.model._data.projects["12347"].scheduled_date == day


def test_a_reschedule_that_needs_a_person_says_so(deps: FakeDeps) -> None:
    # Given a reschedule whose old appointment was released and that could neither book nor restore
    times = offer_times(deps, "12347", "reschedule")
    deps.bridge.next_turn(ends="escalated")
    # When the customer picks the new time
    answer = booking.choose_slot(
        deps, CUSTOMER, "12347", times.data["date"], times.data["available_times"][0]
    )
    # Then they hear a person will sort it out, never "booked"
    assert (answer.status, answer.data) == (500, {"needs_follow_up": True})
    assert "A member of our team will contact you" in answer.message
    assert session(deps).step == "escalated"


@pytest.mark.parametrize("mode", ["reschedule", "cancel"])
def test_changing_a_project_with_no_appointment_says_so_and_starts_nothing(deps: FakeDeps, mode: str) -> None:
    answer = booking.start_booking(deps, CUSTOMER, "12345", mode)
    verb = "cancel" if mode == "cancel" else "reschedule"
    assert (answer.status, answer.message) == (
        200,
        f"Your Flooring Installation has no appointment to {verb}. I can look for dates to book one.",
    )
    assert started(deps) == []
    assert deps.steps_pf360_calls == []


def test_booking_a_scheduled_project_says_when_and_offers_a_reschedule_up_front(deps: FakeDeps) -> None:
    answer = booking.start_booking(deps, CUSTOMER, "12347", "schedule")
    assert answer.message == (
        "Your Windows Installation already has an appointment on Monday, November 30, 2026 at 10:00 AM. "
        "I can reschedule it if you like."
    )
    assert answer.data["already_scheduled"] is True
    assert started(deps) == []


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("On Hold", "can't be scheduled: it is On Hold."),
        ("In Progress", "is In Progress, so its appointment can't be changed by chat."),
    ],
)
def test_a_project_pf360s_rules_refuse_is_refused_with_the_reason_before_anything_starts(
    deps: FakeDeps, status: str, said: str
) -> None:
    deps.model._data.projects["12345"].status = status
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    assert said in answer.message
    assert "office" in answer.message
    assert started(deps) == []


def test_a_refusal_pf360_knows_better_than_the_dashboard_is_said_too(deps: FakeDeps) -> None:
    # Given the dashboard listed the project as New, then PF360 stopped allowing it
    booking.customer_projects(deps, CUSTOMER)
    deps.model._data.projects["12345"].status = "Waiting for Product"
    # When the customer asks for dates, Then PF360's "Not allowed" is said, not a failure
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    assert answer.status == 200
    assert answer.data == {"schedulable": False}
    assert session(deps).step == "not_schedulable"
    assert "won't book your Flooring Installation right now" in answer.message  # the listing said New


def test_a_status_that_only_explains_is_left_to_pf360_and_then_explained(deps: FakeDeps) -> None:
    # PF360_API.md 7: the waiting set is unknown to the action rules (allowed), PF360 says no
    deps.model._data.projects["12345"].status = "Waiting for Product"
    answer = booking.start_booking(deps, CUSTOMER, "12345", "schedule")
    assert answer.message.startswith(
        "Your Flooring Installation can't be scheduled yet: it is Waiting for Product."
    )
    assert started(deps)  # the dates call was asked, as PF360's own client does


def test_a_reschedule_the_customer_walks_away_from_puts_the_old_appointment_back(deps: FakeDeps) -> None:
    # Given a reschedule under way: PF360 released the old appointment
    old = deps.model._data.projects["12347"]
    before = (old.scheduled_date, old.scheduled_time)
    offer_dates(deps, "12347", "reschedule")
    assert old.status == "Pending Reschedule"
    # When the wait ends without a choice
    deps.bridge.execution(session(deps).execution_name).abort_wait("States.Timeout", "no answer")
    # Then the old date and time are booked again, and the customer hears it was kept
    assert (old.status, old.scheduled_date, old.scheduled_time) == ("Scheduled", *before)
    assert session(deps).step == "reschedule_failed"
    late = booking.choose_date(deps, CUSTOMER, "12347", "2026-12-01")
    assert (
        late.message
        == "I couldn't move the appointment for your Windows Installation; your original appointment is kept."
    )


def test_listing_projects_remembers_them_for_the_session(deps: FakeDeps) -> None:
    projects = booking.customer_projects(deps, CUSTOMER)
    assert [(p.project_id, p.display_name, p.status) for p in projects] == [
        ("12345", "Flooring Installation", "New"),
        ("12347", "Windows Installation", "Scheduled"),
        ("12350", "Deck Repair", "New"),
    ]
    remembered = session(deps).projects
    assert {pid: facts["name"] for pid, facts in remembered.items()} == {
        "12345": "Flooring Installation",
        "12347": "Windows Installation",
        "12350": "Deck Repair",
    }
    assert {k: remembered["12347"][k] for k in ("name", "status", "date", "time")} == {
        "name": "Windows Installation",
        "status": "Scheduled",
        "date": "2026-11-30",
        "time": "10:00:00",
    }
    assert deps.pf360_calls == [("get_projects", None)]


def test_the_current_execution_names_the_booking_under_way(deps: FakeDeps) -> None:
    # Before any booking (and with no session at all) there is none, and asking writes nothing
    assert booking.current_execution(deps, CUSTOMER) == ""
    assert deps.store.table.items == {}
    # Once a booking starts it is that booking's execution, and a new booking has a new one
    offer_dates(deps)
    first = booking.current_execution(deps, CUSTOMER)
    assert first == session(deps).execution_name
    assert first.startswith("schedule-12345-")
    booking.start_booking(deps, CUSTOMER, "12347", "cancel")
    assert booking.current_execution(deps, CUSTOMER) not in ("", first)


def test_a_confirm_pf360_sends_for_review_is_not_called_booked(deps: FakeDeps) -> None:
    times = offer_times(deps)
    deps.model.review_confirms = True
    answer = booking.choose_slot(
        deps, CUSTOMER, "12345", times.data["date"], times.data["available_times"][0]
    )
    assert answer.data["booked"] is False
    assert answer.data["submitted_for_review"] is True
    assert "not booked yet" in answer.message
    assert session(deps).step == "submitted_for_review"
    assert deps.model._data.projects["12345"].status == "New"


def test_a_cancel_saves_the_customers_reason_as_a_note_for_the_office(deps: FakeDeps) -> None:
    answer = booking.cancel(deps, CUSTOMER, "12347", "We are moving house")
    assert answer.data == {"cancelled": True, "reason_saved": True}
    note = deps.model._data.projects["12347"].notes[-1]
    assert (
        note["note_text"]
        == "CANCELLATION REASON: We are moving house. Cancelled via AI Scheduling Assistant."
    )
    assert note["kind"] == "office"


def test_a_cancel_whose_reason_cannot_be_saved_still_says_cancelled_and_says_so(deps: FakeDeps) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise PF360Unavailable("down", operation="add_project_note")

    deps.model.add_note = refuse  # type: ignore[method-assign]
    answer = booking.cancel(deps, CUSTOMER, "12347", "Too expensive")
    assert answer.data == {"cancelled": True, "reason_saved": False}
    assert answer.message.endswith("I couldn't save your reason, though.")
    assert deps.model._data.projects["12347"].status == "Not Scheduled"


def test_a_cancel_that_did_not_happen_saves_no_reason(deps: FakeDeps) -> None:
    answer = booking.cancel(deps, CUSTOMER, "12345", "Changed my mind")  # nothing scheduled
    assert "cancelled" not in answer.data
    assert all(
        not n["note_text"].startswith("CANCELLATION") for n in deps.model._data.projects["12345"].notes
    )


def test_a_reschedule_says_the_old_appointment_was_released_and_will_be_put_back(deps: FakeDeps) -> None:
    booking.customer_projects(deps, CUSTOMER)
    answer = booking.start_booking(deps, CUSTOMER, "12347", "reschedule")
    assert answer.message.startswith(
        "To move it, the scheduling system has released your appointment on Monday, November 30, 2026 at "
        "10:00 AM; if no new time is booked, I will book it again. "
        "Available dates for your Windows Installation:"
    )


def test_project_details_come_from_what_the_listing_remembered(deps: FakeDeps) -> None:
    booking.customer_projects(deps, CUSTOMER)
    calls = len(deps.pf360_calls)
    answer = information.project_details(deps, CUSTOMER, "12347")
    assert len(deps.pf360_calls) == calls  # no second dashboard call
    assert answer.data["category"] == "Windows"
    assert answer.data["status"] == "Scheduled"
    assert answer.data["appointment"] == "Monday, November 30, 2026 at 10:00 AM"
    assert (
        answer.data["store"] == "Springfield Home Center #" + deps.model._data.projects["12347"].store_number
    )
    assert "installation address" in answer.message


def test_project_details_without_a_listing_read_the_dashboard_once(deps: FakeDeps) -> None:
    answer = information.project_details(deps, CUSTOMER, "12345")
    assert deps.pf360_calls == [("get_projects", None)]
    assert (answer.data["category"], answer.data["appointment"]) == ("Flooring", None)


def test_an_address_change_is_a_request_to_the_office_never_applied(deps: FakeDeps) -> None:
    project = deps.model._data.projects["12345"]
    before = (project.address1, project.city)
    listed = {p.project_id: p for p in booking.customer_projects(deps, CUSTOMER)}
    answer = notes.request_address_change(deps, CUSTOMER, listed["12345"], "12 Elm St, Springfield, IL 62701")
    assert answer.data == {"address_change_requested": True}
    note = project.notes[-1]
    assert note["kind"] == "address_change"
    assert note["note_text"].startswith("CUSTOMER REQUESTED INSTALLATION ADDRESS UPDATE: 12 Elm St")
    assert (project.address1, project.city) == before


def test_weather_starts_from_the_appointment_day_when_the_forecast_reaches_it(deps: FakeDeps) -> None:
    deps.model._data.projects["12347"].scheduled_date = (date.today() + timedelta(days=3)).isoformat()
    answer = information.weather(deps, CUSTOMER, "12347", 2)
    assert answer.data["from_appointment"] is True
    assert answer.message.startswith("From your appointment day, the forecast")


def test_weather_is_never_invented_when_the_provider_fails(deps: FakeDeps) -> None:
    class Down:
        def weather_for_address(self, **_: object) -> None:
            raise WeatherUnavailable("forecast service answered 503")

    deps.weather = Down()  # type: ignore[assignment]
    answer = information.weather(deps, CUSTOMER, "12345", 3)
    assert answer.data == {"forecast": None}
    assert answer.message == "The weather forecast is unavailable right now. Please ask again later."


def test_a_reschedule_without_the_old_time_is_refused_up_front(deps: FakeDeps) -> None:
    # Given PF360 shows the appointment's date but not its time (PF360_API.md 4.1: S's mocks do)
    booking.customer_projects(deps, CUSTOMER)
    remembered = session(deps).projects["12347"]
    deps.store.remember_projects(session(deps), {"12347": {**remembered, "time": None}})
    # When the customer asks to move it, Then nothing is released: it could not be put back
    answer = booking.start_booking(deps, CUSTOMER, "12347", "reschedule")
    assert "doesn't show its time" in answer.message
    assert started(deps) == []
    assert deps.model._data.projects["12347"].status == "Scheduled"


def test_a_release_that_fails_after_pf360_cancelled_still_puts_the_appointment_back(deps: FakeDeps) -> None:
    # Given PF360 cancels for the reschedule but its answer cannot be read (a BadResponse)
    project = deps.model._data.projects["12347"]
    before = (project.scheduled_date, project.scheduled_time)
    real = deps.model.cancel_reschedule

    def cancels_then_garbles(client_id: str, project_id: str) -> dict[str, Any]:
        real(client_id, project_id)
        return {"dates": "not a list"}  # breaks the contract: PF360BadResponse after the cancel

    deps.model.cancel_reschedule = cancels_then_garbles  # type: ignore[method-assign]
    booking.start_booking(deps, CUSTOMER, "12347", "reschedule")
    # Then the step saw the appointment gone (released), and the booking goes on from the dates call
    assert session(deps).step == "awaiting_date"
    deps.bridge.execution(session(deps).execution_name).abort_wait("States.Timeout", "walked away")
    assert (project.status, project.scheduled_date, project.scheduled_time) == ("Scheduled", *before)
