"""Two periods in one file: a sheet per period, a column per period, a Word table per period.
One period's figures are read (the mail's, else the file name's, else this period's by its
words), never a mix: a blank in this period's sheet is not filled from last year's."""
import io

import pytest

from parsers import depth, docx as docx_parser, periods, sheet, xlsx
from tests import reportfiles as rf

R = rf.report()
S1, YEAR = (next(p for p in R.periods if p.id == pid) for pid in ("2024S1", "2024"))
THIS = dict(rf.SAMPLE)
OTHER = {code: v + 100 for code, v in rf.SAMPLE.items()}


def _workbook(sheets):
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    for name, title, values in sheets:
        ws = wb.create_sheet(name)
        ws.append(["BÁO CÁO CÔNG TÁC TRẺ EM"])
        ws.append([title])
        for row in rf.form_rows(values):
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read(module, name, data, period=None):
    with depth.reading(depth.Reading(period=period)):
        return module.parse(name, data, R)


def test_a_sheet_per_year_reads_this_years_and_never_fills_a_blank_from_last_year():
    this = dict(THIS, ld_trai_pl=None)
    data = _workbook([("6 tháng đầu năm 2023", "Kỳ báo cáo: 6 tháng đầu năm 2023 (cùng kỳ)", OTHER),
                      ("6 tháng đầu năm 2024", "Kỳ báo cáo: 6 tháng đầu năm 2024", this)])
    for period in (S1, None):
        parsed = _read(xlsx, "bc.xlsx", data, period)
        got = rf.numbers(parsed)
        assert got == {k: float(v) if v is not None else None for k, v in this.items()}
        assert all("› 6 tháng đầu năm 2024 ›" in v.source for v in parsed.values)
        assert any("two periods" in w for w in parsed.warnings)


@pytest.mark.parametrize("period,expected", [(S1, THIS), (YEAR, OTHER)])
def test_a_sheet_per_period_reads_the_mails_period(period, expected):
    data = _workbook([("Năm 2024", "Kỳ báo cáo: năm 2024", OTHER),
                      ("6 tháng đầu năm 2024", "Kỳ báo cáo: 6 tháng đầu năm 2024", THIS)])
    assert rf.numbers(_read(xlsx, "bao cao.xlsx", data, period)) == {k: float(v) for k, v in expected.items()}


def test_without_the_mails_period_the_file_name_decides_then_the_latest():
    data = _workbook([("Năm 2024", "", OTHER), ("6 tháng đầu năm 2024", "", THIS)])
    assert rf.numbers(_read(xlsx, "BC 6 thang 2024.xlsx", data))["tre_em_tong"] == THIS["tre_em_tong"]
    assert rf.numbers(_read(xlsx, "bao cao.xlsx", data))["tre_em_tong"] == OTHER["tre_em_tong"]


def test_xls_sheets_per_period():
    import xlwt
    wb = xlwt.Workbook()
    for name, values in (("Nam 2024", OTHER), ("6 thang dau nam 2024", THIS)):
        ws = wb.add_sheet(name)
        for r, row in enumerate(rf.form_rows(values)):
            for c, v in enumerate(row):
                ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    assert rf.numbers(_read(sheet, "bc.xls", buf.getvalue(), S1)) == {k: float(v) for k, v in THIS.items()}


@pytest.mark.parametrize("period,expected", [(S1, THIS), (YEAR, OTHER), (None, OTHER)])
def test_a_column_per_period(period, expected):
    rows = [["STT", "Nội dung", "ĐVT", "6 tháng đầu năm 2024", "Cả năm 2024"]]
    for row in rf.form_rows(THIS, header=None):
        code = next((i.code for i in R.indicators if i.label == row[1]), None)
        rows.append(row[:4] + [OTHER[code] if code else ""])
    got = rf.numbers(_read(xlsx, "bc.xlsx", rf.plain_grid_xlsx(rows), period))
    assert got == {k: float(v) for k, v in expected.items()}


def test_two_word_tables_each_under_its_title():
    import docx
    d = docx.Document()
    d.add_paragraph("BÁO CÁO kết quả công tác trẻ em năm 2024")
    for title, values in (("Biểu 1. Số liệu 6 tháng đầu năm 2024", THIS), ("Biểu 2. Số liệu cả năm 2024", OTHER)):
        d.add_paragraph(title)
        rows = rf.form_rows(values)
        t = d.add_table(rows=len(rows), cols=5)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                t.cell(i, j).text = "" if v is None else str(v)
    buf = io.BytesIO()
    d.save(buf)
    for period, expected in ((S1, THIS), (YEAR, OTHER)):
        parsed = _read(docx_parser, "bc.docx", buf.getvalue(), period)
        assert rf.numbers(parsed) == {k: float(v) for k, v in expected.items()}
        assert all("Biểu" in v.source for v in parsed.values)


@pytest.mark.parametrize("text,kind,year,other", [
    ("6 tháng đầu năm 2024", "semester1", 2024, False), ("Năm 2024", "year", 2024, False),
    ("Cả năm 2024", "year", 2024, False), ("Cùng kỳ năm trước", None, None, True),
    ("6 tháng cuối năm 2023", "semester2", 2023, False), ("Năm học 2023-2024", "school_year", 2024, False),
    ("2024", "year", 2024, False),
])
def test_period_tags(text, kind, year, other):
    t = periods.tag(text)
    assert (t.kind, t.year, t.other) == (kind, year, other)


def test_names_without_a_period_have_no_tag():
    assert periods.tag("BaoCao") is None and periods.tag("Số liệu") is None and periods.tag("Sheet1") is None
