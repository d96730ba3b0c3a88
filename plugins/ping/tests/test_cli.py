"""``probeops run ping`` as a user types it: output, exit codes, bad input."""

from __future__ import annotations

import json
import os
import pty
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

PROBEOPS = Path(sys.executable).with_name("probeops")
COUNTER_RULES = """
table inet probeops_count {
    chain output {
        type filter hook output priority 0; policy accept;
        icmp type echo-request counter
        icmpv6 type echo-request counter
    }
}
"""


def probeops(*arguments: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PROBEOPS, *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PROBEOPS_PLUGINS": "probeops-ping", **(env or {})},
    )


def test_a_single_target_prints_like_iputils_ping():
    done = probeops("run", "ping", "127.0.0.1", "-c", "2", "-i", "0.05")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data."
    assert lines[1].startswith("64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=")
    assert "2 packets transmitted, 2 received, 0% packet loss" in done.stdout
    assert "rtt min/avg/max/mdev = " in done.stdout


def test_several_targets_print_like_fping_and_json_is_one_document_each():
    done = probeops("run", "ping", "127.0.0.1", "::1", "-c", "2", "-i", "0.05")
    assert "127.0.0.1 : xmt/rcv/%loss = 2/2/0%" in done.stdout
    assert "::1 : xmt/rcv/%loss = 2/2/0%" in done.stdout
    documents = json.loads(
        probeops("run", "ping", "127.0.0.1", "::1", "-c", "1", "--json").stdout
    )
    assert [d["address"] for d in documents] == ["127.0.0.1", "::1"]
    assert {d["diagnostic"] for d in documents} == {"ping"}


def test_the_diagnostics_listing_names_the_providing_distribution():
    listing = json.loads(probeops("diagnostics", "--json").stdout)
    [row] = [row for row in listing["diagnostics"] if row["name"] == "ping"]
    assert row["distribution"] == "probeops-ping"


def test_targets_can_come_from_a_file(tmp_path):
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("# loopback\n127.0.0.1\n\n127.0.0.3\n")
    done = probeops("run", "ping", "--targets-file", str(hosts), "-c", "1", "--json")
    assert [d["target"] for d in json.loads(done.stdout)] == ["127.0.0.1", "127.0.0.3"]


BAD_INPUT = [
    (["127.1"], "'127.1' is not a valid IPv4 address"),
    (["0x7f.1"], "'0x7f.1' is not a valid IPv4 address"),
    (["2130706433"], "'2130706433' is not a valid IPv4 address"),
    (["127.0.0.1 "], "whitespace or control characters"),
    (["127.0.0.1\x01"], "whitespace or control characters"),
    ([""], "empty target"),
    (["127.0.0.1", "-c", "0"], "count: must be between 1 and 100000, got 0"),
    (["127.0.0.1", "-c", "-1"], "count: must be between 1 and 100000, got -1"),
    (["127.0.0.1", "-i", "-0.5"], "interval: must be between 0.001 and 3600, got -0.5"),
    (["127.0.0.1", "-s", "70000"], "size: must be between 0 and 65507, got 70000"),
    (["127.0.0.1", "-c", "many"], "invalid int value: 'many'"),
    ([], "give at least one TARGET"),
]


def test_bad_input_exits_2_with_a_clear_message_and_sends_nothing(make_lab):
    lab = make_lab("chain", routers=0)
    assert lab.exec("client", ["nft", "-f", "-"], input=COUNTER_RULES).returncode == 0
    for arguments, message in BAD_INPUT:
        done = lab.exec("client", [str(PROBEOPS), "run", "ping", *arguments])
        assert done.returncode == 2, (arguments, done.stderr)
        assert message in done.stderr, (arguments, done.stderr)
    counted = lab.exec("client", ["nft", "list", "table", "inet", "probeops_count"])
    assert counted.stdout.count("counter packets 0 bytes 0") == 2


def test_the_byte_nul_in_a_target_is_refused(ping):
    from probeops.errors import InvalidTarget

    with pytest.raises(InvalidTarget, match="control characters"):
        ping(["127.0.0.1\x00"])


def test_a_target_that_does_not_answer_gives_exit_1(quiet_namespace):
    done = quiet_namespace(
        ["run", "ping", "127.0.0.1", "127.0.0.2", "-c", "1", "-W", "0.2"]
    )
    assert done.returncode == 1
    assert "127.0.0.2 : xmt/rcv/%loss = 1/0/100%" in done.stdout


