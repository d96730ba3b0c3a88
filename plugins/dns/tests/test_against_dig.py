"""Every lab case gives the same rcode and RRsets as dig on the same server."""

from __future__ import annotations

import pytest
from dns_digtool import dig, ours, without_ttl

AUTHORITATIVE_CASES = [
    ("www.plain.lab", "A"),
    ("www.plain.lab", "AAAA"),
    ("alias.plain.lab", "A"),
    ("plain.lab", "MX"),
    ("plain.lab", "TXT"),
    ("big.plain.lab", "TXT"),
    ("_sip._tcp.plain.lab", "SRV"),
    ("plain.lab", "CAA"),
    ("ptr.plain.lab", "PTR"),
    ("anything.wild.plain.lab", "A"),
    ("anything.wild.plain.lab", "TXT"),
    ("www.sub.plain.lab", "A"),
    ("nope.plain.lab", "A"),
    ("plain.lab", "SRV"),
    ("loop1.plain.lab", "A"),
    ("www.secure.lab", "A"),
    ("secure.lab", "DNSKEY"),
]

RECURSIVE_CASES = [
    ("www.plain.lab", "A"),
    ("alias.plain.lab", "A"),
    ("www.sub.plain.lab", "A"),
    ("big.plain.lab", "TXT"),
    ("www.secure.lab", "A"),
    ("nope.secure.lab", "A"),
    ("x.broken.plain.lab", "A"),
    ("192.0.2.10", "-x"),
]


@pytest.mark.parametrize(("name", "rdtype"), AUTHORITATIVE_CASES)
def test_authoritative_answers_match_dig(lab, dns_run, name, rdtype):
    server = lab.server("zones")

    expected = dig(server, name, rdtype)
    result = dns_run(name, type=rdtype, server=[server])

    assert result.body["rcode"] == expected.rcode
    assert ours(result.body["answer"]) == expected.sections["answer"]
    assert ours(result.body["authority"]) == expected.sections["authority"]


@pytest.mark.parametrize(("name", "rdtype"), RECURSIVE_CASES)
def test_recursive_answers_match_dig(lab, dns_run, name, rdtype):
    server = lab.server("recursive")

    expected = dig(server, name, rdtype)
    options = {} if rdtype == "-x" else {"type": rdtype}
    result = dns_run(name, server=[server], **options)

    assert result.body["rcode"] == expected.rcode
    assert ours(result.body["answer"], False) == without_ttl(
        expected.sections["answer"]
    )


def test_an_address_target_asks_for_its_reverse_name_like_dig_x(lab, dns_run):
    result = dns_run("192.0.2.10", server=[lab.server("recursive")])

    assert result.body["question"] == {
        "name": "10.2.0.192.in-addr.arpa.",
        "type": "PTR",
        "class": "IN",
    }
    assert result.body["answer"][0]["rdata"] == "www.plain.lab."


def test_a_refusing_server_gives_refused_as_dig_sees_it(lab, dns_run):
    server = lab.server("refusing")

    expected = dig(server, "www.plain.lab", "A")
    result = dns_run("www.plain.lab", server=[server])

    assert expected.rcode == result.body["rcode"] == "REFUSED"


@pytest.mark.parametrize(
    ("role", "name", "rdtype"),
    [("root", ".", "NS"), ("root", ".", "SOA"), ("zones", "*.wild.plain.lab", "A")],
)
def test_the_root_and_a_wildcard_owner_can_be_asked_like_dig(
    lab, dns_run, role, name, rdtype
):
    server = lab.server(role)

    expected = dig(server, name, rdtype)
    result = dns_run(name, type=rdtype, server=[server])

    assert result.body["rcode"] == expected.rcode
    assert ours(result.body["answer"]) == expected.sections["answer"]
