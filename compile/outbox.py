"""The outbox: every outgoing mail is first a row, then delivered (SMTP or a folder of .eml).

Why a row first: the dedupe key (UNIQUE) makes queueing idempotent, so running a job twice never
produces a second reminder; the message bytes and Message-ID are fixed at creation, so a retry is
byte-identical.

A row's status (`v_outbox.status`):
- `pending`: queued, waiting for its first attempt or for its retry (`next_attempt_at`);
- `sending`: claimed by a delivery run that is handing it over right now, or left so by a crash;
- `sent`: the server accepted it (or the .eml file is in the folder);
- `failed`: it will not go (a 5xx refusal, no valid address, `max_attempts` temporary refusals,
  or withdrawn because it is no longer needed), with a `failures` row unless withdrawn;
- `uncertain`: it was handed over whole but its acceptance was never heard, so the server may have
  it; never sent again by itself, with a `failures` row. An admin who finds that it did not
  arrive sends it again with `baocao resend OUTBOX_ID` (`resend`).

At most once per dedupe key. A row is claimed (`pending` -> `sending`, attempts + 1,
`next_attempt_at` = the moment the attempt began) and committed durably (`store.outbox.claim`:
synced to disk even across a power cut) before the SMTP transaction starts; it becomes `sent`
right after the server accepts it. Only a refusal heard before the mail was handed over whole
(a 4xx to MAIL, RCPT or DATA, a 4xx after the data, a connection refused or lost before the end
of the data, a login refused) puts it back to `pending`: the server certainly does not have it.
Once the final "." of the data has gone out, a missing reply (the connection dropped, the reply
timed out) makes it `uncertain` (`UncertainError`), with the server's last words in its failure
row (reason `UNCERTAIN`).

The crash rule is the same case: if the process dies between the claim and `sent`, nobody knows
whether the server has the mail. At the next `deliver` (once the attempt is older than
`STALE_SENDING`, so a concurrent run is not disturbed) the row becomes `uncertain` with the reason
"interrupted while sending" and a `failures` row (stage `send`). A school never gets a second copy
of a reminder because of a crash or a lost reply; at worst it gets none, visibly.

Errors: 4xx replies and connection errors before the end of the data put the row back to
`pending` with exponential backoff (`BACKOFF` doubling, capped) until `[outbox] max_attempts`; a
5xx reply fails the row at once with the server's words and a `failures` row. A mail refused for
some of its recipients only is `sent`, with the refusals recorded as a failure.

This module holds the rules; the rows' reads and writes are store/outbox.py, and the ways a mail
leaves (SMTP, a folder) are compile/transport.py.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from compile import transport as transports
from compile.common import iso, parse_time
from compile.mail import as_bytes
from store import outbox as rows
from store.db import Database
from store.errors import ConnectError, PermanentError, TransientError, UncertainError, UsageError
from store.config import Config

log = logging.getLogger("baocao.outbox")

BACKOFF = dt.timedelta(minutes=5)
BACKOFF_MAX = dt.timedelta(hours=6)
STALE_SENDING = dt.timedelta(minutes=10)
INTERRUPTED = "interrupted while sending"
INTERRUPTED_DETAIL = "the process stopped after the claim: the server may or may not have the mail; not retried automatically"
UNCERTAIN = "no reply after the mail was sent: the server may have it"
RESENT = "an admin asked to send it again"
RESENDABLE = ("failed", "uncertain")


@dataclass(frozen=True)
class DeliveryResult:
    sent: int
    failed: int
    pending: int          # rows still waiting (retry later) after this run
    error: str = ""       # a connection-level problem (server down, login refused), for the job's exit code
    uncertain: int = 0    # rows made `uncertain` by this run (the server may have them), for an admin

    def words(self) -> str:
        """'sent 3, failed 0, pending 1' (', uncertain N' when there are some), for a command's line."""
        return (f"sent {self.sent}, failed {self.failed}, pending {self.pending}"
                + (f", uncertain {self.uncertain}" if self.uncertain else ""))


# ---------------------------------------------------------------- queueing

def add(db: Database, cfg: Config, kind: str, dedupe_key: str, msg, now: dt.datetime,
        status: str = "pending", error: str = "") -> int | None:
    """Insert one mail; None when a row with this dedupe key exists (it was queued before).

    `status='failed'` with `error` records a mail that cannot go (e.g. a unit without a valid
    address) so it is visible in v_outbox and v_failures instead of silently missing."""
    mail = prepare(cfg, kind, dedupe_key, msg, now, status, error)
    return added(rows.add(db, mail), mail)


def prepare(cfg: Config, kind: str, dedupe_key: str, msg, now: dt.datetime, status: str = "pending",
            error: str = "") -> rows.NewMail:
    """The row `add` inserts, for a caller that inserts it in a transaction of its own."""
    envelope = ", ".join(str(msg.get(h, "") or "") for h in ("To", "Cc") if msg.get(h))   # Cc is delivered too
    return rows.NewMail(kind=kind, dedupe_key=dedupe_key, recipients=envelope,
                        subject=str(msg["Subject"]), header_message_id=str(msg["Message-ID"]),
                        mime=as_bytes(msg), created_at=iso(cfg, now), status=status, error=error,
                        failure_reason=error.split(":", 1)[0] if status == "failed" else "")


