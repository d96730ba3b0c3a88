"""DNS messages to and from wire bytes, fast where it matters.

Queries are built by hand and answers read by hand for the header, names
and the common record types; any other record's data is read by dnspython,
so its text is exactly dnspython's (and dig's) presentation. Reading a
thousand answers a second is what a sweep of many names needs.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field
from typing import Any

QR, AA, TC, RD, RA, AD, CD = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080, 0x0020, 0x0010
FLAG_NAMES = (("qr", QR), ("aa", AA), ("tc", TC), ("rd", RD), ("ra", RA))
FLAG_NAMES += (("ad", AD), ("cd", CD))
DO = 0x8000
OPT, NSID = 41, 3
A, NS, CNAME, SOA, PTR, AAAA = 1, 2, 5, 6, 12, 28
ESCAPED = frozenset(b'"().;\\@$')
HEADER = struct.Struct("!HHHHHH")
RR_FIXED = struct.Struct("!HHIH")
SOA_TIMERS = struct.Struct("!IIIII")


class CutOff(ValueError):
    """The message ends before the records its header announces."""


@dataclass
class Reply:
    """An answer as read from the wire: header, question, records, EDNS."""

    id: int
    flags: int
    rcode: int
    question: tuple[str, int, int] | None
    answer: list[dict[str, Any]] = field(default_factory=list)
    authority: list[dict[str, Any]] = field(default_factory=list)
    additional: list[dict[str, Any]] = field(default_factory=list)
    edns: dict[str, Any] | None = None
    nsid: str | None = None

    @property
    def truncated(self) -> bool:
        return bool(self.flags & TC)

    def flag_names(self) -> list[str]:
        return [name for name, bit in FLAG_NAMES if self.flags & bit]


def query_wire(
    name_wire: bytes,
    rdtype: int,
    rdclass: int,
    query_id: int,
    flags: int,
    edns: dict[str, Any] | None,
) -> bytes:
    """A query for one question; ``edns`` holds ``payload``, ``do``, ``nsid``."""
    additional = 1 if edns is not None else 0
    wire = HEADER.pack(query_id, flags, 1, 0, 0, additional)
    wire += name_wire + struct.pack("!HH", rdtype, rdclass)
    if edns is not None:
        options = struct.pack("!HH", NSID, 0) if edns["nsid"] else b""
        ttl = DO if edns["do"] else 0
        wire += b"\x00" + RR_FIXED.pack(OPT, edns["payload"], ttl, len(options))
        wire += options
    return wire


def parse_reply(wire: bytes) -> Reply:
    """Read an answer; raise ``CutOff`` when its body is cut short."""
    if len(wire) < HEADER.size:
        raise CutOff(f"{len(wire)} bytes is shorter than a DNS header")
    qid, flags, qdcount, ancount, nscount, arcount = HEADER.unpack_from(wire)
    reader = _Reader(wire, HEADER.size)
    question = reader.question() if qdcount else None
    for _ in range(qdcount - 1):
        reader.question()
    reply = Reply(qid, flags, flags & 0xF, question)
    reply.answer = reader.records(ancount, reply)
    reply.authority = reader.records(nscount, reply)
    reply.additional = reader.records(arcount, reply)
    return reply


class _Reader:
    """A cursor over one message's bytes."""

    def __init__(self, wire: bytes, offset: int) -> None:
        self.wire, self.offset = wire, offset

    def question(self) -> tuple[str, int, int]:
        name = self.name()
        rdtype, rdclass = self.unpack(struct.Struct("!HH"))
        return name, rdtype, rdclass

    def records(self, count: int, reply: Reply) -> list[dict[str, Any]]:
        records = []
        for _ in range(count):
            record = self.record(reply)
            if record is not None:
                records.append(record)
        return records

    def record(self, reply: Reply) -> dict[str, Any] | None:
        name = self.name()
        rdtype, rdclass, ttl, rdlength = self.unpack(RR_FIXED)
        start, end = self.offset, self.offset + rdlength
        if end > len(self.wire):
            raise CutOff(f"a {type_text(rdtype)} record runs past the message end")
        self.offset = end
        if rdtype == OPT:
            _read_opt(reply, rdclass, ttl, self.wire[start:end])
            return None
        return {
            "name": name,
            "ttl": ttl,
            "class": class_text(rdclass),
            "type": type_text(rdtype),
            "rdata": self.rdata_text(rdtype, rdclass, start, rdlength),
        }

    def rdata_text(self, rdtype: int, rdclass: int, start: int, length: int) -> str:
        if rdtype == A and length == 4:
            return socket.inet_ntop(socket.AF_INET, self.wire[start : start + 4])
        if rdtype in (NS, CNAME, PTR):
            return _Reader(self.wire, start).name()
        if rdtype == SOA:
            return self._soa_text(start, length)
        return _dnspython_rdata(self.wire, rdtype, rdclass, start, length)

    def _soa_text(self, start: int, length: int) -> str:
        inner = _Reader(self.wire, start)
        mname, rname = inner.name(), inner.name()
        if inner.offset + SOA_TIMERS.size != start + length:
            raise ValueError("an SOA record has the wrong length")
        timers = SOA_TIMERS.unpack_from(self.wire, inner.offset)
        return " ".join([mname, rname, *map(str, timers)])

    def unpack(self, layout: struct.Struct) -> tuple:
        if self.offset + layout.size > len(self.wire):
            raise CutOff("the message ends inside a record")
        values = layout.unpack_from(self.wire, self.offset)
        self.offset += layout.size
        return values

    def name(self) -> str:
        labels, offset, jumped, hops = [], self.offset, False, 0
        while True:
            if offset >= len(self.wire):
                raise CutOff("the message ends inside a name")
            length = self.wire[offset]
            if length & 0xC0 == 0xC0:
                if offset + 1 >= len(self.wire):
                    raise CutOff("the message ends inside a name")
                pointer = ((length & 0x3F) << 8) | self.wire[offset + 1]
                if not jumped:
                    self.offset = offset + 2
                jumped, hops = True, hops + 1
                if hops > 127 or pointer >= offset:
                    raise ValueError("bad name compression pointer")
                offset = pointer
                continue
            if length == 0:
                break
            end = offset + 1 + length
            if end > len(self.wire):
                raise CutOff("the message ends inside a name")
            labels.append(_label_text(self.wire[offset + 1 : end]))
            offset = end
        if not jumped:
            self.offset = offset + 1
        return ".".join(labels) + "." if labels else "."


