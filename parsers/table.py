"""The shared engine: a grid of cells in, indicator values out.

Every format parser (xlsx, xls/ods, docx tables, PDF tables, PDF/OCR text lines) turns what it
reads into rows of cells and hands them to `scan`, with a `locate(row, col)` callback that names
a cell for people ("bc.xlsx › BaoCao › E12"). `scan` streams: it keeps only the rows that name an
indicator, so a huge sheet costs memory for the form, not for the sheet. `resolve` then merges
the candidates of every grid of a document.

How a row is matched: by an indicator code written in a cell ("Mã chỉ tiêu"), else by the label,
folded (parsers.text.fold), stripped of its numbering ("1.1", "a)", "-") and abbreviations
expanded, fuzzy-compared (rapidfuzz) with each indicator's label and synonyms. The section row
and the last "parent" indicator above a "Trong đó: …" row break near-ties. A match must be good
(>= MIN_SCORE) and clear (MARGIN ahead of the next indicator); a row that fails either is left
alone, because a wrong number is worse than a missing one. The figure is read from the column
the header names ("Số liệu", "Kết quả", …) or, without such a header, the one column right of the
label that holds numbers.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process

from parsers import periods, vocabulary
from parsers.text import fold
from parsers.numbers import display, parse_number
from parsers.vocabulary import Vocabulary
from store.records import Value
from store.domain import Report

Locate = Callable[[int, int], str]

MIN_SCORE = 85
MARGIN = 5
MAX_COLS = 60
HEAD_ROWS = 40

_ROMAN = frozenset("i ii iii iv v vi vii viii ix x xi xii".split())
# The header words are parsers/words.toml's: value columns best first, then labels, codes and
# the columns that are never the figures.
_VALUE_RANKS = ("value_column", "value_column_result", "value_column_total", "value_column_quantity")


def _value_headers(v: Vocabulary) -> tuple[tuple[str, int], ...]:
    return v.memo("value headers", lambda: tuple((w, rank) for rank, name in enumerate(_VALUE_RANKS)
                                                     for w in v.words(name)))


_CODE_TOKEN = re.compile(r"[a-z0-9_]+")


# ---------------------------------------------------------------- labels

def clean(text: str) -> str:
    """Folded label without its numbering ("1.1.", "a)", "-", "II.") and with abbreviations expanded."""
    words = fold(text).split()
    while len(words) > 1 and (words[0].isdigit() or len(words[0]) == 1 or words[0] in _ROMAN):
        words.pop(0)
    abbreviations = vocabulary.active().pairs("abbreviation")
    return " ".join(abbreviations.get(w, w) for w in words)


def _child_prefix(folded: str) -> str | None:
    """The "trong do" a folded label begins with, if it does."""
    return next((p for p in vocabulary.words("child_prefix") if folded == p or folded.startswith(p + " ")), None)


def variants(text: str) -> set[str]:
    """The forms a label is compared in: as is and without "(…)" remarks, both without a leading
    "Trong đó:" (that prefix is context, handled by `is_child`; compared as characters it makes
    "trong đó: đuối nước" look like "tử vong do đuối nước")."""
    out = set()
    for form in (text, _without_remarks(text)):
        c = clean(form)
        prefix = _child_prefix(c)
        if prefix and c != prefix:
            c = clean(c[len(prefix) + 1:])
        if c:
            out.add(c)
    return out


def _equivalents(forms: set[str]) -> set[str]:
    """The label's forms with the form's equivalent words put in ("học sinh" -> "trẻ em")."""
    pairs = vocabulary.active().pairs("label_word_equivalent")
    out = set(forms)
    for form in forms:
        padded = f" {form} "
        for word, same in pairs.items():
            if f" {word} " in padded:
                out.add(padded.replace(f" {word} ", f" {same} ").strip())
    return out


EQUIVALENT_PENALTY = 5.0   # a label read with equivalent words is a little less sure than as written
EQUIVALENT_BLOCK = 80.0    # ... and not read so when, as written, it is this near another indicator
CONTAINED_BASE = 80.0     # a label holding every word of a choice: 80 + 15 x the share of its words
CONTAINED_MIN_WORDS = 3   # ... when the choice has that many words (not "Đuối nước")
CONTAINED_RIVAL = 75.0    # ... and no other indicator's label is this near the label as written


def _contained(choice: tuple[str, ...], form: str) -> float:
    """How well a label holding every word of `choice`, and more, names it: the label is the
    choice with qualifying words added ("… đang theo học", "… đã tổ chức") or its comma-separated
    parts reordered ("bồi dưỡng, tập huấn"). 0 when a word is missing, when fewer than half of the
    label's words are the choice's, or when an added word makes it another figure ("chưa", "tỷ lệ").
    Scored below an exact label (at most 95), so a closer indicator always wins."""
    words = form.split()
    if len(choice) < CONTAINED_MIN_WORDS or len(choice) * 2 < len(words):
        return 0.0
    rest = list(words)
    for w in choice:
        if w not in rest:
            return 0.0
        rest.remove(w)
    if rest and (_another_figure(form, " ".join(choice)) or
                 any(f" {p} " in f" {' '.join(rest)} " for p in vocabulary.words("child_prefix"))):
        return 0.0
    return CONTAINED_BASE + 15.0 * len(choice) / len(words)


def _another_figure(form: str, choice: str) -> bool:
    """`form` holds a word that makes it another figure than `choice` ("chưa", "tỷ lệ")."""
    padded, own = f" {form} ", f" {choice} "
    return any(f" {e} " in padded and f" {e} " not in own for e in vocabulary.words("label_extra_not"))


def _without_remarks(text: str) -> str:
    r"""Each "(…)" replaced by a space: re.sub(r"\([^)]*\)", " ", text) in linear time (the regex
    rescans to the end from every "(" that no ")" follows: quadratic on "((((…")."""
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("(", pos)
        end = text.find(")", start + 1) if start >= 0 else -1
        if end < 0:             # no "(" left, or none closed: a later "(" is not closed either
            break
        out += (text[pos:start], " ")
        pos = end + 1
    out.append(text[pos:])
    return "".join(out)


def is_child(text: str) -> bool:
    """A "Trong đó: …" row (or a bulleted sub-row) that belongs to the indicator above it."""
    raw = text.strip()
    return fold(raw).startswith(vocabulary.words("child_prefix")) or raw[:1] in "-+–•*"


@dataclass(frozen=True)
class Match:
    indicator: str | None
    score: float
    scores: dict[str, float] = field(default_factory=dict, compare=False)


class Matcher:
    """Per-report lookup tables; build once with `matcher_for(report)`."""

    def __init__(self, report: Report):
        self.report = report
        self.codes = {i.code.lower(): i.code for i in report.indicators}
        self.choices: list[str] = []
        self.owner: list[str] = []
        for ind in report.indicators:
            for name in (ind.label, *ind.synonyms):
                for v in variants(name):
                    self.choices.append(v)
                    self.owner.append(ind.code)
        self.words = [tuple(c.split()) for c in self.choices]
        self.section = {i.code: _section_key(i.section) for i in report.indicators}
        self.sections = {s for s in self.section.values() if s}
        self.parent = _parents(report)
        self.whole = True  # every indicator of a form is a count (report-form.md)

    def code_in(self, texts: Sequence[str]) -> tuple[str | None, int, bool]:
        """(indicator code, column, ambiguous) for a code written in a cell of the row."""
        found: dict[str, int] = {}
        for col, text in enumerate(texts):
            low = text.strip().lower()
            if low in self.codes:
                found.setdefault(self.codes[low], col)
                continue
            for tok in _CODE_TOKEN.findall(low):
                if ("_" in tok or any(c.isdigit() for c in tok)) and tok in self.codes:
                    found.setdefault(self.codes[tok], col)
        if len(found) > 1:
            return None, -1, True
        return (next(iter(found.items())) + (False,)) if found else (None, -1, False)

    def label(self, text: str, section: str | None, parent: str | None) -> Match:
        """The indicator a label names, or Match(None) when nothing is good and clear enough."""
        forms = variants(text)
        scores, near = self._ratios(forms)
        for code, score in self._contained(forms, near, dict(scores)).items():
            scores[code] = max(scores[code], score)
        same = _equivalents(forms) - forms
        if same:            # "học sinh" for "trẻ em": only for a label that, as written, names no other
            other, _ = self._ratios(same)
            for code, score in other.items():
                if not any(c != code and s >= EQUIVALENT_BLOCK for c, s in scores.items()):
                    scores[code] = max(scores.get(code, 0.0), score - EQUIVALENT_PENALTY)
        if not scores:
            return Match(None, 0.0)
        child = is_child(text)
        adjusted = {c: s + self._context(c, section, parent, child) for c, s in scores.items()}
        ranked = sorted(adjusted.items(), key=lambda kv: kv[1], reverse=True)
        best, best_score = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if scores[best] < MIN_SCORE or best_score - runner < MARGIN:
            return Match(None, best_score, scores)
        return Match(best, best_score, scores)

    def _contained(self, forms: set[str], near: set[int], ratios: dict[str, float]) -> dict[str, float]:
        """The label with words added or its parts reordered ("…, đã tổ chức"), per indicator
        (`_contained` below), for one indicator only: not when another indicator's label is near
        as written, nor when the added words name another ("… và số trẻ em bị xâm hại"); of two
        indicators whose labels it holds, the one whose label holds the other's ("bị xâm hại tình
        dục" over "bị xâm hại"), else neither."""
        found: dict[str, tuple[float, tuple[str, ...]]] = {}
        for idx in near:
            code = self.owner[idx]
            if any(c != code and s >= CONTAINED_RIVAL for c, s in ratios.items()):
                continue    # the added words may be another indicator's ("… tham gia diễn đàn")
            for v in forms:
                score = _contained(self.words[idx], v)
                if score > found.get(code, (0.0, ()))[0] and not self._rest_names_another(self.words[idx], v, code):
                    found[code] = (score, self.words[idx])
        if not found:
            return {}
        holders: dict[str, list[tuple[str, ...]]] = {}    # every indicator a label of which it holds whole
        for v in forms:
            have = set(v.split())
            for words, owner in zip(self.words, self.owner):
                if len(words) >= CONTAINED_MIN_WORDS and have.issuperset(words):
                    holders.setdefault(owner, []).append(words)
        for code, (_, words) in found.items():
            holders.setdefault(code, []).append(words)
        if len(holders) > 1:
            holders = {c: ws for c, ws in holders.items()
                       if not all(any(o != c and set(w) < set(ow) for o, ows in holders.items() for ow in ows)
                                  for w in ws)}
        return {c: found[c][0] for c in holders if c in found} if len(holders) == 1 else {}

    def _rest_names_another(self, choice: tuple[str, ...], form: str, code: str) -> bool:
        rest = list(form.split())
        for w in choice:
            rest.remove(w)
        if len(rest) < 2:
            return False
        others = [c for c, o in zip(self.choices, self.owner) if o != code]
        hit = process.extractOne(" ".join(rest), others, scorer=fuzz.ratio, score_cutoff=CONTAINED_RIVAL)
        return hit is not None

    def _ratios(self, forms: set[str]) -> tuple[dict[str, float], set[int]]:
        """The best fuzzy ratio per indicator over the forms, and the choices that came near."""
        scores: dict[str, float] = {}
        near: set[int] = set()
        for v in forms:
            for choice, score, idx in process.extract(v, self.choices, scorer=fuzz.ratio, score_cutoff=60,
                                                      limit=None):
                if _another_figure(v, choice):
                    continue
                code = self.owner[idx]
                scores[code] = max(scores.get(code, 0.0), score)
                near.add(idx)
        return scores, near

    def _context(self, code: str, section: str | None, parent: str | None, child: bool) -> float:
        bonus = 0.0
        if section and self.section.get(code):
            bonus += 2.0 if self.section[code] == section else -2.0
        if code in self.parent and parent:
            bonus += 3.0 if self.parent[code] == parent else -6.0
        elif code in self.parent and not child:
            bonus -= 1.0
        return bonus

    def section_of(self, text: str) -> str | None:
        key = _section_key(text)
        if not key:
            return None
        hit = process.extractOne(key, self.sections, scorer=fuzz.ratio, score_cutoff=92)
        return hit[0] if hit else None


