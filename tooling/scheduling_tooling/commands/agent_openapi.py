"""`scheduling agent openapi [--check]`: write (or check) schemas/agent/<group>.openapi.json from the
handlers' routes."""

from __future__ import annotations

import argparse
import sys

from scheduling_tooling.agent_groups import GROUPS, openapi_path, render

EXAMPLES = """\
Bedrock reads each action group's OpenAPI schema; these files are generated from the handlers' routes,
so a route's description or parameter changes there, never in the JSON.

examples:
  scheduling agent openapi            # rewrite schemas/agent/*.openapi.json
  scheduling agent openapi --check    # exit 1 when a committed file is out of date (CI)
"""


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
