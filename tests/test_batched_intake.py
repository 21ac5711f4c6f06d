"""Taking mail a batch at a time (`ingest.pipeline.Arrivals`): one commit per batch, the files
written in parallel, and the source's protocol kept: whenever a source looks at the store's
index, every message it yielded before is recorded."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ingest import archive, pipeline
from ingest.sources import FetchedMessage
from store.errors import ArchiveError, SourceError
from tests.mails import build


def fetched(i: int, raw: bytes | None = None) -> FetchedMessage:
    return FetchedMessage(source="fake:box", uidvalidity=7, uid=str(i),
                          raw=raw if raw is not None else build(subject=f"Báo cáo {i}", message_id=f"<m{i}@x>"),
                          internaldate=None)


class Source:
    """A source that yields `messages`, asks the index about each one it yielded so far at every
    `look_every`-th message (recording what it saw), and may fail after `fail_after`."""
    name = "fake:box"

    def __init__(self, messages: list[FetchedMessage], look_every: int = 0, fail_after: int | None = None):
        self.messages, self.look_every, self.fail_after = messages, look_every, fail_after
        self.looked: list[tuple[int, bool]] = []     # (how many yielded, all of them seen?)

    def fetch_new(self, seen):
        for n, message in enumerate(self.messages):
            if self.fail_after is not None and n == self.fail_after:
                raise SourceError("connection to mail.example dropped: reset by peer")
            if self.look_every and n and n % self.look_every == 0:
                self.looked.append((n, all(seen.is_seen(7, m.uid) for m in self.messages[:n])))
            yield message
        seen.set_state(7, len(self.messages) + 1)

    def close(self) -> None:
        pass


def seen_uids(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT uid FROM seen WHERE source = 'fake:box'")}


def test_whenever_the_source_looks_every_message_it_yielded_is_recorded(cfg, db, now) -> None:
    source = Source([fetched(i) for i in range(23)], look_every=4)
    result = pipeline.take(db, cfg, now, source)
    assert source.looked and all(ok for _, ok in source.looked)
    assert result.fetched == 23 and len(set(result.taken)) == 23
    assert seen_uids(db) == {str(i) for i in range(23)}
    # the state the source records last comes after the last commit
    assert db.execute("SELECT uidnext FROM source_state WHERE source = 'fake:box'").fetchone()[0] == 24


def test_a_batch_is_one_commit_at_batch_size(cfg, db, now, monkeypatch) -> None:
    commits = []
    real = pipeline.store.take_all
    monkeypatch.setattr(pipeline.store, "take_all", lambda db_, seen, rows: commits.append(len(rows)) or real(db_, seen, rows))
    pipeline.take(db, cfg, now, Source([fetched(i) for i in range(cfg.mailbox.batch_size * 2 + 3)]))
    assert commits == [cfg.mailbox.batch_size, cfg.mailbox.batch_size, 3]


def test_what_the_source_gave_before_it_failed_is_kept(cfg, db, now) -> None:
    with pytest.raises(SourceError):
        pipeline.take(db, cfg, now, Source([fetched(i) for i in range(9)], fail_after=5))
    assert seen_uids(db) == {"0", "1", "2", "3", "4"}
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 5
    assert "reset by peer" in db.execute("SELECT last_error FROM source_state").fetchone()[0]


def test_a_stop_keeps_the_message_in_hand(cfg, db, now) -> None:
    calls = iter(range(100))
    result = pipeline.take(db, cfg, now, Source([fetched(i) for i in range(9)]), stop=lambda: next(calls) >= 2)
    assert result.fetched == 3 and seen_uids(db) == {"0", "1", "2"}


def test_the_same_bytes_twice_in_one_batch_are_one_message_seen_under_both_uids(cfg, db, now) -> None:
    twin = build(subject="Báo cáo gửi hai lần", message_id="<twin@x>")
    result = pipeline.take(db, cfg, now, Source([fetched(1, twin), fetched(2), fetched(3, twin)]))
    assert result.taken[0] == result.taken[2] != result.taken[1]
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 2
    assert {r[0]: r[1] for r in db.execute("SELECT uid, message_id FROM seen")}["3"] == result.taken[0]


def test_a_batch_whose_files_cannot_be_written_is_not_recorded_and_stays_unseen(cfg, db, now, monkeypatch) -> None:
    real = archive.store

    def full_disk(root, raw):
        if b"<m4@x>" in raw:
            raise ArchiveError(f"archive: cannot write to {root}: No space left on device")
        return real(root, raw)
    monkeypatch.setattr(archive, "store", full_disk)
    size = cfg.mailbox.batch_size
    with pytest.raises(ArchiveError):
        pipeline.take(db, cfg, now, Source([fetched(i) for i in range(size + 5)]))
    assert seen_uids(db) == set() and db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    monkeypatch.setattr(archive, "store", real)
    assert pipeline.take(db, cfg, now, Source([fetched(i) for i in range(size + 5)])).fetched == size + 5


def test_two_writers_of_the_same_bytes_leave_one_file_and_no_temporary(tmp_path: Path) -> None:
    raw = build(subject="Cùng một thư", message_id="<same@x>") * 20
    start = threading.Barrier(8)
    out: list[tuple[str, Path]] = []

    def write() -> None:
        start.wait()
        out.append(archive.store(tmp_path, raw))
    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 1
    sha, path = out[0]
    assert path.read_bytes() == raw and archive.digest(path.read_bytes()) == sha
    assert not list((tmp_path / archive.TMP).iterdir())
