"""Read-side queries and the admin's decisions, shared by the command line and the daemon."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from store.db import Database, transaction
from store.errors import UsageError
from store.config import Config


def completeness_rows(db: Database, report_code: str, period: str) -> list[dict[str, Any]]:
    """`v_completeness` for one period, each row with the unit's own due date."""
    return list(db.query(
        "SELECT c.report_code, c.period, c.unit_code, c.state, c.received_at, c.message_id, c.expected, "
        "COALESCE(x.due, p.due) AS due FROM v_completeness c "
        "JOIN periods p ON p.report_code = c.report_code AND p.period = c.period "
        "LEFT JOIN v_expected x ON x.report_code = c.report_code AND x.period = c.period "
        "AND x.unit_code = c.unit_code WHERE c.report_code = ? AND c.period = ? ORDER BY c.unit_code",
        [report_code, period]))


def health_summary(db: Database, now: dt.datetime) -> str:
    state = list(db.query("SELECT * FROM source_state ORDER BY last_poll_at DESC LIMIT 1"))
    open_failures = db.execute("SELECT COUNT(*) FROM failures WHERE resolved_at IS NULL").fetchone()[0]
    backlog = db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]
    failed_out = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").fetchone()[0]
    uncertain_out = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'uncertain'").fetchone()[0]
    by_status = ", ".join(f"{s} {n}" for s, n in db.execute(
        "SELECT status, COUNT(*) FROM messages GROUP BY status ORDER BY status"))
    lines = [f"messages: {by_status or 'none'}"]
    if state:
        s = state[0]
        lines.append(f"last successful poll: {s['last_success_at'] or 'never'}")
        if s["last_error"]:
            lines.append(f"last error: {s['last_error_at']}: {s['last_error']}")
    else:
        lines.append("last successful poll: never")
    lines.append(f"outbox: {backlog} waiting, {failed_out} failed"
                 + (f", {uncertain_out} uncertain (the server may have them)" if uncertain_out else "")
                 + f"; unresolved failures: {open_failures}")
    return "\n".join(lines)


def health(db: Database, cfg: Config, now: dt.datetime) -> tuple[bool, str]:
    limit = cfg.schedule.health_max_age_minutes
    row = db.execute("SELECT MAX(last_success_at) FROM source_state").fetchone()
    if not row or not row[0]:
        return False, "health: FAIL: no successful poll yet"
    age = now - dt.datetime.fromisoformat(row[0])
    minutes = age.total_seconds() / 60
    if minutes > limit:
        return False, f"health: FAIL: last successful poll {minutes:.0f} min ago (limit {limit} min)"
    return True, f"health: OK: last successful poll {minutes:.0f} min ago"


NEXT_STEP = {
    "unplaced": "baocao assign {m} --unit CODE [--period P] [--remember-sender]",
    "parse": "open the file; fix the parser or config, then: baocao reprocess {m}",
    "classify": "baocao reprocess {m} (after an upgrade), or baocao assign {m} --unit CODE",
    "mime": "open the raw .eml; baocao assign {m} --unit CODE if it is a report",
    "send": "check the address / SMTP server; the mail is in v_outbox",
    "fetch": "the mail server refuses to send this message: look at it in a mail client or the "
             "server's log; each poll tries again up to [mailbox] max_fetch_attempts",
    "flagged": "ask the unit whether it sent this; to confirm: baocao assign {m} --unit CODE",
    "send failed": "check the address / SMTP server, then: baocao resend {o}",
    "send uncertain": "ask whether outbox {o} arrived (the server may have it); if not: baocao resend {o}",
}
# Flags that want an admin's eye on a counted mail (`failures` lists them until an `assign`).
ADMIN_FLAGS = ("possible-spoofing", "suspicious-from", "reused-message-id")


