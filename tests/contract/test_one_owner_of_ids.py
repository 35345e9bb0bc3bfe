"""ID patterns have one owner, the PF360 contract (schemas/pf360/v1/common.json): the workflow's
schemas, the agent's event schema and the client's normalisers repeat them (each must stand alone where
it is deployed), and this test holds every copy to the owner."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent_actions.event_shape import schema_path
from pf360_client import contract, normalize

PF360 = contract.document("common.json")["$defs"]
WORKFLOW = contract.document("common.json", family="workflow")["$defs"]
AGENT = json.loads(schema_path("bedrock_event.json").read_text())
IDENTIFIED = AGENT["$defs"]["identified"]["properties"]


def _pattern(spec: dict[str, Any]) -> str:
    return str(spec["pattern"])


def _bare(schema_pattern: str) -> str:
    return schema_pattern.removeprefix("^").removesuffix("$")


@pytest.mark.parametrize(
    ("copy", "owner"),
    [
        (WORKFLOW["clientId"], PF360["clientId"]),
        (WORKFLOW["numericId"], PF360["numericId"]),
        (WORKFLOW["date"], PF360["date"]),
        (IDENTIFIED["sessionAttributes"]["properties"]["client_id"], PF360["clientId"]),
        (IDENTIFIED["sessionAttributes"]["properties"]["customer_id"], PF360["numericId"]),
        (IDENTIFIED["sessionId"], WORKFLOW["sessionId"]),
    ],
    ids=["workflow clientId", "workflow numericId", "workflow date", "agent client_id", "agent customer_id",
         "agent sessionId"],
)  # fmt: skip
def test_schema_copies_follow_the_owner(copy: dict[str, Any], owner: dict[str, Any]) -> None:
    assert _pattern(copy) == _pattern(owner)


def test_the_request_id_pattern_is_one() -> None:
    owner = [o["pattern"] for o in PF360["requestId"]["oneOf"] if "pattern" in o]
    workflow = [o["pattern"] for o in WORKFLOW["requestId"]["oneOf"] if "pattern" in o]
    assert workflow == owner
    assert normalize._REQUEST_ID_STR.pattern == _bare(owner[0])


def test_the_client_normalisers_follow_the_owner() -> None:
    assert normalize._CLIENT_ID.pattern == _bare(_pattern(PF360["clientId"]))
    assert normalize._NUMERIC_ID.pattern == _bare(_pattern(PF360["numericId"]))
