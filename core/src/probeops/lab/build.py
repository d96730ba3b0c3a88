"""Bringing a lab's namespaces, links and routes up, and taking them down.

The ``render_*`` functions turn a topology into ``ip -batch`` text and
sysctl tables; :func:`build` and :func:`teardown` run them in a fixed order:
namespaces, sysctls, veth pairs, one batch per node, then a reachability
check from the client.
"""

from __future__ import annotations

import logging
import time

from probeops.lab import netns
from probeops.lab.errors import LabError
from probeops.lab.topology import CLIENT, Route, Topology

log = logging.getLogger(__name__)

NAMESPACE_PREFIX = "po-"
READY_TIMEOUT = 3.0

FIVE_TUPLE = 0x37
"""Hash fields: addresses, protocol and ports, not the IPv6 flow label.

ECMP hashes the five-tuple as policy 1 would, but read from the headers:
policy 1 reuses a hash the sending socket put on the packet, which travels
with it across veth pairs and would make every socket pick its own path.
"""

EVERY_NODE = {
    "net.ipv4.conf.all.rp_filter": "0",
    "net.ipv4.conf.default.rp_filter": "0",
    "net.ipv4.icmp_ratelimit": "0",
    "net.ipv4.icmp_msgs_per_sec": "1000000",
    "net.ipv4.icmp_msgs_burst": "1000000",
    "net.ipv6.icmp.ratelimit": "0",
    "net.ipv6.conf.all.accept_dad": "0",
    "net.ipv6.conf.default.accept_dad": "0",
    "net.ipv6.conf.default.accept_ra": "0",
    "net.ipv6.conf.default.autoconf": "0",
    **{
        f"net.{ip}.fib_multipath_hash_{knob}": value
        for ip in ("ipv4", "ipv6")
        for knob, value in (("policy", "3"), ("fields", str(FIVE_TUPLE)))
    },
}
ROUTER = {
    "net.ipv4.ip_forward": "1",
    "net.ipv6.conf.all.forwarding": "1",
    "net.ipv6.conf.default.forwarding": "1",
}


def namespace_name(lab: str, node: str) -> str:
    """The network namespace of ``node`` in lab ``lab``."""
    return f"{NAMESPACE_PREFIX}{lab}-{node}"


def lab_of_namespace(namespace: str) -> str | None:
    """The lab a namespace belongs to, or ``None`` if it is not a lab's."""
    if not namespace.startswith(NAMESPACE_PREFIX):
        return None
    rest = namespace.removeprefix(NAMESPACE_PREFIX)
    return rest.split("-", 1)[0] or None


def interface_name(lab: str, peer: str) -> str:
    """The interface that faces ``peer``; at most 15 characters."""
    return f"{lab}-{peer}"


def render_namespaces(lab: str, topology: Topology, verb: str = "add") -> str:
    """``ip -batch`` text that adds (or deletes) every node's namespace."""
    return "".join(
        f"netns {verb} {namespace_name(lab, node)}\n" for node in topology.nodes
    )


def render_links(lab: str, topology: Topology) -> str:
    """``ip -batch`` text creating each veth pair straight inside its nodes."""
    lines = []
    for link in topology.links:
        near_side = interface_name(lab, link.far)
        far_side = interface_name(lab, link.near)
        lines.append(
            f"link add {near_side} netns {namespace_name(lab, link.near)} "
            f"type veth peer name {far_side} netns {namespace_name(lab, link.far)}\n"
        )
    return "".join(lines)


def render_node(lab: str, topology: Topology, node: str) -> str:
    """``ip -batch`` text for one node: interfaces, addresses, routes."""
    lines = ["link set lo up"]
    for link in topology.links_of(node):
        device = interface_name(lab, link.peer(node))
        lines.append(f"link set {device} up")
        lines.append(f"addr add {link.addr(node, 4)}/24 dev {device}")
        lines.append(f"addr add {link.addr(node, 6)}/64 dev {device} nodad")
    for family in (4, 6):
        lines += [_route(lab, route) for route in topology.routes(node, family)]
    return "\n".join(lines) + "\n"


def _route(lab: str, route: Route) -> str:
    hops = [f"via {gw} dev {interface_name(lab, peer)}" for gw, peer in route.gateways]
    if len(hops) == 1:
        return f"route add {route.destination} {hops[0]}"
    nexthops = " ".join(f"nexthop {hop}" for hop in hops)
    return f"route add {route.destination} {nexthops}"


def sysctls(topology: Topology, node: str) -> dict[str, str]:
    """The sysctls a node gets before its interfaces exist."""
    if node in topology.routers:
        return {**EVERY_NODE, **ROUTER}
    return dict(EVERY_NODE)


def build(lab: str, topology: Topology) -> None:
    """Create every namespace, link, address and route, then check them."""
    started = time.monotonic()
    netns.check(["ip", "-batch", "-"], render_namespaces(lab, topology))
    for node in topology.nodes:
        netns.write_sysctls(namespace_name(lab, node), sysctls(topology, node))
    netns.check(["ip", "-batch", "-"], render_links(lab, topology))
    for node in topology.nodes:
        batch = render_node(lab, topology, node)
        netns.check(["ip", "-n", namespace_name(lab, node), "-batch", "-"], batch)
    wait_until_reachable(lab, topology)
    log.info("lab %s up in %.2f s", lab, time.monotonic() - started)


def wait_until_reachable(lab: str, topology: Topology) -> None:
    """Ping every target from the client on both families until it answers."""
    client = namespace_name(lab, CLIENT)
    deadline = time.monotonic() + READY_TIMEOUT
    for target in topology.targets:
        for family in (4, 6):
            address = topology.addr(target, family)
            _wait_for_echo(client, address, deadline)


def _wait_for_echo(namespace: str, address: str, deadline: float) -> None:
    ping = ["ip", "netns", "exec", namespace, "ping", "-c1", "-W1", "-q", address]
    while True:
        answer = netns.run(ping, timeout=5.0)
        if answer.returncode == 0:
            return
        if time.monotonic() > deadline:
            message = f"lab target {address} does not answer ping from the client"
            raise LabError(message, ping, answer.stderr + answer.stdout)
        time.sleep(0.05)


def teardown(namespaces: list[str]) -> None:
    """Delete the namespaces; :class:`LabError` if any is left behind."""
    present = set(netns.namespaces())
    doomed = [name for name in namespaces if name in present]
    if doomed:
        batch = "".join(f"netns del {name}\n" for name in doomed)
        netns.run(["ip", "-force", "-batch", "-"], batch)
    left = sorted(set(netns.namespaces()) & set(doomed))
    if left:
        raise LabError(f"namespaces left behind: {', '.join(left)}")
