"""The network lab, built for real: reachability, isolation and teardown."""

import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest
from probeops.cli import main
from probeops.lab import Lab, LabError, netns
from probeops.lab.fixtures import unavailable_reason
from probeops.lab.reference import traceroute_hops
from probeops.lab.state import path_of

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=str(unavailable_reason())
    ),
]

LAB_NETWORKS = [ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("fd00::/8")]


def namespaces() -> set[str]:
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return {line.split()[0] for line in listing.stdout.splitlines() if line.strip()}


def lab_namespaces(name: str) -> set[str]:
    return {namespace for namespace in namespaces() if f"-{name}-" in namespace}


@pytest.mark.parametrize("family", [4, 6])
def test_client_pings_the_target(make_lab, family):
    lab = make_lab("chain", routers=2)

    answer = lab.exec("client", ["ping", "-c1", "-W2", lab.addr("t1", family)])

    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "1 received" in answer.stdout


@pytest.mark.parametrize("family", [4, 6])
def test_traceroute_from_the_client_lists_exactly_the_hop_addrs(make_lab, family):
    lab = make_lab("chain", routers=4)
    command = ["traceroute", "-n", "-q1", "-w1", lab.addr("t1", family)]

    trace = lab.exec("client", command)

    hops = [hop.replies for hop in traceroute_hops(trace.stdout)]
    assert hops == [(address,) for address in lab.hop_addrs(family)]


def test_client_reaches_every_target_directly_when_there_are_no_routers(make_lab):
    lab = make_lab("chain", routers=0, targets=2)

    hops = lab.hop_addrs(6, target="t2")
    answer = lab.exec("client", ["ping", "-c1", "-W2", lab.addr("t2", 6)])

    assert hops == [lab.addr("t2", 6)]
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_every_node_lives_in_its_own_namespace_with_loopback_up(make_lab):
    lab = make_lab("chain", routers=1, targets=2)

    loopback = lab.exec("t2", ["ip", "-j", "link", "show", "lo"])

    assert lab.nodes == ("client", "r1", "t1", "t2")
    assert {lab.netns(node) for node in lab.nodes} == lab_namespaces(lab.name)
    assert "UP" in json.loads(loopback.stdout)[0]["flags"]


def test_root_namespace_holds_no_lab_interface_or_address(make_lab):
    lab = make_lab("chain", routers=1)

    root = subprocess.run(["ip", "-j", "addr"], capture_output=True, text=True)

    interfaces = json.loads(root.stdout)
    assert not [i for i in interfaces if i["ifname"].startswith(lab.name)]
    addresses = [a["local"] for i in interfaces for a in i.get("addr_info", [])]
    assert lab.addr("t1", 4) not in addresses
    assert lab.addr("client", 6) not in addresses


@pytest.mark.parametrize("node", ["client", "r1", "t1"])
def test_lab_nodes_have_no_route_out_of_the_lab(make_lab, node):
    lab = make_lab("chain", routers=1)

    destinations = []
    for family in ("-4", "-6"):
        routes = lab.exec(node, ["ip", "-j", family, "route"])
        destinations += [route["dst"] for route in json.loads(routes.stdout)]
    outside = lab.exec(node, ["ip", "route", "get", "192.0.2.1"])

    assert "default" not in destinations
    assert all(_in_lab(destination) for destination in destinations)
    assert outside.returncode != 0
    assert "unreachable" in outside.stderr


def _in_lab(destination: str) -> bool:
    network = ipaddress.ip_network(destination)
    link_local = ipaddress.ip_network("fe80::/64")
    return network == link_local or any(
        network.subnet_of(lab) for lab in LAB_NETWORKS if lab.version == network.version
    )


def test_teardown_removes_every_namespace_also_when_the_body_raises():
    lab = Lab.chain(routers=2)

    with pytest.raises(RuntimeError, match="test body failed"):
        with lab:
            built = lab_namespaces(lab.name)
            raise RuntimeError("test body failed")

    assert len(built) == 4
    assert not lab_namespaces(lab.name)
    assert not path_of(lab.name).exists()


def test_inside_moves_only_this_thread_and_sockets_made_there_stay(make_lab):
    lab = make_lab("chain", routers=0)
    home = os.readlink("/proc/thread-self/ns/net")

    with lab.inside("t1"):
        there = os.readlink("/proc/thread-self/ns/net")
        listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        listener.bind((lab.addr("t1", 4), 0))
    port = listener.getsockname()[1]
    target = (lab.addr("t1", 4), port)
    send = f"import socket; socket.socket(2, 2).sendto(b'hi', {target!r})"
    lab.exec("client", [sys.executable, "-c", send])
    listener.settimeout(5)

    with listener:
        assert listener.recvfrom(16)[0] == b"hi"
    assert there != home
    assert os.readlink("/proc/thread-self/ns/net") == home


