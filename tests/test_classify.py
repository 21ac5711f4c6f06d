"""Deciding status, unit and period: table tests over the pure functions."""
from __future__ import annotations

import datetime as dt

import pytest

from ingest.classify import Evidence, decide, occurred_on

TZ = dt.timezone(dt.timedelta(hours=7))


def ev(subject: str, from_addr: str = "someone@gmail.com", from_name: str = "", body: str = "",
       files: tuple[str, ...] = (), received: dt.datetime = dt.datetime(2024, 6, 25, 9, tzinfo=TZ), **kw) -> Evidence:
    return Evidence(subject=subject, from_addr=from_addr, from_name=from_name, body=body, filenames=files,
                    received=received, **kw)


STATUS = [
    ("Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - THPT Lộc Ninh", "report"),
    ("Bao cao cong tac tre em 6 thang - THPT Loc Ninh", "report"),
    ("BÁO CÁO CÔNG TÁC TRẺ EM NĂM 2024 - PGD LỘC NINH", "report"),
    ("V/v báo cáo kết quả thực hiện công tác bảo vệ, chăm sóc trẻ em 6 tháng", "report"),
    ("Báo cáo sơ kết học kỳ I năm học 2023-2024 - THPT Lộc Ninh", "ignored"),
    ("Báo cáo 6 tháng đầu năm 2024 công tác phổ cập giáo dục - PGD Lộc Ninh", "ignored"),
    ("Báo cáo tổng kết năm học 2023-2024", "ignored"),
    ("Kế hoạch tổ chức Tháng hành động vì trẻ em năm 2024", "ignored"),
    ("Kế hoạch phòng chống đuối nước cho trẻ em hè 2024", "ignored"),
    ("Giấy mời họp giao ban công tác trẻ em", "ignored"),
    ("Báo cáo nhanh vụ việc học sinh bị đuối nước - PGD Lộc Ninh", "incident"),
    ("Báo cáo đột xuất vụ bạo lực học đường tại Trường THPT Lộc Ninh", "incident"),
    ("Bao cao nhanh vu viec hoc sinh bi xam hai", "incident"),
    ("Báo cáo vụ việc học sinh bị tai nạn giao thông", "incident"),
    ("V/v học sinh bị đuối nước tại xã Lộc Thái", "incident"),
    ("Báo cáo vụ việc tại trường", "incident"),
    ("Thông báo về việc nộp báo cáo công tác trẻ em năm 2024", "ignored"),
    ("Công văn V/v hướng dẫn báo cáo công tác trẻ em năm 2024", "ignored"),
    ("Công văn số 45/PGDĐT V/v báo cáo công tác trẻ em 6 tháng", "report"),
    ("Re: Nhắc nộp báo cáo công tác trẻ em 6 tháng đầu năm 2024", "ignored"),
    ("Báo cáo kết quả thực hiện Kế hoạch công tác trẻ em năm 2024", "report"),
    ("Báo cáo công tác phòng chống đuối nước 6 tháng đầu năm 2024", "ignored"),
    ("BC CTTE 6 thang 2024", "report"),
    ("Bản tin Giáo dục tháng 6/2024", "ignored"),
]


@pytest.mark.parametrize("subject, status", STATUS)
def test_status_from_subject(cfg, subject: str, status: str) -> None:
    d = decide(cfg, ev(subject, from_addr="thptlocninh@binhphuoc.edu.vn"))
    assert d.status == status, d.why


def test_automatic_is_ignored(cfg) -> None:
    d = decide(cfg, ev("Báo cáo công tác trẻ em", automatic="Auto-Submitted: auto-replied"))
    assert (d.status, d.unit_code, d.sender_known) == ("ignored", None, 0)


def test_ignored_mail_from_a_unit_address_is_sender_known(cfg) -> None:
    d = decide(cfg, ev("Báo cáo sơ kết học kỳ I năm học 2023-2024", from_addr="thptlocninh@binhphuoc.edu.vn"))
    assert (d.status, d.unit_code, d.sender_known) == ("ignored", None, 1)


@pytest.mark.parametrize("subject, files, status", [
    ("Re: [Báo cáo công tác trẻ em] Nhắc nộp báo cáo 6 tháng đầu năm 2024", (), "ignored"),
    ("Báo cáo nhanh kết quả thi tốt nghiệp THPT năm 2024", (), "ignored"),
    ("Báo cáo kết quả công tác phòng, chống đuối nước cho học sinh dịp hè 2024", (), "ignored"),
    ("Cho em hỏi hạn nộp báo cáo công tác trẻ em", (), "ignored"),
    ("Báo cáo công tác trẻ em 6 tháng đầu năm 2024", (), "ignored"),       # nothing to place
    ("Báo cáo công tác trẻ em 6 tháng đầu năm 2024", ("bc.xlsx",), "unplaced"),
])
def test_unknown_sender_edge_cases(cfg, subject, files, status) -> None:
    assert decide(cfg, ev(subject, from_addr="someone@gmail.com", files=files)).status == status


