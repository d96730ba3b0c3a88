"""The CLI starts light: no web framework, database or packet library."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("flask", "sqlalchemy", "alembic", "rq", "redis", "scapy", "psycopg2")

PROBE = """
import json, sys
from probeops.cli import build_parser
from probeops.plugins import load_registry
build_parser(load_registry())
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_building_the_cli_imports_no_heavy_library_whatever_is_installed():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert loaded.isdisjoint(HEAVY), sorted(loaded.intersection(HEAVY))
