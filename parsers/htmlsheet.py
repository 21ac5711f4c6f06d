"""HTML tables: an Excel sheet "saved as web page" and sent as .xls (Excel opens it without a
word), or any HTML page with a table. Each table is a grid for the table engine, like a sheet
(`parsers.sheet.finish`); an HTML page without a table is not a report's file.

The bytes are decoded by the charset the page declares, else UTF-8, else as legacy Vietnamese
(`parsers.legacy.decode_bytes`); every cell is converted from TCVN3/VNI if it is in one.
"""
from __future__ import annotations

import re

from parsers import html, legacy, sheet
from store.domain import Report
from store.records import FileProblem, ParsedReport

KINDS = ("html",)   # the detected kinds this module reads (parsers.registry.FORMATS)
MAX_BYTES = 20 * 1024 * 1024

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset=["']?([A-Za-z0-9_-]{1,40})""", re.I)
_SHEET_NAME = re.compile(r"<x:Name>([^<]{1,100})</x:Name>", re.I)


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    out = ParsedReport(filename=filename, detected_type="html")
    markup = _decode(data[:MAX_BYTES])
    grids = html.tables(markup)
    if not grids:
        out.problems.append(FileProblem("format not readable here", "an HTML page without a table"))
        return out
    if _cut(markup):
        out.problems.append(FileProblem("corrupt", "the page ends inside its table (truncated?)"))
        return out
    if len(data) > MAX_BYTES:
        out.warnings.append(f"only the first {MAX_BYTES // (1024 * 1024)} MB of the page were read")
    names = _SHEET_NAME.findall(markup[:20_000])
    named = []
    for n, rows in enumerate(grids, start=1):
        name = names[n - 1].strip() if len(grids) == len(names) else f"bảng {n}"
        named.append((name, [[legacy.fix_cell(v) for v in row] for row in rows], sheet._locator(filename, name)))
    return sheet.finish(out, named, report)


def _cut(markup: str) -> bool:
    """The last table is never closed, or a page that opens <html> never closes it."""
    tail = markup[-65536:].lower()
    last_open = tail.rfind("<table")
    if last_open >= 0 and tail.rfind("</table") < last_open:
        return True
    return "<html" in markup[:4096].lower() and "</html" not in tail


def _decode(data: bytes) -> str:
    m = _CHARSET.search(data[:4096])
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    return legacy.decode_bytes(data)
