"""An HTML table saved as .xls (Excel's "web page" export, renamed): read as a sheet."""
from parsers import html
from parsers.registry import parse_attachment
from tests import reportfiles as rf

R = rf.report()


def _page(rows, *, excel=True, charset="utf-8"):
    head = (f'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta http-equiv="Content-Type" '
            f'content="text/html; charset={charset}"><!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets>'
            '<x:ExcelWorksheet><x:Name>Biểu 01</x:Name></x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook>'
            '</xml><![endif]--></head>' if excel else "<html><head></head>")
    body = "".join("<tr>" + "".join(f"<td>{'' if v is None else v}</td>" for v in row) + "</tr>" for row in rows)
    return f'{head}<body><table border="1"><tr><td colspan="5"><b>Kỳ báo cáo: 6 tháng đầu năm 2024</b></td></tr>' \
           f"{body}</table></body></html>"


def test_an_html_table_named_xls_is_read_like_a_sheet():
    [parsed] = parse_attachment("bc.xls", _page(rf.form_rows()).encode("utf-8"), R, isolate=False)
    assert parsed.detected_type == "html" and not parsed.problems
    assert rf.numbers(parsed) == {k: float(v) for k, v in rf.SAMPLE.items()}
    assert parsed.values[0].source.startswith("bc.xls › Biểu 01 › ")
    assert parsed.stated_period == "6 tháng đầu năm 2024"


def test_a_page_in_windows_1258_or_tcvn3_is_decoded():
    from parsers import legacy
    rows = [[legacy.encode(c, "tcvn3") if isinstance(c, str) else c for c in row] for row in rf.form_rows()]
    data = _page(rows, excel=False, charset="windows-1252").encode("cp1252", "replace")
    [parsed] = parse_attachment("bc.xls", data, R, isolate=False)
    assert rf.numbers(parsed) == {k: float(v) for k, v in rf.SAMPLE.items()}


def test_spans_numbers_and_entities():
    grid, = html.tables('<table><tr><td rowspan="2">1</td><td colspan=2>Số&nbsp;trẻ &amp; em</td></tr>'
                        '<tr><td>a<br>b</td><td x:num="1234.5">1.234,5</td></tr></table>')
    assert grid == [["1", "Số trẻ & em", None], [None, "a\nb", 1234.5]]


def test_a_page_without_a_table_is_not_readable():
    [parsed] = parse_attachment("bc.pdf", b"<!DOCTYPE html><html><body>Bao cao</body></html>", R, isolate=False)
    assert [p.reason for p in parsed.problems] == ["format not readable here"]


def test_hostile_markup_is_linear():
    import time
    start = time.perf_counter()
    html.tables("<table><tr><td colspan=999999999>" * 20000 + "<" * 200_000 + "<td " * 50_000)
    assert time.perf_counter() - start < 2
