"""`scheduling pf360 serve` as a user runs it: a separate process, a profile file, real sockets."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pf360_client import build_client
from pf360_client.contract import check
from pf360_client.credentials import StaticToken
from pf360_client.errors import PF360TransientError
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from pf360_client.settings import Settings
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN

SCHEDULING = str(Path(sys.executable).with_name("scheduling"))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    profile = tmp_path / "503-twice.json"
    profile.write_text(
        json.dumps({"faults": {"get_projects": [{"kind": "status", "status": 503, "times": 2}]}})
    )
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [SCHEDULING, "pf360", "serve", "--port", "0", "--faults", str(profile)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    assert match, f"no URL in {line!r}"
    yield match.group(0)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    assert process.wait(timeout=60) == 0  # a bound on something that will happen, never a speed claim


def test_served_simulator_answers_with_schema_valid_json_after_the_profile_faults(served: str) -> None:
    # Given the CLI serving with the profile "503 twice, then OK"
    settings = Settings.from_env(
        {"USE_MOCK_API": "false", "API_BASE_URL": served, "PF360_CREDENTIALS_SECRET": "unused-here"}
    )
    client = build_client(settings, credentials=StaticToken(DEFAULT_TOKEN))
    # When the client asks for projects three times
    outcomes = []
    for _ in range(3):
        try:
            outcomes.append(len(client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)))
        except PF360TransientError as error:
            outcomes.append(type(error).__name__)
    # Then the transient error comes twice, then the projects
    assert outcomes == ["PF360Unavailable", "PF360Unavailable", 3]
    # And the raw answer is schema-valid JSON
    raw = requests.get(
        f"{served}/dashboard/get/{DEMO_CLIENT}/{DEMO_CUSTOMER}",
        timeout=5,
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "client_id": DEMO_CLIENT},
    )
    assert raw.headers["Content-Type"] == "application/json"
    check("get_projects.response.json", raw.json())


def test_serve_refuses_a_bad_profile_with_a_clear_error(tmp_path: Path) -> None:
    profile = tmp_path / "bad.json"
    profile.write_text(json.dumps({"faults": {"get_projects": [{"kind": "explode"}]}}))
    result = subprocess.run(  # noqa: S603
        [SCHEDULING, "pf360", "serve", "--port", "0", "--faults", str(profile)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "kind must be one of" in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_stops_on_ctrl_c_and_sigterm(stop: signal.Signals) -> None:
    # Given the CLI serving (werkzeug's serving loop swallows KeyboardInterrupt; the base raises it again)
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [SCHEDULING, "pf360", "serve", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
    assert url, "no URL printed"
    assert requests.get(f"{url.group(0)}/_sim/health", timeout=30).json() == {"ok": True}
    # When it gets the signal
    process.send_signal(stop)
    # Then it says so and exits cleanly (a bound on something that will happen, never a speed claim)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert output.splitlines()[-1] == "stopping"
