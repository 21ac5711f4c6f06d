"""The poll: take what the mailbox has, then read what the store says is left.

"Nothing is lost, nothing stops" is the structure, not a promise:
1. taking mail (`take`, a batch at a time: `Arrivals`) is archiving the raw bytes
   (`ingest.archive`, fsynced), then committing the rows that make the messages exist from the
   bytes alone (hash, archive path, size, source, UID, and the few headers a bounded,
   non-recursive read finds: `parsers.headers.read_headers`) with their UIDs' seen marks, in one
   transaction — before any decoding;
2. reading is whatever `processed_at` says is left (`ingest.recording`): one per-message
   boundary each, whose failure is a row whatever the exception, and a quarantine for a message
   that keeps killing the process;
Only operations problems pass the boundary (a locked or read-only store, a full disk): they
stop the poll with one line, and the message is taken or read again next time.

This module is what every poll loads. The reading half (the MIME decoder, the parsers, the
classifier) is imported only when a message is left to read, so a poll with nothing new costs
the interpreter, the configuration, one query and one IMAP round trip.
"""
from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import time
from typing import TYPE_CHECKING, Any, Callable

from ingest import archive, sources
from ingest.sources import FetchedMessage, MailSource
from parsers.headers import Headers, iso_date, read_headers
from store import messages as store
from store.config import Config
from store.db import Database, operational
from store.errors import StoreError
from store.records import PollResult

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor
    from pathlib import Path

    from parsers.mime import ParsedMessage

log = logging.getLogger("baocao.ingest")


def open_source(cfg: Config) -> MailSource:
    return sources.open_source(cfg.mailbox)


def poll(db: Database, cfg: Config, now: dt.datetime, source: MailSource | None = None,
         stop: Any = None, progress: Any = None) -> PollResult:
    """Take every new message from the mailbox, then read every message recorded and not yet
    processed. `stop()` returning True ends after the message in hand; `progress(result)` is
    called after each message is recorded.

    Two steps, and the store's state between them: taking a message is archiving its bytes,
    committing its row and marking its UID seen (`take`: nothing else, so a back-fill fetches at
    the mailbox's pace in bounded memory); reading is whatever `processed_at` says is left
    (`recording.process_pending`), which is also what a crash left. A mailbox that fails mid-way still has
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
    if (stop is None or not stop()) and store.unprocessed_ids(db):
        from ingest import recording   # the reading half (decoding, parsers, classifier): only when needed
        recording.process_pending(db, cfg, now, stop, progress, result)
    result.by_status = {}
    for message_id in dict.fromkeys(result.taken + result.processed):
        status = store.status_of(db, message_id)
        result.by_status[status] = result.by_status.get(status, 0) + 1
    result.failed = result.by_status.get("failed", 0)
    result.seconds = time.monotonic() - started
    if stopped is not None:
        raise stopped
    return result


def take(db: Database, cfg: Config, now: dt.datetime, source: MailSource | None = None,
         stop: Any = None, result: PollResult | None = None) -> PollResult:
    """Archive and record every new message of the mailbox, marking each seen once its row is
    committed; batch by batch (`Arrivals`). Raises the source's error (after recording it and
    committing what it gave before) or the store's, as one line."""
    result = result or PollResult()
    src = source or open_source(cfg)
    seen = store.StoreSeen(db, src.name, now)
    arrivals = Arrivals(db, cfg, seen, now, result)
    try:
        try:
            for fetched in src.fetch_new(arrivals.index):
                arrivals.add(fetched)
                if stop is not None and stop():
                    break
        finally:
            try:
                arrivals.commit()        # what the source gave before it stopped is kept
            finally:
                arrivals.close()
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


