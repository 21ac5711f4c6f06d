"""The recognition vocabulary: every word and phrase baocao looks for in mail and documents.

The words live in `parsers/words.toml`, one table per concept (report words, incident
categories, period words, column headers, unit kinds, subject prefixes...), stored folded
(`parsers.text.fold`) so that matching happens on folded text; this module loads the file once
and gives typed access:

- `Vocabulary.words(name)`: a table's entries (a tuple, in file order, a division's own after);
  `set(name)`, `pairs(name)`, `table(name)` (the whole record), `categories()`, `unit_kinds()`.
- `Vocabulary.any(*names)`: an alternation of the entries, escaped, for folded text; `raw(*names)`
  the same for `parsers.text.plain` text (letters without diacritics, the rest as written, at
  the same places), for labels and prefixes whose value or position is the written text's.
- `regex(build, flags)`: a pattern a module builds from the vocabulary, declared once at module
  level; calling it (`NAME()` or `NAME(vocabulary)`) gives the compiled pattern for the active or
  the given vocabulary. Every such pattern is in `registered()`, where the linearity test finds it.

A division extends the vocabulary without a code change: `Config.vocabulary` (the `[vocabulary]`
section, table name -> more entries) is merged in by `of(cfg)`, entries folded on the way; an
unknown table name is a `ConfigError` naming the nearest one. The command line makes the merged
vocabulary the process's `active()` one when it loads the configuration (`use(cfg)`), and
`parsers.isolate` hands the active extension to every worker process, so a parser or the MIME
decoder in a worker reads the same words as the process that started it. The classifier takes
the vocabulary from the configuration it is given.
"""
from __future__ import annotations

import difflib
import functools
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.text import fold
from store.errors import ConfigError

FILE = Path(__file__).with_name("words.toml")

# Placeholders a folded entry may hold, and what they match: a year of this century, a count.
PLACEHOLDERS = {"{year}": r"20\d\d", "{n}": r"\d{1,3}"}
_PLACEHOLDER = re.compile(r"(\{year\}|\{n\})")
FORMS = ("folded", "domain", "pairs")
TABLE_KEYS = ("entries", "form", "school", "tail")

Extension = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Table:
    """One table of words.toml, with a division's entries merged in."""
    name: str
    entries: tuple[str, ...]
    form: str = "folded"              # folded | domain (lower-case domain names) | pairs ("short: long")
    school: bool = False              # a unit kind that may follow the school word ("Trường THPT …")
    tail: tuple[str, ...] = ()        # a unit kind's optional words after it ("PT DTNT THCS và THPT")


# ---------------------------------------------------------------- folding entries

def fold_entry(entry: str) -> str:
    """An entry as matching sees it: folded, placeholders kept ("Năm {year}" -> "nam {year}")."""
    parts = [p if p in PLACEHOLDERS else fold(p) for p in _PLACEHOLDER.split(entry)]
    return " ".join(p for p in parts if p)


def _normal(table: str, form: str, entry: str) -> str:
    """A division's entry in the table's form; a ConfigError when nothing is left of it."""
    if form == "domain":
        value = entry.strip().lower().lstrip("@")
        if not value or any(c.isspace() for c in value) or "." not in value:
            raise ConfigError(f"vocabulary.{table}", f"{entry!r} is not a domain name")
        return value
    if form == "pairs":
        short, colon, long = entry.partition(":")
        short, long = fold_entry(short), fold_entry(long)
        if not colon or not short or not long:
            raise ConfigError(f"vocabulary.{table}", f"{entry!r} is not 'short: long'")
        return f"{short}: {long}"
    value = fold_entry(entry)
    if not value:
        raise ConfigError(f"vocabulary.{table}", f"{entry!r} has no letter or digit")
    return value


# ---------------------------------------------------------------- regex building

def _escaped(entry: str) -> str:
    """A folded entry as a regex for folded text: words escaped, placeholders expanded."""
    return "".join(PLACEHOLDERS.get(p) or re.escape(p) for p in _PLACEHOLDER.split(entry) if p)


