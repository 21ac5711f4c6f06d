"""The third independent acceptance corpus, run through `baocao poll` with its own units file.

Maps each truth to its `v_messages` row by the sha256 of the raw bytes, prints the scores and
every miss (with the software's own `status_why`, `unit_how`, `period_how`), asserts the hard
invariants, and asserts the issue's thresholds.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

import scheduler
from store.config import load
from tests.conftest import write_config
from tests.corpus3 import make_corpus

NOW = "2025-01-20T08:00"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Build the corpus once, poll once, return (built, rows by sha, exit code, maildir before/after)."""
    folder = tmp_path_factory.mktemp("corpus3")
    built = make_corpus.build_all()
    paths = make_corpus.write_maildir(folder / "maildir", built)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    config = write_config(folder, units_csv=make_corpus.UNITS_CSV.read_text(encoding="utf-8"))
    code = scheduler.main(["--config", str(config), "--now", NOW, "poll"])
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (folder / "maildir").rglob("*") if p.is_file()}
    conn = sqlite3.connect(load(config).store_path)
    conn.row_factory = sqlite3.Row
    rows = {Path(r["raw_path"]).stem: dict(r) for r in conn.execute("SELECT * FROM v_messages")}
    total = conn.execute("SELECT COUNT(*) FROM v_messages").fetchone()[0]
    conn.close()
    return built, rows, code, before, after, total


def _score(built, rows):
    """Per measure: (right, total, misses)."""
    measures = {m: [0, 0, []] for m in ("present", "status", "unit", "period", "sender_known")}

    def tally(name, ok, item, want, got):
        measures[name][1] += 1
        if ok:
            measures[name][0] += 1
        else:
            measures[name][2].append((item, want, got))

    for item in built:
        row = rows.get(item.sha)
        tally("present", row is not None, item, "present", None)
        if row is None:
            continue
        tally("status", row["status"] == item.status, item, item.status, row["status"])
        if item.status == "report":
            tally("unit", row["unit_code"] == item.unit, item, item.unit, row["unit_code"])
            tally("period", row["period"] == item.period, item, item.period, row["period"])
        if item.status in ("report", "incident"):
            tally("sender_known", row["sender_known"] == item.known, item, item.known, row["sender_known"])
    return measures


def _print(measures, rows):
    for name, (right, total, misses) in measures.items():
        print(f"\n{name}: {right}/{total} = {100 * right / max(total, 1):.1f} %")
        for item, want, got in misses:
            row = rows.get(item.sha, {})
            print(f"  MISS [{item.trap}] {item.subject!r}: expected {want!r} got {got!r}"
                  f" | why={row.get('status_why')!r} unit_how={row.get('unit_how')!r}"
                  f" period_how={row.get('period_how')!r}")


def test_invariants(run):
    built, rows, code, before, after, total = run
    assert code in (0, 1)
    assert before == after, "the Maildir must be left byte-for-byte unchanged"
    missing = [b.trap for b in built if b.sha not in rows]
    assert not missing, missing
    assert total == len({b.sha for b in built}), "a byte-identical copy must be one message"
    assert len(built) >= 110


def test_thresholds(run):
    built, rows, *_ = run
    measures = _score(built, rows)
    _print(measures, rows)
    pct = {name: right / max(total, 1) for name, (right, total, _) in measures.items()}
    assert pct["status"] >= 0.95 and pct["unit"] >= 0.97 and pct["period"] >= 0.97 and pct["sender_known"] >= 0.95