def _section_key(text: str) -> str:
    return clean(text)


def _parents(report: Report) -> dict[str, str]:
    """"Trong đó: …" indicators -> the indicator above them in the form."""
    parents, last = {}, None
    for ind in report.indicators:
        if fold(ind.label).startswith(vocabulary.words("child_prefix")):
            if last:
                parents[ind.code] = last
        else:
            last = ind.code
    return parents


def matcher_for(report: Report) -> Matcher:
    return _matcher(report, vocabulary.active())


@functools.lru_cache(maxsize=16)
def _matcher(report: Report, v: Vocabulary) -> Matcher:  # noqa: ARG001 - the vocabulary keys the cache
    return Matcher(report)


# ---------------------------------------------------------------- headers

@dataclass(frozen=True)
class Header:
    value_cols: tuple[int, ...]     # the columns named like the figures, best-named first
    skip_cols: frozenset[int]       # STT, code, unit, note columns: never the figures


def _starts(text: str, phrases: Iterable[str], max_words: int) -> bool:
    return len(text.split()) <= max_words and any(text == p or text.startswith(p + " ") for p in phrases)


# Figures that are not this period's result: a plan, last year's, a rate, an estimate, a change.
_NOT_THE_FIGURE = vocabulary.regex(lambda v: rf"\b{v.any('figure_other', 'figure_other_cell')}\b")
# Headers naming the period itself ("6 tháng đầu năm 2024", "Kỳ này"): the figure when nothing better says so.
_PERIOD_HEADER = vocabulary.regex(lambda v: rf"\b{v.any('period_column', 'period_label')}\b|"
                                            rf"\b{v.any('year_word')} 20\d\d\b")
