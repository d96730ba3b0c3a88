"""The options of the DNS diagnostic, as a marshmallow schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from probeops_dns.servers import HINT_FORMS, SERVER_FORMS, root_hint, split_server

RANGE = "must be between {min} and {max}, got {input}"
TRANSPORTS = ("udp", "tcp")


TRANSFERS = ("AXFR", "IXFR")
META_TYPES = {
    0: "a reserved type",
    41: "the EDNS pseudo-record",
    128: "the NXNAME meta type",
    249: "the TKEY meta type",
    250: "the TSIG meta type",
}
"""Types that only ride along in messages; no server answers them as questions."""

META_CLASSES = {
    0: "a reserved class",
    254: "the class of dynamic updates",
    65535: "a reserved class",
}
QUERY_TYPES = "record types such as A, AAAA, MX, TXT or TYPEnnn, or ANY, MAILA, MAILB"
QUERY_CLASSES = "IN, CH, HS, ANY or CLASSnnn"


def _query_type(text: str) -> None:
    """Accept any type dnspython knows except meta types and zone transfers."""
    try:
        value = _rdtype(text)
    except Exception:
        allowed = ", ".join(_type_names())
        raise ValidationError(
            f"-t/--type: unknown record type {text!r}; allowed: {allowed} or TYPEnnn"
        ) from None
    if text.upper() in TRANSFERS:
        raise ValidationError(
            f"-t/--type: {text.upper()} is a zone transfer, which this diagnostic "
            "does not perform; ask for SOA, NS or another record type"
        )
    if value in META_TYPES:
        raise ValidationError(
            f"-t/--type: {text!r} is {META_TYPES[value]}, "
            f"not a question; allowed: {QUERY_TYPES}"
        )


def _query_class(text: str) -> None:
    """Accept any class dnspython knows except NONE and the reserved ones."""
    try:
        value = _rdclass(text)
    except Exception:
        raise ValidationError(
            f"--class: unknown class {text!r}; allowed: {QUERY_CLASSES}"
        ) from None
    if value in META_CLASSES:
        raise ValidationError(
            f"--class: {text!r} is {META_CLASSES[value]}, "
            f"not a question; allowed: {QUERY_CLASSES}"
        )


def _type_names() -> list[str]:
    import dns.rdatatype

    refused = set(TRANSFERS)
    return sorted(
        t.name
        for t in dns.rdatatype.RdataType
        if t.name not in refused and t.value not in META_TYPES
    )


def _every(flag: str, parse: Callable[[str], Any], forms: str):
    """A validator that parses each value of a list option with ``parse``."""

    def check(texts: list[str]) -> None:
        for text in texts:
            try:
                parse(text)
            except ValueError as error:
                raise ValidationError(
                    f"{flag} {text!r}: {error}; allowed: {forms}"
                ) from None

    return check


def _trust_anchor(text: str) -> None:
    from probeops_dns.anchor import ANCHOR_FORMS, anchor_records

    try:
        anchor_records(text)
    except ValueError as error:
        raise ValidationError(
            f"--trust-anchor: {error}; allowed: {ANCHOR_FORMS}"
        ) from None


def _rdtype(text: str) -> int:
    import dns.rdatatype

    return dns.rdatatype.from_text(text)


def _rdclass(text: str) -> int:
    import dns.rdataclass

    return dns.rdataclass.from_text(text)


def _meta(description: str, *flags: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "flags": list(flags), **extra}


class DnsOptions(Schema):
    """What to ask, whom, and how."""

    type = fields.String(
        load_default="A",
        validate=_query_type,
        metadata=_meta("record type to ask for", "-t", "--type"),
    )
    qclass = fields.String(
        load_default="IN",
        validate=_query_class,
        metadata=_meta("query class", "--class"),
    )
    server = fields.List(
        fields.String(),
        load_default=None,
        validate=_every("--server", split_server, SERVER_FORMS),
        metadata=_meta(
            "DNS server ADDR[:PORT] or name, repeatable; default PROBEOPS_RESOLVER",
            "-s",
            "--server",
            destinations=True,
        ),
    )
    port = fields.Integer(
        load_default=53,
        validate=validate.Range(min=1, max=65535, error=RANGE),
        metadata=_meta("port of servers given without one", "-p", "--port"),
    )
    transport = fields.String(
        load_default="udp",
        validate=validate.OneOf(
            TRANSPORTS, error="must be one of {choices}, got {input!r}"
        ),
        metadata=_meta(
            "udp (falls back to tcp when truncated) or tcp",
            "--transport",
            switches={"--tcp": "tcp"},
        ),
    )
    timeout = fields.Float(
        load_default=2.0,
        validate=validate.Range(min=0.05, max=60, error=RANGE),
        metadata=_meta("seconds to wait for each answer", "--timeout"),
    )
    retries = fields.Integer(
        load_default=1,
        validate=validate.Range(min=0, max=10, error=RANGE),
        metadata=_meta("UDP retries after a timeout", "--retries"),
    )
    recursion_desired = fields.Boolean(
        load_default=True, metadata=_meta("set the RD bit", "--rd")
    )
    dnssec_ok = fields.Boolean(
        load_default=False, metadata=_meta("set the DO bit", "--do")
    )
    checking_disabled = fields.Boolean(
        load_default=False, metadata=_meta("set the CD bit", "--cd")
    )
    edns = fields.Boolean(load_default=True, metadata=_meta("send EDNS", "--edns"))
    payload = fields.Integer(
        load_default=1232,
        validate=validate.Range(min=512, max=65535, error=RANGE),
        metadata=_meta("EDNS UDP payload size", "--payload"),
    )
    nsid = fields.Boolean(
        load_default=False, metadata=_meta("ask for the server's NSID", "--nsid")
    )
    in_flight = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=1000, error=RANGE),
        metadata=_meta("UDP queries in flight at once for many names", "--in-flight"),
    )
    trace = fields.Boolean(
        load_default=False,
        metadata=_meta("resolve iteratively from the root hints", "--trace"),
    )
    root_hints = fields.List(
        fields.String(),
        load_default=None,
        validate=_every("--root-hint", root_hint, HINT_FORMS),
        metadata=_meta(
            "root server ADDR[:PORT] for --trace; default PROBEOPS_DNS_ROOT_HINTS",
            "--root-hint",
            destinations=True,
        ),
    )
    dnssec = fields.Boolean(
        load_default=False,
        metadata=_meta("validate the answer with DNSSEC (sets DO)", "--dnssec"),
    )
    trust_anchor = fields.String(
        load_default=None,
        validate=_trust_anchor,
        metadata=_meta(
            "root DS or DNSKEY text; default PROBEOPS_DNS_TRUST_ANCHOR",
            "--trust-anchor",
        ),
    )
    deadline = fields.Float(
        load_default=None,
        validate=validate.Range(min=0.1, max=3600, error=RANGE),
        metadata=_meta("seconds the whole run may take", "--deadline"),
    )


def default_deadline(options: dict[str, Any]) -> float:
    """Allow every attempt its timeout, and a trace many more."""
    per_query = options["timeout"] * (options["retries"] + 1) * 2
    return per_query * (20 if options["trace"] or options["dnssec"] else 1) + 1
