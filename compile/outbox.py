"""The outbox: every outgoing mail is first a row, then delivered (SMTP or a folder of .eml).

Why a row first: the dedupe key (UNIQUE) makes queueing idempotent, so running a job twice never
produces a second reminder; the message bytes and Message-ID are fixed at creation, so a retry is
byte-identical.

The crash rule. A row is claimed (`pending` -> `sending`, attempts + 1, `next_attempt_at` = the
moment the attempt began) and committed before the SMTP transaction starts; it becomes `sent`
right after the server accepts it. If the process dies in between, nobody knows whether the
server has the mail. Such a row is NOT retried automatically: at the next `deliver` (once the
attempt is older than `STALE_SENDING`, so a concurrent run is not disturbed) it becomes `failed`
with the reason "interrupted while sending" and a `failures` row (stage `send`), where an admin
sees it and may re-queue it by hand. A school never gets a second copy of a reminder because of a
crash; at worst it gets none, visibly.

Errors: 4xx replies and connection errors put the row back to `pending` with exponential backoff
(`BACKOFF` doubling, capped) until `[outbox] max_attempts`; a 5xx reply fails the row at once
with the server's words and a `failures` row. A mail refused for some of its recipients only is
`sent`, with the refusals recorded as a failure.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from compile.common import iso, parse_time
from compile.mail import as_bytes
from store.errors import ConfigError, ConnectError, PermanentError, TransientError
from store.config import Config

log = logging.getLogger("baocao.outbox")

BACKOFF = dt.timedelta(minutes=5)
BACKOFF_MAX = dt.timedelta(hours=6)
STALE_SENDING = dt.timedelta(minutes=10)
INTERRUPTED = "interrupted while sending: the server may or may not have the mail; not retried automatically"


@dataclass(frozen=True)
class DeliveryResult:
    sent: int
    failed: int
    pending: int          # rows still waiting (retry later) after this run
    error: str = ""       # a connection-level problem (server down, login refused), for the job's exit code


# ---------------------------------------------------------------- queueing

def add(db: sqlite_utils.Database, cfg: Config, kind: str, dedupe_key: str, msg, now: dt.datetime,
        status: str = "pending", error: str = "") -> int | None:
    """Insert one mail; None when a row with this dedupe key exists (it was queued before).

    `status='failed'` with `error` records a mail that cannot go (e.g. a unit without a valid
    address) so it is visible in v_outbox and v_failures instead of silently missing."""
    created = iso(cfg, now)
    cur = db.conn.execute(
        "INSERT INTO outbox (kind, dedupe_key, recipients, subject, header_message_id, mime, status,"
        " attempts, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
        " ON CONFLICT(dedupe_key) DO NOTHING",
        (kind, dedupe_key, str(msg.get("To", "") or ""), str(msg["Subject"]), str(msg["Message-ID"]),
         as_bytes(msg), status, error or None, created))
    if cur.rowcount != 1:
        return None
    row_id = int(cur.lastrowid)
    if status == "failed":
        _failure(db, cfg, row_id, error.split(":", 1)[0], error, now)
        log.error("outbox %s (%s): not sendable: %s", row_id, dedupe_key, error)
    return row_id


def exists(db: sqlite_utils.Database, dedupe_key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone() is not None


# ---------------------------------------------------------------- delivery

def deliver(db: sqlite_utils.Database, cfg: Config, now: dt.datetime) -> DeliveryResult:
    """Send every due `pending` row once; see the module docstring for the rules."""
    failed = _fail_interrupted(db, cfg, now)
    rows = db.execute(
        "SELECT id, kind, dedupe_key, recipients, mime, attempts, next_attempt_at FROM outbox"
        " WHERE status = 'pending' ORDER BY id").fetchall()
    due = [r for r in rows if _is_due(cfg, r[6], now)]
    sent, error = 0, ""
    transport = FolderTransport(cfg) if cfg.outbox.kind == "folder" else SmtpTransport(cfg)
    try:
        for row_id, kind, key, recipients, mime, _attempts, _next in due:
            if not _claim(db, cfg, row_id, now):
                continue
            to = [a.strip() for a in recipients.split(",") if a.strip()]
            try:
                refused = transport.send(row_id, kind, to, bytes(mime))
            except PermanentError as exc:
                _mark_failed(db, cfg, row_id, "refused by the server", str(exc), now)
                failed += 1
            except TransientError as exc:
                error = str(exc)
                failed += _retry_later(db, cfg, row_id, str(exc), now)
                if isinstance(exc, ConnectError):
                    break  # the others stay pending, untouched, for the next run
            else:
                _mark_sent(db, cfg, row_id, now)
                sent += 1
                if refused:
                    _failure(db, cfg, row_id, "some recipients refused", refused, now)
    finally:
        transport.close()
    pending = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    return DeliveryResult(sent=sent, failed=failed, pending=pending, error=error)


def _is_due(cfg: Config, next_attempt_at: str | None, now: dt.datetime) -> bool:
    when = parse_time(cfg, next_attempt_at)
    return when is None or when <= now


def _claim(db: sqlite_utils.Database, cfg: Config, row_id: int, now: dt.datetime) -> bool:
    """pending -> sending, committed before any byte goes out (the crash rule's first half)."""
    cur = db.conn.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?"
        " WHERE id = ? AND status = 'pending'", (iso(cfg, now), row_id))
    return cur.rowcount == 1


