"""compose.yml, the images, .env.example, deploy.sh and the CI workflow.

The compose file and the workflow are validated against their published
JSON schemas, as vendored by check-jsonschema (nothing is downloaded).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from probeops.settings import all_settings
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[3]
CHECK_JSONSCHEMA = str(Path(sys.executable).with_name("check-jsonschema"))
COMPOSE = ROOT / "compose.yml"


def _validate(schema: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _load(path: Path) -> dict:
    """YAML as check-jsonschema reads it (ruamel.yaml comes with it)."""
    return YAML(typ="safe").load(path.read_text())


def _services() -> dict:
    return _load(COMPOSE)["services"]


def test_compose_file_validates_against_the_compose_specification():
    checked = _validate("vendor.compose-spec", COMPOSE)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_compose_validation_refuses_a_misspelt_key(tmp_path):
    broken = tmp_path / "compose.yml"
    broken.write_text(COMPOSE.read_text().replace("healthcheck:", "helthcheck:", 1))

    checked = _validate("vendor.compose-spec", broken)

    assert checked.returncode == 1
    assert "helthcheck" in checked.stdout


def test_every_service_has_a_health_check_or_runs_once():
    services = _services()

    for name, service in services.items():
        check = service.get("healthcheck", {})
        if check.get("disable"):
            assert service.get("restart") == "no", f"{name} is not one-shot"
        else:
            assert check.get("test"), f"{name} has no health check"
    assert {"postgres", "redis", "migrate", "webapp", "worker", "probe", "nginx"} <= (
        set(services)
    )


def test_measuring_services_hold_net_raw_and_nothing_else():
    for name in ("worker", "probe"):
        service = _services()[name]

        assert service["cap_drop"] == ["ALL"]
        assert service["cap_add"] == ["NET_RAW"]


def test_web_app_waits_for_the_migration_and_runs_read_only():
    webapp = _services()["webapp"]

    condition = webapp["depends_on"]["migrate"]["condition"]
    assert condition == "service_completed_successfully"
    assert webapp["read_only"] is True
    assert webapp["cap_drop"] == ["ALL"]


def test_every_built_image_has_its_dockerfile_and_a_plain_user():
    for name, service in _services().items():
        if "build" not in service:
            continue
        dockerfile = ROOT / service["build"]["dockerfile"]
        text = dockerfile.read_text() if dockerfile.exists() else ""

        assert text.startswith("#") and "\nFROM " in text, f"{name}: {dockerfile}"
        if name != "nginx":  # the nginx image drops to its own user itself
            assert re.search(r"^USER probeops$", text, re.M), f"{name} runs as root"


def test_env_example_documents_every_setting_and_every_compose_variable():
    example = (ROOT / ".env.example").read_text()
    compose_names = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE.read_text()))
    setting_names = {item.name for item in all_settings()}

    missing = sorted(
        name for name in compose_names | setting_names if name not in example
    )

    assert missing == [], "add these to .env.example"


def test_workflow_validates_and_runs_the_same_script_as_ci():
    workflow = ROOT / ".github" / "workflows" / "ci.yml"
    checked = _validate("vendor.github-workflows", workflow)
    steps = _load(workflow)["jobs"]["test"]["steps"]

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert any("bash .ci/run" in step.get("run", "") for step in steps)


# -- deploy.sh -------------------------------------------------------------------


@pytest.fixture
def checkout(tmp_path):
    """deploy.sh with its files in a directory of its own, and a fake docker."""
    for name in ("deploy.sh", "compose.yml", ".env.example"):
        shutil.copy2(ROOT / name, tmp_path / name)
    fake = tmp_path / "docker"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/docker.log\n')
    fake.chmod(0o755)
    return tmp_path


def _deploy(checkout: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(checkout / "deploy.sh"), *arguments],
        env={**os.environ, "DOCKER": str(checkout / "docker")},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dry_run_prints_every_step_and_changes_nothing(checkout):
    before = sorted(path.name for path in checkout.iterdir())

    done = _deploy(checkout, "--dry-run")

    assert done.returncode == 0, done.stderr
    commands = [line for line in done.stdout.splitlines() if line.startswith("+ ")]
    assert [c.split(" compose --env-file .env ")[-1] for c in commands[-5:]] == [
        "build --pull",
        "up -d --wait postgres redis",
        "run --rm migrate",
        "up -d --wait --remove-orphans",
        "ps",
    ]
    assert "creating .env" in done.stdout
    assert sorted(path.name for path in checkout.iterdir()) == before


def test_deploy_makes_secrets_once_and_keeps_them_on_the_next_run(checkout):
    first = _deploy(checkout)
    settings = (checkout / ".env").read_text()
    second = _deploy(checkout)

    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert (checkout / ".env").read_text() == settings
    assert stat.S_IMODE((checkout / ".env").stat().st_mode) == 0o600
    assert "change-me" not in "".join(
        line for line in settings.splitlines(True) if not line.startswith("#")
    )
    password = re.search(r"^POSTGRES_PASSWORD=(\w+)$", settings, re.M).group(1)
    assert f"probeops:{password}@postgres" in settings
    assert "keeping the settings in .env" in second.stdout
    log = (checkout / "docker.log").read_text().splitlines()
    assert log[:5] == log[5:]


def test_deploy_refuses_settings_with_placeholders_naming_them(checkout):
    shutil.copy2(checkout / ".env.example", checkout / ".env")

    refused = _deploy(checkout)

    assert refused.returncode == 2
    assert "POSTGRES_PASSWORD" in refused.stderr
    assert "PROBEOPS_SECRET_KEY" in refused.stderr
    assert not (checkout / "docker.log").exists()


def test_deploy_names_the_allowed_options_for_an_unknown_one(checkout):
    refused = _deploy(checkout, "--bogus")

    assert refused.returncode == 2
    assert "'--bogus'" in refused.stderr
    assert "--dry-run" in refused.stderr