def _label_text(label: bytes) -> str:
    if label.isalnum() or _plain(label):
        return label.decode("ascii")
    return "".join(_escape(byte) for byte in label)


def _plain(label: bytes) -> bool:
    return all(0x20 < byte < 0x7F and byte not in ESCAPED for byte in label)


def _escape(byte: int) -> str:
    if byte in ESCAPED:
        return "\\" + chr(byte)
    if 0x20 < byte < 0x7F:
        return chr(byte)
    return f"\\{byte:03d}"


def _read_opt(reply: Reply, payload: int, ttl: int, data: bytes) -> None:
    reply.rcode |= (ttl >> 24) << 4
    options, offset = [], 0
    while offset + 4 <= len(data):
        code, length = struct.unpack_from("!HH", data, offset)
        value = data[offset + 4 : offset + 4 + length]
        offset += 4 + length
        if code == NSID:
            reply.nsid = value.decode("utf-8", errors="replace")
        options.append(_option_text(code, value))
    reply.edns = {
        "version": (ttl >> 16) & 0xFF,
        "payload": payload,
        "flags": ["do"] if ttl & DO else [],
        "options": options,
    }


def _option_text(code: int, value: bytes) -> str:
    import dns.edns

    return dns.edns.option_from_wire(code, value, 0, len(value)).to_text()


def _dnspython_rdata(wire, rdtype, rdclass, start, length) -> str:
    import dns.rdata

    return dns.rdata.from_wire(rdclass, rdtype, wire, start, length).to_text()


_TYPE_TEXT: dict[int, str] = {}
_CLASS_TEXT: dict[int, str] = {}


def type_text(rdtype: int) -> str:
    """``A``, ``MX``, ``TYPE65280``: the type as dnspython writes it."""
    if rdtype not in _TYPE_TEXT:
        import dns.rdatatype

        _TYPE_TEXT[rdtype] = dns.rdatatype.to_text(rdtype)
    return _TYPE_TEXT[rdtype]


def class_text(rdclass: int) -> str:
    if rdclass not in _CLASS_TEXT:
        import dns.rdataclass

        _CLASS_TEXT[rdclass] = dns.rdataclass.to_text(rdclass)
    return _CLASS_TEXT[rdclass]
