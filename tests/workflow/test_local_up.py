"""`scheduling local up` as the README runs it: another process drives a booking with plain boto3."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEDULING = str(Path(sys.executable).with_name("scheduling"))


@pytest.mark.parametrize("flags", [[], ["--mock"]], ids=["simulator", "mock-processes"])
def test_local_up_serves_a_stack_another_process_can_book_through(flags: list[str]) -> None:
    # Given `scheduling local up` on a free port (with --mock: each Lambda its own mock-mode process)
    up = subprocess.Popen(  # noqa: S603 - our own console script
        [SCHEDULING, "local", "up", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert up.stdout is not None
        env_lines = []
        for line in up.stdout:
            if line.startswith("# Ctrl-C"):
                break
            env_lines.append(line)
        exported = dict(re.findall(r"^export (\w+)=(.*)$", "".join(env_lines), re.MULTILINE))
        assert {"AWS_ENDPOINT_URL", "STATE_MACHINE_ARN", "DYNAMODB_TABLE_NAME"} <= set(exported)
        # When the README's example script runs in another process with the printed environment
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | exported
        result = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "tooling" / "examples" / "drive_one_booking.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        # Then it books through the served stack
        assert result.returncode == 0, result.stderr
        assert "outcome: confirmed" in result.stdout
    finally:
        up.send_signal(signal.SIGINT)  # Ctrl-C stops it cleanly
        assert up.wait(timeout=60) == 0
