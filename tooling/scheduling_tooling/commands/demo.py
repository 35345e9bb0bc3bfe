"""`scheduling demo` (`make demo`): a whole agent conversation on a local stack.

Each turn is a Bedrock action-group event sent through the group's handler Lambda (boto3 Lambda
Invoke against the stack's Lambda endpoint), exactly as the agent runtime would; the answers are
printed as the agent would read them, then the timeline of the booking executions the conversation
drove. Where: the running local stack (`target.resolve`), else one started in-process (announced).
Never AWS: the demo books, reschedules and cancels.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
import warnings
from typing import Any

from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling import terminal
from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.commands.agent_invoke import sign_in_at
from scheduling_tooling.local.resources import Resources
from scheduling_tooling.target import Target, TargetError, add_endpoint_argument, local_lambda_client, resolve

PROG = "scheduling demo"
EXAMPLES = """\
A customer signs in, lists projects, books an installation, retries the booking as an agent would,
adds a note, reschedules and cancels; every answer is printed, then the executions it drove. It uses
the running local stack (so `scheduling ops` and the console show it afterwards), else starts one
in-process for the demo. It never runs on AWS: it books, reschedules and cancels.

examples:
  scheduling demo                                # on the running local stack, else in-process
  scheduling demo --project 12350
  scheduling demo --endpoint http://127.0.0.1:5361
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default="12345", help="project to book (default 12345)")
    add_endpoint_argument(parser)


class Agent:
    """Plays the Bedrock agent and prints what it sends and reads."""

    def __init__(self, target: Target) -> None:
        lambda_url, simulator_url = str(target.lambda_url), str(target.simulator_url)
        token = sign_in_at(simulator_url, DEMO_CLIENT, DEMO_CUSTOMER)
        self.client = AgentClient(
            lambda_url,
            session_id=f"demo-{uuid.uuid4().hex[:12]}",
            resources=Resources(region=target.region),
            token=token,
            # the stack's fake credentials: this process may have none, or real ones that must stay here
            lambda_client=local_lambda_client(lambda_url, target.region),
        )
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
    try:
        with resolve(
            args, announce=terminal.note, start_stack=True, stack_options={"time_scale": 1.0}
        ) as target:
            terminal.note(f"{PROG}: on the {target.describe()}")
            agent = Agent(target)
            print(f"Customer {DEMO_CUSTOMER} of client {DEMO_CLIENT} signs in to the PF web app and talks to")
            print(f"the agent (session {agent.session_id}; every PF360 call carries the customer's own")
            print("token, which the step Lambdas read from the session's KMS-encrypted vault, never from an")
            print("execution).")
            _conversation(agent, args.project)
            _timeline(target, agent.session_id)
    except TargetError as error:
        terminal.error(PROG, str(error))
        return 2
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


def _timeline(target: Target, session_id: str) -> None:
    """The session's executions as `scheduling ops show` reads them, one line of states each."""
    from booking_bridge import session_digest
    from scheduling_tooling.ops import query
    from scheduling_tooling.ops.timeline import read_timeline

    sfn = target.client("stepfunctions")
    session = query.Filters(digests=frozenset({session_digest(session_id)}))
    found = query.executions(sfn, target.state_machine_arn, session, limit=None)
    print("\nExecution timeline (what operators see in the execution history):")
    for execution in sorted(found.executions, key=lambda e: e["startDate"]):
        timeline = read_timeline(sfn, execution["executionArn"])
        first = timeline.steps[0].entered
        states = (f"{step.state} (+{(step.entered - first).total_seconds():.2f}s)" for step in timeline.steps)
        print(f"  {execution['name']}  {execution['status']}")
        print("    " + " → ".join(states))
