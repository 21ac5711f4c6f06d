"""Legacy Vietnamese encodings (TCVN3/ABC and VNI) back to Unicode."""
from __future__ import annotations

import subprocess
import shutil
import unicodedata

import pytest

from parsers import legacy
from parsers.legacy import VIETNAMESE_LETTERS, convert, decode_bytes, detect_legacy, encode, fix

ALL_LETTERS = [ch for low in VIETNAMESE_LETTERS for ch in (low, low.upper())]
SENTENCE = "Báo cáo sơ kết 6 tháng công tác trẻ em của Trường THPT Đồng Xoài: người, được, đã, hỗ trợ"


def test_there_are_134_accented_letters():
    assert len(set(ALL_LETTERS)) == 134
    assert all(unicodedata.is_normalized("NFC", ch) for ch in ALL_LETTERS)


@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_vni_round_trip_every_letter(letter):
    code = encode(letter, "vni")
    assert code != letter or letter in "íìÍÌ"       # VNI keeps í and ì as they are
    assert convert(code, "vni") == letter
    assert convert(f"x{code}x", "vni") == f"x{letter}x"


@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_tcvn3_round_trip_every_letter(letter):
    code = encode(letter, "tcvn3")
    assert len(code) == 1 and "\xa0" < code <= "\xff"
    # Accented capitals only exist in the ".VnTimeH" fonts, which reuse the lowercase codes.
    assert convert(code, "tcvn3", uppercase=letter.isupper()) == letter


def test_tcvn3_table_agrees_with_glibc_iconv():
    if not shutil.which("iconv"):
        pytest.skip("iconv not installed")
    data = bytes(range(0xA1, 0x100))
    out = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=data, capture_output=True, check=True)
    expected = out.stdout.decode("utf-8")
    ours = convert(data.decode("latin-1"), "tcvn3")
    for byte, want, got in zip(data, expected, ours):
        if not 0xB0 <= byte <= 0xB4:           # TCVN 5712 combining marks: kept as ° ± ² ³ ´
            assert got == want, hex(byte)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_sentence_is_detected_and_fixed(encoding):
    legacy_text = encode(SENTENCE, encoding)
    assert legacy_text != SENTENCE
    assert detect_legacy(legacy_text) == encoding
    assert fix(legacy_text) == SENTENCE


def test_tcvn3_u_horn_is_the_soft_hyphen():
    assert encode("trường", "tcvn3") == "tr\xadêng"
    assert fix("tr\xadêng häc") == "trường học"


@pytest.mark.parametrize("text,font,expected", [
    ("Tæng sè", None, "Tổng số"),
    ("Toång soá hoïc sinh", None, "Tổng số học sinh"),
    ("tæng sè", ".VnTimeH", "TỔNG SỐ"),
    ("tæng sè", ".VnArialH", "TỔNG SỐ"),
    ("ubnd tØnh b×nh ph\xadíc", ".VnTimeH", "UBND TỈNH BÌNH PHƯỚC"),
    ("Tæng sè", ".VnTime", "Tổng số"),
    ("Toång soá", "VNI-Times", "Tổng số"),
    ("caùc", "VNI-Helve", "các"),
    ("plain ascii", ".VnTime", "plain ascii"),
    ("plain ascii", ".VnTimeH", "PLAIN ASCII"),
    # Unicode text is left alone, whatever the font says
    ("Tổng số học sinh", ".VnTime", "Tổng số học sinh"),
    ("Tổng số học sinh", None, "Tổng số học sinh"),
    ("Chè", None, "Chè"),
    ("Hoà bình", None, "Hoà bình"),
    ("© 2024 Sở GD", None, "© 2024 Sở GD"),
    ("Nhiệt độ 25°C", None, "Nhiệt độ 25°C"),
    ("25°C", None, "25°C"),
    ("1.250", ".VnTime", "1.250"),
    ("", ".VnTimeH", ""),
])
def test_fix(text, font, expected):
    assert fix(text, font) == expected


@pytest.mark.parametrize("font,encoding,capital", [
    (".VnTime", "tcvn3", False), (".VnTimeH", "tcvn3", True), (".VnArial NarrowH", "tcvn3", True),
    ("VNI-Times", "vni", False), ("VNI-Helve-Condense", "vni", False),
    ("Times New Roman", None, False), (None, None, False), ("", None, False),
])
def test_fonts(font, encoding, capital):
    assert legacy.legacy_font(font) == encoding
    assert legacy.is_capital_font(font) is capital


@pytest.mark.parametrize("data,expected", [
    (SENTENCE.encode("utf-8"), SENTENCE),
    (SENTENCE.encode("utf-16"), SENTENCE),
    (encode(SENTENCE, "tcvn3").encode("latin-1"), SENTENCE),
    (encode(SENTENCE, "vni").encode("latin-1"), SENTENCE),
    # Windows-1258 writes tones as combining marks: the result must be NFC
    ("Hoa\u0300 bi\u0300nh".encode("cp1258"), "Hoà bình"),
])
def test_decode_bytes(data, expected):
    assert decode_bytes(data) == expected


def test_unknown_encoding_is_an_error_of_the_caller():
    with pytest.raises(ValueError):
        convert("x", "viqr")