def failures(db: Database, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Failures plus unplaced reports (which need the same admin attention), newest first."""
    where = "" if include_resolved else "WHERE resolved_at IS NULL"
    rows = list(db.query(f"SELECT * FROM v_failures {where} ORDER BY created_at DESC, failure_id DESC"))
    outbox_status = dict(db.execute("SELECT id, status FROM outbox WHERE id IN"
                                    " (SELECT outbox_id FROM failures WHERE outbox_id IS NOT NULL)").fetchall())
    for r in rows:
        step = r["stage"]
        if step == "send" and outbox_status.get(r["outbox_id"]) in ("failed", "uncertain") and not r["resolved_at"]:
            step = f"send {outbox_status[r['outbox_id']]}"
        r["next"] = NEXT_STEP.get(step, "").format(m=r["message_id"], o=r["outbox_id"])
    unplaced = list(db.query(
        "SELECT id AS message_id, created_at, subject, from_addr, flags FROM messages WHERE status = 'unplaced' "
        "ORDER BY created_at DESC, id DESC"))
    for u in unplaced:
        marks = [f for f in json.loads(u["flags"] or "[]") if f in ADMIN_FLAGS]
        what = f"unit not confirmed, flagged {', '.join(marks)}" if marks else "unit unknown"
        rows.append({"failure_id": "-", "message_id": u["message_id"], "created_at": u["created_at"],
                     "stage": "classify", "reason": f"{what}: {u['from_addr']}: {u['subject'] or ''}",
                     "next": NEXT_STEP["unplaced"].format(m=u["message_id"])})
    for f in flagged(db):
        rows.append({"failure_id": "-", "message_id": f["message_id"], "created_at": f["created_at"],
                     "stage": "classify", "reason": f"flagged {', '.join(f['flags'])}: {f['from_addr']}: "
                                                   f"{f['subject'] or ''}",
                     "next": NEXT_STEP["flagged"].format(m=f["message_id"])})
    return sorted(rows, key=lambda r: r["created_at"], reverse=True)


def flagged(db: Database) -> list[dict[str, Any]]:
    """Reports and incidents carrying an admin flag (`ADMIN_FLAGS`) that no admin has assigned
    since, newest first, each with its admin flags and why its unit was chosen."""
    marks = ", ".join("?" for _ in ADMIN_FLAGS)
    rows = list(db.query(
        "SELECT id AS message_id, created_at, subject, from_addr, unit_how, flags FROM messages m "
        "WHERE status IN ('report', 'incident') AND NOT assigned AND EXISTS "
        f"(SELECT 1 FROM json_each(m.flags) WHERE value IN ({marks})) ORDER BY created_at DESC, id DESC",
        list(ADMIN_FLAGS)))
    for r in rows:
        r["flags"] = [f for f in json.loads(r["flags"]) if f in ADMIN_FLAGS]
    return rows


def personal_reports(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """Counted reports sent from a personal address (the unit found from the content), newest
    first: in the totals, and shown to the admin so the unit can be asked to use its own."""
    return list(db.query(
        "SELECT id AS message_id, from_addr, subject, unit_code, period FROM messages m "
        "WHERE status = 'report' AND NOT assigned AND EXISTS "
        "(SELECT 1 FROM json_each(m.flags) WHERE value = 'personal-address') ORDER BY id DESC LIMIT ?", [limit]))


def failed_message_ids(db: Database) -> list[int]:
    return [r[0] for r in db.execute(
        "SELECT DISTINCT message_id FROM failures WHERE resolved_at IS NULL AND message_id IS NOT NULL "
        "AND stage != 'send' UNION SELECT id FROM messages WHERE status = 'failed' ORDER BY 1")]


def explanation(db: Database, message_id: int) -> dict[str, Any] | None:
    """Everything stored about how one message was read: its row, its files with their notes,
    the values each file gave (and which of them count in `v_values`), its failures."""
    row = message_row(db, message_id)
    if row is None:
        return None
    files = list(db.query("SELECT id, filename, detected_type, size, stated_unit, stated_period, notes "
                          "FROM attachments WHERE message_id = ? ORDER BY id", [message_id]))
    for f in files:
        f["values"] = list(db.query('SELECT indicator, value, raw, source, method, rank FROM "values" '
                                    "WHERE attachment_id = ? ORDER BY id", [f["id"]]))
    counted = {r[0]: (r[1], r[2]) for r in db.execute(
        "SELECT indicator, message_id, source FROM v_values WHERE unit_code IS ? AND report_code IS ? AND period IS ?",
        [row["unit_code"], row["report_code"], row["period"]])}
    failures = list(db.query("SELECT stage, reason, detail, filename, resolved_at FROM failures "
                             "WHERE message_id = ? ORDER BY id", [message_id]))
    return {"message": row, "files": files, "counted": counted, "failures": failures}


def message_row(db: Database, message_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM messages WHERE id = ?", [message_id]))
    return rows[0] if rows else None


def assign(db: Database, cfg: Config, message_id: int, unit: str, period: str | None,
           remember: bool, report: str | None, now: dt.datetime) -> str:
    """Record an admin's placement: the message becomes a report of that unit (and period), and
    stays so through reprocessing. With `remember`, the sender's address is that unit's from now
    on. The caller re-processes the message (the store decides nothing about mail)."""
    row = message_row(db, message_id)
    if row is None:
        raise UsageError(f"assign: no message {message_id} in the store")
    if cfg.unit(unit) is None:
        raise UsageError(f"--unit: {unit!r} is not in the units file")
    code = report or row["report_code"] or (cfg.reports[0].code if len(cfg.reports) == 1 else None)
    if code is None:
        raise UsageError("--report: this mail names no report and several are configured: say which")
    rep = cfg.report(code)
    if rep is None:
        raise UsageError(f"--report: {report!r} is not a configured report")
    if period is None:
        period = row["period"] if row["report_code"] == rep.code and row["period"] else None
        if period is None:
            received = dt.datetime.fromisoformat(row["received_at"]).date()
            period = rep.nearest_period(received).id
    if rep.period(period) is None:
        raise UsageError(f"--period: {period!r} is not a period of report {rep.code!r}")
    stamp = now.isoformat(timespec="seconds")
    with transaction(db):
        db.execute("UPDATE messages SET status = 'report', unit_code = ?, report_code = ?, period = ?, "
                   "period_how = 'assigned by an admin', unit_how = 'assigned by an admin', assigned = 1, "
                   "sender_known = COALESCE(sender_known, 0), status_why = 'assigned by an admin' WHERE id = ?",
                   [unit, rep.code, period, message_id])
        db.execute("UPDATE failures SET resolved_at = ? WHERE message_id = ? AND stage = 'classify' "
                   "AND resolved_at IS NULL", [stamp, message_id])
        if remember and row["from_addr"]:
            db.execute("INSERT INTO unit_senders (address, unit_code, created_at) VALUES (?, ?, ?) "
                       "ON CONFLICT(address) DO UPDATE SET unit_code = excluded.unit_code",
                       [row["from_addr"].lower(), unit, stamp])
    msg = f"message {message_id}: report {rep.code} {period} of {unit}"
    if remember and row["from_addr"]:
        msg += f"; {row['from_addr']} is now known as {unit}"
    return msg


def backup(db: Database, target: Path) -> None:
    """SQLite's online backup: consistent while the daemon keeps writing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
