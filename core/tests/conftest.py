"""Fixtures shared by the core tests: the network lab."""

from probeops.lab.fixtures import make_lab, make_module_lab  # noqa: F401
