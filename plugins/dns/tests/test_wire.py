"""The hand-written wire reader agrees with dnspython on every record."""

from __future__ import annotations

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rrset
import pytest
from probeops_dns.message import Question, build_query
from probeops_dns.options import DnsOptions
from probeops_dns.wire import CutOff, parse_reply

RECORDS = [
    ("www.example.test.", "A", "192.0.2.1"),
    ("www.example.test.", "AAAA", "2001:db8::1"),
    ("www.example.test.", "AAAA", "::ffff:192.0.2.1"),
    ("alias.example.test.", "CNAME", "www.example.test."),
    ("example.test.", "MX", "10 mail.example.test."),
    ("example.test.", "TXT", '"v=spf1 -all" "second \\"quoted\\" string"'),
    ("example.test.", "CAA", '0 issue "ca.example"'),
    ("_sip._tcp.example.test.", "SRV", "10 5 5060 sip.example.test."),
    ("1.2.0.192.in-addr.arpa.", "PTR", "www.example.test."),
    ("example.test.", "SOA", "ns.example.test. host.example.test. 1 2 3 4 5"),
    ("example.test.", "NS", "ns.example.test."),
    ("odd\\032name\\.with\\\\escapes.example.test.", "A", "192.0.2.2"),
    ("caf\\195\\169.example.test.", "TXT", '"caf\\195\\169"'),
    ("example.test.", "TYPE65280", "\\# 3 010203"),
    ("example.test.", "HTTPS", '1 . alpn="h2,h3"'),
]


def _reply_wire(owner, rdtype, rdata, **edns) -> tuple[bytes, dns.message.Message]:
    query = dns.message.make_query("example.test.", "A", use_edns=0, **edns)
    reply = dns.message.make_response(query)
    reply.answer.append(dns.rrset.from_text(owner, 300, "IN", rdtype, rdata))
    return reply.to_wire(), reply


@pytest.mark.parametrize(("owner", "rdtype", "rdata"), RECORDS)
def test_records_read_by_hand_match_dnspython(owner, rdtype, rdata):
    data, reference = _reply_wire(owner, rdtype, rdata)

    [record] = parse_reply(data).answer

    [expected] = reference.answer
    assert record == {
        "name": expected.name.to_text(),
        "ttl": 300,
        "class": "IN",
        "type": rdtype,
        "rdata": expected[0].to_text(),
    }


def test_edns_nsid_and_extended_rcode_are_read():
    query = dns.message.make_query("example.test.", "A", use_edns=0, want_dnssec=True)
    reply = dns.message.make_response(query)
    reply.use_edns(0, dns.flags.DO, 1232, options=[dns.edns.NSIDOption(b"ns-1")])
    reply.set_rcode(dns.rcode.BADVERS)

    parsed = parse_reply(reply.to_wire())

    assert parsed.nsid == "ns-1"
    assert parsed.rcode == 16
    assert parsed.edns["flags"] == ["do"]
    assert parsed.edns["payload"] == 1232


def test_a_message_cut_inside_a_record_raises_cut_off():
    data, _ = _reply_wire("www.example.test.", "TXT", '"' + "x" * 200 + '"')

    with pytest.raises(CutOff):
        parse_reply(data[:80])


def test_a_built_query_reads_back_in_dnspython_as_asked():
    options = DnsOptions().load(
        {"type": "MX", "dnssec_ok": True, "nsid": True, "recursion_desired": False}
    )
    question = Question.from_target("example.test", False, options)

    query = dns.message.from_wire(build_query(question, options, edns=True))

    assert query.question[0].to_text() == "example.test. IN MX"
    assert query.flags & dns.flags.RD == 0
    assert query.ednsflags & dns.flags.DO
    assert query.payload == 1232
    assert [o.otype for o in query.options] == [dns.edns.OptionType.NSID]


@pytest.mark.parametrize(
    "host",
    ["www.example.test", "_sip._tcp.example.test", "example.test.", "x" * 63 + ".t"],
)
def test_a_question_names_its_host_as_dnspython_would(host):
    options = DnsOptions().load({})

    question = Question.from_target(host, False, options)

    name = dns.name.from_text(host)
    assert question.name_wire == name.to_wire()
    assert question.text == name.to_text()
