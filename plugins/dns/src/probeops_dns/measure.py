"""Measuring query names: ask, then trace and validate when wanted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from probeops.diagnostic import Outcome
from probeops.resolver import NameServer
from probeops.targets import Target

from probeops_dns.message import Question
from probeops_dns.outcome import to_outcome
from probeops_dns.query import Asked
from probeops_dns.servers import Servers


def measure_all(
    targets: Sequence[Target],
    options: dict[str, Any],
    servers: list[NameServer],
    deadline: float,
) -> list[Outcome]:
    """One outcome per target, in order; many plain questions fly at once."""
    questions = [
        Question.from_target(target.host, target.is_literal, options)
        for target in targets
    ]
    if options["trace"] or options["dnssec"]:
        return [measure_one(q, options, servers, deadline) for q in questions]
    from probeops_dns.batch import ask_many

    asked = ask_many(questions, servers, options, deadline)
    return [to_outcome(a, q) for a, q in zip(asked, questions, strict=True)]


def measure_one(
    question: Question,
    options: dict[str, Any],
    servers: list[NameServer],
    deadline: float,
) -> Outcome:
    """The outcome for one question, traced or validated as asked."""
    if options["trace"]:
        from probeops_dns.trace import trace

        return trace(question, options, deadline)
    from probeops_dns.query import ask
    from probeops_dns.validate import validate_outcome

    # Ask for the data even when a validating resolver finds it bogus, so
    # that the verdict is ours and the evidence is kept.
    options = {**options, "checking_disabled": True}
    asked = ask(question, servers, options, deadline)
    outcome = to_outcome(asked, question)
    validate_outcome(outcome, asked, question, servers, options, deadline)
    return outcome


def unresolved_server(
    target: Target, options: dict[str, Any], servers: Servers
) -> Outcome:
    """The outcome when no ``--server`` name had an address: nothing was sent."""
    question = Question.from_target(target.host, target.is_literal, options)
    nobody = NameServer("", options["port"])
    detail = "; ".join(servers.unresolved)
    asked = Asked(nobody, failure="unresolved_server", detail=detail)
    outcome = to_outcome(asked, question)
    outcome.body["server"] = None
    return outcome
