"""Seed data for the fake PF360: clients, customers, projects, notes. Deterministic from a seed.

Customer 1645975 of client 09PF05VD with projects 12345, 12347 and 12350 is the publicly documented
example, always present so the docs and the demo line up. Every name and address here is synthetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from pf360_client.project_rules import can_schedule

DEMO_CLIENT = "09PF05VD"
DEMO_CUSTOMER = "1645975"
DEMO_PROJECTS = ("12345", "12347", "12350")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Categories for which the scheduler offers no dates (the real API does this for some types).
NO_AVAILABILITY_CATEGORIES = frozenset({"Deck Repair"})
# Statuses as PF360 spells them (PF360_API.md 4.1); which ones may be booked is project_rules'.
STORES = {"09PF05VD": "Springfield Home Center", "11PF22QX": "Fairview Depot"}


@dataclass(frozen=True)
class WorkDay:
    day: str
    is_working: bool
    start: str = "00:00"
    end: str = "00:00"


@dataclass(frozen=True)
class ClientProfile:
    client_id: str
    timezone: str
    work_hours: tuple[WorkDay, ...]
    slot_hours: int = 2


@dataclass
class Project:
    project_id: str
    client_id: str
    customer_id: str
    number: str
    type: str
    category: str
    status: str
    store_number: str
    address1: str
    address2: str | None
    city: str
    state: str
    zipcode: str
    date_sold: str
    installer_id: str
    installer_first: str
    installer_last: str
    duration_hours: int
    scheduled_date: str | None = None  # YYYY-MM-DD
    scheduled_time: str | None = None  # HH:MM:SS
    completed_date: str | None = None
    notes: list[dict[str, str]] = field(default_factory=list)


@dataclass
class SeedData:
    clients: dict[str, ClientProfile]
    projects: dict[str, Project]
    customers: dict[tuple[str, str], list[str]]  # (client_id, customer_id) -> project ids


def _week(start: str, end: str, saturday: tuple[str, str] | None) -> tuple[WorkDay, ...]:
    days = [WorkDay(d, True, start, end) for d in WEEKDAYS[:5]]
    days.append(WorkDay("Saturday", True, *saturday) if saturday else WorkDay("Saturday", False))
    return (*days, WorkDay("Sunday", False))


CLIENTS = {
    DEMO_CLIENT: ClientProfile(DEMO_CLIENT, "America/New_York", _week("08:00", "17:00", ("09:00", "13:00"))),
    "11PF22QX": ClientProfile("11PF22QX", "America/Chicago", _week("07:00", "18:00", None)),
}

_TYPES = (
    ("Installation", "Flooring"),
    ("Installation", "Windows"),
    ("Installation", "Cabinets"),
    ("Measure", "Flooring"),
    ("Repair", "Deck Repair"),
    ("Installation", "Roofing"),
)
_STATUSES = ("New", "New", "Ready To Schedule", "Scheduled", "Project Completed", "On Hold")
_FIRST = ("Alex", "Jordan", "Sam", "Riley", "Casey", "Morgan", "Taylor", "Jamie")
_LAST = ("Rivera", "Nguyen", "Okafor", "Larsen", "Patel", "Moreau", "Kowalski", "Santos")
_STREETS = ("Maple Ave", "Oak St", "Cedar Ln", "Birch Rd", "Elm Ct", "Willow Way")
_CITIES = (("Springfield", "IL", "62701"), ("Riverton", "GA", "30274"), ("Fairview", "TX", "75069"))


def bookable(project: Project) -> bool:
    """A seeded project a booking can finish for: PF360's status rules let it be scheduled (its
    remembered "Ready To Schedule" dates are stale, not an appointment) and it gets dates."""
    return can_schedule(project.status).allowed and project.category not in NO_AVAILABILITY_CATEGORIES


def build_seed(seed: int, today: date, customers_per_client: int = 50) -> SeedData:
    rng = random.Random(seed)
    projects: dict[str, Project] = {}
    customers: dict[tuple[str, str], list[str]] = {}

    def add(project: Project) -> None:
        projects[project.project_id] = project
        customers.setdefault((project.client_id, project.customer_id), []).append(project.project_id)

    for pid, kind, category, status in (
        ("12345", "Installation", "Flooring", "New"),
        ("12347", "Installation", "Windows", "Scheduled"),
        ("12350", "Repair", "Deck Repair", "New"),
    ):
        add(_project(rng, pid, DEMO_CLIENT, DEMO_CUSTOMER, kind, category, status, today))

    next_pid = 20000
    for client_id in CLIENTS:
        for _ in range(customers_per_client):
            customer_id = str(rng.randrange(1_000_000, 9_999_999))
            while (client_id, customer_id) in customers:
                customer_id = str(rng.randrange(1_000_000, 9_999_999))
            for _ in range(rng.randint(1, 4)):
                kind, category = rng.choice(_TYPES)
                add(
                    _project(
                        rng,
                        str(next_pid),
                        client_id,
                        customer_id,
                        kind,
                        category,
                        rng.choice(_STATUSES),
                        today,
                    )
                )
                next_pid += rng.randint(1, 7)
    return SeedData(dict(CLIENTS), projects, customers)


def _project(
    rng: random.Random,
    pid: str,
    client_id: str,
    customer_id: str,
    kind: str,
    category: str,
    status: str,
    today: date,
) -> Project:
    city, state, zipcode = rng.choice(_CITIES)
    project = Project(
        project_id=pid,
        client_id=client_id,
        customer_id=customer_id,
        number=f"PRJ-{pid}",
        type=kind,
        category=category,
        status=status,
        store_number=str(rng.randint(1000, 9999)),
        address1=f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}",
        address2=rng.choice((None, None, "Unit 2")),
        city=city,
        state=state,
        zipcode=zipcode,
        date_sold=(today - timedelta(days=rng.randint(5, 60))).isoformat(),
        installer_id=str(rng.randint(100, 999)),
        installer_first=rng.choice(_FIRST),
        installer_last=rng.choice(_LAST),
        duration_hours=2,
    )
    if status == "Scheduled":
        project.scheduled_date = _next_weekday(today + timedelta(days=rng.randint(3, 12))).isoformat()
        project.scheduled_time = "10:00:00"
    if status == "Project Completed":
        project.completed_date = (today - timedelta(days=rng.randint(1, 30))).isoformat()
    if rng.random() < 0.4:
        project.notes.append(
            {
                "note_id": f"N-{pid}-1",
                "note_text": "Customer prefers morning appointments.",
                "author": "Store associate",
                "created_at": f"{project.date_sold}T15:00:00Z",
            }
        )
    return project


def _next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
