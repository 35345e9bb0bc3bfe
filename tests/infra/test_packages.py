"""`make package` builds what Lambda runs: the same commit gives byte-identical zips, and every handler
imports and answers with a Python 3.12 interpreter from its unpacked layer and function zip alone
(isolated: no site-packages, no PYTHONPATH, not this repository's tree)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scheduling_tooling import package
from scheduling_tooling.local.resources import Resources


def _python312() -> str:
    found = os.environ.get("PYTHON312") or shutil.which("python3.12")
    if not found:
        pytest.fail("no Python 3.12 interpreter: set PYTHON312 (make test finds one under pyenv)")
    return found


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    assert package.main(["--out", str(out)]) == 0
    return out


def test_the_same_commit_gives_byte_identical_zips(dist: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert package.main(["--out", str(again)]) == 0
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(dist.glob("*.zip"))}
    assert digest == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(again.glob("*.zip"))}
    assert len(digest) == 1 + len(Resources().function_names())


def test_no_zip_carries_this_checkout_or_this_machine(dist: Path) -> None:
    # A path of the build machine (a console script's shebang, a RECORD of it) would make a clone
    # elsewhere give other bytes: the same commit must give the same zips wherever it is built.
    here = [str(package.ROOT).encode(), os.path.realpath(sys.executable).encode()]
    for path in sorted(dist.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                assert not name.startswith("python/bin/"), f"{path.name}: {name}"
                data = archive.read(name)
                assert not any(marker in data for marker in here), f"{path.name}: {name} names this machine"


def test_a_function_zip_holds_its_own_code_only(dist: Path) -> None:
    names = zipfile.ZipFile(dist / "pf360-booking-confirm.zip").namelist()
    assert all(name.startswith("booking_steps/") for name in names)
    assert not any("__pycache__" in name for name in names)


HANDLERS = sorted(Resources().function_names().items())


@pytest.mark.parametrize(("function", "handler"), HANDLERS, ids=[name for name, _ in HANDLERS])
def test_every_handler_runs_from_its_unpacked_zips_alone(
    dist: Path, tmp_path: Path, function: str, handler: str
) -> None:
    layer, code = tmp_path / "layer", tmp_path / "function"
    zipfile.ZipFile(dist / "layer.zip").extractall(layer)
    zipfile.ZipFile(dist / f"{function}.zip").extractall(code)
    module, _, attribute = handler.rpartition(".")
    # A malformed event: each handler must load its schemas from the zips to refuse it
    script = f"""
import importlib, json, sys
sys.path[:0] = [{str(layer / "python")!r}, {str(code)!r}]
handler = getattr(importlib.import_module({module!r}), {attribute!r})
class Context:
    function_name, memory_limit_in_mb, aws_request_id = {function!r}, 256, "test"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + {function!r}
    def get_remaining_time_in_millis(self): return 30000
try:
    print(json.dumps(handler({{"not": "an event"}}, Context())))
except Exception as error:
    print(json.dumps({{"raised": type(error).__name__}}))
assert not any(p.startswith({str(package.ROOT)!r}) for p in sys.path if p)
# Every top-level package of the layer imports on this runtime: native wheels (pydantic_core, rpds,
# wrapt, charset_normalizer) for the wrong platform or Python would fail here, not on a first call.
import pkgutil
for found in pkgutil.iter_modules([{str(layer / "python")!r}]):
    if not found.name.startswith("_"):
        importlib.import_module(found.name)
"""
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1",
           "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "Test",
           "POWERTOOLS_LOG_LEVEL": "ERROR"}  # fmt: skip
    result = subprocess.run(  # noqa: S603 - the interpreter under test, our own script
        [_python312(), "-I", "-S", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    if module.startswith("agent_actions"):
        assert answer["response"]["httpStatusCode"] == 400  # the event schema was found and applied
    else:
        assert answer == {"raised": "StepInputError"}  # the step input schema was found and applied
