"""Every malformed option is refused with one line: the flag, the value, the
allowed forms; nothing is sent."""

from __future__ import annotations

import pytest
from probeops.cli import main

SERVER_FORMS = "allowed: ADDR, ADDR:PORT, [V6]:PORT or a host name"
HINT_FORMS = "allowed: ADDR, ADDR:PORT or [V6]:PORT"
ANCHOR_FORMS = "allowed: '. DS KEYTAG ALGORITHM DIGESTTYPE DIGEST' or '. DNSKEY"
TYPE_FORMS = "allowed: record types such as A, AAAA, MX, TXT or TYPEnnn"
CLASS_FORMS = "allowed: IN, CH, HS, ANY or CLASSnnn"


@pytest.fixture(autouse=True)
def nowhere(monkeypatch):
    """Should anything be sent after all, it goes to a closed loopback port."""
    monkeypatch.setenv("PROBEOPS_RESOLVER", "127.0.0.1:9")
    monkeypatch.setenv("PROBEOPS_DNS_ROOT_HINTS", "127.0.0.1:9")


def refused(capsys, *argv: str) -> str:
    code = main(["run", "dns", "x.test", *argv])
    err = capsys.readouterr().err

    assert code == 2
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("value", ["junk", "", "127.1", "127.0.0.1:0", "ns.lab"])
def test_a_bad_root_hint_is_refused_naming_the_flag_and_form(capsys, value):
    err = refused(capsys, "--trace", "--root-hint", value)

    assert f"--root-hint {value!r}" in err
    assert HINT_FORMS in err


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "the address is empty"),
        ("127.1", "not a valid IPv4 address"),
        ("::1%%", "'%' is not an interface here"),
        ("::1%lo", "belongs only to fe80:: addresses"),
        ("127.0.0.1:5300:53", "not a valid IPv6 address"),
        ("[::1", "the '[' is not closed"),
        ("[::1]53", "'53' after ']' is not ':PORT'"),
        ("[127.0.0.1]:53", "brackets hold IPv6 addresses only"),
        ("127.0.0.1:99999", "port '99999' must be between 1 and 65535"),
        ("bad_host!.lab", "may hold only letters, digits"),
    ],
)
def test_a_malformed_server_is_refused_naming_the_flag_and_forms(capsys, value, reason):
    err = refused(capsys, "--server", value)

    assert f"--server {value!r}: " in err
    assert reason in err
    assert SERVER_FORMS in err


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("garbage", "'garbage' is not valid: it has no record data"),
        (". DS 1 2", "'. DS 1 2' is not valid"),
        ("lab. DS 1 8 2 00", "not a DS or DNSKEY record of the root"),
        ("", "'' holds no record"),
    ],
)
def test_a_bad_trust_anchor_is_refused_naming_the_flag_and_form(capsys, value, reason):
    err = refused(capsys, "--dnssec", "--trust-anchor", value)

    assert "--trust-anchor: " in err
    assert reason in err
    assert ANCHOR_FORMS in err


def test_a_bad_trust_anchor_setting_is_refused_before_asking(capsys, monkeypatch):
    monkeypatch.setenv("PROBEOPS_DNS_TRUST_ANCHOR", "garbage")

    err = refused(capsys, "--dnssec", "--server", "127.0.0.1:9")

    assert "PROBEOPS_DNS_TRUST_ANCHOR='garbage' is not valid" in err


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("TYPE0", "a reserved type"),
        ("NONE", "a reserved type"),
        ("OPT", "the EDNS pseudo-record"),
        ("TYPE41", "the EDNS pseudo-record"),
        ("TSIG", "the TSIG meta type"),
        ("tkey", "the TKEY meta type"),
        ("NXNAME", "the NXNAME meta type"),
    ],
)
def test_a_meta_type_is_not_asked(capsys, value, what):
    err = refused(capsys, "-t", value)

    assert "-t/--type: " in err
    assert value in err
    assert what in err


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("NONE", "the class of dynamic updates"),
        ("CLASS0", "a reserved class"),
        ("RESERVED0", "a reserved class"),
        ("CLASS65535", "a reserved class"),
        ("BOGUS", "unknown class 'BOGUS'"),
    ],
)
def test_a_meta_or_unknown_class_is_refused_naming_the_flag(capsys, value, what):
    err = refused(capsys, "--class", value)

    assert "--class: " in err
    assert what in err
    assert CLASS_FORMS in err
