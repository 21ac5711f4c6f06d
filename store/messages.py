"""Store functions for the ingest side: what was seen, messages, attachments, values, failures.

Every write names its keys explicitly; each message's processing result replaces the previous
one as a whole (delete + insert in one transaction), so `reprocess` is always safe.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any, Iterable

from store import incidents
from store.db import Database, inserted_id, transaction
from store.records import Failure, FileRead, Outcome, value_rank


class StoreSeen:
    """The `SeenIndex` of one source, backed by the `seen` and `source_state` tables."""

    def __init__(self, db: Database, source: str, now: dt.datetime):
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

    def copies(self, header_message_id: str) -> list[tuple[int | None, str]]:
        """(size, sha256) of every stored message with this Message-ID, oldest first."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT size, sha256 FROM messages WHERE header_message_id = ? ORDER BY id", [header_message_id])]

    def pair(self, uidvalidity: int, uid: str, sha256: str) -> None:
        row = self.db.execute("SELECT id FROM messages WHERE sha256 = ?", [sha256]).fetchone()
        self.mark(uidvalidity, uid, row[0] if row else None)

    def mark(self, uidvalidity: int, uid: str, message_id: int | None) -> None:
        self.db.execute("INSERT OR IGNORE INTO seen (source, uidvalidity, uid, message_id, seen_at) "
                        "VALUES (?, ?, ?, ?, ?)", [self.source, uidvalidity, str(uid), message_id, self.now])
        self._settle_refusal(uidvalidity, uid)

    def forget(self, uidvalidity: int) -> None:
        self.db.execute("DELETE FROM seen WHERE source = ? AND uidvalidity = ?", [self.source, uidvalidity])
        self.db.execute("DELETE FROM fetch_refusals WHERE source = ? AND uidvalidity = ?", [self.source, uidvalidity])

    # -- messages the server refused to send ------------------------------------------------

    def refusals(self, uidvalidity: int) -> dict[str, int]:
        """UID -> how many times the server refused to send it (not yet taken)."""
        return {r[0]: int(r[1]) for r in self.db.execute(
            "SELECT uid, attempts FROM fetch_refusals WHERE source = ? AND uidvalidity = ?",
            [self.source, uidvalidity])}

    def refused(self, uidvalidity: int, uid: str, words: str, limit: int) -> int:
        """Count one refusal of UID (the server's words kept) in its `fetch` failure row, one row
        per message however often it is refused. Returns the refusals so far, this one included."""
        row = self.db.execute("SELECT attempts, failure_id FROM fetch_refusals WHERE source = ? "
                              "AND uidvalidity = ? AND uid = ?", [self.source, uidvalidity, str(uid)]).fetchone()
        attempts = (int(row[0]) if row else 0) + 1
        reason = (f"the mail server refused to send UID {uid} of {self.source} (UIDVALIDITY {uidvalidity}), "
                  f"{attempts} of {limit} attempts")
        detail = words + ("" if attempts < limit else
                          "; no more attempts: check the message in the mailbox (a mail client or the "
                          "server's log), the rest of the folder is taken as usual")
        conn = self.db.conn
        with transaction(self.db):
            failure_id = row[1] if row else None
            if failure_id is None or not conn.execute(
                    "UPDATE failures SET reason = ?, detail = ?, resolved_at = NULL WHERE id = ?",
                    [reason, detail[:4000], failure_id]).rowcount:
                failure_id = inserted_id(conn.execute(
                    "INSERT INTO failures (message_id, stage, reason, detail, created_at) "
                    "VALUES (NULL, 'fetch', ?, ?, ?)", [reason, detail[:4000], self.now]))
            conn.execute(
                "INSERT INTO fetch_refusals (source, uidvalidity, uid, attempts, failure_id, last_error, last_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source, uidvalidity, uid) DO UPDATE SET "
                "attempts = excluded.attempts, failure_id = excluded.failure_id, last_error = excluded.last_error, "
                "last_at = excluded.last_at",
                [self.source, uidvalidity, str(uid), attempts, failure_id, words[:4000], self.now])
        return attempts

    def vanished(self, uidvalidity: int, uid: str) -> None:
        """A UID once refused is no longer in the folder: nothing is left to try."""
        self._settle_refusal(uidvalidity, uid, "the message is no longer in the folder")

    def _settle_refusal(self, uidvalidity: int, uid: str, why: str | None = None) -> None:
        row = self.db.execute("SELECT failure_id FROM fetch_refusals WHERE source = ? AND uidvalidity = ? "
                              "AND uid = ?", [self.source, uidvalidity, str(uid)]).fetchone()
        if row is None:
            return
        with transaction(self.db):
            self.db.execute("UPDATE failures SET resolved_at = ?, detail = COALESCE(detail, '') || ? WHERE id = ?",
                            [self.now, f"; {why or 'taken at a later poll'}", row[0]])
            self.db.execute("DELETE FROM fetch_refusals WHERE source = ? AND uidvalidity = ? AND uid = ?",
                            [self.source, uidvalidity, str(uid)])

    def set_state(self, uidvalidity: int, uidnext: int | None) -> None:
        self.db.execute(
            "INSERT INTO source_state (source, uidvalidity, uidnext, last_poll_at, last_success_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
            "uidnext = excluded.uidnext, last_poll_at = excluded.last_poll_at, "
            "last_success_at = excluded.last_success_at",
            [self.source, uidvalidity, uidnext, self.now, self.now])
        # Refusals counted under an earlier numbering: the message is tried afresh under its new UID.
        for (failure_id,) in self.db.execute(
                "SELECT failure_id FROM fetch_refusals WHERE source = ? AND uidvalidity != ?",
                [self.source, uidvalidity]).fetchall():
            self.db.execute("UPDATE failures SET resolved_at = ?, detail = COALESCE(detail, '') || ? "
                            "WHERE id = ? AND resolved_at IS NULL",
                            [self.now, "; the folder was renumbered (UIDVALIDITY changed): tried again under "
                             "its new UID", failure_id])
        self.db.execute("DELETE FROM fetch_refusals WHERE source = ? AND uidvalidity != ?", [self.source, uidvalidity])

    def record_error(self, error: str) -> None:
        self.db.execute(
            "INSERT INTO source_state (source, last_poll_at, last_error, last_error_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(source) DO UPDATE SET last_poll_at = excluded.last_poll_at, "
            "last_error = excluded.last_error, last_error_at = excluded.last_error_at",
            [self.source, self.now, error, self.now])