def added(row_id: int | None, mail: rows.NewMail) -> int | None:
    """After a prepared row was inserted: a mail that cannot go is logged as an error."""
    if row_id is not None and mail.status == "failed":
        log.error("outbox %s (%s): not sendable: %s", row_id, mail.dedupe_key, mail.error)
    return row_id


def exists(db: Database, dedupe_key: str) -> bool:
    return rows.exists(db, dedupe_key)


# ---------------------------------------------------------------- delivery

def deliver(db: Database, cfg: Config, now: dt.datetime) -> DeliveryResult:
    """Send every due `pending` row once; see the module docstring for the rules."""
    uncertain = _interrupted(db, cfg, now)
    due = [r for r in rows.pending(db) if _is_due(cfg, r.next_attempt_at, now)]
    sent, failed, error = 0, 0, ""
    with transports.for_config(cfg) as transport:
        for row in due:
            if not _claim(db, cfg, row.id, now):
                continue
            to = tuple(a.strip() for a in row.recipients.split(",") if a.strip())
            try:
                refused = transport.send(transports.Envelope(row.id, row.kind, to, bytes(row.mime)))
            except UncertainError as exc:
                _mark_uncertain(db, cfg, row.id, UNCERTAIN, str(exc), now)
                uncertain += 1
            except PermanentError as exc:
                _mark_failed(db, cfg, row.id, "refused by the server", str(exc), now)
                failed += 1
            except TransientError as exc:
                error = str(exc)
                failed += _retry_later(db, cfg, row.id, str(exc), now)
                if isinstance(exc, ConnectError):
                    break  # the others stay pending, untouched, for the next run
            else:
                _mark_sent(db, cfg, row.id, now)
                sent += 1
                if refused:
                    _failure(db, cfg, row.id, "some recipients refused", refused, now)
    return DeliveryResult(sent=sent, failed=failed, pending=rows.count_pending(db), error=error,
                          uncertain=uncertain)


def _is_due(cfg: Config, next_attempt_at: str | None, now: dt.datetime) -> bool:
    when = parse_time(cfg, next_attempt_at)
    return when is None or when <= now


def _claim(db: Database, cfg: Config, row_id: int, now: dt.datetime) -> bool:
    """pending -> sending, committed durably before any byte goes out (at most once's first half)."""
    return rows.claim(db, row_id, iso(cfg, now))


def _mark_sent(db: Database, cfg: Config, row_id: int, now: dt.datetime) -> None:
    # Unconditional: the server accepted it, whatever a concurrent run concluded meanwhile.
    rows.mark_sent(db, row_id, iso(cfg, now))


def _mark_failed(db: Database, cfg: Config, row_id: int, reason: str, detail: str,
                 now: dt.datetime) -> None:
    rows.mark_failed(db, row_id, reason, detail, iso(cfg, now))
    log.error("outbox %s: failed: %s: %s", row_id, reason, detail)


def _retry_later(db: Database, cfg: Config, row_id: int, detail: str, now: dt.datetime) -> int:
    """Back to pending with backoff, or failed after max_attempts; returns 1 when it failed."""
    attempts = rows.attempts(db, row_id)
    if attempts >= cfg.outbox.max_attempts:
        _mark_failed(db, cfg, row_id, f"gave up after {attempts} attempts", detail, now)
        return 1
    wait = min(BACKOFF * (2 ** (attempts - 1)), BACKOFF_MAX)
    rows.retry_at(db, row_id, detail, iso(cfg, now + wait))
    log.warning("outbox %s: attempt %s failed (%s); next try at %s", row_id, attempts, detail,
                iso(cfg, now + wait))
    return 0


def _mark_uncertain(db: Database, cfg: Config, row_id: int, reason: str, detail: str,
                    now: dt.datetime) -> None:
    rows.mark_uncertain(db, row_id, reason, detail, iso(cfg, now))
    log.error("outbox %s: uncertain, not sent again automatically: %s: %s", row_id, reason, detail)


def _interrupted(db: Database, cfg: Config, now: dt.datetime) -> int:
    """Rows left `sending` by a crash become uncertain (never resent automatically)."""
    count = 0
    for row_id, started in rows.sending(db):
        began = parse_time(cfg, started)
        if began is not None and now - began < STALE_SENDING:
            continue  # another run may be sending it right now
        _mark_uncertain(db, cfg, row_id, INTERRUPTED, INTERRUPTED_DETAIL, now)
        count += 1
    return count


def _failure(db: Database, cfg: Config, row_id: int, reason: str, detail: str,
             now: dt.datetime) -> None:
    rows.record_failure(db, row_id, reason, detail, iso(cfg, now))


# ---------------------------------------------------------------- an admin's decision

def resend(db: Database, cfg: Config, row_id: int, now: dt.datetime) -> str:
    """An admin sends a `failed` or `uncertain` row again on purpose: back to `pending`, attempts
    reset, due at once, its failures resolved with a note that an admin asked. Returns the status
    it had; `UsageError` for a row that is sent, pending, sending or unknown."""
    before = rows.status(db, row_id)
    if before is None:
        raise UsageError(f"resend: no outbox row {row_id}")
    if before not in RESENDABLE:
        raise UsageError(f"resend: outbox row {row_id} is {before}; only a failed or uncertain row is sent again")
    note = f"{RESENT} at {iso(cfg, now)} (it was {before})"
    if not rows.requeue(db, row_id, note, iso(cfg, now)):
        raise UsageError(f"resend: outbox row {row_id} changed meanwhile; look again")
    log.warning("outbox %s: %s (it was %s)", row_id, RESENT, before)
    return before
