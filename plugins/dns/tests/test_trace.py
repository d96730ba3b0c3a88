"""A trace from the lab root follows every referral and lists each step."""

from __future__ import annotations

import pytest
from probeops.result import FailureSource, Status
from probeops_dns.errors import UnsupportedOption


def test_a_trace_from_the_lab_root_reaches_the_answer_step_by_step(lab, dns_run):
    result = dns_run("www.sub.plain.lab", trace=True, root_hints=lab.root_hints)

    steps = result.body["trace"]
    assert [(s["zone"], s["server"], s["kind"]) for s in steps] == [
        (".", lab.addresses.root, "referral"),
        ("lab.", lab.addresses.tld, "referral"),
        ("plain.lab.", lab.addresses.zones, "referral"),
        ("sub.plain.lab.", lab.addresses.sub, "answer"),
    ]
    assert all(step["query_time_ms"] >= 0 for step in steps)
    assert steps[0]["records"][0]["rdata"] == "ns.lab."
    assert result.status is Status.FINISHED
    assert [r["rdata"] for r in result.body["answer"]] == ["192.0.2.90"]
    assert "rd" not in result.body["flags"]


def test_a_trace_into_a_lame_delegation_ends_where_it_broke(lab, dns_run):
    result = dns_run("x.broken.plain.lab", trace=True, root_hints=lab.root_hints)

    last = result.body["trace"][-1]
    assert (last["zone"], last["server"]) == (
        "broken.plain.lab.",
        lab.addresses.refusing,
    )
    assert last["kind"] == "refused"
    assert result.failure_source is FailureSource.RESOLVER


def test_a_trace_of_a_missing_name_ends_in_nxdomain(lab, dns_run):
    result = dns_run("nope.secure.lab", trace=True, root_hints=lab.root_hints)

    assert [s["kind"] for s in result.body["trace"]] == [
        "referral",
        "referral",
        "nxdomain",
    ]
    assert result.body["kind"] == "nxdomain"


def test_root_hints_come_from_the_setting_when_no_option_names_them(
    lab, dns_run, monkeypatch
):
    monkeypatch.setenv("PROBEOPS_DNS_ROOT_HINTS", lab.root_hints[0])

    result = dns_run("www.plain.lab", trace=True)

    assert result.body["trace"][0]["server"] == lab.addresses.root
    assert result.body["kind"] == "answer"


def test_trace_with_dnssec_is_refused_with_a_plain_sentence(lab, dns_run):
    with pytest.raises(UnsupportedOption, match="cannot be combined with --trace"):
        dns_run("www.plain.lab", trace=True, dnssec=True, root_hints=lab.root_hints)
