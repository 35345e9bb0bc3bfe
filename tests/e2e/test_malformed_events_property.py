"""Issue 7, defect 6, as a property: of 5,000 generated hostile events, 85 malformed ones got a 500
and 55 answers were not envelopes Bedrock accepts. Here hypothesis mutates the valid example events
under tests/events/ (both formats): keys dropped, values retyped (int, float, list, dict, None, bool),
strings oversized or made hostile (unicode, control characters), objects nested, keys added. Each
mutant goes straight into its group's handler (in-process, on the local stack) and:

- the answer is a valid Bedrock answer (schemas/agent/bedrock_response.json) with a message;
- an event the event schema refuses gets a 4xx, and nothing happened: no Step Functions call, no
  PF360 call, no DynamoDB call;
- an event the schema still accepts never gets a 5xx (the stack injects no faults here).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agent_actions import event_shape
from scheduling_tooling.agent_events import answer_of, check_answer
from scheduling_tooling.local.lambda_endpoint import LambdaContext
from scheduling_tooling.local.stack import EmbeddedStack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 600
LEAKS = ("Traceback", 'File "', "Exception", "botocore", "request_id", "task_token")


def _examples() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for path in sorted((ROOT / "tests" / "events").glob("*.json")):
        document = json.loads(path.read_text())
        events += document if isinstance(document, list) else [document]
    return events


EVENTS = _examples()
assert {"function" in e for e in EVENTS} == {True, False}, "both formats must be mutated"

# --- mutations ------------------------------------------------------------------------------------

Path_ = tuple[str | int, ...]
HOSTILE = [
    "12345\n",
    "".join(chr(0xFF10 + int(d)) for d in "12345"),  # fullwidth digits
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "12345; DROP TABLE projects",
    "\u202eevil",
    "\x00",
    "${jndi:ldap://x}",
    "get_available_dates\r\n",
    "",
]
scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
strings = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co", "So"]), max_size=20),
)
oversized = st.sampled_from([101, 2_001, 25_001, 200_000]).flatmap(
    lambda n: st.sampled_from(["9" * n, "a" * n, "é" * n])
)
values = st.recursive(
    st.one_of(scalars, strings),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
KEYS = ["function", "apiPath", "httpMethod", "actionGroup", "sessionAttributes", "parameters", "value"]


def _paths(node: Any, at: Path_ = ()) -> Iterator[Path_]:
    yield at
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*at, key))


def _get(node: Any, path: Path_) -> Any:
    for key in path:
        node = node[key]
    return node


def _set(event: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    _get(event, path[:-1])[path[-1]] = value
    return event


def _drop(event: Any, path: Path_) -> Any:
    if not path:
        return {}
    del _get(event, path[:-1])[path[-1]]
    return event


def _nest(value: Any, depth: int) -> Any:
    for level in range(depth):
        value = [value] if level % 2 else {"value": value}
    return value


@st.composite
def mutants(draw: st.DrawFn) -> dict[str, Any]:
    base = draw(st.sampled_from(EVENTS))
    event: Any = copy.deepcopy(base)
    kinds = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(list(_paths(event))))
        kind = draw(st.sampled_from(["drop", "retype", "oversize", "hostile", "nest", "add"]))
        if kind == "drop":
            event = _drop(event, path)
        elif kind == "retype":
            event = _set(event, path, draw(values))
        elif kind == "oversize":
            event = _set(event, path, draw(oversized))
        elif kind == "hostile":
            event = _set(event, path, draw(strings))
        elif kind == "nest":
            event = _set(event, path, _nest(_get(event, path), draw(st.integers(1, 40))))
        elif isinstance(_get(event, path), dict):  # add a key, often one that means something
            key = draw(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)))
            _get(event, path)[key] = draw(values)
        kinds.append(f"{kind} {'/'.join(map(str, path))}")
    return {"group": base["actionGroup"], "event": event, "mutations": kinds}


# --- what was called ------------------------------------------------------------------------------


@pytest.fixture
def aws_calls(stack: EmbeddedStack) -> Iterator[list[str]]:
    """Every Step Functions and DynamoDB call the agent handlers make (botocore hooks on their clients)."""
    from agent_actions.services import services

    seen: list[str] = []

    def count(model: Any, **_: Any) -> None:
        seen.append(model.name)

    clients = [
        (services().bridge.sfn, "before-call.sfn"),
        (services().store._ddb, "before-call.dynamodb"),
        (services().idempotency_client, "before-call.dynamodb"),
    ]
    for client, hook in clients:
        client.meta.events.register(hook, count)
    yield seen
    for client, hook in clients:
        client.meta.events.unregister(hook, count)


@pytest.fixture
def handlers(stack: EmbeddedStack) -> dict[str, Callable[[Any, Any], dict[str, Any]]]:
    from agent_actions.handlers import information, notes, scheduling

    return {"scheduling": scheduling.handler, "information": information.handler, "notes": notes.handler}


def _context(group: str) -> LambdaContext:
    name = f"pf360-agent-{group}"
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    return LambdaContext(name, arn, "property-test", time.monotonic() + 60)


# --- the property ---------------------------------------------------------------------------------


def test_malformed_events_get_4xx_in_a_valid_envelope_and_start_nothing(
    stack: EmbeddedStack,
    handlers: dict[str, Callable[[Any, Any], dict[str, Any]]],
    aws_calls: list[str],
    pf360_calls: Callable[[], list[dict[str, Any]]],
) -> None:
    seen = {"invalid": 0, "valid": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(mutants())
    def check(mutant: dict[str, Any]) -> None:
        mutated, group = mutant["event"], mutant["group"]
        # the schema's verdict, as JSON Schema means it (ECMA `$`: "12345\n" does not match `^[0-9]+$`)
        valid = event_shape.problem(mutated) is None
        calls_before, pf360_before = len(aws_calls), len(pf360_calls())
        answer = handlers[group](copy.deepcopy(mutated), _context(group))
        check_answer(answer)
        status, body = answer_of(answer)
        message = json.loads(body)["message"]
        assert not any(leak in message for leak in LEAKS), message
        if valid:
            assert status < 500, (mutant["mutations"], status, message)
        else:
            assert 400 <= status < 500, (mutant["mutations"], status, message)
            assert aws_calls[calls_before:] == [], mutant["mutations"]
            assert len(pf360_calls()) == pf360_before, mutant["mutations"]
        seen["valid" if valid else "invalid"] += 1
        event(f"{'valid' if valid else 'malformed'} event answered {status}")  # --hypothesis-show-statistics

    check()
    # the property is about malformed events: most mutants must be ones
    assert seen["invalid"] >= EXAMPLES * 0.6, seen
