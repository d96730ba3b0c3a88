"""The outbox keeps results until delivered, bounded, counting drops."""

import time

from probeops_probe.outbox import Bounds, Outbox


def _records(*ids, size=10):
    return [{"id": i, "job_id": None, "pad": "x" * size} for i in ids]


def test_committed_results_survive_reopening_until_delivered(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3")
    outbox.commit(_records("a", "b", "c"), job_id="job1")
    outbox.close()

    reopened = Outbox(tmp_path / "o.sqlite3")
    pending = [r["id"] for r in reopened.pending(10)]
    reopened.delivered(["a", "b"])

    assert pending == ["a", "b", "c"]
    assert [r["id"] for r in reopened.pending(10)] == ["c"]
    assert reopened.job_done("job1") and not reopened.job_done("job2")
    assert reopened.stats() == {
        "pending": 1,
        "committed": 3,
        "sent": 2,
        "rejected": 0,
        "dropped_rows": 0,
        "dropped_bytes": 0,
        "dropped_age": 0,
    }


def test_the_same_id_is_kept_once(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3")

    outbox.commit(_records("a"))
    outbox.commit(_records("a", "b"))

    assert outbox.stats()["pending"] == 2
    assert outbox.stats()["committed"] == 2


def test_past_the_row_bound_the_oldest_are_dropped_and_counted(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", Bounds(rows=3))

    outbox.commit(_records("a", "b", "c", "d", "e"))

    assert [r["id"] for r in outbox.pending(10)] == ["c", "d", "e"]
    assert outbox.stats()["dropped_rows"] == 2


def test_past_the_byte_bound_the_oldest_are_dropped_and_counted(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", Bounds(bytes=250))

    outbox.commit(_records("a", "b", "c", size=100))

    assert [r["id"] for r in outbox.pending(10)] == ["c"]
    assert outbox.stats()["dropped_bytes"] == 2


def test_results_older_than_the_age_bound_are_dropped_and_counted(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", Bounds(age_s=0.2))
    outbox.commit(_records("old"))
    time.sleep(0.3)

    outbox.commit(_records("new"))

    assert [r["id"] for r in outbox.pending(10)] == ["new"]
    assert outbox.stats()["dropped_age"] == 1


def test_the_outbox_file_is_in_wal_mode(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3")

    assert outbox.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
