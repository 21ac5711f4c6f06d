"""Old Excel (.xls, BIFF) and OpenDocument (.ods) spreadsheets, through python-calamine.

The kind is read from the bytes, never the name: .xls is an OLE compound file (D0 CF 11 E0), .ods
a zip whose `mimetype` member says application/vnd.oasis.opendocument.spreadsheet. An OLE file is
also what a password-protected .xlsx looks like (an "EncryptionInfo" stream): that is a problem
"encrypted", not a crash. xlrd is the fallback for .xls files calamine refuses.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence

import python_calamine

from parsers import legacy, narrative, periods, table
from store.records import FileProblem, ParsedReport
from store.domain import Report

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_ROWS = 5000


def detect(data: bytes) -> str | None:
    """"xls", "ods" or None."""
    if data.startswith(OLE_MAGIC):
        return "xls"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if zf.read("mimetype").strip() == ODS_MIME:
                    return "ods"
        except (KeyError, zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


KINDS = ("xls", "ods")   # the detected kinds this module reads (parsers.registry.FORMATS)


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    kind = detect(data)
    out = ParsedReport(filename=filename, detected_type=kind or "unknown")
    if not data:
        out.problems.append(FileProblem("empty", "the file has 0 bytes"))
        return out
    if kind is None:
        out.problems.append(FileProblem("corrupt", "neither an .xls (OLE) nor an .ods file (truncated?)"))
        return out
    if kind == "xls" and _encrypted_ole(data):
        out.problems.append(FileProblem("encrypted", "the workbook is protected by a password "
                                        "(ask the unit to send it without one)"))
        return out
    grids, problem = _calamine_grids(data, filename, _xls_styles(data) if kind == "xls" else {})
    if problem and kind == "xls":
        grids, problem = _xlrd_grids(data, filename, problem)
    if problem:
        out.problems.append(problem)
        return out
    return finish(out, grids, report)


def finish(out: ParsedReport, grids: Sequence[tuple[str, Sequence[Sequence[object]], table.Locate]],
           report: Report) -> ParsedReport:
    """Scan each sheet's rows, merge the values, read the stated unit and period."""
    scans = []
    for name, rows, locate in grids:
        s = table.scan(rows, report, locate, max_rows=MAX_ROWS)
        if s.truncated:
            out.warnings.append(f"sheet {name!r}: only the first {MAX_ROWS} rows were read")
        out.warnings.extend(s.warnings)
        scans.append((name, s))
    keep = periods.one_period([(name, periods.of_part(name, s.head), bool(s.candidates)) for name, s in scans],
                              out.filename, out.warnings)
    kept = [s for i, (_, s) in enumerate(scans) if keep is None or i in keep or not s.candidates]
    out.values, warnings = table.resolve(c for s in kept for c in s.candidates)
    out.warnings.extend(warnings)
    head = next((s.head for s in kept if s.candidates), kept[0].head if kept else ())
    out.stated_unit, out.stated_period = narrative.stated(head)
    out.text = "\n".join(" ".join(c for c in row if c) for s in kept for row in s.head if any(row))
    if not out.values:
        out.warnings.append("no indicator of the form was found in the workbook")
    return out


def _encrypted_ole(data: bytes) -> bool:
    """An encrypted OOXML file is an OLE container with an "EncryptionInfo" stream; the name sits
    in the directory sectors, UTF-16LE, near the start of a small file."""
    return "EncryptionInfo".encode("utf-16-le") in data[:1 << 20] or \
        "EncryptedPackage".encode("utf-16-le") in data[:1 << 20]


def _letters(col: int) -> str:
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def _locator(filename: str, sheet: str):
    return lambda r, c: f"{filename} › {sheet} › {_letters(c)}{r + 1}"


