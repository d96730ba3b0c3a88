"""Without CAP_NET_RAW, path diagnostics say so and exit 3, even as root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROBEOPS = Path(sys.executable).with_name("probeops")


@pytest.mark.parametrize("diagnostic", ["traceroute", "mtr"])
def test_a_host_without_raw_sockets_gets_exit_3_and_a_sentence(diagnostic):
    if shutil.which("setpriv") is None:
        pytest.skip("needs util-linux setpriv")
    done = subprocess.run(
        [
            "setpriv",
            "--inh-caps=-net_raw",
            "--bounding-set=-net_raw",
            PROBEOPS,
            "run",
            diagnostic,
            "127.0.0.1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PROBEOPS_PLUGINS": f"probeops-{diagnostic}"},
    )
    assert done.returncode == 3
    assert done.stderr.strip() == (
        f"probeops: {diagnostic} needs raw sockets: run as root or grant CAP_NET_RAW"
    )
