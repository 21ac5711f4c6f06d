"""The unit's own account of a case, as the alert quotes it: the mail's paragraphs without its
greeting and closing, or the attached report's when the mail only points to it."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from ingest import pipeline
from ingest.account import account
from tests.mails import build, write_maildir

BODY = """Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT.

Trường THCS và THPT Đồng Tiến báo cáo nhanh vụ việc như sau: vào khoảng 20 giờ tối 17/8, em V.Q.M,
học sinh lớp 11A3, bị một nhóm học sinh đánh hội đồng, gây thương tích nhẹ. Em đã được đưa đi sơ cứu.

Trân trọng.
Nguyễn Văn B - Hiệu trưởng"""

DOC = """UBND HUYỆN HỚN QUẢN
PHÒNG GIÁO DỤC VÀ ĐÀO TẠO
Số: 363/BC-PGDĐT
BÁO CÁO NHANH
Kính gửi: Sở Giáo dục và Đào tạo Bình Phước.
Vào khoảng 16 giờ 30 phút ngày 01/6/2024, em N.V.A, học sinh lớp 6A, đi tắm tại hồ nước gần nhà thì bị đuối nước.
Ngay sau khi nhận được thông tin, Phòng đã chỉ đạo nhà trường thăm hỏi gia đình.
Nơi nhận:
- Sở GDĐT;"""


def test_the_mails_own_words_without_greeting_or_closing() -> None:
    told = account(BODY, [])
    assert told.startswith("Trường THCS và THPT Đồng Tiến báo cáo nhanh") and "Em đã được đưa đi sơ cứu." in told
    assert "Kính gửi" not in told and "Trân trọng" not in told and "Hiệu trưởng" not in told


def test_the_attached_reports_words_when_the_mail_only_points_to_it() -> None:
    told = account("Kính gửi: Sở GDĐT.\nPhòng gửi báo cáo nhanh vụ việc (file đính kèm).\nTrân trọng.", [DOC])
    assert told.startswith("Vào khoảng 16 giờ 30 phút ngày 01/6/2024") and "thăm hỏi gia đình" in told
    assert "UBND" not in told and "Số:" not in told and "Nơi nhận" not in told


def test_an_incident_mail_keeps_the_account_of_its_attachment(cfg, db) -> None:
    import docx
    document = docx.Document()
    for line in DOC.splitlines():
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    raw = build(subject="Báo cáo nhanh vụ việc học sinh bị đuối nước",
                body="Kính gửi: Sở GDĐT.\nPhòng GDĐT Hớn Quản gửi báo cáo nhanh (file đính kèm).\nTrân trọng.",
                files=[(buf.getvalue(), "bao cao nhanh.docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")],
                when=dt.datetime(2024, 6, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    write_maildir(Path(cfg.mailbox.path), [raw])
    pipeline.poll(db, cfg, dt.datetime(2024, 6, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    (summary, occurred) = db.execute("SELECT summary, occurred_on FROM v_incidents").fetchone()
    assert summary.startswith("Vào khoảng 16 giờ 30 phút") and occurred == "2024-06-01"
