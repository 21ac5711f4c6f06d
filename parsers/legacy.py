"""Vietnamese text written in the legacy TCVN3 (ABC) and VNI encodings, back to Unicode NFC.

Before Unicode, Vietnamese offices typed with 8-bit fonts: TCVN3 (".VnTime", ".VnArial", ...,
one byte per letter) and VNI ("VNI-Times", ..., a base letter followed by a byte for its marks).
Word, Excel and mail clients store those bytes as the cp1252/latin-1 characters they look like
("Tæng sè" is "Tổng số" in TCVN3, "Toång soá" in VNI), so the tables here map from characters.

Traps this module handles:
- TCVN3 "ư" is byte 0xAD, the soft hyphen, which text cleaners strip: call `fix` first.
- ".VnTimeH", ".VnArialH" (fonts ending in "H") draw CAPITALS for the lowercase codes, and
  TCVN3 has no code for most accented capitals: only the run's font name tells the case.

Use from the docx/xlsx/xls parsers, per run or cell, before any other cleaning:

    from parsers import legacy
    text = legacy.fix(run.text, font=run.font.name)     # identity for normal Unicode text

`fix(text)` without a font guesses from the characters (used for .doc text and text files);
`convert(text, "tcvn3" | "vni", uppercase=...)` converts when the encoding is known;
`decode_bytes(data)` turns the bytes of a text file into clean Unicode.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
import unicodedata

# ---------------------------------------------------------------- TCVN3 (ABC, VN3)

_TCVN3_LOWER = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
# TCVN 5712 "VN1" puts some capitals in the gaps of the table above (as glibc's TCVN5712-1).
# 0x80-0x9F are left alone: there cp1252 holds the curly quotes and dashes Word inserts.
_TCVN3_CAPS_VN1 = {
    0xAF: "Ằ", 0xBA: "Ẳ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ",
    0xC5: "Ề", 0xCD: "Ể", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xE0: "Ổ", 0xF0: "Ỗ", 0xFF: "Ố",
}
TCVN3_DECODE = {chr(b): u for b, u in {**_TCVN3_LOWER, **_TCVN3_CAPS_VN1}.items()}
_TCVN3_ENCODE = {u: chr(b) for b, u in _TCVN3_LOWER.items()}

# ---------------------------------------------------------------- VNI (VNI-Windows)

_VNI_TONE = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRC = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}
_TONES = "\u0301\u0300\u0309\u0303\u0323"

VIETNAMESE_LETTERS = tuple(
    unicodedata.normalize("NFC", base + shape + tone)
    for base, shapes in (("a", ("", "\u0306", "\u0302")), ("e", ("", "\u0302")), ("i", ("",)),
                         ("o", ("", "\u0302", "\u031b")), ("u", ("", "\u031b")), ("y", ("",)))
    for shape in shapes for tone in ("",) + tuple(_TONES)
    if shape or tone
) + ("đ",)
"""The 67 lowercase accented Vietnamese letters (with their capitals: the 134)."""


def _vni_encode_letter(ch: str) -> str:
    if ch in "đĐ":
        return "ñ" if ch == "đ" else "Ñ"
    upper = ch.isupper()
    nfd = unicodedata.normalize("NFD", ch.lower())
    base, marks = nfd[0], nfd[1:]
    tone = next((m for m in marks if m in _TONES), "")
    shape = next((m for m in marks if m not in _TONES), "")
    if base == "i" and tone:
        out = _VNI_I[tone]
    elif base == "y" and tone == "\u0323":
        out = "î"
    elif shape == "\u031b":
        out = ("ô" if base == "o" else "ö") + _VNI_TONE.get(tone, "")
    elif shape == "\u0302":
        out = base + _VNI_CIRC[tone]
    elif shape == "\u0306":
        out = base + _VNI_BREVE[tone]
    else:
        out = base + _VNI_TONE.get(tone, "")
    return out.upper() if upper else out


_VNI_ENCODE = {ch: _vni_encode_letter(ch) for low in VIETNAMESE_LETTERS for ch in (low, low.upper())}
VNI_DECODE = {code: ch for ch, code in _VNI_ENCODE.items()}
for _code, _ch in list(VNI_DECODE.items()):   # "Aù" as well as "AÙ": keyboards mixed mark case
    if len(_code) == 2:
        VNI_DECODE.setdefault(_code[0] + _code[1].swapcase(), _ch)
# One scan, pairs before single characters: "où" is "ó", which must not then be read as VNI "ó" (ĩ).
_VNI_TOKEN = re.compile("|".join([re.escape(k) for k in VNI_DECODE if len(k) == 2]
                                 + ["[" + "".join(k for k in VNI_DECODE if len(k) == 1) + "]"]))

# ---------------------------------------------------------------- conversion


def convert(text: str, encoding: str, uppercase: bool = False) -> str:
    """Legacy-encoded `text` ("tcvn3" or "vni") to Unicode NFC. `uppercase` for the TCVN3
    capital fonts (".VnTimeH"...), which draw every letter as a capital."""
    if encoding == "tcvn3":
        out = "".join(TCVN3_DECODE.get(ch, ch) for ch in text)
    elif encoding == "vni":
        out = _VNI_TOKEN.sub(lambda m: VNI_DECODE[m.group(0)], text)
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}")
    if uppercase:
        out = out.upper()
    return unicodedata.normalize("NFC", out)


def encode(text: str, encoding: str) -> str:
    """Unicode to the legacy characters (for tests and fixtures). TCVN3 writes accented capitals
    with the lowercase codes, as ABC users did with the ".VnTimeH" fonts."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "vni":
        return "".join(_VNI_ENCODE.get(ch, ch) for ch in text)
    if encoding == "tcvn3":
        return "".join(_TCVN3_ENCODE.get(ch) or _TCVN3_ENCODE.get(ch.lower(), ch) for ch in text)
    raise ValueError(f"unknown legacy encoding {encoding!r}")


