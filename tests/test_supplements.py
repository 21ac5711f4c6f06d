"""Supplements and versions: a mail that adds or corrects a few figures is merged into the unit's
latest full report for the period; a full form replaces it; a question is not a report.

The rule (README "Versions and supplements"): the figures that count are those of the latest full
report, with the supplements sent after it merged in — a supplement's figure replaces the full
report's, its blank cells replace nothing; `v_values.message_id` says which mail each came from."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl

from ingest import pipeline
from tests.mails import build, write_maildir
from tests.reportfiles import SAMPLE, filled_xlsx, report

TZ = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2024, 7, 20, 8, 0, tzinfo=TZ)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SENDER = "Trường THPT Lộc Ninh <thptlocninh@binhphuoc.edu.vn>"
SUBJECT = "Báo cáo công tác trẻ em 6 tháng đầu năm 2024"


def full() -> dict[str, object]:
    return {ind.code: SAMPLE.get(ind.code, n) for n, ind in enumerate(report().indicators, 1)}


def mail(n: int, subject: str = SUBJECT, body: str = "Kính gửi Sở GDĐT, đơn vị gửi báo cáo.", files=()) -> bytes:
    return build(subject=subject, sender=SENDER, body=body, files=list(files), message_id=f"<v{n}@x>",
                 when=dt.datetime(2024, 6, 20 + n, 9, 0, tzinfo=TZ))


def correction_xlsx(rows: list[tuple[str, object, object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Đơn vị: Trường THPT Lộc Ninh"])
    ws.append(["ĐIỀU CHỈNH SỐ LIỆU BÁO CÁO CÔNG TÁC TRẺ EM 6 THÁNG ĐẦU NĂM 2024"])
    ws.append([])
    ws.append(["STT", "Chỉ tiêu", "Số liệu đã báo cáo", "Số liệu điều chỉnh", "Lý do"])
    for n, (label, old, new) in enumerate(rows, 1):
        ws.append([n, label, old, new, "Nhập nhầm"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def poll(cfg, db, raws: list[bytes]) -> dict[str, tuple[object, int]]:
    write_maildir(Path(cfg.mailbox.path), raws)
    pipeline.poll(db, cfg, NOW)
    return {r["indicator"]: (r["value"], r["message_id"]) for r in db.query(
        "SELECT indicator, value, message_id FROM v_values WHERE unit_code = 'THPT-LOCNINH'")}


def ids(db) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM messages ORDER BY id")]


def test_a_correction_table_is_merged_into_the_full_report(cfg, db) -> None:
    shown = poll(cfg, db, [mail(1, files=[(filled_xlsx(full()), "bc.xlsx", XLSX)]),
                           mail(2, "V/v điều chỉnh số liệu báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                                files=[(correction_xlsx([("Số trẻ em có hoàn cảnh đặc biệt", 41, 44),
                                                         ("Số trẻ em bị tai nạn thương tích", 9, 10)]),
                                        "dieu chinh.xlsx", XLSX)])])
    first, second = ids(db)
    assert shown["tre_hcdb"] == (44, second) and shown["tntt_so_tre"] == (10, second)
    others = {k: v for k, v in shown.items() if k not in ("tre_hcdb", "tntt_so_tre")}
    assert others == {k: (full()[k], first) for k in others} and len(others) == len(report().indicators) - 2
    (kind,) = db.execute("SELECT submission FROM v_submissions WHERE message_id = ?", [second]).fetchone()
    assert kind == "supplement"


def test_a_correction_written_in_the_mail_is_merged(cfg, db) -> None:
    body = ("Kính gửi: Phòng GDTrH.\nTrường THPT Lộc Ninh xin điều chỉnh số liệu như sau:\n"
            "- Số trẻ em bị tai nạn thương tích: 11 người (đã báo cáo 9 người).\n"
            "Các số liệu khác giữ nguyên.\nTrân trọng.")
    shown = poll(cfg, db, [mail(1, files=[(filled_xlsx(full()), "bc.xlsx", XLSX)]),
                           mail(2, "Điều chỉnh số liệu báo cáo công tác trẻ em 6 tháng đầu năm 2024", body)])
    first, second = ids(db)
    assert shown["tntt_so_tre"] == (11, second)
    assert shown["tre_em_tong"] == (full()["tre_em_tong"], first)


def test_a_mail_without_figures_after_the_report_blanks_nothing(cfg, db) -> None:
    shown = poll(cfg, db, [mail(1, files=[(filled_xlsx(full()), "bc.xlsx", XLSX)]),
                           mail(2, "Bổ sung bản ký báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                                files=[(b"%PDF-1.4 not really", "ky.pdf", "application/pdf")])])
    first, _ = ids(db)
    assert shown == {k: (v, first) for k, v in full().items()}


def test_a_full_resend_replaces_blanks_included(cfg, db) -> None:
    again = dict(full(), tre_em_tong=3300)
    again.pop("dd_luot_tre")
    shown = poll(cfg, db, [mail(1, files=[(filled_xlsx(full()), "bc.xlsx", XLSX)]),
                           mail(2, "Gửi lại báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                                files=[(filled_xlsx(again), "bc moi.xlsx", XLSX)])])
    _, second = ids(db)
    assert shown["tre_em_tong"] == (3300, second)
    assert shown["dd_luot_tre"] == (None, second)          # the full form's blank cell is blank now
    assert {m for _, m in shown.values()} == {second}


def test_a_question_with_the_blank_form_is_not_a_report(cfg, db) -> None:
    from tests.reportfiles import template
    poll(cfg, db, [mail(1, "Hỏi cách điền mẫu báo cáo công tác trẻ em 6 tháng",
                        "Nhờ Phòng xem giúp mẫu này có đúng không ạ.", [(template(), "mau.xlsx", XLSX)]),
                   mail(2, "Xin mẫu biểu báo cáo công tác trẻ em năm 2024", "Em xin mẫu biểu ạ.")])
    assert [r[0] for r in db.execute("SELECT status FROM v_messages ORDER BY message_id")] == ["ignored", "ignored"]
    assert db.execute("SELECT COUNT(*) FROM v_submissions").fetchone()[0] == 0
