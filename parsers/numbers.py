"""Reading a figure the way Vietnamese units write it.

Pure functions, no I/O. The rules (see tests/test_numbers.py for the full table):

- Excel numbers come through as int/float and are used directly; an integral float is an int
  (1234.0 -> 1234). Booleans, dates and NaN are not figures.
- "3.250" = 3250 and "1.234.567" = 1234567: a dot followed by groups of exactly three digits is
  the Vietnamese thousands separator. A single dot followed by 1-2 or 4+ digits ("1.5") is read
  as a decimal point, the way it was typed on an English keyboard.
- "2,5" = 2.5: the comma is the Vietnamese decimal separator. "1.234,5" = 1234.5, "1,234.5" =
  1234.5 (the last separator is the decimal one).
- "1,234" is ambiguous (Vietnamese 1.234 or English 1234). Decision: when the indicator is a
  whole-number count (`whole=True`, every indicator of the shipped form), a single comma followed
  by exactly three digits is an English thousands separator -> 1234, because 1.234 children is
  not a possible count; otherwise it is the decimal 1.234. "1,234,567" is always 1234567.
- "12 em", "12 (em)", "3 vụ." keep the number when the rest of the cell has no digit; "5 nam, 3
  nữ", "12/15", "12%" or "khoảng 12" are not one figure -> (None, False).
- "0", "-", "–", "không", "không có" (the zero_word table of parsers/words.toml; any case, with or
  without diacritics) = 0.
- blank / None / "" / a row of dots (the form's placeholder) = None, ok: not reported.
- anything else ("x", "?", "chưa thống kê") = (None, False): the caller keeps the raw text and
  warns. Negative or fractional counts are returned as written; validation flags them.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from parsers import vocabulary
from parsers.text import fold

Number = int | float

_DASHES = frozenset("-–—‐‑−")
_BLANK = re.compile(r"^[\s.…_·]*$")
_LEADING = re.compile(r"^([+\-−]?)\s*(\d(?:[\d.,\u00a0 ]*\d)?)(.*)$", re.S)


MAX_TOKEN = 40      # characters of one figure as written: 16 digits with separators and decimals fit
MAX_FIGURE = 1e15   # no unit counts a quadrillion of anything: past it, a hostile file's digits


def parse_number(value: object, whole: bool = True) -> tuple[Number | None, bool]:
    """(number, ok). ok=False means "something was written but it is not a figure"
    (also a "number" too large to be a count, or not finite)."""
    number, ok = _parse_number(value, whole)
    if number is not None and not (abs(number) < MAX_FIGURE and math.isfinite(number)):
        return None, False
    return number, ok


def _parse_number(value: object, whole: bool = True) -> tuple[Number | None, bool]:
    if value is None:
        return None, True
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return None, False
    if isinstance(value, int):
        return value, True
    if isinstance(value, float):
        return _from_float(value)
    if not isinstance(value, str):
        return None, False
    return _from_text(value, whole)


def _from_float(value: float) -> tuple[Number | None, bool]:
    if math.isnan(value) or math.isinf(value):
        return None, False
    return (int(value), True) if value.is_integer() else (value, True)


def _from_text(text: str, whole: bool) -> tuple[Number | None, bool]:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip()
    if _BLANK.match(text):
        return None, True
    if all(ch in _DASHES or ch.isspace() for ch in text):
        return 0, True
    if fold(text) in vocabulary.active().set("zero_word"):
        return 0, True
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()
    m = _LEADING.match(text)
    if not m:
        return None, False
    sign, token, rest = m.groups()
    if not _suffix_ok(rest):
        return None, False
    number = token_value(token.rstrip(".,"), whole)
    if number is None:
        return None, False
    return (-number if sign in ("-", "−") else number), True


def _suffix_ok(rest: str) -> bool:
    """A unit word after the figure is fine ("12 em", "12 (em)"); another figure or a ratio is not."""
    rest = rest.strip()
    if not rest:
        return True
    if rest[0] in "%/:=+*×‰" or rest.startswith((".", ",")) and any(c.isdigit() for c in rest):
        return False
    return not any(ch.isdigit() for ch in rest)


def token_value(token: str, whole: bool = True) -> Number | None:
    """The value of a bare digit token with Vietnamese/English separators, or None if malformed."""
    token = token.replace("\u00a0", " ").strip()
    if len(token) > MAX_TOKEN:   # far past MAX_FIGURE, and int() refuses more than 4,300 digits
        return None
    if " " in token:
        return int(token.replace(" ", "")) if re.fullmatch(r"\d{1,3}( \d{3})+", token) else None
    dots, commas = token.count("."), token.count(",")
    if not dots and not commas:
        return int(token)
    if dots and commas:
        return _mixed(token)
    if dots:
        if re.fullmatch(r"[1-9]\d{0,2}(\.\d{3})+", token):
            return int(token.replace(".", ""))
        return _plain_float(token) if dots == 1 else None
    if commas > 1:
        return int(token.replace(",", "")) if re.fullmatch(r"[1-9]\d{0,2}(,\d{3})+", token) else None
    if whole and re.fullmatch(r"[1-9]\d{0,2},\d{3}", token):
        return int(token.replace(",", ""))
    return _plain_float(token.replace(",", "."))


def _mixed(token: str) -> Number | None:
    """Both separators: the last one is the decimal point, the other groups thousands."""
    if token.rfind(",") > token.rfind("."):
        thousands, decimal = ".", ","
    else:
        thousands, decimal = ",", "."
    head, _, tail = token.rpartition(decimal)
    if decimal in head or not re.fullmatch(rf"[1-9]\d{{0,2}}(\{thousands}\d{{3}})+", head) or not tail.isdigit():
        return None
    return _plain_float(head.replace(thousands, "") + "." + tail)


def _plain_float(text: str) -> Number | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def display(value: object) -> str:
    """The raw text of a cell as a person would read it: 1234.0 -> "1234", None -> ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour or value.minute) else value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(value)).strip()
