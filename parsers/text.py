"""Text folding used by every matcher: Vietnamese is written with and without diacritics,
in any case, with NFC or NFD composition, so comparisons happen on a folded form."""
from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """'Đồng Xoài' -> 'Dong Xoai'. đ/Đ are letters of their own, not d + a mark, so NFD misses them."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str | None) -> str:
    """Lower-case, diacritics removed, every run of non-alphanumerics one space, trimmed."""
    if not text:
        return ""
    return _NON_ALNUM.sub(" ", strip_diacritics(text).lower()).strip()


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
