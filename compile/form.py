"""The blank Excel form (report-form.md) a unit fills in, headed like a Department document.

One sheet "BaoCao": the unit's own Decree 30 heading (its parent body and its name top left, as
`letterhead.unit_issuer` derives them, "Số: …/BC-…" under them; the national motto and a dotted
date top right), the title, "Kính gửi: <the Department>", "Đơn vị: …" and "Kỳ báo cáo: …", then
the table STT | Mã chỉ tiêu | Chỉ tiêu | Đơn vị tính | Số liệu | Ghi chú with a section row
between groups ("Trong đó" rows indented), and the signature block.
The sheet is protected (no password: a clerk who must change the layout can) except the heading,
the figures, the notes and the signature block; the figures accept whole numbers >= 0 only; it
prints on one A4 portrait page. The code column is kept but hidden: the parsers read it, the
paper does not need it. parsers/xlsx.py reads the form back by the code column, or by the label
once people have edited it.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from compile import letterhead
from compile.common import wrapped_lines
from store.config import Config
from store.domain import Period, Report, Unit

SHEET = "BaoCao"
HEADERS = ("STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú")
WIDTHS = (6, 24, 40, 12, 11, 21)   # the motto block (D:F) is wide enough for its line
FONT = "Times New Roman"
HEADER_ROW = 13
LABEL_CHARS = 40 * 11 / 12 * 1.1    # letters of a 12-point label on one line of column C
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_MM = 1 / 25.4


def build_template(cfg: Config, report: Report, unit: Unit | None, period: Period | None) -> bytes:
    """The .xlsx bytes of the blank form, with the unit and period filled in when given."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    letterhead.write(ws, cfg.organisation, left=(1, 3), right=(4, 6), number=letterhead.report_number(""),
                     issuer=letterhead.unit_issuer(cfg.organisation, unit), blank_date=True, editable=True)
    _title(ws, cfg, report, unit, period)
    last = _table(ws, report)
    _signature(ws, last + 2)
    _layout(ws)
    wb.properties.title = report.title
    wb.properties.subject = period.label if period else ""
    wb.properties.keywords = f"baocao report={report.code} period={period.id if period else ''} " \
                             f"unit={unit.code if unit else ''}"
    wb.properties.creator = cfg.organisation.name
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _put(ws: Worksheet, ref: str, value: object, *, size: int = 13, bold: bool = False, italic: bool = False,
         align: str = "center", merge: str | None = None, wrap: bool = True, editable: bool = False) -> None:
    ws[ref] = value
    ws[ref].font = Font(name=FONT, size=size, bold=bold, italic=italic)
    ws[ref].alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
    if editable:
        ws[ref].protection = Protection(locked=False)
    if merge:
        ws.merge_cells(f"{ref}:{merge}")


def _title(ws: Worksheet, cfg: Config, report: Report, unit: Unit | None, period: Period | None) -> None:
    """Rows 6–11: the title, the addressee, the unit, the period and how to fill the table in."""
    summary = report.title
    if summary.lower().startswith("báo cáo "):
        summary = summary[len("báo cáo "):]
    summary = summary[:1].upper() + summary[1:]
    if period:
        summary = f"{summary} {period.label}"
    ws.row_dimensions[5].height = 8
    _put(ws, "A6", "BÁO CÁO", size=14, bold=True, merge="F6")
    _put(ws, "A7", summary, size=14, bold=True, merge="F7")
    _put(ws, "A8", f"Kính gửi: {cfg.organisation.full_name}", size=13, merge="F8")
    ws.row_dimensions[8].height = 26
    dots = "." * 60
    _put(ws, "A9", f"Đơn vị: {unit.name if unit else dots}", align="left", merge="F9")
    _put(ws, "A10", f"Kỳ báo cáo: {period.label if period else dots}", align="left", merge="F10")
    _put(ws, "A11", "Ghi số liệu vào cột “Số liệu” (số nguyên, không âm); ghi 0 nếu không có trường hợp nào, "
                    "để trống nếu chưa có số liệu.", size=12, italic=True, align="left", merge="F11")
    ws.row_dimensions[11].height = 32


def _table(ws: Worksheet, report: Report) -> int:
    """Header, section rows and one row per indicator; returns the last row used."""
    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font = Font(name=FONT, size=12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    ws.row_dimensions[HEADER_ROW].height = 34
    row, section, number = HEADER_ROW, None, 0
    figures = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                             showErrorMessage=True, errorTitle="Số liệu không hợp lệ",
                             error="Vui lòng nhập số nguyên không âm (ví dụ: 0, 12, 3250).")
    ws.add_data_validation(figures)
    for ind in report.indicators:
        if ind.section and ind.section != section:
            section = ind.section
            row += 1
            _section_row(ws, row, section)
        row += 1
        number += 1
        _indicator_row(ws, row, number, ind)
        figures.add(f"E{row}")
    return row


def _section_row(ws: Worksheet, row: int, section: str) -> None:
    letter, _, name = section.partition(". ")
    if not name:
        letter, name = "", section
    for col, text in enumerate((letter, None, name, None, None, None), start=1):
        cell = ws.cell(row, col, text)
        cell.font = Font(name=FONT, size=12, bold=True)
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center" if col == 1 else "left", vertical="center")


def _indicator_row(ws: Worksheet, row: int, number: int, ind) -> None:
    part = ind.label.lower().startswith("trong đó")          # a part of the row above: indented
    values = (number, ind.code, ind.label, ind.unit, None, None)
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, value)
        cell.font = Font(name=FONT, size=12, color="7F7F7F" if col == 2 else None, italic=part and col == 3)
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="left" if col == 3 else "center", vertical="center",
                                   wrap_text=col in (3, 6), indent=2 if part and col == 3 else 0)
        if col in (5, 6):
            cell.protection = Protection(locked=False)
    ws.cell(row, 5).number_format = "#,##0"
    lines = wrapped_lines(ind.label, LABEL_CHARS - (4 if part else 0))
    ws.row_dimensions[row].height = 18 if lines == 1 else lines * 14.5 + 4




def _signature(ws: Worksheet, row: int) -> None:
    """Who drew the table up (left) and the head of the unit (right), room to sign, the names."""
    _put(ws, f"A{row}", "NGƯỜI LẬP BIỂU", size=13, bold=True, merge=f"C{row}", editable=True)
    _put(ws, f"D{row}", "THỦ TRƯỞNG ĐƠN VỊ", size=13, bold=True, merge=f"F{row}", editable=True)
    _put(ws, f"A{row + 1}", "(Ký, ghi rõ họ tên)", size=12, italic=True, merge=f"C{row + 1}", editable=True)
    _put(ws, f"D{row + 1}", "(Ký, ghi rõ họ tên, đóng dấu)", size=12, italic=True, merge=f"F{row + 1}", editable=True)
    for r in range(row + 2, row + 5):
        ws.row_dimensions[r].height = 18
    _put(ws, f"A{row + 5}", "", size=13, bold=True, merge=f"C{row + 5}", editable=True)
    _put(ws, f"D{row + 5}", "", size=13, bold=True, merge=f"F{row + 5}", editable=True)


def _layout(ws: Worksheet) -> None:
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = 30 * _MM
    ws.page_margins.right = 15 * _MM
    ws.page_margins.top = 20 * _MM
    ws.page_margins.bottom = 20 * _MM
    ws.column_dimensions["B"].hidden = True    # the codes: read by the parsers, not printed
    ws.page_setup.fitToHeight = 1               # one page
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False     # people may widen a column or a row
    ws.protection.formatRows = False
