"""Short paths, unroutable destinations and traces running side by side."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from probeops import Status

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def pair(make_module_lab):
    return make_module_lab("chain", routers=0, targets=2)


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp", "tcp"])
def test_destination_one_hop_away_is_reached_at_hop_one(pair, tracer, family, protocol):
    target = pair.addr("t1", family)
    result = tracer.trace(pair, target, protocol=protocol)

    assert result.status is Status.FINISHED
    assert result.body["stop_reason"] == "destination_reached"
    assert result.body["hop_count"] == 1
    assert tracer.responders(result) == [{target}]


@pytest.mark.parametrize(("family", "address"), [(4, "198.19.254.1"), (6, "fd7f::1")])
def test_destination_without_a_route_is_unreachable(pair, tracer, family, address):
    output = pair.exec("client", ["traceroute", "-n", address])

    result = tracer.trace(pair, address, protocol="udp")

    assert result.status is Status.FAILED
    assert result.body["stop_reason"] == "unreachable"
    assert result.body["hops"] == []
    assert "Network is unreachable" in result.error
    assert "Network is unreachable" in output.stderr


def test_concurrent_traces_never_take_each_others_replies(pair, tracer):
    targets = [pair.addr(node, family) for node in ("t1", "t2") for family in (4, 6)]
    results = []

    def trace(target: str) -> None:
        result = tracer.trace(pair, target, protocol="icmp", queries=10)
        results.append((target, result))

    threads = [threading.Thread(target=trace, args=(t,)) for t in targets * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == len(threads)
    for target, result in results:
        probes = result.body["hops"][0]["probes"]
        assert result.body["stop_reason"] == "destination_reached"
        assert [probe["kind"] for probe in probes] == ["echo_reply"] * 10
        assert {probe["responder"] for probe in probes} == {target}


LISTENER = (
    "import socket, sys, time\n"
    "s = socket.socket(socket.AF_INET6)\n"
    "s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)\n"
    "s.bind(('::', 8080)); s.listen(); print('ready', flush=True); time.sleep(60)\n"
)


@pytest.fixture(scope="module")
def open_port(pair):
    server = pair.popen("t1", [sys.executable, "-c", LISTENER], stdout=subprocess.PIPE)
    assert server.stdout.readline().strip() == b"ready"
    yield 8080
    server.kill()
    server.wait()
    server.stdout.close()


@pytest.mark.parametrize("family", [4, 6])
def test_tcp_trace_ends_on_the_syn_ack_of_an_open_port(pair, tracer, open_port, family):
    result = tracer.trace(pair, pair.addr("t1", family), protocol="tcp", port=open_port)

    probes = result.body["hops"][-1]["probes"]
    assert result.body["stop_reason"] == "destination_reached"
    assert [probe["kind"] for probe in probes] == ["tcp_syn_ack"] * 3


@pytest.fixture
def blocked(pair):
    """The client's firewall drops everything it sends to t1."""
    address = pair.addr("t1", 4)
    rules = "add table inet block; add chain inet block out "
    rules += "{ type filter hook output priority 0; }; "
    rules += f"add rule inet block out ip daddr {address} drop"
    pair.exec("client", ["nft", rules])
    yield address
    pair.exec("client", ["nft", "delete table inet block"])


def test_probes_the_kernel_refuses_are_recorded_unsent_not_silent(
    pair, tracer, blocked
):
    reference = pair.exec("client", ["traceroute", "-n", "-w", "1", blocked])

    result = tracer.trace(pair, blocked, protocol="udp")

    assert "send: Operation not permitted" in reference.stderr
    assert result.status is Status.FAILED
    assert result.body["stop_reason"] == "send_failed"
    [hop] = result.body["hops"]
    assert [(p["kind"], p["error"]) for p in hop["probes"]] == [("unsent", "EPERM")] * 3
    assert result.error == (
        f"probes to {blocked} could not be sent: EPERM (Operation not permitted)"
    )
