"""`scheduling agent invoke --aws` needs only the Lambdas: no state machine, no table, Terraform read
at most once, and errors name the target. AWS is replaced by fakes at `Target.client`."""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from scheduling_tooling import cli
from scheduling_tooling.target import Target

ROOT = Path(__file__).resolve().parents[2]
EVENT = ROOT / "tests" / "events" / "scheduling_get_available_dates.json"
ANSWER = {"messageVersion": "1.0", "response": {"httpStatusCode": 200, "responseBody": {}}}


class Aws:
    """The AWS calls the command makes, by service; `unreachable` makes Lambda fail to connect."""

    def __init__(self, *, unreachable: bool = False) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.unreachable = unreachable

    def client(self, target: Target, service: str, **_: Any) -> Any:
        aws = self

        class Client:
            def __getattr__(self, operation: str) -> Any:
                def call(**kwargs: Any) -> Any:
                    aws.calls.append((service, operation, kwargs))
                    if service == "lambda" and aws.unreachable:
                        raise EndpointConnectionError(endpoint_url="https://lambda.eu-west-1.amazonaws.com")
                    if operation == "invoke":
                        return {"Payload": io.BytesIO(json.dumps(ANSWER).encode())}
                    return {}

                return call

        return Client()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Aws:
    fake = Aws()
    monkeypatch.setattr(Target, "client", lambda target, service, **kw: fake.client(target, service, **kw))
    # a `terraform` that counts its runs and names the Lambdas
    outputs = {
        "lambda_function_names": {
            "value": {"scheduling": "tf-scheduling", "information": "tf-information", "notes": "tf-notes"},
            "sensitive": False,
        },
        "region": {"value": "eu-west-1", "sensitive": False},
    }
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "stack").mkdir()
    script = bin_dir / "terraform"
    script.write_text(
        f"#!/bin/sh\necho run >> '{tmp_path}/runs'\ncat <<'EOF'\n{json.dumps(outputs)}\nEOF\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return fake


def _invoke(tmp_path: Path, *words: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "agent",
        "invoke",
        "--aws",
        "--json",
        "--event",
        str(EVENT),
        "--terraform-dir",
        str(tmp_path / "stack"),
    ]
    with redirect_stdout(out), redirect_stderr(err):
        status = cli.main([*argv, *words])
    return status, out.getvalue(), err.getvalue()


def _runs(tmp_path: Path) -> int:
    runs = tmp_path / "runs"
    return len(runs.read_text().splitlines()) if runs.exists() else 0


def test_every_function_given_needs_no_terraform_and_no_state_machine(aws: Aws, tmp_path: Path) -> None:
    functions = ["--function=scheduling=s", "--function=information=i", "--function=notes=n"]
    status, out, err = _invoke(tmp_path, "--region", "eu-west-1", *functions)
    assert status == 0, err
    assert json.loads(out) == ANSWER
    assert _runs(tmp_path) == 0
    assert [(service, operation) for service, operation, _ in aws.calls] == [
        ("sts", "get_caller_identity"),
        ("lambda", "invoke"),
    ]
    assert aws.calls[-1][2]["FunctionName"] == "s"


def test_terraform_is_read_once_for_the_missing_functions_and_the_region(aws: Aws, tmp_path: Path) -> None:
    status, _, err = _invoke(tmp_path, "--function=scheduling=s")
    assert status == 0, err
    assert _runs(tmp_path) == 1
    assert "describe_state_machine" not in [operation for _, operation, _ in aws.calls]


def test_an_unreachable_lambda_endpoint_names_the_region(aws: Aws, tmp_path: Path) -> None:
    aws.unreachable = True
    status, out, err = _invoke(tmp_path)
    assert (status, out) == (2, "")
    assert "is eu-west-1 a region?" in err
    assert "is ? a region" not in err
