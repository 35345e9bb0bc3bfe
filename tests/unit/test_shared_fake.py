"""Mock mode deployed: containers (here, two clients, each with its own FakePF360) share one fake
state through DynamoDB, so a request id issued in one is honoured in another, a booking made in one
shows in the other, and two containers racing for one slot's last crew never overbook it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pf360_client.client import PF360Client
from pf360_client.errors import PF360SlotUnavailable
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from pf360_client.fake.model import FakePF360
from pf360_client.fake.shared import SharedFakeApp
from pf360_client.transport import InProcessTransport

TABLE = "mock-pf360"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        )
        yield client


def container(dynamodb: Any) -> tuple[PF360Client, FakePF360]:
    model = FakePF360()
    return PF360Client(InProcessTransport(SharedFakeApp(model, TABLE, dynamodb))), model


def test_a_booking_spans_containers(dynamodb: Any) -> None:
    dates_lambda, _ = container(dynamodb)
    slots_lambda, _ = container(dynamodb)
    confirm_lambda, _ = container(dynamodb)
    status_lambda, _ = container(dynamodb)
    offer = dates_lambda.get_available_dates(DEMO_CLIENT, "12345")
    slots = slots_lambda.get_time_slots(DEMO_CLIENT, "12345", offer.dates[0], offer.request_id)
    confirm_lambda.confirm_appointment(DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id)
    status = status_lambda.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12345")
    assert (status.scheduled, status.date, status.start_time) == (True, slots.date, slots.slots[0])


def test_a_reschedule_and_a_cancel_span_containers_too(dynamodb: Any) -> None:
    one, _ = container(dynamodb)
    two, _ = container(dynamodb)
    moved = one.cancel_reschedule(DEMO_CLIENT, "12347")
    assert two.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347").scheduled is False
    day = moved.dates[0]
    slot = two.get_time_slots(DEMO_CLIENT, "12347", day, moved.request_id or 0).slots[0]
    one.confirm_appointment(DEMO_CLIENT, "12347", day, slot, moved.request_id or 0)
    two.cancel_appointment(DEMO_CLIENT, "12347")
    assert one.get_appointment_status(DEMO_CLIENT, DEMO_CUSTOMER, "12347").status == "Not Scheduled"


def test_two_containers_never_book_more_than_a_slots_crews(dynamodb: Any) -> None:
    # Given two projects of the demo client, each offered the same slot by a different container
    one, model = container(dynamodb)
    two, _ = container(dynamodb)
    others = [
        p.project_id
        for p in model._data.projects.values()
        if p.client_id == DEMO_CLIENT and p.status == "New" and p.category != "Deck Repair"
    ]
    day = one.get_available_dates(DEMO_CLIENT, "12345").dates[0]
    slot = model.open_slots(model.client(DEMO_CLIENT), date.fromisoformat(day))[0]
    crews = model.capacity(DEMO_CLIENT, day, slot)
    # When containers take turns booking it for more projects than it has crews
    booked, refused = 0, 0
    for turn, project in enumerate(others[: crews + 2]):
        client = (one, two)[turn % 2]
        offer = client.get_available_dates(DEMO_CLIENT, project, start=day, end=day)
        try:
            client.confirm_appointment(DEMO_CLIENT, project, day, slot, offer.request_id)
            booked += 1
        except PF360SlotUnavailable:
            refused += 1
    # Then exactly its crews were booked, across both containers, and the rest refused
    assert (booked, refused) == (crews, 2)
    checker, checked = container(dynamodb)
    checker.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)  # loads the shared state
    assert checked.overbooked() == []


def test_the_state_survives_a_new_container(dynamodb: Any) -> None:
    first, model = container(dynamodb)
    first.add_note(DEMO_CLIENT, "12345", "Gate code 1234")
    later, _ = container(dynamodb)
    assert later.get_notes(DEMO_CLIENT, DEMO_CUSTOMER, "12345")[0].text == "Gate code 1234"
    assert model.request_ttl == timedelta(minutes=15)


class Interfering:
    """A DynamoDB client whose first write lets another container write first (a lost race)."""

    def __init__(self, inner: Any, meanwhile: Any) -> None:
        self.inner, self.meanwhile, self.writes = inner, meanwhile, 0
        self.exceptions = inner.exceptions

    def get_item(self, **kwargs: Any) -> Any:
        return self.inner.get_item(**kwargs)

    def update_item(self, **kwargs: Any) -> Any:
        self.writes += 1
        if self.writes == 1:
            self.meanwhile()
        return self.inner.update_item(**kwargs)


def test_a_container_that_loses_the_race_reruns_its_call_on_the_newer_state(dynamodb: Any) -> None:
    other, _ = container(dynamodb)
    racing = Interfering(dynamodb, lambda: other.add_note(DEMO_CLIENT, "12345", "note from the other"))
    model = FakePF360()
    mine = PF360Client(InProcessTransport(SharedFakeApp(model, TABLE, racing)))
    mine.add_note(DEMO_CLIENT, "12345", "my note")
    assert racing.writes == 2  # the first write met the newer version; the rerun wrote
    reader, _ = container(dynamodb)
    texts = [n.text for n in reader.get_notes(DEMO_CLIENT, DEMO_CUSTOMER, "12345")]
    assert texts[:2] == ["my note", "note from the other"]  # neither write lost
