"""Properties of the pure text functions every reader relies on, checked with hypothesis.

- `parsers.numbers.parse_number`: never raises on text; gives None or a finite number below
  `MAX_FIGURE`; figures written the Vietnamese way (dots between thousands, comma before decimals,
  spaces between thousands, a unit word after) read back as the number written; the words and
  signs the data contract reads as zero ("0", "-", "không", "không có", ...) are 0 in any case,
  composition and spacing; blanks and rows of dots are "not reported".
- `parsers.text.fold`: idempotent, only `[0-9a-z ]` with single inner spaces, the same for NFC
  and NFD input, the same in upper and lower case for Vietnamese text, and every Vietnamese
  letter folds to one ASCII letter.
- RFC 2047 (`parsers.headers`): text encoded by the standard library (`email.header.Header`,
  B and Q, in UTF-8, Windows-1258 and ISO-8859-1 where the text is encodable) decodes back to
  the same text; the decoders never raise, and `decode_header_value` always gives valid UTF-8.

A new pure function that readers share joins by getting its properties here: what its
docstring promises, over the inputs it is promised for. Time is not measured here
(tests/test_regex_linear.py does that).
"""
from __future__ import annotations

import math
import string
import unicodedata
from email import policy
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import EmailMessage

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from parsers.headers import decode_header_value, decode_rfc2047, read_headers
from parsers.numbers import MAX_FIGURE, parse_number
from parsers.text import fold
from tests.contracts import properties

# ---------------------------------------------------------------- alphabets

VN_LOWER = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvx"
            "yỳýỷỹỵ")
VN_LETTERS = VN_LOWER + VN_LOWER.upper() + "fjwzFJWZ"
# Vietnamese text as people type it: letters, digits, ASCII punctuation, spaces.
VN_TEXT_CHARS = VN_LETTERS + string.digits + string.punctuation + " "
# ... and what else turns up in subjects: other scripts, emoji.
SUBJECT_CHARS = VN_TEXT_CHARS + "中文報告Жжя😀€"

any_codepoint = st.integers(0, 0x10FFFF).map(chr)        # lone surrogates included
any_string = st.lists(any_codepoint, max_size=80).map("".join)


def case_mix(text: str, upper: list[bool]) -> str:
    return "".join(ch.upper() if up else ch.lower() for ch, up in zip(text, upper + [False] * len(text)))


# ================================================================ parse_number

def check_figure(result) -> None:
    number, ok = result
    assert isinstance(ok, bool)
    if number is not None:
        assert isinstance(number, (int, float)) and not isinstance(number, bool), result
        assert math.isfinite(number) and abs(number) < MAX_FIGURE, result
        assert ok, result       # a number is only ever returned as a reading that worked


@properties(600)
@given(st.text(max_size=60), st.booleans())
@example("1e400", True)
@example("9" * 15, True)          # 1e15 - 1: one past the cap
@example("999.999.999.999.999", True)
@example("-", False)
@example("( 12 )", True)
def test_parse_number_never_raises_on_text(text, whole):
    check_figure(parse_number(text, whole))


@properties(300)
@given(st.text(alphabet="0123456789.,  -−+()%/:emvụ", max_size=40), st.booleans())
def test_parse_number_never_raises_on_digit_soup(text, whole):
    check_figure(parse_number(text, whole))


@properties(300)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.dates(), st.datetimes(), st.times(), st.binary(max_size=10), st.lists(st.integers(), max_size=2)))
def test_parse_number_never_raises_on_cell_values(value):
    check_figure(parse_number(value))


def test_parse_number_never_raises_on_a_very_long_run_of_digits():
    check_figure(parse_number("1" * 5000))


def vi_thousands(n: int) -> str:
    """3250 -> "3.250", -1234567 -> "-1.234.567": how a unit types a count."""
    return ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", ".")


counts = st.integers(-(10 ** 15) + 1, 10 ** 15 - 1)


@properties(400)
@given(counts, st.booleans())
@example(1000, True)
@example(999_999_999_999_999, True)
@example(-1234, False)
def test_vietnamese_thousands_read_back_to_the_number(n, whole):
    assert parse_number(vi_thousands(n), whole) == (n, True)


@properties(200)
@given(counts, st.sampled_from([" ", "\u00a0"]))
def test_space_grouped_thousands_read_back(n, space):
    text = ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", space)
    assert parse_number(text) == (n, True)


@properties(200)
@given(st.integers(1000, 10 ** 15 - 1))
def test_english_thousands_in_a_count_read_back(n):
    assert parse_number(f"{n:,}", whole=True) == (n, True)


@properties(200)
@given(st.integers(0, 10 ** 12), st.integers(1, 99), st.sampled_from(["", " em", " học sinh", " (vụ)", " lượt."]))
def test_decimal_comma_and_unit_word(whole_part, decimals, unit):
    text = f"{vi_thousands(whole_part)},{decimals:02d}{unit}"
    assert parse_number(text, whole=False) == (float(f"{whole_part}.{decimals:02d}"), True)


