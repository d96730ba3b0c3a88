"""Server names, the root name and timeouts as the user sees them."""

from __future__ import annotations

import json
import re

import pytest
from dns_responder import Responder
from probeops.cli import main
from probeops_dns.query import silence


@pytest.fixture
def zones_resolver(lab, monkeypatch):
    """Server names resolve through the lab's authoritative server."""
    monkeypatch.setenv("PROBEOPS_RESOLVER", lab.server("zones"))
    return lab


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["run", "dns", *argv, "--json"])
    [result] = json.loads(capsys.readouterr().out)
    return code, result


def test_a_server_name_that_does_not_exist_is_a_resolver_failure(
    zones_resolver, capsys
):
    code, result = run_json(capsys, "www.plain.lab", "-s", "nope.plain.lab")

    assert code == 1
    assert result["status"] == "failed"
    assert result["failure_source"] == "resolver"
    assert result["body"]["kind"] == "unresolved_server"
    assert result["body"]["attempts"] == 0
    assert "server 'nope.plain.lab'" in result["error"]
    assert "NXDOMAIN" in result["error"]


def test_an_unresolved_server_is_printed_without_an_address(zones_resolver, capsys):
    code = main(["run", "dns", "www.plain.lab", "-s", "nope.plain.lab"])
    out = capsys.readouterr().out

    assert code == 1
    assert ";; failed: server 'nope.plain.lab': " in out
    assert ";; SERVER: - (UDP)" in out


def test_a_server_name_with_an_address_is_asked_past_one_without(
    zones_resolver, capsys
):
    code, result = run_json(
        capsys, "www.plain.lab", "-s", "nope.plain.lab", "-s", "ns.plain.lab:53"
    )

    assert code == 0
    assert result["body"]["kind"] == "answer"
    assert result["body"]["server"] == zones_resolver.addresses.zones


def test_the_root_name_can_be_asked(lab, capsys):
    code, result = run_json(capsys, ".", "-t", "NS", "-s", lab.server("root"))

    assert code == 0
    assert result["body"]["question"]["name"] == "."
    assert [r["rdata"] for r in result["body"]["answer"]] == ["root-ns."]


def test_a_timeout_is_told_in_the_seconds_asked_for(spare_address, capsys):
    with Responder(spare_address, lambda query, transport: []) as silent:
        code, result = run_json(
            capsys, "www.plain.lab", "-s", silent.server, "--timeout", "0.25"
        )

    assert code == 1
    assert result["error"].endswith("no answer within 0.25 s")


def test_a_wait_cut_by_the_deadline_is_told_in_hundredths(spare_address, capsys):
    with Responder(spare_address, lambda query, transport: []) as silent:
        _, result = run_json(
            capsys,
            "www.plain.lab",
            "-s",
            silent.server,
            "--timeout",
            "1",
            "--deadline",
            "1.3",
        )

    assert re.search(
        r"no answer within 0\.\d\d s, all that was left before the deadline$",
        result["error"],
    )


@pytest.mark.parametrize(
    ("asked_for", "waited", "said"),
    [
        (1.0, 0.999956, "no answer within 1 s"),
        (2.0, 2.0, "no answer within 2 s"),
        (0.05, 0.0499, "no answer within 0.05 s"),
        (
            1.0,
            0.17064,
            "no answer within 0.17 s, all that was left before the deadline",
        ),
    ],
)
def test_the_wait_is_rounded_to_what_was_asked(asked_for, waited, said):
    assert silence(asked_for, waited) == said


def test_a_wildcard_name_can_be_asked(lab, capsys):
    code, result = run_json(capsys, "*.wild.plain.lab", "-s", lab.server("zones"))

    assert code == 0
    assert result["body"]["question"]["name"] == "*.wild.plain.lab."
    assert result["body"]["kind"] == "answer"
