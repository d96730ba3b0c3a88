"""The ``probeops`` command line.

Exit codes: 0 every target answered, 1 some did not, 2 bad usage or input,
3 the host cannot measure (privileges, missing tools, broken plugins).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from probeops import engine
from probeops.cliflags import add_option_flags, collect_options
from probeops.diagnostic import Diagnostic
from probeops.errors import BadInput, ProbeOpsError
from probeops.plugins import Registry, get_registry
from probeops.result import Result

EXIT_OK, EXIT_UNANSWERED, EXIT_USAGE, EXIT_CANNOT_MEASURE = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a killed writer
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    try:
        registry = get_registry()
        parser = build_parser(registry)
        arguments = parser.parse_args(argv)
        _configure_logging(arguments.verbose)
        code = arguments.handler(arguments)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except BadInput as error:
        print(f"probeops: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ProbeOpsError as error:
        print(f"probeops: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        if error.errno not in _OUTPUT_ERRORS:
            raise
        print(f"probeops: cannot write the output: {error.strerror}", file=sys.stderr)
        return EXIT_CANNOT_MEASURE


def build_parser(registry: Registry) -> argparse.ArgumentParser:
    """Build the parser: core commands, generated run flags, plugin commands."""
    parser = argparse.ArgumentParser(
        prog="probeops", description="Measure networks: ping, trace, resolve."
    )
    parser.add_argument("-v", "--verbose", action="count", default=0)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_diagnostics_command(commands, registry)
    _add_run_command(commands, registry)
    _add_lab_command(commands)
    _add_settings_command(commands)
    registry.hook.probeops_cli_commands(subparsers=commands)
    return parser


def _add_diagnostics_command(commands, registry: Registry) -> None:
    listing = commands.add_parser("diagnostics", help="list installed diagnostics")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=lambda arguments: _list(registry, arguments.json))


def _add_run_command(commands, registry: Registry) -> None:
    run = commands.add_parser("run", help="run a diagnostic against targets")
    diagnostics = run.add_subparsers(dest="diagnostic", required=True, metavar="NAME")
    for diagnostic in sorted(registry.diagnostics.values(), key=lambda d: d.name):
        sub = diagnostics.add_parser(diagnostic.name, help=diagnostic.summary)
        sub.add_argument("targets", nargs="*", metavar="TARGET")
        sub.add_argument(
            "--targets-file", metavar="FILE", help="read more targets, one a line"
        )
        sub.add_argument("--json", action="store_true", help="print result JSON")
        add_option_flags(sub, diagnostic.options_schema)
        sub.set_defaults(
            handler=lambda arguments, d=diagnostic: _run(registry, d, arguments)
        )


def _add_settings_command(commands) -> None:
    settings = commands.add_parser("settings", help="list PROBEOPS_* settings")
    settings.add_argument("--markdown", action="store_true", help="print the docs page")
    settings.set_defaults(handler=_settings)


def _settings(arguments) -> int:
    from probeops.settings import all_settings, settings_markdown

    if arguments.markdown:
        print(settings_markdown(), end="")
        return EXIT_OK
    for item in all_settings():
        print(
            f"{item.name}={item.default}\n    {item.help}\n    allowed: {item.allowed}"
        )
    return EXIT_OK


def _add_lab_command(commands) -> None:
    from probeops.lab.cli import add_lab_command

    add_lab_command(commands)


def _list(registry: Registry, as_json: bool) -> int:
    rows = [
        {
            "name": d.name,
            "version": d.version,
            "distribution": d.distribution,
            "summary": d.summary,
        }
        for d in sorted(registry.diagnostics.values(), key=lambda d: d.name)
    ]
    if as_json:
        broken = [vars(failure) for failure in registry.failures]
        print(json.dumps({"diagnostics": rows, "failed_plugins": broken}, indent=2))
        return EXIT_OK
    for row in rows:
        print(
            f"{row['name']:<14}{row['version']:<10}{row['distribution']:<24}"
            f"{row['summary']}"
        )
    for failure in registry.failures:
        print(
            f"! {failure.distribution} ({failure.entry_point}) failed to load: "
            f"{failure.error}",
            file=sys.stderr,
        )
    return EXIT_OK


def _run(registry: Registry, diagnostic: Diagnostic, arguments) -> int:
    targets = [*arguments.targets, *_read_targets_file(arguments.targets_file)]
    if not targets:
        raise BadInput("give at least one TARGET or --targets-file FILE")
    options = collect_options(arguments, diagnostic.options_schema)
    progress = _progress_writer(diagnostic, arguments.json)
    try:
        results = engine.measure(registry, diagnostic.name, targets, options, progress)
    finally:
        if progress is not None:
            sys.stderr.write("\r\033[K")
    _print_results(diagnostic, results, arguments.json)
    return EXIT_OK if all(r.answered for r in results) else EXIT_UNANSWERED


def _read_targets_file(path: str | None) -> list[str]:
    if path is None:
        return []
    try:
        with open(path, encoding="utf-8-sig") as handle:
            lines = [line.strip() for line in handle]
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"cannot read --targets-file {path!r}: {error}") from None
    return [line for line in lines if line and not line.startswith("#")]


def _progress_writer(diagnostic: Diagnostic, as_json: bool):
    if diagnostic.render_progress is None or not sys.stderr.isatty():
        return None

    def write(event: Any) -> None:
        line = diagnostic.render_progress(event)
        if line is not None:
            sys.stderr.write("\r\033[K" + line)
            sys.stderr.flush()

    return write


def _print_results(
    diagnostic: Diagnostic, results: list[Result], as_json: bool
) -> None:
    if as_json or diagnostic.render is None:
        # One compact document a line: jq-friendly, and the C encoder keeps
        # sweeps of thousands of targets fast.
        lines = ",\n".join(json.dumps(result.to_json()) for result in results)
        print(f"[\n{lines}\n]")
    else:
        print(diagnostic.render(results))


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * min(verbosity, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
