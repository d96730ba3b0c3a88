"""Ctrl-C during ``probeops run traceroute`` and ``probeops run mtr``.

Like ping and ``mtr --report``, both stop sending and print what was
measured so far. The MTR case lives here beside traceroute's because both
run on the same probe engine and the same lab set-up.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

PROBEOPS = Path(sys.executable).with_name("probeops")
SLOW = {
    "traceroute": ["-I", "-W", "30", "-g", "0", "-q", "1"],
    "mtr": ["-W", "30", "-c", "1000", "-i", "0.2"],
}
ECHO_IGNORE = "net.ipv4.icmp_echo_ignore_all"


@pytest.fixture(scope="module")
def silent_target(make_module_lab):
    """A chain of two routers whose destination never answers."""
    lab = make_module_lab("chain", routers=2, targets=1)
    lab.exec("t1", ["sysctl", "-qw", f"{ECHO_IGNORE}=1"])
    yield lab
    lab.exec("t1", ["sysctl", "-qw", f"{ECHO_IGNORE}=0"])


def raw_sockets(pid: int) -> int:
    """How many raw sockets the namespace of ``pid`` holds."""
    try:
        lines = Path(f"/proc/{pid}/net/raw").read_text().splitlines()
        lines += Path(f"/proc/{pid}/net/raw6").read_text().splitlines()
    except OSError:
        return 0
    return sum(1 for line in lines if ":" in line.split()[0])


def interrupted_run(lab, diagnostic: str, *extra: str) -> tuple[int, str, str]:
    """Start a slow run in the client, Ctrl-C it once probing is under way."""
    command = [str(PROBEOPS), "run", diagnostic, lab.addr("t1", 4)]
    child = lab.popen(
        "client",
        [*command, *SLOW[diagnostic], *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while raw_sockets(child.pid) < 2 and child.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    return child.returncode, out, err


@pytest.mark.parametrize("diagnostic", ["traceroute", "mtr"])
def test_ctrl_c_prints_the_hops_measured_so_far(silent_target, diagnostic):
    code, out, err = interrupted_run(silent_target, diagnostic)

    assert code == 1, err
    routers = silent_target.hop_addrs(4)[:2]
    lines = out.splitlines()
    rows = [line for line in lines if line.split()[0].rstrip(".|-").isdigit()]
    assert [row.split()[1] for row in rows] == routers
    assert "interrupted" in lines[-1] and lines[-1].startswith("# ")
    assert "Traceback" not in err


@pytest.mark.parametrize("diagnostic", ["traceroute", "mtr"])
def test_ctrl_c_marks_the_json_result_interrupted(silent_target, diagnostic):
    _, out, _ = interrupted_run(silent_target, diagnostic, "--json")
    [result] = json.loads(out)

    body = result["body"]
    assert body["interrupted"] is True
    assert body["destination_reached"] is False
    assert result["status"] == "failed"
    responders = [hop["responders"] for hop in body["hops"]]
    assert len(responders) == 2
    kinds = {probe["kind"] for hop in body["hops"] for probe in hop["probes"]}
    assert kinds == {"time_exceeded"}
