"""What the digest and the workbook compile, read from the public views: the values and
warnings of one report and period, and the mails and failures an admin must look at.

Rows come back as plain tuples in the order of the columns each docstring names.
"""
from __future__ import annotations

from store.db import Database


def values(db: Database, report_code: str, period_id: str) -> list[tuple]:
    """(unit_code, indicator, value, raw, source, method, message_id) of `v_values` (each unit's
    latest submission), by unit and indicator."""
    return db.execute(
        "SELECT unit_code, indicator, value, raw, source, method, message_id FROM v_values"
        " WHERE report_code = ? AND period = ? ORDER BY unit_code, indicator", [report_code, period_id]).fetchall()


def warnings(db: Database, report_code: str, period_id: str) -> list[tuple]:
    """(unit_code, rule, detail) of `v_warnings`, by unit and rule."""
    return db.execute("SELECT unit_code, rule, detail FROM v_warnings WHERE report_code = ? AND period = ?"
                      " ORDER BY unit_code, rule", [report_code, period_id]).fetchall()


def unplaced_or_failed(db: Database, limit: int) -> list[tuple]:
    """(message_id, status, from_addr, subject) of the mails not placed or failed, oldest first."""
    return db.execute("SELECT message_id, status, from_addr, subject FROM v_messages"
                      " WHERE status IN ('unplaced', 'failed') ORDER BY message_id LIMIT ?", [limit]).fetchall()


def open_failures(db: Database, limit: int) -> list[tuple]:
    """(message_id, stage, reason, detail, filename) of the unresolved failures, oldest first."""
    return db.execute("SELECT message_id, stage, reason, detail, filename FROM v_failures"
                      " WHERE resolved_at IS NULL ORDER BY failure_id LIMIT ?", [limit]).fetchall()