_YEAR = re.compile(r"\b(20\d\d)\b")


def _value_priority(t: str) -> int | None:
    if "%" in t or _NOT_THE_FIGURE().search(fold(t)):
        return None
    t = fold(t)
    prio = [p for phrase, p in _value_headers(vocabulary.active())
            if t == phrase or (t.startswith(phrase + " ") and len(t.split()) <= 12)]
    if prio:
        return min(prio)
    return 2 if _PERIOD_HEADER().search(t) and len(t.split()) <= 10 else None


def header_of(texts: Sequence[str]) -> Header | None:
    """The table's header row: a figures column plus a label/code/STT/unit column. Columns of a
    plan, last year, a rate or an estimate are never the figures; of two period columns, the later
    year's is ("Cùng kỳ 2023 | 6 tháng 2024")."""
    v = vocabulary.active()
    folded = [fold(t) for t in texts]
    value: dict[int, int] = {}
    others, skip = 0, set()
    for col, t in enumerate(folded):
        if not t:
            continue
        if t in v.set("code_column", "other_column"):
            others += 1
            skip.add(col)
        elif _starts(t, v.words("label_column"), 5):
            others += 1
        else:
            prio = _value_priority(texts[col])
            if prio is not None:
                value[col] = prio
            elif "%" in texts[col] or _NOT_THE_FIGURE(v).search(t):
                skip.add(col)
    if not value or not others:
        return None
    best = min(value.values())
    cols = [c for c, p in sorted(value.items()) if p == best]
    if len(cols) > 1:   # a column per period ("6 tháng đầu năm 2024 | Cả năm 2024"): one period's
        keep, _ = periods.choose([periods.tag(texts[c]) for c in cols])
        if keep:
            cols = [cols[i] for i in sorted(keep)]
    years = {c: max(map(int, _YEAR.findall(folded[c])), default=0) for c in cols}
    if len(cols) > 1 and max(years.values()) > 0:
        cols = [c for c in cols if years[c] == max(years.values())]
    return Header(tuple(cols), frozenset(skip))


