"""The compiled workbook (.xlsx) attached to the digest: what the division builds its report from.

Sheets: one per period (units x indicators, a total row, totals by unit kind and by district, the
previous period and the change), the completeness sheet, the warnings, the incidents, and the
sources sheet naming the file and location of every value. Headed as document-style.md asks:
the Department's letterhead with "Số: …/BC-…" and the date, the title, the table, and the
signature block ("NGƯỜI LẬP BIỂU", "TRƯỞNG PHÒNG") under it.

Totals are formulas over the unit rows (SUM for the total, SUMIF over the kind and district
columns for the subtotals, the change a difference), so a figure corrected in a unit's row
updates them; each formula also carries its value, computed here from v_values and written into
the saved file (`_cache`), so a reader that does not recalculate shows the same number.
These are the only formulas in the workbook: every text cell is written as a string, and one
that starts with = + - @ tab or CR (formula injection) also gets Excel's quote prefix, so editing
the cell never turns it into a formula. Control characters Excel cannot hold are dropped, very
long text is cut.

Printing: the period sheets with something to show, the completeness sheet (the periods already
due or reported) and the incidents print; the warnings and sources sheets are technical annexes
kept on screen with an empty print area, so printing the whole workbook skips them.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Mapping
from xml.etree import ElementTree

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from compile import aggregate, letterhead
from compile.common import local_now, number, vn_date, vn_datetime, wrapped_lines
from compile.completeness import Completeness, compute
from parsers.text import fold
from store.config import Config
from store.db import Database
from store.domain import Indicator, Period, Report

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LOOK = PatternFill("solid", fgColor="FFF2CC")    # values read from prose or OCR: check them
HEAD = PatternFill("solid", fgColor="D9E1F2")
RISKY = ("=", "+", "-", "@", "\t", "\r")
KIND_LABELS = {"pgd": "Phòng Giáo dục và Đào tạo", "thpt": "Trường THPT", "ptdtnt": "Trường PT Dân tộc nội trú",
               "gdnn-gdtx": "Trung tâm GDNN-GDTX"}
METHOD_LABELS = {"table": "Bảng số liệu", "text": "Văn bản (cần kiểm tra)", "ocr": "Nhận dạng ảnh (cần kiểm tra)"}
MAX_TEXT = 32000
NUMBER = "#,##0.##;-#,##0.##;0"   # 18.980 in a Vietnamese locale, as the digest writes it; no stray "."
WIDE_COLUMNS = 14                  # more printed columns than this: A3 rather than A4


def put(ws: Worksheet, row: int, col: int, value: object, *, bold: bool = False, italic: bool = False,
        size: int = 12, box: bool = False, wrap: bool = False, align: str | None = None, fill=None):
    """Write one cell safely (see the module docstring) with the house font."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_TEXT]
        cell.value = text
        cell.data_type = "s"             # openpyxl would store '=...' as a formula
        if text.startswith(RISKY):
            cell.quotePrefix = True
    elif isinstance(value, float):
        cell.value = number(value)
        cell.number_format = NUMBER
    else:
        cell.value = value
        if isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = NUMBER
    cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
    if box:
        cell.border = BOX
    if wrap or align:
        cell.alignment = Alignment(wrap_text=wrap, horizontal=align, vertical="center")
    if fill is not None:
        cell.fill = fill
    return cell


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind or "Khác")


def header(ws: Worksheet, cfg: Config, now: dt.datetime, title: str, subtitle: str, width: int,
           left: int = 3, right: int | None = None) -> int:
    """The Decree 30/2020 heading (letterhead with "Số: …/BC-…" and the date, rows 1–4; the title
    and the summary line, rows 6–7); returns the row for a note (8); the table starts under it.
    The motto block spans the last columns from `right` (wide enough for its line)."""
    if right is None:
        right = max(width - 7, 4) if width > 10 else max(width - 3, 4)
    letterhead.write(ws, cfg.organisation, left=(1, left), right=(right, max(width, right + 3)),
                     dated=local_now(cfg, now).date(), number=letterhead.report_number(cfg.organisation.symbol))
    ws.row_dimensions[5].height = 8
    put(ws, 6, 1, title, bold=True, size=14, align="center")
    put(ws, 7, 1, subtitle, bold=True, size=13, align="center")
    for r in (6, 7):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(width, right + 3))
    _page(ws, width)
    return 8


