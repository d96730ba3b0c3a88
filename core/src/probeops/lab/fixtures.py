"""Pytest support: skip without a lab, and fixtures that build labs.

Any distribution's ``conftest.py`` can say::

    from probeops.lab.fixtures import make_lab  # noqa: F401

and a test then calls ``make_lab("chain", routers=2)``; the lab is up when
the call returns and removed when the test ends, pass or fail.
``make_module_lab`` does the same once per test module.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from probeops.lab.lab import Lab

LabFactory = Callable[..., Lab]


def unavailable_reason() -> str | None:
    """Why labs cannot be built here, or ``None`` when they can."""
    if os.geteuid() != 0:
        return "the network lab needs root"
    missing = [tool for tool in ("ip", "nft") if shutil.which(tool) is None]
    if missing:
        return f"the network lab needs {' and '.join(missing)} on PATH"
    return None


def lab_available() -> bool:
    """Whether this process can build labs (root, ``ip`` and ``nft``)."""
    return unavailable_reason() is None


def _factory(stack: ExitStack) -> LabFactory:
    def make(kind: str = "chain", **options: Any) -> Lab:
        reason = unavailable_reason()
        if reason is not None:
            pytest.skip(reason)
        _end_on_sigterm()
        return stack.enter_context(Lab.of_kind(kind, **options))

    return make


def _end_on_sigterm() -> None:
    """Treat SIGTERM as Ctrl-C, so pytest stops and labs come down."""
    in_main = threading.current_thread() is threading.main_thread()
    if in_main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_interrupt)


def _raise_interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {number}")


@pytest.fixture
def make_lab() -> Iterator[LabFactory]:
    """Build labs for one test; each is removed when the test ends."""
    with ExitStack() as stack:
        yield _factory(stack)


@pytest.fixture(scope="module")
def make_module_lab() -> Iterator[LabFactory]:
    """Build labs shared by a test module; removed after its last test."""
    with ExitStack() as stack:
        yield _factory(stack)
