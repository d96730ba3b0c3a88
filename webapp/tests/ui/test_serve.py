"""A newcomer runs `probeops serve`, opens the URL it prints and logs in."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import snap

PROBEOPS = str(Path(sys.executable).with_name("probeops"))


@pytest.fixture
def served(tmp_path):
    """``probeops serve`` on a free loopback port; its banner's lines."""
    environ = {
        **os.environ,
        "PROBEOPS_DATA_DIR": str(tmp_path),
        "PROBEOPS_LISTEN": "127.0.0.1:0",
        "PROBEOPS_PROFILE": "embedded",
    }
    process = subprocess.Popen(
        [PROBEOPS, "serve"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if "with password" in line:
            break
    yield "\n".join(lines)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
    process.stdout.close()


def test_the_printed_url_and_password_open_the_dashboard(served, browser, artifacts):
    url = re.search(r"web UI on (http://127\.0\.0\.1:\d+/)", served).group(1)
    email, password = re.search(r"admin (\S+) with password (\S+)", served).groups()
    page = browser.new_context().new_page()

    page.goto(url)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Dashboard')")
    snap(page, "serve-dashboard")

    assert page.url == url
    assert page.locator("form.quick select option").count() >= 4
    page.context.close()
