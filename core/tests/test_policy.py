"""The target policy refuses every non-public address unless allowlisted."""

import pytest
from probeops.errors import TargetForbidden
from probeops.policy import ForbiddenAddress, TargetPolicy

DEFAULT = TargetPolicy()


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "CGNAT"),
        ("169.254.1.1", "link-local"),
        ("169.254.169.254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("0.0.0.0", "this network"),
        ("192.0.2.10", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.9", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fd12:3456::1", "unique local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("fd00:ec2::254", "cloud metadata"),
        ("4000::1", "reserved"),
    ],
)
def test_non_public_address_is_refused_naming_the_rule(address, rule):
    with pytest.raises(TargetForbidden, match=rule) as caught:
        DEFAULT.check(address)
    assert caught.value.address == address
    assert address in str(caught.value)


@pytest.mark.parametrize(
    ("address", "rule", "form"),
    [
        ("::ffff:127.0.0.1", "loopback", "IPv4-mapped"),
        ("::ffff:10.1.2.3", "private", "IPv4-mapped"),
        ("::ffff:169.254.169.254", "cloud metadata", "IPv4-mapped"),
        ("::7f00:1", "loopback", "IPv4-compatible"),
        ("::a00:1", "private", "IPv4-compatible"),
        ("2002:7f00:1::", "loopback", "6to4"),
        ("2002:a9fe:a9fe::1", "cloud metadata", "6to4"),
        ("2002:c0a8:101::", "private", "6to4"),
        ("64:ff9b::10.0.0.1", "private", "NAT64"),
        ("64:ff9b::7f00:1", "loopback", "NAT64"),
    ],
)
def test_ipv4_hidden_in_an_ipv6_form_is_judged_as_ipv4(address, rule, form):
    with pytest.raises(ForbiddenAddress) as caught:
        DEFAULT.check(address)
    assert rule in caught.value.rule
    assert form in caught.value.rule


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "2002:808:808::1",
        "64:ff9b::8.8.8.8",
    ],
)
def test_public_address_is_allowed(address):
    DEFAULT.check(address)


def test_ipv4_compatible_form_is_refused_even_for_a_public_address():
    with pytest.raises(ForbiddenAddress, match="IPv4-compatible"):
        DEFAULT.check("::808:808")


def test_local_use_nat64_prefix_is_refused_as_private():
    with pytest.raises(ForbiddenAddress, match="local-use NAT64"):
        DEFAULT.check("64:ff9b:1::a00:1")


def test_allowlist_opens_a_range_on_purpose():
    policy = TargetPolicy.from_cidrs(["127.0.0.0/8", "::1/128"])

    policy.check("127.0.0.1")
    policy.check("127.3.2.1")
    policy.check("::1")
    with pytest.raises(ForbiddenAddress, match="10.0.0.1"):
        policy.check("10.0.0.1")


def test_allowlisted_ipv4_does_not_open_its_ipv6_disguises():
    policy = TargetPolicy.from_cidrs(["127.0.0.0/8"])

    with pytest.raises(ForbiddenAddress, match=r"allowlisted: 127\.0\.0\.0/8"):
        policy.check("::ffff:127.0.0.1")
    with pytest.raises(ForbiddenAddress):
        policy.check("2002:7f00:1::")


def test_check_all_refuses_when_any_address_is_refused():
    with pytest.raises(ForbiddenAddress, match="192.168.0.1"):
        DEFAULT.check_all(["8.8.8.8", "192.168.0.1"])


def test_bad_cidr_in_allowlist_is_named():
    with pytest.raises(ValueError, match="'10.0.0.0/33' is not a CIDR"):
        TargetPolicy.from_cidrs(["10.0.0.0/33"])


def test_text_that_is_not_an_address_is_refused():
    with pytest.raises(ForbiddenAddress, match="not an IP address"):
        DEFAULT.check("example.com")
