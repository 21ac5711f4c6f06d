"""The per-message boundary: the row first, then any failure is a row, a process killer is
quarantined, and only operations problems stop the poll (with one line, the mail unseen)."""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from ingest import archive, pipeline, reading, recording, scratch
from parsers import headers
from parsers.bounds import Limits, sanitize
from parsers.mime import parse_message
from store.db import StoreError
from tests.mails import build, write_maildir

TZ = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2024, 7, 5, 8, 0, tzinfo=TZ)


def rows(db, sql: str, args=()) -> list[tuple]:
    return [tuple(r) for r in db.execute(sql, list(args)).fetchall()]


def maildir(cfg, mails: list[bytes]) -> None:
    write_maildir(Path(cfg.mailbox.path), mails)


def test_an_exception_in_decoding_is_a_failed_row_and_the_poll_goes_on(cfg, db, monkeypatch) -> None:
    maildir(cfg, [build(subject="độc", message_id="<a@x>"), build(message_id="<b@x>")])
    real = reading.decode

    def decode(raw, limits):
        if b"<a@x>" in raw:
            raise RecursionError("maximum recursion depth exceeded")
        return real(raw, limits)
    monkeypatch.setattr(reading, "decode", decode)
    result = pipeline.poll(db, cfg, NOW)
    assert result.fetched == 2
    got = rows(db, "SELECT header_message_id, status FROM v_messages ORDER BY message_id")
    assert got == [("<a@x>", "failed"), ("<b@x>", "report")]
    [(stage, reason, detail)] = rows(db, "SELECT stage, reason, detail FROM v_failures")
    assert stage == "mime" and "RecursionError" in detail and "bug" in reason
    # the row was recorded from the bytes alone: the subject is there although decoding failed
    assert rows(db, "SELECT subject FROM messages WHERE header_message_id = '<a@x>'") == [("độc",)]


@pytest.mark.parametrize("error", [MemoryError(), OverflowError("date value out of range"),
                                   UnicodeEncodeError("utf-8", "\udc80", 0, 1, "surrogates not allowed")])
def test_any_exception_in_classification_is_a_failed_row_with_its_stage(cfg, db, monkeypatch, error) -> None:
    maildir(cfg, [build()])

    def decide(*args, **kw):
        raise error
    monkeypatch.setattr(reading.classify, "decide", decide)
    pipeline.poll(db, cfg, NOW)
    assert rows(db, "SELECT status FROM v_messages") == [("failed",)]
    [(stage, detail)] = rows(db, "SELECT stage, detail FROM v_failures")
    assert stage == "classify" and type(error).__name__ in detail


def test_a_message_that_killed_the_process_twice_is_quarantined_then_reprocess_takes_it(cfg, db) -> None:
    raw = build(message_id="<poison@x>")
    maildir(cfg, [raw])
    sha, path = archive.store(cfg.archive_path, raw)
    mid = pipeline.store.insert_message(db, {
        "sha256": sha, "header_message_id": "<poison@x>", "from_addr": "", "from_name": "", "subject": "",
        "date_header": None, "received_at": NOW.isoformat(), "received_how": "poll-time", "raw_path": str(path),
        "size": len(raw), "created_at": NOW.isoformat()})
    db.execute("UPDATE messages SET attempts = 2, stage = 'parse' WHERE id = ?", [mid])  # two deaths
    result = pipeline.poll(db, cfg, NOW)
    assert result.by_status == {"failed": 1}
    [(stage, reason)] = rows(db, "SELECT stage, reason FROM v_failures")
    assert stage == "parse" and "quarantined" in reason and "2 times" in reason
    assert pipeline.poll(db, cfg, NOW).fetched == 0          # marked seen: the poll moves on
    assert recording.process(db, cfg, mid, NOW, retry=True) == "report"
    assert rows(db, "SELECT COUNT(*) FROM v_failures WHERE resolved_at IS NULL") == [(0,)]