@properties(200)
@given(counts, st.sampled_from([" em", " học sinh", " (em)", " vụ.", " lượt người"]))
def test_a_count_with_its_unit_word_keeps_the_count(n, unit):
    assert parse_number(vi_thousands(n) + unit) == (n, True)


ZERO_WORDS = ["0", "-", "–", "—", "không", "không có", "khong", "khong co", "ko"]


@properties(300)
@given(st.sampled_from(ZERO_WORDS), st.lists(st.booleans(), max_size=10), st.sampled_from(["NFC", "NFD"]),
       st.sampled_from(["", " ", "  ", "\u00a0", "\t"]), st.sampled_from(["", " ", "\u00a0"]), st.booleans())
def test_zero_words_are_zero_in_any_case_and_composition(word, upper, form, before, after, whole):
    text = before + unicodedata.normalize(form, case_mix(word, upper)) + after
    assert parse_number(text, whole) == (0, True)


@properties(100)
@given(st.text(alphabet=" .…_·\u00a0\t", max_size=20), st.booleans())
def test_blanks_and_rows_of_dots_are_not_reported(text, whole):
    assert parse_number(text, whole) == (None, True)


@properties(100)
@given(st.integers(-(10 ** 15) + 1, 10 ** 15 - 1))
def test_integral_excel_floats_are_ints(n):
    number, ok = parse_number(float(n))          # exact: every such n is below 2 ** 53
    assert (number, ok) == (n, True) and isinstance(number, int)


# ================================================================ fold

FOLDED = set(string.digits + string.ascii_lowercase + " ")


def check_folded(out: str) -> None:
    assert set(out) <= FOLDED, out
    assert out == out.strip() and "  " not in out, out


@properties(500)
@given(any_string)
@example("Đồng Xoài")
@example("\u0110\u0301")            # Đ with a stray combining mark
@example("ǅ İ ß ﬁ ½")
def test_fold_is_idempotent_and_gives_only_folded_characters(text):
    out = fold(text)
    check_folded(out)
    assert fold(out) == out


@properties(500)
@given(any_string)
def test_fold_is_the_same_for_nfc_and_nfd(text):
    assert fold(unicodedata.normalize("NFC", text)) == fold(unicodedata.normalize("NFD", text)) == fold(text)


@properties(500)
@given(st.text(alphabet=VN_TEXT_CHARS + "\t\n\u00a0", max_size=80), st.lists(st.booleans(), max_size=80),
       st.sampled_from(["NFC", "NFD"]))
def test_fold_ignores_case_in_vietnamese_text(text, upper, form):
    """Case, for the text the matchers compare (Vietnamese and ASCII). Not for every script:
    Unicode case mapping is not one-to-one ("ß".upper() == "SS"), and no form is written so."""
    folded = fold(text)
    assert fold(unicodedata.normalize(form, text.upper())) == folded
    assert fold(text.lower()) == folded
    assert fold(case_mix(text, upper)) == folded


@pytest.mark.parametrize("letter", sorted(set(VN_LETTERS)))
def test_every_vietnamese_letter_folds_to_one_ascii_letter(letter):
    out = fold(letter)
    assert len(out) == 1 and out in string.ascii_lowercase, (letter, out)
    assert out == fold(unicodedata.normalize("NFD", letter))


@pytest.mark.parametrize("text,folded", [
    ("Đồng Xoài", "dong xoai"),
    ("ĐỒNG XOÀI", "dong xoai"),
    ("  THPT   Đồng-Xoài!! ", "thpt dong xoai"),
    ("Trẻ em có hoàn cảnh đặc biệt (HCĐB)", "tre em co hoan canh dac biet hcdb"),
    ("", ""),
    (None, ""),
    ("...", ""),
])
def test_fold_examples(text, folded):
    assert fold(text) == folded


# ================================================================ RFC 2047

TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258_form(text: str) -> str:
    """Vietnamese as Windows-1258 writes it: base letters precomposed (ă â ê ô ơ ư), the tone a
    combining mark after them: the only way most toned letters can be encoded there."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)) + tone)
    return "".join(out)


def encodable(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def encoded(text: str, charset: str, encoding: int) -> str:
    cs = Charset(charset)
    cs.header_encoding = encoding      # force B or Q (the stdlib would pick per charset)
    return Header(text, cs).encode()


ENCODINGS = {"B": BASE64, "Q": QP}
LATIN1_CHARS = "".join(ch for ch in VN_TEXT_CHARS if encodable(ch, "iso-8859-1"))


@st.composite
def header_texts(draw):
    """(text, charset): Vietnamese subjects in a charset that can carry them.

    Left out on purpose: Latin-1 letters Vietnamese does not use ("ü", "¤", "µ", ...) in a text
    without any Vietnamese-only letter: that is what TCVN3 bytes look like, and converting them
    is the documented legacy rule (`parsers.legacy.fix`). And the C0 controls, which the
    standard library's header encoder itself treats as word separators."""
    charset = draw(st.sampled_from(["utf-8", "windows-1258", "iso-8859-1"]))
    if charset == "utf-8":
        text = draw(st.text(alphabet=SUBJECT_CHARS, max_size=160))
        text = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)
    elif charset == "windows-1258":
        text = windows_1258_form(draw(st.text(alphabet=VN_TEXT_CHARS, max_size=160)))
    else:
        text = draw(st.text(alphabet=LATIN1_CHARS, max_size=160))
    return text, charset


