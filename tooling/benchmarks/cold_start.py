"""Cold start: CPU to import each Lambda's handler module, in fresh interpreters.

    python tooling/benchmarks/cold_start.py [--runs 7] [--top 15] [--baseline OTHER/functions]

For every handler in statemachines/resources.json (the three agent action groups, then each step
Lambda) it starts `python -c` --runs times with a deployed Lambda's environment (real mode, tracing
off, dummy AWS values: nothing is called) and, inside the child, measures `time.process_time()` (CPU,
not wall time) around three phases of a cold start:

- import: the handler module (the target applies to this: issue 8 item 6, the scheduling handler
  <= 500 ms, a step Lambda <= 250 ms);
- settings: reading and validating its settings, as its first call does;
- check: the first contract check of that call (jsonschema loaded, the schema compiled).

It prints min/median per module, then where the scheduling handler's import time goes (`-X importtime`
self time summed per top-level package: wall time of one run, a breakdown, not the measure).
`--baseline` also measures another tree's `functions/` (e.g. an earlier commit from `git archive`),
alternating runs with this one so both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEDULING = "agent_actions.handlers.scheduling"
STEP_TARGET_MS = 250.0
AGENT_TARGETS_MS = {SCHEDULING: 500.0}

# What the first call does after the import: read the settings, then check its input's contract.
_FIRST_CALL = {
    "step": (
        "from pf360_client.settings import Settings; Settings.from_env()",
        "from pf360_client import contract; contract.validator('step_input.json', 'workflow')",
    ),
    "agent": (
        "from pf360_client.settings import Settings; Settings.from_env(); "
        "from agent_actions.services import AgentSettings; AgentSettings.from_env()",
        "from agent_actions import event_shape; event_shape.fits('string_map', {})",
    ),
}
# Only `time` (a builtin module) is loaded before the clock starts.
_CHILD = """
import time
t0 = time.process_time()
import {module}
t1 = time.process_time()
{settings}
t2 = time.process_time()
{check}
t3 = time.process_time()
print("COLD_START", (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000)
"""


class ChildFailed(Exception):
    pass


def lambda_env(function_name: str, functions: Path) -> dict[str, str]:
    """A deployed Lambda's environment in real mode, with dummy AWS values (nothing is called)."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "SYSTEMROOT") if name in os.environ}
    return keep | {
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "LAMBDA_TASK_ROOT": "/var/task",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "benchmark",
        "AWS_SECRET_ACCESS_KEY": "benchmark",
        "AWS_SESSION_TOKEN": "benchmark",
        "USE_MOCK_API": "false",
        "API_ENVIRONMENT": "dev",
        "PF360_CREDENTIALS_SECRET": "pf360/credentials",
        "DYNAMODB_TABLE_NAME": "pf360-scheduling-sessions",
        "IDEMPOTENCY_TABLE_NAME": "pf360-scheduling-idempotency",
        "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:pf360-booking-conversation",
        "POWERTOOLS_SERVICE_NAME": "pf360-scheduling",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "PF360Scheduling",
        "PYTHONPATH": str(functions),  # ahead of the editable install: --baseline measures its own tree
    }


def handlers() -> list[tuple[str, str, str]]:
    """(kind, module, function name) for every Lambda of resources.json: agent handlers first."""
    resources = json.loads((ROOT / "statemachines" / "resources.json").read_text(encoding="utf-8"))
    found = []
    for kind, group in (("agent", "agent_functions"), ("step", "functions")):
        for function in resources[group].values():
            found.append((kind, function["handler"].rsplit(".", 1)[0], function["name"]))
    return found


def measure(kind: str, module: str, function_name: str, functions: Path) -> tuple[float, float, float]:
    """(import, settings, check) ms of CPU in one fresh interpreter."""
    settings, check = _FIRST_CALL[kind]
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _CHILD.format(module=module, settings=settings, check=check)],
        env=lambda_env(function_name, functions),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("COLD_START ")), None)
    if done.returncode != 0 or line is None:
        raise ChildFailed(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output")
    imported, settings_ms, check_ms = (float(part) for part in line.split()[1:])
    return imported, settings_ms, check_ms


def import_costs(module: str, function_name: str, top: int) -> tuple[list[tuple[str, int]], int]:
    """`-X importtime` of one cold import: self time (us) per top-level package, and the total."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=lambda_env(function_name, ROOT / "functions"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    by_package: dict[str, int] = defaultdict(int)
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line.removeprefix("import time:").split("|")
        by_package[name.strip().split(".")[0]] += int(self_us)
    ranked = sorted(by_package.items(), key=lambda item: -item[1])
    return ranked[:top], sum(by_package.values())


def row(label: str, samples: list[tuple[float, float, float]], limit: float | None) -> tuple[str, bool]:
    imports = [sample[0] for sample in samples]
    median = statistics.median(imports)
    settings = statistics.median(sample[1] for sample in samples)
    check = statistics.median(sample[2] for sample in samples)
    total = statistics.median(sum(sample) for sample in samples)
    ok = limit is None or median <= limit
    verdict = "" if limit is None else f"<= {limit:.0f} {'ok' if ok else 'OVER'}"
    numbers = f"{min(imports):6.0f} {median:6.0f} {settings:8.0f} {check:6.0f} {total:6.0f}"
    return f"{label:46} {numbers}  {verdict}", ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per module (default 7)")
    parser.add_argument("--top", type=int, default=15, help="packages shown in the import breakdown")
    parser.add_argument("--baseline", type=Path, help="another tree's functions/ to measure alongside")
    args = parser.parse_args()
    trees = [("", ROOT / "functions")]
    if args.baseline:
        trees.append(("  (baseline)", args.baseline.resolve()))

    print(f"cold start: CPU ms in the child (time.process_time), {args.runs} fresh interpreters each")
    print("(before the redesign, issue 8: the scheduling handler imported in 840-1150 ms, a step in 263-466)")
    print(f"{'module':46} {'import':>13} {'settings':>8} {'check':>6} {'total':>6}  import target")
    print(f"{'':46} {'min':>6} {'median':>6} {'median':>8} {'median':>6} {'median':>6}")
    problems = []
    for kind, module, function_name in handlers():
        limit = STEP_TARGET_MS if kind == "step" else AGENT_TARGETS_MS.get(module)
        samples: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _ in trees}
        try:
            for _, functions in trees:  # warm the bytecode cache, as a deployed package has it
                measure(kind, module, function_name, functions)
            for _ in range(args.runs):
                for label, functions in trees:  # alternated: both trees see the same machine load
                    samples[label].append(measure(kind, module, function_name, functions))
        except ChildFailed as failure:
            print(f"{module:46} failed: {failure}")
            problems.append(module)
            continue
        for label, _ in trees:
            line, ok = row(module + label, samples[label], limit)
            print(line)
            if not ok and not label:
                problems.append(module)

    name = next(fn for _, module, fn in handlers() if module == SCHEDULING)
    ranked, total_us = import_costs(SCHEDULING, name, args.top)
    print(f"\nimport {SCHEDULING}: self time per top-level package (-X importtime, wall, one run)")
    for package, self_us in ranked:
        print(f"  {package:32} {self_us / 1000:7.1f} ms  {100 * self_us / total_us:4.1f}%")
    print(f"  {'(all)':32} {total_us / 1000:7.1f} ms")
    if problems:
        print(f"\nfailed or over the import target: {', '.join(problems)}")


if __name__ == "__main__":
    main()
