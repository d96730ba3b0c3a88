"""Test helpers: a lab DNS server on loopback, an embedded platform, users.

Used by this distribution's tests and by anyone testing a deployment.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from dataclasses import dataclass

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
from probeops_store import migrate
from probeops_store.database import Store
from probeops_store.settings import load
from probeops_worker.queues import ThreadQueue
from probeops_worker.worker import job_context

from probeops_webapp import accounts
from probeops_webapp.app import create_app

PASSWORD = "a long enough password"

LAB_ZONE = {
    "loop.lab.test.": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
    "private.lab.test.": {"A": ["10.0.0.5"]},
    "mixed.lab.test.": {"A": ["127.0.0.1", "192.168.7.7"]},
    "metadata.lab.test.": {"A": ["169.254.169.254"]},
}


class LabDNS(threading.Thread):
    """A UDP DNS server on loopback answering from :data:`LAB_ZONE`."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                wire, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            self.sock.sendto(answer(dns.message.from_wire(wire)).to_wire(), peer)

    def stop(self) -> None:
        self.stopped.set()
        self.join()
        self.sock.close()


def answer(query: dns.message.Message) -> dns.message.Message:
    response = dns.message.make_response(query)
    question = query.question[0]
    name = question.name.to_text().lower()
    kind = dns.rdatatype.to_text(question.rdtype)
    if name not in LAB_ZONE:
        response.set_rcode(dns.rcode.NXDOMAIN)
        return response
    addresses = LAB_ZONE[name].get(kind, [])
    if addresses:
        response.answer.append(
            dns.rrset.from_text_list(name, 60, "IN", kind, addresses)
        )
    return response


class RecordingQueue(ThreadQueue):
    """The in-process queue, remembering every id it was handed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submitted: list[str] = []

    def submit(self, measurement_id: str, time_limit: float | None = None) -> None:
        self.submitted.append(measurement_id)
        super().submit(measurement_id, time_limit)


_emails = itertools.count()


@dataclass
class Platform:
    """An app, its database and queue, and helpers to act as users."""

    app: object
    store: Store
    queue: RecordingQueue

    @property
    def client(self):
        return self.app.test_client()

    def user(self, role: str = "admin", org: str = "alpha") -> dict:
        """Create a user and return the headers of a logged-in session."""
        email = f"user{next(_emails)}@{org}.example"
        accounts.create_user(self.store, email, PASSWORD, role, org)
        return self.login(email)

    def login(self, email: str, password: str = PASSWORD) -> dict:
        answer = self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert answer.status_code == 200, answer.json
        self.last_tokens = answer.json
        return {"Authorization": f"Bearer {answer.json['access_token']}"}

    def api_key(self, headers: dict, scopes: list[str], **extra) -> dict:
        answer = self.client.post(
            "/api/v1/api-keys",
            headers=headers,
            json={"name": "script", "scopes": scopes, **extra},
        )
        assert answer.status_code == 201, answer.json
        return {"X-API-Key": answer.json["key"]}

    def wait(self, headers: dict, location: str, timeout: float = 60) -> dict:
        """Poll a measurement until it is finished or failed."""
        limit = time.monotonic() + timeout
        while time.monotonic() < limit:
            body = self.client.get(location, headers=headers).json
            if body["status"] in ("finished", "failed"):
                return body
            time.sleep(0.05)
        raise AssertionError(f"{location} still {body['status']} after {timeout}s")


def embedded_platform(tmp_path, **environ) -> Platform:
    settings = load({"PROBEOPS_DATA_DIR": str(tmp_path), **environ})
    store = Store(settings.database_url)
    migrate.upgrade(store)
    queue = RecordingQueue(job_context(settings, store), 2)
    return Platform(create_app(settings, store, queue), store, queue)
