"""The outbox rows: queueing with a dedupe key, the delivery state transitions, the history reads.

A row goes `pending` -> `sending` (claimed: attempts + 1, `next_attempt_at` = when the attempt
began) -> `sent`, or back to `pending` with a later `next_attempt_at`, or `failed` or `uncertain`
(the server may have it) with a `failures` row (stage `send`); an admin's `requeue` takes a
`failed` or `uncertain` row back to `pending`. The rules deciding which transition happens are the outbox's
(compile/outbox.py); these functions only write them. Times are the store's ISO strings, given
by the caller.

Every statement here runs on its own (the connection is in autocommit), as before; a caller that
needs several writes to be one transaction gets one function doing the whole transaction
(`store.incidents.queue_alert`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from store.db import Database, inserted_id, transaction


@dataclass(frozen=True)
class NewMail:
    """One outgoing mail as it is queued: its bytes and Message-ID are fixed at creation."""
    kind: str
    dedupe_key: str
    recipients: str             # comma-separated, as the To header says
    subject: str
    header_message_id: str
    mime: bytes
    created_at: str
    status: str = "pending"     # or "failed": a mail that cannot go, visible in v_outbox and v_failures
    error: str = ""             # why it cannot go (status "failed")
    failure_reason: str = ""    # the failure row's reason (status "failed")


class Due(NamedTuple):
    """A `pending` row, as delivery reads it."""
    id: int
    kind: str
    dedupe_key: str
    recipients: str
    mime: bytes
    attempts: int
    next_attempt_at: str | None


class Queued(NamedTuple):
    """What the planners read back about mails queued before (any status)."""
    dedupe_key: str
    recipients: str
    created_at: str


# ---------------------------------------------------------------- queueing

def add(db: Database, mail: NewMail) -> int | None:
    """Insert one mail; None when a row with this dedupe key exists (it was queued before). A mail
    queued as `failed` gets its failure row too."""
    cur = db.conn.execute(
        "INSERT INTO outbox (kind, dedupe_key, recipients, subject, header_message_id, mime, status,"
        " attempts, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
        " ON CONFLICT(dedupe_key) DO NOTHING",
        (mail.kind, mail.dedupe_key, mail.recipients, mail.subject, mail.header_message_id, mail.mime,
         mail.status, mail.error or None, mail.created_at))
    if cur.rowcount != 1:
        return None
    row_id = inserted_id(cur)
    if mail.status == "failed":
        record_failure(db, row_id, mail.failure_reason, mail.error, mail.created_at)
    return row_id


def exists(db: Database, dedupe_key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone() is not None


# ---------------------------------------------------------------- delivery's transitions

def pending(db: Database) -> list[Due]:
    """Every `pending` row, due or not, in queue order."""
    return [Due(*r) for r in db.execute(
        "SELECT id, kind, dedupe_key, recipients, mime, attempts, next_attempt_at FROM outbox"
        " WHERE status = 'pending' ORDER BY id").fetchall()]


def sending(db: Database) -> list[tuple[int, str | None]]:
    """(id, when its attempt began) of every row left `sending`."""
    return [(r[0], r[1]) for r in db.execute("SELECT id, next_attempt_at FROM outbox WHERE status = 'sending'")
            .fetchall()]


def claim(db: Database, row_id: int, started_at: str) -> bool:
    """pending -> sending, attempts + 1, durable on disk when this returns; False when the row is
    no longer pending.

    The store runs WAL with `synchronous=NORMAL`: a commit is safe from a crash of the process but
    the last commits may roll back after a power cut. For most writes that is harmless (a lost
    `sent` or `retry_at` leaves the row `sending`, which becomes `uncertain`: never a second
    copy). Not for this one: a claim rolled back after the server took the mail would leave the
    row `pending`, and it would be sent again. So this commit alone runs with
    `synchronous=FULL` (the WAL is synced before the commit returns), and the setting is put back
    after it."""
    before = db.execute("PRAGMA synchronous").fetchone()[0]
    db.conn.execute("PRAGMA synchronous=FULL")
    try:
        cur = db.conn.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?"
            " WHERE id = ? AND status = 'pending'", (started_at, row_id))
    finally:
        db.conn.execute(f"PRAGMA synchronous={int(before)}")
    return cur.rowcount == 1


def mark_sent(db: Database, row_id: int, sent_at: str) -> None:
    """-> sent, whatever the row's status (the server accepted it); its open failures are resolved."""
    db.conn.execute("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL, next_attempt_at = NULL"
                    " WHERE id = ?", (sent_at, row_id))
    db.conn.execute("UPDATE failures SET resolved_at = ? WHERE outbox_id = ? AND resolved_at IS NULL",
                    (sent_at, row_id))


