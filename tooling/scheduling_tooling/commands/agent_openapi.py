"""`scheduling agent openapi [--check]`: write (or check) schemas/agent/<group>.openapi.json from the
handlers' routes."""

from __future__ import annotations

import argparse
import sys

from scheduling_tooling.agent_groups import GROUPS, openapi_path, render


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="fail if a committed file differs from the code")


def run(args: argparse.Namespace) -> int:
    stale = []
    for group in GROUPS:
        path, text = openapi_path(group), render(group)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print("out of date (run `scheduling agent openapi`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0
