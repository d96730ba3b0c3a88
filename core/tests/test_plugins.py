"""Plugins arrive through entry points, and a broken one harms nobody else."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from probeops.errors import DuplicateDiagnostic, UnknownDiagnostic
from probeops.plugins import load_registry
from probeops.settings import InvalidSetting

DIAGNOSTIC_MODULE = """
import marshmallow
from probeops import Diagnostic, Outcome, hookimpl


class Options(marshmallow.Schema):
    pass


def run(request):
    return [Outcome(body={{"seen": t.address}}) for t in request.targets]


@hookimpl
def probeops_diagnostics():
    return [Diagnostic(name="{diagnostic}", version="1.0", summary="test",
                       options_schema=Options, run=run)]
"""


def install(root: Path, distribution: str, module: str, source: str) -> None:
    """Write ``module`` and a dist-info naming it in the ``probeops`` group."""
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{distribution.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(f"[probeops]\n{module} = {module}\n")


def install_diagnostic(root: Path, distribution: str, module: str, name: str) -> None:
    install(root, distribution, module, DIAGNOSTIC_MODULE.format(diagnostic=name))


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_a_third_party_diagnostic_is_found_and_attributed(site, monkeypatch):
    install_diagnostic(site, "acme-probes", "acme_plugin", "acme")
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme-probes")
    registry = load_registry()
    assert registry.diagnostic("acme").distribution == "acme-probes"


def test_two_plugins_claiming_one_name_stop_start_up_naming_both(site, monkeypatch):
    install_diagnostic(site, "acme-one", "acme_one", "twin")
    install_diagnostic(site, "acme-two", "acme_two", "twin")
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme-one,acme-two")
    with pytest.raises(DuplicateDiagnostic) as raised:
        load_registry()
    assert "acme-one" in str(raised.value) and "acme-two" in str(raised.value)


def test_a_plugin_that_fails_to_import_is_reported_and_skipped(site, monkeypatch):
    install(site, "acme-broken", "acme_broken", "raise ImportError('no libfoo')\n")
    install_diagnostic(site, "acme-fine", "acme_fine", "fine")
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme-broken,acme-fine")
    registry = load_registry()
    assert registry.diagnostic("fine")
    [failure] = registry.failures
    assert failure.distribution == "acme-broken"
    assert "no libfoo" in failure.error


def test_a_hook_with_a_misspelt_argument_is_refused_at_load(site, monkeypatch):
    source = (
        "from probeops import hookimpl\n"
        "@hookimpl\n"
        "def probeops_check_target(target, diagnostc):\n"
        "    pass\n"
    )
    install(site, "acme-typo", "acme_typo", source)
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme-typo")
    with pytest.raises(Exception, match="diagnostc"):
        load_registry()


def test_the_plugin_variable_restricts_which_distributions_load(site, monkeypatch):
    install_diagnostic(site, "acme-wanted", "acme_wanted", "wanted")
    install_diagnostic(site, "acme-unwanted", "acme_unwanted", "unwanted")
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme_wanted")
    registry = load_registry()
    assert set(registry.diagnostics) == {"wanted"}
    with pytest.raises(UnknownDiagnostic, match="installed: wanted"):
        registry.diagnostic("unwanted")


def test_tracing_writes_each_hook_call_to_stderr(site, monkeypatch, capsys):
    install_diagnostic(site, "acme-traced", "acme_traced", "traced")
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme-traced")
    monkeypatch.setenv("PROBEOPS_TRACE_HOOKS", "1")
    registry = load_registry()
    registry.hook.probeops_result_ready(result=None)
    assert "probeops_result_ready" in capsys.readouterr().err


def test_a_bad_setting_names_the_variable_and_the_allowed_values(monkeypatch):
    monkeypatch.setenv("PROBEOPS_TRACE_HOOKS", "sometimes")
    with pytest.raises(InvalidSetting) as raised:
        load_registry()
    assert "PROBEOPS_TRACE_HOOKS='sometimes'" in str(raised.value)
    assert "1/true/yes/on or 0/false/no/off" in str(raised.value)


def test_a_plugin_name_that_nothing_provides_is_refused_by_name(site, monkeypatch):
    install_diagnostic(site, "acme-real", "acme_real", "real")
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme-real,acme-typo")
    with pytest.raises(InvalidSetting, match="names acme-typo, which no installed"):
        load_registry()


def test_star_cannot_be_combined_with_names(monkeypatch):
    monkeypatch.setenv("PROBEOPS_PLUGINS", "*,probeops-ping")
    with pytest.raises(InvalidSetting, match="'\\*' cannot be combined"):
        load_registry()


def test_a_plugin_that_exits_at_import_is_reported_not_obeyed(site, monkeypatch):
    install(site, "acme-exit", "acme_exit", "import sys\nsys.exit(5)\n")
    install_diagnostic(site, "acme-fine", "acme_fine2", "fine2")
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme-exit,acme-fine")
    registry = load_registry()
    assert registry.diagnostic("fine2")
    assert [f.distribution for f in registry.failures] == ["acme-exit"]


def test_a_plugin_declaring_junk_is_skipped_and_reported(site, monkeypatch):
    source = (
        "from probeops import hookimpl\n"
        "@hookimpl\n"
        "def probeops_diagnostics():\n"
        "    return ['not a diagnostic']\n"
    )
    install(site, "acme-junk", "acme_junk", source)
    install_diagnostic(site, "acme-fine", "acme_fine3", "fine3")
    monkeypatch.setenv("PROBEOPS_PLUGINS", "acme-junk,acme-fine")
    registry = load_registry()
    assert set(registry.diagnostics) == {"fine3"}
    [failure] = registry.failures
    assert "must return a list of probeops.Diagnostic" in failure.error
