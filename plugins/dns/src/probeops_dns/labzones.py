"""The zones of the DNS lab: a root, a TLD, a signed and an unsigned zone.

Zones are written as text and signed here with fresh Ed25519 keys, so the
lab's trust anchor is known before any server starts. One record of the
signed zone, ``bogus.secure.lab.``, carries a deliberately broken signature.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

BIG_TXT_STRINGS = 12
"""Strings of 250 bytes in ``big.plain.lab. TXT``: too big for UDP."""

SIGNATURE_LIFETIME = 30 * 86400


@dataclass(frozen=True)
class LabAddresses:
    """The loopback addresses the lab's servers listen on."""

    root: str
    tld: str
    zones: str
    sub: str
    recursive: str
    refusing: str
    """A server with no zones: it refuses every query, so the lame
    delegation ``broken.plain.lab.`` points at it."""
    dead: str
    """Nothing listens here."""


@dataclass(frozen=True)
class LabZone:
    """One zone's origin, its master file text and the server that holds it."""

    origin: str
    text: str
    server: str


def _header(origin: str, ns: str, serial: int) -> str:
    return (
        f"$ORIGIN {origin}\n$TTL 300\n"
        f"@ 3600 SOA {ns} {_mailbox(origin)} {serial} 3600 600 86400 300\n"
        f"@ 3600 NS {ns}\n"
    )


def root_text(lab: LabAddresses) -> str:
    """The lab root: delegates ``lab.`` and a reverse zone."""
    return _header(".", "root-ns.", 1) + (
        f"root-ns. A {lab.root}\n"
        "lab. NS ns.lab.\n"
        f"ns.lab. A {lab.tld}\n"
        "2.0.192.in-addr.arpa. NS ns.plain.lab.\n"
    )


def tld_text(lab: LabAddresses) -> str:
    """The ``lab.`` TLD: a signed and an unsigned child."""
    return _header("lab.", "ns.lab.", 1) + (
        f"ns A {lab.tld}\n"
        "secure NS ns.secure\n"
        f"ns.secure A {lab.zones}\n"
        "plain NS ns.plain\n"
        f"ns.plain A {lab.zones}\n"
    )


def secure_text(lab: LabAddresses) -> str:
    """``secure.lab.``: signed; ``bogus`` gets a broken signature later."""
    return _header("secure.lab.", "ns.secure.lab.", 1) + (
        f"ns A {lab.zones}\n"
        "www A 192.0.2.80\n"
        "www AAAA 2001:db8::80\n"
        '@ TXT "signed zone"\n'
        "bogus A 192.0.2.66\n"
    )


def plain_text(lab: LabAddresses) -> str:
    """``plain.lab.``: unsigned, one name for every record kind tested."""
    big = " ".join(f'"{chr(97 + i) * 250}"' for i in range(BIG_TXT_STRINGS))
    return _header("plain.lab.", "ns.plain.lab.", 1) + (
        f"ns A {lab.zones}\n"
        "www A 192.0.2.10\nwww AAAA 2001:db8::10\n"
        "alias CNAME alias2\nalias2 CNAME alias3\nalias3 CNAME www\n"
        "loop1 CNAME loop2\nloop2 CNAME loop1\n"
        "@ MX 10 mail\nmail A 192.0.2.25\n"
        '@ TXT "v=spf1 -all"\n'
        f"big TXT {big}\n"
        "_sip._tcp SRV 10 5 5060 sip\nsip A 192.0.2.50\n"
        '@ CAA 0 issue "ca.example"\n'
        "ptr PTR www.plain.lab.\n"
        '*.wild TXT "wildcard"\n*.wild A 192.0.2.77\n'
        "private A 10.20.30.40\nprivate AAAA fd00::40\n"
        f"sub NS ns.sub\nns.sub A {lab.sub}\n"
        f"broken NS ns.broken\nns.broken A {lab.refusing}\n"
    )


def sub_text(lab: LabAddresses) -> str:
    """``sub.plain.lab.``: a delegation to a server of its own."""
    return _header("sub.plain.lab.", "ns.sub.plain.lab.", 1) + (
        f"ns A {lab.sub}\nwww A 192.0.2.90\n"
    )


def reverse_text(lab: LabAddresses) -> str:
    """``2.0.192.in-addr.arpa.``: names for the lab's documentation addresses."""
    return _header("2.0.192.in-addr.arpa.", "ns.plain.lab.", 1) + (
        "10 PTR www.plain.lab.\n80 PTR www.secure.lab.\n"
    )


def build_zones(lab: LabAddresses) -> tuple[list[LabZone], str]:
    """Return every lab zone, signed where it should be, and the root DS."""
    secure, secure_ds = _signed("secure.lab.", secure_text(lab), broken="bogus")
    tld_ds_record = f"secure DS {secure_ds}\n"
    tld, tld_ds = _signed("lab.", tld_text(lab) + tld_ds_record)
    root, root_ds = _signed(".", root_text(lab) + f"lab. DS {tld_ds}\n")
    zones = [
        LabZone(".", root, lab.root),
        LabZone("lab.", tld, lab.tld),
        LabZone("secure.lab.", secure, lab.zones),
        LabZone("plain.lab.", plain_text(lab), lab.zones),
        LabZone("2.0.192.in-addr.arpa.", reverse_text(lab), lab.zones),
        LabZone("sub.plain.lab.", sub_text(lab), lab.sub),
    ]
    return zones, f". DS {root_ds}"


def _signed(origin: str, text: str, broken: str | None = None) -> tuple[str, str]:
    """Sign a zone with a fresh key; return its text and its DS rdata."""
    import dns.dnssec
    import dns.zone

    zone = dns.zone.from_text(text, origin=origin, relativize=False)
    key, dnskey = _new_key()
    now = int(time.time())
    dns.dnssec.sign_zone(
        zone,
        keys=[(key, dnskey)],
        inception=now - 3600,
        expiration=now + SIGNATURE_LIFETIME,
    )
    if broken is not None:
        _break_signature(zone, f"{broken}.{origin}")
    ds = dns.dnssec.make_ds(origin, dnskey, "SHA256")
    return zone.to_text(relativize=False), ds.to_text()


def _new_key():
    """Return a new Ed25519 private key and its DNSKEY (a KSK+ZSK)."""
    import dns.dnssec
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    flags = 257
    dnskey = dns.dnssec.make_dnskey(key.public_key(), "ED25519", flags=flags)
    return key, dnskey


def _break_signature(zone, name: str) -> None:
    """Flip the bits of the signature over ``name``'s A record."""
    import dns.rdatatype

    with zone.writer() as txn:
        signatures = txn.get(name, dns.rdatatype.RRSIG, dns.rdatatype.A)
        spoiled = [
            rrsig.replace(signature=bytes(b ^ 0xFF for b in rrsig.signature))
            for rrsig in signatures
        ]
        txn.replace(name, signatures.ttl, *spoiled)


def _mailbox(origin: str) -> str:
    return "hostmaster." if origin == "." else f"hostmaster.{origin}"