# ---------------------------------------------------------------- detection

_VN_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_VN_BEYOND_LATIN1 = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9\u0300-\u0303\u0309\u0323]")
_TCVN3_ONLY = {chr(b) for b in range(0xA1, 0xBF) if not 0xB0 <= b <= 0xB4}
_VNI_WEIRD_PAIR = re.compile("|".join(re.escape(k) for k in VNI_DECODE if len(k) == 2 and k[1] not in _VN_LATIN1))
_WORD_CHARS = set(TCVN3_DECODE) | set(_VN_LATIN1)


def _is_weird(ch: str) -> bool:
    return "\x80" <= ch <= "\xff" and ch != "\xa0" and ch not in _VN_LATIN1


def _in_word(text: str, i: int) -> bool:
    return any(0 <= j < len(text) and (text[j].isalpha() or text[j] in _WORD_CHARS) for j in (i - 1, i + 1))


def _weird(text: str) -> int:
    """Characters Vietnamese Unicode text does not use, inside words."""
    return sum(1 for i, ch in enumerate(text) if _is_weird(ch) and _in_word(text, i))


def legacy_font(font: str | None) -> str | None:
    """"tcvn3" for the ABC fonts (".VnTime", ".VnArialH"...), "vni" for "VNI-Times"..., else None."""
    name = (font or "").strip().lower()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith("vni-") or name.startswith("vni "):
        return "vni"
    return None


def is_capital_font(font: str | None) -> bool:
    """The TCVN3 capital fonts end in "H": ".VnTimeH", ".VnArialH", ".VnCentury SchoolbookH"."""
    name = (font or "").strip()
    return legacy_font(name) == "tcvn3" and name.endswith("H")


