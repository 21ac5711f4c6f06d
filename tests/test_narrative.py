"""Figures from prose (configured patterns only) and the unit/period a document states."""
import pytest

from parsers import narrative
from tests import reportfiles as rf

R = rf.report()


def extract(text):
    return {v.indicator: v.number for v in narrative.extract(text, R, "bc.docx › văn bản")}


def test_patterns_read_vietnamese_numbers_and_quote_the_original():
    values = narrative.extract("Đã tổ chức  12\nbuổi   tuyên truyền; có 1.432 HỌC SINH được học bơi.", R, "src")
    got = {v.indicator: (v.number, v.raw, v.method, v.source) for v in values}
    assert got == {"tt_so_buoi": (12, "12\nbuổi   tuyên truyền", "text", "src"),
                   "hs_hoc_boi": (1432, "1.432 HỌC SINH được học bơi", "text", "src")}


def test_full_narrative():
    assert extract(rf.NARRATIVE) == rf.NARRATIVE_VALUES


@pytest.mark.parametrize("text,expected", [
    ("Tổ chức 12 buổi tuyên truyền và 3 buổi truyền thông.", {}),             # two numbers: ambiguous
    ("Tổ chức 12 buổi tuyên truyền. Nhắc lại: 12 buổi tuyên truyền.", {"tt_so_buoi": 12}),
    ("Không có vụ bạo lực học đường nào.", {}),                                # no pattern, no guess
    ("Có khoảng hai mươi buổi tuyên truyền.", {}),
    ("Xay ra 2 vu bao luc hoc duong", {"bl_so_vu": 2}),                        # written without diacritics
    ("", {}),
])
def test_never_guesses(text, expected):
    assert extract(text) == expected


@pytest.mark.parametrize("rows,unit,period", [
    ([["Đơn vị: Trường THPT Lộc Thái"], ["Kỳ báo cáo: 6 tháng đầu năm 2024"]],
     "Trường THPT Lộc Thái", "6 tháng đầu năm 2024"),
    ([["Tên đơn vị:", "THPT Hùng Vương"], ["Kỳ báo cáo:", "năm 2024"]], "THPT Hùng Vương", "năm 2024"),
    ([["PHÒNG GDĐT HUYỆN LỘC NINH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["BÁO CÁO"],
      ["Công tác trẻ em năm 2024"]], "PHÒNG GDĐT HUYỆN LỘC NINH", "Công tác trẻ em năm 2024"),
    ([["SỞ GD&ĐT BÌNH PHƯỚC"], ["TRƯỜNG THPT ĐỒNG XOÀI   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
      ["Đồng Xoài, ngày 20 tháng 6 năm 2024"], ["Sơ kết 6 tháng đầu năm học"]],
     "TRƯỜNG THPT ĐỒNG XOÀI", "Sơ kết 6 tháng đầu năm học"),
    ([["UBND HUYỆN BÙ ĐĂNG\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO"]], "UBND HUYỆN BÙ ĐĂNG - PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", None),
    ([["Đơn vị: ..........................."], ["Đơn vị tính: người"], ["Trường hợp khác"]], None, None),
    ([["Bình Phước, ngày 05 tháng 12 năm 2024"]], None, None),
])
def test_stated_unit_and_period(rows, unit, period):
    assert narrative.stated(rows) == (unit, period)


def test_a_number_and_a_capitalised_next_line_are_two_cells_not_a_sentence():
    from parsers.narrative import extract
    from store.config import load
    from pathlib import Path
    report = load(Path(__file__).resolve().parent.parent / "config.example.toml").reports[0]
    assert extract("bảng 2\nLượt cán bộ quản lý được tập huấn", report, "s") == []
    got = extract("Đơn vị đã tổ chức 12 buổi\ntuyên truyền cho học sinh", report, "s")
    assert [(v.indicator, v.number) for v in got] == [("tt_so_buoi", 12)]
