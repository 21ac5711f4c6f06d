"""Text folding used by every matcher: Vietnamese is written with and without diacritics,
in any case, with NFC or NFD composition, so comparisons happen on a folded form."""
from __future__ import annotations

import functools
import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Every combining mark (what `unicodedata.combining` says is one: all lie in U+0300..U+1EFFF, a
# test checks), deleted by one `str.translate`.
COMBINING_RANGE = range(0x300, 0x1F000)


class _Marks(dict):
    """The `str.translate` table deleting combining marks, filled as code points are met: each is
    asked of `unicodedata` once. Scanning the whole range up front cost ~7 ms of every command's
    start-up, for the few hundred code points Vietnamese text ever holds. Outside the range
    nothing is kept (a code point `translate` cannot find stays as it is), so the table never
    grows past the range whatever a hostile text holds."""

    def __missing__(self, cp: int) -> int | None:
        if cp not in COMBINING_RANGE:
            raise LookupError(cp)
        value = None if unicodedata.combining(chr(cp)) else cp
        self[cp] = value
        return value


_COMBINING = _Marks()
_DD = str.maketrans({"đ": "d", "Đ": "D"})


def strip_diacritics(text: str) -> str:
    """'Đồng Xoài' -> 'Dong Xoai'. đ/Đ are letters of their own, not d + a mark, so NFD misses them."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFD", text.translate(_DD)).translate(_COMBINING)


def fold(text: str | None) -> str:
    """Lower-case, diacritics removed, every run of non-alphanumerics one space, trimmed."""
    if not text:
        return ""
    if len(text) > _CACHED_CHARS:
        return _fold(text)
    return _fold_cached(text)


def _fold(text: str) -> str:
    return _NON_ALNUM.sub(" ", strip_diacritics(text).lower()).strip()


# The table engine folds the same labels and headers many times over a sheet: short texts are
# remembered (a bounded cache; a long text is folded each time and not kept).
_CACHED_CHARS = 400
_fold_cached = functools.lru_cache(maxsize=50_000)(_fold)


def padded(text: str | None) -> str:
    """The folded text between spaces, so ' word ' finds whole words with a plain `in`."""
    return f" {fold(text)} "


def contains_phrase(folded_padded: str, phrase: str) -> bool:
    """Whole-word phrase search in a text already passed through `padded`."""
    p = fold(phrase)
    return bool(p) and f" {p} " in folded_padded


def _plain_table() -> dict[int, str]:
    table = {}
    for cp in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(cp)
        base = strip_diacritics(ch).lower()
        if len(base) == 1 and "a" <= base <= "z" and base != ch:
            table[cp] = base
    return table


_PLAIN = _plain_table()


def plain(text: str) -> str:
    """`text` with every Latin letter lower-case and without its diacritics, everything else as it
    is: 'Kỳ báo cáo:' -> 'ky bao cao:'. The same length, so a match in it is a match at the same
    place in `text` (which is NFC: a combining mark stays a character of its own)."""
    return text.lower() if text.isascii() else text.translate(_PLAIN)
