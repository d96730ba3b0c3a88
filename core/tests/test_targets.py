"""The one target grammar: what it accepts, and what it refuses by name."""

from __future__ import annotations

import pytest
from probeops.errors import InvalidTarget
from probeops.targets import parse_name, parse_target


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("fe80::1%lo", "fe80::1%lo"),
        ("fe80::1%1", "fe80::1%1"),
        ("64:ff9b::7f00:1", "64:ff9b::7f00:1"),
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("_sip._tcp.example.com", "_sip._tcp.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_valid_targets_are_normalised(text, host):
    assert parse_target(text).host == host


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("127.1", "four decimal octets"),
        ("0x7f.1", "four decimal octets"),
        ("2130706433", "four decimal octets"),
        ("0177.0.0.1", "four decimal octets"),
        ("1.2.3.04", "four decimal octets"),
        ("256.1.1.1", "four decimal octets"),
        ("127.0.0.1 ", "whitespace or control characters"),
        (" 127.0.0.1", "whitespace or control characters"),
        ("127.0.0.1\x00", "whitespace or control characters"),
        ("exa\tmple.com", "whitespace or control characters"),
        ("", "empty target"),
        ("a" * 64 + ".example", "label of 64 characters; the limit is 63"),
        (".".join(["abcdefghi"] * 26), "a hostname has at most 253"),
        ("exa..mple", "empty label"),
        ("-bad.example", "cannot start or end with '-'"),
        ("bad!.example", "may hold only letters"),
        ("host.123", "last label cannot be all digits"),
        ("2001:db8::zz", "not a valid IPv6 address"),
        ("127.0.0.1:80", "targets take no port"),
        ("http://127.0.0.1/", "not a URL or a prefix"),
        ("192.0.2.0/24", "not a URL or a prefix"),
        (
            "::ffff:127.0.0.1",
            "IPv4-mapped IPv6 address; give the IPv4 address 127.0.0.1",
        ),
        (
            "::127.0.0.1",
            "IPv4-compatible IPv6 address; give the IPv4 address 127.0.0.1",
        ),
        ("::", "unspecified address"),
        ("0.0.0.0", "unspecified address"),
        ("fe80::1", "link-local and needs an interface"),
        ("fe80::1%", "'' is not an interface here"),
        ("fe80::1%nosuchif0", "'nosuchif0' is not an interface here; interfaces: lo"),
        ("::1%999999999999", "is not an interface here"),
    ],
)
def test_invalid_targets_are_refused_with_the_value_named(text, complaint):
    with pytest.raises(InvalidTarget) as raised:
        parse_target(text)
    message = str(raised.value)
    assert complaint in message
    if text:
        assert repr(text)[:40] in message


def test_a_very_long_value_is_cut_short_in_the_message():
    with pytest.raises(InvalidTarget) as raised:
        parse_target("x" * 100_000)
    assert len(str(raised.value)) < 200
    assert "(100000 chars)" in str(raised.value)


def test_a_literal_is_marked_as_such_and_a_name_is_not():
    assert parse_target("192.0.2.1").is_literal
    assert not parse_target("example.net").is_literal


def test_resolved_copy_keeps_what_was_given():
    pinned = parse_target("example.net").resolved("2001:db8::5")
    assert (pinned.given, pinned.address, pinned.family) == (
        "example.net",
        "2001:db8::5",
        6,
    )


@pytest.mark.parametrize(
    ("text", "host"),
    [
        (".", "."),
        ("*.plain.lab.", "*.plain.lab"),
        ("_sip._tcp.Example.com", "_sip._tcp.example.com"),
        ("192.0.2.7", "192.0.2.7"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_query_names_may_be_the_root_or_a_wildcard(text, host):
    assert parse_name(text).host == host


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "empty target"),
        ("a b.example", "whitespace"),
        ("a.*.example", "may hold only letters"),
        ("..", "empty label"),
        ("x" * 64 + ".example", "the limit is 63"),
    ],
)
def test_bad_query_names_are_refused_with_the_value_named(text, complaint):
    with pytest.raises(InvalidTarget, match=complaint):
        parse_name(text)