def merge_header_rows(top: Sequence[str], sub: Sequence[str]) -> list[str] | None:
    """A two-row header ("Kết quả thực hiện" merged over "Cùng kỳ 2023 | 6 tháng 2024") read as one:
    each sub-header text joined to the top text above it, a merged (blank) top cell inheriting the
    text to its left. None when `sub` is not a header row (it holds numbers, or nothing)."""
    if not any(t.strip() for t in sub) or any(parse_number(t)[1] and parse_number(t)[0] is not None
                                             for t in sub if t.strip()):
        return None
    if not any(sub[c].strip() and (c >= len(top) or not top[c].strip()) for c in range(len(sub))):
        return None  # nothing under a merged (blank) top cell: an ordinary row, not a second header row
    out, carried = [], ""
    for col in range(max(len(top), len(sub))):
        above = top[col].strip() if col < len(top) else ""
        below = sub[col].strip() if col < len(sub) else ""
        if above:
            carried = above
        elif below:
            above = carried
        out.append(f"{above} {below}".strip() if below else above)
    return out


# ---------------------------------------------------------------- scanning

class HiddenRow(list):
    """A row the unit hid in the sheet: its figure counts only when no visible row gives one
    (a stale copy is often left hidden under the corrected row)."""


@dataclass(frozen=True)
class Candidate:
    indicator: str
    number: float | None
    raw: str
    source: str
    ok: bool
    method: str = "table"
    hidden: bool = False    # read from a hidden row


