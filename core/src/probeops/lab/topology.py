"""The shape of a lab: nodes, point-to-point links, addresses and routes.

Everything here is pure data computed from the lab's kind; nothing touches
the system. Link ``k`` (counted from 1) gets ``198.18.k.0/24`` and
``fd00:0:0:k::/64``; the end nearer the client holds ``.1`` / ``::1``.
"""

from __future__ import annotations

import ipaddress
from collections import deque
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from probeops.lab.errors import InvalidLab

CLIENT = "client"
MAX_ROUTERS = 30
MAX_TARGETS = 20
FAMILIES = (4, 6)


@dataclass(frozen=True)
class Link:
    """A veth pair between two nodes, ``near`` being closer to the client."""

    index: int
    near: str
    far: str

    def subnet(self, family: int) -> str:
        """The link's prefix in CIDR notation."""
        if family == 4:
            return f"198.18.{self.index}.0/24"
        return f"fd00:0:0:{self.index:x}::/64"

    def addr(self, node: str, family: int) -> str:
        """The address ``node`` holds on this link."""
        host = 1 if node == self.near else 2
        network = ipaddress.ip_network(self.subnet(family))
        return str(network.network_address + host)

    def peer(self, node: str) -> str:
        """The node at the other end of the link from ``node``."""
        return self.far if node == self.near else self.near

    def joins(self, node: str) -> bool:
        return node in (self.near, self.far)


@dataclass(frozen=True)
class Route:
    """A route on one node: a destination prefix and its next hops."""

    destination: str
    gateways: tuple[tuple[str, str], ...]
    """``(gateway address, neighbour node)`` pairs; several mean ECMP."""


@dataclass(frozen=True)
class Topology:
    """The nodes and links of a lab, in build order."""

    kind: str
    nodes: tuple[str, ...]
    links: tuple[Link, ...]

    @property
    def routers(self) -> tuple[str, ...]:
        return tuple(node for node in self.nodes if node.startswith("r"))

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(node for node in self.nodes if node.startswith("t"))

    def links_of(self, node: str) -> tuple[Link, ...]:
        """The links ``node`` is an end of."""
        self.check_node(node)
        return tuple(link for link in self.links if link.joins(node))

    def neighbours(self, node: str) -> tuple[str, ...]:
        return tuple(link.peer(node) for link in self.links_of(node))

    def check_node(self, node: str) -> None:
        """Raise :class:`InvalidLab` unless ``node`` is in this lab."""
        if node not in self.nodes:
            allowed = ", ".join(self.nodes)
            raise InvalidLab(f"no node {node!r} in this lab; nodes: {allowed}")

    def addr(self, node: str, family: int) -> str:
        """The node's main address: on its first link, or nearest the client."""
        check_family(family)
        return self.links_of(node)[0].addr(node, family)

    def distances(self, start: str) -> dict[str, int]:
        """Hop counts from ``start`` to every node."""
        self.check_node(start)
        return self._distance_table[start]

    @cached_property
    def _distance_table(self) -> dict[str, dict[str, int]]:
        return {node: self._breadth_first(node) for node in self.nodes}

    def _breadth_first(self, start: str) -> dict[str, int]:
        seen = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for neighbour in self.neighbours(node):
                if neighbour not in seen:
                    seen[neighbour] = seen[node] + 1
                    queue.append(neighbour)
        return seen

    def routes(self, node: str, family: int) -> tuple[Route, ...]:
        """Routes ``node`` needs to every link it is not on, ECMP if tied."""
        return tuple(
            self._route_to(link, node, family)
            for link in self.links
            if not link.joins(node)
        )

    def _route_to(self, link: Link, node: str, family: int) -> Route:
        distance = self._distance_to_link(node, link)
        gateways = tuple(
            (self.facing(neighbour, node, family), neighbour)
            for neighbour in self.neighbours(node)
            if self._distance_to_link(neighbour, link) < distance
        )
        return Route(link.subnet(family), gateways)

    def _distance_to_link(self, node: str, link: Link) -> int:
        hops = self.distances(node)
        return min(hops[link.near], hops[link.far])

    def paths(self, source: str, destination: str) -> list[list[str]]:
        """Every shortest node path from ``source`` to ``destination``."""
        to_end = self.distances(destination)
        return _walk(self, source, to_end)

    def hop_choices(self, family: int, target: str) -> list[frozenset[str]]:
        """Per hop from the client, the addresses a trace may show there."""
        check_family(family)
        hops: list[set[str]] = []
        for path in self.paths(CLIENT, target):
            for distance, (previous, node) in enumerate(pairwise(path)):
                if len(hops) <= distance:
                    hops.append(set())
                hops[distance].add(self.facing(node, previous, family))
        return [frozenset(hop) for hop in hops]

    def hop_addrs(self, family: int, target: str) -> list[str]:
        """Expected hops from the client along the first shortest path."""
        path = self.paths(CLIENT, target)[0]
        return [self.facing(node, prev, family) for prev, node in pairwise(path)]

    def facing(self, node: str, neighbour: str, family: int) -> str:
        """The address of ``node`` on its link with ``neighbour``."""
        for link in self.links_of(node):
            if link.peer(node) == neighbour:
                return link.addr(node, family)
        raise InvalidLab(f"{node!r} has no link with {neighbour!r}")


def _walk(topology: Topology, node: str, to_end: dict[str, int]) -> list[list[str]]:
    if to_end[node] == 0:
        return [[node]]
    paths = []
    for neighbour in topology.neighbours(node):
        if to_end.get(neighbour) == to_end[node] - 1:
            paths.extend([node, *rest] for rest in _walk(topology, neighbour, to_end))
    return paths


def check_family(family: int) -> None:
    """Raise :class:`InvalidLab` unless ``family`` is 4 or 6."""
    if family not in FAMILIES:
        raise InvalidLab(f"address family must be 4 or 6, got {family!r}")


def chain(routers: int = 1, targets: int = 1) -> Topology:
    """The client, a line of routers, and targets on the last router."""
    _check_count("routers", routers, 0, MAX_ROUTERS)
    _check_count("targets", targets, 1, MAX_TARGETS)
    line = [CLIENT, *(f"r{number}" for number in range(1, routers + 1))]
    hosts = [f"t{number}" for number in range(1, targets + 1)]
    pairs = [*pairwise(line), *((line[-1], host) for host in hosts)]
    return _topology("chain", [*line, *hosts], pairs)


def diamond() -> Topology:
    """Client, r1, two parallel routers r2a and r2b, r3, then t1."""
    nodes = [CLIENT, "r1", "r2a", "r2b", "r3", "t1"]
    pairs = [
        (CLIENT, "r1"),
        ("r1", "r2a"),
        ("r1", "r2b"),
        ("r2a", "r3"),
        ("r2b", "r3"),
        ("r3", "t1"),
    ]
    return _topology("diamond", nodes, pairs)


KINDS = {"chain": chain, "diamond": diamond}


def _topology(kind: str, nodes: list[str], pairs) -> Topology:
    links = tuple(Link(index, near, far) for index, (near, far) in enumerate(pairs, 1))
    return Topology(kind, tuple(nodes), links)


def _check_count(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLab(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidLab(f"{name} must be between {low} and {high}, got {value}")
