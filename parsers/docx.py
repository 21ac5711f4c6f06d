"""Word documents (.docx): every table (nested ones too) through the shared engine, and the
paragraphs as narrative text.

python-docx repeats a merged cell in every grid position it covers (gridSpan across, vMerge
down); a repeat is blanked here so a merged figure or label is read once, at its top-left cell.
Figures found in tables win; narrative patterns (parsers/narrative.py) only add indicators that no
table gave, so a report written as prose still yields what its sentences state.
"""
from __future__ import annotations

import io
from dataclasses import replace
from collections.abc import Iterator

import docx
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from parsers import legacy, narrative, periods, table
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
LETTERHEAD_BOX_LINES = 8     # a text box of more lines holds figures, not the letterhead


KINDS = ("docx",)   # the detected kinds this module reads (parsers.registry.FORMATS)


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    global _fonts
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
        _use_fonts(document)
        span = _widest_span(document)
        if span is None or span > MAX_SPAN:
            out.problems.append(FileProblem("corrupt", "a table cell's column span is not a number" if span is None
                                            else f"a table cell claims to span {span:,} columns"))
            return out
        blocks = list(_blocks(document))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors... for bad parts
        out.problems.append(FileProblem("corrupt", f"the document cannot be read: {type(exc).__name__}: {exc}"[:300]))
        _fonts = None
        return out
    try:
        return _read(out, filename, blocks, document, report)
    finally:
        _fonts = None       # the document's styles are not kept past its reading


def _read(out: ParsedReport, filename: str, blocks: list, document, report: Report) -> ParsedReport:
    grids, titles, title = [], [], ""
    for block in blocks:
        if isinstance(block, Table):
            found = _tables(block)
            grids.extend(found)
            titles.extend([title] * len(found))
            title = ""
        else:
            line = text_of(block).strip()
            if line:                # the line above a table names it ("Biểu 2. Số liệu cả năm 2024")
                title = line if periods.is_title(line) else ""
    if len(grids) > MAX_TABLES:
        out.warnings.append(f"only the first {MAX_TABLES} of {len(grids)} tables were read")
        grids, titles = grids[:MAX_TABLES], titles[:MAX_TABLES]
    scans = [table.scan(rows, report, _locator(filename, n)) for n, rows in enumerate(grids, start=1)]
    scans += _text_boxes(document, filename, report, MAX_TABLES - len(grids))
    titles += [""] * (len(scans) - len(titles))
    parts = [(f"bảng {n}", periods.tag(titles[n - 1]) or periods.of_part(None, s.head), bool(s.candidates))
             for n, s in enumerate(scans, start=1)]
    keep = periods.one_period(parts, filename, out.warnings)
    candidates = []
    for n, s in enumerate(scans, start=1):
        if keep is not None and s.candidates and n - 1 not in keep:
            continue
        for c in s.candidates:      # the table chosen for its period says so in each figure's source
            candidates.append(replace(c, source=c.source.replace(f"› bảng {n} ›", f"› bảng {n} ({titles[n - 1]}) ›"))
                              if keep is not None and titles[n - 1] else c)
    values, warnings = table.resolve(candidates)
    warnings = [w for s in scans for w in s.warnings] + warnings
    prose = "\n".join(t for t in (text_of(b) for b in blocks if isinstance(b, Paragraph)) if t.strip())
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
            texts.append("" if repeat else "\n".join(text_of(p) for p in cell.paragraphs))
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
            text = text_of(block)
            if text.strip():
                yield [text]
        else:
            for grid in _tables(block):
                yield from grid


def _head(blocks: list, document) -> list[list[str]]:
    """The first lines, text boxes first (letterheads are often drawn in them)."""
    boxes = []
    for box in _boxes(document):
        if box.find(qn("w:tbl")) is not None:
            continue                    # a box of figures, not a letterhead
        lines = [[text] for text in (_paragraph_text(p) for p in box.iter(qn("w:p"))) if text.strip()]
        if len(lines) <= LETTERHEAD_BOX_LINES:
            boxes.extend(lines)
    head = boxes[:HEAD_LINES]
    for row in _lines(blocks):
        if len(head) >= HEAD_LINES + len(boxes[:HEAD_LINES]):
            break
        head.append(row)
    return head


# ---------------------------------------------------------------- text, run by run

