"""PDF reports: ruled tables and text through pdfplumber; scanned pages through Tesseract if present.

pypdfium2 (shipped with pdfplumber) opens the file first: it counts pages without parsing them and
reports a password at once, so a 1000-page or encrypted file costs milliseconds. Only the first
MAX_PAGES_READ pages are read. Tables found by pdfplumber go to the shared engine; when they give
nothing (a table drawn without rules), each text line is split into label | unit | figure and
scanned the same way. A file with no text layer is a scan: with `tesseract` and its `vie` data
installed the first OCR_PAGES pages are rendered (pypdfium2) and read, method "ocr", within
OCR_SECONDS; otherwise the problem is "scanned, no text".
"""
from __future__ import annotations

import dataclasses
import io
import itertools
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence

import pdfplumber
import pypdfium2 as pdfium

from parsers.text import fold
from parsers import depth, narrative, ocr, table, vocabulary
from parsers.numbers import parse_number
from store.records import FileProblem, ParsedReport
from store.domain import Report

MAX_PAGES = 500
MAX_PAGES_READ = 30
OCR_PAGES = 3
OCR_SECONDS = 90.0
OCR_DPI = 250
MIN_CHARS_PER_PAGE = 20


KINDS = ("pdf",)   # the detected kinds this module reads (parsers.registry.FORMATS)


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    out = ParsedReport(filename=filename, detected_type="pdf")
    pages, problem = _count_pages(data)
    if problem:
        out.problems.append(problem)
        return out
    if pages > MAX_PAGES:
        out.problems.append(FileProblem("too many pages", f"{pages} pages (more than {MAX_PAGES})"))
        return out
    if pages > MAX_PAGES_READ:
        out.warnings.append(f"only the first {MAX_PAGES_READ} of {pages} pages were read")
    if not depth.current().values:
        return _evidence(out, data, min(pages, MAX_PAGES_READ))
    try:
        texts, prose, grids = _read_pages(data, min(pages, MAX_PAGES_READ))
    except Exception as exc:  # pdfminer raises many types on damaged files
        out.problems.append(FileProblem("corrupt", f"the PDF cannot be read: {type(exc).__name__}: {exc}"[:300]))
        return out
    if sum(len("".join(t.split())) for t in texts) < MIN_CHARS_PER_PAGE * len(texts):
        return _scanned(out, filename, data, min(pages, OCR_PAGES), report)
    return _finish(out, filename, texts, prose, grids, report, "table")


def _evidence(out: ParsedReport, data: bytes, pages: int) -> ParsedReport:
    """The text of the pages and the unit and period they state, from pdfium's text layer (a few
    milliseconds a page, where pdfplumber's layout analysis takes a tenth of a second): what the
    decision needs from a PDF whose figures the better files already gave."""
    try:
        texts = _pdfium_texts(data, pages)
    except Exception as exc:  # noqa: BLE001 - a damaged file: the full reading says what is wrong
        out.problems.append(FileProblem("corrupt", f"the PDF cannot be read: {type(exc).__name__}: {exc}"[:300]))
        return out
    why = depth.current().why
    if sum(len("".join(t.split())) for t in texts) < MIN_CHARS_PER_PAGE * len(texts):
        out.deferred = "ocr"
        out.warnings.append(f"a scan, not read by OCR: {why}" if why else "a scan, not read by OCR")
        return out
    out.text = "\n".join(texts)
    head = [[line] for text in texts[:2] for line in text.splitlines()[:40]]
    out.stated_unit, out.stated_period = narrative.stated(head)
    out.warnings.append(f"figures not read: {why}" if why else "figures not read")
    return out


def _pdfium_texts(data: bytes, pages: int) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(pages):
            page = doc[i]
            textpage = page.get_textpage()
            try:
                out.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            finally:
                textpage.close()
                page.close()
        return out
    finally:
        doc.close()


def _count_pages(data: bytes) -> tuple[int, FileProblem | None]:
    if not data:
        return 0, FileProblem("empty", "the file has 0 bytes")
    if b"%PDF" not in data[:1024]:
        return 0, FileProblem("corrupt", "not a PDF (no %PDF header)")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            return 0, FileProblem("encrypted", "the PDF is protected by a password")
        return 0, FileProblem("corrupt", f"the PDF cannot be opened: {exc}"[:300])
    try:
        n = len(doc)
    finally:
        doc.close()
    return (n, None) if n else (0, FileProblem("empty", "the PDF has no pages"))


