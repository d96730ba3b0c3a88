"""Captured results render as the dig-like text beside them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from probeops.result import Result
from probeops_dns.render import render

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("case", sorted(p.stem for p in GOLDEN.glob("*.json")))
def test_a_captured_result_renders_as_its_golden_text(case):
    document = json.loads((GOLDEN / f"{case}.json").read_text())

    text = render([Result.from_json(document)])

    assert text + "\n" == (GOLDEN / f"{case}.txt").read_text()
