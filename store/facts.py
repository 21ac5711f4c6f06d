"""What the store says about one mail, for the replies and alerts that answer it: who sent it and
how (automatic or not), its thread, where it was placed, its files, values, warnings and the files
that could not be read. Everything was recorded at intake: nothing here reads the raw mail.

Rows come back as plain tuples in the order of the columns each docstring names.
"""
from __future__ import annotations

import datetime as dt

from store.db import Database

RECEIPT_DAYS = 2   # report mails recorded this recently are answered when the poll job plans receipts


def unanswered_reports(db: Database, now: dt.datetime) -> list[int]:
    """The report mails of the last RECEIPT_DAYS with no receipt decision yet: what the poll
    job's receipt planning answers (checked before the letters' code is even loaded)."""
    return reports_without_receipt(db, (now - dt.timedelta(days=RECEIPT_DAYS)).isoformat(timespec="seconds"))


def reports_without_receipt(db: Database, since: str) -> list[int]:
    """Ids of the report mails recorded from `since` on that have no receipt row (any status).
    Sorted here, not by the query: with an ORDER BY id, SQLite walks every message in id order
    instead of the recent reports through `messages_report_created`."""
    return sorted(r[0] for r in db.execute(
        "SELECT m.id FROM messages m WHERE m.status = 'report' AND m.created_at >= ? AND NOT EXISTS "
        "(SELECT 1 FROM outbox o WHERE o.dedupe_key = 'receipt:' || m.id)", [since]))


def sender(db: Database, message_id: int) -> tuple | None:
    """(status, from_addr, automatic) of one message; None when there is no such message."""
    return db.execute("SELECT status, from_addr, automatic FROM messages WHERE id = ?", [message_id]).fetchone()


def thread(db: Database, message_id: int) -> tuple | None:
    """(from_addr, header_message_id, thread_refs) of one message."""
    return db.execute("SELECT from_addr, header_message_id, thread_refs FROM messages WHERE id = ?",
                      [message_id]).fetchone()


def placed(db: Database, message_id: int) -> tuple | None:
    """(unit_code, report_code, period, received_at, subject) of one message in `v_messages`."""
    return db.execute("SELECT unit_code, report_code, period, received_at, subject FROM v_messages"
                      " WHERE message_id = ?", [message_id]).fetchone()


def submission(db: Database, message_id: int) -> dict | None:
    """This report mail among its unit's for the period (`v_submissions`): its version and kind,
    whether the unit's first one was on time, the due date, and the mail it follows."""
    rows = list(db.query(
        "SELECT s.message_id, s.version, s.on_time, s.due, s.submission, s.received_at, "
        "(SELECT f.on_time FROM v_submissions f WHERE f.unit_code = s.unit_code AND f.report_code = s.report_code "
        " AND f.period = s.period AND f.version = 1) AS first_on_time, "
        "(SELECT p.received_at FROM v_submissions p WHERE p.unit_code = s.unit_code AND p.report_code = s.report_code "
        " AND p.period = s.period AND p.version = s.version - 1) AS previous_received "
        "FROM v_submissions s WHERE s.message_id = ?", [message_id]))
    return rows[0] if rows else None


def sender_known(db: Database, message_id: int) -> int:
    row = db.execute("SELECT sender_known FROM messages WHERE id = ?", [message_id]).fetchone()
    return int(row[0] or 0) if row else 0


def heading(db: Database, message_id: int) -> tuple | None:
    """(from_addr, subject, received_at) of one message in `v_messages`."""
    return db.execute("SELECT from_addr, subject, received_at FROM v_messages WHERE message_id = ?",
                      [message_id]).fetchone()


def files(db: Database, message_id: int) -> list[tuple]:
    """(filename, detected_type) of its attachments, in order."""
    return db.execute("SELECT filename, detected_type FROM attachments WHERE message_id = ? ORDER BY id",
                      [message_id]).fetchall()


def values(db: Database, message_id: int) -> list[tuple]:
    """(indicator, value, raw) of the values read from it, the best-ranked file's first."""
    return db.execute('SELECT indicator, value, raw FROM "values" WHERE message_id = ? ORDER BY rank, id',
                      [message_id]).fetchall()


def warnings(db: Database, message_id: int) -> list[tuple]:
    """(detail, rule) of its validation warnings, in order."""
    return db.execute("SELECT detail, rule FROM warnings WHERE message_id = ? ORDER BY id", [message_id]).fetchall()


def unread(db: Database, message_id: int) -> list[tuple]:
    """(filename, reason) of its files that could not be read (open mime and parse failures)."""
    return db.execute("SELECT filename, reason FROM failures WHERE message_id = ? AND stage IN ('mime', 'parse')"
                      " AND resolved_at IS NULL ORDER BY id", [message_id]).fetchall()
