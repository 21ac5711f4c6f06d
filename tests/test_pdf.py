"""PDF reports: ruled and unruled tables, scans (OCR when available), and hostile files."""
import time

import pytest

from parsers import ocr, pdf
from tests import reportfiles as rf

R = rf.report()


def parse(data, name="bc.pdf"):
    return pdf.parse(name, data, R)


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled table", "table without rules"])
def test_three_page_report(ruled):
    data = rf.pdf_report(ruled=ruled)
    p = parse(data)
    assert p.problems == [] and p.warnings == []
    assert rf.numbers(p) == rf.SAMPLE
    assert p.stated_unit == "UBND HUYỆN LỘC NINH - PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"
    assert p.stated_period == "Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024"
    v = next(v for v in p.values if v.indicator == "tre_em_tong")
    assert v.raw == "3.250" and v.source.startswith("bc.pdf › trang 3 › ")
    if ruled:
        assert v.source == "bc.pdf › trang 3 › bảng 1 › dòng 3"


def test_line_rows_split_label_unit_figure():
    rows = pdf.line_rows("Số lượt cha mẹ học sinh tham gia tuyên\n5 truyền lượt 1.045\n"
                         "Số vụ bạo lực học đường 5 3\n8 Số vụ bạo lực học đường vụ không có", R)
    assert rows == [["", "", ""], ["5 Số lượt cha mẹ học sinh tham gia tuyên truyền", "lượt", "1.045"],
                    ["Số vụ bạo lực học đường 5 3", "", ""],
                    ["8 Số vụ bạo lực học đường", "vụ", "không có"]]


def test_prose_in_a_pdf_is_read_by_the_patterns():
    p = parse(rf.pdf_pages(1))
    assert rf.numbers(p) == {"bl_so_vu": 3}


@pytest.mark.parametrize("maker,reason", [
    (lambda: b"", "empty"),
    (lambda: b"hello, not a pdf", "corrupt"),
    (lambda: rf.pdf_report()[:5000], "corrupt"),
    (lambda: rf.pdf_pages(2, encrypt="pw"), "encrypted"),
    (lambda: rf.pdf_pages(1000), "too many pages"),
])
def test_bad_files_are_problems_and_fast(maker, reason):
    data = maker()
    started = time.monotonic()
    p = parse(data)
    assert time.monotonic() - started < 2
    assert [pr.reason for pr in p.problems] == [reason]
    assert p.values == []


def test_long_pdf_reads_the_first_pages_with_a_warning():
    p = parse(rf.pdf_pages(40))
    assert p.problems == [] and "only the first 30 of 40 pages were read" in p.warnings
    assert rf.numbers(p) == {"bl_so_vu": 3}      # the same figure on 30 pages is one figure
    assert p.text.count("Trang") == 30


def test_scan_without_ocr_is_a_problem(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    p = parse(rf.scanned_pdf())
    assert [pr.reason for pr in p.problems] == ["scanned, no text"]


@pytest.mark.skipif(not ocr.available(), reason="tesseract with Vietnamese data is not installed")
def test_scan_is_read_by_ocr():
    p = parse(rf.scanned_pdf())
    got = rf.numbers(p)
    assert p.problems == []
    assert {v.method for v in p.values} == {"ocr"}
    assert len(got) >= 6 and all(got[k] == rf.SAMPLE[k] for k in got)
    assert p.stated_unit == "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO HUYỆN LỘC NINH"


@pytest.mark.skipif(not ocr.available(), reason="tesseract with Vietnamese data is not installed")
def test_blank_scan_is_a_problem():
    p = parse(rf.scanned_pdf(blank=True))
    assert [pr.reason for pr in p.problems] == ["scanned, no text"]


def test_a_figure_followed_by_a_note_in_a_borderless_table():
    from parsers.pdf import line_rows
    rows = line_rows("2 tre_hcdb Số trẻ em có hoàn cảnh đặc biệt người 13 Trong đó 5 em nữ\n"
                     "3 Số buổi tuyên truyền buổi 24 - em so với", rf.report())
    assert rows[0] == ["2 tre_hcdb Số trẻ em có hoàn cảnh đặc biệt", "người", "13"]
    assert rows[1][2] == ""   # "24 -": two figures (last year, this year): which one? none


def test_no_line_reading_when_the_header_names_another_figure_column():
    from parsers.pdf import _several_figure_columns
    assert _several_figure_columns(["STT Chỉ tiêu ĐVT\nKế hoạch Thực hiện Tỷ lệ %\n1 Số buổi buổi 20 10 50,0"])
    assert _several_figure_columns(["Chỉ tiêu Cùng kỳ năm 2023 6 tháng đầu năm 2024"])
    assert not _several_figure_columns(["Thực hiện Kế hoạch số 15/KH-SGDĐT ngày 03/6/2024 của Sở"])


@pytest.mark.parametrize("header, expected", [
    ("Kế hoạch Thực hiện Tỷ lệ %", (3, 1)),
    ("Cùng kỳ năm 2023 6 tháng đầu năm 2024", (2, 1)),
    ("6 tháng đầu năm 2024 Ước thực hiện cả năm 2024", (2, 0)),
    ("Thực hiện Kế hoạch số 15/KH-SGDĐT ngày 03/6/2024 của Sở Giáo dục", None),
])
def test_figure_columns_named_by_a_borderless_header(header, expected):
    from parsers.pdf import _figure_columns
    assert _figure_columns([f"STT Chỉ tiêu ĐVT\n{header}\n1 Số buổi buổi 20 10 50,0"]) == expected


def test_a_row_of_several_figures_takes_the_named_column():
    from parsers.pdf import line_rows
    rows = line_rows("3 Số buổi tuyên truyền buổi 239 116 50,0\n4 Số lớp tập huấn lớp 4 -\n"
                     "5 Số lượt học sinh lượt 36.103 50,0", rf.report(), (3, 1))
    assert rows[0][2] == "116"
    assert rows[1][2] == ""          # a blank cell: the run does not fill the columns, the row is left
    assert rows[2][2] == ""


def _line_values(text):
    from parsers import pdf as pdf_parser, table
    report = rf.report()
    s = table.scan(pdf_parser.line_rows(text, report), report, lambda r, c: f"dòng {r + 1}", blank_is_value=False)
    return {c.indicator: (c.number, c.source) for c in s.candidates}


def test_a_label_wrapped_around_its_stt_and_figure_is_one_row():
    got = _line_values("B Tuyên truyền, truyền thông\nSố buổi tuyên truyền, truyền thông về bảo vệ, chăm\n"
                       "1 14\nsóc trẻ em\n2 Số lượt học sinh tham gia tuyên truyền 3.271")
    assert got == {"tt_so_buoi": (14, "dòng 4"), "tt_luot_hs": (3271, "dòng 5")}


def test_a_labels_last_words_that_are_a_unit_of_measure_stay_in_the_label():
    # "diễn đàn" is the unit of "Số diễn đàn trẻ em" and the end of "Số lượt trẻ em tham gia diễn đàn"
    got = _line_values("4 Số diễn đàn trẻ em 0\n5 Số lượt trẻ em tham gia diễn đàn -")
    assert got == {"dd_so_dien_dan": (0, "dòng 1"), "dd_luot_tre": (0, "dòng 2")}
