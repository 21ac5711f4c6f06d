"""Store functions for the ingest side: what was seen, messages, attachments, values, failures.

Every write names its keys explicitly; each message's processing result replaces the previous
one as a whole (delete + insert in one transaction), so `reprocess` is always safe.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any, Callable, Iterable

import sqlite_utils

from store.records import ParsedReport


class StoreSeen:
    """The `SeenIndex` of one source, backed by the `seen` and `source_state` tables."""

    def __init__(self, db: sqlite_utils.Database, source: str, now: dt.datetime):
        self.db = db
        self.source = source
        self.now = now.isoformat(timespec="seconds")

    def _state(self) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM source_state WHERE source = ?", [self.source]))
        return rows[0] if rows else None

    def uidvalidity(self) -> int | None:
        state = self._state()
        return state["uidvalidity"] if state else None

    def uidnext(self) -> int | None:
        state = self._state()
        return state["uidnext"] if state else None

    def last_uid(self, uidvalidity: int) -> int:
        row = self.db.execute(
            "SELECT MAX(CAST(uid AS INTEGER)) FROM seen WHERE source = ? AND uidvalidity = ?",
            [self.source, uidvalidity]).fetchone()
        return int(row[0] or 0)

    def is_seen(self, uidvalidity: int, uid: str) -> bool:
        return self.db.execute("SELECT 1 FROM seen WHERE source = ? AND uidvalidity = ? AND uid = ?",
                               [self.source, uidvalidity, str(uid)]).fetchone() is not None

    def seen_keys(self, uidvalidity: int) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT uid FROM seen WHERE source = ? AND uidvalidity = ?",
                                              [self.source, uidvalidity])}

    def knows_header_id(self, header_message_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM messages WHERE header_message_id = ?",
                               [header_message_id]).fetchone() is not None

    def pair(self, uidvalidity: int, uid: str, header_message_id: str) -> None:
        row = self.db.execute("SELECT id FROM messages WHERE header_message_id = ? ORDER BY id LIMIT 1",
                              [header_message_id]).fetchone()
        self.mark(uidvalidity, uid, row[0] if row else None)

    def mark(self, uidvalidity: int, uid: str, message_id: int | None) -> None:
        self.db.execute("INSERT OR IGNORE INTO seen (source, uidvalidity, uid, message_id, seen_at) "
                        "VALUES (?, ?, ?, ?, ?)", [self.source, uidvalidity, str(uid), message_id, self.now])

    def forget(self, uidvalidity: int) -> None:
        self.db.execute("DELETE FROM seen WHERE source = ? AND uidvalidity = ?", [self.source, uidvalidity])

    def set_state(self, uidvalidity: int, uidnext: int | None) -> None:
        self.db.execute(
            "INSERT INTO source_state (source, uidvalidity, uidnext, last_poll_at, last_success_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
            "uidnext = excluded.uidnext, last_poll_at = excluded.last_poll_at, "
            "last_success_at = excluded.last_success_at",
            [self.source, uidvalidity, uidnext, self.now, self.now])

    def record_error(self, error: str) -> None:
        self.db.execute(
            "INSERT INTO source_state (source, last_poll_at, last_error, last_error_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(source) DO UPDATE SET last_poll_at = excluded.last_poll_at, "
            "last_error = excluded.last_error, last_error_at = excluded.last_error_at",
            [self.source, self.now, error, self.now])


def find_by_sha(db: sqlite_utils.Database, sha256: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM messages WHERE sha256 = ?", [sha256]))
    return rows[0] if rows else None


def get_message(db: sqlite_utils.Database, message_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM messages WHERE id = ?", [message_id]))
    return rows[0] if rows else None


def insert_message(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    """Record a raw message (already archived), committed at once: this row is what makes the
    message exist for the admin whatever happens after. Idempotent on sha256. Every text is
    stored as valid UTF-8."""
    row = {"source": None, "source_uid": None, **{k: _text(v) for k, v in row.items()}}
    cur = db.execute(
        "INSERT INTO messages (sha256, header_message_id, from_addr, from_name, subject, date_header, "
        "received_at, received_how, raw_path, size, source, source_uid, status, created_at) VALUES "
        "(:sha256, :header_message_id, :from_addr, :from_name, :subject, :date_header, :received_at, "
        ":received_how, :raw_path, :size, :source, :source_uid, 'new', :created_at) "
        "ON CONFLICT(sha256) DO NOTHING", row)
    if cur.rowcount:
        return int(cur.lastrowid)
    return int(find_by_sha(db, row["sha256"])["id"])


def begin_attempt(db: sqlite_utils.Database, message_id: int, stage: str) -> int:
    """Count one processing attempt before it starts (committed), so an attempt that kills the
    process is still counted. Returns the attempts so far, this one included."""
    db.execute("UPDATE messages SET attempts = attempts + 1, stage = ? WHERE id = ?", [stage, message_id])
    return int(db.execute("SELECT attempts FROM messages WHERE id = ?", [message_id]).fetchone()[0])


def reached(db: sqlite_utils.Database, message_id: int, stage: str) -> None:
    """The stage an attempt has reached: what a quarantine row names if the process dies there."""
    db.execute("UPDATE messages SET stage = ? WHERE id = ?", [stage, message_id])


def abandon_attempt(db: sqlite_utils.Database, message_id: int) -> None:
    """An attempt stopped by an operations problem (locked store, full disk) does not count."""
    db.execute("UPDATE messages SET attempts = MAX(attempts - 1, 0) WHERE id = ?", [message_id])


def reset_attempts(db: sqlite_utils.Database, message_id: int) -> None:
    """An admin's `reprocess` gives a quarantined message a fresh start."""
    db.execute("UPDATE messages SET attempts = 0 WHERE id = ?", [message_id])


