"""Run forms come from options schemas alone; submitted values come back typed."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import marshmallow as ma
from probeops_webapp.ui import charts, forms
from werkzeug.datastructures import MultiDict


class ProbeOptions(ma.Schema):
    count = ma.fields.Integer(
        load_default=3,
        validate=ma.validate.Range(min=1, max=10),
        metadata={"description": "probes", "flags": ["-c"]},
    )
    wait = ma.fields.Float(load_default=1.5)
    family = ma.fields.Integer(
        load_default=None, allow_none=True, validate=ma.validate.OneOf([4, 6])
    )
    mode = ma.fields.String(
        load_default="fast", validate=ma.validate.OneOf(["fast", "slow"])
    )
    verbose = ma.fields.Boolean(load_default=False)
    quiet = ma.fields.Boolean(load_default=True)
    servers = ma.fields.List(ma.fields.String(), load_default=None)
    shape = ma.fields.Dict(load_default=None)
    label = ma.fields.String(load_default=None)


def _inputs():
    return {option.name: option for option in forms.inputs_of(ProbeOptions())}


def test_each_field_type_gets_its_own_widget():
    widgets = {name: option.widget for name, option in _inputs().items()}

    assert widgets == {
        "count": "number",
        "wait": "number",
        "family": "select",
        "mode": "select",
        "verbose": "checkbox",
        "quiet": "checkbox",
        "servers": "list",
        "shape": "json",
        "label": "text",
    }


def test_ranges_choices_and_metadata_reach_the_input():
    inputs = _inputs()

    assert (inputs["count"].minimum, inputs["count"].maximum) == (1, 10)
    assert inputs["count"].step == "1" and inputs["wait"].step == "any"
    assert inputs["count"].flags == ["-c"] and inputs["count"].description == "probes"
    assert inputs["family"].choices == [("", "any"), ("4", "4"), ("6", "6")]
    assert inputs["mode"].choices == [("fast", "fast"), ("slow", "slow")]


def test_unchanged_values_are_left_out_of_the_options():
    form = MultiDict(
        [
            ("opt.count", "3"),
            ("opt.wait", "1.5"),
            ("opt.mode", "fast"),
            ("opt.verbose", "false"),
            ("opt.quiet", "false"),
            ("opt.quiet", "true"),
            ("opt.label", ""),
        ]
    )

    assert forms.read_options(forms.inputs_of(ProbeOptions()), form) == {}


def test_changed_values_come_back_as_the_field_types():
    form = MultiDict(
        [
            ("opt.count", "7"),
            ("opt.wait", "0.25"),
            ("opt.family", "6"),
            ("opt.verbose", "false"),
            ("opt.verbose", "true"),
            ("opt.quiet", "false"),
            ("opt.servers", "127.0.0.1:53, ::1"),
            ("opt.shape", '{"a": 1}'),
            ("opt.label", "night"),
        ]
    )

    assert forms.read_options(forms.inputs_of(ProbeOptions()), form) == {
        "count": 7,
        "wait": 0.25,
        "family": 6,
        "verbose": True,
        "quiet": False,
        "servers": ["127.0.0.1:53", "::1"],
        "shape": {"a": 1},
        "label": "night",
    }


def test_text_that_is_not_a_number_is_passed_on_for_the_schema_to_refuse():
    form = MultiDict([("opt.count", "many")])
    options = forms.read_options(forms.inputs_of(ProbeOptions()), form)

    assert options == {"count": "many"}
    assert "count" in ProbeOptions().validate(options)


def test_targets_may_be_separated_by_spaces_commas_or_lines():
    assert forms.split_targets("127.0.0.1, ::1\nexample.org ") == [
        "127.0.0.1",
        "::1",
        "example.org",
    ]


def _ping_run(minute: int, rtts: list[float | None]) -> SimpleNamespace:
    packets = [{"seq": n + 1, "rtt_ms": rtt} for n, rtt in enumerate(rtts)]
    lost = sum(rtt is None for rtt in rtts)
    result = {
        "target": "192.0.2.1",
        "body": {
            "packets": packets,
            "summary": {"sent": len(rtts), "loss_pct": 100.0 * lost / len(rtts)},
        },
    }
    target = SimpleNamespace(given="192.0.2.1", result=result)
    created = datetime(2026, 1, 1, 12, minute, tzinfo=UTC)
    return SimpleNamespace(id=f"m{minute}", created_at=created, targets=[target])


def test_timeline_orders_runs_in_time_and_marks_the_ones_with_loss():
    newest_first = [_ping_run(5, [1.0, None, 3.0, None]), _ping_run(1, [2.0, 4.0, 9.0])]
    chart = charts.timeline(newest_first, "192.0.2.1")
    columns = {series["label"]: series["values"] for series in chart["series"]}

    assert chart["x"] == sorted(chart["x"])
    assert columns["min ms"] == [2.0, 1.0]
    assert columns["median ms"] == [4.0, 2.0]
    assert columns["max ms"] == [9.0, 3.0]
    assert columns["loss %"] == [0.0, 50.0]


def test_ping_chart_puts_lost_packets_above_the_slowest_reply():
    result = _ping_run(0, [1.0, None, 2.0]).targets[0].result
    chart = charts.ping_chart({**result, "address": "192.0.2.1"})

    assert chart["x"] == [1, 2, 3]
    assert chart["series"][0]["values"] == [1.0, None, 2.0]
    assert chart["series"][1]["values"][1] > 2.0
    assert chart["series"][1]["values"][0] is None
