"""Word documents (.docx): every table (nested ones too) through the shared engine, and the
paragraphs as narrative text.

python-docx repeats a merged cell in every grid position it covers (gridSpan across, vMerge
down); a repeat is blanked here so a merged figure or label is read once, at its top-left cell.
Figures found in tables win; narrative patterns (parsers/narrative.py) only add indicators that no
table gave, so a report written as prose still yields what its sentences state.
"""
from __future__ import annotations

import io
from collections.abc import Iterator

import docx
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from parsers import narrative, table
from store.records import FileProblem, ParsedReport
from parsers.xlsx import OLE_MAGIC, check_ooxml
from store.domain import Report

MAX_TABLES = 200
MAX_SPAN = 500       # columns one cell may span: python-docx expands a span cell by cell


def _widest_span(document: DocumentObject) -> int | None:
    """The largest w:gridSpan of the document, read before python-docx expands it (a hostile
    gridSpan of 999,999,999 held a worker for its whole CPU limit)."""
    widest = 1
    for value in document.element.body.xpath(".//w:gridSpan/@w:val"):
        try:
            widest = max(widest, int(value))
        except ValueError:
            return None                  # not a number: python-docx would raise on it
    return widest
HEAD_LINES = 60


KINDS = ("docx",)   # the detected kinds this module reads (parsers.registry.FORMATS)


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    out = ParsedReport(filename=filename, detected_type="docx")
    if data.startswith(OLE_MAGIC):
        out.problems.append(FileProblem("encrypted or not a Word document",
                                        "an OLE file: a password-protected .docx or an old .doc"))
        return out
    problem = check_ooxml(data, "word/document.xml", "a Word document")
    if problem:
        out.problems.append(problem)
        return out
    try:
        document = docx.Document(io.BytesIO(data))
        span = _widest_span(document)
        if span is None or span > MAX_SPAN:
            out.problems.append(FileProblem("corrupt", "a table cell's column span is not a number" if span is None
                                            else f"a table cell claims to span {span:,} columns"))
            return out
        blocks = list(_blocks(document))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors... for bad parts
        out.problems.append(FileProblem("corrupt", f"the document cannot be read: {type(exc).__name__}: {exc}"[:300]))
        return out
    return _read(out, filename, blocks, document, report)


def _read(out: ParsedReport, filename: str, blocks: list, document, report: Report) -> ParsedReport:
    grids = []
    for block in blocks:
        if isinstance(block, Table):
            grids.extend(_tables(block))
    if len(grids) > MAX_TABLES:
        out.warnings.append(f"only the first {MAX_TABLES} of {len(grids)} tables were read")
        grids = grids[:MAX_TABLES]
    tables = [(rows, _locator(filename, n)) for n, rows in enumerate(grids, start=1)]
    values, warnings, _ = table.scan_all(tables, report)
    prose = "\n".join(b.text for b in blocks if isinstance(b, Paragraph) and b.text.strip())
    known = {v.indicator for v in values}
    values += [v for v in narrative.extract(prose, report, f"{filename} › văn bản") if v.indicator not in known]
    out.values, out.warnings = values, out.warnings + warnings
    head = _head(blocks, document)
    out.stated_unit, out.stated_period = narrative.stated(head)
    out.text = "\n".join(" | ".join(c for c in row if c) for row in _lines(blocks))
    if not values:
        out.warnings.append("no indicator of the form was found in the document")
    return out


def _blocks(document) -> Iterator[Paragraph | Table]:
    """Body paragraphs and tables in document order."""
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document._body)
        elif child.tag == qn("w:tbl"):
            yield Table(child, document._body)


def _tables(tbl: Table) -> list[list[list[str]]]:
    """The table as a grid with merged repeats blanked, then its nested tables, in order."""
    grid: list[list[str]] = []
    nested: list[list[list[str]]] = []
    above: list[object] = []
    for row in tbl.rows:
        cells = row.cells
        tcs = [c._tc for c in cells]
        texts = []
        for j, cell in enumerate(cells):
            repeat = (j > 0 and tcs[j - 1] is tcs[j]) or (j < len(above) and above[j] is tcs[j])
            texts.append("" if repeat else cell.text)
            if not repeat:
                for inner in cell.tables:
                    nested.extend(_tables(inner))
        grid.append(texts)
        above = tcs
    return [grid] + nested


def _locator(filename: str, n: int):
    return lambda r, c: f"{filename} › bảng {n} › dòng {r + 1}"


def _lines(blocks: list) -> Iterator[list[str]]:
    for block in blocks:
        if isinstance(block, Paragraph):
            if block.text.strip():
                yield [block.text]
        else:
            for grid in _tables(block):
                yield from grid


def _head(blocks: list, document) -> list[list[str]]:
    """The first lines, text boxes first (letterheads are often drawn in them)."""
    boxes = []
    for box in document.element.body.iter(qn("w:txbxContent")):
        for p in box.iter(qn("w:p")):
            text = "".join(t.text or "" for t in p.iter(qn("w:t")))
            if text.strip():
                boxes.append([text])
    head = boxes[:HEAD_LINES]
    for row in _lines(blocks):
        if len(head) >= HEAD_LINES + len(boxes[:HEAD_LINES]):
            break
        head.append(row)
    return head
