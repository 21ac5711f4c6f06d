"""The heading of every spreadsheet baocao writes, one writer for all (Decree 30/2020, as in
document-style.md): the issuing body on the left (parent body above, the body in bold, a short rule
under it), the national motto on the right (a short rule under it) and, when the document is
dated, "Place, ngày … tháng … năm …" in italics under the motto.

The blank form and the compiled workbook both call `write`; they differ only in which columns
the two blocks span and whether a date is written.
"""
from __future__ import annotations

import datetime as dt

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from compile.common import vn_long_date
from store.config import Organisation

FONT = "Times New Roman"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
_RULE = Border(bottom=Side(style="thin"))
TWO_LINES = 34          # points: a heading row holds a 13-point line wrapped once


def write(ws: Worksheet, org: Organisation, left: tuple[int, int], right: tuple[int, int],
          dated: dt.date | None = None) -> int:
    """Write the heading in rows 1–3 over the columns `left` and `right` (first, last; 1-based).
    Returns the first row after it."""
    _line(ws, 1, left, org.parent.upper(), size=12)
    _line(ws, 2, left, org.name.upper(), size=12, bold=True)
    _line(ws, 1, right, MOTTO[0], size=12, bold=True)
    _line(ws, 2, right, MOTTO[1], size=13, bold=True)
    for row in (1, 2):
        ws.row_dimensions[row].height = TWO_LINES
    for first, last in (left, right):     # the short rules under the issuing body and the motto
        ws.cell(row=2, column=(first + last) // 2).border = _RULE
    if dated is not None:
        _line(ws, 3, right, vn_long_date(org.place, dated), size=13, italic=True)
    return 4


def _line(ws: Worksheet, row: int, cols: tuple[int, int], text: str, size: int, bold: bool = False,
          italic: bool = False) -> None:
    first, last = cols
    cell = ws.cell(row=row, column=first, value=text)
    cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
    # a block narrower than its line (the form's motto over three columns) wraps onto a second
    # line rather than being cut at the page's edge; the two heading rows have room for it
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