def test_a_mail_beside_others_at_one_kill_and_alone_at_another_is_not_quarantined(cfg, db, monkeypatch) -> None:
    """Kills from outside (a restart, the memory killer) hit whatever is in hand: only the
    attempts a message had alone count towards its quarantine."""
    maildir(cfg, [build(message_id="<a@x>")])
    kills = []
    real = reading.classify.decide

    def decide(cfg_, ev):
        if len(kills) < 2:
            kills.append(1)
            raise SystemExit("killed from outside")
        return real(cfg_, ev)
    monkeypatch.setattr(reading.classify, "decide", decide)
    with pytest.raises(SystemExit):
        pipeline.poll(db, cfg, NOW)                 # read as fresh mail is read, beside others
    assert rows(db, "SELECT attempts, stage IS NOT NULL FROM messages") == [(0, 1)]
    with pytest.raises(SystemExit):
        pipeline.poll(db, cfg, NOW)                 # a suspect now: read alone, and killed again
    assert rows(db, "SELECT attempts FROM messages") == [(1,)]
    assert pipeline.poll(db, cfg, NOW).by_status == {"report": 1}


def test_each_attempt_is_counted_before_it_starts(cfg, db, monkeypatch) -> None:
    maildir(cfg, [build()])
    seen_attempts = []

    def decide(cfg_, ev):
        seen_attempts.append(rows(db, "SELECT attempts, stage FROM messages")[0])
        raise SystemExit("the process dies here")
    monkeypatch.setattr(reading.classify, "decide", decide)
    with pytest.raises(SystemExit):
        pipeline.poll(db, cfg, NOW)
    # read beside others (in threads, which keep the stage in memory), the message is marked in
    # hand, not counted: what it is beside could be what kills the process
    assert seen_attempts == [(0, "mime")]
    assert rows(db, "SELECT status, processed_at FROM messages") == [("new", None)]
    assert rows(db, "SELECT COUNT(*) FROM seen") == [(1,)]      # taken: the row is what says it is not read
    for attempt in (1, 2):
        seen_attempts.clear()
        with pytest.raises(SystemExit):
            pipeline.poll(db, cfg, NOW)         # a suspect is read alone, in the poll's thread: counted, the stage kept
        assert seen_attempts == [(attempt, "classify")]
    monkeypatch.undo()
    assert pipeline.poll(db, cfg, NOW).by_status == {"failed": 1}   # quarantined, and the poll goes on


def test_a_locked_store_at_save_stops_the_poll_with_one_line_and_the_mail_left_to_read(cfg, db, monkeypatch) -> None:
    maildir(cfg, [build()])

    def locked(*args, **kw):
        raise sqlite3.OperationalError("database is locked")
    monkeypatch.setattr(pipeline.store, "save_outcome", locked)
    with pytest.raises(StoreError) as err:
        pipeline.poll(db, cfg, NOW)
    assert "locked" in str(err.value) and str(cfg.store_path) in str(err.value) and "\n" not in str(err.value)
    assert rows(db, "SELECT status, attempts FROM messages") == [("new", 0)]   # not counted against the mail
    assert rows(db, "SELECT COUNT(*) FROM seen") == [(1,)]    # taken; `processed_at` says it is left to read
    monkeypatch.undo()
    assert pipeline.poll(db, cfg, NOW).by_status == {"report": 1}             # recovery


def test_an_incident_is_recorded_with_its_status_or_not_at_all(cfg, db, monkeypatch) -> None:
    maildir(cfg, [build(subject="Báo cáo nhanh vụ đuối nước tại trường", body="Ngày 03/7/2024 một học sinh bị đuối nước.")])

    def breaks(*args, **kw):
        raise RuntimeError("disk pulled mid-case")
    monkeypatch.setattr(pipeline.store.incidents, "record", breaks)
    pipeline.poll(db, cfg, NOW)
    assert rows(db, "SELECT status FROM v_messages") == [("failed",)]
    assert rows(db, "SELECT COUNT(*) FROM incidents") == [(0,)]
    monkeypatch.undo()
    mid = rows(db, "SELECT message_id FROM v_messages")[0][0]
    assert recording.process(db, cfg, mid, NOW, retry=True) == "incident"
    assert rows(db, "SELECT COUNT(*) FROM v_incidents") == [(1,)]


