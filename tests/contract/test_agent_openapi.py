"""The OpenAPI the Bedrock agent is given: generated from the handlers, committed, in Bedrock's subset."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from scheduling_tooling.agent_groups import GROUPS, functions, openapi_path, render

METHODS = {"get", "post", "put", "delete", "patch"}


def _committed(group: str) -> dict[str, Any]:
    return json.loads(openapi_path(group).read_text())


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document["paths"].values() for method, op in item.items() if method in METHODS]


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


@pytest.mark.parametrize("group", GROUPS)
def test_committed_openapi_matches_the_code(group: str) -> None:
    assert openapi_path(group).read_text() == render(group), "run `scheduling agent openapi` and commit"


@pytest.mark.parametrize("group", GROUPS)
def test_openapi_is_valid_3_0_0_as_bedrock_requires(group: str) -> None:
    document = _committed(group)
    assert document["openapi"] == "3.0.0"  # Bedrock action groups: "the version must be 3.0.0"
    validate(document)


@pytest.mark.parametrize("group", GROUPS)
def test_openapi_fits_bedrock_action_groups(group: str) -> None:
    document = _committed(group)
    operations = _operations(document)
    assert 1 <= len(operations) <= 11
    assert "enum" not in _keys(document)
    for operation in operations:
        assert operation["operationId"]
        assert operation["description"]
        for parameter in operation.get("parameters", []):
            assert parameter["description"]
    # function-details names are the operation ids, and every route has one
    assert {op["operationId"] for op in operations} == set(functions(group))


def test_confirm_cancel_and_reschedule_require_confirmation() -> None:
    operations = {op["operationId"]: op for op in _operations(_committed("scheduling"))}
    for name in ("confirm_appointment", "cancel_appointment", "reschedule_appointment"):
        assert operations[name]["x-requireConfirmation"] == "ENABLED"
    assert "x-requireConfirmation" not in operations["get_available_dates"]


@pytest.mark.parametrize("group", GROUPS)
def test_every_operation_declares_each_answer_it_can_give_as_the_typed_answer(group: str) -> None:
    from agent_actions import errors

    def statuses(kind: type[errors.AgentError]) -> set[int]:
        return {kind.status} | {s for sub in kind.__subclasses__() for s in statuses(sub)}

    document = _committed(group)
    answer = document["components"]["schemas"]["AgentAnswer"]
    assert answer["required"] == ["message"]
    assert answer["additionalProperties"] is True
    for operation in _operations(document):
        responses = operation["responses"]
        assert {int(code) for code in responses} == {200} | statuses(errors.AgentError)  # no 422
        for response in responses.values():
            assert response["description"]
            assert response["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/AgentAnswer"
            }


def test_an_address_change_request_requires_confirmation() -> None:
    operations = {op["operationId"]: op for op in _operations(_committed("notes"))}
    assert operations["request_address_change"]["x-requireConfirmation"] == "ENABLED"
    assert "x-requireConfirmation" not in operations["add_note"]
