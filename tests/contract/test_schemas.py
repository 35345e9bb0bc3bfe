"""The PF360 contract itself: valid draft 2020-12 schemas, versioned, covering every operation."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from pf360_client import contract
from pf360_client.operations import OPERATIONS

SCHEMA_FILES = sorted(contract.schema_dir().glob("*.json"))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_draft_2020_12_with_a_versioned_id(path) -> None:
    document = json.loads(path.read_text())
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith(f"/pf360/{contract.SCHEMA_VERSION}/{path.name}")
    assert document.get("title")


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_has_a_request_and_a_response_schema(operation: str) -> None:
    names = contract.schema_names()
    assert contract.request_schema(operation) in names
    assert contract.response_schema(operation) in names
    # and the request schema names exactly the path's placeholders
    path_schema = json.loads((contract.schema_dir() / contract.request_schema(operation)).read_text())
    declared = set(path_schema["properties"]["path"]["properties"])
    assert declared == set(OPERATIONS[operation].placeholders)


@pytest.mark.parametrize(
    ("schema", "document", "valid"),
    [
        # request_id: an integer in real answers, a string in older mocks; never a boolean
        ("get_available_dates.response.json", {"data": {"dates": [], "request_id": 1621}}, True),
        ("get_available_dates.response.json", {"data": {"dates": [], "request_id": "REQ-12345-abc"}}, True),
        ("get_available_dates.response.json", {"data": {"dates": [], "request_id": True}}, False),
        ("get_available_dates.response.json", {"data": {"dates": ["2026-02-30x"], "request_id": 1}}, False),
        # slots are HH:MM:SS start times (PF360_API.md 4.3)
        ("get_time_slots.response.json", {"data": {"slots": ["08:00:00", "14:00:00"]}}, True),
        ("get_time_slots.response.json", {"data": {"slots": ["08:00 AM"]}}, False),
        # confirm's body exactly as the production client sends it (4.4)
        (
            "confirm_appointment.request.json",
            {
                "path": {"client_id": "09PF05VD", "project_id": "12345"},
                "body": {
                    "created_at": "05/13/2026 14:05:09",
                    "date": "2026-12-01",
                    "time": "08:00:00",
                    "request_id": 1621,
                    "is_chatbot": "true",
                    "aIBot": True,
                },
            },
            True,
        ),
        (
            "confirm_appointment.request.json",
            {
                "path": {"client_id": "09PF05VD", "project_id": "12345"},
                "body": {
                    "created_at": "2026-05-13T14:05:09Z",
                    "date": "2026-12-01",
                    "time": "08:00:00",
                    "request_id": 1621,
                    "is_chatbot": "true",
                    "aIBot": True,
                },
            },
            False,
        ),
        (
            "confirm_appointment.request.json",
            {
                "path": {"client_id": "09PF05VD", "project_id": "12345"},
                "body": {"date": "2026-12-01", "time": "08:00 AM", "request_id": 1621},
            },
            False,
        ),
        (
            "confirm_appointment.request.json",
            {
                "path": {"client_id": "09PF05VD", "project_id": "12345"},
                "body": {"date": "2026-12-01", "time": "08:00:00", "request_id": 1621, "is_chatbot": True},
            },
            False,
        ),
        # a 200 with an error field is a failure shape, and a success never carries one
        ("confirm_appointment.response.json", {"error": "Slot not available", "message": "x"}, True),
        ("confirm_appointment.response.json", {"message": "Appointment scheduled successfully"}, True),
        (
            "confirm_appointment.response.json",
            {"message": "ok", "data": True, "confirmationNumber": "C-1"},
            True,
        ),
        ("confirm_appointment.response.json", {"message": "ok", "data": "yes"}, False),
        # path ids travel as digits only; no path traversal or spaces
        ("get_notes.request.json", {"path": {"client_id": "09PF05VD", "project_id": "../12"}}, False),
        ("get_projects.request.json", {"path": {"client_id": "09 PF", "customer_id": "1"}}, False),
        # requests are strict: unknown fields are refused
        (
            "add_note.request.json",
            {"path": {"client_id": "09PF05VD", "project_id": "2"}, "body": {"note": "hi"}},
            False,
        ),
        (
            "add_project_note.request.json",
            {"path": {}, "body": {"client_id": "09PF05VD", "project_id": "2", "note_text": "x"}},
            False,  # project_id is an integer in the body
        ),
    ],
)
def test_schema_encodes_the_pf360_quirks(schema: str, document: dict, valid: bool) -> None:
    errors = list(contract.validator(schema).iter_errors(document))
    assert (not errors) is valid, [e.message for e in errors]


def test_violation_messages_name_the_rule_not_the_value() -> None:
    # a response can hold addresses and names: a violation must not echo them into logs
    row = {
        "project_project_id": 1,
        "project_type_project_type": "Installation",
        "project_category_category": "Flooring",
        "status_info_status": "New",
        "installation_address_address1": 12345678,
    }
    with pytest.raises(contract.ContractViolation) as raised:
        contract.check("get_projects.response.json", {"data": [row]})
    assert "installation_address_address1" in str(raised.value)
    assert "12345678" not in str(raised.value)