def mark_failed(db: Database, row_id: int, reason: str, detail: str, at: str) -> None:
    """-> failed, with `reason: detail` as the row's last error and a failure row."""
    db.conn.execute("UPDATE outbox SET status = 'failed', last_error = ?, next_attempt_at = NULL WHERE id = ?",
                    (f"{reason}: {detail}", row_id))
    record_failure(db, row_id, reason, detail, at)


def mark_uncertain(db: Database, row_id: int, reason: str, detail: str, at: str) -> None:
    """-> uncertain (the server may have the mail; never retried by itself), with `reason: detail`
    as the row's last error and a failure row."""
    db.conn.execute("UPDATE outbox SET status = 'uncertain', last_error = ?, next_attempt_at = NULL WHERE id = ?",
                    (f"{reason}: {detail}", row_id))
    record_failure(db, row_id, reason, detail, at)


def status(db: Database, row_id: int) -> str | None:
    """The row's status, None when there is no such row."""
    row = db.execute("SELECT status FROM outbox WHERE id = ?", [row_id]).fetchone()
    return str(row[0]) if row else None


def requeue(db: Database, row_id: int, note: str, at: str) -> bool:
    """An admin's decision: failed / uncertain -> pending, attempts back to 0, due at once, `note`
    as the row's last error; its open failures are resolved with the note added to their detail.
    One transaction; False when the row is not failed or uncertain (nothing written)."""
    with transaction(db):
        cur = db.conn.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL, last_error = ?"
            " WHERE id = ? AND status IN ('failed', 'uncertain')", (note, row_id))
        if cur.rowcount != 1:
            return False
        db.conn.execute("UPDATE failures SET resolved_at = ?, detail = COALESCE(detail || '; ', '') || ?"
                        " WHERE outbox_id = ? AND resolved_at IS NULL", (at, note, row_id))
    return True


def attempts(db: Database, row_id: int) -> int:
    return db.execute("SELECT attempts FROM outbox WHERE id = ?", [row_id]).fetchone()[0]


def retry_at(db: Database, row_id: int, last_error: str, next_attempt_at: str) -> None:
    """-> pending again, to be tried from `next_attempt_at` on."""
    db.conn.execute("UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?",
                    (last_error, next_attempt_at, row_id))


def withdraw(db: Database, row_id: int, last_error: str) -> bool:
    """pending -> failed without a failure row (nothing went wrong: the mail is no longer needed);
    False when the row is no longer pending."""
    cur = db.conn.execute("UPDATE outbox SET status = 'failed', last_error = ?, next_attempt_at = NULL"
                          " WHERE id = ? AND status = 'pending'", (last_error, row_id))
    return cur.rowcount == 1


def record_failure(db: Database, row_id: int, reason: str, detail: str, at: str) -> None:
    """A `failures` row (stage `send`) about one outbox row."""
    db.conn.execute("INSERT INTO failures (message_id, stage, reason, detail, outbox_id, created_at)"
                    " VALUES (NULL, 'send', ?, ?, ?, ?)", (reason, detail, row_id, at))


# ---------------------------------------------------------------- counts and history

def count_pending(db: Database) -> int:
    return db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]


def count_uncertain(db: Database) -> int:
    return db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'uncertain'").fetchone()[0]


def any_pending(db: Database) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE status = 'pending' LIMIT 1").fetchone() is not None


def count_failed(db: Database, row_ids: list[int]) -> int:
    """How many of these rows are `failed`."""
    if not row_ids:
        return 0
    marks = ",".join("?" * len(row_ids))
    return db.execute(f"SELECT COUNT(*) FROM outbox WHERE id IN ({marks}) AND status = 'failed'",
                      list(row_ids)).fetchone()[0]


def queued(db: Database, kind: str, key_prefix: str | None = None) -> list[Queued]:
    """Every row of one kind, any status, in no particular order; with `key_prefix`, only those
    whose dedupe key matches `key_prefix%` as an SQL LIKE (ASCII case-insensitive, `_` and `%`
    in the prefix are wildcards)."""
    if key_prefix is None:
        rows = db.execute("SELECT dedupe_key, recipients, created_at FROM outbox WHERE kind = ?", [kind])
    else:
        rows = db.execute("SELECT dedupe_key, recipients, created_at FROM outbox WHERE kind = ?"
                          " AND dedupe_key LIKE ?", [kind, f"{key_prefix}%"])
    return [Queued(*r) for r in rows.fetchall()]


def pending_of_kind(db: Database, kind: str) -> list[tuple[int, str]]:
    """(id, dedupe_key) of the `pending` rows of one kind."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT id, dedupe_key FROM outbox WHERE kind = ? AND status = 'pending'", [kind]).fetchall()]