def _read_pages(data: bytes, pages: int) -> tuple[list[str], list[str], list[list[list[list[str]]]]]:
    """Per page: its text, its text outside the ruled tables, its tables (grids of cell strings)."""
    texts, prose, grids = [], [], []
    with pdfplumber.open(io.BytesIO(data), pages=list(range(1, pages + 1))) as pdf:
        for page in pdf.pages:
            found = page.find_tables()
            texts.append(page.extract_text() or "")
            grids.append([[[(c or "").replace("\n", " ") for c in row] for row in t.extract()] for t in found])
            outside = page
            for t in found:
                outside = outside.outside_bbox(t.bbox)
            prose.append(outside.extract_text() or "")
            page.close()
    return texts, prose, grids


def _finish(out: ParsedReport, filename: str, texts: list[str], prose_pages: list[str], grids: list,
            report: Report, method: str) -> ParsedReport:
    tables = [(rows, _table_locator(filename, p, t)) for p, page in enumerate(grids, 1) for t, rows in enumerate(page, 1)]
    values, warnings, _ = table.scan_all(tables, report, method=method)
    if not any(v.number is not None for v in values):
        columns = _figure_columns(texts)
        if columns is not None or not _several_figure_columns(texts):
            lines = [(line_rows(text, report, columns), _line_locator(filename, p)) for p, text in enumerate(texts, 1)]
            values, warnings, _ = table.scan_all(lines, report, method=method, blank_is_value=False)
    lines_all = [ln for page in prose_pages for ln in page.splitlines()]
    table_lines = sum(1 for ln in lines_all if _table_line(ln))
    prose = "\n".join(ln for ln in lines_all if not _table_line(ln))
    known = {v.indicator for v in values}
    # A page of numbered rows is a table the line reader could not settle (two figure columns):
    # its fragments are not sentences, and patterns would read a unit or an STT as a figure.
    extra = narrative.extract(prose, report, f"{filename} › văn bản") if table_lines < 5 else []
    values += [dataclasses.replace(v, method=method if method == "ocr" else v.method)
               for v in extra if v.indicator not in known]
    out.values, out.warnings = values, out.warnings + warnings
    head = [[line] for text in texts[:2] for line in text.splitlines()[:40]]
    out.stated_unit, out.stated_period = narrative.stated(head)
    out.text = "\n".join(texts)
    if not values:
        out.warnings.append("no indicator of the form was found in the PDF")
    return out


_OTHER_FIGURE_HEADER = vocabulary.regex(lambda v: rf"\b{v.any('figure_other')}\b")


def _several_figure_columns(texts: list[str]) -> bool:
    """A header line naming another figure column ("Kế hoạch | Thực hiện | Tỷ lệ %", "Cùng kỳ năm
    2023"): in text without cell borders a lone number cannot be told to be this period's."""
    for text in texts:
        for line in text.splitlines()[:60]:
            f = fold(line)
            if len(f.split()) <= 12 and _OTHER_FIGURE_HEADER().search(f) \
                    and all(len(d) <= 2 or (len(d) == 4 and d.startswith("20")) for d in re.findall(r"\d+", f)):
                return True
    return False


# The figure columns a header line names, in order: the vocabulary's text_column_<role> tables.
# "figure" is this period's result; "period" a column named by a period (the latest year's is the
# figure); "other" is not. The first entry that matches at a place names the column (one group per
# role). "{n}" is "\d{1,3}", not "\d+": "\d+" tried from every digit of a long number rescans it to
# its end (quadratic). A longer number still matches, by its last three digits: the same column.
_ROLES = ("other", "figure", "period")
_COLUMN_RX = vocabulary.regex(lambda v: "|".join(f"(?P<{role}>{v.any('text_column_' + role, ordered=True)})"
                                                 for role in _ROLES))


def _figure_columns(texts: list[str]) -> tuple[int, int] | None:
    """(number of figure columns, index of this period's) from a header line such as "Kế hoạch
    Thực hiện Tỷ lệ %" or "Cùng kỳ năm 2023 6 tháng đầu năm 2024"; None when no line says it clearly."""
    for text in texts:
        for line in text.splitlines()[:60]:
            f = fold(line)
            if len(f.split()) > 12 or not _OTHER_FIGURE_HEADER().search(f):
                continue
            roles: list[tuple[str, int]] = []
            for m in _COLUMN_RX().finditer(f):
                role = m.lastgroup or ""
                year = int(re.findall(r"20\d\d", m.group(0))[-1]) if re.search(r"20\d\d", m.group(0)) else 0
                roles.append((role, year))
            figures = [k for k, (role, _) in enumerate(roles) if role == "figure"]
            periods = [k for k, (role, _) in enumerate(roles) if role == "period"]
            if len(roles) >= 2 and len(figures) == 1:
                return len(roles), figures[0]
            if len(roles) >= 2 and not figures and periods:
                latest = max(periods, key=lambda k: roles[k][1])
                if sum(1 for k in periods if roles[k][1] == roles[latest][1]) == 1:
                    return len(roles), latest
    return None


