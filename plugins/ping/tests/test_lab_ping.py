"""Ping on the network lab: loss, ICMP errors, duplicates, spoofed replies."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import pytest

PROBEOPS = Path(sys.executable).with_name("probeops")
PACKETS = 200
DROP = 0.30


def _binomial_bounds(n: int, p: float, z: float = 2.576) -> tuple[float, float]:
    """The 99 % normal-approximation interval of a binomial count."""
    spread = z * math.sqrt(n * p * (1 - p))
    return n * p - spread, n * p + spread


def test_loss_on_a_lossy_link_is_within_binomial_bounds_and_fping_agrees(
    make_lab, ping
):
    lab = make_lab("chain", routers=1)
    lab.loss("t1", percent=DROP * 100)
    target = lab.addr("t1", 4)
    low, high = _binomial_bounds(PACKETS, DROP)

    with lab.inside("client"):
        [result] = ping([target], count=PACKETS, interval=0.005, timeout=1.0)
    summary = result.body["summary"]
    lost = summary["sent"] - summary["received"]
    assert summary["sent"] == PACKETS
    assert low <= lost <= high, f"probeops lost {lost}, bounds {low:.0f}-{high:.0f}"

    fping = lab.exec("client", ["fping", "-q", "-c", str(PACKETS), "-p", "5", target])
    sent, received = map(int, re.search(r"= (\d+)/(\d+)/", fping.stderr).groups())
    assert low <= sent - received <= high, f"fping lost {sent - received}"


@pytest.mark.parametrize(
    ("code", "family", "icmp_type", "icmp_code"),
    [
        ("host-unreachable", 4, 3, 1),
        ("admin-prohibited", 4, 3, 13),
        ("net-unreachable", 4, 3, 0),
        ("admin-prohibited", 6, 1, 1),
        ("host-unreachable", 6, 1, 3),
        ("net-unreachable", 6, 1, 0),
    ],
)
def test_an_unreachable_from_a_router_is_an_error_not_a_timeout(
    make_lab, ping, code, family, icmp_type, icmp_code
):
    lab = make_lab("chain", routers=1)
    target = lab.addr("t1", family)
    lab.reject("r1", target, code)

    with lab.inside("client"):
        [result] = ping([target], count=3, interval=0.05, timeout=1.0)
    assert result.status == "failed" and result.failure_source == "target"
    for packet in result.body["packets"]:
        assert packet["status"] == "error"
        assert packet["error"]["type"] == icmp_type
        assert packet["error"]["code"] == icmp_code
        assert packet["error"]["sender"] == lab.hop_addrs(family)[0]
    assert result.body["summary"]["errors"] == 3
    assert f"ICMP type {icmp_type} code {icmp_code}" in result.error


def test_duplicated_replies_are_counted_apart_from_received(make_lab, ping):
    lab = make_lab("chain", routers=1)
    lab.duplicate_replies("t1")
    with lab.inside("client"):
        [result] = ping([lab.addr("t1", 4)], count=10, interval=0.02)
    summary = result.body["summary"]
    assert (summary["sent"], summary["received"], summary["duplicates"]) == (10, 10, 10)
    assert summary["loss_pct"] == 0


def test_a_reply_rewritten_to_another_source_does_not_make_the_target_alive(
    make_lab, ping
):
    lab = make_lab("chain", routers=1)
    target = lab.addr("t1", 4)
    lab.rewrite_reply_source("r1", target, new_source="198.19.255.1")
    with lab.inside("client"):
        [result] = ping([target], count=3, interval=0.05, timeout=0.5)
    assert not result.answered
    assert result.body["summary"]["received"] == 0
    assert result.body["summary"]["foreign_replies"] == 3
    assert "198.19.255.1" in result.error


@pytest.mark.parametrize("family", [4, 6])
def test_datagram_sockets_report_unreachables_from_the_error_queue(make_lab, family):
    lab = make_lab("chain", routers=1)
    target = lab.addr("t1", family)
    lab.reject("r1", target, "admin-prohibited")
    lab.exec("client", ["sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647"])
    done = lab.exec(
        "client",
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            str(PROBEOPS),
            "run",
            "ping",
            target,
            "-c",
            "2",
            "-i",
            "0.05",
            "-W",
            "0.5",
            "--json",
        ],
    )
    [document] = json.loads(done.stdout)
    assert document["body"]["socket"] == "datagram"
    errors = [packet["error"] for packet in document["body"]["packets"]]
    expected = (3, 13) if family == 4 else (1, 1)
    assert [(e["type"], e["code"]) for e in errors] == [expected] * 2
    assert {e["sender"] for e in errors} == {lab.hop_addrs(family)[0]}


def test_a_target_with_no_route_is_a_local_send_error(make_lab, ping):
    lab = make_lab("chain", routers=0)
    with lab.inside("client"):
        [result] = ping(["192.0.2.1"], count=2, interval=0.05, timeout=0.3)
    assert not result.answered
    errors = [packet["error"] for packet in result.body["packets"]]
    assert [error["reason"] for error in errors] == ["ENETUNREACH"] * 2
    assert "ENETUNREACH" in result.error
