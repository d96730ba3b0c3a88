"""``probeops-probe``: enrol, work for the platform, or run local checks."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from probeops.errors import ProbeOpsError
from probeops.plugins import get_registry

from probeops_probe import __version__, api, identity
from probeops_probe.agent import Agent, Pace
from probeops_probe.local import load_config, run_local
from probeops_probe.outbox import Outbox

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    args = _parser().parse_args(argv)
    try:
        return args.command(args)
    except ProbeOpsError as error:
        print(f"probeops-probe: {error}", file=sys.stderr)
        return getattr(error, "exit_code", 3)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="probeops-probe")
    commands = parser.add_subparsers(required=True)

    enrol = commands.add_parser("enrol", help="trade an enrolment token")
    enrol.add_argument("--api", required=True, help="e.g. https://probeops.example")
    enrol.add_argument("--token", required=True, help="the poe_... token")
    enrol.add_argument("--name", required=True)
    enrol.add_argument("--tag", action="append", default=[], dest="tags")
    enrol.add_argument("--state", type=Path, required=True)
    enrol.add_argument("--country", help="where the probe is, e.g. NL")
    enrol.add_argument("--city")
    enrol.add_argument("--asn", type=int, help="the network it measures from")
    enrol.set_defaults(command=enrol_probe)

    work = commands.add_parser("agent", help="work for the platform")
    work.add_argument("--state", type=Path, required=True)
    work.add_argument("--heartbeat", type=_seconds, default=30.0)
    work.add_argument("--poll", type=_seconds, default=5.0)
    work.add_argument("--batch", type=_batch, default=500)
    work.add_argument(
        "--health",
        type=_listen,
        metavar="HOST:PORT",
        help="answer GET /healthz there (off by default; the agent opens no port "
        "for its work)",
    )
    work.set_defaults(command=run_agent)

    local = commands.add_parser("run", help="run checks from a local file")
    local.add_argument("--config", type=Path, required=True)
    local.add_argument("--output", type=Path, help="JSON lines file (stdout)")
    local.add_argument("--rounds", type=int, help="run each check this often")
    local.set_defaults(command=run_config)
    return parser


def _seconds(text: str) -> float:
    return _within(float, text, 0.05, 3600, "seconds")


def _batch(text: str) -> int:
    return _within(int, text, 1, 1000, "results")


def _within(kind, text: str, low, high, unit: str):
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"must be {unit} between {low} and {high}, got {text}"
        )
    return value


def enrol_probe(args: argparse.Namespace) -> int:
    """Enrol with the platform and keep the credential in the state dir."""
    args.state.mkdir(parents=True, exist_ok=True)
    body = {
        "name": args.name,
        "tags": args.tags,
        "version": __version__,
        "diagnostics": sorted(get_registry().diagnostics),
        "capabilities": identity.capabilities(),
        "location": _location(args),
    }
    answer = api.call(args.api, "POST", "/api/v1/agent/enrol", args.token, body)
    _forget_former_jobs(args.state)
    described = {name: body[name] for name in ("name", "tags", "location")}
    identity.save_json(
        args.state / identity.CREDENTIAL,
        {"api": args.api, **answer, "described": described},
    )
    print(answer["probe_id"])
    return 0


def _location(args: argparse.Namespace) -> dict:
    given = {"country": args.country, "city": args.city, "asn": args.asn}
    return {name: value for name, value in given.items() if value is not None}


def _forget_former_jobs(state: Path) -> None:
    """Results of a former identity's jobs can never be accepted."""
    if (state / identity.CREDENTIAL).exists():
        outbox = Outbox(state / "outbox.sqlite3")
        outbox.discard_jobs()
        outbox.close()


def run_agent(args: argparse.Namespace) -> int:
    pace = Pace(heartbeat=args.heartbeat, poll=args.poll, batch=args.batch)
    agent = Agent(args.state, get_registry(), pace)
    if args.health is not None:
        from probeops.health import HealthServer

        server = HealthServer(args.health, agent.health_checks()).start()
        print(f"probeops-probe: health on port {server.port}", flush=True)
    agent.run(_stop_on_signals())
    return 0


def _listen(text: str) -> tuple[str, int]:
    from probeops.health import parse_listen

    try:
        listen = parse_listen(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None
    if listen is None:
        raise argparse.ArgumentTypeError("leave --health out to keep it off")
    return listen


def run_config(args: argparse.Namespace) -> int:
    found = load_config(args.config)
    output = open(args.output, "a") if args.output else sys.stdout
    try:
        run_local(get_registry(), found, output, _stop_on_signals(), args.rounds)
    finally:
        if args.output:
            output.close()
    return 0


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so the work in hand finishes."""
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    return stop


if __name__ == "__main__":
    sys.exit(main())
