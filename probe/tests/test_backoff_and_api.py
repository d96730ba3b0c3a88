"""Backoff with jitter honouring Retry-After, at the agent's HTTP seam."""

import http.server
import random
import threading

import pytest
from probeops_probe import api
from probeops_probe.backoff import Backoff
from probeops_probe.errors import ApiRefused, ApiUnreachable


def test_waits_grow_but_stay_jittered_below_the_ceiling():
    backoff = Backoff(base=1, cap=8, rng=random.Random(1))

    waits = [backoff.failed(now=0) for _ in range(6)]

    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(0 <= w <= c for w, c in zip(waits, ceilings, strict=True))
    assert len(set(waits)) == 6


def test_retry_after_is_a_floor_for_the_wait():
    backoff = Backoff(base=0.1, cap=1)

    wait = backoff.failed(retry_after=30, now=100)

    assert wait == 30
    assert not backoff.ready(now=129)
    assert backoff.ready(now=130)


def test_success_resets_the_backoff():
    backoff = Backoff()
    backoff.failed(now=0)

    backoff.succeeded()

    assert backoff.failures == 0 and backoff.ready(now=0)


class _Answering(http.server.BaseHTTPRequestHandler):
    status = 503
    headers_out = {"Retry-After": "7"}

    def do_GET(self):
        self.send_response(self.status)
        for name, value in self.headers_out.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"message": "busy"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    def serve(status, headers):
        handler = type("H", (_Answering,), {"status": status, "headers_out": headers})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    servers = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_503_with_retry_after_is_unreachable_and_carries_the_wait(loopback_server):
    base = loopback_server(503, {"Retry-After": "7"})

    with pytest.raises(ApiUnreachable) as caught:
        api.call(base, "GET", "/x", "pop_x")

    assert caught.value.retry_after == 7
    assert caught.value.retryable


def test_a_401_is_a_refusal_with_the_apis_message(loopback_server):
    base = loopback_server(401, {})

    with pytest.raises(ApiRefused, match="401: busy") as caught:
        api.call(base, "GET", "/x", "pop_x")

    assert caught.value.status == 401


def test_nothing_listening_is_unreachable():
    import socket

    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]

    with pytest.raises(ApiUnreachable, match="did not answer"):
        api.call(f"http://127.0.0.1:{port}", "GET", "/x", "pop_x")
