"""A plugin distribution from outside the tree works with no core change."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

PLUGIN = Path(__file__).parent / "third_party" / "probeops-tcpconnect"


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """A fresh venv that sees this checkout's packages, plus the plugin."""
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is installed by scripts/bootstrap.sh; run ./test.sh"
    root = tmp_path_factory.mktemp("venv")
    subprocess.run(
        [uv, "venv", "--quiet", "--python", sys.executable, root], check=True
    )
    python = root / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sysconfig.get_path("purelib")
    Path(site, "probeops_checkout.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n"
    )
    # Offline: the build backend comes from uv's cache, filled by `uv sync`.
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--no-deps",
            "--python",
            python,
            PLUGIN,
        ],
        check=True,
    )
    return python


def _probeops(python: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-m", "probeops", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PROBEOPS_PLUGINS": "*"},
    )


def test_the_plugin_is_listed_with_its_distribution(environment):
    listing = json.loads(_probeops(environment, "diagnostics", "--json").stdout)
    rows = {row["name"]: row for row in listing["diagnostics"]}
    assert rows["tcpconnect"]["distribution"] == "acme-tcpconnect"
    assert rows["tcpconnect"]["version"] == "0.3.0"


def test_the_plugin_runs_with_flags_generated_from_its_schema(environment):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        done = _probeops(
            environment, "run", "tcpconnect", "127.0.0.1", "-p", str(port), "--json"
        )
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    assert result["diagnostic"] == "tcpconnect"
    assert result["body"]["connect_ms"] >= 0


def test_the_plugins_own_validation_gives_exit_2(environment):
    done = _probeops(environment, "run", "tcpconnect", "127.0.0.1", "-p", "70000")
    assert done.returncode == 2
    assert "port" in done.stderr
