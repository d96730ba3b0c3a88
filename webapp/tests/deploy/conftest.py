"""The deployment on loopback: NGINX with TLS, gunicorn, a worker, Redis.

Everything listens on 127.0.0.1 ports chosen free; NGINX runs as a child
process from a configuration rendered into a temporary directory (never the
system service), with a certificate from a test CA made here.
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from probeops_store import migrate
from probeops_store.database import Store
from probeops_store.testing import RedisServer, free_port, postgres_database
from probeops_webapp import accounts

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
PASSWORD = "a long enough password"
ADMIN = "ops@deploy.example"


def pytest_collection_modifyitems(items):
    if shutil.which("nginx"):
        return
    skip = pytest.mark.skip(
        reason="nginx is not installed (scripts/system-packages.sh)"
    )
    for item in items:
        if "stack" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


# -- a test certificate authority ---------------------------------------------


def _key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _certificate(subject, issuer, key, signer, *, authority: bool):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=authority, path_length=None), True)
    )
    if not authority:
        address = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
        builder = builder.add_extension(
            x509.SubjectAlternativeName([address, x509.DNSName("localhost")]), False
        )
    return builder.sign(signer, hashes.SHA256())


def issue_certificates(directory: Path) -> Path:
    """Write a CA and a 127.0.0.1 certificate laid out as Certbot does.

    Returns the CA certificate's path; ``fullchain.pem`` and ``privkey.pem``
    are in ``directory``.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    ca_key, server_key = _key(), _key()
    ca = _certificate(
        name("ProbeOps test CA"),
        name("ProbeOps test CA"),
        ca_key,
        ca_key,
        authority=True,
    )
    server = _certificate(
        name("127.0.0.1"), ca.subject, server_key, ca_key, authority=False
    )
    pem = serialization.Encoding.PEM
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "fullchain.pem").write_bytes(
        server.public_bytes(pem) + ca.public_bytes(pem)
    )
    (directory / "privkey.pem").write_bytes(
        server_key.private_bytes(
            pem,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    return directory / "ca.pem"


# -- NGINX from the repository's template ---------------------------------------

MAIN_CONFIG = """\
daemon off;
{user}
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {run}/access.log;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {run}/probeops.conf;
}}
"""


def render_template(text: str, values: dict[str, str]) -> str:
    """Replace ``${NAME}`` for the names given, as envsubst with a list."""
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


def render_nginx(run: Path, values: dict[str, str]) -> Path:
    template = (ROOT / "nginx" / "probeops.conf.template").read_text()
    (run / "probeops.conf").write_text(render_template(template, values))
    user = "user root;" if os.geteuid() == 0 else ""
    main = run / "nginx.conf"
    main.write_text(MAIN_CONFIG.format(run=run, user=user))
    return main


# -- processes ------------------------------------------------------------------


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout=90.0):
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if process.poll() is not None:
            raise RuntimeError(f"exited {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{log.stem}: port {port} never opened:\n{log.read_text()}")


@dataclass
class Processes:
    """Child processes of the stack, each with its log file."""

    directory: Path
    running: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str], environ: dict) -> Path:
        log = self.directory / f"{name}.log"
        with open(log, "w") as output:
            self.running[name] = subprocess.Popen(
                command, env=environ, stdout=output, stderr=subprocess.STDOUT
            )
        return log

    def stop_all(self) -> None:
        for process in reversed(list(self.running.values())):
            if process.poll() is None:
                process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- HTTPS as a browser or a script would use it -----------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class Client:
    """Talks to the stack through NGINX only, trusting the test CA."""

    def __init__(self, https_port: int, http_port: int, ca: Path) -> None:
        self.https_port, self.http_port = https_port, http_port
        self.context = ssl.create_default_context(cafile=str(ca))

    def https(
        self, method: str, path: str, body=None, headers=None, source="127.0.0.1"
    ) -> Answer:
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.https_port,
            context=self.context,
            timeout=30,
            source_address=(source, 0),
        )
        return self._exchange(connection, method, path, body, headers)

    def events(self, path: str, headers: dict):
        """Yield ``(event, data)`` of a Server-Sent Events stream as it comes."""
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=self.context, timeout=30
        )
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            assert response.status == 200, response.read()
            yield from _parse_events(response)
        finally:
            connection.close()

    def http(self, method: str, path: str) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
        return self._exchange(connection, method, path, None, None)

    def _exchange(self, connection, method, path, body, headers) -> Answer:
        headers = dict(headers or {})
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def login(self, email: str = ADMIN) -> dict:
        answer = self.https(
            "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}
        )
        assert answer.status == 200, answer.body
        return {"Authorization": f"Bearer {answer.json['access_token']}"}


