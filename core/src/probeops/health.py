"""A small HTTP endpoint where a long-running process shows its health.

Workers and probe agents open no port for their work. This endpoint, when
the operator turns it on, answers ``GET /healthz`` from a set of named
checks and ``GET /metrics`` in the Prometheus text format (when
prometheus-client is installed), so that a container runtime, a load
balancer or Prometheus can watch the process.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger(__name__)

Check = Callable[[], None]
"""Returns when the dependency answers; raises, with a reason, when not."""


def parse_listen(raw: str) -> tuple[str, int] | None:
    """Parse ``HOST:PORT`` (``[::1]:PORT`` for IPv6), or ``off`` for none."""
    if raw == "off":
        return None
    host, _, port = raw.rpartition(":")
    number = int(port)
    if not host or not 0 <= number < 65536:
        raise ValueError("expected HOST:PORT with a port in 0-65535, or off")
    return host.strip("[]"), number


def check_report(checks: Mapping[str, Check]) -> tuple[bool, dict[str, str]]:
    """Run every check; say whether all passed and what each one said."""
    report: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as error:  # any failure makes the process unhealthy
            report[name] = f"{type(error).__name__}: {error}"
        else:
            report[name] = "ok"
    return all(value == "ok" for value in report.values()), report


class HealthServer:
    """Serves ``/healthz`` and ``/metrics`` on a thread of this process."""

    def __init__(self, listen: tuple[str, int], checks: Mapping[str, Check]) -> None:
        family_host, port = listen
        handler = type("HealthHandler", (_HealthHandler,), {"checks": checks})
        server_class = _server_class(family_host)
        self.http = server_class((family_host, port), handler)
        self.thread = threading.Thread(
            target=self.http.serve_forever, name="probeops-health", daemon=True
        )

    @property
    def port(self) -> int:
        return self.http.server_address[1]

    def start(self) -> HealthServer:
        self.thread.start()
        log.info("health: listening on port %s", self.port)
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def _server_class(host: str) -> type[ThreadingHTTPServer]:
    if ":" not in host:
        return ThreadingHTTPServer
    import socket

    return type(
        "HealthServer6", (ThreadingHTTPServer,), {"address_family": socket.AF_INET6}
    )


class _HealthHandler(BaseHTTPRequestHandler):
    checks: Mapping[str, Check] = {}

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        if self.path == "/healthz":
            self._health()
        elif self.path == "/metrics":
            self._metrics()
        else:
            self._send(404, "application/json", b'{"status": "not found"}')

    def _health(self) -> None:
        healthy, report = check_report(self.checks)
        body = {"status": "ok" if healthy else "failing", "checks": report}
        code = 200 if healthy else 503
        self._send(code, "application/json", json.dumps(body).encode())

    def _metrics(self) -> None:
        try:
            from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
        except ImportError:
            self._send(404, "text/plain", b"prometheus-client is not installed\n")
            return
        self._send(200, CONTENT_TYPE_LATEST, generate_latest(REGISTRY))

    def _send(self, code: int, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        log.debug("health: " + format, *args)
