"""The poll over a Maildir: every message recorded once, the Maildir untouched, crashes harmless."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from ingest import pipeline, recording
from ingest.sources import FetchedMessage
from store.db import open_store
from tests.mails import build, write_maildir

ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def rows(db, sql, args=()):
    return list(db.query(sql, args))


@pytest.fixture
def examples(cfg):
    target = cfg.mailbox.path
    shutil.rmtree(target)
    shutil.copytree(ROOT / "examples" / "maildir", target)
    return target


def test_examples_end_to_end(cfg, db, now, examples) -> None:
    before = snapshot(examples)
    result = pipeline.poll(db, cfg, now)
    assert result.fetched == 13
    assert snapshot(examples) == before  # read-only: nothing renamed, flagged or touched
    by = {r["subject"][:30]: r for r in rows(db, "SELECT * FROM v_messages")}
    assert len(rows(db, "SELECT * FROM v_messages")) == 13
    status = {r["status"] for r in by.values()}
    assert status == {"report", "incident", "ignored", "duplicate", "unplaced"}
    subs = rows(db, "SELECT * FROM v_submissions WHERE unit_code = 'THPT-LOCNINH' ORDER BY version")
    assert [(s["version"], s["is_latest"], s["on_time"]) for s in subs] == [(1, 0, 1), (2, 1, 0)]
    comp = {r["unit_code"]: r["state"] for r in rows(db, "SELECT * FROM v_completeness WHERE period = '2024S1'")}
    assert comp["THPT-LOCNINH"] == "on_time"  # the first submission decides, not the correction
    assert comp["THPT-CHUVANAN"] == "late"
    assert comp["PGD-BUDANG"] == "on_time"    # a forward counts from its own arrival (29/6)
    assert comp["THPT-DONGXOAI"] == "missing"
    inc = rows(db, "SELECT * FROM v_incidents")
    assert [(i["unit_code"], i["category"], i["occurred_on"]) for i in inc] == [("PGD-LOCNINH", "duoi_nuoc", "2024-05-12")]


def test_second_poll_fetches_nothing(cfg, db, now, examples) -> None:
    pipeline.poll(db, cfg, now)
    assert pipeline.poll(db, cfg, now).fetched == 0
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 13


def test_byte_identical_copies_are_one_message(cfg, db, now) -> None:
    raw = build()
    write_maildir(cfg.mailbox.path, [raw, raw, raw])
    result = pipeline.poll(db, cfg, now)
    assert result.fetched == 3
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == 3


def test_same_message_id_different_bytes_is_duplicate(cfg, db, now) -> None:
    a = build(headers={"Received": "from a by b; Thu, 20 Jun 2024 09:00:00 +0700"})
    b = build(headers={"Received": "from c by b; Thu, 20 Jun 2024 09:02:00 +0700"})
    write_maildir(cfg.mailbox.path, [a, b])
    pipeline.poll(db, cfg, now)
    assert [r["status"] for r in rows(db, "SELECT status FROM messages ORDER BY id")] == ["report", "duplicate"]
    assert len(rows(db, "SELECT * FROM v_submissions")) == 1


def test_crash_after_archive_before_record_is_harmless(cfg, db, now) -> None:
    """Archive written, process killed before the row: the next poll records it exactly once."""
    raw = build()
    from ingest import archive
    archive.store(cfg.archive_path, raw)
    write_maildir(cfg.mailbox.path, [raw])
    pipeline.poll(db, cfg, now)
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1


def test_crash_after_record_before_seen_is_harmless(cfg, db, now) -> None:
    """Recorded and processed, but the seen mark was lost: the re-fetch adds nothing."""
    raw = build()
    fetched = FetchedMessage(source="maildir:x", uidvalidity=0, uid="k", raw=raw, internaldate=None)
    first = pipeline.ingest_one(db, cfg, fetched, now)
    assert pipeline.ingest_one(db, cfg, fetched, now) == first
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1


def test_unprocessed_row_is_processed_on_refetch(cfg, db, now) -> None:
    raw = build()
    fetched = FetchedMessage(source="maildir:x", uidvalidity=0, uid="k", raw=raw, internaldate=None)
    mid = pipeline.ingest_one(db, cfg, fetched, now)
    db.execute("UPDATE messages SET processed_at = NULL, status = 'new' WHERE id = ?", [mid])
    pipeline.ingest_one(db, cfg, fetched, now)
    assert db.execute("SELECT status FROM messages").fetchone()[0] == "report"


def test_hostile_mails_are_recorded(cfg, db, now) -> None:
    mails = [
        b"",
        b"\x00\xff garbage \xfe" * 50,
        b"Subject: =?utf-8?b?!!!?=\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n",
        build(subject="Báo cáo công tác trẻ em 6 tháng", files=[(b"", "empty.xlsx", "application/octet-stream")]),
        build(subject="Báo cáo công tác trẻ em 6 tháng", message_id="<t-2@x>",
              files=[(b"\xff\xd8\xff\xe0JFIF", "../../../etc/passwd.xlsx", "application/octet-stream")]),
        build(subject="Báo cáo công tác trẻ em <script>alert(1)</script> =HYPERLINK(\"x\")", message_id="<t-3@x>"),
    ]
    write_maildir(cfg.mailbox.path, mails)
    result = pipeline.poll(db, cfg, now)
    assert result.fetched == len(mails)
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == len(mails)
    assert db.execute("SELECT COUNT(*) FROM messages WHERE processed_at IS NULL").fetchone()[0] == 0
    names = [r[0] for r in db.execute("SELECT safe_name FROM attachments")]
    assert all("/" not in n and not n.startswith(".") for n in names)
    failed_files = {r["filename"] for r in rows(db, "SELECT filename FROM v_failures WHERE stage = 'parse'")}
    assert {"empty.xlsx", "../../../etc/passwd.xlsx"} <= failed_files
    for path in cfg.archive_path.rglob("*"):
        assert path.resolve().is_relative_to(cfg.archive_path.resolve())


def test_reprocess_is_idempotent(cfg, db, now, examples) -> None:
    pipeline.poll(db, cfg, now)
    before = rows(db, "SELECT message_id, status, unit_code, period FROM v_messages ORDER BY message_id")
    values = db.execute('SELECT COUNT(*) FROM "values"').fetchone()[0]
    for (mid,) in db.execute("SELECT id FROM messages").fetchall():
        recording.process(db, cfg, mid, now)
    assert rows(db, "SELECT message_id, status, unit_code, period FROM v_messages ORDER BY message_id") == before
    assert db.execute('SELECT COUNT(*) FROM "values"').fetchone()[0] == values
    assert db.execute("SELECT COUNT(*) FROM incidents").fetchone()[0] == 1


def test_received_at_from_topmost_received_header(cfg, db, now) -> None:
    raw = build(headers={"Received": "from x by mx; Sun, 30 Jun 2024 23:30:00 +0700"})
    write_maildir(cfg.mailbox.path, [raw])
    pipeline.poll(db, cfg, now)
    assert db.execute("SELECT received_at FROM v_messages").fetchone()[0] == "2024-06-30T23:30:00+07:00"


def test_inactive_unit_is_not_expected(tmp_path, now) -> None:
    from store.config import load
    from tests.conftest import write_config
    csv = ("code,name,kind,district,emails,aliases,reports,active_from,active_to\n"
           "A,Trường THPT A,thpt,X,a@x.vn,,,,\n"
           "B,Trường THPT B,thpt,X,b@x.vn,,,,2024-05-01\n"
           "C,Trường THPT C,thpt,X,c@x.vn,,cttre,2024-07-01,\n"
           "D,Trường THPT D,thpt,X,d@x.vn,,other,,\n")
    cfg = load(write_config(tmp_path, units_csv=csv))
    db = open_store(cfg)
    expected = {(r["unit_code"], r["period"]) for r in db.query("SELECT * FROM v_completeness")}
    assert expected == {("A", "2024S1"), ("A", "2024"), ("C", "2024")}


def test_the_same_files_sent_again_are_a_duplicate_whatever_the_subject_but_new_files_a_version(cfg, db, now) -> None:
    files = [(b"PK\x03\x04same-bytes", "bc.xlsx", "application/octet-stream")]
    subject = "Báo cáo công tác trẻ em 6 tháng đầu năm 2024"
    write_maildir(cfg.mailbox.path, [
        build(subject=subject, files=files, message_id="<a@x>"),
        build(subject=subject, files=files, message_id="<b@x>"),            # the send button twice
        build(subject="Gửi lại: " + subject, files=files, message_id="<c@x>"),  # resent, nothing changed
        build(subject="Gửi lại: " + subject, files=[(b"PK\x03\x04other-bytes", "bc.xlsx", "application/octet-stream")],
              message_id="<d@x>"),                                           # a corrected version
    ])
    pipeline.poll(db, cfg, now)
    assert [r[0] for r in db.execute("SELECT status FROM messages ORDER BY id")] == \
        ["report", "duplicate", "duplicate", "report"]
    assert [r["version"] for r in rows(db, "SELECT version FROM v_submissions ORDER BY version")] == [1, 2]
