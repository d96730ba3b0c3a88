"""What NGINX with TLS costs in front of gunicorn, on loopback.

Starts the web app under gunicorn with docker/gunicorn.conf.py (embedded
profile, so no database server is needed for /healthz), and Debian's nginx
with nginx/probeops.conf.template and a throw-away self-signed certificate.
Clients on keep-alive connections then ask GET /healthz as fast as they
can, first straight from gunicorn over HTTP, then through NGINX over HTTPS,
and the rates are printed with their ratio.

Run: .venv/bin/python bench/nginx_proxy.py [--requests 4000] [--clients 8]
Needs nginx and openssl on PATH.
"""

from __future__ import annotations

import argparse
import http.client
import os
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from probeops_store.testing import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MAIN = """daemon off; {user} worker_processes 1; pid {run}/nginx.pid;
error_log {run}/error.log warn; events {{ worker_connections 1024; }}
http {{ include /etc/nginx/mime.types; access_log off;
client_body_temp_path {run}/body; proxy_temp_path {run}/proxy;
fastcgi_temp_path {run}/fcgi; uwsgi_temp_path {run}/uwsgi;
scgi_temp_path {run}/scgi; include {run}/probeops.conf; }}
"""


def site(run: Path, ports: dict[str, int]) -> None:
    values = {
        "PROBEOPS_SERVER_NAME": "127.0.0.1",
        "PROBEOPS_HTTP_LISTEN": f"127.0.0.1:{ports['http']}",
        "PROBEOPS_HTTPS_LISTEN": f"127.0.0.1:{ports['https']}",
        "PROBEOPS_PUBLIC_URL": f"https://127.0.0.1:{ports['https']}",
        "PROBEOPS_UPSTREAM": f"127.0.0.1:{ports['gunicorn']}",
        "PROBEOPS_TLS_DIR": str(run),
        "PROBEOPS_STATIC_URL": "/static/",
        "PROBEOPS_STATIC_ROOT": str(run),
        "PROBEOPS_ACME_ROOT": str(run),
    }
    text = (ROOT / "nginx" / "probeops.conf.template").read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    (run / "probeops.conf").write_text(text)
    user = "user root;" if os.geteuid() == 0 else ""
    (run / "nginx.conf").write_text(MAIN.format(run=run, user=user))
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=bench",
         "-keyout", str(run / "privkey.pem"), "-out", str(run / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def start(run: Path, ports: dict[str, int]) -> list[subprocess.Popen]:
    environ = {**os.environ, "PROBEOPS_DATA_DIR": str(run), "PROBEOPS_PROXY_HOPS": "1"}
    gunicorn = [str(BIN / "gunicorn"), "-c", str(ROOT / "docker" / "gunicorn.conf.py")]
    gunicorn += [
        "--bind",
        f"127.0.0.1:{ports['gunicorn']}",
        "--access-logfile",
        "/dev/null",
    ]
    nginx = ["nginx", "-p", str(run), "-e", str(run / "error.log")]
    nginx += ["-c", str(run / "nginx.conf")]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    upgrade = [str(BIN / "probeops"), "db", "upgrade"]
    subprocess.run(upgrade, env=environ, check=True, **quiet)
    return [
        subprocess.Popen(gunicorn, env=environ, **quiet),
        subprocess.Popen(nginx, env=environ, **quiet),
    ]


def connect(port: int, secure: bool) -> http.client.HTTPConnection:
    if not secure:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)


def client(port: int, secure: bool, count: int) -> None:
    connection = connect(port, secure)
    for _ in range(count):
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"/healthz answered {response.status}")
    connection.close()


def rate(port: int, secure: bool, requests: int, clients: int) -> float:
    client(port, secure, 50)  # warm up workers and TLS session cache
    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for done in [
            pool.submit(client, port, secure, requests // clients)
            for _ in range(clients)
        ]:
            done.result()
    return (requests // clients * clients) / (time.perf_counter() - began)


def wait_ready(port: int, secure: bool) -> None:
    limit = time.monotonic() + 60
    while True:
        try:
            return client(port, secure, 1)
        except (OSError, http.client.HTTPException):
            if time.monotonic() > limit:
                raise
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    arguments = parser.parse_args()
    ports = {name: free_port() for name in ("gunicorn", "http", "https")}
    with tempfile.TemporaryDirectory(prefix="probeops-bench-") as directory:
        run = Path(directory)
        site(run, ports)
        processes = start(run, ports)
        try:
            wait_ready(ports["gunicorn"], False)
            wait_ready(ports["https"], True)
            direct = rate(
                ports["gunicorn"], False, arguments.requests, arguments.clients
            )
            proxied = rate(ports["https"], True, arguments.requests, arguments.clients)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
    print(f"GET /healthz, {arguments.clients} keep-alive clients")
    print(f"  gunicorn direct (HTTP):  {direct:8.0f} requests/s")
    print(f"  through NGINX (HTTPS):   {proxied:8.0f} requests/s")
    print(f"  ratio NGINX/direct:      {proxied / direct:8.2f}")


if __name__ == "__main__":
    main()
