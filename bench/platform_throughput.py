"""Platform throughput: API -> Redis -> two workers -> PostgreSQL.

Submits 1-packet pings of 127.0.0.1 over HTTP to `probeops serve` in the
production profile, with two `probeops worker` processes, and reports:

* sustained measurements per second, submitting as fast as 8 clients can;
* p50/p95 submit-to-finished latency at a steady 50 requests per second;
* raw RQ's no-op job rate on the same Redis in the same run (one and two
  SimpleWorkers, and one forking worker), with the ratio beside it.

Run: .venv/bin/python bench/platform_throughput.py [--jobs 600] [--seconds 10]
Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and redis-server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from probeops_store.database import Store
from probeops_store.models import Measurement
from probeops_store.testing import RedisServer, free_port, postgres_database
from sqlalchemy import func, select

BIN = Path(sys.executable).parent
PING = {"diagnostic": "ping", "targets": ["127.0.0.1"], "options": {"count": 1}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()

    redis = RedisServer().start()
    try:
        with postgres_database() as database_url:
            run(arguments, redis, database_url)
    finally:
        redis.close()


def run(arguments, redis: RedisServer, database_url: str) -> None:
    environ = _environ(redis, database_url)
    server, base, password = _serve(environ)
    workers = [_spawn([str(BIN / "probeops"), "worker"], environ) for _ in range(2)]
    store = Store(database_url)
    try:
        key = _api_key(base, password)
        _submit(base, key)  # warm both sides up
        rate = _sustained(base, key, store, arguments.jobs)
        p50, p95, offered = _latency_at(base, key, store, 50.0, arguments.seconds)
    finally:
        for process in [*workers, server]:
            process.terminate()
            process.wait(timeout=30)
        store.dispose()
    raw = _raw_rq(redis.url)
    _report(rate, p50, p95, offered, raw)


def _environ(redis: RedisServer, database_url: str) -> dict:
    return {
        **os.environ,
        "PROBEOPS_PROFILE": "production",
        "PROBEOPS_DATABASE_URL": database_url,
        "PROBEOPS_REDIS_URL": redis.url,
        "PROBEOPS_SECRET_KEY": "bench-" + "s" * 40,
        "PROBEOPS_TARGET_ALLOWLIST": "127.0.0.0/8",
        "PROBEOPS_LISTEN": f"127.0.0.1:{free_port()}",
        "PROBEOPS_LOGIN_LIMIT": "1000/minute",
    }


def _spawn(command: list[str], environ: dict) -> subprocess.Popen:
    return subprocess.Popen(
        command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _serve(environ: dict) -> tuple[subprocess.Popen, str, str]:
    server = subprocess.Popen(
        [str(BIN / "probeops"), "serve"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    text = ""
    for line in server.stdout:
        text += line
        if line.lstrip().startswith("curl "):
            break
    threading.Thread(target=server.stdout.read, daemon=True).start()
    base = re.search(r"API on http://([\d.]+:\d+)/api/v1", text).group(1)
    return server, base, re.search(r"with password (\S+)", text).group(1)


class Api:
    """One keep-alive HTTP connection per thread."""

    local = threading.local()

    @classmethod
    def call(cls, base: str, method: str, path: str, body=None, headers=None):
        connection = getattr(cls.local, "connection", None)
        if connection is None:
            connection = cls.local.connection = http.client.HTTPConnection(base)
        connection.request(
            method,
            path,
            body=json.dumps(body) if body else None,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"null")


def _api_key(base: str, password: str) -> dict:
    _, tokens = Api.call(
        base,
        "POST",
        "/api/v1/auth/login",
        {"email": "admin@probeops.local", "password": password},
    )
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    _, created = Api.call(
        base,
        "POST",
        "/api/v1/api-keys",
        {"name": "bench", "scopes": ["measurements:write"]},
        bearer,
    )
    return {"X-API-Key": created["key"]}


def _submit(base: str, key: dict) -> str:
    status, body = Api.call(base, "POST", "/api/v1/measurements", PING, key)
    if status != 202:
        raise SystemExit(f"submit answered {status}: {body}")
    return body["id"]


def _sustained(base: str, key: dict, store: Store, jobs: int) -> float:
    """Measurements finished per second while 8 clients submit flat out."""
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: _submit(base, key), range(jobs)))
    _wait_finished(store, ids)
    return jobs / (time.monotonic() - started)


def _latency_at(base: str, key: dict, store: Store, rate: float, seconds: float):
    """p50 and p95 of created -> finished, submitting at ``rate`` per second."""
    total = int(rate * seconds)
    ids: list[str] = []
    began = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        futures = []
        for index in range(total):
            time.sleep(max(0.0, began + index / rate - time.monotonic()))
            futures.append(pool.submit(_submit, base, key))
        ids = [future.result() for future in futures]
    offered = total / (time.monotonic() - began)
    _wait_finished(store, ids)
    with store.session() as session:
        rows = session.execute(
            select(Measurement.created_at, Measurement.finished_at).where(
                Measurement.id.in_(ids)
            )
        ).all()
    latencies = sorted((done - made).total_seconds() * 1000 for made, done in rows)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    return statistics.median(latencies), p95, offered


def _wait_finished(store: Store, ids: list[str], timeout: float = 300) -> None:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        with store.session() as session:
            done = session.scalar(
                select(func.count())
                .where(Measurement.id.in_(ids))
                .where(Measurement.status.in_(("finished", "failed")))
            )
        if done == len(ids):
            return
        time.sleep(0.02)
    raise SystemExit(f"only {done} of {len(ids)} measurements ended")


def _raw_rq(redis_url: str, jobs: int = 1000) -> dict[str, float]:
    """No-op jobs per second through plain RQ, for comparison."""
    return {
        "1 SimpleWorker": _rq_rate(redis_url, jobs, 1, "rq.worker.SimpleWorker"),
        "2 SimpleWorkers": _rq_rate(redis_url, jobs, 2, "rq.worker.SimpleWorker"),
        "1 forking Worker": _rq_rate(redis_url, jobs // 4, 1, "rq.worker.Worker"),
    }


def _rq_rate(redis_url: str, jobs: int, workers: int, worker_class: str) -> float:
    from redis import Redis
    from rq import Queue

    queue = Queue("bench-noop", connection=Redis.from_url(redis_url))
    queue.empty()
    for _ in range(jobs):
        queue.enqueue("os.getpid", result_ttl=0)
    started = time.monotonic()
    command = [
        str(BIN / "rq"),
        "worker",
        "--burst",
        "-q",
        "-u",
        redis_url,
        "-w",
        worker_class,
        "bench-noop",
    ]
    processes = [_spawn(command, dict(os.environ)) for _ in range(workers)]
    for process in processes:
        process.wait()
    return jobs / (time.monotonic() - started)


def _report(rate, p50, p95, offered, raw: dict[str, float]) -> None:
    print("ProbeOps platform, 1-packet pings of 127.0.0.1, two workers")
    print(f"  sustained          {rate:8.1f} measurements/s   (goal >= 300)")
    print(
        f"  at {offered:5.1f} req/s     p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"
        "   (goal p95 <= 100 ms)"
    )
    print("raw RQ no-op jobs on the same Redis (worker start-up included)")
    for name, value in raw.items():
        print(f"  {name:<18} {value:8.1f} jobs/s   platform/raw = {rate / value:5.2f}")


if __name__ == "__main__":
    main()
