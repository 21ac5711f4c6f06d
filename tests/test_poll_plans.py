"""A poll that finds nothing new must cost the same over ten thousand mails as over a dozen: every
question it asks the store is answered through an index, never by reading a table that grows
with the mail. Checked on the query plans SQLite gives, not on a clock."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import store.db
from scheduler import main
from tests.conftest import ROOT, write_config

# Tables the configuration sizes, or a row per folder: read whole, they cost the same at any mail count.
SIZED_BY_CONFIG = ("meta", "units", "periods", "extensions", "unit_senders", "source_state", "fetch_refusals")


def partial_indexes(conn: sqlite3.Connection) -> set[str]:
    return {name for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            if sql and " WHERE " in sql.upper()}


def full_reads(conn: sqlite3.Connection, statement: str, bounded: set[str]) -> list[str]:
    """The plan steps of `statement` that read a table whole (a scan not bounded by a partial
    index), except the tables the configuration sizes. A table under an alias counts as growing."""
    bad = []
    for *_, step in conn.execute("EXPLAIN QUERY PLAN " + statement):
        words = step.split()
        if words[0] == "SCAN" and len(words) > 1:
            via = words[words.index("INDEX") + 1] if "INDEX" in words else None
            if words[1] not in SIZED_BY_CONFIG and via not in bounded:
                bad.append(f"{step}: {statement[:200]}")
    return bad


def test_a_poll_with_nothing_new_reads_no_growing_table_whole(tmp_path: Path, monkeypatch, capsys) -> None:
    shutil.copytree(ROOT / "examples" / "maildir", tmp_path / "maildir")
    config = write_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace("[receipts]\nenabled = false", "[receipts]\nenabled = true"),
                      encoding="utf-8")
    assert "[receipts]\nenabled = true" in config.read_text(encoding="utf-8")
    assert main(["--config", str(config), "--now", "2024-07-05T08:00", "poll"]) == 0   # the mail arrives
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn
    monkeypatch.setattr(store.db.sqlite3, "connect", traced)
    assert main(["--config", str(config), "--now", "2024-07-05T08:05", "poll"]) == 0   # nothing new
    assert "0 new message(s)" in capsys.readouterr().out
    questions = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(questions) >= 5, statements
    conn = connect(str(tmp_path / "var" / "baocao.sqlite"))
    bounded = partial_indexes(conn)
    assert {"messages_unchecked", "messages_report_created", "incidents_unalerted"} <= bounded
    assert [bad for q in questions for bad in full_reads(conn, q, bounded)] == []
