"""What a worker process tells Prometheus and health checkers about itself.

Job outcomes and durations are counted in this process, as the jobs end;
``/healthz`` says whether the worker can reach Redis and the database.
"""

from __future__ import annotations

import logging
import time

from probeops.health import HealthServer
from probeops_store.database import Store
from probeops_store.settings import PlatformSettings
from prometheus_client import Counter, Gauge, Histogram

log = logging.getLogger(__name__)

JOBS = Counter(
    "probeops_worker_jobs",
    "Measurement jobs this worker ran, by how they ended "
    "(finished, failed, skipped, or error when RQ will retry).",
    ["outcome"],
)
JOB_SECONDS = Histogram(
    "probeops_worker_job_duration_seconds",
    "Seconds a measurement job ran, by outcome.",
    ["outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
LAST_JOB = Gauge(
    "probeops_worker_last_job_timestamp_seconds",
    "Unix time at which this worker last ended a job.",
)
OUTCOMES = ("finished", "failed", "skipped")


def job_outcome(performed: bool, returned: object) -> str:
    """The outcome label of a job from RQ's verdict and the job's answer."""
    if not performed:
        return "error"
    return returned if returned in OUTCOMES else "error"


def observe_job(outcome: str, seconds: float) -> None:
    JOBS.labels(outcome).inc()
    JOB_SECONDS.labels(outcome).observe(seconds)
    LAST_JOB.set_to_current_time()


class JobMetrics:
    """Mixed into an RQ worker class: counts and times every job it runs."""

    def perform_job(self, job, queue, execution) -> bool:
        started = time.monotonic()
        performed = super().perform_job(job, queue, execution)
        # RQ keeps the job function's answer on the job while it runs here.
        outcome = job_outcome(performed, getattr(job, "_result", None))
        observe_job(outcome, time.monotonic() - started)
        return performed


def start_health(listen: tuple[str, int], settings: PlatformSettings) -> HealthServer:
    """Serve /healthz and /metrics for this worker on ``listen``."""
    from redis import Redis
    from sqlalchemy import text

    redis = Redis.from_url(
        settings.redis_url, socket_connect_timeout=2, socket_timeout=2
    )
    store = Store(settings.database_url)

    def database() -> None:
        with store.session() as session:
            session.execute(text("SELECT 1"))

    checks = {"redis": redis.ping, "database": database}
    return HealthServer(listen, checks).start()