@dataclass(frozen=True)
class Scan:
    candidates: tuple[Candidate, ...]
    head: tuple[tuple[str, ...], ...]    # the first rows as text, for the stated unit and period
    warnings: tuple[str, ...]
    rows_read: int
    truncated: bool


@dataclass(frozen=True)
class _Hit:
    index: int
    cells: tuple[object, ...]
    indicator: str
    key_col: int            # the rightmost of the code and label cells
    hidden: bool = False


@dataclass
class _Segment:
    header: Header | None
    hits: list[_Hit] = field(default_factory=list)


def scan(rows: Iterable[Sequence[object]], report: Report, locate: Locate, *, method: str = "table",
         max_rows: int = 5000, stop_after_gap: int = 300, blank_is_value: bool = True) -> Scan:
    """Find the indicator rows of one grid. Reads at most `max_rows`; stops `stop_after_gap`
    rows after the last indicator row (the form is over; the rest of a big sheet is not read)."""
    m = matcher_for(report)
    segments = [_Segment(None)]
    head: list[tuple[str, ...]] = []
    warnings: list[str] = []
    section = parent = None
    last_hit, read, truncated = -1, 0, False
    header_texts: list[str] | None = None   # the header row just read: the next row may complete it
    for n, row in enumerate(rows):
        if n >= max_rows:
            truncated = True
            break
        if last_hit >= 0 and n - last_hit > stop_after_gap:
            break
        read = n + 1
        cells = tuple(row[:MAX_COLS])
        texts = [display(c) for c in cells]
        if n < HEAD_ROWS:
            head.append(tuple(texts))
        header = header_of(texts)
        if header:
            segments.append(_Segment(header))
            header_texts = texts
            continue
        if header_texts is not None:
            merged = merge_header_rows(header_texts, texts)
            header_texts = None
            if merged is not None and not m.code_in(texts)[0]:
                refined = header_of(merged)
                if refined:
                    segments[-1].header = refined
                    continue
        hit, section, parent = _match_row(m, n, cells, texts, section, parent, warnings, locate)
        if hit:
            if isinstance(row, HiddenRow):
                hit = replace(hit, hidden=True)
            segments[-1].hits.append(hit)
            last_hit = n
    candidates: list[Candidate] = []
    for seg in segments:
        candidates.extend(_emit(seg, m, locate, method, blank_is_value, warnings))
    return Scan(tuple(candidates), tuple(head), tuple(warnings), read, truncated)


def _match_row(m: Matcher, n: int, cells: tuple[object, ...], texts: list[str], section: str | None,
               parent: str | None, warnings: list[str], locate: Locate):
    """(hit or None, section, parent) for one row, updating the context the next rows see."""
    code, code_col, ambiguous = m.code_in(texts)
    if ambiguous:
        warnings.append(f"{locate(n, 0)}: several indicator codes in one row; row skipped")
        return None, section, parent
    best, label_col, unclear = Match(None, 0.0), -1, -1
    for col, text in enumerate(texts):
        if col != code_col and _labelish(cells[col], text):
            match = m.label(text, section, parent)
            if match.indicator and match.score > best.score:
                best, label_col = match, col
            elif match.indicator is None and max(match.scores.values(), default=0) >= MIN_SCORE:
                unclear = col
    indicator = code or best.indicator
    if code and best.indicator and best.indicator != code and best.scores.get(best.indicator, 0) >= 95 \
            and best.scores.get(code, 0) < 70:
        warnings.append(f"{locate(n, code_col)}: code {code} but the label reads as {best.indicator}; row skipped")
        return None, section, parent
    if not indicator:
        if unclear >= 0:
            warnings.append(f"{locate(n, unclear)}: label {texts[unclear]!r} is ambiguous; row skipped")
        new_section = _section_in(m, texts)
        return None, new_section or section, None if new_section else parent
    if indicator not in m.parent:
        parent = indicator
    key = max(code_col, label_col) if code else label_col
    return _Hit(n, cells, indicator, key), m.section.get(indicator) or section, parent