def find_by_sha(db: Database, sha256: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM messages WHERE sha256 = ?", [sha256]))
    return rows[0] if rows else None


def get_message(db: Database, message_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM messages WHERE id = ?", [message_id]))
    return rows[0] if rows else None


def take_all(db: Database, seen: StoreSeen, arrivals: Iterable[tuple[dict[str, Any], int, str]]) -> list[int]:
    """Record archived messages and mark their UIDs seen, all in one transaction: `arrivals` are
    (intake row, UIDVALIDITY, UID). A message whose bytes the store already holds is that message.
    Returns the message ids in order. Committed together, the rows of a batch cost one commit,
    and a crash before it leaves every UID of the batch unseen: taken again by the next poll."""
    ids: list[int] = []
    with transaction(db):
        for row, uidvalidity, uid in arrivals:
            message_id = insert_message(db, row)   # the message already there for bytes already stored
            seen.mark(uidvalidity, uid, message_id)
            ids.append(message_id)
    return ids


def insert_message(db: Database, row: dict[str, Any]) -> int:
    """Record a raw message (already archived), committed at once (or with the transaction it is
    part of: `take_all`): this row is what makes the message exist for the admin whatever happens
    after. Idempotent on sha256. Every text is stored as valid UTF-8."""
    row = {"source": None, "source_uid": None, **{k: _text(v) for k, v in row.items()}}
    cur = db.execute(
        "INSERT INTO messages (sha256, header_message_id, from_addr, from_name, subject, date_header, "
        "received_at, received_how, raw_path, size, source, source_uid, status, created_at) VALUES "
        "(:sha256, :header_message_id, :from_addr, :from_name, :subject, :date_header, :received_at, "
        ":received_how, :raw_path, :size, :source, :source_uid, 'new', :created_at) "
        "ON CONFLICT(sha256) DO NOTHING", row)
    if cur.rowcount:
        return inserted_id(cur)
    existing = find_by_sha(db, row["sha256"])
    if existing is None:   # the INSERT did nothing because a row with this sha256 is there
        raise RuntimeError(f"message {row['sha256']} neither inserted nor found")
    return int(existing["id"])


def begin_attempt(db: Database, message_id: int, stage: str, counted: bool = True) -> int:
    """Count one processing attempt before it starts (committed), so an attempt that kills the
    process is still counted; an attempt not `counted` (the message read beside others) only
    marks it in hand (`stage`), which makes it a suspect if the process dies. Returns the
    attempts so far, this one included."""
    db.execute("UPDATE messages SET attempts = attempts + ?, stage = ? WHERE id = ?",
               [1 if counted else 0, stage, message_id])
    return int(db.execute("SELECT attempts FROM messages WHERE id = ?", [message_id]).fetchone()[0])


def reached(db: Database, message_id: int, stage: str) -> None:
    """The stage an attempt has reached: what a quarantine row names if the process dies there."""
    db.execute("UPDATE messages SET stage = ? WHERE id = ?", [stage, message_id])


def abandon_attempt(db: Database, message_id: int, counted: bool = True) -> None:
    """An attempt stopped by an operations problem (locked store, full disk) does not count, nor
    does it leave the message a suspect."""
    db.execute("UPDATE messages SET attempts = MAX(attempts - ?, 0), stage = CASE WHEN attempts - ? > 0 "
               "THEN stage END WHERE id = ?", [1 if counted else 0, 1 if counted else 0, message_id])


def reset_attempts(db: Database, message_id: int) -> None:
    """An admin's `reprocess` gives a quarantined message a fresh start."""
    db.execute("UPDATE messages SET attempts = 0 WHERE id = ?", [message_id])


def unprocessed_ids(db: Database) -> list[tuple[int, bool]]:
    """(id, suspect) of the messages recorded and not processed (new, or their processing was
    interrupted), oldest first. A suspect was in hand when a process died: an attempt at it
    began (`stage` is set) and never ended."""
    return [(int(r[0]), bool(r[1])) for r in db.execute(
        "SELECT id, attempts > 0 OR stage IS NOT NULL FROM messages WHERE processed_at IS NULL ORDER BY id")]


def status_of(db: Database, message_id: int) -> str:
    row = db.execute("SELECT status FROM messages WHERE id = ?", [message_id]).fetchone()
    return str(row[0]) if row else "new"


def add_failure(db: Database, message_id: int | None, stage: str, reason: str, detail: str,
                now: dt.datetime, filename: str | None = None) -> int:
    cur = db.execute("INSERT INTO failures (message_id, stage, reason, detail, filename, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [message_id, stage, reason, detail[:4000], filename, now.isoformat(timespec="seconds")])
    return inserted_id(cur)


def save_outcome(db: Database, outcome: Outcome, now: dt.datetime) -> None:
    """Replace everything derived from one message by `outcome`, in ONE transaction: the row's
    columns and status, its files and values, its failures, its incident. Warnings are the
    validation's (`save_warnings`), so they go with the values: `checked_at` is cleared."""
    stamp = now.isoformat(timespec="seconds")
    message_id = outcome.message_id
    fields = {k: _text(v) for k, v in {**outcome.fields, "checked_at": None}.items()}
    conn = db.conn
    with transaction(db):
        conn.execute('DELETE FROM "values" WHERE message_id = ?', [message_id])
        conn.execute("DELETE FROM warnings WHERE message_id = ?", [message_id])
        conn.execute("DELETE FROM attachments WHERE message_id = ?", [message_id])
        conn.execute("UPDATE failures SET resolved_at = ? WHERE message_id = ? AND resolved_at IS NULL "
                     "AND stage != 'send'", [stamp, message_id])
        sets = ", ".join(f"{k} = :{k}" for k in fields)
        conn.execute(f"UPDATE messages SET {sets}, processed_at = :processed_at WHERE id = :id",
                     {**fields, "processed_at": stamp, "id": message_id})
        for f in outcome.files:
            _insert_file(conn, message_id, f, stamp)
        conn.executemany("INSERT INTO failures (message_id, stage, reason, detail, filename, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(message_id, x.stage, _text(x.reason), _text(x.detail)[:4000], _text(x.filename), stamp)
                          for x in outcome.failures])
        if outcome.case is not None:
            incidents.record(conn, message_id, outcome.case, stamp)


def _insert_file(conn: Any, message_id: int, f: FileRead, stamp: str) -> None:
    reports = f.reports
    cur = conn.execute(
        "INSERT INTO attachments (message_id, filename, safe_name, declared_type, detected_type, size, "
        "sha256, stated_unit, stated_period, text, parsed_at, notes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [message_id, _text(f.filename), _text(f.safe_name), _text(f.declared_type),
         ",".join(sorted({r.detected_type for r in reports})) or None, f.size, f.sha256,
         _text(next((r.stated_unit for r in reports if r.stated_unit), None)),
         _text(next((r.stated_period for r in reports if r.stated_period), None)),
         _text("\n".join(r.text for r in reports if r.text)[:200_000]), stamp,
         _text("\n".join(f"{r.filename}: {w}" for r in reports for w in r.warnings)[:20_000] or None)])
    att_id = inserted_id(cur)
    for rep in reports:
        conn.executemany(
            'INSERT INTO "values" (message_id, attachment_id, indicator, value, raw, source, method, rank) '
            "VALUES (?,?,?,?,?,?,?,?)",
            [(message_id, att_id, v.indicator, _number(v.number), _text(v.raw), _text(v.source), v.method,
              value_rank(rep.detected_type, v.method)) for v in rep.values])


def failed(message_id: int, why: str, failure: Failure) -> Outcome:
    """The outcome of a message whose processing failed: its status and the one failure row."""
    return Outcome(message_id, {"status": "failed", "status_why": why}, failures=(failure,))


def quarantine(db: Database, message_id: int, attempts: int, stage: str | None,
               now: dt.datetime) -> None:
    """A message whose processing stopped the process `attempts` times: recorded as failed, with
    what it reached, so the poll goes on and `reprocess` can retry it."""
    where = stage or "mime"
    why = f"stopped the process {attempts} times when read alone; quarantined"
    save_outcome(db, failed(message_id, why, Failure(
        where if where in STAGES else "classify", why,
        f"processing reached the {where} stage each time and never finished "
        "(a crash, the memory killer or a hang); `baocao reprocess` tries again")), now)


# ---------------------------------------------------------------- what a decision looks up

def remembered_senders(db: Database) -> tuple[tuple[str, str], ...]:
    """(address, unit) pairs an admin taught with `assign --remember-sender`."""
    return tuple((r[0], r[1]) for r in db.execute("SELECT address, unit_code FROM unit_senders"))


def with_message_id(db: Database, header_message_id: str, before: int,
                    limit: int = 50) -> list[int]:
    """The earlier messages with this Message-ID that are not themselves duplicates, oldest first
    (at most `limit`: a mailer that gives every mail one Message-ID must not cost the poll)."""
    return [int(r[0]) for r in db.execute(
        "SELECT id FROM messages WHERE header_message_id = ? AND id < ? AND status != 'duplicate' "
        "ORDER BY id LIMIT ?", [header_message_id, before, limit])]


def content_of(db: Database, message_id: int) -> tuple[str | None, str | None, str | None, list[str]]:
    """(subject, from address, decoded body text, sorted attachment hashes) as stored for one
    message: what it said, not how it was delivered. The body is None when none was stored (a
    message whose decoding failed)."""
    row = db.execute("SELECT subject, from_addr, body_text FROM messages WHERE id = ?", [message_id]).fetchone()
    shas = sorted(r[0] for r in db.execute("SELECT sha256 FROM attachments WHERE message_id = ?", [message_id]))
    return (row[0], row[1], row[2], shas) if row else (None, None, None, shas)


def earlier_with_files(db: Database, before: int, unit: str | None, report: str | None,
                       period: str | None, shas: list[str]) -> int | None:
    """The newest of the unit's earlier reports for the period whose files are exactly `shas`
    (sorted hashes), in one query: the same files sent again."""
    row = db.execute(
        "SELECT m.id FROM messages m WHERE m.status = 'report' AND m.unit_code = ? AND m.report_code = ? "
        "AND m.period = ? AND m.id < ? AND (SELECT group_concat(sha256, ',') FROM (SELECT a.sha256 "
        "FROM attachments a WHERE a.message_id = m.id ORDER BY a.sha256)) = ? ORDER BY m.id DESC LIMIT 1",
        [unit, report, period, before, ",".join(shas)]).fetchone()
    return int(row[0]) if row else None


def has_earlier_report(db: Database, before: int, unit: str | None, report: str | None,
                       period: str | None) -> bool:
    return db.execute("SELECT 1 FROM messages WHERE status = 'report' AND unit_code = ? AND report_code = ? "
                      "AND period = ? AND id < ? LIMIT 1", [unit, report, period, before]).fetchone() is not None


# ---------------------------------------------------------------- validation's rows

def unchecked_reports(db: Database) -> list[dict[str, Any]]:
    """Report mails whose values the form's rules have not looked at since they were (re)processed."""
    return list(db.query("SELECT id, unit_code, report_code, period, COALESCE(submission, 'full') AS submission "
                         "FROM messages WHERE status = 'report' AND checked_at IS NULL ORDER BY id"))


def counted_values(db: Database, message_id: int) -> list[dict[str, Any]]:
    """The values that count once this mail is in: its own (`best_values`) for a full report;
    for a supplement, the unit's merged figures for the period as `v_values` shows them."""
    row = db.execute("SELECT unit_code, report_code, period, COALESCE(submission, 'full') FROM messages "
                     "WHERE id = ?", [message_id]).fetchone()
    if row is None or row[3] != "supplement":
        return best_values(db, message_id)
    return list(db.query("SELECT indicator, value, raw, source, method FROM v_values WHERE unit_code = ? "
                         "AND report_code = ? AND period = ? ORDER BY indicator", list(row[:3])))


def best_values(db: Database, message_id: int) -> list[dict[str, Any]]:
    """One value per indicator of one message, chosen as `v_values` chooses (file kind, then method)."""
    return list(db.query(
        'SELECT indicator, value, raw, source, method FROM (SELECT v.*, ROW_NUMBER() OVER '
        '(PARTITION BY v.indicator ORDER BY v.rank, v.id) AS r FROM "values" v WHERE v.message_id = ?) '
        "WHERE r = 1 ORDER BY indicator", [message_id]))


def latest_values(db: Database, unit: str, report: str, period: str) -> dict[str, float | None]:
    """indicator -> value of the unit's latest submission for one period (`v_values`)."""
    return {r[0]: r[1] for r in db.execute(
        "SELECT indicator, value FROM v_values WHERE unit_code = ? AND report_code = ? AND period = ?",
        [unit, report, period])}


def save_warnings(db: Database, message_id: int, warnings: Iterable[tuple[str, str]],
                  now: dt.datetime) -> None:
    """The validation's warnings for one message, replacing earlier ones, marked checked: one transaction."""
    with transaction(db):
        db.conn.execute("DELETE FROM warnings WHERE message_id = ?", [message_id])
        db.conn.executemany("INSERT INTO warnings (message_id, rule, detail) VALUES (?, ?, ?)",
                            [(message_id, rule, _text(detail)) for rule, detail in warnings])
        db.conn.execute("UPDATE messages SET checked_at = ? WHERE id = ?",
                        [now.isoformat(timespec="seconds"), message_id])


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


def flags_json(flags: Iterable[str]) -> str:
    return json.dumps(sorted(set(flags)), ensure_ascii=False)