def test_exec_that_overruns_its_timeout_raises_lab_error_with_the_command(make_lab):
    lab = make_lab("chain", routers=0)

    with pytest.raises(LabError, match="sleep 5 did not finish within 0.2 s") as raised:
        lab.exec("client", ["sleep", "5"], timeout=0.2)

    assert raised.value.command[-2:] == ["sleep", "5"]


def test_processes_started_in_a_lab_stop_when_it_goes_down():
    with Lab.chain(routers=0) as lab:
        sleeper = lab.popen("t1", ["sleep", "60"])

    assert sleeper.poll() is not None


def test_a_failing_command_raises_lab_error_with_its_stderr(make_lab):
    lab = make_lab("chain", routers=0)
    command = ["ip", "netns", "exec", lab.netns("t1"), "nft", "-f", "-"]

    with pytest.raises(LabError, match="nft -f - failed") as raised:
        netns.check(command, "add rule ip nosuchtable nosuchchain drop\n")

    assert raised.value.command == command
    assert "Error" in raised.value.stderr


CHILD = """
import sys, time
from probeops.cli import main
from probeops.lab import Lab
with Lab.chain(routers=1) as lab:
    print(lab.name, flush=True)
    time.sleep(60)
"""


def _child_lab() -> tuple[subprocess.Popen, str]:
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD)],
        stdout=subprocess.PIPE,
        text=True,
    )
    return child, child.stdout.readline().strip()


def test_interrupted_process_removes_its_lab():
    child, name = _child_lab()
    built = lab_namespaces(name)

    child.send_signal(signal.SIGINT)
    child.communicate(timeout=10)

    assert len(built) == 3
    assert not lab_namespaces(name)


def test_lab_down_all_removes_kept_and_dead_labs_but_not_a_live_one(make_lab, capsys):
    mine = make_lab("chain", routers=0)
    kept = Lab.chain(routers=0).up(keep=True)
    child, dead = _child_lab()
    child.kill()
    child.communicate(timeout=10)

    removed = probeops_lab(capsys, "down", "--all")

    assert removed.returncode == 0, removed.stderr
    assert kept.name in removed.stdout
    assert not lab_namespaces(kept.name)
    # A lab built meanwhile elsewhere on the host may sweep the dead one first.
    assert not lab_namespaces(dead)
    assert lab_namespaces(mine.name) == {mine.netns(n) for n in mine.nodes}


def test_lab_down_refuses_a_lab_a_running_process_uses(make_lab, capsys):
    lab = make_lab("chain", routers=0)

    answer = probeops_lab(capsys, "down", lab.name)

    assert answer.returncode == 2
    assert f"belongs to running process {os.getpid()}" in answer.stderr
    assert lab_namespaces(lab.name) == {lab.netns(n) for n in lab.nodes}


def test_attach_gives_a_kept_lab_to_another_lab_object(capsys):
    kept = Lab.chain(routers=1).up(keep=True)
    try:
        again = Lab.attach(kept.name)
        again.silence("r1")
        trace = again.exec(
            "client", ["traceroute", "-n", "-q1", "-w1", "-m1", again.addr("t1", 4)]
        )
    finally:
        probeops_lab(capsys, "down", kept.name)

    assert traceroute_hops(trace.stdout)[0].replies == (None,)
    assert not lab_namespaces(kept.name)


def probeops_lab(capsys, *arguments: str) -> subprocess.CompletedProcess:
    """Run ``probeops lab ARGUMENTS`` through the CLI's entry point."""
    capsys.readouterr()
    code = main(["lab", *arguments])
    printed = capsys.readouterr()
    return subprocess.CompletedProcess(arguments, code, printed.out, printed.err)


def test_lab_up_list_down_round_trip(capsys):
    name = f"cli{os.getpid() % 10000}"

    up = probeops_lab(capsys, "up", "--routers", "2", "--name", name)
    listed = probeops_lab(capsys, "list")
    example = [line.strip() for line in up.stdout.splitlines() if "ping" in line]
    reached = subprocess.run(example[0].replace("-c 3", "-c 1").split(), timeout=10)
    down = probeops_lab(capsys, "down", name)

    assert up.returncode == 0, up.stderr
    assert f"po-{name}-client" in up.stdout
    assert f"{name:<10}chain    4      kept" in listed.stdout
    assert reached.returncode == 0
    assert down.returncode == 0, down.stderr
    assert not lab_namespaces(name)
    assert name not in probeops_lab(capsys, "list").stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["down"], "give either a lab NAME or --all"),
        (["down", "nosuchlab"], "no lab named 'nosuchlab'"),
        (["up", "--kind", "diamond", "--routers", "3"], "drop --routers"),
        (["up", "--routers", "99"], "routers must be between 0 and 30, got 99"),
    ],
)
def test_lab_command_rejects_bad_input_with_exit_2(capsys, arguments, message):
    answer = probeops_lab(capsys, *arguments)

    assert answer.returncode == 2
    assert message in answer.stderr