def test_hostnames_resolve_once_through_the_configured_server_and_family(dns_server):
    environment = {"PROBEOPS_RESOLVER": f"127.0.0.1:{dns_server}"}
    for flag, address in (("-4", "127.0.0.1"), ("-6", "::1")):
        done = probeops(
            "run", "ping", "dual.lab.test", flag, "-c", "1", "--json", env=environment
        )
        [document] = json.loads(done.stdout)
        assert (document["target"], document["address"]) == ("dual.lab.test", address)
    missing = probeops(
        "run", "ping", "nowhere.lab.test", "-c", "1", "--json", env=environment
    )
    [document] = json.loads(missing.stdout)
    assert missing.returncode == 1
    assert document["failure_source"] == "resolver"
    assert "NXDOMAIN" in document["error"]


def test_unprivileged_users_get_datagram_sockets_where_the_sysctl_allows(tmp_path):
    done = _as_nobody(
        "0 2147483647", ["run", "ping", "127.0.0.1", "-c", "2", "-i", "0.05", "--json"]
    )
    assert done.returncode == 0, done.stderr
    [document] = json.loads(done.stdout)
    assert document["body"]["socket"] == "datagram"
    assert document["body"]["summary"]["received"] == 2


def test_without_raw_sockets_or_the_sysctl_the_error_names_both():
    done = _as_nobody("1 0", ["run", "ping", "127.0.0.1", "-c", "1"])
    assert done.returncode == 3
    assert "CAP_NET_RAW" in done.stderr and "net.ipv4.ping_group_range" in done.stderr


def test_a_progress_line_is_drawn_on_a_terminal_and_not_when_piped():
    arguments = ["run", "ping", "127.0.0.1", "-c", "4", "-i", "0.15"]
    piped = probeops(*arguments)
    assert "\r" not in piped.stderr
    primary, secondary = pty.openpty()
    child = subprocess.Popen(
        [PROBEOPS, *arguments], stdout=subprocess.PIPE, stderr=secondary, env=os.environ
    )
    os.close(secondary)
    child.communicate(timeout=30)
    drawn = _read_all(primary)
    assert "ping: " in drawn and "sent" in drawn and "\r" in drawn


@pytest.fixture
def quiet_namespace(make_lab):
    lab = make_lab("chain", routers=0)
    rules = (
        "table inet quiet {\n chain input {\n"
        "  type filter hook input priority 0; policy accept;\n"
        "  ip daddr 127.0.0.2 icmp type echo-request drop\n }\n}\n"
    )
    assert lab.exec("client", ["nft", "-f", "-"], input=rules).returncode == 0

    def run(arguments):
        return lab.exec("client", [str(PROBEOPS), *arguments], timeout=60)

    return run


@pytest.fixture(scope="module")
def dns_server():
    """A tiny authoritative server on loopback for the zone lab.test."""
    import dns.message
    import dns.rcode
    import dns.rrset

    records = {"dual.lab.test.": {"A": "127.0.0.1", "AAAA": "::1"}}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(data)
            question = query.question[0]
            reply = dns.message.make_response(query)
            name = question.name.to_text()
            rdtype = dns.rdatatype.to_text(question.rdtype)
            if name not in records:
                reply.set_rcode(dns.rcode.NXDOMAIN)
            elif rdtype in records[name]:
                reply.answer.append(
                    dns.rrset.from_text(name, 60, "IN", rdtype, records[name][rdtype])
                )
            sock.sendto(reply.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    sock.close()


def _as_nobody(group_range: str, arguments: list[str]) -> subprocess.CompletedProcess:
    """Run probeops as nobody in a fresh network namespace with that sysctl."""
    if shutil.which("unshare") is None or shutil.which("setpriv") is None:
        pytest.skip("needs util-linux unshare and setpriv")
    script = (
        "ip link set lo up && "
        f"sysctl -q -w net.ipv4.ping_group_range='{group_range}' && "
        "exec setpriv --reuid=65534 --regid=65534 --clear-groups "
        f'--inh-caps=-all {PROBEOPS} "$@"'
    )
    return subprocess.run(
        ["unshare", "--net", "sh", "-c", script, "sh", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PROBEOPS_PLUGINS": "probeops-ping", "HOME": "/tmp"},
    )


def _read_all(descriptor: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(descriptor)
    return b"".join(chunks).decode(errors="replace")


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path):
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("".join(f"127.0.9.{n}\n" for n in range(1, 255)))
    done = subprocess.run(
        f"{PROBEOPS} run ping --targets-file {hosts} -c 1 -i 0.01 | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PROBEOPS_PLUGINS": "probeops-ping"},
    )
    assert done.stdout.startswith("127.0.9.1 : xmt/rcv/%loss = 1/1/0%")
    assert "Traceback" not in done.stderr and "Error" not in done.stderr


def test_a_full_disk_is_one_line_not_a_traceback():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [PROBEOPS, "run", "ping", "127.0.0.1", "-c", "1", "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 3
    assert (
        done.stderr.strip()
        == "probeops: cannot write the output: No space left on device"
    )
