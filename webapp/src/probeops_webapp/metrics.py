"""``/metrics``: the platform in the Prometheus text format.

Two kinds of figures are served. Request counts and latencies are kept by
each web process (gunicorn's workers share them through
``PROMETHEUS_MULTIPROC_DIR`` when it is set). Measurement counts and
durations, probe heartbeats, queue depth and registered workers are read at
scrape time from the database and Redis, so every replica of the web app
reports the same figures for the whole fleet.
"""

from __future__ import annotations

import logging
import os
import time

from flask import Blueprint, Flask, Response, current_app, g, request
from probeops_store.models import Measurement
from probeops_store.probe_models import Probe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    SummaryMetricFamily,
)
from sqlalchemy import func, select

from probeops_webapp import access

log = logging.getLogger(__name__)

blp = Blueprint("metrics", __name__)

REQUESTS = Counter(
    "probeops_http_requests",
    "HTTP requests answered, by method, route and status.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "probeops_http_request_duration_seconds",
    "Seconds taken to answer an HTTP request, by method and route.",
    ["method", "route"],
)


@blp.get("/metrics")
def scrape():
    """Every metric of this process and of the platform, as Prometheus text."""
    platform = CollectorRegistry(auto_describe=True)
    platform.register(PlatformCollector(current_app))
    body = generate_latest(_process_registry()) + generate_latest(platform)
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def _process_registry():
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class PlatformCollector:
    """Reads the fleet-wide figures from the database and the queue."""

    def __init__(self, app: Flask) -> None:
        self.store = app.extensions["probeops_store"]
        self.queue = app.extensions["probeops_queue"]
        self.up = GaugeMetricFamily(
            "probeops_dependency_up",
            "Whether the scrape could read the dependency (1) or not (0).",
            labels=["dependency"],
        )

    def collect(self):
        yield from self._guarded("database", self._measurements)
        yield from self._guarded("database", self._probes)
        if hasattr(self.queue, "queue"):
            yield from self._guarded("redis", self._queue)
        yield self.up

    def _guarded(self, dependency: str, read):
        try:
            families = list(read())
        except Exception as error:  # the scrape still reports what it can
            log.warning("metrics: cannot read the %s: %r", dependency, error)
            self.up.add_metric([dependency], 0)
            return []
        self.up.add_metric([dependency], 1)
        return families

    def _measurements(self):
        counts = CounterMetricFamily(
            "probeops_measurements",
            "Measurements accepted, by diagnostic and current status.",
            labels=["diagnostic", "status"],
        )
        durations = SummaryMetricFamily(
            "probeops_measurement_duration_seconds",
            "Seconds from start to end of ended measurements, by diagnostic.",
            labels=["diagnostic"],
        )
        with self.store.session() as session:
            for diagnostic, status, count in session.execute(_count_query()):
                counts.add_metric([diagnostic, status], count)
            for diagnostic, count, total in session.execute(
                _duration_query(self.store.is_sqlite)
            ):
                durations.add_metric([diagnostic], count, float(total or 0))
        return [counts, durations]

    def _probes(self):
        heartbeats = GaugeMetricFamily(
            "probeops_probe_last_heartbeat_timestamp_seconds",
            "Unix time of each enrolled probe's last heartbeat.",
            labels=["probe_id", "probe"],
        )
        query = select(Probe.id, Probe.name, Probe.last_seen_at).where(
            Probe.revoked_at.is_(None), Probe.last_seen_at.is_not(None)
        )
        with self.store.session() as session:
            for probe_id, name, seen in session.execute(query):
                heartbeats.add_metric([probe_id, name], seen.timestamp())
        return [heartbeats]

    def _queue(self):
        from rq import Worker

        rq_queue = self.queue.queue
        depth = GaugeMetricFamily(
            "probeops_queue_depth", "Jobs waiting in the queue.", labels=["queue"]
        )
        depth.add_metric([rq_queue.name], rq_queue.count)
        workers = GaugeMetricFamily(
            "probeops_queue_workers",
            "Workers registered in Redis and listening on the queue.",
            labels=["queue"],
        )
        workers.add_metric([rq_queue.name], Worker.count(queue=rq_queue))
        return [depth, workers]


def _count_query():
    return select(Measurement.diagnostic, Measurement.status, func.count()).group_by(
        Measurement.diagnostic, Measurement.status
    )


def _duration_query(sqlite: bool):
    started, finished = Measurement.started_at, Measurement.finished_at
    if sqlite:
        seconds = (func.julianday(finished) - func.julianday(started)) * 86400.0
    else:
        seconds = func.extract("epoch", finished - started)
    return (
        select(Measurement.diagnostic, func.count(), func.sum(seconds))
        .where(started.is_not(None), finished.is_not(None))
        .group_by(Measurement.diagnostic)
    )


def _start_timer() -> None:
    g.probeops_started = time.perf_counter()


def _count_request(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    started = g.pop("probeops_started", None)
    if started is not None:
        elapsed = time.perf_counter() - started
        REQUEST_SECONDS.labels(request.method, route).observe(elapsed)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
    access.mark_public(app, "metrics.scrape")
    app.before_request(_start_timer)
    app.after_request(_count_request)
