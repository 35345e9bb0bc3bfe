"""The real HTTP client against the PF360 simulator over loopback sockets; Secrets Manager from moto."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from moto import mock_aws

from pf360_client import PF360Client, Settings, build_client
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN, SimulatorServer

SECRET = "pf360/test/credentials"


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorServer]:
    with SimulatorServer() as server:
        yield server


@pytest.fixture
def sim(simulator: SimulatorServer) -> SimulatorServer:
    """The module's simulator, reset to its seeded state with no faults and the default token."""
    admin = requests.Session()
    admin.post(f"{simulator.url}/_sim/reset", timeout=5).raise_for_status()
    admin.delete(f"{simulator.url}/_sim/faults", timeout=5).raise_for_status()
    admin.put(f"{simulator.url}/_sim/token", json={"token": DEFAULT_TOKEN}, timeout=5).raise_for_status()
    return simulator


@pytest.fixture
def aws() -> Iterator[Any]:
    with mock_aws():
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name=SECRET, SecretString=json.dumps({"token": DEFAULT_TOKEN}))
        yield secrets


@pytest.fixture
def make_client(sim: SimulatorServer, aws: Any) -> Callable[..., PF360Client]:
    """Build a real-mode client pointed at the simulator; keyword arguments override settings."""

    def make(**overrides: str) -> PF360Client:
        env = {
            "USE_MOCK_API": "false",
            "API_BASE_URL": sim.url,
            "WEATHER_API_URL": sim.url,
            "PF360_AUTH_MODE": "service",  # tests/e2e covers the customer's own token (the default)
            "PF360_CREDENTIALS_SECRET": SECRET,
            "ENABLE_REAL_CONFIRM": "true",
            "ENABLE_REAL_CANCEL": "true",
            "API_TIMEOUT": "2",
        }
        env.update(overrides)
        return build_client(Settings.from_env(env))

    return make


@pytest.fixture
def client(make_client: Callable[..., PF360Client]) -> PF360Client:
    return make_client()


@pytest.fixture
def set_faults(sim: SimulatorServer) -> Callable[[dict[str, Any]], None]:
    def apply(faults: dict[str, Any]) -> None:
        requests.put(f"{sim.url}/_sim/faults", json={"faults": faults}, timeout=5).raise_for_status()

    return apply


@pytest.fixture
def calls(sim: SimulatorServer) -> Callable[[], list[dict[str, Any]]]:
    """The simulator's call log: what actually crossed the wire."""

    def read() -> list[dict[str, Any]]:
        return list(requests.get(f"{sim.url}/_sim/calls", timeout=5).json()["calls"])

    return read