def test_school_not_in_the_units_file_is_not_placed_elsewhere(cfg) -> None:
    d = decide(cfg, ev("Báo cáo công tác trẻ em 6 tháng - Trường THCS Tân Phú", files=("bc.docx",),
                       stated_units=("PHÒNG GD&ĐT ĐỒNG PHÚ",)))
    assert (d.status, d.unit_code) == ("unplaced", None)


def test_reply_to_reminder_with_files_is_a_report(cfg) -> None:
    d = decide(cfg, ev("Re: [Báo cáo công tác trẻ em] Nhắc nộp báo cáo 6 tháng đầu năm 2024",
                       from_addr="thptlocninh@binhphuoc.edu.vn", files=("bc.xlsx",)))
    assert (d.status, d.period) == ("report", "2024S1")


def test_silent_subject_uses_body(cfg) -> None:
    d = decide(cfg, ev("Fwd:", from_addr="thptlocninh@binhphuoc.edu.vn",
                       body="Trường gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024."))
    assert (d.status, d.period) == ("report", "2024S1")


UNITS = [
    # (from_addr, from_name, subject, expected unit, sender_known)
    ("thptlocninh@binhphuoc.edu.vn", "", "Báo cáo công tác trẻ em", "THPT-LOCNINH", 1),
    ("x@gmail.com", "THPT Chu Van An", "Bao cao cong tac tre em", "THPT-CHUVANAN", 0),
    ("x@gmail.com", "", "Báo cáo công tác trẻ em - PGD Lộc Ninh", "PGD-LOCNINH", 0),
    ("x@gmail.com", "", "Báo cáo công tác trẻ em - Phòng GD&ĐT huyện Bù Gia Mập", "PGD-BUGIAMAP", 0),
    ("x@gmail.com", "", "BC công tác trẻ em - TT GDNN-GDTX Bù Đăng", "TT-BUDANG", 0),
    ("x@gmail.com", "", "BC công tác trẻ em - Trường THPT chuyên Bình Long", "THPT-CHUYENBINHLONG", 0),
    ("x@gmail.com", "", "BC công tác trẻ em - THPT Bình Long", "THPT-BINHLONG", 0),
    ("x@gmail.com", "", "Báo cáo công tác trẻ em 6 tháng", None, 0),
    ("x@gmail.com", "", "BC cong tac tre em - UBND huyen Loc Ninh Phong GDDT", "PGD-LOCNINH", 0),
    ("x@gmail.com", "", "Bao cao cong tac tre em - PGDĐT TX Phước Long", "PGD-PHUOCLONG", 0),
    ("x@gmail.com", "", "Bao cao cong tac tre em - TTGDNN-GDTX Hon Quan", "TT-HONQUAN", 0),
]


@pytest.mark.parametrize("addr, name, subject, unit, known", UNITS)
def test_unit(cfg, addr, name, subject, unit, known) -> None:
    d = decide(cfg, ev(subject, from_addr=addr, from_name=name, files=("baocao.xlsx",)))
    assert (d.unit_code, d.sender_known) == (unit, known), d.unit_how
    assert d.status == ("report" if unit else "unplaced")


def test_unit_from_content_is_flagged(cfg) -> None:
    d = decide(cfg, ev("Báo cáo công tác trẻ em - PGD Lộc Ninh", from_addr="pgd.locninh@gmail.com"))
    assert "personal-address" in d.flags
    d = decide(cfg, ev("Báo cáo công tác trẻ em - PGD Lộc Ninh", from_addr="pgd@locninh-edu.com"))
    assert "possible-spoofing" in d.flags


def test_unit_from_file_name_and_document(cfg) -> None:
    d = decide(cfg, ev("Báo cáo công tác trẻ em", files=("BC THPT Loc Hiep.xlsx",)))
    assert d.unit_code == "THPT-LOCHIEP"
    d = decide(cfg, ev("Báo cáo công tác trẻ em", stated_units=("Trường THPT Nguyễn Huệ",)))
    assert d.unit_code == "THPT-NGUYENHUE"


def test_remembered_sender(cfg) -> None:
    d = decide(cfg, ev("Báo cáo công tác trẻ em", from_addr="lan@gmail.com",
                       remembered=(("lan@gmail.com", "THPT-LOCTHAI"),)))
    assert (d.unit_code, d.sender_known) == ("THPT-LOCTHAI", 1)


