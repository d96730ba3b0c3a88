"""Gunicorn settings for the ProbeOps web app (``gunicorn -c THIS_FILE``).

Threaded workers, so that a live progress stream holds a thread rather than
a whole process. Prometheus counters of the worker processes are shared
through PROMETHEUS_MULTIPROC_DIR, which must be an empty directory at start.
"""

import os
import shutil

bind = os.environ.get("PROBEOPS_GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("PROBEOPS_GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("PROBEOPS_GUNICORN_THREADS", "8"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 75
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("PROBEOPS_GUNICORN_FORWARDED_ALLOW", "127.0.0.1")
wsgi_app = "probeops_webapp.wsgi:app"


def on_starting(server):
    """Begin with no counters left over from an earlier run."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    """Forget the counters of a worker process that has gone."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