class _Fonts:
    """The font a run is drawn in: its own (w:rFonts), else its character style's, else its
    paragraph style's (through `basedOn`), else the document's default. Legacy-encoded text
    (TCVN3 ".VnTime", VNI "VNI-Times") is told by it, run by run (`parsers.legacy`)."""

    def __init__(self, document) -> None:
        self.styles: dict[str, tuple[str | None, str | None]] = {}   # id -> (font, basedOn)
        self.default: str | None = None
        self.default_para: str | None = None
        try:
            root = document.styles.element
        except Exception:   # no styles part: runs keep their own fonts only
            return
        for rpr in root.iterfind(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"):
            self.default = _rfont(rpr)
        for st in root.iterfind(qn("w:style")):
            sid = st.get(qn("w:styleId"))
            based = st.find(qn("w:basedOn"))
            self.styles[sid] = (_rfont(st.find(qn("w:rPr"))), based.get(qn("w:val")) if based is not None else None)
            if st.get(qn("w:type")) == "paragraph" and st.get(qn("w:default")) in ("1", "true"):
                self.default_para = sid

    def of_style(self, sid: str | None) -> str | None:
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            font, sid_next = self.styles.get(sid, (None, None))
            if font:
                return font
            sid = sid_next
        return None

    def paragraph(self, p) -> str | None:
        ppr = p.find(qn("w:pPr"))
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        sid = style.get(qn("w:val")) if style is not None else self.default_para
        return self.of_style(sid) or self.default

    def run(self, r, paragraph_font: str | None) -> str | None:
        rpr = r.find(qn("w:rPr"))
        if rpr is None:
            return paragraph_font
        own = _rfont(rpr)
        if own:
            return own
        style = rpr.find(qn("w:rStyle"))
        return (self.of_style(style.get(qn("w:val"))) if style is not None else None) or paragraph_font


_fonts: _Fonts | None = None      # the document being read (a worker reads one file at a time)


def _use_fonts(document) -> None:
    global _fonts
    _fonts = _Fonts(document)


def _rfont(rpr) -> str | None:
    if rpr is None:
        return None
    f = rpr.find(qn("w:rFonts"))
    if f is None:
        return None
    return f.get(qn("w:ascii")) or f.get(qn("w:hAnsi")) or f.get(qn("w:cs"))


_R, _T, _TAB, _BR, _CR, _P = (qn(t) for t in ("w:r", "w:t", "w:tab", "w:br", "w:cr", "w:p"))
_SKIP = {qn("w:txbxContent"), qn("w:tbl"), qn("w:delText"), qn("w:del"),
         "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}   # the same runs again


def text_of(paragraph: Paragraph) -> str:
    return _paragraph_text(paragraph._p)


def _paragraph_text(p) -> str:
    """A paragraph's text as python-docx gives it (runs, tabs, breaks, in hyperlinks and
    insertions too), each run's legacy encoding converted by its font."""
    fonts = _fonts
    para_font = fonts.paragraph(p) if fonts else None
    runs: list[tuple[str, str | None]] = []
    stack = list(reversed(list(p)))
    while stack:
        el = stack.pop()
        if el.tag == _R:
            parts = []
            for child in el:
                if child.tag == _T:
                    parts.append(child.text or "")
                elif child.tag == _TAB:
                    parts.append("\t")
                elif child.tag in (_BR, _CR):
                    parts.append("\n")
            if parts:
                runs.append(("".join(parts), fonts.run(el, para_font) if fonts else None))
        elif el.tag not in _SKIP and el.tag != _P and isinstance(el.tag, str):
            stack.extend(reversed(list(el)))
    return legacy.fix_runs(runs)


# ---------------------------------------------------------------- text boxes

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _boxes(document) -> Iterator:
    """The document's text boxes (w:txbxContent), each once: Word writes a modern text box twice,
    as a drawing (mc:Choice) and as VML for old readers (mc:Fallback); the fallback is skipped."""
    for box in document.element.body.iter(qn("w:txbxContent")):
        if not any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
            yield box


def _text_boxes(document, filename: str, report: Report, room: int) -> list[table.Scan]:
    """Figures drawn in text boxes: a table inside one is read like any table; its lines
    ("1. Số buổi tuyên truyền: 6 buổi") as rows of a label and a figure."""
    scans: list[table.Scan] = []
    for n, box in enumerate(_boxes(document), start=1):
        if len(scans) >= room:
            break
        lines = []
        for child in box.iterchildren():
            if child.tag == qn("w:tbl"):
                for k, grid in enumerate(_tables(Table(child, document._body)), start=1):
                    scans.append(table.scan(grid, report, _box_locator(filename, n, f"bảng {k}")))
            elif child.tag == qn("w:p"):
                lines.append(_paragraph_text(child))
        if any(line.strip() for line in lines):
            scans.append(table.scan([_line_row(line) for line in lines], report,
                                    _box_locator(filename, n, None), blank_is_value=False))
    return scans


def _line_row(line: str) -> list[str]:
    """A text line as [label, figure]: "Label: 6 buổi" splits at its last colon; "Label 6" before
    its last token when that is a number or "-"; else the line alone (no figure)."""
    line = " ".join(line.split())
    label, colon, rest = line.rpartition(":")
    if colon and label.strip() and rest.strip():
        return [label.strip(), rest.strip()]
    head, _, last = line.rpartition(" ")
    if head and (last in ("-", "–") or any(ch.isdigit() for ch in last)):
        return [head, last]
    return [line]


def _box_locator(filename: str, n: int, inner: str | None):
    where = f"{filename} › khung {n}" + (f" › {inner}" if inner else "")
    return lambda r, c: f"{where} › dòng {r + 1}"
