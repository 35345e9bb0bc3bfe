"""The ASL itself: a real validator, placeholders only for resource ARNs, and the retry rules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scheduling_tooling.local.resources import STATEMACHINES, Resources

VALIDATOR = (
    Path(__file__).resolve().parents[2]
    / "tooling"
    / "asl-validator"
    / "node_modules"
    / ".bin"
    / "asl-validator"
)
DEFINITION = json.loads((STATEMACHINES / "booking-conversation.asl.json").read_text())
STATES: dict[str, Any] = DEFINITION["States"]
TRANSIENT = {"PF360Unavailable", "PF360RateLimited", "PF360Timeout"}
LAMBDA_SERVICE_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    assert VALIDATOR.exists(), "run `make test` (it installs tooling/asl-validator with npm ci)"
    assert shutil.which("node"), "node is needed for asl-validator"
    return subprocess.run(  # noqa: S603 - our pinned validator
        [str(VALIDATOR), "--json-path", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_rendered_definition_passes_asl_validator(tmp_path: Path) -> None:
    rendered = tmp_path / "booking.asl.json"
    rendered.write_text(Resources().definition())
    result = _validate(rendered)
    assert result.returncode == 0, result.stdout + result.stderr


def test_asl_validator_rejects_a_broken_definition(tmp_path: Path) -> None:
    broken = json.loads(Resources().definition())
    broken["States"]["Route Mode"]["Type"] = "Bogus"
    path = tmp_path / "broken.asl.json"
    path.write_text(json.dumps(broken))
    assert _validate(path).returncode != 0


def test_placeholders_are_resource_arns_from_the_one_map() -> None:
    text = (STATEMACHINES / "booking-conversation.asl.json").read_text()
    placeholders = set(re.findall(r"\$\{([a-z0-9_]+)\}", text))
    assert placeholders
    assert all(name.endswith("_arn") for name in placeholders)
    assert placeholders <= set(Resources().placeholders())
    assert "${" not in Resources().definition()


def test_every_transition_targets_a_state_and_every_state_is_reachable() -> None:
    targets: dict[str, set[str]] = {}
    for name, state in STATES.items():
        nexts = {state.get("Next"), state.get("Default")}
        nexts |= {c["Next"] for c in state.get("Choices", [])} | {c["Next"] for c in state.get("Catch", [])}
        targets[name] = {n for n in nexts if n}
        assert targets[name] <= set(STATES), f"{name} points at a missing state"
    seen, todo = set(), [DEFINITION["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += targets[name]
    assert seen == set(STATES), f"unreachable: {sorted(set(STATES) - seen)}"


def test_state_names_are_title_case_and_the_machine_has_a_comment() -> None:
    assert DEFINITION["Comment"]
    for name in STATES:
        assert all(word[:1].isupper() for word in name.rstrip("?").split()), name


@pytest.mark.parametrize(
    "name", [n for n, s in STATES.items() if s.get("Resource") == "arn:aws:states:::lambda:invoke"]
)
def test_lambda_tasks_retry_transient_and_lambda_service_errors_with_full_jitter(name: str) -> None:
    retries = STATES[name]["Retry"]
    retried = {error for r in retries for error in r["ErrorEquals"]}
    assert "States.ALL" not in retried  # never a blanket retry, above all on a write
    assert retried >= TRANSIENT
    assert retried >= LAMBDA_SERVICE_ERRORS
    for policy in retries:
        assert policy["JitterStrategy"] == "FULL"
        assert 1 <= policy["MaxAttempts"] <= 5
        assert policy["BackoffRate"] >= 1
    transient = next(r for r in retries if set(r["ErrorEquals"]) >= TRANSIENT)
    assert transient["MaxDelaySeconds"] <= 60
    assert STATES[name]["TimeoutSeconds"] > 0
    assert any("States.ALL" in c["ErrorEquals"] for c in STATES[name]["Catch"])  # nothing falls through


def test_waits_for_the_customer_expire_with_the_session() -> None:
    waits = [s for s in STATES.values() if s.get("Resource", "").endswith(".waitForTaskToken")]
    assert len(waits) == 2
    for wait in waits:
        assert wait["TimeoutSecondsPath"] == "$.timeout_seconds"
        assert {"States.Timeout"} in [set(c["ErrorEquals"]) for c in wait["Catch"]]
        assert "execution_name = :me" in wait["Parameters"]["ConditionExpression"]


def test_execution_input_is_ids_only() -> None:
    from pf360_client import contract

    schema = json.loads((contract.schema_dir("workflow") / "execution_input.json").read_text())
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "session_id",
        "client_id",
        "customer_id",
        "project_id",
        "mode",
        "timeout_seconds",
    }
