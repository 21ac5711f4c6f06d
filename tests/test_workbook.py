"""The compiled workbook, opened with openpyxl: figures equal the store, text never becomes a formula."""
from __future__ import annotations

import dataclasses
import io

import openpyxl
import pytest

from compile import workbook
from tests.storefill import add_incident, add_report, at, fresh_store

NOW = at("2024-07-05 08:00")
HOSTILE = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'


@pytest.fixture
def book(tmp_path):
    base, _ = fresh_store(tmp_path / "base")
    units = tuple(dataclasses.replace(u, name=HOSTILE) if u.code == "TT-BUDOP" else u for u in base.units)
    cfg, db = fresh_store(tmp_path, units=units)
    add_report(db, "THPT-LOCNINH", "2024-06-20 09:00", {"tre_em_tong": 1250, "bl_so_vu": 2, "xh_so_tre": 1,
                                                         "xh_tinh_duc": 1})
    add_report(db, "THPT-LOCTHAI", "2024-07-02 09:00", {"tre_em_tong": 800, "bl_so_vu": "+1 vụ", "tre_hcdb": 12},
               warnings=[("xh_tinh_duc<=xh_so_tre", "-cmd|' /C calc'!A0")], method="text")
    add_report(db, "TT-BUDOP", "2024-06-22 09:00", {"tre_em_tong": 300, "tt_so_buoi": "@SUM(1+1)\x07"})
    add_report(db, "THPT-LOCNINH", "2024-12-01 09:00", {"tre_em_tong": 1300}, period="2024")
    add_incident(db, "THPT-LOCNINH", "2024-06-01", summary="=1+2 " + "x" * 5000)
    wb = openpyxl.load_workbook(io.BytesIO(workbook.build(db, cfg, "cttre", NOW)))
    return cfg, db, wb


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
    cfg, _, wb = book
    assert wb.sheetnames == ["2024S1", "2024", "Tình hình gửi báo cáo", "Cảnh báo số liệu", "Vụ việc",
                             "Nguồn số liệu"]
    ws = wb["2024S1"]
    values = [c.value for row in ws.iter_rows(max_row=6) for c in row if c.value]
    for text in ("UBND TỈNH BÌNH PHƯỚC", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Bình Phước, ngày 05 tháng 7 năm 2024",
                 "Báo cáo công tác trẻ em 6 tháng đầu năm 2024"):
        assert text in values
    assert ws["A1"].font.name == "Times New Roman"


@pytest.mark.parametrize("period", ["2024S1", "2024"])
def test_figures_equal_the_store(book, period):
    cfg, db, wb = book
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
        got = ws.cell(total_row, col).value
        assert got == expect
        assert got is None or isinstance(got, (int, float))
        if expect is not None:   # the rows add up to the total, too
            assert sum(ws.cell(r, col).value or 0 for r in rows.values()
                       if isinstance(ws.cell(r, col).value, (int, float))) == expect


def test_by_kind_district_and_previous_period(book):
    _, _, wb = book
    ws = wb["2024"]
    labels = {ws.cell(r, 3).value: r for r in range(1, ws.max_row + 1)}
    codes, _, _ = _table(ws)
    col = codes["tre_em_tong"]
    assert ws.cell(labels["Trường THPT"], col).value == 1300
    assert ws.cell(labels["Lộc Ninh"], col).value == 1300
    assert ws.cell(labels["Kỳ trước (6 tháng đầu năm 2024)"], col).value == 1250 + 800 + 300
    assert ws.cell(labels["Chênh lệch so với kỳ trước"], col).value == 1300 - 2350


def test_no_formula_anywhere_and_risky_text_is_quote_prefixed(book):
    _, _, wb = book
    risky = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    risky.append(c)
    texts = {c.value for c in risky}
    assert HOSTILE in texts and "+1 vụ" in texts and "-cmd|' /C calc'!A0" in texts
    assert "@SUM(1+1)" in texts                                   # the control character is gone
    assert any(t.startswith("=1+2 xxx") and len(t) > 5000 for t in texts)
    assert all(c.quotePrefix for c in risky)


def test_completeness_incidents_and_sources(book):
    _, db, wb = book
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
