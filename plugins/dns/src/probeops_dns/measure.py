"""Measuring one query name: ask, then trace and validate when wanted."""

from __future__ import annotations

from typing import Any

from probeops.diagnostic import Outcome
from probeops.resolver import NameServer
from probeops.targets import Target

from probeops_dns.message import Question
from probeops_dns.outcome import to_outcome
from probeops_dns.query import ask


def measure_target(
    target: Target,
    options: dict[str, Any],
    servers: list[NameServer],
    deadline: float,
) -> Outcome:
    """The outcome for one target, whose name is the question."""
    question = Question.from_target(target.host, target.is_literal, options)
    if options["trace"]:
        from probeops_dns.trace import trace

        return trace(question, options, deadline)
    if options["dnssec"]:
        # Ask for the data even when a validating resolver finds it bogus,
        # so that the verdict is ours and the evidence is kept.
        options = {**options, "checking_disabled": True}
    asked = ask(question, servers, options, deadline)
    outcome = to_outcome(asked, question)
    if options["dnssec"]:
        from probeops_dns.validate import validate_outcome

        validate_outcome(outcome, asked, question, servers, options, deadline)
    return outcome