def signature(ws: Worksheet, cfg: Config, row: int, left: tuple[int, int], right: tuple[int, int]) -> int:
    """The signature block under a table: who drew it up (left) and the head of the division
    (right), a space to sign, then the names left for the clerk. Returns the row after it."""
    for (first, last), title in ((left, "NGƯỜI LẬP BIỂU"), (right, "TRƯỞNG PHÒNG")):
        put(ws, row, first, title, bold=True, size=13, align="center")
        put(ws, row + 1, first, "(Ký, ghi rõ họ tên)", italic=True, size=12, align="center")
        for r in (row, row + 1):
            if last > first:
                ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=last)
    ws.row_dimensions[row].height = 20
    for r in range(row + 2, row + 5):             # room for the signatures
        ws.row_dimensions[r].height = 18
    return row + 5


def _page(ws: Worksheet, columns: int) -> None:
    """Landscape, fitted to the page's width (as many pages down as needed), A3 for a wide table,
    "Trang x/y" in the footer. Decree 30 margins: 30 mm left, 15 mm right, 20 mm top and bottom."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if columns > WIDE_COLUMNS else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right = 1.18, 0.59
    ws.page_margins.top, ws.page_margins.bottom = 0.79, 0.79
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = f"{FONT},Regular"
    ws.oddFooter.center.size = 12


def _print_titles(ws: Worksheet, head_row: int, columns: str = "") -> None:
    """The table's heading row (and its first columns) repeated on every printed page."""
    ws.print_title_rows = f"{head_row}:{head_row}"
    if columns:
        ws.print_title_cols = columns


def _table_head(ws: Worksheet, row: int, labels: list[str], widths: list[int] | None = None,
                size: int = 12) -> int:
    """The table's heading row, wrapped, its height set for the longest label (a spreadsheet
    program does not grow a row for wrapped text it did not type itself)."""
    lines = 1
    for col, label in enumerate(labels, start=1):
        put(ws, row, col, label, bold=True, box=True, wrap=True, align="center", fill=HEAD, size=size)
        if widths:
            ws.column_dimensions[get_column_letter(col)].width = widths[col - 1]
            lines = max(lines, _lines(label, widths[col - 1], size))
    ws.row_dimensions[row].height = lines * size * 1.2 + 6
    return row + 1


