"""``probeops run dns`` prints dig-like sections and refuses bad input clearly."""

from __future__ import annotations

import json

import pytest
from probeops.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["run", "dns", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_answer_is_printed_in_dig_sections(lab, capsys):
    code, out, _ = run_cli(capsys, "alias.plain.lab", "--server", lab.server("zones"))

    assert code == 0
    assert ";; ->>HEADER<<- status: NOERROR" in out
    assert ";; QUESTION SECTION:\n;alias.plain.lab.\t\tIN\tA" in out
    assert ";; ANSWER SECTION:" in out
    assert "www.plain.lab.\t300\tIN\tA\t192.0.2.10" in out
    assert f";; SERVER: {lab.addresses.zones}#53 (UDP)" in out


def test_type_port_and_tcp_flags_shape_the_query(lab, capsys):
    address, port = lab.server("zones").split(":")
    code, out, _ = run_cli(
        capsys, "plain.lab", "-t", "MX", "--server", address, "--port", port, "--tcp"
    )

    assert code == 0
    assert "plain.lab.\t300\tIN\tMX\t10 mail.plain.lab." in out
    assert "(TCP)" in out


def test_json_output_carries_the_wire_answer(lab, capsys):
    code, out, _ = run_cli(
        capsys, "www.plain.lab", "--server", lab.server("zones"), "--nsid", "--json"
    )

    [result] = json.loads(out)
    assert code == 0
    assert result["body"]["nsid"] == "lab-zones"
    assert result["body"]["wire"]
    assert result["body"]["answer"][0]["rdata"] == "192.0.2.10"


def test_trace_and_dnssec_flags_reach_the_diagnostic(lab, capsys):
    code, out, _ = run_cli(
        capsys, "www.sub.plain.lab", "--trace", "--root-hint", lab.root_hints[0]
    )

    assert code == 0
    assert f";; sub.plain.lab. via {lab.addresses.sub}: answer" in out

    code, out, _ = run_cli(
        capsys,
        "www.secure.lab",
        "--dnssec",
        "--trust-anchor",
        lab.trust_anchor,
        "--server",
        lab.server("recursive"),
    )
    assert code == 0
    assert ";; DNSSEC: secure" in out


def test_a_name_without_data_exits_one(lab, capsys):
    code, out, _ = run_cli(capsys, "nope.plain.lab", "--server", lab.server("zones"))

    assert code == 1
    assert "does not exist (NXDOMAIN)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-t", "BOGUS"], "-t/--type: unknown record type 'BOGUS'; allowed: A, A6"),
        (["-t", "AXFR"], "AXFR is a zone transfer, which this diagnostic does not"),
        (["--class", "XX"], "--class: unknown class 'XX'; allowed: IN, CH, HS, ANY"),
        (["--port", "0"], "port: must be between 1 and 65535, got 0"),
        (["--transport", "quic"], "must be one of udp, tcp, got 'quic'"),
        (["--timeout", "0"], "timeout: must be between 0.05 and 60, got 0"),
        (["--payload", "100"], "payload: must be between 512 and 65535, got 100"),
        (["--server", "127.0.0.1:99999"], "port '99999' must be between 1 and 65535"),
    ],
)
def test_bad_options_are_refused_naming_the_value(capsys, argv, message):
    code, _, err = run_cli(capsys, "www.plain.lab", *argv)

    assert code == 2
    assert message in err
