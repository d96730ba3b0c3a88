"""Where accepted measurements are sent: RQ on Redis, or threads in-process.

The database row is committed before :meth:`submit` is called, so a job lost
here (Redis down or restarted) is only late: the sweeper queues it again.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from probeops_worker.jobs import JobContext, run_measurement

log = logging.getLogger(__name__)

JOB_FUNCTION = "probeops_worker.jobs.run_measurement"


class JobQueue(Protocol):
    """Sends measurement ids to whatever runs them."""

    def submit(self, measurement_id: str, time_limit: float | None = None) -> None:
        """Queue a job; ``time_limit`` is the seconds it may run."""

    def close(self) -> None: ...


class ThreadQueue:
    """Runs jobs on a pool of threads in this process (embedded profile)."""

    def __init__(self, context: JobContext, threads: int) -> None:
        self.context = context
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="probeops-job")

    def submit(self, measurement_id: str, time_limit: float | None = None) -> None:
        self.pool.submit(self._run, measurement_id)

    def _run(self, measurement_id: str) -> None:
        try:
            run_measurement(measurement_id, self.context)
        except Exception:  # the sweeper will queue it again
            log.exception("measurement %s: job failed", measurement_id)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)


class RedisQueue:
    """Sends jobs to an RQ queue that ``probeops worker`` processes read."""

    def __init__(
        self,
        redis_url: str,
        name: str,
        job_timeout: int,
        ttl: int,
        retries: int,
    ) -> None:
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(redis_url)
        self.queue = Queue(name, connection=self.redis)
        self.job_timeout, self.ttl, self.retries = job_timeout, ttl, retries

    def submit(self, measurement_id: str, time_limit: float | None = None) -> None:
        from redis.exceptions import RedisError
        from rq import Retry

        try:
            self.queue.enqueue(
                JOB_FUNCTION,
                measurement_id,
                job_id=f"measurement-{measurement_id}",
                job_timeout=math.ceil(time_limit or self.job_timeout),
                ttl=self.ttl,
                result_ttl=0,
                failure_ttl=24 * 3600,
                retry=Retry(max=self.retries, interval=[1, 5, 15])
                if self.retries
                else None,
            )
        except RedisError as error:
            log.warning(
                "measurement %s: not queued (%s); the sweeper will",
                measurement_id,
                error,
            )

    def close(self) -> None:
        self.redis.close()
