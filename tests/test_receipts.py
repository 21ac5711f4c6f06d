"""Receipts: what was understood, threaded, RFC 3834 (never to automatic mail), a daily cap per address."""
from __future__ import annotations

import email
import email.policy

import pytest

from compile import outbox, receipts
from tests.storefill import add_failure, add_message, add_report, at, fresh_store

NOW = at("2024-06-20 09:05")
SENDER = "vanthu.thptlocninh@gmail.com"


def _raw(extra: str = "", content_type: str = "text/plain; charset=utf-8", sender: str = SENDER) -> bytes:
    return (f"From: Văn thư <{sender}>\r\nTo: trunghoc@binhphuoc.edu.vn\r\n"
            f"Subject: Bao cao 6 thang cong tac tre em - THPT Loc Ninh\r\n"
            f"Message-ID: <bc-1@gmail.com>\r\nReferences: <earlier@gmail.com>\r\n{extra}"
            f"Content-Type: {content_type}\r\n\r\nKính gửi Sở, trường gửi báo cáo.\r\n").encode()


@pytest.fixture
def store(tmp_path):
    cfg, db = fresh_store(tmp_path)
    return cfg._replace(receipts=cfg.receipts._replace(enabled=True, max_per_address_per_day=3)), db


def _report(db, tmp_path, raw: bytes, sender: str = SENDER, received="2024-06-20 09:00", status="report",
            name="m.eml") -> int:
    path = tmp_path / name
    path.write_bytes(raw)
    if status != "report":
        return add_message(db, status=status, unit="THPT-LOCNINH", raw_path=str(path), from_addr=sender,
                           received_at=received)
    return add_report(db, "THPT-LOCNINH", received,
                      {"tre_em_tong": 1250, "bl_so_vu": "2 vụ", "tt_so_buoi": None},
                      warnings=[("xh_tinh_duc<=xh_so_tre", "Số trẻ bị xâm hại tình dục (2) lớn hơn tổng số (1)")],
                      raw_path=str(path), from_addr=sender, header_message_id="<bc-1@gmail.com>",
                      subject="Bao cao 6 thang cong tac tre em - THPT Loc Ninh")


