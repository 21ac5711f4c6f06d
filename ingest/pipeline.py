"""The poll: fetch → archive → record → decode → classify → parse → store, one message at a time.

"Nothing is lost, nothing stops" is the structure, not a promise:
1. the raw bytes are archived (`ingest.archive`), then the message row is committed from the
   bytes alone (hash, archive path, size, source, UID, and the few headers a bounded,
   non-recursive read finds: `parsers.headers.read_headers`) — before any decoding;
2. everything after that runs in `process`, one per-message boundary: the attempt is counted
   first (committed), the decode happens in a worker with CPU-time and memory limits
   (`ingest.decode`), and any exception whatever — RecursionError, MemoryError, OverflowError,
   UnicodeError, a bug — becomes a `failed` row with the stage it reached and the reason;
3. a message whose attempts keep killing the process itself (a crash of the interpreter, the
   kernel's memory killer, a hang ended by a supervisor) is quarantined after
   `[intake] quarantine_after` attempts: recorded as failed, marked seen, and the poll goes on.
Only operations problems pass the boundary (a locked or read-only store, a full disk): they
stop the poll with one line, the message stays unseen and is taken again next time.
`process` reads only the archive, so `reprocess` is the same code.
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
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from ingest import archive, classify, sources
from ingest.account import MAX_CHARS as account_chars, account
from ingest.decode import DecodeFailed, DecodeLimits, decode
from ingest.sources import FetchedMessage, MailSource
from parsers import authres, vocabulary
from parsers.depth import FULL, Reading
from parsers.bounds import Limits
from parsers.headers import Headers, read_headers
from parsers.mime import ParsedMessage, unquoted
from store import messages as store
from store.config import Config
from store.domain import Report
from store.db import operational
from store.errors import ArchiveError, StoreError
from store.records import (KIND_RANK, OCR_RANK, OTHER_RANK, Case, Failure, FileProblem, FileRead, Outcome,
                           ParsedReport, value_rank)

log = logging.getLogger("baocao.ingest")

IMAGE_TYPES = ("image/",)
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic")


@dataclass
class PollResult:
    fetched: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    seconds: float = 0.0
    expected: int | None = None       # messages to read (for a progress bar)
    taken: list[int] = field(default_factory=list)       # message ids taken from the source
    processed: list[int] = field(default_factory=list)   # message ids read and recorded


def open_source(cfg: Config) -> MailSource:
    return sources.open_source(cfg.mailbox)


def poll(db: sqlite_utils.Database, cfg: Config, now: dt.datetime, source: MailSource | None = None,
         stop: Any = None, progress: Any = None) -> PollResult:
    """Take every new message from the mailbox, then read every message recorded and not yet
    processed. `stop()` returning True ends after the message in hand; `progress(result)` is
    called after each message is recorded.

    Two steps, and the store's state between them: taking a message is archiving its bytes,
    committing its row and marking its UID seen (`take`: nothing else, so a back-fill fetches at
    the mailbox's pace in bounded memory); reading is whatever `processed_at` says is left
    (`process_pending`), which is also what a crash left. A mailbox that fails mid-way still has
    what it gave read before the poll says why it stopped."""
    started = time.monotonic()
    archive.clean_temporary(cfg.archive_path)
    result = PollResult()
    stopped: Exception | None = None
    try:
        take(db, cfg, now, source, stop, result)
    except StoreError:
        raise                                  # the store itself: nothing more can be recorded
    except Exception as exc:
        stopped = exc
    if stop is None or not stop():
        process_pending(db, cfg, now, stop, progress, result)
    result.by_status = {}
    for message_id in dict.fromkeys(result.taken + result.processed):
        status = store.status_of(db, message_id)
        result.by_status[status] = result.by_status.get(status, 0) + 1
    result.failed = result.by_status.get("failed", 0)
    result.seconds = time.monotonic() - started
    if stopped is not None:
        raise stopped
    return result


def take(db: sqlite_utils.Database, cfg: Config, now: dt.datetime, source: MailSource | None = None,
         stop: Any = None, result: PollResult | None = None) -> PollResult:
    """Archive and record every new message of the mailbox, marking each seen once its row is
    committed. Raises the source's error (after recording it) or the store's, as one line."""
    result = result or PollResult()
    src = source or open_source(cfg)
    seen = store.StoreSeen(db, src.name, now)
    try:
        for fetched in src.fetch_new(seen):
            message_id = arrive(db, cfg, fetched, now)
            seen.mark(fetched.uidvalidity, fetched.uid, message_id)
            result.fetched += 1
            result.taken.append(message_id)
            if stop is not None and stop():
                break
    except Exception as exc:
        problem = operational(exc, cfg.store_path)
        try:
            seen.record_error(str(problem or f"{type(exc).__name__}: {exc}")[:500])
        except sqlite3.Error:
            pass  # the store itself is the problem: the one line below says so
        if problem is not None:
            raise problem from None
        raise
    finally:
        if source is None:
            src.close()
    return result


def arrive(db: sqlite_utils.Database, cfg: Config, fetched: FetchedMessage, now: dt.datetime) -> int:
    """Archive the bytes (fsync), then commit the row that makes the message exist, from the bytes
    alone: before any decoding. A byte-identical copy is the message already there."""
    sha, path = archive.store(cfg.archive_path, fetched.raw)
    existing = store.find_by_sha(db, sha)
    if existing:
        return int(existing["id"])
    return store.insert_message(db, _intake_row(cfg, fetched, sha, path, now))


def process_pending(db: sqlite_utils.Database, cfg: Config, now: dt.datetime, stop: Any = None,
                    progress: Any = None, result: PollResult | None = None) -> PollResult:
    """Read and record every message whose processing never finished, oldest first.

    Messages are read `[parsing] workers` at a time (`read` in threads, each waiting on its own
    worker process) and recorded one by one in order, each in one transaction. A message whose
    earlier attempt was interrupted (a crash, a kill) is a suspect: suspects are read alone, so
    the attempts counted against a message are its own and a poison mail is the one quarantined."""
    result = result or PollResult()
    vocabulary.use(cfg)
    facts = StoreFacts.of(db)
    pending = store.unprocessed_ids(db)
    result.expected = len(pending)
    suspects = [mid for mid, attempts in pending if attempts]
    fresh = [mid for mid, attempts in pending if not attempts]
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
            _bounded(db, cfg, row, now, lambda: read(cfg, row, None, facts, progress=_Progress(db, message_id)))
        recorded(message_id)
    _read_in_parallel(db, cfg, now, fresh, facts, stop, recorded)
    return result


def _read_in_parallel(db: sqlite_utils.Database, cfg: Config, now: dt.datetime, ids: list[int],
                      facts: StoreFacts, stop: Any, recorded: Any) -> None:
    width = cfg.parsing.threads
    inflight: deque[tuple[int, Any]] = deque()

    def settle_oldest() -> None:
        message_id, pending = inflight.popleft()
        if pending is not None:
            row, future = pending
            _bounded(db, cfg, row, now, future.result)
        recorded(message_id)

    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="baocao-read") as readers:
        try:
            for message_id in ids:
                if stop is not None and stop():
                    break
                row = _begin(db, cfg, message_id, now)
                future = None if row is None else readers.submit(read, cfg, row, None, facts)
                inflight.append((message_id, None if row is None else (row, future)))
                while len(inflight) > width or (inflight and _ready(inflight[0])):
                    settle_oldest()
        finally:
            _settle_or_abandon(db, inflight, settle_oldest)


def _ready(item: tuple[int, Any]) -> bool:
    return item[1] is None or item[1][1].done()


def _settle_or_abandon(db: sqlite_utils.Database, inflight: deque, settle: Any) -> None:
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
                    _abandon(db, message_id)
            inflight.clear()
            raise


def received_at(cfg: Config, fetched: FetchedMessage, head: Headers | ParsedMessage,
                now: dt.datetime) -> tuple[dt.datetime, str]:
    for when, how in ((fetched.internaldate, "internaldate"), (head.received_date, "received-header"),
                      (head.date, "date-header")):
        if when is not None:
            try:
                aware = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
                return aware.astimezone(cfg.timezone), how
            except (OverflowError, ValueError):
                continue
    return now.astimezone(cfg.timezone), "poll-time"


def ingest_one(db: sqlite_utils.Database, cfg: Config, fetched: FetchedMessage, now: dt.datetime) -> int:
    """Archive and record one message, then process it (unless it was already). Returns the
    store's message id. Raises only for operations problems (archive or store unusable)."""
    message_id = arrive(db, cfg, fetched, now)
    row = store.get_message(db, message_id)
    if row is not None and row["processed_at"] is None:
        process(db, cfg, message_id, now, raw=fetched.raw)
    return message_id


def _intake_row(cfg: Config, fetched: FetchedMessage, sha: str, path: Any, now: dt.datetime) -> dict[str, Any]:
    """The row that makes the message exist, from the bytes alone (the headers bounded)."""
    head = read_headers(fetched.raw)
    when, how = received_at(cfg, fetched, head, now)
    return {"sha256": sha, "header_message_id": head.header_message_id, "from_addr": head.from_addr,
            "from_name": head.from_name, "subject": head.subject[:2000],
            "date_header": _iso(head.date), "received_at": when.isoformat(timespec="seconds"),
            "received_how": how, "raw_path": str(path), "size": len(fetched.raw),
            "source": fetched.source, "source_uid": f"{fetched.uidvalidity}:{fetched.uid}",
            "created_at": now.isoformat(timespec="seconds")}


def _iso(when: dt.datetime | None) -> str | None:
    try:
        return when.isoformat() if when else None
    except (OverflowError, ValueError):
        return None


def decode_limits(cfg: Config) -> DecodeLimits:
    i = cfg.intake
    return DecodeLimits(mime=Limits(max_depth=i.max_depth, max_parts=i.max_parts,
                                    max_field=i.max_header_field_bytes),
                        cpu_seconds=i.decode_cpu_seconds, memory_mb=i.decode_memory_mb)


class _Progress:
    """The stage one attempt has reached, kept in the store (when given one) so a quarantine can
    name it. A reading in a thread keeps it in memory only: the store is the poll thread's."""

    def __init__(self, db: sqlite_utils.Database | None = None, message_id: int = 0):
        self.db, self.message_id, self.stage = db, message_id, "mime"

    def reached(self, stage: str) -> None:
        self.stage = stage
        if self.db is not None:
            store.reached(self.db, self.message_id, stage)


@dataclass(frozen=True)
class StoreFacts:
    """What reading a message needs from the store, looked up once per poll in the poll's
    thread: the senders an admin taught (`assign --remember-sender`)."""
    remembered: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, db: sqlite_utils.Database) -> StoreFacts:
        return cls(store.remembered_senders(db))