# Between the words of an entry in `plain` text: what folding turns into one space (spaces,
# punctuation), except a colon, which ends a label.
RAW_SEPARATOR = r"[^0-9A-Za-z:\uff1a]+"


def _raw(entry: str) -> str:
    """A folded entry as a regex for `parsers.text.plain` text (letters without diacritics, all
    else as written): "don vi" -> don<separator>vi."""
    pieces: list[str] = []
    for part in _PLACEHOLDER.split(entry):
        if part in PLACEHOLDERS:
            pieces.append(PLACEHOLDERS[part])
        else:
            pieces.extend(re.escape(word) for word in part.split())
    return RAW_SEPARATOR.join(pieces)


def _alternation(entries: Iterable[str], convert: Callable[[str], str], ordered: bool) -> str:
    unique = list(dict.fromkeys(entries))
    if not ordered:   # the longest first: where one entry begins another, the longer is tried first
        unique.sort(key=len, reverse=True)
    return "(?:" + "|".join(convert(e) for e in unique) + ")" if unique else "(?!)"


# ---------------------------------------------------------------- the vocabulary

@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The tables of words.toml with an extension merged in. Built once per extension
    (`of`), so two configurations with the same `[vocabulary]` share one, and it can key caches."""
    tables: Mapping[str, Table]
    extension: Extension = ()
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no vocabulary table {name!r}") from None

    def words(self, *names: str) -> tuple[str, ...]:
        """The entries of one or more tables, in order, without repeats."""
        if len(names) == 1:
            return self.table(names[0]).entries
        return tuple(dict.fromkeys(e for n in names for e in self.table(n).entries))

    def set(self, *names: str) -> frozenset[str]:
        return self.memo(("set", names), lambda: frozenset(self.words(*names)))

    def pairs(self, name: str) -> dict[str, str]:
        """A pairs table as a mapping: "hs: hoc sinh" -> {"hs": "hoc sinh"}."""
        return self.memo(("pairs", name), lambda: dict(
            (a.strip(), b.strip()) for a, _, b in (e.partition(":") for e in self.words(name))))

    def categories(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(category, words) of the incident categories, in the file's order (the first match wins)."""
        return tuple((n[len("category_"):], t.entries) for n, t in self.tables.items() if n.startswith("category_"))

    def unit_kinds(self) -> tuple[Table, ...]:
        """The unit kind families ("unit_kind_thpt" ...), in the file's order (the first match wins)."""
        return tuple(t for n, t in self.tables.items() if n.startswith("unit_kind_"))

    def any(self, *names: str, ordered: bool = False) -> str:
        """A non-capturing alternation of the tables' entries, for folded text. The longest
        entry first unless `ordered` (then the file's order: the first entry that matches wins)."""
        return _alternation(self.words(*names), _escaped, ordered)

    def raw(self, *names: str) -> str:
        """The same alternation for `parsers.text.plain` text, where a match is at the same place
        as in the text as written: between words any run of spaces and punctuation but a colon."""
        return _alternation(self.words(*names), _raw, False)

    def unit_kind(self, kind: Table, school: str = "optional") -> str:
        """A unit kind's prefix for folded text: its names and optional tail ("… thcs va thpt"),
        for a school kind after the school word: `school` "optional", "required" or "none"."""
        rx = _alternation(kind.entries, _escaped, False)
        if kind.tail:
            rx += rf"(?:\s+{_alternation(kind.tail, _escaped, False)})?"
        if kind.school and school != "none":
            lead = rf"{self.any('school_word')}\s+"
            rx = f"{lead}{rx}" if school == "required" else f"(?:{lead})?{rx}"
        return f"(?:{rx})"

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """`make()`, computed once for this vocabulary (a derived table, a compiled pattern)."""
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = make()
            return value