def _lines(text: str, width: int, size: int) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (bold, roughly: a
    column's width counts digits of the 11-point default font; a letter of Times is narrower)."""
    return wrapped_lines(text, max(1, int(width * 11 / size * 1.25)))


# ---------------------------------------------------------------- period sheet

LEAD_COLS = ["STT", "Mã đơn vị", "Tên đơn vị", "Tình trạng"]    # printed first (the code hidden)
TAIL_COLS = ["Loại đơn vị", "Huyện, thị xã, thành phố"]         # on screen, right of the print area
FIRST_IND = len(LEAD_COLS) + 1
BODY = 12                                                      # points on screen; about 9.2 once fitted to A3
IND_WIDTH = 8


def period_sheet(wb, cfg: Config, report: Report, period: Period, comp: Completeness,
                 fig: aggregate.Figures, now: dt.datetime, cached: dict[str, dict[str, float]],
                 printed: bool = True) -> None:
    """One period's figures, a unit a row, printable: landscape A3 fitted to the width with the
    unit names and the heading repeated on every page; the codes (for re-importing) are kept in a
    hidden column and row; kind and district stand right of the print area (the subtotals'
    formulas read them). `printed` False: on screen only (an empty print area)."""
    ws = wb.create_sheet(period.id[:31])
    sheet_cache = cached.setdefault(ws.title, {})
    inds = report.indicators
    last_ind = FIRST_IND + len(inds) - 1
    width = last_ind
    row = header(ws, cfg, now, "BẢNG TỔNG HỢP SỐ LIỆU", f"{report.title} {period.label}", width, left=4)
    put(ws, row, 1, f"(Số liệu đến {vn_datetime(local_now(cfg, now))}; {len(comp.received)}/{comp.expected_count}"
                    f" đơn vị đã gửi báo cáo; các ô tô màu vàng là số liệu đọc từ văn bản hoặc ảnh quét, cần kiểm tra)",
        italic=True, size=BODY, align="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    row += 1
    _print_titles(ws, row, "A:C")
    labels = LEAD_COLS + [i.label for i in inds] + TAIL_COLS
    widths = [5, 12, 30, 20] + [IND_WIDTH] * len(inds) + [18, 18]
    row = _table_head(ws, row, labels, widths, size=BODY)
    for col, ind in enumerate(inds, start=FIRST_IND):   # the codes, for anyone re-importing
        put(ws, row, col, ind.code, italic=True, size=10, box=True, align="center")
    ws.row_dimensions[row].hidden = True          # technical: kept in the file, not printed
    ws.column_dimensions["B"].hidden = True       # the unit codes, likewise
    ws.freeze_panes = ws.cell(row=row + 1, column=FIRST_IND)
    row += 1
    listed = {u.unit_code for u in comp.units}
    known = {u.code: u for u in cfg.units}
    rows = [(u.unit_code, u.name, u.kind, u.district,
             f"{u.label} ({vn_date(u.received_at)})" if u.received_at else u.label) for u in comp.units]
    rows += [(code, known[code].name if code in known else code, known[code].kind if code in known else "",
              known[code].district if code in known else "", "Không thuộc diện báo cáo")
             for code in fig.units() if code not in listed]             # so rows add up to the total
    first = row
    for n, (code, name, kind, district, label) in enumerate(rows, start=1):
        for col, v in enumerate([n, code, name, label], start=1):
            put(ws, row, col, v, box=True, size=BODY)
        for col, ind in enumerate(inds, start=FIRST_IND):
            c = fig.value(code, ind.code)
            value = c.value if c and c.value is not None else (c.raw if c else None)
            put(ws, row, col, value, box=True, size=BODY, fill=LOOK if c and c.needs_look else None)
        for col, v in enumerate([kind_label(kind), district or "Khác"], start=last_ind + 1):
            put(ws, row, col, v, size=BODY)
        row += 1
    last = max(row - 1, first)
    units = (first, last)
    total_row = row
    row = _sum_row(ws, row, "TỔNG CỘNG", fig.total, inds, sheet_cache, units, bold=True)
    row += 1
    put(ws, row, 3, "Tổng hợp theo loại đơn vị", bold=True, size=BODY)
    for kind in sorted(fig.by_kind):
        row = _sum_row(ws, row + 1, kind_label(kind), fig.by_kind[kind], inds, sheet_cache, units,
                       by=last_ind + 1) - 1
    row += 2
    put(ws, row, 3, "Tổng hợp theo huyện, thị xã, thành phố", bold=True, size=BODY)
    for district in sorted(fig.by_district, key=lambda d: (fold(d), d)):  # "Đồng Xoài" among the Ds
        row = _sum_row(ws, row + 1, district or "Khác", fig.by_district[district], inds, sheet_cache, units,
                       by=last_ind + 2) - 1
    row += 1
    if fig.previous_period:
        prev = report.period(fig.previous_period)
        row += 1
        # Compared over the same units only: those with the figure in both periods (never two
        # totals over different sets of units, as a period still open would give).
        same = {i.code: fig.comparison(i.code) for i in inds}
        prev_row = row
        row = _sum_row(ws, row, f"Kỳ trước ({prev.label if prev else fig.previous_period}), các đơn vị có số liệu "
                       "cả hai kỳ", {c: (x.before if x else None) for c, x in same.items()}, inds)
        now_row = row
        row = _sum_row(ws, row, "Kỳ này, cùng các đơn vị đó",
                       {c: (x.now if x else None) for c, x in same.items()}, inds)
        put(ws, row, 3, "Chênh lệch so với kỳ trước (cùng đơn vị)", box=True, size=BODY, wrap=True)
        put(ws, row, 4, None, box=True, size=BODY)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
        for col, ind in enumerate(inds, start=FIRST_IND):
            both = same[ind.code]
            if both is None:
                put(ws, row, col, None, box=True, size=BODY)
            else:
                letter = get_column_letter(col)
                _formula(ws, row, col, f"={letter}{now_row}-{letter}{prev_row}", both.now - both.before, sheet_cache)
        row += 1
    row = signature(ws, cfg, row + 1, (1, 4), (last_ind - 7, last_ind))
    ws.print_area = f"A1:{get_column_letter(last_ind)}{row}" if printed else _nothing(ws)


def _sum_row(ws: Worksheet, row: int, label: str, sums: Mapping[str, float | None], inds: tuple[Indicator, ...],
             cache: dict[str, float] | None = None, units: tuple[int, int] | None = None, by: int | None = None,
             bold: bool = False) -> int:
    """A row of totals: with `units` (first, last row) formulas over the unit rows, SUM, or SUMIF
    over the column `by` (kind, district) matching this row's label; else the numbers as given."""
    put(ws, row, 3, label, bold=bold, box=True, size=BODY, wrap=True)
    put(ws, row, 4, None, box=True, size=BODY)
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
    for col, ind in enumerate(inds, start=FIRST_IND):
        if units is None or cache is None:
            put(ws, row, col, sums.get(ind.code), bold=bold, box=True, size=BODY)
            continue
        letter, (first, last) = get_column_letter(col), units
        if by is None:
            text = f"=SUM({letter}{first}:{letter}{last})"
        else:
            key = get_column_letter(by)
            text = f"=SUMIF(${key}${first}:${key}${last},$C{row},{letter}${first}:{letter}${last})"
        _formula(ws, row, col, text, sums.get(ind.code) or 0, cache, bold=bold)
    return row + 1


def _formula(ws: Worksheet, row: int, col: int, text: str, value: float, cache: dict[str, float],
             bold: bool = False) -> None:
    """One of the workbook's own formulas, with the value it has now (written in by `_cache`)."""
    cell = ws.cell(row=row, column=col)
    cell.value = text                        # openpyxl stores a string starting with "=" as a formula
    cell.number_format = NUMBER
    cell.font = Font(name=FONT, size=BODY, bold=bold)
    cell.border = BOX
    cache[cell.coordinate] = number(value) or 0


def _nothing(ws: Worksheet) -> str:
    """A print area of one empty cell beyond the sheet's content: printing the whole workbook
    skips the sheet, which stays as it is on screen."""
    return f"{get_column_letter(ws.max_column + 2)}1"


# ---------------------------------------------------------------- the other sheets

def completeness_sheet(wb, cfg: Config, report: Report, comps: list[tuple[Period, Completeness]],
                       now: dt.datetime) -> None:
    """Who sent what, when, by which mail, per period: the follow-up list, kept on screen (each
    period sheet prints every unit's state and the day its report came)."""
    ws = wb.create_sheet("Tình hình gửi báo cáo")
    cols = ["Kỳ báo cáo", "STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Huyện, thị xã", "Hạn gửi",
            "Tình trạng", "Thời điểm nhận", "Mã thư"]
    row = header(ws, cfg, now, "TÌNH HÌNH GỬI BÁO CÁO", report.title, len(cols)) + 1
    _print_titles(ws, row)
    row = _table_head(ws, row, cols, [18, 5, 14, 34, 20, 16, 11, 18, 18, 8])
    ws.column_dimensions["C"].hidden = True       # the unit codes: technical
    for period, comp in comps:
        for n, u in enumerate(comp.units, start=1):
            values = [period.label, n, u.unit_code, u.name, kind_label(u.kind), u.district, vn_date(u.due),
                      u.label if u.expected else f"{u.label} (không thuộc diện báo cáo)",
                      vn_datetime(u.received_at), u.message_id]
            for col, v in enumerate(values, start=1):
                put(ws, row, col, v, box=True)
            row += 1
    ws.print_area = _nothing(ws)


def warnings_sheet(wb, db: Database, report: Report, periods: list[Period],
                   names: dict[str, str]) -> None:
    ws = wb.create_sheet("Cảnh báo số liệu")     # a technical annex: not printed (landscape if one sets a print area)
    _page(ws, 5)
    _print_titles(ws, 1)
    row = _table_head(ws, 1, ["Kỳ báo cáo", "Mã đơn vị", "Tên đơn vị", "Quy tắc", "Chi tiết"], [18, 14, 34, 20, 60])
    for period in periods:
        for w in aggregate.warnings(db, report.code, period.id):
            for col, v in enumerate([period.label, w.unit_code, names.get(w.unit_code, w.unit_code), w.rule,
                                     w.detail], start=1):
                put(ws, row, col, v, box=True, wrap=col == 5)
            row += 1
    ws.print_area = _nothing(ws)


def incidents_sheet(wb, db: Database, cfg: Config, now: dt.datetime, names: dict[str, str]) -> None:
    ws = wb.create_sheet("Vụ việc")
    cols = ["STT", "Ngày xảy ra", "Mã đơn vị", "Tên đơn vị", "Loại vụ việc", "Tóm tắt", "Ngày nhận", "Mã thư"]
    row = header(ws, cfg, now, "DANH SÁCH VỤ VIỆC ĐƯỢC BÁO CÁO", "Báo cáo nhanh, đột xuất của các đơn vị",
                 len(cols)) + 1
    _print_titles(ws, row)
    row = _table_head(ws, row, cols, [5, 12, 14, 30, 18, 50, 21, 8])
    ws.column_dimensions["C"].hidden = True       # the unit codes: technical
    for n, inc in enumerate(aggregate.incidents(db, cfg, until=now), start=1):
        values = [n, _vn_iso_date(inc.occurred_on), inc.unit_code, names.get(inc.unit_code, inc.unit_code),
                  inc.category_label, inc.summary, vn_datetime(inc.received_at or inc.created_at), inc.message_id]
        for col, v in enumerate(values, start=1):
            put(ws, row, col, v, box=True, wrap=col == 6)
        ws.row_dimensions[row].height = min(_lines(inc.summary[:600], 50, 14) * 12 * 1.25 + 3, 400)
        row += 1
    row = signature(ws, cfg, row + 1, (1, 4), (6, 8))
    ws.print_area = f"A1:H{row}"


def sources_sheet(wb, report: Report, figs: list[tuple[Period, aggregate.Figures]], names: dict[str, str]) -> None:
    ws = wb.create_sheet("Nguồn số liệu")
    cols = ["Kỳ báo cáo", "Mã đơn vị", "Tên đơn vị", "Mã chỉ tiêu", "Chỉ tiêu", "Số liệu", "Nguyên văn",
            "Nguồn (tệp, vị trí)", "Cách đọc", "Mã thư"]
    _page(ws, WIDE_COLUMNS + 1)                   # a technical annex: not printed (A3 if one sets a print area)
    _print_titles(ws, 1)
    row = _table_head(ws, 1, cols, [18, 14, 30, 14, 40, 10, 14, 44, 20, 8])
    labels = {i.code: i.label for i in report.indicators}
    for period, fig in figs:
        for c in fig.cells:
            values = [period.label, c.unit_code, names.get(c.unit_code, c.unit_code), c.indicator,
                      labels.get(c.indicator, c.indicator), c.value, c.raw, c.source,
                      METHOD_LABELS.get(c.method, c.method), c.message_id]
            for col, v in enumerate(values, start=1):
                put(ws, row, col, v, box=True, fill=LOOK if c.needs_look and col == 6 else None)
            row += 1
    ws.freeze_panes = "A2"
    ws.print_area = _nothing(ws)


def _vn_iso_date(text: str) -> str:
    try:
        return vn_date(dt.date.fromisoformat(text[:10]))
    except ValueError:
        return text


# ---------------------------------------------------------------- the workbook

def periods_shown(report: Report, today: dt.date) -> list[Period]:
    """Periods already started (or due within half a year), in due order; never an empty list."""
    shown = [p for p in report.periods
             if (p.start or p.due - dt.timedelta(days=183)) <= today]
    return sorted(shown or list(report.periods[:1]), key=lambda p: p.due)


def printed_periods(periods: list[Period], today: dt.date, focus: str | None,
                    reported: set[str]) -> set[str]:
    """The period sheets that print: the one the digest is about (`focus`) and those already due;
    without a focus, those due or reported. A later period's early reports stay on screen."""
    return {p.id for p in periods if p.id == focus or p.due <= today or (focus is None and p.id in reported)}


def build(db: Database, cfg: Config, report_code: str, now: dt.datetime,
          period_id: str | None = None) -> bytes:
    """The workbook of `report_code`; `period_id` is the period it is sent about (printed first
    of the period sheets that print)."""
    report = cfg.report(report_code)
    if report is None:
        raise KeyError(f"unknown report {report_code!r}")
    periods = periods_shown(report, local_now(cfg, now).date())
    names = {u.code: u.name for u in cfg.units}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    comps = [(p, compute(db, cfg, report.code, p.id, now)) for p in periods]
    figs = [(p, aggregate.figures(db, cfg, report.code, p.id)) for p in periods]
    cached: dict[str, dict[str, float]] = {}
    printed = printed_periods(periods, local_now(cfg, now).date(), period_id,
                              {p.id for p, comp in comps if comp.received})
    for (period, comp), (_, fig) in zip(comps, figs):
        period_sheet(wb, cfg, report, period, comp, fig, now, cached, printed=period.id in printed)
    completeness_sheet(wb, cfg, report, comps, now)
    warnings_sheet(wb, db, report, periods, names)
    incidents_sheet(wb, db, cfg, now, names)
    sources_sheet(wb, report, figs, names)
    wb.properties.creator = cfg.outbox.sender_name or "baocao"
    wb.properties.title = f"{report.title} - tổng hợp"
    out = io.BytesIO()
    wb.save(out)
    return _cache(out.getvalue(), cached)


_FORMULA_CELL = re.compile(r'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*)><f>([^<]*)</f>(?:<v></v>|<v ?/>)')
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _cache(data: bytes, cached: dict[str, dict[str, float]]) -> bytes:
    """Write each formula's value into the saved file (`<v>` after its `<f>`), as Excel does when
    it saves: openpyxl writes formulas with an empty value, which a reader that does not
    recalculate (a viewer, a phone, openpyxl's data_only) shows as blank."""
    src = zipfile.ZipFile(io.BytesIO(data))
    book = ElementTree.fromstring(src.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(src.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
    parts = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id") or "", "")
        name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[name] = cached.get(sheet.get("name") or "", {})

    def fill(values: dict[str, float]):
        def one(m: re.Match) -> str:
            value = values.get(m.group(1))
            shown = "" if value is None else repr(value) if isinstance(value, float) else str(value)
            return f'<c r="{m.group(1)}"{m.group(2)}><f>{m.group(3)}</f><v>{shown}</v>'
        return one

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if parts.get(info.filename):
                body = _FORMULA_CELL.sub(fill(parts[info.filename]), body.decode("utf-8")).encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()
