"""Recording what reading gave: the per-message boundary, one decision, one outcome.

The second step of a poll (`process_pending`) and `reprocess` (`process`) are this code:
1. the attempt is counted first (committed), so an attempt that kills the process is counted;
2. the message is read (`ingest.reading`: the decode in a worker with CPU-time and memory
   limits) and any exception whatever — RecursionError, MemoryError, OverflowError,
   UnicodeError, a bug — becomes a `failed` row with the stage it reached and the reason;
3. a message whose attempts keep killing the process itself (a crash of the interpreter, the
   kernel's memory killer, a hang ended by a supervisor) is quarantined after
   `[intake] quarantine_after` attempts: recorded as failed, and the poll goes on.
Only operations problems of the store pass the boundary: they stop the poll with one line, the
attempt is given back, and the message is read again next time. Reading uses only the archive.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sqlite3
import time
import traceback
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ingest import classify, reading
from ingest.account import MAX_CHARS as account_chars, account
from ingest.decode import DecodeFailed
from parsers import vocabulary
from parsers.headers import iso_date
from parsers.mime import ParsedMessage, unquoted
from store import messages as store
from store.config import Config
from store.db import Database, operational
from store.errors import ArchiveError
from store.records import Case, Failure, FileRead, Outcome, PollResult

log = logging.getLogger("baocao.ingest")


def process_pending(db: Database, cfg: Config, now: dt.datetime, stop: Any = None,
                    progress: Any = None, result: PollResult | None = None) -> PollResult:
    """Read and record every message whose processing never finished, oldest first.

    Messages are read `[parsing] workers` at a time (`read` in threads, each waiting on its own
    worker process) and recorded one by one in order, each in one transaction. A message whose
    earlier attempt was interrupted (a crash, a kill) is a suspect: suspects are read alone, and
    only an attempt alone is counted against a message, so the attempts that quarantine a message
    are its own: a poison mail is the one quarantined, and a mail that was only beside it when
    the process died (or in hand at a restart or two) is not."""
    result = result or PollResult()
    vocabulary.use(cfg)
    facts = reading.StoreFacts.of(db)
    pending = store.unprocessed_ids(db)
    result.expected = len(pending)
    suspects = [mid for mid, suspect in pending if suspect]
    fresh = [mid for mid, suspect in pending if not suspect]
    begun = time.monotonic()

    def recorded(message_id: int) -> None:
        result.processed.append(message_id)
        if progress is not None:
            result.seconds = time.monotonic() - begun
            progress(result)

    for message_id in suspects:
        if stop is not None and stop():
            return result
        row = _begin(db, cfg, message_id, now)
        if row is not None:
            _bounded(db, cfg, row, now, lambda: reading.read(cfg, row, None, facts, progress=reading.Stage(db, message_id)))
        recorded(message_id)
    _read_in_parallel(db, cfg, now, fresh, facts, stop, recorded)
    return result


def _read_in_parallel(db: Database, cfg: Config, now: dt.datetime, ids: list[int],
                      facts: reading.StoreFacts, stop: Any, recorded: Any) -> None:
    width = cfg.parsing.threads
    inflight: deque[tuple[int, Any]] = deque()

    def settle_oldest() -> None:
        message_id, pending = inflight.popleft()
        if pending is not None:
            row, future = pending
            _bounded(db, cfg, row, now, future.result, counted=False)
        recorded(message_id)

    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="baocao-read") as readers:
        try:
            for message_id in ids:
                if stop is not None and stop():
                    break
                row = _begin(db, cfg, message_id, now, counted=False)
                future = None if row is None else readers.submit(reading.read, cfg, row, None, facts)
                inflight.append((message_id, None if row is None else (row, future)))
                while len(inflight) > width or (inflight and _ready(inflight[0])):
                    settle_oldest()
        finally:
            _settle_or_abandon(db, inflight, settle_oldest)


def _ready(item: tuple[int, Any]) -> bool:
    return item[1] is None or item[1][1].done()


def _settle_or_abandon(db: Database, inflight: deque, settle: Any) -> None:
    """The messages in hand when reading stops: recorded (a `stop` does not waste their
    reading), unless the store itself failed: then their attempts are given back, and the next
    poll takes them again."""
    while inflight:
        try:
            settle()
        except BaseException:
            for message_id, pending in inflight:
                if pending is not None:
                    pending[1].cancel()
                    _abandon(db, message_id, counted=False)
            inflight.clear()
            raise


def process(db: Database, cfg: Config, message_id: int, now: dt.datetime,
            raw: bytes | None = None, retry: bool = False, read_all: bool = False) -> str:
    """Decide and parse one recorded message inside the per-message boundary. Returns the status.

    Every exception becomes a `failed` row with its stage, except operations problems of the
    store (they stop the poll with one line) and KeyboardInterrupt/SystemExit. `retry` (an
    admin's `reprocess`) gives a quarantined message a fresh count of attempts; `read_all`
    (`reprocess --ocr`) reads every file whole, scans included."""
    vocabulary.use(cfg)   # the configuration's words, here and in the workers (cached: cheap)
    if retry and store.get_message(db, message_id) is not None:
        store.reset_attempts(db, message_id)
    row = _begin(db, cfg, message_id, now)
    if row is None:
        return "failed"
    facts = reading.StoreFacts.of(db)
    progress = reading.Stage(db, message_id)
    return _bounded(db, cfg, row, now, lambda: reading.read(cfg, row, raw, facts, read_all, progress))


def _begin(db: Database, cfg: Config, message_id: int, now: dt.datetime,
           counted: bool = True) -> dict[str, Any] | None:
    """Count the attempt (committed before any decoding; an attempt beside others is only marked
    in hand) and return the row; or quarantine a message whose attempts alone kept stopping the
    process, and return None."""
    row = store.get_message(db, message_id)
    if row is None:
        raise ValueError(f"no message {message_id} in the store")
    if row["attempts"] >= cfg.intake.quarantine_after:
        store.quarantine(db, message_id, int(row["attempts"]), row["stage"], now)
        log.error("message %s stopped the process %s times when read alone; quarantined", message_id, row["attempts"],
                  extra={"message_id": message_id, "stage": row["stage"]})
        return None
    store.begin_attempt(db, message_id, "mime", counted)
    return row


def _bounded(db: Database, cfg: Config, row: dict[str, Any], now: dt.datetime,
             read_mail: Any, counted: bool = True) -> str:
    """The per-message boundary: `read_mail()` gives the MailRead (here, or from a thread), and
    its outcome is recorded; whatever fails on the way is the message's `failed` row."""
    message_id = int(row["id"])
    stage = "mime"
    try:
        try:
            mail = read_mail()
        except reading.ReadFailed as failed:
            stage = failed.stage
            raise failed.exc from None
        stage = mail.stage
        return _record(db, cfg, row, mail, now)
    except Exception as exc:  # the boundary: every failure of this message is a row
        problem = operational(exc, cfg.store_path)
        if problem is not None:
            _abandon(db, message_id, counted)
            raise problem from None
        return _record_failure(db, message_id, stage, exc, now)


def _abandon(db: Database, message_id: int, counted: bool = True) -> None:
    try:
        store.abandon_attempt(db, message_id, counted)
    except sqlite3.Error:
        pass


def _record_failure(db: Database, message_id: int, stage: str, exc: Exception,
                    now: dt.datetime) -> str:
    """The failed row for an exception inside the boundary: what the admin reads in `failures`."""
    if isinstance(exc, DecodeFailed):
        reason, detail, stage = exc.reason, exc.detail, "mime"
    elif isinstance(exc, ArchiveError):
        reason, detail, stage = "the archived mail cannot be read", str(exc), "mime"
    else:
        log.exception("message %s could not be processed", message_id,
                      extra={"message_id": message_id, "stage": stage})
        try:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        except Exception:  # noqa: BLE001 - an exception whose text itself fails
            detail = type(exc).__name__
        reason = "processing error (a bug: please report it)"
    try:
        store.save_outcome(db, store.failed(message_id, f"{reason}: {detail[:200]}",
                                            Failure(stage, reason, detail)), now)
    except Exception as again:  # noqa: BLE001
        problem = operational(again, "the store")
        if problem is not None:
            raise problem from None
        raise
    return "failed"


def _record(db: Database, cfg: Config, row: dict[str, Any], mail: reading.MailRead, now: dt.datetime) -> str:
    """One decision, one outcome, one transaction."""
    decision = mail.decision
    if row["assigned"]:
        decision = _keep_assignment(row, decision)
    files = _reading_for(cfg, mail.parsed, decision, mail.readings, mail.read_all)
    outcome = _outcome(db, cfg, row, mail.parsed, decision, files)
    store.save_outcome(db, outcome, now)
    log.info("message %s: %s %s %s %s (%s)", outcome.message_id, outcome.status, decision.report_code or "",
             decision.unit_code or "", decision.period or "", outcome.fields["status_why"],
             extra={"message_id": outcome.message_id, "unit": decision.unit_code, "stage": "classify"})
    return outcome.status


def _reading_for(cfg: Config, parsed: ParsedMessage, decision: classify.Decision,
                 readings: dict[str, list[FileRead]], read_all: bool = False) -> list[FileRead]:
    """The files as read against the decided report (read now if the decision named a report the
    files were not read against); the files unread when nothing was worth reading."""
    if not readings:
        return [reading.file_read(att) for att in parsed.attachments]          # archived, not parsed
    code = decision.report_code
    if code in readings:
        return readings[code]
    rep = cfg.report(code or "")
    if rep is not None:
        return reading.parse_attachments(cfg, parsed, rep, read_all)
    return max(readings.values(), key=reading.figures_read)                # no report: the fullest reading


def _outcome(db: Database, cfg: Config, row: dict[str, Any], parsed: ParsedMessage,
             decision: classify.Decision, files: list[FileRead]) -> Outcome:
    message_id = int(row["id"])
    fields: dict[str, Any] = {
        "status": decision.status, "status_why": decision.why, "unit_code": decision.unit_code,
        "unit_how": decision.unit_how, "sender_known": decision.sender_known,
        "report_code": decision.report_code, "period": decision.period, "period_how": decision.period_how,
        "flags": store.flags_json(decision.flags), "body_text": parsed.body_text[:100_000], "duplicate_of": None,
        # the full decode's reading of the headers replaces the bounded one taken at intake
        "header_message_id": parsed.header_message_id, "from_addr": parsed.from_addr,
        "from_name": parsed.from_name, "subject": parsed.subject[:2000], "date_header": iso_date(parsed.date),
        **replied_facts(parsed)}
    failures = _failures(files) if decision.status in ("report", "incident", "unplaced") else []
    dup, reused = _duplicate_of(db, message_id, parsed, decision, files)
    if dup:
        fields.update(status="duplicate", duplicate_of=dup, status_why=f"a copy of message {dup}")
    elif reused:
        fields.update(flags=store.flags_json((*decision.flags, "reused-message-id")),
                      status_why=f"{decision.why} (its Message-ID is message {reused}'s, with other content)")
    if fields["status"] == "report":
        earlier = store.has_earlier_report(db, message_id, decision.unit_code, decision.report_code, decision.period)
        rep = cfg.report(decision.report_code or "")
        kind, why = classify.submission(vocabulary.of(cfg), parsed.subject, unquoted(parsed.body_text),
                                        reading.figures_read(files), len(rep.indicators) if rep else 0, earlier)
        fields["submission"] = kind
        if kind == "supplement":
            fields["status_why"] = f"{fields['status_why']}; {why}"
    else:
        fields["submission"] = None
    if fields["status"] in ("ignored", "duplicate"):
        files = [dataclasses.replace(f, reports=()) for f in files]  # keep what arrived, store no values
    if not parsed.subject and not parsed.body_text.strip() and not parsed.attachments and parsed.defects:
        fields.update(status="failed", status_why="the message could not be decoded")
        failures.append(Failure("mime", "the message could not be decoded",
                                "defects: " + ", ".join(parsed.defects[:10])))
    case = _case(parsed, decision, files) if fields["status"] == "incident" else None
    return Outcome(message_id, fields, tuple(files), tuple(failures), case)


def replied_facts(parsed: ParsedMessage) -> dict[str, str | None]:
    """What a reply (a receipt) needs about the mail, kept on its row so nothing downstream
    re-reads the raw mail: why it must not be answered, and its thread."""
    return {"automatic": parsed.no_reply_reason, "thread_refs": " ".join(parsed.references)[:4000] or None}


def _case(parsed: ParsedMessage, decision: classify.Decision, files: list[FileRead]) -> Case:
    """The case: its unit, kind and date, and the unit's own account of it (`ingest.account`)."""
    documents = [r.text for f in files for r in f.reports if r.text]
    told = account(unquoted(parsed.body_text), documents)
    return Case(unit_code=decision.unit_code, category=decision.category or "khac",
                occurred_on=decision.occurred_on,
                summary=(told or parsed.subject or parsed.body_text[:200]).strip()[:account_chars],
                thread=tuple(r for r in (parsed.in_reply_to, *parsed.references) if r))


def _keep_assignment(row: dict[str, Any], decision: classify.Decision) -> classify.Decision:
    """An admin's `assign` outlives reprocessing."""
    return classify.Decision(
        status="report", why=f"assigned by an admin ({decision.why})", report_code=row["report_code"],
        unit_code=row["unit_code"], unit_how="assigned by an admin", sender_known=row["sender_known"],
        period=row["period"], period_how=row["period_how"] or "assigned by an admin", flags=decision.flags)


def _failures(files: list[FileRead]) -> list[Failure]:
    out = []
    for f in files:
        for rep in f.reports:
            # a file inside an archive is named by its path there; a top-level file by the sender's name
            fname = rep.filename if " › " in (rep.filename or "") else f.filename
            for problem in rep.problems:
                out.append(Failure("parse", f"{fname}: {problem.reason}", problem.detail or problem.reason, fname))
    return out


def _duplicate_of(db: Database, message_id: int, parsed: ParsedMessage,
                  decision: classify.Decision, files: list[FileRead]) -> tuple[int | None, int | None]:
    """(the message this one is a copy of, the message whose Message-ID it reuses for other content).

    A second delivery of the same mail (same Message-ID, and the same subject, sender, decoded
    text and attached files: what the mail says, not how it travelled) is a duplicate, and so are
    the same files resent for the same unit and period, whatever the subject says. A Message-ID
    alone proves nothing: some mailers give every mail the same one."""
    reused = None
    if parsed.header_message_id:
        mine = (parsed.subject[:2000], parsed.from_addr, parsed.body_text[:100_000], sorted(f.sha256 for f in files))
        for first in store.with_message_id(db, parsed.header_message_id, message_id):
            if store.content_of(db, first) == mine:
                return first, None
            reused = reused or first
    if decision.status != "report" or not files:
        return None, reused
    same = store.earlier_with_files(db, message_id, decision.unit_code, decision.report_code, decision.period,
                                    sorted(f.sha256 for f in files))
    return (same, None) if same is not None else (None, reused)