def _tables(raw: Mapping[str, Any]) -> dict[str, Table]:
    tables = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("entries"), list):
            raise ValueError(f"{FILE.name}: [{name}] needs a list `entries`")
        unknown = set(spec) - set(TABLE_KEYS)
        if unknown:
            raise ValueError(f"{FILE.name}: [{name}] has unknown keys {sorted(unknown)}")
        form = spec.get("form", "folded")
        if form not in FORMS:
            raise ValueError(f"{FILE.name}: [{name}] form {form!r} is not one of {FORMS}")
        tables[name] = Table(name, tuple(spec["entries"]), form, bool(spec.get("school", False)),
                             tuple(spec.get("tail", ())))
    return tables


@functools.lru_cache(maxsize=1)
def _base_tables() -> dict[str, Table]:
    with FILE.open("rb") as f:
        return _tables(tomllib.load(f))


def _key(source: Any) -> Extension:
    """The extension of a Config (its `vocabulary`), a mapping, or an extension key, normalised."""
    if source is None:
        return ()
    mapping = getattr(source, "vocabulary", None)   # first: a Config is a named tuple
    if mapping is None:
        if isinstance(source, tuple):
            return source
        mapping = source
    if not isinstance(mapping, Mapping):
        raise TypeError(f"not a vocabulary extension: {type(source).__name__}")
    return tuple(sorted((str(k), tuple(v)) for k, v in mapping.items()))


@functools.lru_cache(maxsize=32)
def _build(key: Extension) -> Vocabulary:
    base = _base_tables()
    tables = dict(base)
    for name, entries in key:
        if name not in base:
            near = difflib.get_close_matches(name, list(base), n=1, cutoff=0.0)
            hint = f" (did you mean `{near[0]}`?)" if near else ""
            raise ConfigError(f"vocabulary.{name}", f"unknown vocabulary table{hint}")
        table = base[name]
        if not all(isinstance(e, str) for e in entries):
            raise ConfigError(f"vocabulary.{name}", "must be a list of strings")
        extra = tuple(_normal(name, table.form, e) for e in entries)
        tables[name] = Table(name, tuple(dict.fromkeys(table.entries + extra)), table.form, table.school, table.tail)
    return Vocabulary(tables, key)


def of(source: Any = None) -> Vocabulary:
    """The vocabulary with `source`'s extension merged in: a Config (its `[vocabulary]`), a
    mapping table name -> entries, or None for the shipped words alone."""
    return _build(_key(source))


def base() -> Vocabulary:
    return _build(())


_active: Vocabulary | None = None


def use(source: Any) -> Vocabulary:
    """Make `source`'s vocabulary (see `of`) the one this process and its workers read."""
    global _active
    _active = of(source)
    return _active


def active() -> Vocabulary:
    """The vocabulary of this process: the last `use`, else the shipped words."""
    return _active or base()


def words(*names: str) -> tuple[str, ...]:
    """The active vocabulary's entries of the tables."""
    return active().words(*names)


# ---------------------------------------------------------------- patterns built from the words

@dataclass(eq=False)
class Built:
    """A regex a module builds from the vocabulary. `built()` or `built(vocabulary)` gives it
    compiled for the active or the given vocabulary (compiled once per vocabulary)."""
    build: Callable[[Vocabulary], str]
    flags: int = 0
    where: str = ""

    def __call__(self, vocab: Vocabulary | None = None) -> re.Pattern[str]:
        v = vocab or active()
        return v.memo(("regex", id(self)), lambda: re.compile(self.build(v), self.flags))


_registry: list[Built] = []


def regex(build: Callable[[Vocabulary], str], flags: int = 0) -> Built:
    """Declare a pattern built from the vocabulary (at module level). It is compiled for the
    shipped words at once, so a mistake shows at import, and listed in `registered()`."""
    caller = sys._getframe(1).f_globals.get("__name__", "?")
    built = Built(build, flags, caller)
    _registry.append(built)
    built(base())
    return built


def registered() -> tuple[Built, ...]:
    """Every pattern declared with `regex`, by the modules imported so far."""
    return tuple(_registry)
