"""100 booking conversations at once on one local stack: every one completes, none is lost or doubled."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from booking_bridge import BookingBridge
from pf360_client.fake.data import bookable
from scheduling_tooling.local.conversation import Conversation
from scheduling_tooling.local.stack import EmbeddedStack
from session_store import SessionStore

CONVERSATIONS = 100


def test_100_concurrent_executions_all_complete_with_nothing_lost(
    stack: EmbeddedStack, bridge: BookingBridge, store: SessionStore
) -> None:
    # Given 100 schedulable projects, each with its own customer session (on the manual clock no
    # task timeout can fire, however long a busy step Lambda takes)
    model = stack.simulator.simulator.model
    projects = sorted(
        (p for p in model._data.projects.values() if bookable(p)),
        key=lambda p: int(p.project_id),
    )[:CONVERSATIONS]
    assert len(projects) == CONVERSATIONS

    def book(index: int) -> tuple[str, str]:
        project = projects[index]
        chooser = random.Random(index)
        conversation = Conversation(
            stack, bridge, store, customer_id=project.customer_id, client_id=project.client_id
        )
        session = conversation.start(project.project_id, deadline=60)
        for _ in range(40):  # what a concurrent booking took is offered again: choose again
            if session.step == "awaiting_date":
                session = conversation.reply({"date": chooser.choice(session.offered_dates)}, deadline=60)
            elif session.step == "awaiting_slot":
                session = conversation.reply({"slot": chooser.choice(session.offered_slots)}, deadline=60)
            else:
                break
        return project.project_id, session.step

    # When they all run at once
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        outcomes = dict(pool.map(book, range(CONVERSATIONS)))

    # Then every conversation ended confirmed, PF360 holds exactly one appointment per project,
    # and no slot holds more bookings than it had crews
    assert Counter(outcomes.values()) == Counter({"confirmed": CONVERSATIONS})
    assert all(model._data.projects[pid].status == "Scheduled" for pid in outcomes)
    assert model.overbooked() == []
    executions = stack.sfn.list_executions(stateMachineArn=stack.state_machine_arn, statusFilter="SUCCEEDED")
    assert len({e["name"] for e in executions["executions"]}) >= CONVERSATIONS
