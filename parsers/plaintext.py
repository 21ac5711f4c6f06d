"""Plain text and .csv, decoded (legacy Vietnamese encodings fixed).

Text is read as narrative. A .csv is what "Save as CSV" makes of the form's sheet: its rows go
through the same table engine as a spreadsheet (`parsers.sheet.finish`), so its figures carry
"file › dòng … cột …"-style cell provenance; a .csv that holds no table is read as text.
"""
from __future__ import annotations

import csv
import io

from parsers import legacy, narrative, table
from parsers.detect import detect
from store.domain import Report
from store.records import ParsedReport

KINDS = ("text", "csv")
DELIMITERS = ",;\t"
MAX_CSV_ROWS = 5000


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    text = legacy.decode_bytes(data)
    rows = _grid(text)          # a table whatever the name says; else the name breaks the tie
    kind = "csv" if rows else ("csv" if detect(data, filename) == "csv" else "text")
    if rows:
        from parsers import sheet
        out = sheet.finish(ParsedReport(filename=filename, detected_type="csv"),
                           [(filename, rows, _locator(filename))], report)
        if out.values:
            return out
    values = narrative.extract(text, report, filename)
    known = {v.indicator for v in values}
    values += [v for v in _colon_lines(text, report, filename) if v.indicator not in known]
    return ParsedReport(filename=filename, detected_type=kind, values=list(values), text=text)


MAX_LINE_CHARS = 400
MAX_LINES = 2000


def _colon_lines(text: str, report: Report, filename: str) -> list:
    """Figures written one per line as "label: figure [unit] (…)" — "- Số trẻ em bị tai nạn
    thương tích: 11 người (đã báo cáo 10 người)": each such line is a row [label, figure] for the
    table engine, so labels are matched as in a sheet; the figure is the first token after the
    colon, what follows it (a unit, the figure it replaces) is not read."""
    rows: list[list[str | None]] = []
    for line in text.splitlines()[:MAX_LINES]:
        label, colon, rest = line[:MAX_LINE_CHARS].partition(":")
        first = rest.split()[:1]
        if not colon or not first or len(label.split()) < 2 or not any(ch.isdigit() for ch in first[0]):
            rows.append([None, None])
            continue
        rows.append([label.strip(" -+•*\t"), first[0].rstrip(".,;")])
    if not any(r[0] for r in rows):
        return []
    values, _, _ = table.scan_all([(rows, lambda r, c: f"{filename} › dòng {r + 1}")], report, method="text",
                                  blank_is_value=False)
    return [v for v in values if v.number is not None]


def _grid(text: str) -> list[list[str | None]] | None:
    """The rows of a delimited file, or None. The delimiter is the one of DELIMITERS found most
    often on the first lines (a linear count: csv.Sniffer's regexes are quadratic on a line of
    quotes and commas, 2 s on 20 KB of them); csv.reader then splits in one pass."""
    delimiter = _delimiter(text[:20_000].splitlines()[:50])
    if delimiter is None:
        return None
    rows = []
    for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if n >= MAX_CSV_ROWS:
            break
        rows.append([c.strip() or None for c in row[:table.MAX_COLS]])
    # a table: most non-empty rows have the same number (two or more) of cells; prose with
    # commas has a different number on every line
    widths = [len(r) for r in rows if any(r)]
    common = max(set(widths), key=widths.count) if widths else 0
    same = widths.count(common)
    return rows if common >= 2 and same >= 3 and 2 * same >= len(widths) else None


def _delimiter(lines: list[str]) -> str | None:
    counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _locator(filename: str):
    return lambda r, c: f"{filename} › dòng {r + 1} › cột {c + 1}"
