"""The options of the DNS diagnostic, as a marshmallow schema."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

RANGE = "must be between {min} and {max}, got {input}"
TRANSPORTS = ("udp", "tcp")


def _known(kind: str, to_value, names, generic: str):
    """Return a validator accepting any name dnspython knows for ``kind``."""

    def check(text: str) -> None:
        try:
            to_value(text)
        except Exception:
            allowed = ", ".join(names())
            raise ValidationError(
                f"unknown {kind} {text!r}; allowed: {allowed} or {generic}nnn"
            ) from None

    return check


TRANSFERS = ("AXFR", "IXFR")


def _query_type(text: str) -> None:
    """Accept any type dnspython knows except the zone transfers."""
    _known("record type", _rdtype, _type_names, "TYPE")(text)
    if text.upper() in TRANSFERS:
        raise ValidationError(
            f"{text.upper()} is a zone transfer, which this diagnostic does not "
            "perform; ask for SOA, NS or another record type"
        )


def _type_names() -> list[str]:
    import dns.rdatatype

    return sorted(t.name for t in dns.rdatatype.RdataType if t.name not in TRANSFERS)


def _class_names() -> list[str]:
    import dns.rdataclass

    return sorted(c.name for c in dns.rdataclass.RdataClass)


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
        validate=_known("class", _rdclass, _class_names, "CLASS"),
        metadata=_meta("query class", "--class"),
    )
    server = fields.List(
        fields.String(),
        load_default=None,
        metadata=_meta(
            "DNS server ADDR[:PORT] or name, repeatable; default PROBEOPS_RESOLVER",
            "-s",
            "--server",
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
        metadata=_meta(
            "root server ADDR[:PORT] for --trace; default PROBEOPS_DNS_ROOT_HINTS",
            "--root-hint",
        ),
    )
    dnssec = fields.Boolean(
        load_default=False,
        metadata=_meta("validate the answer with DNSSEC (sets DO)", "--dnssec"),
    )
    trust_anchor = fields.String(
        load_default=None,
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
