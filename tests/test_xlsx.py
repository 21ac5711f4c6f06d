"""The .xlsx parser on the generated form as units really return it, and on broken files."""
import io
import time
import zipfile

import pytest
from openpyxl import load_workbook

from parsers import xlsx
from tests import reportfiles as rf

R = rf.report()


def parse(data, name="bc.xlsx"):
    return xlsx.parse(name, data, R)


def expected(**changes):
    out = dict(rf.SAMPLE)
    out.update(changes)
    return out


EDITS = [
    ("as sent", [], {}),
    ("code column deleted", [rf.delete_code_column], {}),
    ("rows inserted", [rf.insert_rows], {}),
    ("sheet renamed", [rf.rename_sheet], {}),
    ("header on row 16", [rf.header_on_row(16)], {}),
    ("header on row 5, no code column", [rf.delete_code_column, lambda ws: ws.delete_rows(1, 5)], {}),
    ("pasted twice", [rf.paste_twice], {}),
    ("pasted twice, no code column", [rf.delete_code_column, rf.paste_twice], {}),
    ("label merged over the unit", [rf.merge_label("tt_so_buoi"), rf.merge_label("tntt_duoi_nuoc")], {}),
    ("1.234 typed as text", [rf.set_value("tre_em_tong", "3.250"), rf.set_value("hs_hoc_boi", "1.432")], {}),
    ("12 em", [rf.set_value("tt_so_buoi", "12 em"), rf.set_value("th_so_lop", "3 (lớp)")], {}),
    ("zero words", [rf.set_value("bl_so_vu", "không"), rf.set_value("ld_trai_pl", "-"),
                    rf.set_value("xh_tinh_duc", "Không có")], {"xh_tinh_duc": 0}),
    ("blank", [rf.set_value("dd_luot_tre", None)], {"dd_luot_tre": None}),
    ("float cell", [rf.set_value("tre_hcdb", 41.0)], {}),
]


@pytest.mark.parametrize("name,edits,changes", EDITS, ids=[e[0] for e in EDITS])
def test_edited_forms_give_the_figures(name, edits, changes):
    p = parse(rf.filled_xlsx(None, *edits))
    assert p.problems == []
    assert rf.numbers(p) == expected(**changes)
    assert p.stated_unit == "Trường THPT Đồng Xoài"
    assert p.stated_period == "6 tháng đầu năm 2024"


def test_source_and_raw_name_the_cell():
    p = parse(rf.filled_xlsx(None, rf.set_value("tre_em_tong", "3.250"), rf.rename_sheet))
    v = next(v for v in p.values if v.indicator == "tre_em_tong")
    assert (v.number, v.raw, v.source, v.method) == (3250, "3.250", "bc.xlsx › Sheet1 › E15", "table")


def test_formula_without_cached_value_is_none_with_a_warning():
    p = parse(rf.filled_xlsx(None, rf.set_value("tntt_so_tre", "=E22+E24")))
    v = next(v for v in p.values if v.indicator == "tntt_so_tre")
    assert (v.number, v.raw) == (None, "=E22+E24")
    assert any("formula =E22+E24 has no saved result" in w for w in p.warnings)


def test_formula_with_cached_value_uses_it():
    data = rf.filled_xlsx(None, rf.set_value("tntt_so_tre", "=E22+E24"))
    row = rf.row_of(load_workbook(io.BytesIO(data))["BaoCao"], "tntt_so_tre")
    p = parse(rf.with_cached_values(data, {f"E{row}": 9}))
    assert rf.numbers(p)["tntt_so_tre"] == 9
    assert p.warnings == []


def test_conflicting_copies_keep_neither():
    def second_copy_differs(ws):
        rf.paste_twice(ws)
        last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "bl_so_vu")
        ws.cell(last, 5).value = 6
    p = parse(rf.filled_xlsx(None, second_copy_differs))
    assert "bl_so_vu" not in rf.numbers(p)
    assert any(w.startswith("bl_so_vu: different figures") for w in p.warnings)


def test_plain_table_without_codes_or_header():
    p = parse(rf.plain_grid_xlsx(rf.form_rows(header=None)))
    assert rf.numbers(p) == rf.SAMPLE


def test_workbook_without_the_form():
    p = parse(rf.plain_grid_xlsx([["Họ tên", "Lớp"], ["Nguyễn Văn A", "10A1"]]))
    assert p.values == [] and p.problems == []
    assert p.warnings == ["no indicator of the form was found in the workbook"]


def test_long_sheet_is_streamed_and_capped():
    rows = rf.form_rows() + [[f"Học sinh {i}", i, "x"] for i in range(6000)]
    p = parse(rf.plain_grid_xlsx(rows))
    assert rf.numbers(p) == rf.SAMPLE


def test_sheet_without_indicators_reads_only_the_cap():
    p = parse(rf.plain_grid_xlsx([[f"Học sinh {i}", i] for i in range(xlsx.MAX_ROWS + 100)]))
    assert any("only the first 5000 rows" in w for w in p.warnings)


def _truncated():
    data = rf.filled_xlsx()
    return data[: len(data) // 2]


def _not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "xin chào")
    return buf.getvalue()


@pytest.mark.parametrize("maker,reason,words", [
    (lambda: b"", "empty", "0 bytes"),
    (_truncated, "corrupt", "zip"),
    (_not_a_workbook, "corrupt", "not an Excel workbook"),
    (rf.entity_bomb_xlsx, "corrupt", "entities"),
    (rf.ole_container, "encrypted", "password"),
    (lambda: b"PK\x03\x04" + b"\x00" * 100, "corrupt", "zip"),
])
def test_bad_files_are_problems_not_exceptions(maker, reason, words):
    started = time.monotonic()
    p = parse(maker())
    assert time.monotonic() - started < 5
    assert p.values == []
    assert [pr.reason for pr in p.problems] == [reason]
    assert words in p.problems[0].detail


def test_a_hidden_stale_row_yields_to_the_visible_one():
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    rows = rf.form_rows()
    for row in rows:
        ws.append(row)
    label = next(r for r in rows if r[1] == "Số buổi tuyên truyền, truyền thông về bảo vệ, chăm sóc trẻ em")
    ws.insert_rows(2)
    for c, v in enumerate(label[:3] + [99], start=1):
        ws.cell(row=2, column=c, value=v)
    ws.row_dimensions[2].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    got = rf.numbers(xlsx.parse("bc.xlsx", buf.getvalue(), R))
    assert got["tt_so_buoi"] == rf.SAMPLE["tt_so_buoi"]
    assert got == {k: float(v) for k, v in rf.SAMPLE.items()}
