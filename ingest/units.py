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

from parsers import vocabulary
from parsers.text import fold
from parsers.vocabulary import Vocabulary
from store.domain import Unit

# The kinds of unit and the words between a kind and its place are parsers/words.toml's
# (unit_kind_*, district_word, commune_word); these patterns are built from them, for folded text.


def level(v: Vocabulary) -> str:
    """What may stand between a unit's kind and its place ("huyện", "thị xã", "xã" ...), optional."""
    return rf"(?:{v.any('district_word', 'commune_word')}\s+)?"


def families(v: Vocabulary) -> dict[str, str]:
    """Each family of unit kinds (in the vocabulary's order) -> the regex of every way people write it."""
    return v.memo("unit families", lambda: {k.name[len("unit_kind_"):]: v.unit_kind(k) for k in v.unit_kinds()})


# A name split into its kind and the rest: one group per family, tried in the families' order.
_SPLIT = vocabulary.regex(lambda v: "^(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in families(v).items())
                          + rf")\s+{level(v)}(?P<rest>.+)$")


@dataclass(frozen=True)
class UnitPattern:
    code: str
    family: str | None
    distinct: str          # folded distinctive part, "" when the name has no known prefix
    regexes: tuple[re.Pattern[str], ...]


def split_name(name: str, v: Vocabulary | None = None) -> tuple[str | None, str]:
    """'Trường THPT chuyên Quang Trung' -> ('thpt', 'chuyen quang trung')."""
    folded = fold(name)
    m = _SPLIT(v).match(folded)
    if m:
        family = next(k for k, val in m.groupdict().items() if val is not None and k != "rest")
        return family, m.group("rest").strip()
    return None, folded


def _pattern(unit: Unit, taken: frozenset[tuple[str | None, str]], v: Vocabulary) -> UnitPattern:
    kinds, between = families(v), level(v)
    family, distinct = split_name(unit.name, v)
    regexes = []
    phrases = {fold(unit.name)} | {fold(a) for a in unit.aliases}
    for phrase in sorted(p for p in phrases if p):
        regexes.append(re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])"))
    if family and distinct:
        variants = {distinct}
        bare = next((distinct[len(w) + 1:] for w in v.words("specialised_word") if distinct.startswith(w + " ")), "")
        if bare and (family, bare) not in taken:  # "THPT Quang Trung" is the chuyên school unless another has that name
            variants.add(bare)
        body = "|".join(re.escape(x).replace(r"\ ", r"\s*") for x in sorted(variants, key=len, reverse=True))
        regexes.append(re.compile(rf"(?<![a-z0-9]){kinds[family]}\s*{between}(?:{body})(?![a-z0-9])"))
    if family == "pgd" and distinct:  # "UBND huyện Lộc Ninh - Phòng GDĐT": the place before the office
        place = re.escape(distinct).replace(r"\ ", r"\s*")
        regexes.append(re.compile(rf"(?<![a-z0-9])(?:{v.any('authority_word')}\s+)?{v.any('district_word')}\s+"
                                  rf"{place}\s+{kinds['pgd']}(?![a-z0-9])"))
    for alias in unit.aliases:
        fam, rest = split_name(alias, v)
        if fam and rest and rest != distinct:
            rest_rx = re.escape(rest).replace(r"\ ", r"\s*")
            regexes.append(re.compile(rf"(?<![a-z0-9]){kinds[fam]}\s*{between}{rest_rx}(?![a-z0-9])"))
    return UnitPattern(unit.code, family, distinct, tuple(regexes))


def patterns(units: tuple[Unit, ...], v: Vocabulary | None = None) -> tuple[UnitPattern, ...]:
    """Every unit's patterns (with the active vocabulary unless `v` is given)."""
    return _patterns(units, v or vocabulary.active())


@lru_cache(maxsize=8)
def _patterns(units: tuple[Unit, ...], v: Vocabulary) -> tuple[UnitPattern, ...]:
    taken = frozenset(split_name(u.name, v) for u in units)
    return tuple(_pattern(u, taken, v) for u in units)


def find_units(text: str, units: tuple[Unit, ...], v: Vocabulary | None = None) -> dict[str, int]:
    """Units named in `text` with how many times (longest mention wins where two overlap:
    "THPT chuyên Bình Long" is not also "THPT Bình Long")."""
    folded = fold(text)
    if not folded:
        return {}
    spans: list[tuple[int, int, str]] = []
    for pat in patterns(units, v):
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


# "Trường <a school's kind> <a name>": a school named in full, known or not.
_EXPLICIT_SCHOOL = vocabulary.regex(lambda v: (
    rf"(?<![a-z0-9]){v.any('school_word')}\s+"
    "(?:" + "|".join(v.unit_kind(k, school="none") for k in v.unit_kinds() if k.school) + ")"
    rf"\s+(?!{v.any('number_word')}\b)[a-z]+(?:\s+[a-z]+){{0,3}}"))


def unknown_school(text: str, v: Vocabulary | None = None) -> str | None:
    """A school named with "Trường …" (the unit's full name), for telling "not in the units file"
    apart from "not named"; the caller checks first that no known unit matched."""
    m = _EXPLICIT_SCHOOL(v).search(fold(text))
    return m.group(0) if m else None
