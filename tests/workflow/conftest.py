"""The real ASL on moto's Step Functions engine, through the embedded local stack.

One stack per test module (started in about a second) on a manual clock: retry backoff is instant and
nothing times out until a test calls `stack.advance()`, so a busy machine cannot trip a timeout. Each
test gets a reset PF360 simulator and its own session ids.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from booking_bridge import BookingBridge
from scheduling_tooling.local.conversation import Conversation
from scheduling_tooling.local.stack import EmbeddedStack
from session_store import SessionStore

# Generous: a wall-clock bound on a call that will answer, never a timeout the engine keeps.
PF360_READ_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def local_stack() -> Iterator[EmbeddedStack]:
    with EmbeddedStack(manual_time=True, pf360_timeout_seconds=PF360_READ_TIMEOUT) as stack:
        yield stack


@pytest.fixture
def stack(local_stack: EmbeddedStack) -> EmbeddedStack:
    local_stack.export_env()  # the per-test environment reset removed it
    local_stack.use_own_time()
    sim = local_stack.simulator.url
    requests.post(f"{sim}/_sim/reset", timeout=5).raise_for_status()
    requests.delete(f"{sim}/_sim/faults", timeout=5).raise_for_status()
    return local_stack


@pytest.fixture
def store(stack: EmbeddedStack) -> SessionStore:
    return SessionStore(stack.resources.table_name, clock=stack.clock.now)


@pytest.fixture
def bridge(stack: EmbeddedStack, store: SessionStore) -> BookingBridge:
    return BookingBridge(store, stack.sfn, stack.state_machine_arn, timeout_seconds=1800)


@pytest.fixture
def conversation(stack: EmbeddedStack, bridge: BookingBridge, store: SessionStore) -> Conversation:
    return Conversation(stack, bridge, store)
