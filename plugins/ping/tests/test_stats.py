"""Statistics as ping users read them: mdev, jitter, percentiles, loss."""

from __future__ import annotations

import math

import pytest
from probeops_ping.stats import percentile, summarize


def test_mdev_is_the_population_deviation_as_iputils_computes_it():
    rtts = [1.0, 2.0, 3.0, 4.0]
    summary = summarize(rtts, sent=4, duplicates=0, late=0, errors=0, foreign=0)
    mean = sum(rtts) / 4
    expected = math.sqrt(sum(r * r for r in rtts) / 4 - mean * mean)
    assert summary["mdev_ms"] == pytest.approx(expected, abs=0.001)
    assert (summary["min_ms"], summary["avg_ms"], summary["max_ms"]) == (1.0, 2.5, 4.0)


def test_jitter_is_the_mean_step_between_consecutive_rtts():
    summary = summarize(
        [1.0, 3.0, 2.0], sent=3, duplicates=0, late=0, errors=0, foreign=0
    )
    assert summary["jitter_ms"] == pytest.approx(1.5)


def test_percentiles_interpolate_between_ranks():
    ordered = [float(value) for value in range(1, 11)]
    assert percentile(ordered, 50) == pytest.approx(5.5)
    assert percentile(ordered, 95) == pytest.approx(9.55)
    assert percentile([7.0], 95) == 7.0


def test_loss_counts_duplicates_and_errors_as_they_should():
    summary = summarize([1.0, 1.0], sent=4, duplicates=3, late=1, errors=1, foreign=0)
    assert summary["loss_pct"] == 50.0
    assert (summary["received"], summary["duplicates"], summary["errors"]) == (2, 3, 1)


def test_no_reply_leaves_the_statistics_empty():
    summary = summarize([], sent=3, duplicates=0, late=0, errors=0, foreign=0)
    assert summary["loss_pct"] == 100.0
    assert summary["min_ms"] is None and summary["p95_ms"] is None


def test_loss_is_undefined_when_nothing_was_sent():
    summary = summarize([], sent=0, duplicates=0, late=0, errors=0, foreign=0)
    assert summary["loss_pct"] is None
