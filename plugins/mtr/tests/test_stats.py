"""Per-hop MTR statistics from hand-made hops."""

from __future__ import annotations

import pytest
from probeops.hops import SILENCE, Hop, ProbeReply, ReplyKind
from probeops_mtr.stats import RATE_LIMIT_NOTE, path_statistics


def reply(address: str, rtt_ms: float) -> ProbeReply:
    return ProbeReply(ReplyKind.TIME_EXCEEDED, address, rtt_ms)


def test_rtt_figures_and_jitter_follow_mtr():
    hop = Hop(
        1,
        [
            reply("192.0.2.1", 1.0),
            reply("192.0.2.1", 3.0),
            SILENCE,
            reply("192.0.2.1", 2.0),
        ],
    )

    [row] = path_statistics([hop])

    assert (row["sent"], row["received"], row["loss_percent"]) == (4, 3, 25.0)
    assert (row["last_ms"], row["best_ms"], row["worst_ms"]) == (2.0, 1.0, 3.0)
    assert row["avg_ms"] == 2.0
    assert row["stdev_ms"] == pytest.approx(0.816, abs=0.001)
    assert row["jitter_ms"] == 1.5


def test_loss_that_stops_at_later_hops_is_noted_as_rate_limiting():
    lossy = Hop(2, [reply("192.0.2.2", 1.0), SILENCE, SILENCE, SILENCE])
    clean = [Hop(n, [reply(f"192.0.2.{n}", 1.0)] * 4) for n in (1, 3)]

    rows = path_statistics([clean[0], lossy, clean[1]])

    assert [row["rate_limited"] for row in rows] == [False, True, False]
    assert rows[1]["notes"] == [RATE_LIMIT_NOTE]


def test_loss_that_carries_on_to_the_destination_is_not_noted():
    lossy = [Hop(n, [reply(f"192.0.2.{n}", 1.0), SILENCE]) for n in (1, 2, 3)]

    rows = path_statistics(lossy)

    assert not any(row["rate_limited"] or row["notes"] for row in rows)


def test_responder_change_is_recorded_with_its_cycle_and_both_counted():
    hop = Hop(
        2,
        [
            reply("192.0.2.7", 1.0),
            SILENCE,
            reply("192.0.2.8", 1.0),
            reply("192.0.2.7", 1.0),
        ],
    )

    [row] = path_statistics([hop])

    assert row["responders"] == [
        {"address": "192.0.2.7", "replies": 2},
        {"address": "192.0.2.8", "replies": 1},
    ]
    assert row["responder_changes"] == [
        {"cycle": 2, "from": "192.0.2.7", "to": "192.0.2.8"},
        {"cycle": 3, "from": "192.0.2.8", "to": "192.0.2.7"},
    ]
