"""Ping over loopback: answers, silence, sizes, concurrency, clock steps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

PROBEOPS = Path(sys.executable).with_name("probeops")
SILENCED = "127.0.0.2"
SILENCE_RULES = f"""
table inet probeops_silence {{
    chain input {{
        type filter hook input priority 0; policy accept;
        ip daddr {SILENCED} icmp type echo-request drop
        ip6 daddr ::2 icmpv6 type echo-request drop
    }}
}}
"""


@pytest.fixture(scope="module")
def quiet_lab(make_module_lab):
    """A lab whose client drops echo requests to 127.0.0.2 on input."""
    lab = make_module_lab("chain", routers=0)
    done = lab.exec("client", ["nft", "-f", "-"], input=SILENCE_RULES)
    assert done.returncode == 0, done.stderr
    return lab


def test_ipv4_and_ipv6_loopback_answer(ping):
    results = ping(["127.0.0.1", "::1"], count=3, interval=0.05)
    for result in results:
        assert result.answered, result.error
        summary = result.body["summary"]
        assert (summary["sent"], summary["received"], summary["loss_pct"]) == (3, 3, 0)
        assert 0 < summary["min_ms"] <= summary["avg_ms"] <= summary["max_ms"]
        assert all(packet["ttl"] == 64 for packet in result.body["packets"])


def test_a_silenced_loopback_address_shows_full_loss_and_is_not_alive(quiet_lab, ping):
    with quiet_lab.inside("client"):
        [result] = ping([SILENCED], count=3, interval=0.05, timeout=0.3)
    assert not result.answered
    assert result.status == "failed" and result.failure_source == "target"
    assert result.body["summary"]["loss_pct"] == 100
    assert [p["status"] for p in result.body["packets"]] == ["timeout"] * 3


@pytest.mark.parametrize("size", [56, 1472, 8000])
def test_reply_sizes_are_reported_as_icmp_bytes(ping, size):
    [result] = ping(["127.0.0.1"], count=2, interval=0.05, size=size)
    assert [p["size"] for p in result.body["packets"]] == [size + 8] * 2


def test_concurrent_measurements_in_threads_never_share_replies(quiet_lab, ping):
    results = {}

    def measure(target):
        with quiet_lab.inside("client"):
            results[target] = ping([target], count=20, interval=0.01, timeout=0.3)[0]

    threads = [
        threading.Thread(target=measure, args=(t,)) for t in ("127.0.0.1", SILENCED)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["127.0.0.1"].body["summary"]["received"] == 20
    assert results[SILENCED].body["summary"]["received"] == 0
    assert results[SILENCED].body["summary"]["foreign_replies"] == 0


def test_concurrent_measurements_in_two_processes_never_share_replies(quiet_lab):
    command = [str(PROBEOPS), "run", "ping", "-c", "20", "-i", "0.01", "-W", "0.3"]
    live = quiet_lab.popen(
        "client", [*command, "127.0.0.1", "--json"], stdout=subprocess.PIPE, text=True
    )
    silent = quiet_lab.popen(
        "client", [*command, SILENCED, "--json"], stdout=subprocess.PIPE, text=True
    )
    [live_result] = json.loads(live.communicate(timeout=30)[0])
    [silent_result] = json.loads(silent.communicate(timeout=30)[0])
    assert live.returncode == 0 and silent.returncode == 1
    assert live_result["body"]["summary"]["received"] == 20
    assert silent_result["body"]["summary"]["received"] == 0


def test_rtts_stay_sane_when_the_wall_clock_steps_back():
    # libfaketime steps this process's wall clock back ten seconds at every
    # read, while the monotonic clock runs true: any RTT taken from the wall
    # clock would come out near -10,000 ms.
    script = textwrap.dedent("""
        import json, time
        from probeops.engine import measure
        from probeops.plugins import load_registry
        first = time.time()
        [result] = measure(load_registry(), "ping", ["127.0.0.1"],
                           {"count": 8, "interval": 0.05})
        print(json.dumps({"stepped_back": first - time.time(),
                          "rtts": [p["rtt_ms"] for p in result.body["packets"]]}))
    """)
    environment = {
        **os.environ,
        "LD_PRELOAD": _libfaketime(),
        "FAKETIME": "@2020-01-01 00:00:00 i-10,0",
        "DONT_FAKE_MONOTONIC": "1",
        "PROBEOPS_PLUGINS": "probeops-ping",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["stepped_back"] >= 10, "the wall clock did not step back"
    assert len(report["rtts"]) == 8
    assert all(rtt is not None and 0 < rtt < 100 for rtt in report["rtts"])


def test_a_sweep_of_10200_loopback_addresses_finds_every_one_alive(ping):
    targets = [f"127.20.{b}.{c}" for b in range(1, 41) for c in range(1, 256)]
    results = ping(targets, count=3, interval=0.01, rate=0, timeout=2.0)
    dead = [result.target for result in results if not result.answered]
    assert len(results) == 10_200
    assert dead == []
    assert all(result.body["summary"]["received"] == 3 for result in results)


def _libfaketime() -> str:
    for candidate in Path("/usr/lib").glob("*/faketime/libfaketime.so.1"):
        return str(candidate)
    pytest.skip("libfaketime is not installed (Debian package libfaketime)")


def test_a_deadline_leaves_unsent_requests_out_of_the_evidence(ping):
    [result] = ping(["127.0.0.1"], count=100_000, interval=0.05, deadline=0.3)
    summary = result.body["summary"]
    assert result.body["deadline_reached"]
    assert 1 <= summary["sent"] <= 10 and summary["received"] == summary["sent"]
    assert len(result.body["packets"]) == summary["sent"]