def unprocessed(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Messages recorded but never finished (the process died after recording them)."""
    return list(db.query("SELECT * FROM messages WHERE processed_at IS NULL ORDER BY id"))


def status_of(db: sqlite_utils.Database, message_id: int) -> str:
    row = db.execute("SELECT status FROM messages WHERE id = ?", [message_id]).fetchone()
    return str(row[0]) if row else "new"


def add_failure(db: sqlite_utils.Database, message_id: int | None, stage: str, reason: str, detail: str,
                now: dt.datetime, filename: str | None = None) -> int:
    cur = db.execute("INSERT INTO failures (message_id, stage, reason, detail, filename, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [message_id, stage, reason, detail[:4000], filename, now.isoformat(timespec="seconds")])
    return int(cur.lastrowid)


def save_result(db: sqlite_utils.Database, message_id: int, fields: dict[str, Any],
                attachments: Iterable[tuple[dict[str, Any], list[ParsedReport]]],
                warnings: Iterable[tuple[str, str]], failures: Iterable[tuple[str, str, str, str | None]],
                now: dt.datetime, also: Callable[[], None] | None = None) -> None:
    """Replace everything derived from one message in one transaction; `also` runs inside it
    (the incident of an incident mail), so the outcome is recorded whole or not at all."""
    stamp = now.isoformat(timespec="seconds")
    fields = {k: _text(v) for k, v in fields.items()}
    failures = [(stage, _text(reason), _text(detail), _text(fname)) for stage, reason, detail, fname in failures]
    warnings = [(rule, _text(detail)) for rule, detail in warnings]
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute('DELETE FROM "values" WHERE message_id = ?', [message_id])
        conn.execute("DELETE FROM warnings WHERE message_id = ?", [message_id])
        conn.execute("DELETE FROM attachments WHERE message_id = ?", [message_id])
        conn.execute("UPDATE failures SET resolved_at = ? WHERE message_id = ? AND resolved_at IS NULL "
                     "AND stage != 'send'", [stamp, message_id])
        sets = ", ".join(f"{k} = :{k}" for k in fields)
        conn.execute(f"UPDATE messages SET {sets}, processed_at = :processed_at WHERE id = :id",
                     {**fields, "processed_at": stamp, "id": message_id})
        for att, reports in attachments:
            cur = conn.execute(
                "INSERT INTO attachments (message_id, filename, safe_name, declared_type, detected_type, size, "
                "sha256, stated_unit, stated_period, text, parsed_at, notes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [message_id, _text(att["filename"]), _text(att["safe_name"]), _text(att["declared_type"]),
                 ",".join(sorted({r.detected_type for r in reports})) or None, att["size"], att["sha256"],
                 _text(next((r.stated_unit for r in reports if r.stated_unit), None)),
                 _text(next((r.stated_period for r in reports if r.stated_period), None)),
                 _text("\n".join(r.text for r in reports if r.text)[:200_000]), stamp,
                 _text("\n".join(f"{r.filename}: {w}" for r in reports for w in r.warnings)[:20_000] or None)])
            att_id = cur.lastrowid
            for rep in reports:
                rank = _rank(rep.detected_type)
                conn.executemany(
                    'INSERT INTO "values" (message_id, attachment_id, indicator, value, raw, source, method, rank) '
                    "VALUES (?,?,?,?,?,?,?,?)",
                    [(message_id, att_id, v.indicator, _number(v.number), _text(v.raw), _text(v.source), v.method,
                      rank + (0 if v.method == "table" else 10 if v.method == "text" else 20)) for v in rep.values])
        conn.executemany("INSERT INTO warnings (message_id, rule, detail) VALUES (?, ?, ?)",
                         [(message_id, rule, detail) for rule, detail in warnings])
        conn.executemany("INSERT INTO failures (message_id, stage, reason, detail, filename, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(message_id, stage, reason, detail[:4000], fname, stamp)
                          for stage, reason, detail, fname in failures])
        if also is not None:
            also()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def quarantine(db: sqlite_utils.Database, message_id: int, attempts: int, stage: str | None,
               now: dt.datetime) -> None:
    """A message whose processing stopped the process `attempts` times: recorded as failed, with
    what it reached, so the poll goes on and `reprocess` can retry it."""
    where = stage or "mime"
    save_result(db, message_id, {"status": "failed",
                                 "status_why": f"stopped the process {attempts} times; quarantined"},
                [], [], [(where if where in STAGES else "classify",
                          f"stopped the process {attempts} times; quarantined",
                          f"processing reached the {where} stage each time and never finished "
                          f"(a crash, the memory killer or a hang); `baocao reprocess` tries again", None)], now)


STAGES = ("fetch", "mime", "classify", "parse", "validate", "send")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _text(value: Any) -> Any:
    """Strings as valid UTF-8 (a lone surrogate from a hostile header cannot be stored); the rest as is."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    return value


def _number(value: Any) -> float | None:
    """A figure as SQLite can keep it: a 150-digit "number" in a hostile file is no figure."""
    if value is None:
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):
        return None
    return number if math.isfinite(number) and abs(number) < 1e15 else None


def _rank(detected_type: str) -> int:
    """Which file wins when several give the same indicator: the spreadsheet over the Word file
    over the PDF (the soft file is what the unit typed; the PDF is the signed scan of it)."""
    order = {"xlsx": 0, "xls": 1, "ods": 1, "docx": 2, "doc": 3, "odt": 3, "pdf": 4}
    return order.get(detected_type, 5)


def flags_json(flags: Iterable[str]) -> str:
    return json.dumps(sorted(set(flags)), ensure_ascii=False)
