"""Which period a sheet, a table or a column of figures is: one file may hold two.

Units send a workbook with a sheet per period ("6 tháng đầu năm 2024", "Năm 2024", or this
year's and last year's half-year), a table with a column per period ("6 tháng | Cả năm",
"Năm 2023 | Năm 2024", "Kỳ này | Cùng kỳ"), or two Word tables, each under its title. Reading
both and merging them mixes two periods (a blank in this period's sheet filled from last
year's). `tag` reads the period a name or title states; `choose` keeps the parts of one period:
the mail's (`parsers.depth.Reading.period`, decided from the mail before its files are read),
else the one the file's name states, else this period's by its words: not another period's
("cùng kỳ", "kế hoạch"), "kỳ này", the latest.

The words are parsers/words.toml's: semester1, semester2, annual, year_word, school_year,
this_period, other_period.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from parsers import depth, vocabulary
from parsers.text import fold
from store.domain import Period

_KIND_RANK = {"semester1": 1, "semester2": 2, "school_year": 2, "year": 3}

_SEMESTER2 = vocabulary.regex(lambda v: rf"\b{v.any('semester2')}\b")
_SEMESTER1 = vocabulary.regex(lambda v: rf"\b{v.any('semester1')}\b")
_ANNUAL = vocabulary.regex(lambda v: rf"\b{v.any('annual')}\b|\b{v.any('year_word')} 20\d\d\b")
_SCHOOL_YEAR = re.compile(r"\b(20\d\d) ?(20\d\d)\b")
_YEAR = re.compile(r"\b(20\d\d)\b")
_THIS = vocabulary.regex(lambda v: rf"\b{v.any('this_period')}\b")
_OTHER = vocabulary.regex(lambda v: rf"\b{v.any('other_period')}\b")


@dataclass(frozen=True)
class Tag:
    kind: str | None        # "semester1", "semester2", "year", "school_year", or None (only "kỳ này")
    year: int | None
    this: bool = False      # "kỳ này", "năm nay"
    other: bool = False     # another period's figures: "cùng kỳ", "năm trước", "kế hoạch"

    @property
    def key(self) -> tuple[str | None, int | None]:
        return self.kind, self.year

    def describe(self) -> str:
        return " ".join(str(p) for p in (self.kind, self.year) if p) or ("this period" if self.this else "?")


def tag(text: str | None) -> Tag | None:
    """The period a name or title states, or None when it states none."""
    t = fold(text or "")
    if not t:
        return None
    this, other = bool(_THIS().search(t)), bool(_OTHER().search(t))
    school = _SCHOOL_YEAR.search(t)
    kind: str | None
    year: int | None
    if school and int(school.group(2)) == int(school.group(1)) + 1:
        kind, year = "school_year", int(school.group(2))
    else:
        kind = ("semester2" if _SEMESTER2().search(t) else "semester1" if _SEMESTER1().search(t)
                else "year" if _ANNUAL().search(t) else None)
        years = [int(y) for y in _YEAR.findall(t)]
        year = max(years) if years else None
        if kind is None and year is not None and len(t.split()) <= 3:
            kind = "year"                      # a header "2024"
    if kind is None and not this and not other:
        return None
    return Tag(kind, year, this, other)


def matches(t: Tag, period: Period) -> bool:
    """The tag names this configured period (its kind and year; a tag without a year: its kind)."""
    kind = {"year": "year", "semester": "semester1" if period.id.endswith("1") else "semester2"}.get(period.kind)
    return t.kind == kind and (t.year is None or t.year == period.year) and not t.other


def target() -> Period | None:
    """The mail's period, when the intake decided it from the mail before reading the files."""
    return getattr(depth.current(), "period", None)


def choose(tags: Sequence[Tag | None], hint: Tag | None = None) -> tuple[set[int] | None, str]:
    """Of parts tagged with their periods, the indices to read (None: all, there is no choice
    to make) and why. Parts of one period only: the mail's period's, else the `hint`'s (the
    file name's), else this period's by its words."""
    named = {i: t for i, t in enumerate(tags) if t is not None}
    keys = {t.key for t in named.values() if not t.other}
    if len(tags) < 2 or (not any(t.other for t in named.values()) and len(keys) < 2):
        return None, ""
    if not keys:        # only other periods' parts are named: the unnamed ones are this period's
        unnamed = {i for i in range(len(tags)) if i not in named}
        return (unnamed, "the parts that name no other period") if unnamed else (None, "")
    period = target()
    if period is not None:
        keep = {i for i, t in named.items() if matches(t, period)}
        if keep:
            return keep, f"the mail's period ({period.label})"
    if hint is not None and hint.kind and not hint.other:
        keep = {i for i, t in named.items() if not t.other and t.kind == hint.kind
                and (hint.year is None or t.year == hint.year)}
        if keep:
            return keep, f"the period the file's name states ({hint.describe()})"
    mine = {i: t for i, t in named.items() if not t.other}
    this = {i for i, t in mine.items() if t.this}
    if this and len({mine[i].key for i in this}) == 1:
        return this, "this period's (\"kỳ này\")"
    latest = max(mine.values(), key=lambda t: (t.year or 0, _KIND_RANK.get(t.kind or "", 0)))
    return {i for i, t in mine.items() if t.key == latest.key}, f"the latest period ({latest.describe()})"


def is_title(text: str) -> bool:
    """A line that may be a table's title ("Biểu 2. Số liệu cả năm 2024"), not prose or a
    preamble ("Thực hiện Kế hoạch số …")."""
    t = fold(text)
    return 0 < len(t.split()) <= TITLE_WORDS and not t.startswith(vocabulary.words("preamble"))


TITLE_WORDS = 16


def of_part(name: str | None, head: Sequence[Sequence[str]] = ()) -> Tag | None:
    """A sheet's or a table's period: its name's, else the one its first rows state."""
    from parsers import narrative
    t = tag(name)
    if t is None and head:
        t = tag(narrative.stated(head)[1])
    return t


def one_period(parts: Sequence[tuple[str, Tag | None, bool]], filename: str,
               warnings: list[str]) -> set[int] | None:
    """Of a file's parts (name, period tag, has figures), the indices to read, None for all; a
    warning says which were read and which left, for the figures' provenance."""
    with_figures = [i for i, (_, _, has) in enumerate(parts) if has]
    keep, why = choose([parts[i][1] for i in with_figures], hint=tag(filename))
    if keep is None:
        return None
    chosen = {with_figures[k] for k in keep}
    left = [i for i in with_figures if i not in chosen]
    read = ", ".join(f"{parts[i][0]!r}" for i in sorted(chosen)) or "none"
    warnings.append(f"two periods in one file: read {read}, {why}; not read: "
                    + ", ".join(f"{parts[i][0]!r} ({_described(parts[i][1])})" for i in left))
    return chosen


def _described(tag: "Tag | None") -> str:
    return tag.describe() if tag is not None else "no period"
