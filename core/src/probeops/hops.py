"""The hop model that path diagnostics (traceroute, MTR) share.

A path is a list of :class:`Hop`, one per TTL, each holding the replies to
the probes sent with that TTL. A probe that heard nothing stays in place as a
silent :class:`ProbeReply`, so a hop list keeps its ``*`` rows.
"""

from __future__ import annotations

import enum
import errno
import os
from dataclasses import asdict, dataclass, field
from typing import Any


class StopReason(enum.StrEnum):
    """Why a trace stopped probing further hops."""

    DESTINATION_REACHED = "destination_reached"
    UNREACHABLE = "unreachable"
    GAP_LIMIT = "gap_limit"
    MAX_TTL = "max_ttl"
    DEADLINE = "deadline"
    INTERRUPTED = "interrupted"
    SEND_FAILED = "send_failed"


class ReplyKind(enum.StrEnum):
    """What answered a probe."""

    TIME_EXCEEDED = "time_exceeded"
    UNREACHABLE = "unreachable"
    PACKET_TOO_BIG = "packet_too_big"
    PARAMETER_PROBLEM = "parameter_problem"
    ECHO_REPLY = "echo_reply"
    TCP_SYN_ACK = "tcp_syn_ack"
    TCP_RESET = "tcp_reset"
    SILENT = "silent"
    UNSENT = "unsent"
    """The kernel refused the probe: it never left, so it is no silence."""


FINAL_KINDS = frozenset(
    {
        ReplyKind.UNREACHABLE,
        ReplyKind.PACKET_TOO_BIG,
        ReplyKind.PARAMETER_PROBLEM,
        ReplyKind.ECHO_REPLY,
        ReplyKind.TCP_SYN_ACK,
        ReplyKind.TCP_RESET,
        ReplyKind.UNSENT,
    }
)


@dataclass(frozen=True)
class MplsLabel:
    """One entry of an MPLS label stack quoted in an ICMP extension."""

    label: int
    traffic_class: int
    bottom_of_stack: bool
    ttl: int

    @classmethod
    def from_wire(cls, entry: int) -> MplsLabel:
        """Decode one 32-bit label stack entry (RFC 3032)."""
        return cls(
            label=entry >> 12,
            traffic_class=(entry >> 9) & 0x7,
            bottom_of_stack=bool(entry & 0x100),
            ttl=entry & 0xFF,
        )

    def to_wire(self) -> int:
        return (
            self.label << 12
            | self.traffic_class << 9
            | int(self.bottom_of_stack) << 8
            | self.ttl
        )


@dataclass(frozen=True)
class ProbeReply:
    """What came back for one probe; every field but ``kind`` may be empty."""

    kind: ReplyKind = ReplyKind.SILENT
    responder: str | None = None
    rtt_ms: float | None = None
    reply_ttl: int | None = None
    reply_size: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    flag: str | None = None
    """traceroute's mark for an error reply: ``!H``, ``!N``, ``!X``..."""

    mpls: tuple[MplsLabel, ...] = ()
    problems: tuple[str, ...] = ()
    """What could not be read from a malformed reply."""

    error: str | None = None
    """Why an unsent probe could not leave: the errno name, e.g. EMSGSIZE."""

    @classmethod
    def refused(cls, error: OSError) -> ProbeReply:
        """The record of a probe the kernel would not send."""
        code = error.errno or 0
        return cls(kind=ReplyKind.UNSENT, error=errno.errorcode.get(code, str(code)))

    @property
    def silent(self) -> bool:
        return self.kind is ReplyKind.SILENT

    @property
    def unsent(self) -> bool:
        return self.kind is ReplyKind.UNSENT

    @property
    def final(self) -> bool:
        """Whether no probe with a larger TTL can get further than this one:
        the destination answered, the path is unreachable, or probes cannot
        leave this host."""
        return self.kind in FINAL_KINDS

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "responder": self.responder,
            "rtt_ms": self.rtt_ms,
            "reply_ttl": self.reply_ttl,
            "reply_size": self.reply_size,
            "icmp_type": self.icmp_type,
            "icmp_code": self.icmp_code,
            "flag": self.flag,
            "mpls": [asdict(label) for label in self.mpls],
            "problems": list(self.problems),
            "error": self.error,
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> ProbeReply:
        fields = dict(document)
        fields["kind"] = ReplyKind(fields["kind"])
        fields["mpls"] = tuple(MplsLabel(**label) for label in fields["mpls"])
        fields["problems"] = tuple(fields["problems"])
        return cls(**fields)


SILENCE = ProbeReply()


@dataclass
class Hop:
    """The replies to the probes sent with one TTL."""

    distance: int
    """The TTL (IPv6 hop limit) the probes left with."""

    probes: list[ProbeReply] = field(default_factory=list)

    @property
    def responders(self) -> list[str]:
        """Addresses that answered, in order of first reply, each once."""
        seen = (probe.responder for probe in self.probes if probe.responder)
        return list(dict.fromkeys(seen))

    @property
    def silent(self) -> bool:
        return all(probe.silent for probe in self.probes)

    @property
    def rtts_ms(self) -> list[float]:
        return [probe.rtt_ms for probe in self.probes if probe.rtt_ms is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "distance": self.distance,
            "responders": self.responders,
            "probes": [probe.to_json() for probe in self.probes],
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Hop:
        probes = [ProbeReply.from_json(probe) for probe in document["probes"]]
        return cls(distance=document["distance"], probes=probes)


def errno_text(name: str) -> str:
    """An errno name with its sentence: ``EMSGSIZE (Message too long)``."""
    code = getattr(errno, name, None)
    return f"{name} ({os.strerror(code)})" if isinstance(code, int) else name


def unreachable_flag(family: int, code: int, mtu: int | None = None) -> str | None:
    """Return traceroute's mark for a destination-unreachable code.

    A port unreachable is the normal end of a UDP trace and has no mark.
    """
    table = _UNREACHABLE_FLAGS_V4 if family == 4 else _UNREACHABLE_FLAGS_V6
    if code == (3 if family == 4 else 4):
        return None
    if family == 4 and code == 4:
        return f"!F-{mtu or 0}"
    return table.get(code, f"!<{code}>")


_UNREACHABLE_FLAGS_V4 = {
    0: "!N",
    1: "!H",
    2: "!P",
    5: "!S",
    6: "!N",
    7: "!H",
    8: "!N",
    9: "!X",
    10: "!X",
    11: "!N",
    12: "!H",
    13: "!X",
    14: "!V",
    15: "!C",
}

_UNREACHABLE_FLAGS_V6 = {
    0: "!N",
    1: "!X",
    2: "!S",
    3: "!H",
    5: "!X",
    6: "!X",
}