def _mark_sent(db: sqlite_utils.Database, cfg: Config, row_id: int, now: dt.datetime) -> None:
    # Unconditional: the server accepted it, whatever a concurrent run concluded meanwhile.
    db.conn.execute("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL, next_attempt_at = NULL"
                    " WHERE id = ?", (iso(cfg, now), row_id))
    db.conn.execute("UPDATE failures SET resolved_at = ? WHERE outbox_id = ? AND resolved_at IS NULL",
                    (iso(cfg, now), row_id))


def _mark_failed(db: sqlite_utils.Database, cfg: Config, row_id: int, reason: str, detail: str,
                 now: dt.datetime) -> None:
    db.conn.execute("UPDATE outbox SET status = 'failed', last_error = ?, next_attempt_at = NULL WHERE id = ?",
                    (f"{reason}: {detail}", row_id))
    _failure(db, cfg, row_id, reason, detail, now)
    log.error("outbox %s: failed: %s: %s", row_id, reason, detail)


def _retry_later(db: sqlite_utils.Database, cfg: Config, row_id: int, detail: str, now: dt.datetime) -> int:
    """Back to pending with backoff, or failed after max_attempts; returns 1 when it failed."""
    attempts = db.execute("SELECT attempts FROM outbox WHERE id = ?", [row_id]).fetchone()[0]
    if attempts >= cfg.outbox.max_attempts:
        _mark_failed(db, cfg, row_id, f"gave up after {attempts} attempts", detail, now)
        return 1
    wait = min(BACKOFF * (2 ** (attempts - 1)), BACKOFF_MAX)
    db.conn.execute("UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?",
                    (detail, iso(cfg, now + wait), row_id))
    log.warning("outbox %s: attempt %s failed (%s); next try at %s", row_id, attempts, detail,
                iso(cfg, now + wait))
    return 0


def _fail_interrupted(db: sqlite_utils.Database, cfg: Config, now: dt.datetime) -> int:
    """Rows left `sending` by a crash become failed (never resent automatically)."""
    rows = db.execute("SELECT id, next_attempt_at FROM outbox WHERE status = 'sending'").fetchall()
    count = 0
    for row_id, started in rows:
        began = parse_time(cfg, started)
        if began is not None and now - began < STALE_SENDING:
            continue  # another run may be sending it right now
        _mark_failed(db, cfg, row_id, "interrupted while sending", INTERRUPTED, now)
        count += 1
    return count


def _failure(db: sqlite_utils.Database, cfg: Config, row_id: int, reason: str, detail: str,
             now: dt.datetime) -> None:
    db.conn.execute("INSERT INTO failures (message_id, stage, reason, detail, outbox_id, created_at)"
                    " VALUES (NULL, 'send', ?, ?, ?, ?)", (reason, detail, row_id, iso(cfg, now)))


# ---------------------------------------------------------------- transports

class FolderTransport:
    """One .eml per mail, written atomically (temporary file, fsync, rename)."""

    def __init__(self, cfg: Config):
        self.folder = Path(cfg.outbox.path or "outbox")

    def send(self, row_id: int, kind: str, to: list[str], mime: bytes) -> str:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / f"{row_id:06d}-{kind}.eml"
            tmp = self.folder / f".{final.name}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(mime)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            raise TransientError(f"cannot write to {self.folder}: {exc.strerror or exc}") from None
        return ""

    def close(self) -> None:
        pass


class SmtpTransport:
    """smtplib with SSL / STARTTLS / AUTH; one connection per run, reopened after a drop."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        ob = self.cfg.outbox
        try:
            context = ssl.create_default_context()
            if ob.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(ob.host, ob.port, timeout=ob.timeout, context=context)
            else:
                smtp = smtplib.SMTP(ob.host, ob.port, timeout=ob.timeout)
                smtp.ehlo()
                if ob.tls == "starttls":
                    smtp.starttls(context=context)
                    smtp.ehlo()
            if ob.username:
                smtp.login(ob.username, ob.secret())
        except smtplib.SMTPResponseException as exc:
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: {exc.smtp_code} {_words(exc.smtp_error)}") from None
        except ConfigError as exc:
            raise ConnectError(str(exc)) from None
        except UnicodeError:  # smtplib sends AUTH credentials as ASCII only
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: the user name or password is not ASCII") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: cannot connect: {exc or type(exc).__name__}") from None
        return smtp

    def send(self, row_id: int, kind: str, to: list[str], mime: bytes) -> str:
        if not to:
            raise PermanentError("no recipient address")
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            refused = self.smtp.sendmail(self.cfg.outbox.sender, to, mime)
        except smtplib.SMTPRecipientsRefused as exc:
            _raise_for_codes({a: c for a, (c, _m) in exc.recipients.items()}, _refusals(exc.recipients))
        except smtplib.SMTPResponseException as exc:
            _raise_for_codes({"": exc.smtp_code}, f"{exc.smtp_code} {_words(exc.smtp_error)}")
        except (smtplib.SMTPServerDisconnected, OSError, socket.timeout) as exc:
            self._drop()
            raise TransientError(f"connection lost: {exc or type(exc).__name__}") from None
        except smtplib.SMTPException as exc:
            self._drop()
            raise TransientError(str(exc)) from None
        return _refusals(refused) if refused else ""

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            except OSError:
                pass
        self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()


def _words(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _refusals(recipients: dict) -> str:
    return "; ".join(f"{addr}: {code} {_words(text)}" for addr, (code, text) in recipients.items())


def _raise_for_codes(codes: dict[str, int], words: str) -> None:
    """Any 5xx makes the mail fail for good; only 4xx everywhere is worth a retry."""
    if any(500 <= c < 600 for c in codes.values()):
        raise PermanentError(words)
    raise TransientError(words)
