"""Under concurrent confirms for one slot the simulator books exactly its capacity, never more."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from pf360_client import PF360Client
from pf360_client.errors import PF360Error, PF360SlotUnavailable
from pf360_client.fake.data import DEMO_CLIENT, bookable
from scheduling_tooling.pf360_sim.server import SimulatorServer


def test_concurrent_confirms_for_one_slot_book_exactly_its_capacity(
    sim: SimulatorServer, make_client: Callable[..., PF360Client]
) -> None:
    # Given every schedulable project of one client, each holding a fresh request id
    model = sim.simulator.model
    projects = [p for p in model._data.projects.values() if p.client_id == DEMO_CLIENT and bookable(p)]
    assert len(projects) >= 8
    client = make_client()
    offers = {p.project_id: client.get_available_dates(DEMO_CLIENT, p.project_id) for p in projects}
    day = offers[projects[0].project_id].dates[0]
    slot = client.get_time_slots(
        DEMO_CLIENT, projects[0].project_id, day, offers[projects[0].project_id].request_id
    )
    time = slot.slots[0]
    capacity = model.capacity(DEMO_CLIENT, day, time)
    assert 0 < capacity < len(projects)

    # When they all confirm the same slot at once, each from its own thread (pooled connections)
    def confirm(project_id: str) -> str:
        try:
            client.confirm_appointment(DEMO_CLIENT, project_id, day, time, offers[project_id].request_id)
            return "booked"
        except PF360SlotUnavailable:
            return "slot taken"
        except PF360Error as error:
            return type(error).__name__

    with ThreadPoolExecutor(max_workers=len(projects)) as pool:
        outcomes = Counter(pool.map(confirm, [p.project_id for p in projects]))

    # Then exactly `capacity` were booked, the rest told the slot is taken, and the slot is now full
    assert outcomes == Counter({"booked": capacity, "slot taken": len(projects) - capacity})
    assert model.capacity(DEMO_CLIENT, day, time) == 0
    booked = [p for p in projects if p.status == "Scheduled"]
    assert len(booked) == capacity
