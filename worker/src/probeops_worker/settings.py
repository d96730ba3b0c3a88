"""Settings of the ``probeops worker`` process beyond the platform's own."""

from __future__ import annotations

from probeops.health import parse_listen
from probeops.settings import setting

HEALTH_LISTEN = setting(
    "PROBEOPS_WORKER_HEALTH",
    "off",
    parse_listen,
    "Where `probeops worker` answers GET /healthz (Redis and the database "
    "reachable) and GET /metrics (job counts and durations); off opens no port.",
    "'off' or HOST:PORT, e.g. 0.0.0.0:9101; port 0 picks a free port",
)