def _parse_events(response):
    name, data = None, []
    for raw in response:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data.append(line[len("data: ") :])
        elif not line and name:
            yield name, json.loads("\n".join(data))
            name, data = None, []


@dataclass
class Stack:
    client: Client
    redis: RedisServer
    store: Store
    static_root: Path
    acme_root: Path
    worker_health_port: int
    logs: Path


def _environ(redis: RedisServer, database_url: str, run: Path) -> dict[str, str]:
    metrics_dir = run / "prometheus"
    metrics_dir.mkdir()
    return {
        **os.environ,
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "PROBEOPS_PROFILE": "production",
        "PROBEOPS_DATABASE_URL": database_url,
        "PROBEOPS_REDIS_URL": redis.url,
        "PROBEOPS_SECRET_KEY": "deploy-test-secret-" + "s" * 24,
        "PROBEOPS_TARGET_ALLOWLIST": "127.0.0.0/8",
        "PROBEOPS_PROXY_HOPS": "1",
        "PROBEOPS_REQUEUE_AFTER": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }


def _start_services(processes, environ, run, ports) -> None:
    gunicorn_log = processes.start(
        "gunicorn",
        [
            str(BIN / "gunicorn"),
            "-c",
            str(ROOT / "docker" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{ports['gunicorn']}",
        ],
        environ,
    )
    worker_env = {
        **environ,
        "PROBEOPS_WORKER_HEALTH": f"127.0.0.1:{ports['worker']}",
        "PROBEOPS_WORKER_THREADS": "2",
    }
    worker_env.pop("PROMETHEUS_MULTIPROC_DIR")
    worker_log = processes.start(
        "worker", [str(BIN / "probeops"), "worker"], worker_env
    )
    nginx_log = processes.start(
        "nginx",
        [
            "nginx",
            "-p",
            str(run),
            "-e",
            str(run / "error.log"),
            "-c",
            str(run / "nginx.conf"),
        ],
        environ,
    )
    wait_for_port(ports["gunicorn"], processes.running["gunicorn"], gunicorn_log)
    wait_for_port(ports["worker"], processes.running["worker"], worker_log)
    wait_for_port(ports["https"], processes.running["nginx"], nginx_log)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    run = tmp_path_factory.mktemp("deploy")
    ports = {name: free_port() for name in ("gunicorn", "worker", "http", "https")}
    ca = issue_certificates(run / "live" / "probeops.test")
    static_root, acme_root = run / "static", run / "acme"
    static_root.mkdir()
    (acme_root / ".well-known" / "acme-challenge").mkdir(parents=True)
    render_nginx(
        run,
        {
            "PROBEOPS_SERVER_NAME": "127.0.0.1",
            "PROBEOPS_HTTP_LISTEN": f"127.0.0.1:{ports['http']}",
            "PROBEOPS_HTTPS_LISTEN": f"127.0.0.1:{ports['https']}",
            "PROBEOPS_PUBLIC_URL": f"https://127.0.0.1:{ports['https']}",
            "PROBEOPS_UPSTREAM": f"127.0.0.1:{ports['gunicorn']}",
            "PROBEOPS_TLS_DIR": str(run / "live" / "probeops.test"),
            "PROBEOPS_STATIC_URL": "/static/",
            "PROBEOPS_STATIC_ROOT": str(static_root),
            "PROBEOPS_ACME_ROOT": str(acme_root),
        },
    )

    redis = RedisServer().start()
    processes = Processes(run)
    with postgres_database() as database_url:
        store = Store(database_url)
        migrate.upgrade(store)
        accounts.create_user(store, ADMIN, PASSWORD, "operator", "deploy")
        try:
            _start_services(processes, _environ(redis, database_url, run), run, ports)
            client = Client(ports["https"], ports["http"], ca)
            yield Stack(
                client, redis, store, static_root, acme_root, ports["worker"], run
            )
        finally:
            processes.stop_all()
            redis.close()
            store.dispose()