def detect_legacy(text: str, font: str | None = None) -> str | None:
    """"tcvn3", "vni" or None (Unicode, or nothing to tell). A legacy font name decides alone,
    unless the text already holds Unicode Vietnamese; without a font the characters decide."""
    if _VN_BEYOND_LATIN1.search(text):
        return None
    by_font = legacy_font(font)
    if by_font:
        return by_font
    weird = _weird(text)
    tcvn_hits = sum(1 for i, ch in enumerate(text) if ch in _TCVN3_ONLY and _in_word(text, i))
    vni_hits = len(_VNI_WEIRD_PAIR.findall(text))
    if tcvn_hits or vni_hits:
        return "tcvn3" if tcvn_hits >= vni_hits else "vni"
    if weird:   # no character only one encoding has: the conversion that reads as Vietnamese
        fits = [(_untoned(out), enc) for enc in ("tcvn3", "vni")
                if _weird(out := convert(text, enc)) == 0]
        if fits:
            return min(fits)[1]
    return None


def _untoned(text: str) -> int:
    """Words with more than one tone mark: no Vietnamese syllable has two ("ủoự" is VNI "đó"
    read as TCVN3)."""
    bad = 0
    for word in text.split():
        marks = sum(1 for ch in unicodedata.normalize("NFD", word) if ch in _TONES)
        bad += marks > 1
    return bad


def fix(text: str, font: str | None = None) -> str:
    """Unicode NFC text: legacy-encoded text converted, normal Unicode returned unchanged."""
    if not text:
        return text
    encoding = detect_legacy(text, font)
    if encoding is None:
        return text
    out = convert(text, encoding, uppercase=is_capital_font(font))
    if encoding == "tcvn3" and not is_capital_font(font):
        out = _CAPITAL_WORD.sub(lambda m: m.group(0).upper(), out)
    return out


# A word in capitals typed without the capital font: TCVN3 has no code for most accented
# capitals, so "TRƯỜNG" comes out "TRƯờNG"; a word whose other letters are capitals is one.
_CAPITAL_WORD = re.compile(r"\b(?=\w*[A-Z]\w*[A-Z])(?!\w*[a-z])\w+")


def decode_bytes(data: bytes) -> str:
    """The bytes of a text file to Unicode NFC: BOM or UTF-8 first; otherwise legacy TCVN3/VNI
    bytes if they look like it, else Windows-1258 (Vietnamese Windows)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return unicodedata.normalize("NFC", data.decode(codec, "replace"))
    try:
        return fix(unicodedata.normalize("NFC", data.decode("utf-8")))
    except UnicodeDecodeError:
        pass
    as_latin = data.decode("latin-1").translate(_CP1252_FROM_LATIN1)
    if detect_legacy(as_latin):
        return fix(as_latin)
    return unicodedata.normalize("NFC", data.decode("cp1258", "replace"))


_CP1252_FROM_LATIN1 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
                       if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


# ---------------------------------------------------------------- cells and runs of documents

def fix_cell(value: object, font: str | None = None) -> object:
    """A spreadsheet cell's value with legacy text converted (`fix_text`); other values unchanged."""
    return fix_text(value, font) if isinstance(value, str) else value


def fix_text(text: str, font: str | None = None) -> str:
    """One cell or run of a document: converted when its font is a legacy one or its characters
    say so (`fix`). A cell whose runs were typed in two encodings (Unicode words beside TCVN3 or
    VNI ones, the runs' fonts lost) has its legacy words converted one by one: a word is legacy
    when it holds no Unicode Vietnamese letter and its characters tell an encoding."""
    if not text or text.isascii():
        return text
    fixed = fix(text, font)
    if fixed is not text or not _VN_BEYOND_LATIN1.search(text):
        return fixed
    if not any(_is_weird(ch) for ch in text):
        return text
    return _WORD.sub(_fix_word, text)


_WORD = re.compile(r"[^\s,;:()/]+")


def _fix_word(m: re.Match[str]) -> str:
    word = m.group(0)
    if word.isascii() or _VN_BEYOND_LATIN1.search(word):
        return word
    encoding = detect_legacy(word)
    return convert(word, encoding) if encoding else word


def fix_runs(runs: Iterable[tuple[str, str | None]]) -> str:
    """A paragraph's text from its runs, each (text, font name or None) converted on its own:
    a label may be typed partly in ".VnTime" and partly in a Unicode font."""
    return "".join(fix_text(text, font) for text, font in runs)
