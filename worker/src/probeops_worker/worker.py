"""The ``probeops worker`` process: an RQ worker that never forks per job.

Jobs run in the worker's own process (RQ's ``SimpleWorker``), so the
plugins are loaded once. SIGTERM lets the job in hand finish, then the worker
stops. A sweeper thread queues again the measurements a crash or a Redis
restart left behind; PostgreSQL, not Redis, says what is still to be done.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from probeops_store import measurements, migrate
from probeops_store.database import Store
from probeops_store.settings import PlatformSettings

from probeops_worker import jobs
from probeops_worker.metrics import JobMetrics
from probeops_worker.queues import RedisQueue

log = logging.getLogger(__name__)

RECONNECT_PAUSE = 1.0
LEASE_GRACE = 5
"""Seconds a claim outlives the time limit, after which RQ has stopped it."""


def job_context(settings: PlatformSettings, store: Store) -> jobs.JobContext:
    """The job context a platform with these settings runs jobs in."""
    return jobs.JobContext(
        store=store,
        policy=settings.policy,
        grace=LEASE_GRACE,
        max_attempts=settings.job_retries + 1,
    )


def redis_queue(settings: PlatformSettings) -> RedisQueue:
    return RedisQueue(
        settings.redis_url,
        settings.queue,
        job_timeout=settings.job_timeout,
        ttl=settings.job_ttl,
        retries=settings.job_retries,
    )


class Sweeper(threading.Thread):
    """Queues again, now and then, what the database says is stranded."""

    def __init__(self, store: Store, queue, every: float) -> None:
        super().__init__(name="probeops-sweeper", daemon=True)
        self.store, self.queue, self.every = store, queue, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every / 2):
            try:
                self.sweep()
            except Exception as error:  # the database may be restarting
                log.warning("sweeper: %r; trying again later", error)

    def sweep(self) -> list[str]:
        with self.store.session() as session:
            stranded = measurements.stranded(session, self.every)
        for measurement_id, time_limit in stranded:
            log.info("measurement %s: queued again by the sweeper", measurement_id)
            self.queue.submit(measurement_id, time_limit)
        return [measurement_id for measurement_id, _ in stranded]

    def stop(self) -> None:
        self.stopped.set()


def run_worker(settings: PlatformSettings, burst: bool = False) -> int:
    """Process measurement jobs until SIGTERM (or, in burst mode, none left)."""
    # A lost claim or result is taken again after the lease: safe to repeat.
    store = Store(settings.database_url, durable=False)
    migrate.require_current(store)
    jobs.configure(job_context(settings, store))
    queue = redis_queue(settings)
    sweeper = Sweeper(store, queue, settings.requeue_after)
    sweeper.start()
    try:
        return _work(settings, queue, burst)
    finally:
        sweeper.stop()
        store.dispose()


def _work(settings: PlatformSettings, queue: RedisQueue, burst: bool) -> int:
    """Run RQ's loop, starting it again if it ends without being asked to."""
    if settings.worker_threads > 1:
        return _work_in_threads(queue, settings.worker_threads, burst)
    while True:
        worker = MeasurementWorker([queue.queue], connection=queue.redis)
        _loop(worker, burst)
        if burst or worker.stopping:
            return 0
        time.sleep(RECONNECT_PAUSE)


def _loop(worker, burst: bool) -> None:
    from redis.exceptions import ConnectionError as RedisDown

    try:
        worker.work(burst=burst, logging_level="WARNING")
    except RedisDown as error:
        log.warning("worker: Redis unreachable (%s); reconnecting", error)


def _work_in_threads(queue: RedisQueue, count: int, burst: bool) -> int:
    """Run ``count`` RQ loops on threads; SIGTERM stops each after its job."""
    loops = [ThreadLoop(queue, burst) for _ in range(count)]
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    for number in STOP_SIGNALS:
        signal.signal(number, lambda *_: _stop(loops))
    try:
        for loop in loops:
            loop.start()
        for loop in loops:
            while loop.is_alive():
                loop.join(0.5)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _stop(loops: list[ThreadLoop]) -> None:
    """First signal: finish the jobs in hand. Second: leave at once."""
    if any(loop.stopping for loop in loops):
        log.warning("worker: second stop signal; leaving jobs unfinished")
        raise SystemExit(1)
    log.info("worker: stopping after the jobs in hand")
    for loop in loops:
        loop.stop()


def _simple_worker_class():
    from rq import SimpleWorker

    return SimpleWorker


class MeasurementWorker(JobMetrics, _simple_worker_class()):
    """RQ's non-forking worker, remembering that a stop was requested."""

    stopping = False

    def request_stop(self, signum, frame) -> None:
        self.stopping = True
        super().request_stop(signum, frame)


class ThreadedWorker(MeasurementWorker):
    """One of several RQ loops in a process; the main thread takes signals.

    Job timeouts use a timer instead of SIGALRM, and an idle loop wakes up
    every second to notice a stop request.
    """

    from rq.timeouts import TimerDeathPenalty as death_penalty_class

    def _install_signal_handlers(self) -> None:
        """Signals belong to the main thread, which forwards them."""

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        from rq.exceptions import StopRequested

        while not self.stopping:
            found = super().dequeue_job_and_maintain_ttl(IDLE_WAKE, IDLE_WAKE)
            if found is not None or self.burst_mode:
                return found
        raise StopRequested()


IDLE_WAKE = 1
"""Seconds an idle threaded loop waits on Redis before checking for a stop."""


class ThreadLoop(threading.Thread):
    """A thread running one :class:`ThreadedWorker` until it is stopped."""

    def __init__(self, queue: RedisQueue, burst: bool) -> None:
        super().__init__(name="probeops-worker", daemon=True)
        self.queue, self.burst = queue, burst
        self.worker: ThreadedWorker | None = None
        self.stopping = False

    def run(self) -> None:
        while not self.stopping:
            self.worker = ThreadedWorker(
                [self.queue.queue], connection=self.queue.redis
            )
            self.worker.burst_mode = self.burst
            self.worker.stopping = self.stopping
            _loop(self.worker, self.burst)
            if self.burst:
                return
            if not self.stopping:
                time.sleep(RECONNECT_PAUSE)

    def stop(self) -> None:
        self.stopping = True
        if self.worker is not None:
            self.worker.stopping = True
