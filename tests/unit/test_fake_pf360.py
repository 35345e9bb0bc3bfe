"""The stateful fake PF360 with an injected clock: seed data, calendar, request ids, bookings, notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from pf360_client.fake import data
from pf360_client.fake.data import CLIENTS, DEMO_CLIENT, DEMO_CUSTOMER, build_seed
from pf360_client.fake.model import ALREADY_SCHEDULED, REQUEST_EXPIRED, SLOT_TAKEN, FakeHTTPError, FakePF360
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


def dates_for(fake: FakePF360, project_id: str, *, reschedule: bool = False) -> dict[str, Any]:
    today = fake.today().isoformat()
    return fake.available_dates(DEMO_CLIENT, project_id, today, today, reschedule=reschedule)


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
    assert one.notes(DEMO_CLIENT, "20000") == two.notes(DEMO_CLIENT, "20000")


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
        and p.status == "Pending"
        and p.category not in data.NO_AVAILABILITY_CATEGORIES
    )


@pytest.mark.parametrize("client_id", sorted(CLIENTS))
def test_offered_dates_and_slots_stay_inside_business_hours(fake: FakePF360, client_id: str) -> None:
    # Given a schedulable project of the client and its weekly hours
    project_id = schedulable_project(client_id)
    hours = {w.day: w for w in CLIENTS[client_id].work_hours}
    # When dates are offered for four weeks
    offer = fake.available_dates(client_id, project_id, "2025-06-02", "2025-06-30", reschedule=False)
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


def test_deck_repair_gets_no_dates_but_still_a_request_id(fake: FakePF360) -> None:
    offer = dates_for(fake, "12350")
    assert offer["dates"] == []
    assert isinstance(offer["request_id"], int)


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
    assert fake.project(DEMO_CLIENT, "12345").status == "Pending"


def test_confirming_an_already_scheduled_project_is_refused(fake: FakePF360) -> None:
    # Given project 12347, already Scheduled, and a normal (not reschedule) request id
    day, time, request_id = first_open_slot(fake, "12347")
    before = fake.project(DEMO_CLIENT, "12347").scheduled_date
    # When it is confirmed, Then it is refused and the appointment is untouched
    with refused(400, ALREADY_SCHEDULED):
        fake.confirm(DEMO_CLIENT, "12347", day, time, request_id)
    assert fake.project(DEMO_CLIENT, "12347").scheduled_date == before


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


def test_a_reschedule_moves_the_appointment_and_frees_the_old_slot(fake: FakePF360) -> None:
    # Given project 12345 booked into an open slot
    old_day, old_time, old_free = book_12345(fake)
    # And a reschedule offer for a slot on another day
    offer = dates_for(fake, "12345", reschedule=True)
    new_day = next(d for d in offer["dates"] if d != old_day)
    slots = fake.time_slots(DEMO_CLIENT, "12345", new_day, offer["request_id"])["slots"]
    new_time = normalize_time(slots[0])
    new_free = fake.capacity(DEMO_CLIENT, new_day, new_time)
    # When it is confirmed with the reschedule request id
    result = fake.confirm(DEMO_CLIENT, "12345", new_day, new_time, offer["request_id"])
    # Then the appointment moved, the old slot has its crew back and the new one lost one
    project = fake.project(DEMO_CLIENT, "12345")
    assert (result["date"], result["time"]) == (new_day, new_time)
    assert project.status == "Scheduled"
    assert (project.scheduled_date, project.scheduled_time) == (new_day, new_time)
    assert fake.capacity(DEMO_CLIENT, old_day, old_time) == old_free
    assert fake.capacity(DEMO_CLIENT, new_day, new_time) == new_free - 1


def test_cancel_frees_the_slot_and_marks_the_project_cancelled(fake: FakePF360) -> None:
    # Given project 12345 booked into an open slot
    day, time, free = book_12345(fake)
    # When it is cancelled
    assert fake.cancel(DEMO_CLIENT, "12345") == {"project_id": "12345", "status": "Cancelled"}
    # Then its crew is free again and nothing is scheduled
    project = fake.project(DEMO_CLIENT, "12345")
    assert fake.capacity(DEMO_CLIENT, day, time) == free
    assert (project.status, project.scheduled_date, project.scheduled_time) == ("Cancelled", None, None)
    # And a second cancel has nothing to cancel
    with pytest.raises(FakeHTTPError, check=lambda e: e.status == 400):
        fake.cancel(DEMO_CLIENT, "12345")


def test_reset_restores_the_seeded_state(fake: FakePF360) -> None:
    # Given a booking, a cancellation and a note
    pristine_notes = fake.notes(DEMO_CLIENT, "12345")
    day, time, request_id = first_open_slot(fake, "12345")
    free = fake.capacity(DEMO_CLIENT, day, time)
    fake.confirm(DEMO_CLIENT, "12345", day, time, request_id)
    fake.cancel(DEMO_CLIENT, "12347")
    fake.add_note(DEMO_CLIENT, DEMO_CUSTOMER, "12345", "call first")
    # When the fake is reset
    fake.reset()
    # Then projects, capacity and notes are as seeded
    assert fake.project(DEMO_CLIENT, "12345").status == "Pending"
    assert fake.project(DEMO_CLIENT, "12347").status == "Scheduled"
    assert fake.capacity(DEMO_CLIENT, day, time) == free
    assert fake.notes(DEMO_CLIENT, "12345") == pristine_notes


# --- shadow and notes -----------------------------------------------------------------------------


def test_shadow_accepts_writes_for_projects_it_has_never_seen(clock: Clock, fake: FakePF360) -> None:
    # Given a shadow fake (real reads elsewhere, writes stay here) and a project it does not know
    shadow = FakePF360(SEED, clock=clock, shadow=True)
    # When each write is sent for it, Then each is accepted
    booked = shadow.confirm(DEMO_CLIENT, "987654", "2025-06-03", "10:00:00", "real-scheduler-1")
    assert booked["project_id"] == "987654"
    assert shadow.add_note(DEMO_CLIENT, "555", "987654", "hello")["note_text"] == "hello"
    assert shadow.cancel(DEMO_CLIENT, "987654")["status"] == "Cancelled"
    # While a normal fake refuses the same write
    with refused(404, "Project not found"):
        fake.confirm(DEMO_CLIENT, "987654", "2025-06-03", "10:00:00", 1)


def test_a_note_on_another_customers_project_is_not_found(fake: FakePF360) -> None:
    # Given a project of the demo client that belongs to a different customer
    other = next(
        p.project_id
        for p in build_seed(SEED, START.date()).projects.values()
        if p.client_id == DEMO_CLIENT and p.customer_id != DEMO_CUSTOMER
    )
    # When the demo customer adds a note to it, Then it is not found and no note is stored
    before = fake.notes(DEMO_CLIENT, other)
    with pytest.raises(FakeHTTPError, check=lambda e: e.status == 404):
        fake.add_note(DEMO_CLIENT, DEMO_CUSTOMER, other, "not mine")
    assert fake.notes(DEMO_CLIENT, other) == before