class Arrivals:
    """The messages taken from the source and not yet recorded, a batch at a time, in two
    overlapping stages: a full batch's files are written and fsynced by a pool of threads
    (`archive.store`: an fsync waits on the disk, not the processor, and the file system's journal
    commits several together), and while they are written the source hands over the next batch;
    when that one is full, the first one's rows and seen marks are committed in one transaction
    (`store.messages.take_all`) and the second one's files are sent to the writers. One commit
    per batch instead of one per message, the fsyncs in parallel, and the network, the disk and
    the processor busy at once. A crash before a batch's commit leaves all of it unseen, so the
    next poll takes it again (the archive is content-addressed: a file already written is the
    same file).

    The source reads and writes the store's index through `index`, which records everything in
    hand first: whenever the source looks, every message it yielded is recorded (the `MailSource`
    protocol), and its last act, recording the folder's state, follows the last commit. A batch
    is full at `[mailbox] batch_size` messages or BATCH_BYTES."""

    BATCH_BYTES = 32 * 2**20

    def __init__(self, db: Database, cfg: Config, seen: store.StoreSeen, now: dt.datetime, result: PollResult):
        self.db, self.cfg, self.seen, self.now, self.result = db, cfg, seen, now, result
        self.pending: list[FetchedMessage] = []
        self.size = 0
        self.writing: list[tuple[FetchedMessage, Headers, Future[tuple[str, Path]]]] = []
        self.index = CommittingIndex(seen, self.commit)
        self._writers: ThreadPoolExecutor | None = None

    def add(self, fetched: FetchedMessage) -> None:
        self.pending.append(fetched)
        self.size += len(fetched.raw)
        if len(self.pending) >= self.cfg.mailbox.batch_size or self.size >= self.BATCH_BYTES:
            self._send()

    def commit(self) -> None:
        """Record everything in hand: the batch being written, then the batch being gathered."""
        self._send()
        self._record()

    def close(self) -> None:
        if self._writers is not None:
            self._writers.shutdown()
            self._writers = None

    def _send(self) -> None:
        """Record the batch whose files are being written, then send the gathered one's."""
        self._record()
        batch, self.pending, self.size = self.pending, [], 0
        if not batch:
            return
        if self._writers is None:   # made at the first message: a poll with nothing new needs no threads
            from concurrent.futures import ThreadPoolExecutor
            self._writers = ThreadPoolExecutor(archive.WRITERS, thread_name_prefix="baocao-archive")
        root, writers = self.cfg.archive_path, self._writers
        files = [writers.submit(archive.store, root, fetched.raw) for fetched in batch]
        # the headers are read here, while the files are written
        self.writing = [(fetched, read_headers(fetched.raw), file) for fetched, file in zip(batch, files)]

    def _record(self) -> None:
        batch, self.writing = self.writing, []
        if not batch:
            return
        try:
            rows = []
            for fetched, head, file in batch:
                sha, path = file.result()
                rows.append((_intake_row(self.cfg, fetched, head, sha, path, self.now), fetched.uidvalidity, fetched.uid))
            ids = store.take_all(self.db, self.seen, rows)
        except BaseException:
            self.pending, self.size = [], 0   # nothing after a batch that could not be recorded is
            raise
        self.result.fetched += len(ids)
        self.result.taken.extend(ids)


class CommittingIndex:
    """The store's `SeenIndex` as a source sees it while a batch is in hand: every question and
    every record commits the batch first (see `Arrivals`)."""

    def __init__(self, seen: store.StoreSeen, commit: Callable[[], None]):
        self._seen, self._commit = seen, commit

    def _ready(self) -> store.StoreSeen:
        self._commit()
        return self._seen

    def uidvalidity(self) -> int | None:
        return self._ready().uidvalidity()

    def uidnext(self) -> int | None:
        return self._ready().uidnext()

    def last_uid(self, uidvalidity: int) -> int:
        return self._ready().last_uid(uidvalidity)

    def is_seen(self, uidvalidity: int, uid: str) -> bool:
        return self._ready().is_seen(uidvalidity, uid)

    def seen_keys(self, uidvalidity: int) -> set[str]:
        return self._ready().seen_keys(uidvalidity)

    def copies(self, header_message_id: str) -> list[tuple[int | None, str]]:
        return self._ready().copies(header_message_id)

    def pair(self, uidvalidity: int, uid: str, sha256: str) -> None:
        self._ready().pair(uidvalidity, uid, sha256)

    def forget(self, uidvalidity: int) -> None:
        self._ready().forget(uidvalidity)

    def refusals(self, uidvalidity: int) -> dict[str, int]:
        return self._ready().refusals(uidvalidity)

    def refused(self, uidvalidity: int, uid: str, words: str, limit: int) -> int:
        return self._ready().refused(uidvalidity, uid, words, limit)

    def vanished(self, uidvalidity: int, uid: str) -> None:
        self._ready().vanished(uidvalidity, uid)

    def set_state(self, uidvalidity: int, uidnext: int | None) -> None:
        self._ready().set_state(uidvalidity, uidnext)


def arrive(db: Database, cfg: Config, fetched: FetchedMessage, now: dt.datetime) -> int:
    """Archive the bytes (fsync), then commit the row that makes the message exist, from the bytes
    alone: before any decoding. A byte-identical copy is the message already there."""
    sha, path = archive.store(cfg.archive_path, fetched.raw)
    return store.insert_message(db, _intake_row(cfg, fetched, read_headers(fetched.raw), sha, path, now))


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


def ingest_one(db: Database, cfg: Config, fetched: FetchedMessage, now: dt.datetime) -> int:
    """Archive and record one message, then process it (unless it was already). Returns the
    store's message id. Raises only for operations problems (archive or store unusable)."""
    message_id = arrive(db, cfg, fetched, now)
    row = store.get_message(db, message_id)
    if row is not None and row["processed_at"] is None:
        from ingest import recording
        recording.process(db, cfg, message_id, now, raw=fetched.raw)
    return message_id


def _intake_row(cfg: Config, fetched: FetchedMessage, head: Headers, sha: str, path: Any,
                now: dt.datetime) -> dict[str, Any]:
    """The row that makes the message exist, from the bytes alone (`head`: the headers, bounded)."""
    when, how = received_at(cfg, fetched, head, now)
    return {"sha256": sha, "header_message_id": head.header_message_id, "from_addr": head.from_addr,
            "from_name": head.from_name, "subject": head.subject[:2000],
            "date_header": iso_date(head.date), "received_at": when.isoformat(timespec="seconds"),
            "received_how": how, "raw_path": str(path), "size": len(fetched.raw),
            "source": fetched.source, "source_uid": f"{fetched.uidvalidity}:{fetched.uid}",
            "created_at": now.isoformat(timespec="seconds")}
