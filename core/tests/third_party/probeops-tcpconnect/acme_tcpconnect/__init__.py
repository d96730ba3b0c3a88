"""TCP connect time to one port: a diagnostic from outside ProbeOps."""

import socket
import time

from marshmallow import Schema, fields, validate

from probeops import Diagnostic, FailureSource, Outcome, Status, hookimpl


class Options(Schema):
    port = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=65535),
        metadata={"flags": ["-p", "--port"], "description": "TCP port"},
    )
    timeout = fields.Float(load_default=2.0, metadata={"description": "seconds"})


def connect(request):
    outcomes = []
    for target in request.targets:
        began = time.monotonic()
        try:
            with socket.create_connection(
                (target.address, request.options["port"]),
                timeout=request.options["timeout"],
            ):
                elapsed = (time.monotonic() - began) * 1000
            outcomes.append(Outcome(body={"connect_ms": elapsed}))
        except OSError as error:
            outcomes.append(
                Outcome(
                    body={"connect_ms": None},
                    status=Status.FAILED,
                    failure_source=FailureSource.TARGET,
                    error=str(error),
                )
            )
    return outcomes


@hookimpl
def probeops_diagnostics():
    return [
        Diagnostic(
            name="tcpconnect",
            version="0.3.0",
            summary="TCP connect time",
            options_schema=Options,
            run=connect,
        )
    ]
