"""The compiled workbook, opened with openpyxl: figures equal the store, totals are formulas that
carry their values, text never becomes a formula, and the pages print as document-style.md asks."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from compile import workbook
from tests.storefill import add_incident, add_report, at, fresh_store

NOW = at("2024-07-05 08:00")
HOSTILE = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'


@pytest.fixture
def book(tmp_path):
    base, _ = fresh_store(tmp_path / "base")
    units = tuple(u._replace(name=HOSTILE) if u.code == "TT-BUDOP" else u for u in base.units)
    cfg, db = fresh_store(tmp_path, units=units)
    add_report(db, "THPT-LOCNINH", "2024-06-20 09:00", {"tre_em_tong": 1250, "bl_so_vu": 2, "xh_so_tre": 1,
                                                         "xh_tinh_duc": 1})
    add_report(db, "THPT-LOCTHAI", "2024-07-02 09:00", {"tre_em_tong": 800, "bl_so_vu": "+1 vụ", "tre_hcdb": 12},
               warnings=[("xh_tinh_duc<=xh_so_tre", "-cmd|' /C calc'!A0")], method="text")
    add_report(db, "TT-BUDOP", "2024-06-22 09:00", {"tre_em_tong": 300, "tt_so_buoi": "@SUM(1+1)\x07"})
    add_report(db, "THPT-LOCNINH", "2024-12-01 09:00", {"tre_em_tong": 1300}, period="2024")
    add_incident(db, "THPT-LOCNINH", "2024-06-01", summary="=1+2 " + "x" * 5000)
    data = workbook.build(db, cfg, "cttre", NOW)
    return cfg, db, openpyxl.load_workbook(io.BytesIO(data), data_only=True), openpyxl.load_workbook(io.BytesIO(data))


def _table(ws):
    """Header row (labels), code row, then unit rows until TỔNG CỘNG; returns codes, rows, total row."""
    head = next(r for r in range(1, 20) if ws.cell(r, 1).value == "STT")
    codes = {v: c for c in range(1, ws.max_column + 1) if (v := ws.cell(head + 1, c).value)}
    rows, r = {}, head + 2
    while ws.cell(r, 3).value != "TỔNG CỘNG":
        rows[ws.cell(r, 2).value] = r
        r += 1
    return codes, rows, r


def test_sheets_and_heading(book):
    cfg, _, wb, _ = book
    assert wb.sheetnames == ["2024S1", "2024", "Tình hình gửi báo cáo", "Cảnh báo số liệu", "Vụ việc",
                             "Nguồn số liệu"]
    ws = wb["2024S1"]
    values = [c.value for row in ws.iter_rows(max_row=8) for c in row if c.value]
    for text in ("UBND TỈNH BÌNH PHƯỚC", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Bình Phước, ngày 05 tháng 7 năm 2024",
                 "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "Số: …/BC-SGDĐT"):
        assert text in values
    assert ws["A1"].font.name == "Times New Roman"
    rules = [c for c in ws[3] if isinstance(c.value, str) and c.value.strip("\u00a0") == "" and c.value]
    assert len(rules) == 2 and all(c.font.u == "single" for c in rules)      # under both blocks
    below = [c.value for row in ws.iter_rows(min_row=ws.max_row - 6) for c in row if c.value]
    assert "NGƯỜI LẬP BIỂU" in below and "TRƯỞNG PHÒNG" in below


def test_what_prints(book):
    """The period sheets with something to show and the incidents print; the completeness,
    warnings and sources sheets stay on screen (an empty print area: printing skips them)."""
    _, _, wb, _ = book
    def printed(ws):
        area = ws.print_area
        return bool(area) and ":" in area and any(c.value is not None for row in ws[area.split("!")[-1].replace("$", "")]
                                                  for c in row)
    assert [ws.title for ws in wb.worksheets if printed(ws)] == ["2024S1", "2024", "Vụ việc"]
    ws = wb["2024S1"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    head = next(r for r in range(1, 20) if ws.cell(r, 1).value == "STT")
    assert ws.row_dimensions[head].height >= 12 * 1.3 * 5          # wrapped labels: the row is grown


@pytest.mark.parametrize("period", ["2024S1", "2024"])
def test_figures_equal_the_store(book, period):
    cfg, db, wb, formulas = book
    ws = wb[period]
    codes, rows, total_row = _table(ws)
    assert set(codes) == {i.code for i in cfg.report("cttre").indicators}
    assert len(rows) == 50
    store = db.execute("SELECT unit_code, indicator, value FROM v_values WHERE period = ?", [period]).fetchall()
    for unit, ind, value in store:
        if value is not None:
            assert ws.cell(rows[unit], codes[ind]).value == value
    for ind, col in codes.items():
        expect = db.execute("SELECT SUM(value) FROM v_values WHERE period = ? AND indicator = ?",
                            [period, ind]).fetchone()[0]
        got = ws.cell(total_row, col).value               # the formula's value, as saved in the file
        assert got == (expect or 0) and isinstance(got, (int, float))
        assert sum(ws.cell(r, col).value or 0 for r in rows.values()   # the rows add up to the total, too
                   if isinstance(ws.cell(r, col).value, (int, float))) == (expect or 0)
        letter = ws.cell(total_row, col).column_letter
        assert formulas[period].cell(total_row, col).value == \
            f"=SUM({letter}{min(rows.values())}:{letter}{max(rows.values())})"


def test_by_kind_district_and_previous_period(book):
    _, _, wb, formulas = book
    ws = wb["2024"]
    labels = {ws.cell(r, 3).value: r for r in range(1, ws.max_row + 1)}
    codes, _, total_row = _table(ws)
    col = codes["tre_em_tong"]
    assert ws.cell(labels["Trường THPT"], col).value == 1300
    assert ws.cell(labels["Lộc Ninh"], col).value == 1300
    # compared over the same units only: Lộc Ninh is the one unit with the figure in both periods,
    # never 1,300 (one unit) against 2,350 (three)
    before = labels["Kỳ trước (6 tháng đầu năm 2024), các đơn vị có số liệu cả hai kỳ"]
    now, change = labels["Kỳ này, cùng các đơn vị đó"], labels["Chênh lệch so với kỳ trước (cùng đơn vị)"]
    assert (ws.cell(before, col).value, ws.cell(now, col).value, ws.cell(change, col).value) == (1250, 1300, 50)
    f = formulas["2024"]
    assert f.cell(labels["Trường THPT"], col).value.startswith("=SUMIF(")
    letter = ws.cell(1, col).column_letter
    assert f.cell(change, col).value == f"={letter}{now}-{letter}{before}"


def test_a_corrected_cell_updates_the_totals(book, tmp_path):
    """The total is a formula over exactly the unit rows: after a unit's figure is changed, the
    total a spreadsheet program computes from it follows (recomputed here by the formula's range)."""
    _, _, wb, formulas = book
    f = formulas["2024S1"]
    codes, rows, total_row = _table(f)
    col = codes["tre_em_tong"]
    formula = f.cell(total_row, col).value
    m = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", formula)
    assert m and int(m.group(2)) == min(rows.values()) and int(m.group(4)) == max(rows.values())
    f.cell(rows["THPT-LOCNINH"], col).value = 1000                    # the clerk corrects a figure
    recomputed = sum(v for r in range(int(m.group(2)), int(m.group(4)) + 1)
                     if isinstance(v := f.cell(r, col).value, (int, float)))
    assert recomputed == 1000 + 800 + 300


OWN_FORMULA = re.compile(r"=SUM\([A-Z]+\d+:[A-Z]+\d+\)|=SUMIF\(\$[A-Z]+\$\d+:\$[A-Z]+\$\d+,\$C\d+,"
                         r"[A-Z]+\$\d+:[A-Z]+\$\d+\)|=[A-Z]+\d+-[A-Z]+\d+")


def test_only_our_totals_are_formulas_and_risky_text_is_quote_prefixed(book):
    _, _, _, wb = book
    risky, own = [], 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":        # only the totals the workbook computes, on the period sheets
                    assert ws.title in ("2024S1", "2024") and OWN_FORMULA.fullmatch(c.value), (ws.title, c.coordinate)
                    own += 1
                    continue
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    risky.append(c)
    assert own > 0
    texts = {c.value for c in risky}
    assert HOSTILE in texts and "+1 vụ" in texts and "-cmd|' /C calc'!A0" in texts
    assert "@SUM(1+1)" in texts                                   # the control character is gone
    assert any(t.startswith("=1+2 xxx") and len(t) > 5000 for t in texts)
    assert all(c.quotePrefix for c in risky)


def test_completeness_incidents_and_sources(book):
    _, db, wb, _ = book
    comp = wb["Tình hình gửi báo cáo"]
    states = {comp.cell(r, 3).value: comp.cell(r, 8).value for r in range(1, comp.max_row + 1)
              if comp.cell(r, 1).value == "6 tháng đầu năm 2024"}
    assert states["THPT-LOCNINH"] == "Đúng hạn" and states["THPT-LOCTHAI"] == "Trễ hạn"
    assert sum(1 for s in states.values() if s == "Chưa nộp (quá hạn)") == 47
    inc = wb["Vụ việc"]
    assert any(inc.cell(r, 5).value == "Đuối nước" and inc.cell(r, 2).value == "01/06/2024"
               for r in range(1, inc.max_row + 1))
    src = wb["Nguồn số liệu"]
    listed = {(src.cell(r, 2).value, src.cell(r, 4).value, src.cell(r, 8).value) for r in range(2, src.max_row + 1)}
    store = set(db.execute("SELECT unit_code, indicator, source FROM v_values").fetchall())
    assert listed == store
    look = [src.cell(r, 9).value for r in range(2, src.max_row + 1) if src.cell(r, 2).value == "THPT-LOCTHAI"]
    assert look and all("cần kiểm tra" in v for v in look)
