"""Unicode Vietnamese -> the legacy 8-bit encodings units' old documents still use.

A legacy document stores one byte per code; inside a modern container (.xlsx, .docx, .xls with
Unicode strings) those bytes appear as the Windows-1252 characters of the same code, in a cell or
run whose font is ".VnTime" (TCVN3 / ABC) or "VNI-Times" (VNI Windows). These functions produce
exactly those strings, so a file looks as it does when a clerk pastes from an old template.

TCVN3 (TCVN 5712:1993, "ABC") has one code per lower-case letter with its marks, and upper-case
codes only for the seven letters without a tone (Ă Â Ê Ô Ơ Ư Đ). Capitals with a tone are typed
in the capitals font (".VnTimeH"), which draws the lower-case codes as capitals: `to_tcvn3` returns
the lower-case codes and the font to use.

VNI Windows writes a base letter followed by one mark character (two bytes for most letters).
"""
from __future__ import annotations

import unicodedata

GRAVE, ACUTE, HOOK, TILDE, DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
CIRC, BREVE, HORN = "\u0302", "\u0306", "\u031b"
TONES = ("", GRAVE, HOOK, TILDE, ACUTE, DOT)  # the order of the TCVN3 table

# base (with its shape mark) -> codes for: no tone, grave, hook, tilde, acute, dot
_TCVN3_LOWER = {
    "a": ("a", 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": ("e", 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": ("i", 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": ("o", 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": ("u", 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": ("y", 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_UPPER_PLAIN = {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}


def _split(ch: str) -> tuple[str, str, str]:
    """A letter -> (base letter with its shape mark, as one char; tone mark or ''; '' )."""
    d = unicodedata.normalize("NFD", ch)
    base, marks = d[0], d[1:]
    shape = "".join(m for m in marks if m in (CIRC, BREVE, HORN))
    tone = "".join(m for m in marks if m in TONES[1:])
    return unicodedata.normalize("NFC", base + shape), tone, ""


def _cp(code: int | str) -> str:
    return code if isinstance(code, str) else bytes([code]).decode("cp1252")


def _tcvn3_char(ch: str) -> str:
    if ch == "đ":
        return _cp(0xAE)
    if ch in _TCVN3_UPPER_PLAIN:
        return _cp(_TCVN3_UPPER_PLAIN[ch])
    if ord(ch) < 128:
        return ch
    base, tone, _ = _split(ch.lower())
    if base not in _TCVN3_LOWER:
        return ch
    return _cp(_TCVN3_LOWER[base][TONES.index(tone)])


def needs_caps_font(text: str) -> bool:
    """True when the text has a capital that TCVN3 can only draw with the capitals font."""
    for ch in text:
        if ch.isupper() and ord(ch) >= 128 and ch not in _TCVN3_UPPER_PLAIN:
            return True
    return False


def to_tcvn3(text: str) -> tuple[str, str]:
    """(the string as a TCVN3 document stores it, the font name it is shown in)."""
    if needs_caps_font(text):
        return "".join(_tcvn3_char(c) for c in text.lower()), ".VnTimeH"
    return "".join(_tcvn3_char(c) for c in text), ".VnTime"


# VNI Windows: marks after the base letter.
_VNI_TONE_PLAIN = {GRAVE: 0xF8, ACUTE: 0xF9, HOOK: 0xFB, TILDE: 0xF5, DOT: 0xEF}
_VNI_TONE_CIRC = {"": 0xE2, GRAVE: 0xE0, ACUTE: 0xE1, HOOK: 0xE5, TILDE: 0xE3, DOT: 0xE4}
_VNI_TONE_BREVE = {"": 0xEA, GRAVE: 0xE8, ACUTE: 0xE9, HOOK: 0xFA, TILDE: 0xFC, DOT: 0xEB}
_VNI_I = {GRAVE: 0xEC, ACUTE: 0xED, HOOK: 0xE6, TILDE: 0xF3, DOT: 0xF2}


def _vni_char(ch: str) -> str:
    if ord(ch) < 128:
        return ch
    upper = ch.isupper()
    low = ch.lower()
    if low == "đ":
        return _cp(0xD1 if upper else 0xF1)

    def mark(code: int) -> str:
        return _cp(code - 0x20 if upper else code)

    d = unicodedata.normalize("NFD", low)
    base, marks = d[0], d[1:]
    if base not in "aeiouy":
        return ch
    tone = "".join(m for m in marks if m in TONES[1:])
    b = base.upper() if upper else base
    if HORN in marks:  # ơ ư: one byte for the letter, then the plain tone
        letter = _cp((0xD4 if base == "o" else 0xD6) if upper else (0xF4 if base == "o" else 0xF6))
        return letter + (mark(_VNI_TONE_PLAIN[tone]) if tone else "")
    if CIRC in marks:
        return b + mark(_VNI_TONE_CIRC[tone])
    if BREVE in marks:
        return b + mark(_VNI_TONE_BREVE[tone])
    if base == "i" and tone:
        return mark(_VNI_I[tone])
    if base == "y" and tone == DOT:
        return mark(0xEE)
    return b + (mark(_VNI_TONE_PLAIN[tone]) if tone else "")


def to_vni(text: str) -> tuple[str, str]:
    """(the string as a VNI Windows document stores it, the font name)."""
    return "".join(_vni_char(c) for c in text), "VNI-Times"


def encode(text: str, kind: str | None) -> tuple[str, str | None]:
    if kind == "tcvn3":
        return to_tcvn3(text)
    if kind == "vni":
        return to_vni(text)
    return text, None


# Known strings, as printed in countless old documents: a check of the tables above.
_CHECKS_TCVN3 = {
    "Cộng hoà xã hội chủ nghĩa Việt Nam": "Céng hoµ x· héi chñ nghÜa ViÖt Nam",
    "Độc lập - Tự do - Hạnh phúc": "§éc lËp - Tù do - H¹nh phóc",
    "Sở Giáo dục và Đào tạo": "Së Gi¸o dôc vµ §µo t¹o",
    "bồi dưỡng số lượng trường": "båi d\xadìng sè l\xadîng tr\xadêng",
}
_CHECKS_VNI = {
    "Cộng hoà xã hội chủ nghĩa Việt Nam": "Coäng hoaø xaõ hoäi chuû nghóa Vieät Nam",
    "Độc lập - Tự do - Hạnh phúc": "Ñoäc laäp - Töï do - Haïnh phuùc",
    "Sở Giáo dục và Đào tạo": "Sôû Giaùo duïc vaø Ñaøo taïo",
    "Trường": "Tröôøng",
}


def self_check() -> None:
    for u, t in _CHECKS_TCVN3.items():
        got = to_tcvn3(u)[0]
        assert got == t, (u, got, t)
    for u, t in _CHECKS_VNI.items():
        got = to_vni(u)[0]
        assert got == t, (u, got, t)


self_check()
