"""Excel 2007+ workbooks (.xlsx, .xlsm): the form the Department sends out, as units return it.

openpyxl in read-only, data-only mode: rows stream from the sheet XML (a 25 MB sheet is never held
whole) and formulas give their cached result. A formula saved without a cached result (written by
a program, never opened in Excel) reads as blank: those cells are read again in formula mode so
the value is recorded as None with the formula as `raw` and a warning, not as "not reported".

python-calamine was measured against openpyxl on the same files (bench/bench_parsers.py): it is
faster on a small form but loads the whole sheet into memory and cannot tell a formula without a
cached value from a blank cell, so .xlsx stays on openpyxl; calamine reads .xls/.ods (sheet.py).
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser

from parsers import legacy, narrative, periods, table
from store.records import FileProblem, ParsedReport
from store.domain import Report

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ROWS = 5000
MAX_UNPACKED = 400 * 1024 * 1024     # a zip bomb is refused before any XML is parsed
MAX_RATIO = 200


KINDS = ("xlsx",)   # the detected kinds this module reads (parsers.registry.FORMATS)


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    out = ParsedReport(filename=filename, detected_type="xlsx")
    if data.startswith(OLE_MAGIC):
        from parsers import sheet   # an .xls named .xlsx, or a password-protected workbook
        return sheet.parse(filename, data, report)
    problem = check_ooxml(data, "xl/workbook.xml", "an Excel workbook")
    if problem:
        out.problems.append(problem)
        return out
    try:
        archive, sheets = open_sheets(data, data_only=True)
    except Exception as exc:  # openpyxl raises many types for one bad file
        out.problems.append(FileProblem("corrupt", f"the workbook cannot be opened: {_why(exc)}"))
        return out
    try:
        scans = _scan_sheets(sheets, filename, report, out)
    finally:
        archive.close()
    keep = periods.one_period([(name, periods.of_part(name, s.head), bool(s.candidates)) for name, s in scans],
                              filename, out.warnings)
    kept = [s for i, (_, s) in enumerate(scans) if keep is None or i in keep or not s.candidates]
    candidates = [c for s in kept for c in s.candidates]
    candidates = _formulas(data, filename, candidates, out)
    out.values, warnings = table.resolve(candidates)
    out.warnings.extend(warnings)
    head = next((s.head for s in kept if s.candidates), kept[0].head if kept else ())
    out.stated_unit, out.stated_period = narrative.stated(head)
    out.text = "\n".join(" ".join(c for c in row if c) for s in kept for row in s.head if any(row))
    if not out.values and not out.problems:
        out.warnings.append("no indicator of the form was found in the workbook")
    return out


def check_ooxml(data: bytes, main_part: str, what: str) -> FileProblem | None:
    """Zip-level checks shared by .xlsx and .docx: empty, truncated, not the format, zip bomb,
    XML that declares entities (an entity bomb: refused before any XML parser sees it)."""
    if not data:
        return FileProblem("empty", "the file has 0 bytes")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return FileProblem("corrupt", f"not a readable zip container (truncated?): {exc}")
    names = {i.filename for i in infos}
    if main_part not in names:
        return FileProblem("corrupt", f"a zip archive but not {what} ({main_part} is missing)")
    if sum(i.file_size for i in infos) > MAX_UNPACKED or any(
            i.file_size > 50 * 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
        return FileProblem("too large", "the archive unpacks to too much data (zip bomb?)")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            try:
                with zf.open(info) as fh:
                    start = fh.read(4096)
            except Exception as exc:  # CRC errors, truncated members, bad compression
                return FileProblem("corrupt", f"{info.filename} cannot be unpacked: {_why(exc)}")
            if b"<!ENTITY" in start or b"<!DOCTYPE" in start:
                return FileProblem("corrupt", f"{info.filename} declares XML entities; refused (entity bomb?)")
    return None


class _StreamedSheet(ReadOnlyWorksheet):
    """openpyxl's read-only sheet looks for <dimension> with an iterparse that only stops at the end
    of <sheetData> when the element is absent (files not written by Excel): a 25 MB sheet is parsed
    whole before the first row (60 s). The dimensions are not needed: rows are read as they come."""

    def _get_size(self) -> None:
        return None


def open_sheets(data: bytes, data_only: bool):
    """(zip archive to close, worksheets) the way load_workbook(read_only=True) opens them,
    with _StreamedSheet instead of ReadOnlyWorksheet."""
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)     # date formats: a date is not a figure
        sheets = []
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                ws = _StreamedSheet(reader.wb, sheet.name, rel.target, reader.shared_strings)
                ws.sheet_state = sheet.state
                sheets.append(ws)
    except BaseException:
        reader.archive.close()
        raise
    return reader.archive, sheets


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _scan_sheets(sheets: list, filename: str, report: Report, out: ParsedReport) -> list[tuple[str, table.Scan]]:
    scans = []
    for ws in sheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue
        try:
            ws.reset_dimensions()     # the stored dimension is often wrong; read rows as they are
            s = table.scan(_rows(ws), report, _locator(filename, ws.title), max_rows=MAX_ROWS)
        except Exception as exc:
            out.problems.append(FileProblem("corrupt", f"sheet {ws.title!r} cannot be read: {_why(exc)}"))
            continue
        if s.truncated:
            out.warnings.append(f"sheet {ws.title!r}: only the first {MAX_ROWS} rows were read")
        out.warnings.extend(s.warnings)
        scans.append((ws.title, s))
    return scans


def _rows(ws) -> Iterator[Sequence[object]]:
    """The sheet's rows as they stream from its XML, each cell's legacy-encoded text (TCVN3,
    VNI) converted by its font (".VnTime", "VNI-Times") or its characters; a row the unit hid
    (a stale copy left under the right one) is marked `table.HiddenRow`."""
    fonts = _font_names(ws.parent)
    fix = legacy.fix_cell
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=ws.parent.data_only, epoch=ws.parent.epoch,
                                 date_formats=ws.parent._date_formats,
                                 timedelta_formats=ws.parent._timedelta_formats)
        counter = 1
        for idx, cells in parser.parse():
            while counter < idx:            # rows the XML leaves out are blank
                counter += 1
                yield ()
            counter = idx + 1
            width = min(max((c["column"] for c in cells), default=0), table.MAX_COLS)
            row: list[object] = [None] * width
            for c in cells:
                if c["column"] <= width:
                    value = c["value"]
                    row[c["column"] - 1] = fix(value, fonts.get(c["style_id"])) if isinstance(value, str) else value
            attrs = parser.row_dimensions.get(str(idx), {})
            yield table.HiddenRow(row) if attrs.get("hidden") in ("1", "true") else row


def _font_names(wb) -> dict[int, str]:
    """Cell style id -> the name of its font, for the styles whose font is a legacy one."""
    out = {}
    for sid, style in enumerate(getattr(wb, "_cell_styles", ())):
        try:
            name = wb._fonts[style.fontId].name
        except (IndexError, AttributeError, TypeError):
            continue
        if legacy.legacy_font(name):
            out[sid] = name
    return out


def _locator(filename: str, sheet: str):
    return lambda r, c: f"{filename} › {sheet} › {get_column_letter(c + 1)}{r + 1}"


def _formulas(data: bytes, filename: str, candidates: list[table.Candidate],
              out: ParsedReport) -> list[table.Candidate]:
    """Blank figures that are really formulas without a cached value: raw = the formula, warned."""
    blanks = {c.source: c for c in candidates if c.number is None and not c.raw}
    if not blanks:
        return candidates
    try:
        formulas = _formula_cells(data, filename, set(blanks))
    except Exception:   # the first pass read this file; a failure here only loses the detail
        return candidates
    result = []
    for c in candidates:
        f = formulas.get(c.source)
        if f and c.source in blanks:
            out.warnings.append(f"{c.source}: formula {f} has no saved result (open and save the file in Excel)")
            c = table.Candidate(c.indicator, None, f, c.source, False, c.method)
        result.append(c)
    return result


def _formula_cells(data: bytes, filename: str, wanted: set[str]) -> dict[str, str]:
    by_sheet: dict[str, dict[tuple[int, int], str]] = {}
    for src in wanted:
        _, sheet, cell = src.rsplit(" › ", 2)
        col = "".join(ch for ch in cell if ch.isalpha())
        row = int(cell[len(col):])
        by_sheet.setdefault(sheet, {})[(row, _col_index(col))] = src
    found = {}
    archive, sheets = open_sheets(data, data_only=False)
    named = {ws.title: ws for ws in sheets}
    try:
        for sheet, cells in by_sheet.items():
            ws = named[sheet]
            ws.reset_dimensions()
            last = max(r for r, _ in cells)
            for r, row in enumerate(ws.iter_rows(max_row=last, values_only=True), start=1):
                for (cr, cc), src in cells.items():
                    if cr == r and cc <= len(row) and isinstance(row[cc - 1], str) and row[cc - 1].startswith("="):
                        found[src] = row[cc - 1]
    finally:
        archive.close()
    return found


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n
