"""N customers talking to the agent at once, through the action-group handler Lambdas on the local
stack (real time, as `scheduling local up` runs): how many booked, how the executions ended, and
whether every failed one says why.

    python tooling/benchmarks/agent_conversations.py [--conversations 200] [--time-scale 1.0]

Each conversation asks for dates, picks one, picks a time and confirms, choosing again when a
concurrent booking took its pick (at most 12 rounds), as tests/e2e does with 50. The seeded fake has
fewer schedulable projects than that: conversations beyond them share projects, so each project ends
with exactly one booking and the others hear it already has an appointment.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from pf360_client.fake.data import Project, bookable
from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack


def converse(stack: EmbeddedStack, project: Project, index: int) -> str:
    agent = AgentClient(stack.lambdas.url, customer_id=project.customer_id, client_id=project.client_id)
    pid = project.project_id
    reply = agent.ask("get_available_dates", project_id=pid)
    for attempt in range(12):
        if reply.body.get("available_dates"):
            dates = reply.body["available_dates"]
            reply = agent.ask("get_time_slots", project_id=pid, date=dates[(index + attempt) % len(dates)])
        if "available_times" in reply.body:
            times = reply.body["available_times"]
            reply = agent.ask(
                "confirm_appointment",
                project_id=pid,
                date=reply.body["date"],
                time=times[(index + attempt) % len(times)],
            )
        if reply.body.get("booked"):
            return "booked"
    return reply.message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--time-scale", type=float, default=1.0)
    args = parser.parse_args()
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    logging.disable(logging.WARNING)  # one log line per step is noise here

    with EmbeddedStack(time_scale=args.time_scale) as stack:
        model = stack.simulator.simulator.model
        projects = sorted(
            (p for p in model._data.projects.values() if bookable(p)),
            key=lambda p: int(p.project_id),
        )
        talks = [(i, projects[i % len(projects)]) for i in range(args.conversations)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(talks)) as pool:
            outcomes = Counter(pool.map(lambda ip: converse(stack, ip[1], ip[0]), talks))
        wall = time.perf_counter() - started
        executions = stack.executions()
        statuses = Counter(e["status"] for e in executions)
        failed = [
            stack.sfn.describe_execution(executionArn=e["executionArn"])
            for e in executions
            if e["status"] == "FAILED"
        ]
        booked = {p.project_id for _, p in talks if p.status == "Scheduled"}
        print(f"{len(talks)} concurrent conversations over {len({p.project_id for _, p in talks})} projects")
        print(f"wall time: {wall:.1f} s; projects booked once each: {len(booked)}")
        print(f"outcomes: {dict(outcomes)}")
        print(f"executions: {dict(statuses)}")
        print(f"failed executions without a cause: {sum(1 for f in failed if not f.get('cause'))}")
        for error, count in Counter(f.get("error", "") for f in failed).items():
            print(f"  failed with {error}: {count}")
        print(f"PF360 overbooked slots: {len(model.overbooked())}")


if __name__ == "__main__":
    main()
