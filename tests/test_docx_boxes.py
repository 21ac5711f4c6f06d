"""Figures in Word text boxes (w:txbxContent): lines "label: figure unit", or a table inside."""
import io

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from parsers import docx as docx_parser
from tests import reportfiles as rf

R = rf.report()
EXPECTED = {code: float(v) for code, v in rf.SAMPLE.items()}


def _box(inner_xml: str) -> str:
    return (f'<w:p {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict><v:shape id="TextBox1" type="#_x0000_t202" '
            f'style="position:absolute;width:440pt;height:520pt"><v:textbox><w:txbxContent>{inner_xml}'
            '</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>')


def _p(text: str) -> str:
    from xml.sax.saxutils import escape
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _document(box_xml: str) -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph("BÁO CÁO")
    d.add_paragraph("Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024")
    d.element.body.insert(len(d.element.body) - 1, parse_xml(_box(box_xml)))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_figures_written_as_lines_in_a_text_box():
    lines = [_p("SỐ LIỆU CỤ THỂ")]
    for n, ind in enumerate(R.indicators, start=1):
        lines.append(_p(f"{n}. {ind.label}: {rf.vi(rf.SAMPLE[ind.code])} {ind.unit}"))
    parsed = docx_parser.parse("bc.docx", _document("".join(lines)), R)
    assert rf.numbers(parsed) == EXPECTED
    assert parsed.values[0].source.startswith("bc.docx › khung 1 › dòng ")
    assert parsed.stated_period == "Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024"


def test_a_table_inside_a_text_box():
    import docx
    d = docx.Document()
    rows = rf.form_rows()
    t = d.add_table(rows=len(rows), cols=5)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            t.cell(i, j).text = "" if v is None else str(v)
    tbl_xml = t._tbl.xml.split("?>", 1)[-1]
    parsed = docx_parser.parse("bc.docx", _document(_p("BIỂU SỐ LIỆU") + tbl_xml), R)
    assert rf.numbers(parsed) == EXPECTED
    assert "› khung 1 › bảng 1 ›" in parsed.values[0].source


def test_lines_without_a_figure_give_no_value():
    parsed = docx_parser.parse("bc.docx", _document(_p("Số vụ bạo lực học đường: x") + _p(
        "Số buổi tuyên truyền: 15-20 buổi") + _p("Số trẻ em bị xâm hại: -")), R)
    assert rf.numbers(parsed) == {"bl_so_vu": None, "tt_so_buoi": None, "xh_so_tre": 0.0}


def test_a_paragraphs_text_reads_alternate_content_once_and_no_deleted_text():
    import docx
    d = docx.Document()
    p = d.add_paragraph("Số vụ ")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p._p.append(parse_xml(f'<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                          f'{w}><mc:Choice Requires="w14"><w:r><w:t>bạo lực</w:t></w:r></mc:Choice>'
                          '<mc:Fallback><w:r><w:t>bạo lực</w:t></w:r></mc:Fallback></mc:AlternateContent>'))
    p._p.append(parse_xml(f'<w:del {w} w:id="1" w:author="a"><w:r><w:delText>cũ</w:delText></w:r></w:del>'))
    assert docx_parser.text_of(p) == "Số vụ bạo lực"
