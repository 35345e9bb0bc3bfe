"""Every answer of the fake PF360 and every request of the client validate against the contract.

A checking transport sits between the real client and the real fake: it validates each request
envelope before passing it on and each answer on the way back, independently of the client's own
checks, over a workload that touches every operation for every seeded customer.
"""

from __future__ import annotations

import contextlib
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pf360_client import contract
from pf360_client.client import PF360Client
from pf360_client.errors import PF360Error
from pf360_client.fake.app import FakeApp
from pf360_client.fake.model import FakePF360
from pf360_client.operations import Envelope, Operation
from pf360_client.transport import InProcessTransport, RawResponse


class ContractCheckingTransport:
    name = "contract-check"

    def __init__(self, inner: InProcessTransport) -> None:
        self.inner = inner
        self.checked: Counter[str] = Counter()

    def send(self, op: Operation, envelope: Envelope, client_id: str | None) -> RawResponse:
        contract.check(contract.request_schema(op.name), envelope)
        self.checked[f"{op.name}.request"] += 1
        raw = self.inner.send(op, envelope, client_id)
        schema = contract.response_schema(op.name) if raw.status == 200 else "error.response.json"
        contract.check(schema, raw.body)
        self.checked[f"{op.name}.{raw.status}"] += 1
        return raw


def _exercise(seed: int) -> Counter[str]:
    fake = FakePF360(seed)
    transport = ContractCheckingTransport(InProcessTransport(FakeApp(fake)))
    client = PF360Client(transport)
    for (client_id, customer_id), _ in sorted(fake._data.customers.items()):
        client.get_business_hours(client_id)
        for project in client.get_projects(client_id, customer_id):
            pid = project.project_id
            client.get_notes(client_id, customer_id, pid)
            client.add_note(client_id, pid, f"note for {pid}")
            client.add_office_note(client_id, pid, f"CANCELLATION REASON: test {pid}")
            client.add_office_note(
                client_id, pid, f"CUSTOMER REQUESTED INSTALLATION ADDRESS UPDATE {pid}", address_change=True
            )
            try:
                if project.status == "Scheduled":
                    moved = client.cancel_reschedule(client_id, pid)
                    request_id, days = moved.request_id, moved.dates
                else:
                    offer = client.get_available_dates(client_id, pid)
                    request_id, days = offer.request_id, offer.dates
                for day in days[:2]:
                    slots = client.get_time_slots(client_id, pid, day, request_id or 0)
                if days and slots.slots:
                    client.confirm_appointment(client_id, pid, slots.date, slots.slots[0], request_id or 0)
                    client.cancel_appointment(client_id, pid)
                    for refused in (client.cancel_appointment, client.cancel_reschedule):
                        with contextlib.suppress(PF360Error):  # nothing to cancel: an error body
                            refused(client_id, pid)
            except PF360Error:
                pass  # refusals (completed projects, no appointment) are answers too, and were checked
    return transport.checked


def test_every_fake_answer_and_client_request_matches_the_contract() -> None:
    checked = _exercise(1645975)
    operations = {key.split(".")[0] for key in checked}
    assert operations == {
        "get_projects",
        "get_business_hours",
        "get_notes",
        "add_note",
        "get_available_dates",
        "cancel_reschedule",
        "add_project_note",
        "add_address_note",
        "get_time_slots",
        "confirm_appointment",
        "cancel_appointment",
    }
    assert checked["cancel_appointment.400"] > 0  # error bodies were exercised too
    assert checked["cancel_reschedule.400"] > 0
    assert checked["get_available_dates.400"] > 0  # a scheduled or on-hold project's refusal
    assert sum(checked.values()) > 500


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**31))
def test_the_contract_holds_for_any_seed(seed: int) -> None:
    assert sum(_exercise(seed).values()) > 100
