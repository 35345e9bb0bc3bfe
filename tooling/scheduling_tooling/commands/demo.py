"""`scheduling demo` (`make demo`): a whole agent conversation on the embedded local stack.

Each turn is a Bedrock action-group event sent through the group's handler Lambda (boto3 Lambda
Invoke against the local endpoint), exactly as the agent runtime would; the answers are printed as
the agent would read them, then the timeline of the booking executions the conversation drove.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
import warnings
from typing import Any

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.local.stack import EmbeddedStack


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default="12345", help="project to book (default 12345)")


class Agent:
    """Plays the Bedrock agent and prints what it sends and reads."""

    def __init__(self, stack: EmbeddedStack) -> None:
        self.client = AgentClient(stack.lambdas.url, session_id=f"demo-{uuid.uuid4().hex[:12]}")
        self.session_id = self.client.session_id
        self.unexpected = 0

    def say(self, operation: str, expect: int = 200, **parameters: Any) -> dict[str, Any]:
        args = ", ".join(f"{k}={v}" for k, v in parameters.items())
        print(f"\n→ {operation}({args})")
        started = time.perf_counter()
        reply = self.client.call(operation, **parameters)
        mark = "" if reply.status == expect else f"   (expected {expect})"
        self.unexpected += reply.status != expect
        print(f"← {reply.status} {reply.message}  [{(time.perf_counter() - started) * 1000:.0f} ms]{mark}")
        return reply.body


def run(args: argparse.Namespace) -> int:
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"  # the handlers' INFO lines would interleave the dialogue
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # EMF lines on stdout would interleave the dialogue
    started = time.perf_counter()
    with EmbeddedStack(time_scale=1.0) as stack:
        agent = Agent(stack)
        print("Customer 1645975 of client 09PF05VD signs in to the PF web app and talks to the agent")
        print(f"(session {agent.session_id}; every PF360 call carries the customer's own token, which")
        print("the step Lambdas read from the session's KMS-encrypted vault, never from an execution).")
        _conversation(agent, args.project)
        _timeline(stack, agent.session_id)
    print(f"\nDone in {time.perf_counter() - started:.1f} s; {agent.unexpected} unexpected answer(s).")
    return 1 if agent.unexpected else 0


def _conversation(agent: Agent, project: str) -> None:
    agent.say("list_projects")
    agent.say("get_business_hours")
    agent.say("get_available_dates", project_id="12347")  # already scheduled: said up front, nothing started
    dates = agent.say("get_available_dates", project_id=project)["available_dates"]
    slots = agent.say("get_time_slots", project_id=project, date=dates[0])["available_times"]
    agent.say("get_time_slots", expect=400, project_id=project, date="2031-01-01")  # not offered: re-prompt
    agent.say("confirm_appointment", project_id=project, date=dates[0], time=slots[0])
    agent.say(
        "confirm_appointment", project_id=project, date=dates[0], time=slots[0]
    )  # agent retry: same booking
    agent.say("get_appointment_status", project_id=project)
    agent.say("add_note", project_id=project, note="Please call 30 minutes before arriving; the gate sticks.")
    agent.say("get_notes", project_id=project)
    agent.say("get_weather", project_id=project, days=3)
    # reschedule (confirmed by the customer first): PF360 releases the old time, the new one is booked
    new_dates = agent.say("reschedule_appointment", project_id=project)["available_dates"]
    new_slots = agent.say("get_time_slots", project_id=project, date=new_dates[1])["available_times"]
    agent.say("confirm_appointment", project_id=project, date=new_dates[1], time=new_slots[-1])
    agent.say("cancel_appointment", project_id=project, reason="We are moving house")
    agent.say("get_appointment_status", project_id=project)
    agent.say("get_available_dates", expect=403, project_id="20000")  # another customer's project


def _timeline(stack: EmbeddedStack, session_id: str) -> None:
    from booking_bridge import execution_name

    suffix = execution_name(session_id, "0", "x", 0).rsplit("-", 1)[1]
    sfn = stack.sfn
    executions = [
        e
        for e in sfn.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
        if e["name"].endswith(suffix)
    ]
    print("\nExecution timeline (what operators see in the execution history):")
    for execution in sorted(executions, key=lambda e: e["startDate"]):
        history = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
        first = history[0]["timestamp"]
        states = [
            (e["timestamp"], e["stateEnteredEventDetails"]["name"])
            for e in history
            if "stateEnteredEventDetails" in e
        ]
        print(f"  {execution['name']}  {execution['status']}")
        line = "    " + " → ".join(
            f"{name} (+{(at - first).total_seconds():.2f}s)" for at, name in states if not name.endswith("?")
        )
        print(line)
