"""DNSSEC validation: secure, insecure and bogus, from the lab's anchor."""

from __future__ import annotations

import pytest
from probeops.errors import InvalidOptions
from probeops.result import FailureSource, Status
from probeops_dns.errors import BadTrustAnchor
from probeops_dns.validate import trust_anchor


@pytest.fixture
def validate(lab, dns_run):
    def run(name: str, **options):
        options.setdefault("trust_anchor", lab.trust_anchor)
        return dns_run(name, dnssec=True, server=[lab.server("recursive")], **options)

    return run


def test_the_signed_zone_validates_secure(validate):
    result = validate("www.secure.lab")

    assert result.body["dnssec"]["status"] == "secure"
    assert result.body["dnssec"]["chain"] == [
        ". DNSKEY matches the trust anchor",
        "lab. DS and DNSKEY verified",
        "secure.lab. DS and DNSKEY verified",
    ]
    assert result.status is Status.FINISHED


def test_a_record_with_a_broken_signature_is_bogus(validate):
    result = validate("bogus.secure.lab")

    assert result.body["dnssec"]["status"] == "bogus"
    assert "bogus.secure.lab. A" in result.body["dnssec"]["reason"]
    assert result.status is Status.FAILED
    assert result.failure_source is FailureSource.TARGET
    assert [r["rdata"] for r in result.body["answer"] if r["type"] == "A"] == [
        "192.0.2.66"
    ]


def test_the_unsigned_zone_is_insecure(validate):
    result = validate("www.plain.lab")

    assert result.body["dnssec"]["status"] == "insecure"
    assert result.body["dnssec"]["reason"] == "plain.lab. is an unsigned delegation"
    assert result.status is Status.FINISHED


def test_a_denial_in_the_signed_zone_validates_secure(validate):
    result = validate("nope.secure.lab")

    assert result.body["kind"] == "nxdomain"
    assert result.body["dnssec"]["status"] == "secure"


def test_an_anchor_that_matches_no_root_key_makes_the_answer_bogus(validate):
    other = ". DS 20326 8 2 " + "e0" * 32

    result = validate("www.secure.lab", trust_anchor=other)

    assert result.body["dnssec"]["status"] == "bogus"
    assert result.body["dnssec"]["reason"] == "no root DNSKEY matches the trust anchor"


def test_the_anchor_setting_is_used_when_no_option_names_one(lab, dns_run, monkeypatch):
    monkeypatch.setenv("PROBEOPS_DNS_TRUST_ANCHOR", lab.trust_anchor)

    result = dns_run("www.secure.lab", dnssec=True, server=[lab.server("recursive")])

    assert result.body["dnssec"]["status"] == "secure"


def test_an_unreadable_anchor_is_refused_naming_it(validate):
    with pytest.raises(InvalidOptions, match="--trust-anchor: 'example. DS 1 2 3 00'"):
        validate("www.secure.lab", trust_anchor="example. DS 1 2 3 00")


def test_an_anchor_given_past_the_options_is_still_refused():
    with pytest.raises(BadTrustAnchor, match="not a DS or DNSKEY record of the root"):
        trust_anchor({"trust_anchor": "example. DS 1 2 3 00"})


def test_an_authoritative_server_alone_cannot_give_the_chain(lab, dns_run):
    result = dns_run(
        "www.secure.lab",
        dnssec=True,
        trust_anchor=lab.trust_anchor,
        server=[lab.server("zones")],
    )

    assert result.body["dnssec"]["status"] == "indeterminate"
    assert result.body["kind"] == "answer"
