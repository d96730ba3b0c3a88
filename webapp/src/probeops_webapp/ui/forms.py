"""Run forms generated from a diagnostic's marshmallow options schema.

Each schema field becomes one input: its type picks the widget, its range
and choice validators become the input's limits and options, its metadata
gives the label's help text and the command-line flags. A plugin the UI has
never heard of gets a working form this way. Values left as they were come
back as nothing, so the stored options hold only what the user changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from werkzeug.datastructures import MultiDict

PREFIX = "opt."
"""Form names of option inputs, apart from the run's own fields."""


@dataclass
class OptionInput:
    """One option of a diagnostic as an HTML input."""

    name: str
    widget: str
    """number, checkbox, select, list, text or json."""

    description: str = ""
    flags: list[str] = field(default_factory=list)
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    step: str = "any"
    choices: list[tuple[str, str]] = field(default_factory=list)
    required: bool = False
    number: str | None = None
    """``int`` or ``float`` when the field holds a number."""

    @property
    def form_name(self) -> str:
        return PREFIX + self.name

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    def shown(self, value: Any = None) -> str:
        """The text in the input: what was sent, else the default."""
        if value is not None:
            return str(value)
        return _text(self.default)


def inputs_of(schema: ma.Schema) -> list[OptionInput]:
    """The inputs of every field of ``schema``, in declaration order."""
    return [input_of(name, schema_field) for name, schema_field in _fields(schema)]


def _fields(schema: ma.Schema):
    return [(name, f) for name, f in schema.fields.items() if not f.dump_only]


def input_of(name: str, schema_field: ma.fields.Field) -> OptionInput:
    """The input for one schema field."""
    metadata = schema_field.metadata
    option = OptionInput(
        name=name,
        widget=_widget(schema_field),
        description=metadata.get("description", ""),
        flags=list(metadata.get("flags", [])) + list(metadata.get("switches", {})),
        default=_default(schema_field),
        required=schema_field.required,
    )
    _apply_validators(option, schema_field)
    if isinstance(schema_field, ma.fields.Number):
        option.number = (
            "int" if isinstance(schema_field, ma.fields.Integer) else "float"
        )
        option.step = "1" if option.number == "int" else "any"
    return option


def _widget(schema_field: ma.fields.Field) -> str:
    if _choices_of(schema_field):
        return "select"
    if isinstance(schema_field, ma.fields.Boolean):
        return "checkbox"
    if isinstance(schema_field, ma.fields.Number):
        return "number"
    if isinstance(schema_field, ma.fields.List) and _is_scalar(schema_field.inner):
        return "list"
    if isinstance(schema_field, (ma.fields.String, ma.fields.Email)):
        return "text"
    return "json"


def _is_scalar(inner: ma.fields.Field) -> bool:
    return isinstance(inner, (ma.fields.String, ma.fields.Number))


def _default(schema_field: ma.fields.Field) -> Any:
    default = schema_field.load_default
    if default is ma.missing:
        return None
    return default() if callable(default) else default


def _validators(schema_field: ma.fields.Field) -> list:
    return list(getattr(schema_field, "validators", []))


def _choices_of(schema_field: ma.fields.Field) -> list:
    for validator in _validators(schema_field):
        if isinstance(validator, ma.validate.OneOf):
            return list(validator.choices)
    return []


def _apply_validators(option: OptionInput, schema_field: ma.fields.Field) -> None:
    for validator in _validators(schema_field):
        if isinstance(validator, ma.validate.Range):
            option.minimum, option.maximum = validator.min, validator.max
    choices = [(_text(choice), _text(choice)) for choice in _choices_of(schema_field)]
    if choices and (schema_field.allow_none or option.default is None):
        choices.insert(0, ("", "any"))
    option.choices = choices


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def read_options(inputs: list[OptionInput], form: MultiDict) -> dict[str, Any]:
    """The options a submitted form asks for, leaving out unchanged ones.

    Values are converted to the field's type where that is plain (numbers,
    lists, booleans); anything else is passed as typed, for the diagnostic's
    own schema to accept or to refuse by name.
    """
    options: dict[str, Any] = {}
    for option in inputs:
        sent = form.getlist(option.form_name)
        if not sent:
            continue
        value = _value(option, sent[-1].strip())
        if value is not _UNCHANGED:
            options[option.name] = value
    return options


_UNCHANGED = object()


def _value(option: OptionInput, text: str) -> Any:
    if option.widget == "checkbox":
        value = text in ("true", "on", "1")
        return _UNCHANGED if value == bool(option.default) else value
    if text == _text(option.default):
        return _UNCHANGED
    if text == "":
        return None
    return _typed(option, text)


def _typed(option: OptionInput, text: str) -> Any:
    if option.widget == "list":
        return [item for item in text.replace(",", " ").split() if item]
    if option.widget == "json":
        try:
            return json.loads(text)
        except ValueError:
            return text
    if option.number is not None:
        return _number(text, int if option.number == "int" else float)
    return text


def _number(text: str, kind: type) -> Any:
    try:
        return kind(text)
    except ValueError:
        return text


def split_targets(text: str) -> list[str]:
    """The targets typed into one box, separated by spaces, commas or lines."""
    return [target for target in text.replace(",", " ").split() if target]