def test_a_newsletter_with_a_big_picture_is_archived_not_parsed(cfg, db, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(reading, "_parse_one", lambda *a, **k: calls.append(a[0]) or [])
    news = build(subject="Bản tin giáo dục tháng 7", sender="Tin tức <news@example.com>",
                 headers={"List-Unsubscribe": "<mailto:unsub@example.com>"},
                 files=[(b"\x89PNG\r\n\x1a\n" + bytes(2000), "anh.png", "image/png")])
    photo = build(subject="Ảnh hoạt động hè", sender="Ai đó <someone@example.com>",
                  files=[(b"\xff\xd8\xff" + bytes(2000), "hinh.jpg", "image/jpeg")], message_id="<p@x>")
    maildir(cfg, [news, photo])
    pipeline.poll(db, cfg, NOW)
    assert calls == []
    assert rows(db, "SELECT status FROM v_messages ORDER BY message_id") == [("ignored",), ("ignored",)]
    assert rows(db, "SELECT filename FROM attachments ORDER BY id") == [("anh.png",), ("hinh.jpg",)]


# ---------------------------------------------------------------- bounded decoding

def nested(depth: int) -> bytes:
    head = b"From: a@b.vn\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    parts = [head]
    for i in range(depth):
        parts.append(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode())
    parts.append(b"Content-Type: text/plain\r\n\r\nbottom\r\n")
    for i in reversed(range(depth)):
        parts.append(f"--b{i}--\r\n".encode())
    return b"".join(parts)


def test_a_mime_tree_2000_deep_is_cut_at_the_limit_and_said() -> None:
    parsed = parse_message(nested(2000))
    assert parsed.subject == "deep"
    assert any("nested deeper than 40 levels" in d for d in parsed.defects)


def test_mail_within_the_limits_is_not_touched_by_the_bounds() -> None:
    raw = nested(8)
    assert sanitize(raw, Limits()) == (raw, [])
    assert parse_message(raw).body_text.strip() == "bottom"


def test_a_huge_header_field_is_cut_before_the_stdlib_sees_it() -> None:
    raw = b"From: a@b.vn\r\nContent-Type: text/plain;" + b" x=y;" * 200_000 + b"\r\nSubject: s\r\n\r\nbody\r\n"
    bounded, defects = sanitize(raw, Limits())
    assert len(bounded) < 10_000 and "header fields longer than the limit were cut" in defects
    assert parse_message(raw).subject == "s"


@pytest.mark.parametrize("value", [
    "a" + ":" * 50_000 + "b@c.vn",
    "(" * 50_000 + "x@y.vn" + ")" * 50_000,
    "=?utf-8?q?" + "=3A" * 20_000 + "?= <x@y.vn>",
    '"\udcff\udcfe" <x@y.vn>',
])
def test_address_parsing_never_recurses_and_always_gives_valid_text(value: str) -> None:
    name, addr = headers.address(value)
    (name + addr).encode("utf-8")
    assert len(name) <= headers.MAX_ADDRESS_CHARS


@pytest.mark.parametrize("value", ["Fri, 01 Jan 9999 00:00:00 +0000", "Mon, 1 Jul 2024 08:00:00 +99999",
                                   "Mon, 1 Jul 1900 08:00:00 +0700", "not a date at all"])
def test_dates_outside_1970_2100_or_broken_are_no_date(value: str) -> None:
    assert headers.parse_date(value) is None


def test_a_valid_date_is_read() -> None:
    assert headers.parse_date("Mon, 1 Jul 2024 08:00:00 +0700") == dt.datetime(2024, 7, 1, 8, 0, tzinfo=TZ)


def test_the_bounded_header_read_takes_the_row_fields_from_a_hostile_block() -> None:
    raw = (b"Message-ID: <m@x>\r\nFrom: =?utf-8?b?VHLGsOG7nW5n?= <thptlocninh@binhphuoc.edu.vn>\r\n"
           b"Subject: =?utf-8?q?B=C3=A1o_c=C3=A1o?=\r\nDate: Fri, 01 Jan 9999 00:00:00 +0000\r\n"
           b"Received: from x by y; Mon, 1 Jul 2024 08:00:00 +0700\r\nX-Junk: " + b"=" * 2_000_000 + b"\r\n\r\nbody")
    head = headers.read_headers(raw)
    assert (head.header_message_id, head.from_addr, head.from_name, head.subject) == (
        "<m@x>", "thptlocninh@binhphuoc.edu.vn", "Trường", "Báo cáo")
    assert head.date is None and head.received_date == dt.datetime(2024, 7, 1, 8, 0, tzinfo=TZ)


def test_adjacent_encoded_words_join_in_linear_time_and_keep_split_characters() -> None:
    word = "=?utf-8?b?" + __import__("base64").b64encode("đầu ".encode()).decode() + "?="
    assert headers.decode_rfc2047(" ".join([word] * 3)) == "đầu đầu đầu "
    split = "=?utf-8?q?=C4?= =?utf-8?q?=91?="                 # "đ" cut across two words
    assert headers.decode_rfc2047(split) == "đ"
    big = headers.decode_header_value(" ".join([word] * 50_000))   # 1 MB: cut, then decoded
    assert big.startswith("đầu đầu") and len(big) <= headers.MAX_VALUE_CHARS


# ---------------------------------------------------------------- files left behind

def test_temporary_archive_files_are_removed_at_the_next_poll(cfg, db) -> None:
    tmp = cfg.archive_path / archive.TMP
    tmp.mkdir(parents=True)
    (tmp / "deadbeef.123.tmp").write_bytes(b"half a mail")
    pipeline.poll(db, cfg, NOW)
    assert not tmp.exists() or not any(tmp.iterdir())


def test_scratch_folders_of_dead_processes_are_removed_at_start(tmp_path: Path) -> None:
    dead = tmp_path / "999999999"
    dead.mkdir()
    (dead / "ocr-page.png").write_bytes(b"x")
    claimed = scratch.claim(tmp_path)
    try:
        assert not dead.exists() and claimed.folder.is_dir()
        import tempfile
        assert Path(tempfile.gettempdir()) == claimed.folder
    finally:
        claimed.release()
    assert not claimed.folder.exists()


def test_a_chain_of_forwards_separated_by_bare_carriage_returns_is_cut_too() -> None:
    """The stdlib ends lines at a bare CR as well; the bounds must see the same lines."""
    raw = b"From: a@b.vn\rSubject: s\rContent-Type: message/rfc822\r\r" + \
        b"Subject: Fwd\rContent-Type: message/rfc822\r\r" * 1500
    parsed = parse_message(raw)
    assert any("nested deeper" in d for d in parsed.defects)


@pytest.mark.parametrize("word", ["=?undefined?q?a?=", "=?utf-16?b?AAA=?=", "=?utf-7?q?+3IA-?="])
def test_codecs_that_refuse_or_lie_give_text(word: str) -> None:
    headers.decode_header_value(f"Báo cáo {word}").encode("utf-8")


def test_a_digest_of_digests_nested_1000_deep_is_cut_too() -> None:
    """A multipart/digest's parts are messages by default, without a Content-Type of their own."""
    parts = [b"From: a@b.vn\r\nSubject: s\r\n"]
    for i in range(1000):
        parts.append(f'Content-Type: multipart/digest; boundary="d{i}"\r\n\r\n--d{i}\r\n\r\n'.encode())
    parsed = parse_message(b"".join(parts) + b"Subject: bottom\r\n\r\nx\r\n")
    assert any("nested deeper" in d for d in parsed.defects)


def test_a_boundary_right_after_the_headers_without_an_empty_line_still_counts_a_level() -> None:
    """The stdlib ends a header block at the first line that is not a header and reads that line
    again as the body: "--d1" there opens the next level all the same."""
    parts = [b"From: a@b.vn\r\nSubject: s\r\n"]
    for i in range(1000):
        parts.append(f'Content-Type: multipart/mixed; boundary="d{i}"\r\n--d{i}\r\n'.encode())
    parsed = parse_message(b"".join(parts) + b"Content-Type: text/plain\r\n\r\nx\r\n")
    assert any("nested deeper" in d for d in parsed.defects)
