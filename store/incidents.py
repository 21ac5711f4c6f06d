"""The incident rows: one case per incident however many mails speak of it, and its alert.

`record` runs inside the message's outcome transaction (`messages.save_outcome`): the mail's
status `incident` and its case are written together or not at all. The alert's outbox row and
`incidents.alerted_at` are written in one transaction too (`queue_alert`), so a case is alerted once.
"""
from __future__ import annotations

import datetime as dt
import sqlite3

from store import outbox
from store.db import Database, transaction
from store.records import Case

FOLLOW_UP_DAYS = 7   # a mail about the same unit and category within this many days joins the case


def record(conn: sqlite3.Connection, message_id: int, case: Case, stamp: str) -> int:
    """The case's id: the one this mail follows up (same thread, or same unit and category within
    FOLLOW_UP_DAYS of the date), else a new one."""
    incident_id = _same_thread(conn, case.thread) or _same_case(conn, case)
    if incident_id is None:
        on = case.occurred_on.isoformat() if case.occurred_on else None
        key = f"{case.unit_code or 'unknown'}:{case.category}:{on}:{message_id}"
        incident_id = int(conn.execute(
            "INSERT INTO incidents (case_key, unit_code, occurred_on, category, summary, message_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(case_key) DO UPDATE SET summary = excluded.summary "
            "RETURNING id", [key, case.unit_code, on, case.category, case.summary, message_id, stamp]).fetchone()[0])
    conn.execute("INSERT OR IGNORE INTO incident_messages (incident_id, message_id) VALUES (?, ?)",
                 [incident_id, message_id])
    return incident_id


def _same_thread(conn: sqlite3.Connection, thread: tuple[str, ...]) -> int | None:
    if not thread:
        return None
    marks = ",".join("?" * len(thread))
    row = conn.execute(f"SELECT im.incident_id FROM incident_messages im JOIN messages m ON m.id = im.message_id "
                       f"WHERE m.header_message_id IN ({marks}) LIMIT 1", list(thread)).fetchone()
    return int(row[0]) if row else None


def _same_case(conn: sqlite3.Connection, case: Case) -> int | None:
    if case.occurred_on is None:
        return None
    lo = (case.occurred_on - dt.timedelta(days=FOLLOW_UP_DAYS)).isoformat()
    hi = (case.occurred_on + dt.timedelta(days=FOLLOW_UP_DAYS)).isoformat()
    row = conn.execute("SELECT id FROM incidents WHERE unit_code IS ? AND category = ? AND occurred_on BETWEEN ? AND ? "
                       "ORDER BY id LIMIT 1", [case.unit_code, case.category, lo, hi]).fetchone()
    return int(row[0]) if row else None


def any_unalerted(db: Database) -> bool:
    """Whether a case still waits for its alert (a cheap check before the alert is composed)."""
    return db.execute("SELECT 1 FROM incidents WHERE alerted_at IS NULL LIMIT 1").fetchone() is not None


def listed(db: Database) -> list[tuple]:
    """(incident_id, unit_code, occurred_on, category, summary, message_id, created_at, alerted_at,
    received_at) of every incident, by the day it happened; `received_at` is its first mail's arrival."""
    return db.execute("SELECT i.incident_id, i.unit_code, i.occurred_on, i.category, i.summary, i.message_id,"
                      " i.created_at, i.alerted_at, m.received_at FROM v_incidents i"
                      " LEFT JOIN messages m ON m.id = i.message_id ORDER BY i.occurred_on, i.incident_id").fetchall()


def queue_alert(db: Database, mail: outbox.NewMail, incident_id: int, alerted_at: str) -> int | None:
    """Queue the alert mail and mark the incident alerted, both or neither; the outbox row's id,
    None when a mail with this dedupe key was queued before (the incident is marked all the same)."""
    with transaction(db):
        row = outbox.add(db, mail)
        db.conn.execute("UPDATE incidents SET alerted_at = ? WHERE id = ? AND alerted_at IS NULL",
                        (alerted_at, incident_id))
    return row
