"""``probeops-probe run --config FILE``: checks with no backend, JSON lines."""

import json
import subprocess
import sys

import pytest
from probeops_probe.errors import BadConfig
from probeops_probe.local import load_config


def _run(*args, env_allow="127.0.0.0/8", command="run"):
    import os

    env = {**os.environ, "PROBEOPS_PROBE_ALLOWLIST": env_allow}
    return subprocess.run(
        [sys.executable, "-m", "probeops_probe.cli", command, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_local_checks_are_written_as_json_lines(tmp_path):
    config = tmp_path / "checks.json"
    check = {"diagnostic": "ping", "target": "127.0.0.1", "interval_s": 0.1}
    config.write_text(json.dumps({"checks": [{**check, "options": {"count": 1}}]}))

    done = _run("--config", str(config), "--rounds", "2")

    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 2
    assert {line["document"]["status"] for line in lines} == {"finished"}
    assert len({line["id"] for line in lines}) == 2


def test_a_target_the_policy_refuses_is_a_failed_result_not_a_packet(tmp_path):
    config = tmp_path / "checks.json"
    check = {"diagnostic": "ping", "target": "127.0.0.1", "interval_s": 1}
    config.write_text(json.dumps({"checks": [check]}))

    done = _run("--config", str(config), "--rounds", "1", env_allow="none")

    (line,) = [json.loads(text) for text in done.stdout.splitlines()]
    assert line["document"]["status"] == "failed"
    assert "refused by the target policy: loopback" in line["document"]["error"]


def test_a_check_missing_fields_is_refused_naming_them(tmp_path):
    config = tmp_path / "checks.json"
    config.write_text(json.dumps({"checks": [{"diagnostic": "ping"}]}))

    with pytest.raises(BadConfig, match="lacks target, interval_s"):
        load_config(config)


def test_a_bad_config_exits_2_with_the_reason(tmp_path):
    config = tmp_path / "checks.json"
    config.write_text("{not json")

    done = _run("--config", str(config))

    assert done.returncode == 2
    assert "cannot read" in done.stderr


def test_an_agent_pace_out_of_range_is_refused_naming_the_range(tmp_path):
    done = _run("--state", "x", "--batch", "5000", command="agent")

    assert done.returncode == 2
    assert "must be results between 1 and 1000, got 5000" in done.stderr


def test_an_agent_without_a_credential_says_to_enrol(tmp_path):
    done = _run("--state", str(tmp_path), command="agent")

    assert done.returncode == 3
    assert "run `probeops-probe enrol`" in done.stderr


def test_a_bad_allowlist_stops_the_run_naming_the_variable(tmp_path):
    config = tmp_path / "checks.json"
    check = {"diagnostic": "ping", "target": "127.0.0.1", "interval_s": 1}
    config.write_text(json.dumps({"checks": [check]}))

    done = _run("--config", str(config), env_allow="not-a-cidr")

    assert done.returncode == 2
    assert "PROBEOPS_PROBE_ALLOWLIST='not-a-cidr' is not valid" in done.stderr