def test_receipt_says_what_was_understood(store, tmp_path):
    cfg, db = store
    mid = _report(db, tmp_path, _raw())
    add_failure(db, mid, reason="mật khẩu bảo vệ, không mở được", filename="phu-luc.docx")
    row = receipts.queue(db, cfg, mid, NOW)
    assert row is not None and receipts.queue(db, cfg, mid, NOW) is None
    outbox.deliver(db, cfg, NOW)
    (eml,) = (tmp_path / "outbox").glob("*-receipt.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["To"] == SENDER and msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] == "<bc-1@gmail.com>"
    assert msg["References"] == "<earlier@gmail.com> <bc-1@gmail.com>"
    assert msg["Subject"] == ("[Báo cáo công tác trẻ em] Xác nhận đã nhận báo cáo 6 tháng đầu năm 2024"
                              " - Trường THPT Lộc Ninh")
    body = msg.get_content()
    assert body.startswith("Kính gửi: Trường THPT Lộc Ninh")
    for text in ("Kỳ báo cáo: 6 tháng đầu năm 2024", "bao-cao.xlsx",
                 "Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học: 1.250",
                 'Số vụ bạo lực học đường: "2 vụ" (chưa đọc được thành số)',
                 "Số buổi tuyên truyền, truyền thông về bảo vệ, chăm sóc trẻ em: để trống",
                 "Số trẻ bị xâm hại tình dục (2) lớn hơn tổng số (1)",
                 "phu-luc.docx: mật khẩu bảo vệ, không mở được", "lúc 09:00 ngày 20/06/2024"):
        assert text in body
    assert "!" not in body


@pytest.mark.parametrize("extra, content_type, sender, why", [
    ("Auto-Submitted: auto-generated\r\n", "text/plain", SENDER, "Auto-Submitted"),
    ("Precedence: bulk\r\n", "text/plain", SENDER, "Precedence"),
    ("Precedence: list\r\n", "text/plain", SENDER, "Precedence"),
    ("Precedence: junk\r\n", "text/plain", SENDER, "Precedence"),
    ("List-Id: <truong.googlegroups.com>\r\n", "text/plain", SENDER, "List-Id"),
    ("Return-Path: <>\r\n", "text/plain", SENDER, "null return path"),
    ("", "multipart/report; report-type=delivery-status; boundary=x", SENDER, "report"),
    ("", "text/plain", "mailer-daemon@binhphuoc.edu.vn", "mailer-daemon"),
    ("", "text/plain", "trunghoc@binhphuoc.edu.vn", "our own address"),
])
def test_never_answers_automatic_mail(store, tmp_path, extra, content_type, sender, why):
    cfg, db = store
    mid = _report(db, tmp_path, _raw(extra, content_type, sender), sender=sender)
    assert why in receipts.skip_reason(db, cfg, mid, NOW)
    assert receipts.queue(db, cfg, mid, NOW) is None


def test_daily_cap_per_address(store, tmp_path):
    cfg, db = store
    mids = [_report(db, tmp_path, _raw(), name=f"m{i}.eml") for i in range(5)]
    got = [receipts.queue(db, cfg, m, NOW) for m in mids[:4]]
    assert [g is not None for g in got] == [True, True, True, False]
    assert receipts.queue(db, cfg, mids[4], at("2024-06-21 08:00")) is not None


@pytest.mark.parametrize("case", ["disabled", "not a report", "unknown"])
def test_no_receipt(store, tmp_path, case):
    cfg, db = store
    mid = _report(db, tmp_path, _raw(), status="unplaced" if case == "not a report" else "report")
    if case == "disabled":
        cfg = cfg._replace(receipts=cfg.receipts._replace(enabled=False))
    if case == "unknown":
        mid = 999
    assert receipts.queue(db, cfg, mid, NOW) is None
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_receipts_are_planned_from_the_store_for_recent_reports_only(store, tmp_path):
    """A poll killed between a report's save and its receipt: the next planning finds it."""
    cfg, db = store
    recent = _report(db, tmp_path, _raw(), name="new.eml")
    old = _report(db, tmp_path, _raw(), name="old.eml")
    db.execute("UPDATE messages SET created_at = ? WHERE id = ?", ["2024-06-01T09:00:00+07:00", old])
    db.execute("UPDATE messages SET created_at = ? WHERE id = ?", [NOW.isoformat(), recent])
    assert len(receipts.queue_pending(db, cfg, NOW)) == 1
    assert [r[0] for r in db.execute("SELECT dedupe_key FROM outbox")] == [f"receipt:{recent}"]
    assert receipts.queue_pending(db, cfg, NOW) == []          # once


def _body(tmp_path) -> tuple[email.message.EmailMessage, str]:
    emls = sorted((tmp_path / "outbox").glob("*-receipt.eml"))
    msg = email.message_from_bytes(emls[-1].read_bytes(), policy=email.policy.default)
    return msg, msg.get_content()


def test_a_back_filled_mail_gets_no_receipt(store, tmp_path):
    cfg, db = store
    mid = _report(db, tmp_path, _raw(), received="2024-06-10 09:00")
    assert "days old" in receipts.skip_reason(db, cfg, mid, NOW) and receipts.queue(db, cfg, mid, NOW) is None


def test_the_receipt_says_late_and_which_mail_it_replaces(store, tmp_path):
    cfg, db = store
    late = at("2024-07-03 10:00")
    first = _report(db, tmp_path, _raw(), received="2024-07-02 09:00", name="a.eml")
    second = _report(db, tmp_path, _raw(), received="2024-07-03 09:00", name="b.eml")
    assert receipts.queue(db, cfg, first, late) is not None
    assert receipts.queue(db, cfg, second, late) is not None
    outbox.deliver(db, cfg, late)
    bodies = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default).get_content()
              for p in sorted((tmp_path / "outbox").glob("*-receipt.eml"))]
    assert all("trễ hạn (hạn gửi: 30/06/2024)" in b for b in bodies)
    assert sum("Đây là lần gửi thứ 2: báo cáo này thay thế báo cáo đơn vị gửi lúc 09:00 ngày 02/07/2024" in b
               for b in bodies) == 1


def test_a_report_from_another_address_is_confirmed_to_the_units_own(store, tmp_path):
    cfg, db = store
    clerk = "chuyenvien.so@binhphuoc.edu.vn"
    mid = _report(db, tmp_path, _raw(sender=clerk), sender=clerk)
    db.execute("UPDATE messages SET sender_known = 0 WHERE id = ?", [mid])
    assert receipts.queue(db, cfg, mid, NOW) is not None
    (to,) = db.execute("SELECT recipients FROM v_outbox WHERE kind = 'receipt'").fetchone()
    official = cfg.unit("THPT-LOCNINH").emails[0]
    assert to == f"{official}, {clerk}"                      # both get it: the envelope has the copy
    outbox.deliver(db, cfg, NOW)
    msg, body = _body(tmp_path)
    assert msg["To"] == official and msg["Cc"] == clerk and "đúng hạn (hạn gửi: 30/06/2024)" in body