PERIODS = [
    ("Báo cáo công tác trẻ em 6 tháng đầu năm 2024", (), dt.datetime(2024, 6, 25, tzinfo=TZ), "2024S1"),
    ("Bao cao cong tac tre em 6 thang", (), dt.datetime(2024, 7, 2, tzinfo=TZ), "2024S1"),
    ("Báo cáo sơ kết công tác trẻ em", (), dt.datetime(2024, 6, 2, tzinfo=TZ), "2024S1"),
    ("Báo cáo công tác trẻ em năm 2024", (), dt.datetime(2024, 12, 2, tzinfo=TZ), "2024"),
    ("Báo cáo tổng kết công tác trẻ em", (), dt.datetime(2024, 12, 2, tzinfo=TZ), "2024"),
    ("Báo cáo công tác trẻ em cả năm", (), dt.datetime(2024, 12, 12, tzinfo=TZ), "2024"),
    ("Báo cáo công tác trẻ em", ("BC 6 thang dau nam 2024.xlsx",), dt.datetime(2024, 12, 2, tzinfo=TZ), "2024S1"),
    ("Báo cáo công tác trẻ em", (), dt.datetime(2024, 7, 3, tzinfo=TZ), "2024S1"),
    ("Báo cáo công tác trẻ em", (), dt.datetime(2024, 11, 20, tzinfo=TZ), "2024"),
    ("Báo cáo công tác trẻ em năm học 2023-2024", (), dt.datetime(2024, 6, 20, tzinfo=TZ), "2024S1"),
    ("Báo cáo công tác trẻ em 6 tháng đầu năm 2025", (), dt.datetime(2025, 6, 20, tzinfo=TZ), "2025S1"),
]


@pytest.mark.parametrize("subject, files, received, period", PERIODS)
def test_period(cfg, subject, files, received, period) -> None:
    d = decide(cfg, ev(subject, from_addr="thptlocninh@binhphuoc.edu.vn", files=files, received=received))
    assert d.period == period, d.period_how


@pytest.mark.parametrize("text, expected", [
    ("Vào 16 giờ ngày 12/5/2024, em A bị đuối nước", dt.date(2024, 5, 12)),
    ("ngày 03 tháng 6 năm 2024 xảy ra vụ việc", dt.date(2024, 6, 3)),
    ("không có ngày", dt.date(2024, 6, 25)),
    ("ngày 31/02/2024", dt.date(2024, 6, 25)),
])
def test_occurred_on(text, expected) -> None:
    assert occurred_on(text, dt.date(2024, 6, 25)) == expected


@pytest.mark.parametrize("subject, category", [
    ("Báo cáo nhanh vụ việc học sinh bị đuối nước", "duoi_nuoc"),
    ("Báo cáo đột xuất vụ bạo lực học đường", "bao_luc"),
    ("Báo cáo nhanh vụ việc trẻ em bị xâm hại tình dục", "xam_hai"),
    ("Báo cáo nhanh vụ tai nạn giao thông của học sinh", "giao_thong"),
    ("Báo cáo đột xuất vụ việc học sinh bị bỏng", "tai_nan_khac"),
    ("Báo cáo nhanh vụ việc trẻ em lao động trái quy định", "lao_dong"),
    ("Báo cáo đột xuất vụ việc học sinh bỏ nhà đi", "khac"),
])
def test_incident_category(cfg, subject, category) -> None:
    d = decide(cfg, ev(subject, from_addr="pgdlocninh@binhphuoc.edu.vn"))
    assert (d.status, d.category) == ("incident", category)


@pytest.mark.parametrize("subject, body, files, status", [
    ("Re: Nhắc báo cáo công tác trẻ em 6 tháng đầu năm 2024", "Đã nhận.\n> Kính gửi ...", (), "ignored"),
    ("Re: Báo cáo công tác trẻ em năm 2024 - THPT Lộc Ninh", "Cảm ơn các thầy cô.", (), "ignored"),
    ("Re: Báo cáo công tác trẻ em năm 2024 - THPT Lộc Ninh", "Gửi lại bản có chữ ký.", ("bc.pdf",), "report"),
    ("Re: Báo cáo nhanh vụ việc học sinh bị đuối nước", "Báo cáo bổ sung: em đã xuất viện.", (), "incident"),
    ("Báo cáo công tác y tế trường học năm 2024",
     "Trong năm, nhà trường không để xảy ra vụ việc ngộ độc, không có học sinh bị đuối nước.", (), "ignored"),
])
def test_replies_and_denials(cfg, subject, body, files, status) -> None:
    d = decide(cfg, ev(subject, from_addr="thptlocninh@binhphuoc.edu.vn", body=body, files=files))
    assert d.status == status, d.why
