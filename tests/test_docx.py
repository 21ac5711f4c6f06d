"""Word reports: the table pasted with merged cells, nested or twice; prose reports; broken files."""
import io

import docx
import pytest

from parsers import docx as docx_parser
from tests import reportfiles as rf

R = rf.report()


def parse(data):
    return docx_parser.parse("bc.docx", data, R)


@pytest.mark.parametrize("kw", [{}, {"nested": True}, {"twice": True}], ids=["pasted", "nested", "twice"])
def test_table_with_merged_cells(kw):
    data = rf.docx_report(**kw)
    p = parse(data)
    assert p.problems == [] and p.warnings == []
    assert rf.numbers(p) == rf.SAMPLE
    assert p.stated_unit == "UBND HUYỆN LỘC NINH - PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"
    assert p.stated_period == "Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024"
    v = next(v for v in p.values if v.indicator == "tntt_duoi_nuoc")
    assert v.method == "table" and v.source.startswith("bc.docx › bảng ") and " › dòng " in v.source


def test_typical_size():
    assert 20_000 < len(rf.docx_report(padding=40)) < 80_000


def test_source_names_table_and_row():
    p = parse(rf.docx_report())
    v = next(v for v in p.values if v.indicator == "tre_em_tong")
    assert (v.number, v.raw, v.source) == (3250, "3.250", "bc.docx › bảng 2 › dòng 3")


def _doc(rows, merges=()):
    d = docx.Document()
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    for (r1, c1), (r2, c2) in merges:
        t.cell(r1, c1).merge(t.cell(r2, c2))
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            if text is not None:
                t.cell(i, j).text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_merged_figure_is_read_once():
    rows = [["Chỉ tiêu", "Số liệu", "Ghi chú"], ["Số vụ bạo lực học đường", "3", None],
            ["Số trẻ em bị xâm hại", "2", None], ["Trong đó: bị xâm hại tình dục", None, "x"]]
    # the figure 2 merged down over the "Trong đó" row: it belongs to the top row only
    p = parse(_doc(rows, merges=[((1, 1), (1, 2)), ((2, 1), (3, 1))]))
    assert rf.numbers(p) == {"bl_so_vu": 3, "xh_so_tre": 2, "xh_tinh_duc": None}


def test_two_copies_that_disagree_give_neither():
    values = dict(rf.SAMPLE)
    first = rf.docx_report(values)
    d = docx.Document(io.BytesIO(first))
    values["bl_so_vu"] = 4
    rf._docx_table(d, values)
    buf = io.BytesIO()
    d.save(buf)
    p = parse(buf.getvalue())
    assert "bl_so_vu" not in rf.numbers(p)
    assert any(w.startswith("bl_so_vu: different figures") for w in p.warnings)


def test_narrative_report_without_table():
    p = parse(rf.narrative_docx())
    assert rf.numbers(p) == rf.NARRATIVE_VALUES
    assert {v.method for v in p.values} == {"text"}
    assert p.stated_period == "Công tác trẻ em 6 tháng đầu năm 2024"
    assert "học bơi" in p.text


def test_table_values_win_over_prose():
    d = docx.Document(io.BytesIO(rf.narrative_docx()))
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Chỉ tiêu", "Số liệu"
    t.cell(1, 0).text, t.cell(1, 1).text = "Số buổi tuyên truyền", "14"
    buf = io.BytesIO()
    d.save(buf)
    got = {v.indicator: (v.number, v.method) for v in parse(buf.getvalue()).values}
    assert got["tt_so_buoi"] == (14, "table") and got["tre_hcdb"] == (41, "text")


def test_document_without_figures_warns():
    p = parse(_doc([["Họ tên", "Lớp"], ["Nguyễn Văn A", "10A1"]]))
    assert p.values == [] and p.problems == []
    assert p.warnings == ["no indicator of the form was found in the document"]


def _no_document_part():
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buf.getvalue()


@pytest.mark.parametrize("maker,reason", [
    (lambda: b"", "empty"),
    (lambda: rf.docx_report()[:15_000], "corrupt"),
    (_no_document_part, "corrupt"),
    (rf.ole_container, "encrypted or not a Word document"),
    (rf.filled_xlsx, "corrupt"),
])
def test_bad_files(maker, reason):
    p = parse(maker())
    assert [pr.reason for pr in p.problems] == [reason]
    assert p.values == []


def test_a_hostile_column_span_is_a_corrupt_file_not_a_stalled_worker(cfg) -> None:
    """python-docx expands a gridSpan cell by cell: 999,999,999 would hold the worker for its
    whole CPU limit."""
    import docx as python_docx
    from docx.oxml.ns import qn
    from parsers import docx as reader
    doc = python_docx.Document()
    cell = doc.add_table(rows=1, cols=1).cell(0, 0)
    span = cell._tc.get_or_add_tcPr().makeelement(qn("w:gridSpan"), {qn("w:val"): "999999999"})
    cell._tc.get_or_add_tcPr().append(span)
    buf = __import__("io").BytesIO()
    doc.save(buf)
    result = reader.parse("bc.docx", buf.getvalue(), cfg.reports[0])
    assert [p.reason for p in result.problems] == ["corrupt"] and "999,999,999" in result.problems[0].detail