def _labelish(cell: object, text: str) -> bool:
    """Text that could be a label: not a bare figure ("12", "12 em"); "1.1. Số trẻ em …" is a label."""
    if isinstance(cell, (int, float)) or len(text) < 3 or len(text) > 300:
        return False
    number, ok = parse_number(text)
    return not (ok and number is not None) or sum(w.isalpha() for w in fold(text).split()) >= 2


def _section_in(m: Matcher, texts: Sequence[str]) -> str | None:
    for text in texts:
        if text and not text.strip().isdigit():
            hit = m.section_of(text)
            if hit:
                return hit
    return None


def _emit(seg: _Segment, m: Matcher, locate: Locate, method: str, blank_is_value: bool,
          warnings: list[str]) -> list[Candidate]:
    if not seg.hits:
        return []
    col = _value_column(seg, warnings, locate)
    if col is None:
        return []
    out = []
    for hit in seg.hits:
        cell = hit.cells[col] if col < len(hit.cells) and col > hit.key_col else None
        raw = display(cell)
        if not raw and not blank_is_value:
            continue
        number, ok = parse_number(cell, whole=m.whole)
        where = locate(hit.index, col)
        if not ok:
            warnings.append(f"{where}: {hit.indicator} = {raw!r} is not a number")
        out.append(Candidate(hit.indicator, number, raw, where, ok, method, hit.hidden))
    return out


def _value_column(seg: _Segment, warnings: list[str], locate: Locate) -> int | None:
    """The header's figures column; else the one column right of the labels that holds numbers."""
    skip = seg.header.skip_cols if seg.header else frozenset()
    allowed = seg.header.value_cols if seg.header else None
    if allowed and len(allowed) == 1:
        return allowed[0]
    counts: dict[int, int] = {}
    for hit in seg.hits:
        for col in range(hit.key_col + 1, len(hit.cells)):
            if col in skip or (allowed and col not in allowed):
                continue
            number, ok = parse_number(hit.cells[col])
            if ok and number is not None:
                counts[col] = counts.get(col, 0) + 1
    if not counts:
        return allowed[0] if allowed else None
    ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[1][1] * 2 >= ranked[0][1]:
        warnings.append(f"{locate(seg.hits[0].index, ranked[0][0])}: several columns hold numbers and "
                        "no header says which is the figure; table skipped")
        return None
    return ranked[0][0]


# ---------------------------------------------------------------- merging

def resolve(candidates: Iterable[Candidate]) -> tuple[list[Value], list[str]]:
    """One value per indicator. Two places that give different numbers -> neither, and a warning."""
    by_code: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_code.setdefault(c.indicator, []).append(c)
    values, warnings = [], []
    for code, cands in by_code.items():
        visible = [c for c in cands if not c.hidden]
        if visible and len(visible) < len(cands):   # a hidden row yields to a visible one
            cands = visible
        numbers = {c.number for c in cands if c.number is not None}
        if len(numbers) > 1:
            places = "; ".join(f"{c.source} = {c.raw!r}" for c in cands if c.number is not None)
            warnings.append(f"{code}: different figures in several places ({places}); none kept")
            continue
        if numbers:
            pick = next(c for c in cands if c.number is not None)
        else:
            pick = next((c for c in cands if c.raw), cands[0])
        values.append(Value(pick.indicator, pick.number, pick.raw, pick.source, pick.method))
    return values, warnings


def scan_all(grids: Iterable[tuple[Iterable[Sequence[object]], Locate]], report: Report,
             **kwargs: object) -> tuple[list[Value], list[str], list[Scan]]:
    """Scan several grids of one document and merge their values."""
    scans = [scan(rows, report, locate, **kwargs) for rows, locate in grids]  # type: ignore[arg-type]
    values, warnings = resolve(c for s in scans for c in s.candidates)
    return values, [w for s in scans for w in s.warnings] + warnings, scans
