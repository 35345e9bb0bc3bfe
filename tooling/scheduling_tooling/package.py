"""`make package`: the Lambda artifacts under `dist/`, reproducible byte for byte from a commit.

- `dist/layer.zip`: `python/` with the shared code (`pf360_client` with its schemas, `session_store`,
  `booking_bridge`) and the runtime dependencies of pyproject.toml at the versions of
  requirements/constraints.txt, as wheels for the Lambda runtime (`pip --platform
  manylinux2014_<arch> --only-binary=:all: --python-version 3.12`).
- `dist/<function>.zip` for every function in statemachines/resources.json: its own package only
  (`booking_steps`, or `agent_actions` with the event schema it checks at cold start).

Entries are sorted, stamped 1980-01-01 with fixed permissions, and caches are left out, so the same
commit gives the same bytes. Sizes are printed against Lambda's limits.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
SHARED = ("pf360_client", "session_store", "booking_bridge")
STAMP = (1980, 1, 1, 0, 0, 0)
ZIPPED_LIMIT = 50 * 1024 * 1024  # a direct upload
UNZIPPED_LIMIT = 250 * 1024 * 1024  # a function and its layers, unzipped
ARCHITECTURES = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}


def runtime_requirements() -> list[str]:
    """pyproject's runtime dependencies, pinned to the lock's versions."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_canonical(name)] = version.strip()
    pinned = []
    for requirement in declared:
        name = re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0]
        extras = (
            requirement[len(name) :].split("]")[0] + "]" if requirement[len(name) :].startswith("[") else ""
        )
        pinned.append(f"{name}{extras}=={pins[_canonical(name)]}")
    return pinned


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def build_layer(build: Path, architecture: str) -> Path:
    tree = build / "layer" / "python"
    shutil.rmtree(tree.parent, ignore_errors=True)
    tree.mkdir(parents=True)
    subprocess.run(  # noqa: S603 - pip with our own arguments
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--target", str(tree), "--platform", ARCHITECTURES[architecture],
            "--implementation", "cp", "--python-version", "3.12", "--only-binary=:all:", "--no-compile",
            *runtime_requirements(),
        ],
        check=True,
    )  # fmt: skip
    # Console scripts (bin/) carry this machine's interpreter path in their shebang and never run in
    # Lambda; the RECORD files list them with their hashes. Both would tie the bytes to the checkout.
    shutil.rmtree(tree / "bin", ignore_errors=True)
    for record in tree.glob("*.dist-info/RECORD"):
        record.unlink()
    for package in SHARED:
        shutil.copytree(FUNCTIONS / package, tree / package, ignore=_caches)
    for family in ("pf360", "workflow"):
        shutil.copytree(ROOT / "schemas" / family, tree / "pf360_client" / "schemas" / family)
    return tree.parent


def build_function(build: Path, handler: str) -> Path:
    package = handler.split(".")[0]
    tree = build / "functions" / package
    if not tree.exists():
        shutil.copytree(FUNCTIONS / package, tree / package, ignore=_caches)
        if package == "agent_actions":  # the event shape the handlers check at cold start
            (tree / package / "schemas" / "agent").mkdir(parents=True)
            shutil.copy(
                ROOT / "schemas" / "agent" / "bedrock_event.json", tree / package / "schemas" / "agent"
            )
    return tree


def _caches(_: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))]


def write_zip(tree: Path, target: Path) -> int:
    """Zip `tree` reproducibly; returns the unzipped size."""
    files = sorted(p for p in tree.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    unzipped = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(tree).as_posix(), date_time=STAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            unzipped += len(data)
            archive.writestr(info, data, compresslevel=9)
    return unzipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--architecture", choices=sorted(ARCHITECTURES), default="x86_64")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    build = args.out / "build"
    shutil.rmtree(args.out, ignore_errors=True)
    build.mkdir(parents=True)
    spec = json.loads((ROOT / "statemachines" / "resources.json").read_text())
    sizes = {
        "layer": (
            args.out / "layer.zip",
            write_zip(build_layer(build, args.architecture), args.out / "layer.zip"),
        )
    }
    for group in ("functions", "agent_functions"):
        for function in spec[group].values():
            target = args.out / f"{function['name']}.zip"
            sizes[function["name"]] = (target, write_zip(build_function(build, function["handler"]), target))
    shutil.rmtree(build)
    layer_unzipped = sizes["layer"][1]
    problems = []
    print(f"{'artifact':40} {'zipped':>10} {'unzipped':>10}")
    for name, (path, unzipped) in sizes.items():
        zipped = path.stat().st_size
        print(f"{name:40} {zipped / 1024:9.0f}K {unzipped / 1024:9.0f}K")
        if zipped > ZIPPED_LIMIT or (name != "layer" and unzipped + layer_unzipped > UNZIPPED_LIMIT):
            problems.append(name)
    if problems:
        print(f"over Lambda's limits: {', '.join(problems)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
