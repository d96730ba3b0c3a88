"""The lab's one system seam: commands, namespaces and sysctls.

Every other lab module builds text and data; only this one runs ``ip`` and
``nft``, enters namespaces and writes ``/proc/sys``.
"""

from __future__ import annotations

import ctypes
import logging
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from probeops.lab.errors import LabError

log = logging.getLogger(__name__)

NETNS_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def run(
    command: Sequence[str], input: str | None = None, timeout: float = 10.0
) -> subprocess.CompletedProcess:
    """Run ``command`` and return what it did; :class:`LabError` on timeout."""
    log.debug("lab runs %s", command)
    try:
        return subprocess.run(
            command, input=input, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as expired:
        stderr = _text(expired.stderr)
        message = f"{' '.join(command)} did not finish within {timeout} s"
        raise LabError(message, command, stderr) from None
    except OSError as error:
        raise LabError(f"cannot run {command[0]}: {error}", command) from None


def check(
    command: Sequence[str], input: str | None = None, timeout: float = 10.0
) -> str:
    """Run ``command``; :class:`LabError` with its stderr unless it succeeds."""
    completed = run(command, input, timeout)
    if completed.returncode != 0:
        stderr = completed.stderr.strip()
        message = f"{' '.join(command)} failed: {stderr}"
        raise LabError(message, command, stderr)
    return completed.stdout


def start(command: Sequence[str], **popen_kwargs) -> subprocess.Popen:
    """Start ``command`` in the background."""
    log.debug("lab starts %s", command)
    try:
        return subprocess.Popen(command, **popen_kwargs)
    except OSError as error:
        raise LabError(f"cannot run {command[0]}: {error}", command) from None


def namespaces() -> list[str]:
    """Names of the network namespaces ``ip netns`` knows."""
    listing = check(["ip", "netns", "list"])
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


@contextmanager
def inside(namespace: str) -> Iterator[None]:
    """Move the current thread into ``namespace``, and back on exit."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        there = _open_namespace(namespace)
        try:
            _setns(there, namespace)
        finally:
            os.close(there)
        try:
            yield
        finally:
            _setns(home, "the thread's own namespace")
    finally:
        os.close(home)


def write_sysctls(namespace: str, values: Mapping[str, str]) -> None:
    """Set ``net.*`` sysctls inside ``namespace``; absent ones are skipped."""
    with inside(namespace):
        for name, value in values.items():
            _write_sysctl(name, value)


def _write_sysctl(name: str, value: str) -> None:
    path = Path("/proc/sys", *name.split("."))
    try:
        path.write_text(value)
    except FileNotFoundError:
        log.debug("sysctl %s does not exist here; skipped", name)
    except OSError as error:
        raise LabError(f"cannot set {name}={value}: {error}") from None


def _open_namespace(namespace: str) -> int:
    try:
        return os.open(NETNS_DIR / namespace, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as error:
        raise LabError(f"no network namespace {namespace!r}: {error}") from None


def _setns(descriptor: int, namespace: str) -> None:
    if _libc.setns(descriptor, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        reason = os.strerror(error)
        raise LabError(f"cannot enter network namespace {namespace}: {reason}")


def _text(output: bytes | str | None) -> str:
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""
