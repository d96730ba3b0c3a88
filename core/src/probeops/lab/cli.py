"""``probeops lab``: bring a lab up and down by hand.

``up`` builds a lab that outlives the command and prints how to use it;
``list`` shows the labs on this host; ``down NAME`` removes one and
``down --all`` removes kept labs and leftovers of processes that died.
"""

from __future__ import annotations

import argparse

from probeops.errors import BadInput
from probeops.lab import state
from probeops.lab.lab import Lab
from probeops.lab.topology import CLIENT, KINDS


def add_lab_command(commands) -> None:
    """Add the ``lab`` command to the ``probeops`` parser."""
    lab = commands.add_parser("lab", help="build or remove a network lab")
    actions = lab.add_subparsers(dest="lab_action", required=True, metavar="ACTION")
    _add_up(actions)
    listing = actions.add_parser("list", help="list the labs on this host")
    listing.set_defaults(handler=lambda arguments: list_labs())
    down = actions.add_parser("down", help="remove a lab, or every leftover")
    down.add_argument("name", nargs="?", metavar="NAME", help="the lab to remove")
    down.add_argument(
        "--all", action="store_true", help="remove kept labs and dead labs' leftovers"
    )
    down.set_defaults(handler=lambda arguments: down_labs(arguments))


def _add_up(actions) -> None:
    up = actions.add_parser("up", help="build a lab that stays up")
    up.add_argument("--kind", choices=sorted(KINDS), default="chain")
    up.add_argument("--routers", type=int, help="routers in a chain (default 1)")
    up.add_argument("--targets", type=int, help="targets in a chain (default 1)")
    up.add_argument("--name", help="lab name: up to 8 lower-case letters or digits")
    up.set_defaults(handler=lambda arguments: bring_up(arguments))


def bring_up(arguments: argparse.Namespace) -> int:
    """Build the lab asked for, keep it, and print how to reach it."""
    lab = Lab.of_kind(arguments.kind, name=arguments.name, **_shape(arguments))
    lab.up(keep=True)
    print(describe(lab))
    return 0


def _shape(arguments: argparse.Namespace) -> dict[str, int]:
    given = {
        option: getattr(arguments, option)
        for option in ("routers", "targets")
        if getattr(arguments, option) is not None
    }
    if given and arguments.kind != "chain":
        flags = " and ".join(f"--{option}" for option in given)
        raise BadInput(f"--kind {arguments.kind} has a fixed shape; drop {flags}")
    return given


def describe(lab: Lab) -> str:
    """The namespaces, addresses and a first command to try, as text."""
    lines = [
        f"lab {lab.name} ({lab.topology.kind}) is up; "
        f"remove it with: probeops lab down {lab.name}",
        f"{'NODE':<8}{'NAMESPACE':<24}{'IPv4':<16}IPv6",
    ]
    for node in lab.nodes:
        lines.append(
            f"{node:<8}{lab.netns(node):<24}{lab.addr(node, 4):<16}{lab.addr(node, 6)}"
        )
    client = lab.netns(CLIENT)
    lines += [
        "try:",
        f"  ip netns exec {client} ping -c 3 {lab.addr('t1', 4)}",
        f"  ip netns exec {client} traceroute -n {lab.addr('t1', 6)}",
    ]
    return "\n".join(lines)


def list_labs() -> int:
    """Print every lab recorded on this host and who keeps it up."""
    print(f"{'NAME':<10}{'KIND':<9}{'NODES':<7}STATUS")
    for record in state.records():
        print(
            f"{record.name:<10}{record.kind:<9}{len(record.namespaces):<7}"
            f"{_status(record)}"
        )
    return 0


def _status(record: state.Record) -> str:
    if record.owner is None:
        return "kept"
    if record.stale:
        return f"leftover (process {record.owner.pid} is gone)"
    return f"in use by process {record.owner.pid}"


def down_labs(arguments: argparse.Namespace) -> int:
    """Remove the named lab, or with ``--all`` every kept or leftover lab."""
    if arguments.all == (arguments.name is not None):
        raise BadInput("give either a lab NAME or --all")
    if arguments.all:
        removed = state.sweep(kept_too=True)
        print(f"removed: {', '.join(removed)}" if removed else "no labs to remove")
        return 0
    record = state.load(arguments.name)
    if record.owner is not None and not record.stale:
        raise BadInput(
            f"lab {record.name} belongs to running process {record.owner.pid}; "
            "it goes when that process ends"
        )
    state.remove(record)
    print(f"removed: {record.name}")
    return 0
