"""Recognising a reporting unit from what people write: "PGD Lộc Ninh", "Phòng GD&ĐT huyện Lộc
Ninh", "THPT chuyen Quang Trung", "TT GDNN-GDTX Bù Đăng"...

A unit's name is split into its kind prefix (the family of ways people abbreviate it) and its
distinctive part (usually a place or a person's name). A mention counts only when a prefix of the
unit's family stands right before the distinctive part: "Lộc Ninh" alone names three units.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from parsers.text import fold
from store.config import Unit

LEVEL = r"(?:(?:huyen|thi xa|thanh pho|tx|tp|h|thi tran|xa|phuong)\s+)?"
# Each family: (name of the family, regex of every way people write the prefix, folded).
FAMILIES: list[tuple[str, str]] = [
    ("pgd", r"(?:phong\s+(?:giao duc\s+(?:va\s+)?dao tao|giao duc|gd\s*(?:va\s+)?dt|gddt|gd\s+dt|gd)|"
            r"pgd\s*(?:va\s+)?dt|pgddt|pgd|phong\s+gd|p\s+gddt|p\s+gd\s*dt)"),
    ("ptdtnt", r"(?:(?:truong\s+)?(?:pt\s*dtnt|ptdtnt|pho thong dan toc noi tru|dtnt|dan toc noi tru)"
               r"(?:\s+(?:thcs\s+(?:va\s+)?thpt|thpt|thcs))?)"),
    ("thpt", r"(?:(?:truong\s+)?(?:thpt|trung hoc pho thong|th\s*pt|thcs\s+(?:va\s+)?thpt|th\s+thcs\s+(?:va\s+)?thpt))"),
    ("tt", r"(?:(?:trung tam|tt)\s*(?:gdnn\s*(?:va\s+)?gdtx|giao duc nghe nghiep\s*(?:va\s+)?"
           r"giao duc thuong xuyen|gdnn|gdtx|giao duc thuong xuyen|giao duc nghe nghiep)|ttgdnn\s*gdtx|ttgdtx|"
           r"ttgdnn|gdnn\s+gdtx)"),
    ("vhxh", r"(?:phong\s+(?:van hoa\s*(?:va\s+)?xa hoi|vh\s*xh|vhxh)|pvhxh)"),
    ("thcs", r"(?:(?:truong\s+)?(?:thcs|trung hoc co so))"),
    ("th", r"(?:(?:truong\s+)?(?:tieu hoc|th))"),
    ("mn", r"(?:(?:truong\s+)?(?:mam non|mau giao|mn|mg))"),
]
_FAMILY_RE = [(name, re.compile(rf"^{rx}\s+{LEVEL}(?P<rest>.+)$")) for name, rx in FAMILIES]
_FAMILY_RX = dict(FAMILIES)


@dataclass(frozen=True)
class UnitPattern:
    code: str
    family: str | None
    distinct: str          # folded distinctive part, "" when the name has no known prefix
    regexes: tuple[re.Pattern[str], ...]


def split_name(name: str) -> tuple[str | None, str]:
    """'Trường THPT chuyên Quang Trung' -> ('thpt', 'chuyen quang trung')."""
    folded = fold(name)
    for family, rx in _FAMILY_RE:
        m = rx.match(folded)
        if m:
            return family, m.group("rest").strip()
    return None, folded


def _pattern(unit: Unit, taken: frozenset[tuple[str | None, str]]) -> UnitPattern:
    family, distinct = split_name(unit.name)
    regexes = []
    phrases = {fold(unit.name)} | {fold(a) for a in unit.aliases}
    for phrase in sorted(p for p in phrases if p):
        regexes.append(re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])"))
    if family and distinct:
        variants = {distinct}
        bare = distinct[len("chuyen "):] if distinct.startswith("chuyen ") else ""
        if bare and (family, bare) not in taken:  # "THPT Quang Trung" is the chuyên school unless another has that name
            variants.add(bare)
        body = "|".join(re.escape(v).replace(r"\ ", r"\s*") for v in sorted(variants, key=len, reverse=True))
        regexes.append(re.compile(rf"(?<![a-z0-9]){_FAMILY_RX[family]}\s*{LEVEL}(?:{body})(?![a-z0-9])"))
    if family == "pgd" and distinct:  # "UBND huyện Lộc Ninh - Phòng GDĐT": the place before the office
        place = re.escape(distinct).replace(r"\ ", r"\s*")
        regexes.append(re.compile(rf"(?<![a-z0-9])(?:ubnd\s+)?(?:huyen|thi xa|thanh pho|tx|tp)\s+{place}\s+"
                                  rf"{_FAMILY_RX['pgd']}(?![a-z0-9])"))
    for alias in unit.aliases:
        fam, rest = split_name(alias)
        if fam and rest and rest != distinct:
            rest_rx = re.escape(rest).replace(r"\ ", r"\s*")
            regexes.append(re.compile(rf"(?<![a-z0-9]){_FAMILY_RX[fam]}\s*{LEVEL}{rest_rx}(?![a-z0-9])"))
    return UnitPattern(unit.code, family, distinct, tuple(regexes))


@lru_cache(maxsize=8)
def patterns(units: tuple[Unit, ...]) -> tuple[UnitPattern, ...]:
    taken = frozenset(split_name(u.name) for u in units)
    return tuple(_pattern(u, taken) for u in units)


def find_units(text: str, units: tuple[Unit, ...]) -> dict[str, int]:
    """Units named in `text` with how many times (longest mention wins where two overlap:
    "THPT chuyên Bình Long" is not also "THPT Bình Long")."""
    folded = fold(text)
    if not folded:
        return {}
    spans: list[tuple[int, int, str]] = []
    for pat in patterns(units):
        for rx in pat.regexes:
            for m in rx.finditer(folded):
                spans.append((m.start(), m.end(), pat.code))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    counts: dict[str, int] = {}
    # The characters of the mentions counted so far, marked 1: comparing each mention with a list
    # of the counted ones was quadratic in a text naming a unit many times.
    taken = bytearray(len(folded))
    for start, end, code in sorted(spans, key=lambda s: -(s[1] - s[0])):
        if taken.find(1, start, end) >= 0:
            continue
        taken[start:end] = b"\x01" * (end - start)
        counts[code] = counts.get(code, 0) + 1
    return counts


def single(counts: dict[str, int], dominant: bool = False) -> str | None:
    """The one unit named, or with `dominant` the unit named strictly most often."""
    if len(counts) == 1:
        return next(iter(counts))
    if dominant and counts:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if ranked[0][1] > ranked[1][1]:
            return ranked[0][0]
    return None


_EXPLICIT_SCHOOL = re.compile(r"(?<![a-z0-9])truong\s+(?:thcs|tieu hoc|mam non|mau giao|thpt|th|ptdtnt|pt dtnt)"
                              r"(?:\s+(?:va|&)\s+thpt)?\s+(?!so\b)[a-z]+(?:\s+[a-z]+){0,3}")


def unknown_school(text: str) -> str | None:
    """A school named with "Trường …" (the unit's full name), for telling "not in the units file"
    apart from "not named"; the caller checks first that no known unit matched."""
    m = _EXPLICIT_SCHOOL.search(fold(text))
    return m.group(0) if m else None
