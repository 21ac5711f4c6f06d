"""The incidents (ad-hoc case reports) and their alert: listed from `v_incidents`; the alert's
outbox row and `incidents.alerted_at` written in one transaction, so an incident is alerted once."""
from __future__ import annotations

import sqlite_utils

from store import outbox


def listed(db: sqlite_utils.Database) -> list[tuple]:
    """(incident_id, unit_code, occurred_on, category, summary, message_id, created_at, alerted_at)
    of every incident, by the day it happened."""
    return db.execute("SELECT incident_id, unit_code, occurred_on, category, summary, message_id, created_at,"
                      " alerted_at FROM v_incidents ORDER BY occurred_on, incident_id").fetchall()


def queue_alert(db: sqlite_utils.Database, mail: outbox.NewMail, incident_id: int, alerted_at: str) -> int | None:
    """Queue the alert mail and mark the incident alerted, both or neither; the outbox row's id,
    None when a mail with this dedupe key was queued before (the incident is marked all the same)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        row = outbox.add(db, mail)
        db.conn.execute("UPDATE incidents SET alerted_at = ? WHERE id = ? AND alerted_at IS NULL",
                        (alerted_at, incident_id))
        db.conn.execute("COMMIT")
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    return row
