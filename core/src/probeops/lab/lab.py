"""The :class:`Lab`: build, use, break and remove a namespace network."""

from __future__ import annotations

import atexit
import logging
import os
import re
import secrets
import subprocess
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from probeops.lab import build, faults, netns, state, topology
from probeops.lab.errors import InvalidLab, LabError
from probeops.lab.topology import CLIENT, Topology

log = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"[a-z][a-z0-9]{0,7}")
NAME_RULE = "1 to 8 lower-case letters or digits, starting with a letter"

_live: dict[Lab, int] = {}
"""Labs to remove before exit, with the process that built each."""


class Lab:
    """A client, routers and targets in network namespaces, joined by veths.

    Nothing exists until :meth:`up` (or entering the ``with`` block); the
    lab is removed by :meth:`down`, on leaving the block, or at exit.
    """

    def __init__(
        self,
        shape: Topology,
        name: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.topology = shape
        self.name = check_name(name) if name is not None else _fresh_name()
        self.options = options or {}
        self.is_up = False
        self._chosen_name = name is not None
        self._claimed = False
        self._children: list[subprocess.Popen] = []

    @classmethod
    def chain(cls, routers: int = 1, targets: int = 1, name: str | None = None) -> Lab:
        """client - r1 - ... - rN, with targets t1..tM on the last router."""
        shape = topology.chain(routers, targets)
        return cls(shape, name, {"routers": routers, "targets": targets})

    @classmethod
    def diamond(cls, name: str | None = None) -> Lab:
        """client - r1 = (r2a | r2b) = r3 - t1, with ECMP on r1 and r3."""
        return cls(topology.diamond(), name)

    @classmethod
    def of_kind(cls, kind: str = "chain", **options: Any) -> Lab:
        """A lab of the named kind, ``chain`` or ``diamond``."""
        if kind not in topology.KINDS:
            allowed = ", ".join(topology.KINDS)
            raise InvalidLab(f"unknown lab kind {kind!r}; allowed: {allowed}")
        return getattr(cls, kind)(**options)

    @classmethod
    def attach(cls, name: str) -> Lab:
        """The running lab called ``name``, as recorded by whoever built it."""
        record = state.load(check_name(name))
        lab = cls.of_kind(record.kind, name=name, **record.options)
        lab.is_up = lab._claimed = True
        return lab

    def __repr__(self) -> str:
        status = "up" if self.is_up else "down"
        return f"<Lab {self.name} {self.topology.kind} {status}>"

    def __enter__(self) -> Lab:
        if not self.is_up:
            self.up()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.down()

    @property
    def nodes(self) -> tuple[str, ...]:
        return self.topology.nodes

    def netns(self, node: str) -> str:
        """The name of the network namespace ``node`` lives in."""
        self.topology.check_node(node)
        return build.namespace_name(self.name, node)

    def addr(self, node: str, family: int = 4) -> str:
        """The node's address (on its link towards the client)."""
        return self.topology.addr(node, family)

    def hop_addrs(self, family: int = 4, target: str = "t1") -> list[str]:
        """The hops a trace from the client to ``target`` lists, in order."""
        self.topology.check_node(target)
        return self.topology.hop_addrs(family, target)

    def hop_choices(self, family: int = 4, target: str = "t1") -> list[frozenset]:
        """Per hop, every address a trace may list there (ECMP gives several)."""
        self.topology.check_node(target)
        return self.topology.hop_choices(family, target)

    def up(self, keep: bool = False) -> Lab:
        """Build the lab; with ``keep`` it outlives this process."""
        if self.is_up:
            raise LabError(f"lab {self.name} is already up")
        state.sweep()
        self._claim(keep)
        try:
            build.build(self.name, self.topology)
        except BaseException:
            self.down()
            raise
        self.is_up = True
        return self

    def down(self) -> None:
        """Stop started processes and delete every namespace of the lab."""
        if not self._claimed:
            return
        for child in self._children:
            _stop(child)
        self._children.clear()
        state.remove(self._record(owner=None))
        _live.pop(self, None)
        self.is_up = self._claimed = False

    def exec(
        self,
        node: str,
        command: Sequence[str],
        timeout: float = 10.0,
        input: str | None = None,
    ) -> subprocess.CompletedProcess:
        """Run ``command`` in ``node`` and wait; text output is captured."""
        return netns.run(self._in(node, command), input, timeout)

    def popen(
        self, node: str, command: Sequence[str], **popen_kwargs: Any
    ) -> subprocess.Popen:
        """Start ``command`` in ``node``; it is stopped when the lab goes down."""
        child = netns.start(self._in(node, command), **popen_kwargs)
        self._children.append(child)
        return child

    def inside(self, node: str) -> AbstractContextManager[None]:
        """Move the current thread into ``node``'s namespace for a block."""
        return netns.inside(self.netns(node))

    def silence(self, node: str) -> None:
        """``node`` sends no ICMP time-exceeded (v4 and v6)."""
        self._add_faults(node, faults.silence())

    def rate_limit(self, node: str, per_second: int = 1, burst: int = 1) -> None:
        """``node``'s own ICMP errors pass at most ``per_second`` a second."""
        self._add_faults(node, faults.rate_limit(per_second, burst))

    def loss(self, node: str, percent: float) -> None:
        """Drop ``percent`` of the packets arriving at ``node`` at random."""
        self._add_faults(node, faults.loss(percent))

    def reject(self, node: str, address: str, code: str = "host-unreachable") -> None:
        """``node`` answers packets for ``address`` with an ICMP unreachable."""
        self._add_faults(node, faults.reject(address, code))

    def duplicate_replies(self, node: str) -> None:
        """Every echo reply ``node`` sends goes out twice."""
        gateways = {family: self._towards_client(node, family) for family in (4, 6)}
        self._add_faults(node, faults.duplicate_replies(gateways))

    def rewrite_reply_source(self, node: str, address: str, new_source: str) -> None:
        """Echo replies from ``address`` leave ``node`` from ``new_source``."""
        self._add_faults(node, faults.rewrite_reply_source(address, new_source))

    def clear_faults(self, node: str) -> None:
        """Undo every fault knob turned on ``node``."""
        self._nft(node, faults.removal())

    def _add_faults(self, node: str, rules: list[faults.Rule]) -> None:
        self._nft(node, faults.ruleset(rules))

    def _nft(self, node: str, ruleset: str) -> None:
        if not self.is_up:
            raise LabError(f"lab {self.name} is not up")
        netns.check(self._in(node, ["nft", "-f", "-"]), ruleset)

    def _towards_client(self, node: str, family: int) -> tuple[str, str]:
        if node == CLIENT:
            raise InvalidLab("the client has no next hop towards the client")
        neighbour = self.topology.paths(node, CLIENT)[0][1]
        gateway = self.topology.facing(neighbour, node, family)
        return gateway, build.interface_name(self.name, neighbour)

    def _in(self, node: str, command: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.netns(node), *command]

    def _claim(self, keep: bool) -> None:
        owner = None if keep else state.Owner.current()
        for _ in range(10):
            try:
                state.claim(self._record(owner))
                break
            except InvalidLab:
                if self._chosen_name:
                    raise
                self.name = _fresh_name()
        self._claimed = True
        if not keep:
            _live[self] = os.getpid()

    def _record(self, owner: state.Owner | None) -> state.Record:
        namespaces = {node: self.netns(node) for node in self.nodes}
        return state.Record(
            self.name, self.topology.kind, self.options, namespaces, owner
        )


def check_name(name: str) -> str:
    """Return ``name`` if it can name a lab; :class:`InvalidLab` if not."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise InvalidLab(f"lab name {name!r} is not allowed; use {NAME_RULE}")
    return name


def _fresh_name() -> str:
    return f"lab{secrets.token_hex(2)}"


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=2)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _remove_live_labs() -> None:
    for lab, builder in list(_live.items()):
        if builder != os.getpid():
            continue
        try:
            lab.down()
        except LabError as error:
            log.warning("lab %s could not be removed at exit: %s", lab.name, error)


atexit.register(_remove_live_labs)
