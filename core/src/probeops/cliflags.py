"""Command-line flags generated from a diagnostic's options schema.

A field becomes ``--field-name`` unless its metadata names ``flags``; a
field whose metadata has ``switches`` (flag -> value) also gets those
constant switches, as ping's ``-4``/``-6``. Values are parsed by argparse
only for their type; ranges are the schema's to check, so the CLI and the API
give the same messages.
"""

from __future__ import annotations

import argparse
from typing import Any

import marshmallow
from marshmallow import fields, validate

_TYPES: dict[type[fields.Field], type] = {
    fields.Integer: int,
    fields.Float: float,
    fields.String: str,
}


def add_option_flags(
    parser: argparse.ArgumentParser, schema: type[marshmallow.Schema]
) -> None:
    """Add one flag (or switch set) per field of ``schema`` to ``parser``."""
    for name, field in schema().fields.items():
        if field.dump_only or field.metadata.get("cli") is False:
            continue
        _add_field(parser, name, field)
    # Switches such as -4 and -6 make argparse read every negative number as
    # an option, so `-c -1` would fail with "expected one argument" instead
    # of the schema's range message. Registered switches still match first.
    parser._has_negative_number_optionals.clear()


def collect_options(arguments: argparse.Namespace, schema: type[marshmallow.Schema]):
    """Return the options the user gave, as raw values for the schema."""
    given: dict[str, Any] = {}
    for name in schema().fields:
        if hasattr(arguments, _dest(name)):
            given[name] = getattr(arguments, _dest(name))
    return given


def _dest(name: str) -> str:
    return f"option__{name}"


def _add_field(parser: argparse.ArgumentParser, name: str, field: fields.Field) -> None:
    flags = field.metadata.get("flags") or [f"--{name.replace('_', '-')}"]
    help_text = _help(field)
    common: dict[str, Any] = {"dest": _dest(name), "default": argparse.SUPPRESS}
    switches = field.metadata.get("switches") or {}
    for switch, value in switches.items():
        parser.add_argument(
            switch,
            action="store_const",
            const=value,
            help=f"{name} = {value}",
            **common,
        )
    if isinstance(field, fields.Boolean):
        parser.add_argument(
            *flags, action=argparse.BooleanOptionalAction, help=help_text, **common
        )
        return
    if isinstance(field, fields.List):
        parser.add_argument(
            *flags,
            action="append",
            type=_scalar_type(field.inner),
            help=help_text,
            metavar=_metavar(name, field.inner),
            **common,
        )
        return
    if field.metadata.get("switches_only"):
        return
    parser.add_argument(
        *flags,
        type=_scalar_type(field),
        help=help_text,
        metavar=_metavar(name, field),
        **common,
    )


def _scalar_type(field: fields.Field) -> type:
    for kind, python_type in _TYPES.items():
        if isinstance(field, kind):
            return python_type
    return str


def _metavar(name: str, field: fields.Field) -> str:
    choices = _choices(field)
    if choices:
        return "{" + ",".join(str(choice) for choice in choices) + "}"
    return field.metadata.get("metavar") or name.upper()


def _choices(field: fields.Field) -> list[Any]:
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            return list(validator.choices)
    return []


def _help(field: fields.Field) -> str:
    text = field.metadata.get("description", "")
    default = field.load_default
    if default is not marshmallow.missing and default is not None:
        text = f"{text} (default {default})" if text else f"default {default}"
    return text.replace("%", "%%")