@properties(500)
@given(header_texts(), st.sampled_from(sorted(ENCODINGS)))
@example(("Báo cáo công tác trẻ em 6 tháng đầu năm 2024 của trường THPT Đồng Xoài, tỉnh Bình Phước",
          "utf-8"), "Q")
@example((windows_1258_form("Báo cáo tháng 6 trường Tiểu học Hưng Phước"), "windows-1258"), "B")
@example(("Báo cáo", "iso-8859-1"), "Q")
def test_rfc2047_words_from_the_standard_library_decode_back(text_charset, encoding):
    text, charset = text_charset
    assert encodable(text, charset)
    words = encoded(text, charset, ENCODINGS[encoding])
    assert decode_rfc2047(words) == text
    # The header reader unfolds, composes (NFC) and collapses spaces: the same text, cleaned.
    assert decode_header_value(words) == " ".join(unicodedata.normalize("NFC", text).split())


@properties(300)
@given(st.text(alphabet=VN_TEXT_CHARS, min_size=1, max_size=200))
def test_a_vietnamese_subject_written_by_the_legacy_api_reads_back(subject):
    """Through the header reader of a whole raw mail, as the intake reads it first."""
    raw = b"Subject: " + encoded(subject, "utf-8", BASE64).replace("\n", "\r\n").encode() + b"\r\n\r\nbody"
    assert read_headers(raw).subject == " ".join(subject.split())


def test_a_subject_folded_by_the_email_policy_reads_back():
    subject = "Báo cáo số liệu tháng 6: Trường Tiểu học Hưng Phước, huyện Bù Đốp, tỉnh Bình Phước gửi Sở GDĐT"
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject
    msg["From"] = "th.hungphuoc@binhphuoc.edu.vn"
    msg.set_content("Kính gửi Sở.")
    assert read_headers(msg.as_bytes()).subject == subject


charset_names = st.sampled_from(["utf-8", "UTF-8", "windows-1258", "iso-8859-1", "x-unknown", "utf-7", "utf-16",
                                 "undefined", "utf-8*vi", "", "rot13", "idna", "punycode", "latin-1", "cp1252"])
payloads = st.text(alphabet=string.ascii_letters + string.digits + "+/=_-%.", max_size=40)


@st.composite
def hostile_headers(draw):
    """Encoded words with unknown or unsuitable charsets and bad payloads, mixed with raw text."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            parts.append(f"=?{draw(charset_names)}?{draw(st.sampled_from('BbQqXx'))}?{draw(payloads)}?=")
        else:
            parts.append(draw(st.text(max_size=12)))
        parts.append(draw(st.sampled_from(["", " ", "\r\n ", "\t", "\"", "=?"])))
    return "".join(parts)


@properties(500)
@given(st.one_of(hostile_headers(), any_string))
@example("=?utf-8?b?====?= =?utf-8?q?=ZZ?=")
@example("=?utf-16?b?2D3eAA==?=")            # a lone surrogate in UTF-16
@example("\udce9\udce8 =?utf-8?q?x?=")         # surrogate-escaped raw 8-bit bytes
def test_header_decoders_never_raise_and_give_valid_utf8(value):
    assert isinstance(decode_rfc2047(value), str)
    out = decode_header_value(value)
    assert isinstance(out, str)
    out.encode("utf-8")              # no lone surrogate survives
    assert "\r" not in out and "\n" not in out


BYTES_CODECS = ["zlib", "base64", "hex", "bz2", "uu", "quopri"]


@pytest.mark.parametrize("charset", BYTES_CODECS)
def test_a_charset_naming_a_bytes_codec_is_survived(charset):
    value = f"=?{charset}?b?eJzLSM3JyQcABiwCFQ==?= =?utf-8?q?B=C3=A1o_c=C3=A1o?="
    out = decode_header_value(value)
    assert "Báo cáo" in out


@properties(100)
@given(st.one_of(st.none(), st.integers(), st.binary(max_size=20), st.dates()))
def test_decode_header_value_takes_any_object(value):
    assert isinstance(decode_header_value(value), str)


def test_decode_header_value_on_an_unprintable_object():
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")
    assert decode_header_value(Hostile()) == ""



def test_every_combining_mark_lies_in_the_range_strip_diacritics_deletes():
    import sys
    from parsers.text import COMBINING_RANGE
    marks = [cp for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))]
    assert marks and all(cp in COMBINING_RANGE for cp in marks)


@given(st.text(max_size=60))
def test_strip_diacritics_is_nfd_without_combining_marks(text):
    from parsers.text import strip_diacritics
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    assert strip_diacritics(text) == "".join(ch for ch in decomposed if not unicodedata.combining(ch))
