"""The settings page lists every installed setting, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from probeops.settings import all_settings

PAGE = Path(__file__).parents[2] / "docs" / "settings.md"


def test_every_setting_is_on_the_page_with_its_help_and_allowed_values():
    page = PAGE.read_text()
    for item in all_settings():
        row = next((line for line in page.splitlines() if f"`{item.name}`" in line), "")
        assert row, f"{item.name} is missing: run probeops settings --markdown"
        assert item.help in row and item.allowed in row, f"{item.name} row is stale"


def test_the_page_names_no_setting_that_does_not_exist():
    documented = set(re.findall(r"^\| `(PROBEOPS_\w+)`", PAGE.read_text(), re.M))
    assert documented == {item.name for item in all_settings()}
