"""`scheduling pf360 demo`: a booking walked through the real HTTP client against the PF360 simulator.

Runs with no AWS account: Secrets Manager comes from moto, PF360 from the simulator on a loopback
port. Prints each call and its answer, then shows two faults turning into typed errors.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any

from pf360_client import PF360Client, Settings, build_client
from pf360_client.errors import PF360Error
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN, SimulatorServer

SECRET_NAME = "pf360/local/credentials"

EXAMPLES = """\
No AWS account and no running stack needed. You see every PF360 request the client makes with the
simulator's reply, then what the client raises when the simulator fails on purpose.

examples:
  scheduling pf360 demo
  scheduling pf360 demo --project 12350
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default="12345", help="project to book (default 12345)")


def run(args: argparse.Namespace) -> int:
    from moto import mock_aws

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws(), SimulatorServer() as server:
        import boto3

        boto3.client("secretsmanager").create_secret(
            Name=SECRET_NAME, SecretString=json.dumps({"token": DEFAULT_TOKEN})
        )
        settings = Settings.from_env(
            {
                "USE_MOCK_API": "false",
                "PF360_AUTH_MODE": "service",  # the service token from the secret: no customer signs in here
                "API_BASE_URL": server.url,
                "WEATHER_API_URL": server.url,
                "PF360_CREDENTIALS_SECRET": SECRET_NAME,
                "ENABLE_REAL_CONFIRM": "true",
                "ENABLE_REAL_CANCEL": "true",
                "API_TIMEOUT": "2",
            }
        )
        print(f"PF360 simulator at {server.url}; real-HTTP client, credentials from Secrets Manager (moto)\n")
        _walk(build_client(settings), args.project, server)
    return 0


def _walk(client: PF360Client, project_id: str, server: SimulatorServer) -> None:
    cid, customer = DEMO_CLIENT, DEMO_CUSTOMER
    _step(
        "get_projects",
        lambda: client.get_projects(cid, customer),
        lambda ps: "; ".join(f"{p.project_id} {p.display_name} ({p.status})" for p in ps),
    )
    dates = _step(
        "get_available_dates",
        lambda: client.get_available_dates(cid, project_id),
        lambda d: f"{len(d.dates)} dates from {d.dates[0]} to {d.dates[-1]}",
    )
    slots = _step(
        "get_time_slots",
        lambda: client.get_time_slots(cid, project_id, dates.dates[0], dates.request_id),
        lambda s: f"{s.date}: {', '.join(s.slots)}",
    )
    _step(
        "confirm_appointment",
        lambda: client.confirm_appointment(cid, project_id, slots.date, slots.slots[0], slots.request_id),
        lambda c: f"{c.message}: {c.date} {c.time}, confirmation {c.confirmation_number}",
    )
    _step(
        "get_appointment_status",
        lambda: client.get_appointment_status(cid, customer, project_id),
        lambda s: f"{s.status} on {s.date} {s.start_time}-{s.end_time} with {s.installer}",
    )

    released = _step(
        "cancel_reschedule",
        lambda: client.cancel_reschedule(cid, project_id),
        lambda r: f"appointment released; {len(r.dates)} new dates offered with it",
    )
    # PF360 may offer no dates with the release: the dates call gives them then
    new = released if released and released.dates else client.get_available_dates(cid, project_id)
    new_slots = _step(
        "get_time_slots",
        lambda: client.get_time_slots(cid, project_id, new.dates[1], new.request_id),
        lambda s: f"{s.date}: {', '.join(s.slots)}",
    )
    _step(
        "confirm_appointment (reschedule)",
        lambda: client.confirm_appointment(
            cid, project_id, new_slots.date, new_slots.slots[-1], new.request_id
        ),
        lambda c: f"moved to {c.date} {c.time}",
    )
    _step(
        "add_note",
        lambda: client.add_note(cid, project_id, "Please call before arriving."),
        lambda text: f"saved: {text}",
    )
    _step("get_notes", lambda: client.get_notes(cid, customer, project_id), lambda ns: f"{len(ns)} note(s)")
    _step(
        "get_business_hours",
        lambda: client.get_business_hours(cid),
        lambda h: ", ".join(
            f"{d.day[:3]} {d.start[:5]}-{d.end[:5]}" for d in h.days if d.is_working and d.start and d.end
        ),
    )
    _step("cancel_appointment", lambda: client.cancel_appointment(cid, project_id), lambda c: c.message)
    _step(
        "get_appointment_status",
        lambda: client.get_appointment_status(cid, customer, project_id),
        lambda s: s.status,
    )

    print("\nFault injection: get_projects answers 503 twice, then OK (the state machine would retry)")
    _set_faults(server, {"get_projects": [{"kind": "status", "status": 503, "times": 2}]})
    for _ in range(3):
        _step("get_projects", lambda: client.get_projects(cid, customer), lambda ps: f"{len(ps)} projects")
    print("\nFault injection: the chosen slot is taken just before confirm")
    again = client.get_available_dates(cid, project_id)
    offered = client.get_time_slots(cid, project_id, again.dates[0], again.request_id)
    _set_faults(server, {"confirm_appointment": [{"kind": "slot_taken", "times": 1}]})
    _step(
        "confirm_appointment",
        lambda: client.confirm_appointment(
            cid, project_id, offered.date, offered.slots[0], offered.request_id
        ),
        lambda c: c.message,
    )


def _step(label: str, call: Callable[[], Any], show: Callable[[Any], str]) -> Any:
    started = time.perf_counter()
    try:
        result = call()
    except PF360Error as error:
        print(f"  {label:<34} ✗ {type(error).__name__}: {error}  [{_ms(started)}]")
        return None
    print(f"  {label:<34} ✓ {show(result)}  [{_ms(started)}]")
    return result


def _ms(started: float) -> str:
    return f"{(time.perf_counter() - started) * 1000:.1f} ms"


def _set_faults(server: SimulatorServer, faults: dict[str, Any]) -> None:
    import requests

    requests.put(f"{server.url}/_sim/faults", json={"faults": faults}, timeout=5).raise_for_status()