def _table_locator(filename: str, page: int, n: int):
    return lambda r, c: f"{filename} › trang {page} › bảng {n} › dòng {r + 1}"


def _line_locator(filename: str, page: int):
    return lambda r, c: f"{filename} › trang {page} › dòng {r + 1}"


# ---------------------------------------------------------------- text lines as table rows

_TOKEN_ZERO = {"-", "–", "—", "0"}


def line_rows(text: str, report: Report, columns: tuple[int, int] | None = None) -> list[list[str]]:
    """Each text line as [label, unit, figure]: the figure is the last token when it is one, the
    unit the word(s) before it when they name an indicator's unit. A line ending in two figures
    (two columns: which one?) keeps no figure. A label wrapped onto the next line is joined."""
    units = sorted({fold(i.unit) for i in report.indicators if i.unit}, key=len, reverse=True)
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in text.splitlines()]
    rows: list[list[str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        joined = _join(line, lines[i + 1]) if i + 1 < len(lines) else None
        if joined:
            rows.append(["", "", ""])      # keep row numbers equal to line numbers
            line = joined
            i += 1
        if not columns and not joined and i + 2 < len(lines):
            around = _figure_between(line, lines[i + 1], lines[i + 2])
            if around:              # a label wrapped around its row's STT and figure
                rows += [["", "", ""], ["", "", ""]]
                line = around
                i += 2
        row = _split_columns(line, units, columns) if columns else _split_line(line, units)
        if not columns and row[1] and _names_better_whole(row, report):
            row = [f"{row[0]} {row[1]}", "", row[2]]   # "… tham gia diễn đàn": the unit's words end the label
        rows.append(row)
        i += 1
    return rows


def _figure_between(first: str, middle: str, last: str) -> str | None:
    """A label wrapped onto two lines with the row's STT and figure printed between them,
    vertically centred: "Số buổi tuyên truyền, … chăm" / "1 14" / "sóc trẻ em" ->
    "1 Số buổi tuyên truyền, … chăm sóc trẻ em 14"."""
    tokens = middle.split()
    if not 1 <= len(tokens) <= 2 or not all(_cell_figure(t) for t in tokens) or not _number(tokens[-1]) and \
            tokens[-1] not in _TOKEN_ZERO:
        return None
    if not first or _figure(first) is not None or _figure(last) is not None or not last[:1].islower():
        return None
    if re.match(r"^\s*(?:\d{1,3}|[IVX]{1,4})[.)]?\s", first):
        return None                 # the first line has its own STT: not this shape
    stt = f"{tokens[0]} " if len(tokens) == 2 else ""
    return f"{stt}{first} {last} {tokens[-1]}"


def _names_better_whole(row: list[str], report: Report) -> bool:
    """The words taken as the unit of measure belong to the label: with them it names an
    indicator, without them it names none."""
    m = table.matcher_for(report)
    return m.label(row[0], None, None).indicator is None and \
        m.label(f"{row[0]} {row[1]}", None, None).indicator is not None


def _split_columns(line: str, units: Sequence[str], columns: tuple[int, int]) -> list[str]:
    """A row of a borderless table with several figure columns: the run of figures right after the
    unit must fill every column (a blank cell leaves the row unread); the named column is taken."""
    count, index = columns
    tokens = line.split()
    for i, j in _unit_spans(tokens, units, 1, len(tokens)):
        run = list(itertools.takewhile(_cell_figure, tokens[j:]))
        if len(run) == count:
            return [" ".join(tokens[:i]), " ".join(tokens[i:j]), run[index]]
    return [line, "", ""]


def _unit_spans(tokens: list[str], units: Sequence[str], start: int, stop: int) -> Iterator[tuple[int, int]]:
    """(i, j) where tokens[i:j] name an indicator's unit ("người", "diễn đàn"), left to right."""
    for i in range(start, stop):
        for n_words in (2, 1):
            if fold(" ".join(tokens[i:i + n_words])) in units:
                yield i, i + n_words


def _number(token: str) -> bool:
    number, ok = parse_number(token)
    return ok and number is not None and any(c.isdigit() for c in token)


def _cell_figure(token: str) -> bool:
    """A token that fills a figure cell: a number, or "-" / "0" for none."""
    return token in _TOKEN_ZERO or _number(token)


_CONTINUATION = re.compile(r"^(?:(\d{1,3}[.)]?|[a-zđ][.)])\s+)?([a-zà-ỹđ].*)$")


def _join(line: str, following: str) -> str | None:
    """A wrapped label: "Số lượt cha mẹ học sinh tham gia tuyên" + "5 truyền lượt 1.045" (the STT
    printed beside the last line of the cell) -> "5 Số lượt … tham gia tuyên truyền lượt 1.045"."""
    if not line or _figure(line) is not None or _figure(following) is None:
        return None
    m = _CONTINUATION.match(following)
    if not m:
        return None
    number = f"{m.group(1)} " if m.group(1) else ""
    return f"{number}{line} {m.group(2)}"


def _table_line(line: str) -> bool:
    """"20 Số diễn đàn trẻ em diễn đàn 2": a numbered row ending in a figure is a table row, not a
    sentence; narrative patterns would read its STT ("20 diễn đàn") as a figure."""
    return bool(re.match(r"^\s*(?:\d{1,3}|[IVX]{1,4}|[a-zđ])[.)]?\s", line)) and _figure(line) is not None


def _figure(line: str) -> str | None:
    tokens = line.split()
    if len(tokens) < 2:
        return None
    last = tokens[-1]
    pair = fold(" ".join(tokens[-2:]))
    if len(pair.split()) == 2 and pair in vocabulary.active().set("zero_word"):   # "không có"
        return " ".join(tokens[-2:])
    return last if _cell_figure(last) else None


def _figure_after_unit(line: str, units: Sequence[str]) -> list[str] | None:
    """"2 tre_hcdb Số trẻ em có hoàn cảnh đặc biệt người 13 Trong đó 5 em nữ": a note after the
    figure. The figure is the one number right after the indicator's unit, when a word follows it."""
    tokens = line.split()
    for i, j in _unit_spans(tokens, units, 1, len(tokens) - 2):
        if j < len(tokens) - 1 and _number(tokens[j]) and not _cell_figure(tokens[j + 1]):
            return [" ".join(tokens[:i]), " ".join(tokens[i:j]), tokens[j]]
    return None


def _split_line(line: str, units: Sequence[str]) -> list[str]:
    figure = _figure(line)
    if figure is None:
        return _figure_after_unit(line, units) or [line, "", ""]
    label = line[: len(line) - len(figure)].strip()
    if _figure(label) is not None and re.search(r"\d\s*$", label):
        return [line, "", ""]          # "… 5 3": two figures side by side
    tail = label.split()[1:][-4:]      # the cells just left of the figure (a label may say "dưới 16 tuổi")
    if any(any(ch.isdigit() for ch in tok) and "(" not in tok and ")" not in tok
           and parse_number(tok)[0] is not None for tok in tail):
        return [line, "", ""]          # another figure in the row (a plan, last year, a rate): which one?
    unit = ""
    folded = fold(label)
    for u in units:
        if folded.endswith(" " + u):
            n_words = len(u.split())
            words = label.split()
            label, unit = " ".join(words[:-n_words]), " ".join(words[-n_words:])
            break
    return [label, unit, figure]


# ---------------------------------------------------------------- scans

def _scanned(out: ParsedReport, filename: str, data: bytes, pages: int, report: Report) -> ParsedReport:
    if not depth.current().ocr:
        out.deferred = "ocr"
        out.warnings.append("a scan, not read by OCR yet")
        return out
    if not ocr.available():
        out.problems.append(FileProblem("scanned, no text", "no text layer and no OCR (tesseract with 'vie') here"))
        return out
    texts = _ocr(data, pages, out)
    if not any(t.strip() for t in texts):
        out.problems.append(FileProblem("scanned, no text", "no text layer and OCR read nothing"))
        return out
    out.warnings.append(f"read by OCR ({len(texts)} page(s)): figures need a check")
    return _finish(out, filename, texts, texts, [[] for _ in texts], report, "ocr")


def _ocr(data: bytes, pages: int, out: ParsedReport) -> list[str]:
    deadline = time.monotonic() + OCR_SECONDS
    texts = []
    doc = pdfium.PdfDocument(data)
    try:
        with tempfile.TemporaryDirectory(prefix="baocao-ocr-") as tmp:
            for i in range(pages):
                left = deadline - time.monotonic()
                if left <= 1:
                    out.warnings.append(f"OCR stopped after {i} page(s): time limit")
                    break
                png = os.path.join(tmp, f"p{i}.png")
                doc[i].render(scale=OCR_DPI / 72).to_pil().save(png)
                texts.append(_tesseract(png, left, out))
    finally:
        doc.close()
    return texts


def _tesseract(png: str, timeout: float, out: ParsedReport) -> str:
    try:
        return ocr.read_image(png, timeout)
    except subprocess.TimeoutExpired:
        out.warnings.append("OCR timed out on a page")
        return ""
    except OSError as exc:
        out.warnings.append(f"OCR failed: {exc}")
        return ""