def _calamine_grids(data: bytes, filename: str, styles: dict[str, "_Styles"] | None = None):
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = []
        for meta in wb.sheets_metadata:
            if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet"):
                sheet = wb.get_sheet_by_name(meta.name)
                rows = list(_calamine_rows(sheet, (styles or {}).get(meta.name)))
                grids.append((meta.name, rows, _locator(filename, meta.name)))
        return grids, None
    except python_calamine.PasswordError:
        return [], FileProblem("encrypted", "the workbook is protected by a password")
    except Exception as exc:  # calamine raises CalamineError, XmlError, ZipError, ValueError...
        return [], FileProblem("encrypted or not a spreadsheet", f"{type(exc).__name__}: {exc}"[:300])


def _calamine_rows(sheet, styles: "_Styles | None" = None) -> Iterator[Sequence[object]]:
    """calamine pads rows above the used range but not columns left of it: put them back. Text
    in a legacy encoding is converted by the cell's font when the .xls says it (`_xls_styles`),
    else by its characters; a hidden row is marked `table.HiddenRow`."""
    pad = [None] * sheet.start[1] if sheet.start else []
    fonts, hidden = styles if styles else ({}, frozenset())
    for n, row in enumerate(sheet.iter_rows()):
        if n >= MAX_ROWS + 1:
            return
        cells = (pad + [None if v == "" else v for v in row])[:table.MAX_COLS]
        cells = [legacy.fix_cell(v, fonts.get((n, c))) for c, v in enumerate(cells)]
        yield table.HiddenRow(cells) if n in hidden else cells


_Styles = tuple[dict[tuple[int, int], str], frozenset[int]]
MAX_STYLED_BYTES = 8 * 1024 * 1024      # fonts and hidden rows are looked up in .xls files up to this size


def _xls_styles(data: bytes) -> dict[str, _Styles]:
    """Per sheet of an .xls: (row, column) -> the cell's font name where it is a legacy one
    (".VnTime", "VNI-Times"), and the hidden rows, read by xlrd with its formatting; {} when
    xlrd cannot (calamine still reads the values)."""
    if len(data) > MAX_STYLED_BYTES:
        return {}
    try:
        import xlrd
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:   # noqa: BLE001 - the styles only refine what calamine reads
        return {}
    out: dict[str, _Styles] = {}
    try:
        legacy_xf = {i for i, xf in enumerate(book.xf_list)
                     if xf.font_index < len(book.font_list) and legacy.legacy_font(book.font_list[xf.font_index].name)}
        for idx in range(book.nsheets):
            sh = book.sheet_by_index(idx)
            fonts = {}
            if legacy_xf:
                for r in range(min(sh.nrows, MAX_ROWS + 1)):
                    for c in range(min(sh.row_len(r), table.MAX_COLS)):
                        xf = sh.cell_xf_index(r, c)
                        if xf in legacy_xf:
                            fonts[(r, c)] = book.font_list[book.xf_list[xf].font_index].name
            hidden = frozenset(r for r, info in sh.rowinfo_map.items() if getattr(info, "hidden", 0))
            out[sh.name] = (fonts, hidden)
    except Exception:   # noqa: BLE001
        return {}
    finally:
        book.release_resources()
    return out


def _xlrd_grids(data: bytes, filename: str, first: FileProblem):
    try:
        import xlrd
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        if "encrypted" in str(exc).lower():
            return [], FileProblem("encrypted", "the workbook is protected by a password")
        return [], first
    grids = []
    try:
        for idx in range(book.nsheets):
            sh = book.sheet_by_index(idx)
            if getattr(sh, "visibility", 0):
                continue
            rows = [[None if v == "" else legacy.fix_cell(v) for v in sh.row_values(r)][:table.MAX_COLS]
                    for r in range(min(sh.nrows, MAX_ROWS + 1))]
            grids.append((sh.name, rows, _locator(filename, sh.name)))
    except Exception as exc:
        return [], FileProblem("corrupt", f"{type(exc).__name__}: {exc}"[:300])
    finally:
        book.release_resources()
    return grids, None
