"""The README's two commands are what CI runs and what a newcomer types."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

TOP = Path(__file__).parents[1]


def test_the_readme_starts_with_the_run_and_test_commands():
    readme = (TOP / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    assert commands[:2] == ["./run.sh", "./test.sh"]


def test_ci_runs_the_readme_test_command():
    lines = (TOP / ".ci" / "run").read_text().splitlines()
    assert "exec ./test.sh" in lines


@pytest.mark.skipif(os.geteuid() != 0, reason="the demo pings need raw sockets")
def test_the_run_command_pings_loopback_then_serves_the_platform(tmp_path):
    environment = {
        **os.environ,
        "PROBEOPS_DATA_DIR": str(tmp_path),
        "PROBEOPS_LISTEN": "127.0.0.1:0",
    }
    child = subprocess.Popen(
        ["./run.sh"],
        cwd=TOP,
        env=environment,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output = _read_until(child, "log in with:")
        assert "127.0.0.1 : xmt/rcv/%loss = 5/5/0%" in output
        assert "::1 : xmt/rcv/%loss = 5/5/0%" in output
        api = re.search(r"API on (http://\S+)/api/v1", output).group(1)
        with urllib.request.urlopen(f"{api}/api/openapi.json", timeout=10) as answer:
            assert json.load(answer)["info"]["title"] == "ProbeOps"
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=30)
        child.stdout.close()


def _read_until(child: subprocess.Popen, marker: str) -> str:
    lines = []
    for line in child.stdout:
        lines.append(line)
        if marker in line:
            return "".join(lines)
    raise AssertionError("run.sh ended early:\n" + "".join(lines))
