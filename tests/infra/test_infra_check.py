"""What `make infra-check` relies on beyond checkov's exit code: every inline suppression says why and
is one checkov applies, checkov parsed every file (it exits 0 on files it cannot parse), no global skip
list, and .venv-infra holds exactly requirements/infra.txt."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from terraform_hcl import REPO, TERRAFORM

INFRA_VENV = REPO / ".venv-infra"
# checkov honours these prefixes (checkov.common.comment.enum.COMMENT_REGEX); a bridgecrew: or cortex:
# spelling must follow the same rules.
SKIP_COMMENT = re.compile(r"(?:checkov|bridgecrew|cortex):skip=\s*(?P<ids>[^:\s]*)(?::(?P<reason>[^\n]*))?")
CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
MIN_REASON_WORDS = 4


@dataclass(frozen=True)
class Suppression:
    file: str  # relative to terraform/, as checkov reports it ("/lambda.tf")
    line: int
    ids: str
    reason: str

    def problem(self) -> str | None:
        if not CHECK_ID.match(self.ids):
            return f"names {self.ids!r}: one check id (CKV_AWS_123) per comment, each with its own reason"
        if len(self.reason.split()) < MIN_REASON_WORDS:
            return f"skips {self.ids} with reason {self.reason.strip()!r}: say why it is acceptable here"
        return None

    def __str__(self) -> str:
        return f"terraform{self.file}:{self.line}"


def suppressions_in(text: str, file: str) -> list[Suppression]:
    return [
        Suppression(file, number, found["ids"], found["reason"] or "")
        for number, line in enumerate(text.splitlines(), start=1)
        if (found := SKIP_COMMENT.search(line))
    ]


def all_suppressions() -> list[Suppression]:
    return [
        suppression
        for path in sorted(TERRAFORM.rglob("*.tf"))
        for suppression in suppressions_in(path.read_text(), "/" + path.relative_to(TERRAFORM).as_posix())
    ]


@pytest.mark.parametrize(
    ("comment", "complaint"),
    [
        ("  #checkov:skip=CKV_AWS_117", "say why"),
        ("  #checkov:skip=CKV_AWS_117:not needed", "say why"),
        (
            "  # checkov:skip=CKV_AWS_117,CKV_AWS_116:Synchronous callers see every failure themselves.",
            "one check",
        ),
        ("  #bridgecrew:skip=CKV_AWS_117:", "say why"),
    ],
)
def test_a_suppression_without_its_own_reason_is_refused(comment: str, complaint: str) -> None:
    (suppression,) = suppressions_in(f'resource "x" "y" {{\n{comment}\n}}\n', "/x.tf")
    assert complaint in (suppression.problem() or "")


def test_every_inline_suppression_in_terraform_says_why() -> None:
    problems = [f"{s} {problem}" for s in all_suppressions() if (problem := s.problem())]
    assert not problems, "\n".join(problems)


def _infra_python() -> Path:
    python = INFRA_VENV / "bin" / "python"
    if not python.exists():
        pytest.fail("no .venv-infra: run `make infra-check` (make test does) to install checkov")
    return python


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    _infra_python()
    # The same offline flags as `make infra-check`, JSON instead of the console table.
    run = subprocess.run(  # noqa: S603 - the pinned checkov in .venv-infra
        [
            str(INFRA_VENV / "bin" / "checkov"),
            *("--directory", str(TERRAFORM), "--framework", "terraform", "--output", "json"),
            *("--skip-download", "--download-external-modules", "false"),
            *("--skip-path", "terraform/tests"),  # terraform test files, not infrastructure
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=TERRAFORM.parent,
        env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"},
    )
    assert run.returncode in (0, 1), run.stderr[-3000:]  # 1: failed checks, which make infra-check reports
    report = json.loads(run.stdout)
    # One framework gives one report; checkov answers a list when several are present.
    reports = report if isinstance(report, list) else [report]
    return next(r for r in reports if r.get("check_type") == "terraform")


def test_checkov_parsed_every_terraform_file(checkov_report: dict[str, Any]) -> None:
    unparsed = checkov_report["results"]["parsing_errors"]
    assert not unparsed, f"checkov could not parse, so checked nothing in: {unparsed}"
    assert checkov_report["summary"]["resource_count"] > 0


def test_every_inline_suppression_is_applied_by_checkov(checkov_report: dict[str, Any]) -> None:
    # A comment outside its resource block, or with a mistyped id, suppresses nothing and misleads.
    skipped = checkov_report["results"]["skipped_checks"]
    stale = [
        f"{s} skips {s.ids}, but checkov applied no such skip there: fix the id or move it into the block"
        for s in all_suppressions()
        if not any(
            r["check_id"] == s.ids
            and r["file_path"] == s.file
            and r["file_line_range"][0] <= s.line <= r["file_line_range"][1]
            for r in skipped
        )
    ]
    assert not stale, "\n".join(stale)


def test_no_global_skip_list_or_soft_fail() -> None:
    # Suppressions belong next to the resource with their reason, not in a config nobody reads.
    recipe = (REPO / "Makefile").read_text().partition("\ninfra-check:")[2].partition("\n\n")[0]
    # terraform/tests/*.tftest.hcl are `terraform test` files, not infrastructure (checkov's HCL
    # parser also hangs on them): the one path left out.
    recipe = recipe.replace("--skip-path terraform/tests", "", 1)
    configs = [p for d in (REPO, TERRAFORM) for p in (d / ".checkov.yaml", d / ".checkov.yml") if p.exists()]
    texts = {"Makefile infra-check": recipe, **{str(p.relative_to(REPO)): p.read_text() for p in configs}}
    assert "bin/checkov" in recipe
    for where, text in texts.items():
        for option in ("skip-check", "soft-fail", "skip-framework", "skip-path", "baseline"):
            assert option not in text, f"{where} sets {option}"


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        if found := re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line):
            pins[_normalize(found[1])] = found[2]
    return pins


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_infra_venv_holds_exactly_the_lock() -> None:
    _infra_python()
    site = next((INFRA_VENV / "lib").glob("python3*/site-packages"))
    installed = {_normalize(d.metadata["Name"]): d.version for d in metadata.distributions(path=[str(site)])}
    pins = _pins(REPO / "requirements" / "infra.txt")
    for bootstrap in {"pip", "setuptools", "wheel"} - pins.keys():  # the venv's own installer
        installed.pop(bootstrap, None)
    assert pins["checkov"] == _pins(REPO / "requirements" / "infra.in")["checkov"]
    assert installed == pins, "run `make infra-check` after changing requirements/infra.txt"
