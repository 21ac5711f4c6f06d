"""Figures from prose, and the unit and period a document states about itself.

`extract` never guesses: it reads a number only where an indicator's configured pattern
(`Indicator.patterns`, written without diacritics) matches the text after
strip_diacritics + lower-case + whitespace collapsed, exactly as config.example.toml documents.
Group 1 is the number, read the Vietnamese way. Two matches with different numbers for one
indicator are ambiguous and give nothing.

`stated` reads the document's own header: "Đơn vị: …" / "Tên đơn vị: …" lines or a heading such as
"PHÒNG GDĐT HUYỆN LỘC NINH" / "TRƯỜNG THPT …", and "Kỳ báo cáo: …" or a title line naming the period.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from parsers import vocabulary
from parsers.text import fold, plain, strip_diacritics
from parsers.numbers import parse_number
from store.records import Value
from store.domain import Report

# The labels and headings are parsers/words.toml's; the label patterns are for `plain` text, the
# others for folded text.
_UNIT_LABEL = vocabulary.regex(lambda v: rf"^\s*{v.raw('unit_label')}\s*[:：]\s*(.*)$", re.I)
_PERIOD_LABEL = vocabulary.regex(lambda v: rf"^\s*{v.raw('period_label')}\s*[:：]\s*(.*)$", re.I)
# where a unit label's value ends: a wide gap, or the period's label ("Đơn vị: …  Kỳ báo cáo: …")
_VALUE_END = vocabulary.regex(lambda v: rf"\s{{3,}}|\s+{v.raw('period_label')}\s*:", re.I)
_MOTTO = vocabulary.regex(lambda v: v.raw("motto"), re.I)
_PERIOD_WORDS = vocabulary.regex(lambda v: rf"\b{v.any('period_title')}\b|"
                                           rf"\b{v.any('year_word', 'school_year')} 20\d\d\b")
_DATE_LINE = vocabulary.regex(lambda v: rf"\b{v.any('day_word')}\s+\S+\s+{v.any('month_word')}\s+\S+\s+"
                                        rf"{v.any('year_word')}\b")
_PLACEHOLDER = re.compile(r"^[\s.…_:-]*$")


# ---------------------------------------------------------------- prose

def _normalised(text: str) -> tuple[str, list[int]]:
    """strip_diacritics(text).lower() with whitespace collapsed, and for each of its characters
    the index of the original character, so a match can be quoted as written."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            continue
        for c in strip_diacritics(ch).lower():
            out.append(c)
            where.append(i)
    return "".join(out), where


def extract(text: str, report: Report, source: str) -> list[Value]:
    """Values for the indicators whose patterns match `text` unambiguously, method "text"."""
    if not text:
        return []
    norm, where = _normalised(text)
    original = unicodedata.normalize("NFC", text)
    values = []
    for ind in report.indicators:
        found: dict[float, str] = {}
        bad = False
        for pattern in ind.patterns:
            for m in re.finditer(pattern, norm, flags=re.I):
                if _crosses_cells(original, where, m):
                    continue
                number, ok = parse_number(m.group(1).rstrip(".,"))
                if not ok or number is None:
                    bad = True
                    continue
                found.setdefault(number, original[where[m.start()]:where[m.end() - 1] + 1])
        if len(found) == 1 and not bad:
            (number, raw), = found.items()
            values.append(Value(ind.code, number, raw, source, "text"))
    return values


def _crosses_cells(original: str, where: list[int], m: re.Match[str]) -> bool:
    """A number ending its line with the words on the next line starting with a capital ("2" /
    "Lượt cán bộ") is two table cells, not a wrapped sentence."""
    i = where[m.end(1) - 1] + 1
    j = i
    while j < len(original) and original[j].isspace():
        j += 1
    return "\n" in original[i:j] and original[j:j + 1].isupper()


# ---------------------------------------------------------------- the document's own header

def stated(rows: Iterable[Sequence[str]]) -> tuple[str | None, str | None]:
    """(stated unit, stated period) from the first rows/lines of a document, each row a list of
    cell texts (a text line is a row of one cell)."""
    unit_label = period_label = heading = title = None
    previous = ""
    open_block = False  # the line before was the letterhead's heading: a line under it is the issuer
    for row in rows:
        cells = [_nfc(c) for c in row if c and c.strip()]
        joined = " ".join(cells)
        for text in [joined, *cells] if len(cells) > 1 else cells:
            unit_label = unit_label or _after_label(_UNIT_LABEL, text)
            period_label = period_label or _after_label(_PERIOD_LABEL, text)
        for cell in cells:
            for part in _left_of_motto(cell).splitlines():
                found = _heading(part.strip(), previous) if part.strip() else None
                if found and (heading is None or open_block):
                    # "PHÒNG GD&ĐT ĐỒNG PHÚ" over "TRƯỜNG THCS TÂN PHÚ": the lower line issues the document
                    heading = found
                open_block = bool(found) and (open_block or heading == found)
                title = title or _period_title(part.strip())
                previous = part.strip() or previous
    return unit_label or heading, period_label or title


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def _after_label(pattern: vocabulary.Built, text: str) -> str | None:
    m = pattern().match(plain(text))
    if not m:
        return None
    value = text[m.start(1):m.end(1)].strip().strip("…").strip()
    if _PLACEHOLDER.match(value) or fold(value).startswith(vocabulary.words("measure_word")):  # "Đơn vị tính: người"
        return None
    end = _VALUE_END().search(plain(value))
    return (value[:end.start()] if end else value).strip(" .…")


def _left_of_motto(line: str) -> str:
    """A PDF line often holds both header columns: "PHÒNG GDĐT … CỘNG HÒA XÃ HỘI …"."""
    m = _MOTTO().search(plain(line))
    return line[:m.start()] if m else line


def _heading(line: str, previous: str) -> str | None:
    """A heading line naming the unit; a bare "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" gets the "UBND …" above it."""
    v = vocabulary.active()
    f = fold(line)
    school = v.words("school_word")
    if not f or len(f) > 90 or not f.startswith(v.words("unit_heading") + school):
        return None
    if f.startswith(tuple(f"{w} " for w in school)) and not line.isupper():
        return None        # "Trường hợp …" in prose; headings are in capitals
    if f in v.set("generic_office") and fold(previous).startswith(v.words("authority_word")):
        return f"{previous} - {line}"
    return line


def _period_title(line: str) -> str | None:
    f = fold(line)
    if not f or len(f) > 160 or _DATE_LINE().search(f) or f.startswith(vocabulary.words("preamble")):
        return None
    return line if _PERIOD_WORDS().search(f) else None
