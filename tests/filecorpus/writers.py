"""Table (tables.py) -> file bytes: .xlsx, .xls, .docx, .pdf, with a title block above the table."""
from __future__ import annotations

import io
from pathlib import Path

from tests.filecorpus.tables import Table

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def title_lines(unit_name: str, parent: str, number: int, place: str = "Đồng Xoài") -> list[str]:
    """What a unit writes above its table: letterhead, document number, place/date, title."""
    return [parent.upper(), unit_name.upper(), f"Số: {number}/BC-{_short(unit_name)}",
            f"{place}, ngày 25 tháng 6 năm 2024", "BÁO CÁO",
            "Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024",
            f"Đơn vị: {unit_name}", "Kỳ báo cáo: 6 tháng đầu năm 2024"]


def _short(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())[:6] or "DV"


def xlsx(table: Table, lines: list[str], *, sheet: str = "Sheet1", row0: int = 1, col0: int = 1,
         merge_sections: bool = True) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for i, text in enumerate(lines):
        ws.cell(row0 + i, col0, text)
    top = row0 + len(lines) + 1
    _grid(table, lambda r, c, v: ws.cell(top + r, col0 + c, v))
    for r1, c1, r2, c2 in table.header_merges:
        ws.merge_cells(start_row=top + r1, start_column=col0 + c1, end_row=top + r2, end_column=col0 + c2)
    if merge_sections:
        width = len(table.header[0])
        for r, (kind, cells) in enumerate(table.rows):
            if kind == "section":
                first = top + len(table.header) + r
                label_col = next(i for i, v in enumerate(cells) if v not in ("", None) and not _is_stt(v, i))
                ws.merge_cells(start_row=first, start_column=col0 + label_col, end_row=first,
                               end_column=col0 + width - 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _is_stt(value: object, col: int) -> bool:
    return col == 0 and isinstance(value, str) and len(value) <= 4


def _grid(table: Table, put) -> None:
    for r, row in enumerate(table.header):
        for c, v in enumerate(row):
            if v not in ("", None):
                put(r, c, v)
    for r, (_, cells) in enumerate(table.rows):
        for c, v in enumerate(cells):
            if v not in ("", None):
                put(len(table.header) + r, c, v)


def xls(table: Table, lines: list[str], *, sheet: str = "Sheet1") -> bytes:
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    for i, text in enumerate(lines):
        ws.write(i, 0, text)
    top = len(lines) + 1
    _grid(table, lambda r, c, v: ws.write(top + r, c, v))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def docx(tables: list[Table], lines: list[str], *, after: list[str] = (), merge_sections: bool = True) -> bytes:
    """Title paragraphs, the tables (header cells merged as planned, section rows merged across),
    then closing paragraphs."""
    from docx import Document
    doc = Document()
    for text in lines:
        doc.add_paragraph(text)
    for table in tables:
        _docx_table(doc, table, merge_sections)
        doc.add_paragraph("")
    for text in after:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_table(doc, table: Table, merge_sections: bool) -> None:
    width = len(table.header[0])
    t = doc.add_table(rows=len(table.header) + len(table.rows), cols=width)
    t.style = "Table Grid"
    grid = [row.cells for row in t.rows]          # t.cell() rescans the whole table each call
    _grid(table, lambda r, c, v: setattr(grid[r][c], "text", str(v)))
    pairs = [(grid[r1][c1], grid[r2][c2]) for r1, c1, r2, c2 in table.header_merges]
    if merge_sections:
        for r, (kind, cells) in enumerate(table.rows):
            if kind == "section":
                row = len(table.header) + r
                first = 1 if cells[0] not in ("", None) else 0
                pairs.append((grid[row][first], grid[row][width - 1]))
    for a, b in pairs:
        keep = a.text
        a.merge(b).text = keep


def register_font() -> str:
    """DejaVuSans when installed (Vietnamese glyphs), else Helvetica (ASCII only)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    path = FONT_DIR / "DejaVuSans.ttf"
    if not path.exists():
        return "Helvetica"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(path)))
    return "DejaVuSans"


def pdf(tables: list[Table], lines: list[str], *, grid: bool = True, after: list[str] = (),
        encrypt: str | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle
    font = register_font()
    style = ParagraphStyle("vn", fontName=font, fontSize=10, leading=13)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=10.5)
    story = [Paragraph(_pdf_text(t, font), style) for t in lines] + [Spacer(1, 8)]
    for table in tables:
        data = [[Paragraph(_pdf_text("" if v is None else str(v), font), cell_style) for v in row]
                for row in table.header + [cells for _, cells in table.rows]]
        width = len(table.header[0])
        widths = _widths(table, width)
        commands = [("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        if grid:
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        for r1, c1, r2, c2 in table.header_merges:
            commands.append(("SPAN", (c1, r1), (c2, r2)))
        story += [RLTable(data, colWidths=widths, repeatRows=len(table.header), style=TableStyle(commands)),
                  Spacer(1, 10)]
    story += [Paragraph(_pdf_text(t, font), style) for t in after]
    buf = io.BytesIO()
    kwargs = {}
    if encrypt:
        from reportlab.lib.pdfencrypt import StandardEncryption
        kwargs["encrypt"] = StandardEncryption(encrypt, canPrint=0)
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=40, rightMargin=30, topMargin=40, bottomMargin=40,
                      **kwargs).build(story)
    return buf.getvalue()


def _pdf_text(text: str, font: str) -> str:
    from xml.sax.saxutils import escape
    if font == "Helvetica":
        from parsers.text import strip_diacritics
        text = strip_diacritics(text)
    return escape(text)


def _widths(table: Table, width: int) -> list[float]:
    """The label column takes what is left of ~515 pt."""
    label = next((i for i, v in enumerate(table.header[0]) if str(v) in (
        "Chỉ tiêu", "Nội dung", "Nội dung báo cáo", "Nội dung công việc")), 1)
    widths = [30.0 if i == 0 else 62.0 for i in range(width)]
    widths[label] = 0.0
    widths[label] = max(150.0, 515 - sum(widths))
    return widths
