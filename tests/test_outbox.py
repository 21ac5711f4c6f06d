"""The outbox: dedupe, the folder kind, backoff and the crash rule (rows left `sending`)."""
from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from compile import mail, outbox
from tests.storefill import at, fresh_store

NOW = at("2024-06-27 07:30")


def _msg(cfg, to=("thptlocninh@binhphuoc.edu.vn",), subject="[Báo cáo công tác trẻ em] Thử nghiệm"):
    return mail.build(cfg, mail.Letter(to=to, subject=subject, text="Kính gửi: Trường THPT Lộc Ninh\n"), NOW)


@pytest.fixture
def store(tmp_path):
    return fresh_store(tmp_path)


def _row(db, row_id):
    return db.execute("SELECT status, attempts, last_error, sent_at, next_attempt_at FROM outbox WHERE id = ?",
                      [row_id]).fetchone()


def test_dedupe_key_makes_queueing_idempotent(store):
    cfg, db = store
    first = outbox.add(db, cfg, "reminder", "reminder:cttre:2024S1:THPT-LOCNINH:due-3", _msg(cfg), NOW)
    again = outbox.add(db, cfg, "reminder", "reminder:cttre:2024S1:THPT-LOCNINH:due-3", _msg(cfg), NOW)
    assert first is not None and again is None
    assert db.execute("SELECT COUNT(*) FROM v_outbox").fetchone()[0] == 1


def test_folder_kind_writes_one_eml_per_mail_once(store, tmp_path):
    cfg, db = store
    ids = [outbox.add(db, cfg, "alert", f"alert:incident:{i}", _msg(cfg), NOW) for i in range(3)]
    result = outbox.deliver(db, cfg, NOW)
    assert (result.sent, result.failed, result.pending) == (3, 0, 0)
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert [f.name for f in files] == [f"{i:06d}-alert.eml" for i in ids]
    stored = db.execute("SELECT mime FROM outbox WHERE id = ?", [ids[0]]).fetchone()[0]
    assert files[0].read_bytes() == stored
    parsed = email.message_from_bytes(stored, policy=email.policy.default)
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["From"].addresses[0].display_name == "Sở Giáo dục và Đào tạo Bình Phước"
    assert not list((tmp_path / "outbox").glob(".*.tmp"))
    assert outbox.deliver(db, cfg, NOW).sent == 0
    assert [r[0] for r in db.execute("SELECT status FROM v_outbox")] == ["sent"] * 3


def test_row_left_sending_by_a_crash_becomes_uncertain_and_is_not_resent(store, tmp_path):
    cfg, db = store
    row = outbox.add(db, cfg, "reminder", "reminder:cttre:2024S1:THPT-LOCNINH:due-1", _msg(cfg), NOW)
    assert outbox._claim(db, cfg, row, NOW)          # what deliver does right before the SMTP transaction
    # ... and the process dies here. A run soon after leaves it alone (it may be in flight elsewhere):
    assert outbox.deliver(db, cfg, NOW + dt.timedelta(minutes=2)).failed == 0
    assert _row(db, row)[0] == "sending"
    result = outbox.deliver(db, cfg, NOW + dt.timedelta(minutes=30))
    assert (result.sent, result.failed, result.uncertain) == (0, 0, 1)
    status, attempts, error, sent_at, _ = _row(db, row)
    assert (status, attempts, sent_at) == ("uncertain", 1, None) and "interrupted while sending" in error
    assert db.execute("SELECT status FROM v_outbox WHERE outbox_id = ?", [row]).fetchone()[0] == "uncertain"
    f = db.execute("SELECT stage, reason, outbox_id, resolved_at FROM v_failures").fetchall()
    assert f == [("send", "interrupted while sending", row, None)]
    assert not list((tmp_path / "outbox").glob("*.eml"))
    assert outbox.deliver(db, cfg, NOW + dt.timedelta(days=1)).sent == 0


def test_unwritable_folder_backs_off_then_fails(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    base, _ = fresh_store(tmp_path / "a")
    ob = base.outbox._replace(path=blocker / "outbox", max_attempts=2)
    cfg, db = fresh_store(tmp_path / "b", outbox=ob)
    row = outbox.add(db, cfg, "digest", "digest:cttre:2024S1:manual", _msg(cfg), NOW)
    r1 = outbox.deliver(db, cfg, NOW)
    assert (r1.sent, r1.failed, r1.pending) == (0, 0, 1) and "cannot write" in r1.error
    status, attempts, _, _, next_at = _row(db, row)
    assert (status, attempts) == ("pending", 1) and next_at == "2024-06-27T07:35:00+07:00"
    assert outbox.deliver(db, cfg, NOW + dt.timedelta(minutes=1)).failed == 0   # not due yet: untouched
    assert _row(db, row)[1] == 1
    r2 = outbox.deliver(db, cfg, NOW + dt.timedelta(minutes=6))
    assert r2.failed == 1 and _row(db, row)[0] == "failed"
    assert db.execute("SELECT reason FROM v_failures WHERE outbox_id = ?", [row]).fetchone()[0] \
        == "gave up after 2 attempts"


def test_unsendable_row_is_visible(store):
    cfg, db = store
    row = outbox.add(db, cfg, "reminder", "reminder:cttre:2024S1:X:due-7", _msg(cfg, to=()), NOW,
                     status="failed", error="no valid address: unit X has no valid e-mail address")
    assert db.execute("SELECT status, recipients FROM v_outbox WHERE outbox_id = ?", [row]).fetchone() \
        == ("failed", "")
    assert db.execute("SELECT stage, reason FROM v_failures WHERE outbox_id = ?", [row]).fetchone() \
        == ("send", "no valid address")
    assert outbox.deliver(db, cfg, NOW).sent == 0
