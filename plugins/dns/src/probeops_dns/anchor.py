"""Reading a DNSSEC trust anchor: DS or DNSKEY records of the root."""

from __future__ import annotations

ANCHOR_FORMS = (
    "'. DS KEYTAG ALGORITHM DIGESTTYPE DIGEST' or "
    "'. DNSKEY FLAGS PROTOCOL ALGORITHM KEY', ';' between two"
)


def anchor_records(text: str) -> list:
    """The anchor's DS and DNSKEY rdatas; ``ValueError`` names a bad record."""
    import dns.rrset

    records = []
    for line in filter(None, (part.strip() for part in text.split(";"))):
        try:
            rrset = dns.rrset.from_text_list(*_anchor_fields(line))
        except Exception as error:
            raise ValueError(f"{line!r} is not valid: {error}") from None
        records.extend(rrset)
    if not records:
        raise ValueError(f"{text!r} holds no record")
    return records


def _anchor_fields(line: str):
    words = line.split(None, 2)
    if len(words) < 3:
        raise ValueError("it has no record data")
    owner, rdtype, rdata = words
    if owner != "." or rdtype.upper() not in ("DS", "DNSKEY"):
        raise ValueError("it is not a DS or DNSKEY record of the root '.'")
    return owner, 0, "IN", rdtype, [rdata]