@dataclass(frozen=True)
class MailRead:
    """One message read: decoded, its files read against the report(s) it may be, decided."""
    parsed: ParsedMessage
    readings: dict[str, list[FileRead]]
    decision: classify.Decision
    read_all: bool = False
    stage: str = "classify"


class ReadFailed(Exception):
    """An exception while reading, with the stage it reached (the thread's progress)."""

    def __init__(self, stage: str, exc: Exception):
        super().__init__(str(exc))
        self.stage, self.exc = stage, exc


def process(db: sqlite_utils.Database, cfg: Config, message_id: int, now: dt.datetime,
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
    facts = StoreFacts.of(db)
    progress = _Progress(db, message_id)
    return _bounded(db, cfg, row, now, lambda: read(cfg, row, raw, facts, read_all, progress))


def _begin(db: sqlite_utils.Database, cfg: Config, message_id: int, now: dt.datetime) -> dict[str, Any] | None:
    """Count the attempt (committed before any decoding) and return the row; or quarantine a
    message whose attempts kept stopping the process, and return None."""
    row = store.get_message(db, message_id)
    if row is None:
        raise ValueError(f"no message {message_id} in the store")
    if row["attempts"] >= cfg.intake.quarantine_after:
        store.quarantine(db, message_id, int(row["attempts"]), row["stage"], now)
        log.error("message %s stopped the process %s times; quarantined", message_id, row["attempts"],
                  extra={"message_id": message_id, "stage": row["stage"]})
        return None
    store.begin_attempt(db, message_id, "mime")
    return row


def _bounded(db: sqlite_utils.Database, cfg: Config, row: dict[str, Any], now: dt.datetime,
             reading: Any) -> str:
    """The per-message boundary: `reading()` gives the MailRead (here, or from a thread), and
    its outcome is recorded; whatever fails on the way is the message's `failed` row."""
    message_id = int(row["id"])
    stage = "mime"
    try:
        try:
            mail = reading()
        except ReadFailed as failed:
            stage = failed.stage
            raise failed.exc from None
        stage = mail.stage
        return _record(db, cfg, row, mail, now)
    except Exception as exc:  # the boundary: every failure of this message is a row
        problem = operational(exc, cfg.store_path)
        if problem is not None:
            _abandon(db, message_id)
            raise problem from None
        return _record_failure(db, message_id, stage, exc, now)


def _abandon(db: sqlite_utils.Database, message_id: int) -> None:
    try:
        store.abandon_attempt(db, message_id)
    except sqlite3.Error:
        pass


def _record_failure(db: sqlite_utils.Database, message_id: int, stage: str, exc: Exception,
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


def _evidence(cfg: Config, facts: StoreFacts, row: dict[str, Any], parsed: ParsedMessage) -> classify.Evidence:
    remembered = facts.remembered
    own = tuple(a for a in (cfg.mailbox.username, cfg.outbox.sender, cfg.organisation.contact) if a)
    return classify.Evidence(
        subject=parsed.subject, from_addr=parsed.from_addr, from_name=parsed.from_name, body=parsed.body_text,
        filenames=tuple(a.filename for a in parsed.attachments),
        received=dt.datetime.fromisoformat(row["received_at"]).astimezone(cfg.timezone),
        automatic=parsed.automatic or ("mailing list" if parsed.list_mail and not parsed.attachments else None),
        forwarded_subjects=tuple(parsed.forwarded_subjects), forwarded_from=tuple(parsed.forwarded_from),
        own_addresses=own, remembered=remembered, from_problem=parsed.from_problem,
        authentication=authres.trusted(parsed.authentication, cfg.mailbox.authserv_id))


def _with_documents(ev: classify.Evidence, readings: dict[str, list[FileRead]]) -> classify.Evidence:
    """What the attached documents add: their stated unit and period, their text, and how many
    figures they give for each report they were read against (the fullest reading says which)."""
    counts = {code: _values_read(files) for code, files in readings.items()}
    best = max(counts, key=lambda code: counts[code]) if counts else None
    reports = [r for f in (readings[best] if best else []) for r in f.reports]
    return dataclasses.replace(
        ev, stated_units=tuple(r.stated_unit for r in reports if r.stated_unit),
        stated_periods=tuple(r.stated_period for r in reports if r.stated_period),
        document_text="\n".join(r.text[:3000] for r in reports if r.text),
        values_found=counts[best] if best else 0, values_report=best if best and counts[best] else None)


def _worth_parsing(cfg: Config, ev: classify.Evidence, kind: str, parsed: ParsedMessage) -> bool:
    """Whether the attachments may decide something. Mail that is not a report or an incident
    keeps its files archived but unread: machine-sent mail, newsletters and mailing lists, and
    mail carrying only pictures (OCR costs tens of seconds) when nothing names a report."""
    if kind != "ignored":
        return True
    if ev.automatic or parsed.list_mail:
        return False
    hint = classify.padded(" ".join((ev.subject, *ev.filenames)))
    document_hint = vocabulary.of(cfg).words("report_name")
    if all(_is_image(att) for att in parsed.attachments) and not any(f" {h} " in hint for h in document_hint):
        return False
    return any(f" {h} " in hint for h in document_hint) or len(classify.fold(ev.subject)) < 25


def _is_image(att: Any) -> bool:
    return att.declared_type.startswith(IMAGE_TYPES) or att.filename.lower().endswith(IMAGE_EXTENSIONS)


def _file(att: Any, reports: list[ParsedReport] | tuple[ParsedReport, ...] = ()) -> FileRead:
    return FileRead(filename=att.filename, safe_name=att.safe_name, declared_type=att.declared_type,
                    size=len(att.data), sha256=archive.digest(att.data), reports=tuple(reports))


def parse_attachments(cfg: Config, parsed: ParsedMessage, report: Report, read_all: bool = False,
                      period: Any = None) -> list[FileRead]:
    """Every attached file read against one report's form, in a worker with the intake's limits;
    past `[intake] max_files_read` files are archived and listed, not read.

    Only the work that can decide something is done (`parsers.depth`): the files are read in
    order of their worth as a source (`store.records.value_rank`); once the better ones have given
    every figure of the form, a later file is read for its evidence only (it could not change a
    value `v_values` shows); and scans are OCR'd only when no file gave a figure. `read_all`
    (`reprocess --ocr`) reads every file whole."""
    from parsers.archives import Limits as FileLimits
    limits = FileLimits(timeout_s=cfg.intake.parse_cpu_seconds, memory_mb=cfg.intake.parse_memory_mb)
    cap = cfg.intake.max_files_read
    chosen = parsed.attachments[:cap]
    if read_all:
        read = {i: _parse_one(att.filename, att.data, report, limits, Reading(period=period))
                for i, att in enumerate(chosen)}
    else:
        read = _read_by_worth(chosen, report, limits, period)
    out = [_file(att, read[i]) for i, att in enumerate(chosen)]
    if not _values_read(out) and any(ch.isdigit() for ch in parsed.body_text[:20_000]):
        body = _body_file(parsed, report, limits, period)   # the figures written in the mail itself
        if _values_read([body]):
            out.append(body)
    for att in parsed.attachments[cap:]:  # one worker per file would hold the poll
        out.append(_file(att, [ParsedReport(att.filename, "unknown", problems=[FileProblem(
            "not read: too many files in one mail", f"only the first {cap} attached files are read "
            "([intake] max_files_read)")])]))
    return out


def _body_file(parsed: ParsedMessage, report: Report, limits: Any, period: Any = None) -> FileRead:
    """The mail's own text read as a document, for a report (or a correction: "điều chỉnh chỉ
    tiêu … thành 15") written in the mail rather than attached. Read only when no file gave a
    figure, so a covering letter never competes with the form."""
    from parsers.registry import BODY_NAME
    data = unquoted(parsed.body_text)[:200_000].encode("utf-8")
    reports = _parse_one(BODY_NAME, data, report, limits, Reading(ocr=False, period=period))
    return FileRead(filename=BODY_NAME, safe_name="", declared_type="text/plain", size=len(data),
                    sha256=archive.digest(data), reports=tuple(reports))


def _read_by_worth(chosen: list[Any], report: Report, limits: Any, period: Any = None) -> dict[int, list[ParsedReport]]:
    codes = {ind.code for ind in report.indicators}
    best: dict[str, int] = {}          # indicator -> the best rank of a figure read so far
    givers: list[str] = []             # the files that gave figures, in reading order
    read: dict[int, list[ParsedReport]] = {}
    worth = [_worth(att) for att in chosen]      # each file's type sniffed once
    for i in sorted(range(len(chosen)), key=lambda i: worth[i]):
        att = chosen[i]
        if codes and givers and all(best.get(c, OCR_RANK * 10) < worth[i] for c in codes):
            reading = Reading(values=False, ocr=False, why=f"{', '.join(givers)} gave every figure of the form",
                              period=period)
        else:
            reading = Reading(ocr=False, period=period)
        read[i] = _parse_one(att.filename, att.data, report, limits, reading)
        gave = False
        for rep in read[i]:
            for v in rep.values:
                if v.number is not None:
                    best[v.indicator] = min(best.get(v.indicator, OCR_RANK * 10), value_rank(rep.detected_type, v.method))
                    gave = True
        if gave:
            givers.append(att.filename)
    for i, reports in read.items():
        if not any(r.deferred == "ocr" for r in reports):
            continue
        if not givers:                 # nothing else gave a figure: the scan is the report
            read[i] = _parse_one(chosen[i].filename, chosen[i].data, report, limits, Reading(period=period))
        else:
            for r in reports:
                if r.deferred == "ocr":
                    r.warnings.append(f"not read by OCR: {', '.join(givers)} gave the figures "
                                      "(`baocao reprocess MESSAGE --ocr` reads it)")
    return read


def _worth(att: Any) -> int:
    """The best rank a figure of this file could have: the order files are read in. Archives and
    attached mails first: what they hold is known only once they are opened."""
    from parsers.detect import ARCHIVE_TYPES, detect
    try:
        kind = detect(att.data, att.filename)
    except Exception:  # noqa: BLE001 - the reading itself will record what is wrong
        return OTHER_RANK
    if kind in ARCHIVE_TYPES or kind in ("tnef", "eml"):
        return 0
    return KIND_RANK.get(kind, OTHER_RANK)


def _parse_one(filename: str, data: bytes, report: Any, limits: Any, reading: Reading = FULL) -> list[ParsedReport]:
    from parsers.registry import parse_attachment
    try:
        return parse_attachment(filename, data, report, limits=limits, reading=reading)
    except Exception as exc:  # the registry should not raise; if it does, the file is a failure, not the poll
        log.exception("parser failed on %s", filename)
        return [ParsedReport(filename, "unknown", problems=[FileProblem("parser crashed", repr(exc)[:300])])]


# ---------------------------------------------------------------- facts → one decision → one outcome

def read(cfg: Config, row: dict[str, Any], raw: bytes | None, facts: StoreFacts, read_all: bool = False,
         progress: _Progress | None = None) -> MailRead:
    """Decode the message, read its files, decide: everything but the store, so it can run in a
    thread beside the poll. The files are read against the report the mail is about or, when
    nothing in the mail says which, against every configured report; the decision, made once
    with what the documents say, picks the reading it needs. Raises ReadFailed."""
    progress = progress or _Progress()
    try:
        if raw is None:
            raw = archive.load(row["raw_path"])
        parsed = decode(raw, decode_limits(cfg))
        progress.reached("classify")
        ev = _evidence(cfg, facts, row, parsed)
        kind, report, _ = classify.decide_kind(cfg, ev)
        readings: dict[str, list[FileRead]] = {}
        if (parsed.attachments or (kind == "report" and report is not None)) and _worth_parsing(cfg, ev, kind, parsed):
            progress.reached("parse")
            readings = {r.code: parse_attachments(cfg, parsed, r, read_all, _mail_period(r, ev))
                        for r in ([report] if report else cfg.reports)}
            ev = _with_documents(ev, readings)
            progress.reached("classify")
        return MailRead(parsed, readings, classify.decide(cfg, ev), read_all, progress.stage)
    except Exception as exc:
        raise ReadFailed(progress.stage, exc) from exc


def _mail_period(report: Report, ev: Any) -> Any:
    """The period the mail itself names (subject, file names, text), for a file holding two
    (`parsers.periods`); None when only the received date would say."""
    named = classify.named_period(report, ev)
    return None if named is None else next((p for p in report.periods if p.id == named[0]), None)


def _record(db: sqlite_utils.Database, cfg: Config, row: dict[str, Any], mail: MailRead, now: dt.datetime) -> str:
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
        return [_file(att) for att in parsed.attachments]          # archived, not parsed
    code = decision.report_code
    if code in readings:
        return readings[code]
    rep = cfg.report(code or "")
    if rep is not None:
        return parse_attachments(cfg, parsed, rep, read_all)
    return max(readings.values(), key=_values_read)                # no report: the fullest reading


def _values_read(files: list[FileRead]) -> int:
    return max((len({v.indicator for v in r.values if v.number is not None}) for f in files for r in f.reports),
               default=0)


def _outcome(db: sqlite_utils.Database, cfg: Config, row: dict[str, Any], parsed: ParsedMessage,
             decision: classify.Decision, files: list[FileRead]) -> Outcome:
    message_id = int(row["id"])
    fields: dict[str, Any] = {
        "status": decision.status, "status_why": decision.why, "unit_code": decision.unit_code,
        "unit_how": decision.unit_how, "sender_known": decision.sender_known,
        "report_code": decision.report_code, "period": decision.period, "period_how": decision.period_how,
        "flags": store.flags_json(decision.flags), "body_text": parsed.body_text[:100_000], "duplicate_of": None,
        # the full decode's reading of the headers replaces the bounded one taken at intake
        "header_message_id": parsed.header_message_id, "from_addr": parsed.from_addr,
        "from_name": parsed.from_name, "subject": parsed.subject[:2000], "date_header": _iso(parsed.date),
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
                                        _values_read(files), len(rep.indicators) if rep else 0, earlier)
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


def _duplicate_of(db: sqlite_utils.Database, message_id: int, parsed: ParsedMessage,
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
