"""The stateful fake PF360 with an injected clock: seed data, calendar, request ids, bookings, notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from pf360_client.fake import data
from pf360_client.fake.data import CLIENTS, DEMO_CLIENT, DEMO_CUSTOMER, build_seed
from pf360_client.fake.model import (
    AFTER_CANCEL,
    AFTER_CANCEL_RESCHEDULE,
    ALREADY_SCHEDULED,
    NOT_ALLOWED,
    NOT_SCHEDULED,
    REQUEST_EXPIRED,
    SLOT_TAKEN,
    FakeHTTPError,
    FakePF360,
)
from pf360_client.normalize import normalize_time

SEED = 1645975
START = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)  # a Monday


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def fake(clock: Clock) -> FakePF360:
    return FakePF360(SEED, clock=clock)


def dates_for(fake: FakePF360, project_id: str) -> dict[str, Any]:
    first = fake.today() + timedelta(days=1)
    return fake.available_dates(
        DEMO_CLIENT, project_id, first.isoformat(), (first + timedelta(days=10)).isoformat()
    )


def first_open_slot(fake: FakePF360, project_id: str) -> tuple[str, str, int]:
    offer = dates_for(fake, project_id)
    day = offer["dates"][0]
    slots = fake.time_slots(DEMO_CLIENT, project_id, day, offer["request_id"])["slots"]
    return day, normalize_time(slots[0]), offer["request_id"]


def refused(status: int, message: str) -> pytest.RaisesExc[FakeHTTPError]:
    return pytest.raises(FakeHTTPError, check=lambda e: (e.status, e.message) == (status, message))


# --- seed data ------------------------------------------------------------------------------------


def test_same_seed_gives_identical_data() -> None:
    # Given two fakes built from one seed on the same day
    one, two = FakePF360(7, clock=Clock(START)), FakePF360(7, clock=Clock(START))
    demo = (DEMO_CLIENT, DEMO_CUSTOMER)
    # Then the seed data, and what the fakes serve from it, are identical
    assert build_seed(7, START.date()) == build_seed(7, START.date())
    assert one.customer_projects(*demo) == two.customer_projects(*demo)
    owner = one.project(DEMO_CLIENT, "20000").customer_id
    assert one.notes(DEMO_CLIENT, owner, "20000") == two.notes(DEMO_CLIENT, owner, "20000")


def test_different_seeds_generate_different_customers() -> None:
    day = START.date()
    assert set(build_seed(1, day).customers) != set(build_seed(2, day).customers)


@pytest.mark.parametrize("seed", [SEED, 0, 1, 99])
def test_the_documented_demo_customer_always_has_its_three_projects(seed: int) -> None:
    fake = FakePF360(seed, clock=Clock(START))
    projects = fake.customer_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    assert tuple(p.project_id for p in projects) == data.DEMO_PROJECTS == ("12345", "12347", "12350")


# --- calendar -------------------------------------------------------------------------------------


def schedulable_project(client_id: str) -> str:
    projects = build_seed(SEED, START.date()).projects.values()
    return next(
        p.project_id
        for p in projects
        if p.client_id == client_id
        and p.status == "New"
        and p.category not in data.NO_AVAILABILITY_CATEGORIES
    )


@pytest.mark.parametrize("client_id", sorted(CLIENTS))
def test_offered_dates_and_slots_stay_inside_business_hours(fake: FakePF360, client_id: str) -> None:
    # Given a schedulable project of the client and its weekly hours
    project_id = schedulable_project(client_id)
    hours = {w.day: w for w in CLIENTS[client_id].work_hours}
    # When dates are offered for four weeks
    offer = fake.available_dates(client_id, project_id, "2025-06-02", "2025-06-30")
    # Then every date is a future working day and every slot fits inside that day's hours
    assert offer["dates"]
    for day in offer["dates"]:
        when = date.fromisoformat(day)
        work = hours[data.WEEKDAYS[when.weekday()]]
        assert START.date() < when <= date(2025, 6, 30)
        assert work.is_working, f"{day} is a {work.day}"
        slots = fake.time_slots(client_id, project_id, day, offer["request_id"])["slots"]
        assert slots
        for slot in map(normalize_time, slots):
            start_hour = int(slot[:2])
            assert f"{work.start}:00" <= slot
            assert start_hour + CLIENTS[client_id].slot_hours <= int(work.end[:2])


def test_deck_repair_gets_no_dates_and_request_id_zero(fake: FakePF360) -> None:
    assert dates_for(fake, "12350") == {"dates": [], "request_id": 0}  # as PF360 answers no availability


def test_the_dates_call_refuses_a_booked_project_and_one_pf360_will_not_schedule(fake: FakePF360) -> None:
    with refused(400, ALREADY_SCHEDULED):
        dates_for(fake, "12347")
    fake.project(DEMO_CLIENT, "12345").status = "Waiting for Product"
    with refused(400, NOT_ALLOWED):
        dates_for(fake, "12345")


# --- request ids ----------------------------------------------------------------------------------


def test_request_ids_are_integers_valid_until_their_ttl(fake: FakePF360, clock: Clock) -> None:
    # Given a fresh request id
    offer = dates_for(fake, "12345")
    assert type(offer["request_id"]) is int
    # When the clock reaches just under the TTL, Then it still works
    clock.advance(fake.request_ttl - timedelta(seconds=1))
    assert fake.time_slots(DEMO_CLIENT, "12345", offer["dates"][0], offer["request_id"])["slots"]
    # When the TTL has passed, Then the scheduler refuses it as expired
    clock.advance(timedelta(seconds=2))
    with refused(400, REQUEST_EXPIRED):
        fake.time_slots(DEMO_CLIENT, "12345", offer["dates"][0], offer["request_id"])


def test_a_request_id_of_another_project_is_refused(fake: FakePF360) -> None:
    offer = dates_for(fake, "12345")
    with refused(400, REQUEST_EXPIRED):
        fake.time_slots(DEMO_CLIENT, "12347", offer["dates"][0], offer["request_id"])


# --- bookings -------------------------------------------------------------------------------------


def test_slot_taken_at_confirm_is_refused(fake: FakePF360) -> None:
    # Given an offered slot that other customers fill before the confirm
    day, time, request_id = first_open_slot(fake, "12345")
    fake.fill_slot(DEMO_CLIENT, day, time)
    # When the customer confirms it, Then the fake answers "slot taken"
    with refused(400, SLOT_TAKEN):
        fake.confirm(DEMO_CLIENT, "12345", day, time, request_id)
    assert fake.project(DEMO_CLIENT, "12345").status == "New"


def test_confirming_an_already_scheduled_project_is_refused(fake: FakePF360) -> None:
    # Given project 12347, already Scheduled, and a request id for it (as a stale client might hold)
    project = fake.project(DEMO_CLIENT, "12347")
    before = (project.scheduled_date, project.scheduled_time)
    request_id = fake.issue_request(project)
    # When it is confirmed, Then it is refused and the appointment is untouched
    with refused(400, ALREADY_SCHEDULED):
        fake.confirm(DEMO_CLIENT, "12347", "2025-06-04", "10:00:00", request_id)
    assert (project.scheduled_date, project.scheduled_time) == before


def test_a_confirmed_request_id_cannot_book_twice(fake: FakePF360) -> None:
    day, time, request_id = first_open_slot(fake, "12345")
    fake.confirm(DEMO_CLIENT, "12345", day, time, request_id)
    with refused(400, REQUEST_EXPIRED):
        fake.confirm(DEMO_CLIENT, "12345", day, time, request_id)


def book_12345(fake: FakePF360) -> tuple[str, str, int]:
    """Book demo project 12345 into its first open slot; return the slot and its free crews before."""
    day, time, request_id = first_open_slot(fake, "12345")
    free = fake.capacity(DEMO_CLIENT, day, time)
    fake.confirm(DEMO_CLIENT, "12345", day, time, request_id)
    assert fake.capacity(DEMO_CLIENT, day, time) == free - 1
    return day, time, free


def test_cancel_reschedule_cancels_at_once_and_offers_new_dates(fake: FakePF360) -> None:
    # Given project 12345 booked into an open slot
    old_day, old_time, old_free = book_12345(fake)
    # When cancel-reschedule is called
    moved = fake.cancel_reschedule(DEMO_CLIENT, "12345")
    # Then the appointment is gone already (its crew is back) and new dates come with a request id
    project = fake.project(DEMO_CLIENT, "12345")
    assert (project.status, project.scheduled_date, project.scheduled_time) == (
        AFTER_CANCEL_RESCHEDULE,
        None,
        None,
    )
    assert fake.capacity(DEMO_CLIENT, old_day, old_time) == old_free
    assert moved["dates"]
    # When a new time is confirmed with that request id, Then the project is booked there
    new_day = next(d for d in moved["dates"] if d != old_day)
    new_time = fake.time_slots(DEMO_CLIENT, "12345", new_day, moved["request_id"])["slots"][0]
    fake.confirm(DEMO_CLIENT, "12345", new_day, new_time, moved["request_id"])
    assert (project.status, project.scheduled_date, project.scheduled_time) == (
        "Scheduled",
        new_day,
        new_time,
    )
    # And cancel-reschedule of a project with nothing booked is refused
    with refused(400, NOT_SCHEDULED):
        fake.cancel_reschedule(DEMO_CLIENT, "12350")


def test_cancel_frees_the_slot_and_leaves_the_project_not_scheduled(fake: FakePF360) -> None:
    # Given project 12345 booked into an open slot
    day, time, free = book_12345(fake)
    # When it is cancelled
    assert fake.cancel(DEMO_CLIENT, "12345") == {"message": "Appointment cancelled successfully"}
    # Then its crew is free again and nothing is scheduled
    project = fake.project(DEMO_CLIENT, "12345")
    assert fake.capacity(DEMO_CLIENT, day, time) == free
    assert (project.status, project.scheduled_date, project.scheduled_time) == (AFTER_CANCEL, None, None)
    # And a second cancel has nothing to cancel
    with refused(400, NOT_SCHEDULED):
        fake.cancel(DEMO_CLIENT, "12345")


def test_reset_restores_the_seeded_state(fake: FakePF360) -> None:
    # Given a booking, a cancellation and a note
    pristine_notes = fake.notes(DEMO_CLIENT, DEMO_CUSTOMER, "12345")
    day, time, request_id = first_open_slot(fake, "12345")
    free = fake.capacity(DEMO_CLIENT, day, time)
    fake.confirm(DEMO_CLIENT, "12345", day, time, request_id)
    fake.cancel(DEMO_CLIENT, "12347")
    fake.add_note(DEMO_CLIENT, "12345", "call first", author="Customer (chat)")
    # When the fake is reset
    fake.reset()
    # Then projects, capacity and notes are as seeded
    assert fake.project(DEMO_CLIENT, "12345").status == "New"
    assert fake.project(DEMO_CLIENT, "12347").status == "Scheduled"
    assert fake.capacity(DEMO_CLIENT, day, time) == free
    assert fake.notes(DEMO_CLIENT, DEMO_CUSTOMER, "12345") == pristine_notes


# --- shadow and notes -----------------------------------------------------------------------------


def test_shadow_accepts_writes_for_projects_it_has_never_seen(clock: Clock, fake: FakePF360) -> None:
    # Given a shadow fake (real reads elsewhere, writes stay here) and a project it does not know
    shadow = FakePF360(SEED, clock=clock, shadow=True)
    # When each write is sent for it, Then each is accepted
    assert shadow.confirm(DEMO_CLIENT, "987654", "2025-06-03", "10:00:00", 90001234)["confirmation_number"]
    shadow.add_note(DEMO_CLIENT, "987654", "hello", author="Customer (chat)")
    assert shadow.notes(DEMO_CLIENT, "555", "987654")[0]["note_text"] == "hello"
    assert shadow.cancel(DEMO_CLIENT, "987654") == {"message": "Appointment cancelled successfully"}
    # While a normal fake refuses the same write
    with refused(404, "Project not found"):
        fake.confirm(DEMO_CLIENT, "987654", "2025-06-03", "10:00:00", 1)


def test_notes_of_another_customers_project_are_not_found(fake: FakePF360) -> None:
    # Given a project of the demo client that belongs to a different customer
    other = next(
        p.project_id
        for p in build_seed(SEED, START.date()).projects.values()
        if p.client_id == DEMO_CLIENT and p.customer_id != DEMO_CUSTOMER
    )
    # When the demo customer reads its notes (the list route names the customer), Then it is not found
    with pytest.raises(FakeHTTPError, check=lambda e: e.status == 404):
        fake.notes(DEMO_CLIENT, DEMO_CUSTOMER, other)
