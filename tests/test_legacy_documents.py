"""Legacy Vietnamese encodings inside documents (TCVN3 ".VnTime", VNI "VNI-Times"): in every cell
of a sheet (the header row too), in some cells only, in some runs of a Word label, in the
letterhead that names the unit. Converted cell by cell and run by run before any matching."""
import io

import pytest

from parsers import docx as docx_parser, legacy, sheet, xlsx
from tests import reportfiles as rf

R = rf.report()
EXPECTED = {code: float(v) for code, v in rf.SAMPLE.items() if isinstance(v, (int, float))}


def _encoded(rows, encoding, every=1):
    out = []
    for n, row in enumerate(rows):
        out.append([legacy.encode(c, encoding) if isinstance(c, str) and n % every == 0 else c for c in row])
    return out


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_an_xlsx_typed_in_a_legacy_encoding_header_included_is_read(encoding):
    rows = _encoded(rf.form_rows(), encoding)
    assert legacy.encode("Nội dung", encoding) in rows[0]
    got = rf.numbers(xlsx.parse("bc.xlsx", rf.plain_grid_xlsx(rows), R))
    assert got == EXPECTED


def test_an_xlsx_with_only_some_rows_in_tcvn3_is_read():
    rows = _encoded(rf.form_rows(), "tcvn3", every=2)
    got = rf.numbers(xlsx.parse("bc.xlsx", rf.plain_grid_xlsx(rows), R))
    assert got == EXPECTED


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_an_xls_typed_in_a_legacy_encoding_is_read(encoding):
    data = rf.xls_bytes(_encoded(rf.form_rows(), encoding))
    if data is None:
        pytest.skip("xlwt is not installed")
    assert rf.numbers(sheet.parse("bc.xls", data, R)) == EXPECTED


def _docx(encoding, font, *, mixed=False, style_font=False):
    import docx
    d = docx.Document()
    if style_font:
        d.styles["Normal"].font.name = font

    def para(container, text):
        p = container.add_paragraph() if hasattr(container, "add_paragraph") else container
        run = p.add_run(legacy.encode(text, encoding))
        if not style_font:
            run.font.name = font
        return p

    head = d.add_table(rows=1, cols=2)
    para(head.cell(0, 0).paragraphs[0], "TRƯỜNG THPT LỘC NINH")
    para(head.cell(0, 1).paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    para(d, "BÁO CÁO")
    para(d, "Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024")
    rows = rf.form_rows(header=("STT", "Chỉ tiêu", "ĐVT", "Số liệu", "Ghi chú"))
    t = d.add_table(rows=len(rows), cols=5)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            p = t.cell(i, j).paragraphs[0]
            text = "" if value is None else str(value)
            if mixed and j == 1 and " " in text:       # the label's first word in Unicode, the rest legacy
                first, rest = text.split(" ", 1)
                p.add_run(first + " ").font.name = "Times New Roman"
                para(p, rest)
            else:
                para(p, text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("encoding,font", [("tcvn3", ".VnTime"), ("vni", "VNI-Times")])
def test_a_word_document_typed_in_a_legacy_font_is_read_with_its_unit(encoding, font):
    parsed = docx_parser.parse("bc.docx", _docx(encoding, font), R)
    assert rf.numbers(parsed) == EXPECTED
    assert parsed.stated_unit == "TRƯỜNG THPT LỘC NINH"
    assert "6 tháng đầu năm 2024" in (parsed.stated_period or "")


def test_a_legacy_font_given_by_the_style_converts_runs_without_their_own_font():
    parsed = docx_parser.parse("bc.docx", _docx("tcvn3", ".VnTime", style_font=True), R)
    assert rf.numbers(parsed) == EXPECTED


def test_a_label_typed_partly_in_tcvn3_is_read_run_by_run():
    parsed = docx_parser.parse("bc.docx", _docx("tcvn3", ".VnTime", mixed=True), R)
    assert rf.numbers(parsed) == EXPECTED


def test_unicode_text_is_never_converted():
    for text in ("Số trẻ em có hoàn cảnh đặc biệt", "có là và", "Tên đơn vị", "12", "Café"):
        assert legacy.fix_text(text) == text
        assert legacy.fix_runs([(text, "Times New Roman")]) == text


def test_an_xlsx_cell_in_a_legacy_font_is_converted_by_its_font_even_when_its_characters_cannot_tell():
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Chỉ tiêu", "ĐVT", "Số liệu"])
    ws.append(["1", "Số lượt trẻ em tham gia diễn đàn", "lượt", "khoâng coù"])     # VNI "không có"
    ws["D2"].font = Font(name="VNI-Times")
    assert legacy.fix_text("khoâng coù") == "khoâng coù"       # its characters alone do not tell
    buf = io.BytesIO()
    wb.save(buf)
    parsed = xlsx.parse("bc.xlsx", buf.getvalue(), R)
    assert [(v.indicator, v.number, v.raw) for v in parsed.values] == [("dd_luot_tre", 0, "không có")]


def test_an_xls_cell_in_a_legacy_font_is_converted_by_its_font_and_a_hidden_row_yields():
    import xlwt
    wb = xlwt.Workbook()
    ws = wb.add_sheet("BaoCao")
    vni = xlwt.easyxf("font: name VNI-Times")
    rows = [["STT", "Chỉ tiêu", "ĐVT", "Số liệu"],
            ["1", "Số vụ bạo lực học đường", "vụ", 7],                       # hidden, stale
            ["1", "Số vụ bạo lực học đường", "vụ", 2],
            ["2", "Số lượt trẻ em tham gia diễn đàn", "lượt", "khoâng coù"]]  # VNI "không có"
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v, vni if v == "khoâng coù" else xlwt.Style.default_style)
    ws.row(1).hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    parsed = sheet.parse("bc.xls", buf.getvalue(), R)
    assert [(v.indicator, v.number, v.raw) for v in parsed.values] == [("bl_so_vu", 2, "2"),
                                                                        ("dd_luot_tre", 0, "không có")]
