"""``probeops lab``: bring a lab up and down by hand."""

from __future__ import annotations


def add_lab_command(commands) -> None:
    """Add the ``lab`` command to the ``probeops`` parser."""
    lab = commands.add_parser("lab", help="build or remove a network lab")
    lab.set_defaults(handler=lambda arguments: 0)
