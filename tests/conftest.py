"""Shared fixtures. Every test starts from the same environment and leaves it as it found it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

_MARKER_BY_FOLDER = {"unit", "contract", "integration", "workflow", "e2e", "infra", "console", "cli", "ops"}
# Fake AWS settings: moto needs a region and credentials, and nothing may ever reach a real account.
_AWS_TEST_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_SERVICE_NAME": "pf360-scheduling-tests",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by its folder: `pytest -m unit` runs tests/unit, and so on."""
    for item in items:
        folder = Path(str(item.fspath)).relative_to(Path(__file__).parent).parts[0]
        if folder in _MARKER_BY_FOLDER:
            item.add_marker(getattr(pytest.mark, folder))


@pytest.fixture(autouse=True)
def _clean_environment() -> Iterator[None]:
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("AWS_", "PF360_", "API_", "ENABLE_REAL_", "USE_MOCK_API", "WEATHER_API_URL")):
            del os.environ[name]
    os.environ.update(_AWS_TEST_ENV)
    yield
    os.environ.clear()
    os.environ.update(saved)


# --- for folders whose conftest provides a `stack` (a EmbeddedStack): workflow, e2e ---------------------


@pytest.fixture
def faults(stack: Any) -> Callable[[dict[str, Any]], None]:
    """Replace the PF360 simulator's fault plan (see tooling/scheduling_tooling/pf360_sim/faults.py)."""

    def apply(profile: dict[str, Any]) -> None:
        requests.put(
            f"{stack.simulator.url}/_sim/faults", json={"faults": profile}, timeout=5
        ).raise_for_status()

    return apply


@pytest.fixture
def pf360_calls(stack: Any) -> Callable[[], list[dict[str, Any]]]:
    """The simulator's call log: what actually reached PF360."""

    def read() -> list[dict[str, Any]]:
        return list(requests.get(f"{stack.simulator.url}/_sim/calls", timeout=5).json()["calls"])

    return read
