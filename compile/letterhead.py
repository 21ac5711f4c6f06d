"""The heading of every spreadsheet baocao writes, one writer for all (Decree 30/2020, as in
document-style.md): the issuing body on the left (parent body above, the body in bold, a short rule
under it, the "Số: …" line under that), the national motto on the right (a rule under it) and
"Place, ngày … tháng … năm …" in italics under the motto.

The blank form and the compiled workbook both call `write`; they differ in whose the issuing body
is (the Department's, or the unit's on the unit's form), which columns the two blocks span and
whether the date is filled in. `issuer` says whose body a unit's letterhead names.

The rules are a run of underlined no-break spaces centred in their own low row: a cell border
would follow the columns, and a merged block keeps the border of its first cell only.
"""
from __future__ import annotations

import datetime as dt

from openpyxl.styles import Alignment, Font, Protection
from openpyxl.worksheet.worksheet import Worksheet

from compile import wording
from compile.common import vn_long_date
from parsers import vocabulary
from parsers.text import fold
from store.config import Organisation
from store.domain import Unit

FONT = "Times New Roman"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TWO_LINES = 34          # points: a heading row holds a 13-point line wrapped once
RULE_SIZE = 8           # the rules' type size; a no-break space is a quarter of it wide
SHORT_RULE = 34         # no-break spaces: about a third of the issuing body's name
LONG_RULE = 86          # about the width of "Độc lập - Tự do - Hạnh phúc"
BLANK = "………………, ngày …… tháng …… năm ……"
DOTS = "……………………………"


def write(ws: Worksheet, org: Organisation, left: tuple[int, int], right: tuple[int, int],
          dated: dt.date | None = None, number: str | None = None,
          issuer: tuple[str, str] | None = None, blank_date: bool = False, editable: bool = False) -> int:
    """Write the heading in rows 1–4 over the columns `left` and `right` (first, last; 1-based):
    the bodies and the motto (rows 1–2), the rules (row 3), the number and the date (row 4).
    `issuer` (parent, body) replaces the Department's; `blank_date` writes a dotted date for the
    signer to fill in; `editable` leaves the cells unlocked on a protected sheet.
    Returns the first row after it."""
    parent, body = issuer or (org.parent, org.name)
    cells = [
        _line(ws, 1, left, parent.upper(), size=12),
        _line(ws, 2, left, body.upper(), size=12, bold=True),
        _line(ws, 1, right, MOTTO[0], size=12, bold=True),
        _line(ws, 2, right, MOTTO[1], size=13, bold=True),
        _rule(ws, 3, left, SHORT_RULE),
        _rule(ws, 3, right, LONG_RULE),
    ]
    for row in (1, 2):
        ws.row_dimensions[row].height = TWO_LINES
    ws.row_dimensions[3].height = RULE_SIZE + 2
    if number:
        cells.append(_line(ws, 4, left, number, size=13))
    if dated is not None or blank_date:
        text = vn_long_date(org.place, dated) if dated is not None else BLANK
        cells.append(_line(ws, 4, right, text, size=13, italic=True))
    ws.row_dimensions[4].height = 22
    if editable:
        for cell in cells:
            cell.protection = Protection(locked=False)
    return 5


def report_number(symbol: str) -> str:
    """'Số: …/BC-SGDĐT': the number left for the clerk; the symbol of a report ("BC")."""
    return f"Số: …/BC-{symbol}" if symbol else "Số: …/BC-……"


def unit_issuer(org: Organisation, unit: Unit | None) -> tuple[str, str]:
    """The unit's own letterhead (parent body, body), as a unit heads its report:

    - the `parent` column of the units file when it is given;
    - a district education office: "UBND HUYỆN LỘC NINH" / "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" (thị xã or
      thành phố when the unit's name or aliases say so);
    - any other unit, one directly under the Department: "SỞ GD&ĐT BÌNH PHƯỚC" / its name.
    Without a unit, dotted lines for the unit to fill in."""
    if unit is None:
        return DOTS, DOTS
    name = unit.name
    if unit.parent:
        return unit.parent, _without_district(name, unit.district) if unit.kind == "pgd" else name
    if unit.kind == "pgd" and unit.district:
        return f"UBND {_district_level(unit)} {unit.district}", _without_district(name, unit.district)
    return org.short_name, name


def _district_level(unit: Unit) -> str:
    said = f" {fold(' '.join((unit.name, *unit.aliases)))} "
    district = fold(unit.district)
    for level in vocabulary.active().words("district_level"):
        if f" {level} {district} " in said:
            return wording.DISTRICT_LEVEL.get(level, level)
    return wording.DISTRICT_LEVEL["huyen"]


def _without_district(name: str, district: str) -> str:
    """"Phòng Giáo dục và Đào tạo Lộc Ninh" -> "Phòng Giáo dục và Đào tạo" (its parent names the district)."""
    if district and name.lower().endswith(" " + district.lower()):
        return name[: -len(district) - 1].strip()
    return name


def _line(ws: Worksheet, row: int, cols: tuple[int, int], text: str, size: int, bold: bool = False,
          italic: bool = False):
    first, last = cols
    cell = ws.cell(row=row, column=first, value=text)
    cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
    # a block narrower than its line wraps onto a second line rather than being cut at the
    # page's edge; the two heading rows have room for it
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    return cell


def _rule(ws: Worksheet, row: int, cols: tuple[int, int], length: int):
    first, last = cols
    cell = ws.cell(row=row, column=first, value="\u00a0" * length)
    cell.font = Font(name=FONT, size=RULE_SIZE, underline="single")
    cell.alignment = Alignment(horizontal="center", vertical="top")
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    return cell
