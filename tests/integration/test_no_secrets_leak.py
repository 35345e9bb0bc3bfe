"""No token and no customer personal data in logs or error messages, whatever happens."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from pf360_client import PF360Client
from pf360_client.errors import PF360Error
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN

NOTE = "Gate code 4417, dog in the yard"


def test_a_whole_session_with_faults_logs_no_token_or_personal_data(
    client: PF360Client, set_faults: Callable[[dict[str, Any]], None], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Lambda handlers give the client's logger Powertools' handler and stop its propagation: listen to
    # it directly, whatever ran before in this process.
    client_logger = logging.getLogger("pf360_client")
    client_logger.addHandler(caplog.handler)
    previous_level = client_logger.level
    client_logger.setLevel(logging.DEBUG)
    errors: list[str] = []

    def attempt(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except PF360Error as error:
            errors.append(str(error))
            return None

    # Given a customer's projects (addresses, installer names) and a note with private details
    projects = client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
    personal = {DEFAULT_TOKEN, NOTE}
    for project in projects:
        personal |= {project.address.one_line, project.address.address1 or "", project.installer_name or ""}
    personal.discard("")
    # When a booking, a note and every kind of fault go through the client
    dates = client.get_available_dates(DEMO_CLIENT, "12345")
    slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
    client.add_note(DEMO_CLIENT, "12345", NOTE)
    for rule in (
        {"kind": "status", "status": 503},
        {"kind": "bad_json"},
        {"kind": "reset"},
        {"kind": "error_body", "message": "nope"},
        {"kind": "slot_taken"},
    ):
        set_faults({"*": [{**rule, "times": 1}]})
        attempt(
            lambda: client.confirm_appointment(
                DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id
            )
        )
    set_faults({"get_projects": [{"kind": "status", "status": 401}]})
    attempt(lambda: client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER))

    client_logger.removeHandler(caplog.handler)
    client_logger.setLevel(previous_level)
    # Then the client did log its calls
    records = [r for r in caplog.records if r.name.startswith("pf360_client")]
    assert len(records) >= 8
    # And nothing logged or raised carries the token or personal data
    # (botocore's own DEBUG output prints secret values; that is why it must never run at DEBUG in
    # production, and why this test reads only the records of our code.)
    logged = "\n".join(json.dumps(vars(r), default=str) + r.getMessage() for r in records)
    raised = "\n".join(errors)
    assert len(errors) >= 5
    for secret in personal:
        assert secret not in logged, f"leaked into logs: {secret[:6]}..."
        assert secret not in raised, f"leaked into an error message: {secret[:6]}..."
