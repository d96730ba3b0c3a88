"""A DNS lab of real servers on loopback addresses, for tests and benchmarks.

Four Knot DNS servers hold a lab root, the ``lab.`` TLD, the ``secure.lab.``
and ``plain.lab.`` zones, and a delegated ``sub.plain.lab.``; an Unbound
resolver iterates from the lab root and validates against the lab's trust
anchor; a fifth Knot server holds no zone and so refuses every query.
Everything listens on ``127.53.N.x`` port 53 (iterative resolvers only
speak to port 53), with ``N`` chosen so that two labs on one host do not
collide.

Use :func:`dns_lab` as a context manager; it yields a :class:`DnsLab`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from probeops_dns.errors import LabError
from probeops_dns.labzones import LabAddresses, LabZone, build_zones

log = logging.getLogger(__name__)

PORT = 53
START_TIMEOUT = 10.0
HOSTS = {"root": 1, "tld": 2, "zones": 3, "sub": 4, "recursive": 5, "refusing": 6}
DEAD_HOST = 9


@dataclass(frozen=True)
class DnsLab:
    """A running lab: where each server listens and how to trust it."""

    addresses: LabAddresses
    port: int
    trust_anchor: str
    """The lab root's DS record, in master file text."""

    directory: Path

    @property
    def root_hints(self) -> list[str]:
        """The lab root server, as ``ADDR:PORT`` text."""
        return [f"{self.addresses.root}:{self.port}"]

    def server(self, role: str) -> str:
        """Return ``ADDR:PORT`` of the server in ``role`` (e.g. ``recursive``)."""
        return f"{getattr(self.addresses, role)}:{self.port}"


@contextlib.contextmanager
def dns_lab() -> Iterator[DnsLab]:
    """Start the lab's servers, yield the lab, and stop them all afterwards."""
    for binary in ("knotd", "unbound"):
        if shutil.which(binary) is None:
            raise LabError(
                f"the DNS lab needs {binary} on PATH (Debian: knot, unbound)"
            )
    addresses = _free_addresses()
    zones, anchor = build_zones(addresses)
    with tempfile.TemporaryDirectory(prefix="probeops-dnslab-") as workdir:
        lab = DnsLab(addresses, PORT, anchor, Path(workdir))
        with contextlib.ExitStack() as servers:
            _start_all(lab, zones, servers)
            yield lab


def _free_addresses() -> LabAddresses:
    """Pick a ``127.53.N.0/24`` where every lab address is free on port 53."""
    first = os.getpid() % 200 + 1
    for offset in range(250):
        subnet = f"127.53.{(first + offset) % 250 + 1}"
        if _subnet_free(subnet):
            hosts = {role: f"{subnet}.{host}" for role, host in HOSTS.items()}
            return LabAddresses(**hosts, dead=f"{subnet}.{DEAD_HOST}")
    raise LabError("no free 127.53.N.0/24 subnet for the DNS lab")


def _subnet_free(subnet: str) -> bool:
    for host in [*HOSTS.values(), DEAD_HOST]:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            with socket.socket(socket.AF_INET, kind) as probe:
                try:
                    probe.bind((f"{subnet}.{host}", PORT))
                except OSError:
                    return False
    return True


def _start_all(lab: DnsLab, zones: list[LabZone], servers: contextlib.ExitStack):
    by_server: dict[str, list[LabZone]] = {}
    for zone in zones:
        by_server.setdefault(zone.server, []).append(zone)
    started = {}
    for role in ("root", "tld", "zones", "sub", "refusing"):
        address = getattr(lab.addresses, role)
        config = _knot_config(lab, role, by_server.get(address, []))
        command = ["knotd", "-c", str(config)]
        started[role] = servers.enter_context(_process(command, role))
    started["recursive"] = servers.enter_context(
        _process(_unbound_command(lab), "recursive")
    )
    for role, process in started.items():
        _wait_until_answering(getattr(lab.addresses, role), lab.port, process)


def _knot_config(lab: DnsLab, role: str, zones: list[LabZone]) -> Path:
    """Write zone files and a knotd configuration for one server."""
    directory = lab.directory / role
    directory.mkdir()
    entries = []
    for index, zone in enumerate(zones):
        (directory / f"{index}.zone").write_text(zone.text)
        entries.append(f'  - domain: "{zone.origin}"\n    file: "{index}.zone"\n')
    config = directory / "knot.conf"
    config.write_text(
        "server:\n"
        f'  rundir: "{directory}"\n'
        f"  listen: {getattr(lab.addresses, role)}@{lab.port}\n"
        f'  nsid: "lab-{role}"\n'
        "  udp-workers: 1\n  tcp-workers: 1\n  background-workers: 1\n"
        f'database:\n  storage: "{directory}"\n'
        "log:\n  - target: stderr\n    any: error\n"
        "template:\n  - id: default\n"
        f'    storage: "{directory}"\n'
        "    zonefile-sync: -1\n    journal-content: none\n"
        + ("zone:\n" + "".join(entries) if entries else "")
    )
    return config


def _unbound_command(lab: DnsLab) -> list[str]:
    """Write the resolver's configuration; return the command that runs it."""
    directory = lab.directory / "recursive"
    directory.mkdir()
    hints = directory / "root.hints"
    hints.write_text(
        f". 3600000 NS root-ns.\nroot-ns. 3600000 A {lab.addresses.root}\n"
    )
    config = directory / "unbound.conf"
    config.write_text(_unbound_text(lab, directory, hints))
    return ["unbound", "-d", "-p", "-c", str(config)]


def _unbound_text(lab: DnsLab, directory: Path, hints: Path) -> str:
    return (
        "server:\n"
        f"  interface: {lab.addresses.recursive}@{lab.port}\n"
        "  access-control: 127.0.0.0/8 allow\n"
        f'  directory: "{directory}"\n  chroot: ""\n  username: ""\n'
        '  pidfile: ""\n  use-syslog: no\n  logfile: ""\n  verbosity: 0\n'
        "  do-daemonize: no\n  num-threads: 1\n  so-reuseport: no\n"
        "  do-not-query-localhost: no\n  qname-minimisation: no\n"
        "  harden-referral-path: no\n  aggressive-nsec: no\n"
        "  infra-host-ttl: 5\n  prefetch: no\n"
        f'  root-hints: "{hints}"\n'
        f'  trust-anchor: "{lab.trust_anchor}"\n'
        '  nsid: "ascii_lab-recursive"\n'
        '  local-zone: "2.0.192.in-addr.arpa." nodefault\n'
        "remote-control:\n  control-enable: no\n"
    )


@contextlib.contextmanager
def _process(command: list[str], role: str) -> Iterator[subprocess.Popen]:
    """Run one server for the duration of the block, stopping it after."""
    log.debug("dns lab: starting %s: %s", role, " ".join(command))
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _wait_until_answering(address: str, port: int, process: subprocess.Popen) -> None:
    """Poll a server with SOA queries for the root until it answers."""
    import dns.exception
    import dns.message
    import dns.query

    query = dns.message.make_query(".", "SOA")
    give_up = time.monotonic() + START_TIMEOUT
    while time.monotonic() < give_up and process.poll() is None:
        try:
            dns.query.udp(query, address, port=port, timeout=0.2)
            return
        except (dns.exception.DNSException, OSError):
            time.sleep(0.05)
    complaint = process.stderr.read().decode(errors="replace")[-500:]
    if process.poll() is None:
        complaint = "no answer within {START_TIMEOUT:g} s"
    raise LabError(f"{process.args[0]} at {address}:{port} did not start: {complaint}")
