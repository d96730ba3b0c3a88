"""``/diagnostics``: what this platform can measure, and each one's options."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from probeops.diagnostic import Diagnostic
from probeops_store.models import Role

from probeops_webapp.access import allow

blp = Blueprint(
    "diagnostics",
    __name__,
    url_prefix="/api/v1/diagnostics",
    description="Installed diagnostics",
)


class RequirementsSchema(ma.Schema):
    raw_socket = ma.fields.Boolean()
    binaries = ma.fields.List(ma.fields.String())


class DiagnosticSchema(ma.Schema):
    name = ma.fields.String()
    version = ma.fields.String()
    summary = ma.fields.String()
    distribution = ma.fields.String()
    result_schema_version = ma.fields.Integer()
    requires = ma.fields.Nested(RequirementsSchema)
    options_schema = ma.fields.Dict(
        metadata={"description": "JSON Schema of the options object"}
    )


@blp.route("", methods=["GET"])
@allow(Role.VIEWER)
@blp.response(200, DiagnosticSchema(many=True))
def list_diagnostics():
    """List installed diagnostics with their options as JSON Schema."""
    registry = current_app.extensions["probeops_registry"]
    return [describe(d) for d in sorted(registry.diagnostics.values(), key=_name)]


def _name(diagnostic: Diagnostic) -> str:
    return diagnostic.name


def describe(diagnostic: Diagnostic) -> dict:
    """A diagnostic as the API publishes it."""
    return {
        "name": diagnostic.name,
        "version": diagnostic.version,
        "summary": diagnostic.summary,
        "distribution": diagnostic.distribution,
        "result_schema_version": diagnostic.result_schema_version,
        "requires": {
            "raw_socket": diagnostic.requires.raw_socket,
            "binaries": list(diagnostic.requires.binaries),
        },
        "options_schema": options_json_schema(diagnostic),
    }


def options_json_schema(diagnostic: Diagnostic) -> dict:
    """The diagnostic's marshmallow options schema as JSON Schema."""
    converter = current_app.extensions["probeops_api"].ma_plugin.converter
    schema = converter.schema2jsonschema(diagnostic.options_schema())
    return {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
