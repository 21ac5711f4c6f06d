"""Hostile mail and report files, built byte by byte.

The standard library's generator only writes well-formed mail; the intake meets the other
kind: MIME trees nested past any sense, boundaries missing or repeated, RFC 2047 words with bad
base64 or a character split between two words, charsets nobody knows, transfer encodings that
lie, raw 8-bit headers, addresses made of colons and comments, dates in year 9999. Everything
here assembles bytes directly so all of that can be produced.

Every generator takes a `Source` of choices, so one set of functions serves both users:
- `tests/test_fuzz.py` wraps them as hypothesis strategies (`mails()`, `attachments()`, ...):
  the choices come from hypothesis draws, which shrink a failing input to a small one;
- `bench/fuzz.py` calls them with a `RandomSource(seed)`: plain seeded `random`, fast enough for
  100,000 inputs, and input number i of seed s is the same bytes on every run.

Report files are real ones (xlsx from openpyxl, docx from python-docx, pdf from reportlab, zip
from zipfile, plus csv, an attached .eml and an xls when xlwt is there), built once per process
with fixed timestamps so they are the same bytes everywhere, then truncated or mutated.

Nothing here imports the project: the files under test are free to change.
"""
from __future__ import annotations

import base64
import functools
import io
import random
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

# ================================================================ where the choices come from


class Source:
    """Choices for the generators. `notes` collects short tags of what was built (the one-line
    description of an input in bench reports; the feature list in hypothesis' output)."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def int(self, lo: int, hi: int) -> int:  # inclusive bounds
        raise NotImplementedError

    def chance(self, p: float) -> bool:
        raise NotImplementedError

    def random_bytes(self, n: int) -> bytes:
        raise NotImplementedError

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[self.int(0, len(seq) - 1)]

    def weighted(self, pairs: Sequence[tuple[int, Any]]) -> Any:
        """One value of (weight, value) pairs; the first pair is the simplest (shrinks to it)."""
        pairs = [(w, v) for w, v in pairs if w > 0]
        x = self.int(0, sum(w for w, _ in pairs) - 1)
        for w, v in pairs:
            if x < w:
                return v
            x -= w
        return pairs[-1][1]

    def rng(self) -> random.Random:
        """A `random.Random` from one choice: for many small decisions that need not shrink."""
        return random.Random(self.int(0, 2**32 - 1))

    def note(self, tag: str) -> None:
        if len(self.notes) < 60:
            self.notes.append(tag)

    def describe(self, limit: int = 12) -> str:
        seen: list[str] = []
        for tag in self.notes:
            if tag not in seen:
                seen.append(tag)
        more = f" (+{len(seen) - limit} more)" if len(seen) > limit else ""
        return "; ".join(seen[:limit]) + more


class RandomSource(Source):
    """Seeded `random`: `RandomSource(f"{seed}:{i}")` is input i of a run, reproducible."""

    def __init__(self, seed: object) -> None:
        super().__init__()
        self.r = random.Random(str(seed))

    def int(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi) if hi > lo else lo

    def chance(self, p: float) -> bool:
        return p > 0 and (p >= 1 or self.r.random() < p)

    def random_bytes(self, n: int) -> bytes:
        return self.r.randbytes(max(0, n))


class DrawSource(Source):
    """Hypothesis draws (inside `st.composite`). Choices shrink toward the simplest option: the
    first of a `weighted`/`choice` list, the low bound of `int`, False for `chance`."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        super().__init__()
        self.draw = draw

    def int(self, lo: int, hi: int) -> int:
        from hypothesis import strategies as st
        return self.draw(st.integers(lo, hi)) if hi > lo else lo

    def chance(self, p: float) -> bool:
        if p <= 0:
            return False
        if p >= 1:
            return True
        from hypothesis import strategies as st
        # two digits of 0..99: hypothesis draws small ranges about uniformly, large ones heavily
        # skewed toward the low end, which would make every rare feature rarer still
        score = self.draw(st.integers(0, 99)) * 100 + self.draw(st.integers(0, 99))
        return score >= 10000 - round(p * 10000)

    def random_bytes(self, n: int) -> bytes:
        if n <= 32:
            from hypothesis import strategies as st
            return bytes(self.draw(st.binary(min_size=n, max_size=n)))
        return random.Random(self.int(0, 2**32 - 1)).randbytes(n)  # noise: one choice, not n


# ================================================================ how hostile, how large


@dataclass(frozen=True)
class Profile:
    """Odds and sizes. `force` names families that appear in every input (see FAMILIES)."""
    max_depth: int = 3                    # ordinary MIME nesting
    max_children: int = 4
    p_family: float = 0.25                # odds of each hostile family in one input
    p_deep: float = 0.02                  # a very deep chain of nested messages
    p_huge: float = 0.02                  # a run-type feature at hostile size
    nesting: tuple[int, int] = (300, 3000)  # depth of deep chains, comment / colon runs
    run: tuple[int, int] = (300, 5000)    # dash runs, adjacent encoded words, long lines, lists
    p_attachment: float = 0.5
    p_mutate_mail: float = 0.08           # the finished mail's bytes mutated too
    force: frozenset[str] = frozenset()

    def fam(self, src: Source, family: str, p: float | None = None) -> bool:
        if family in self.force:
            return True
        return src.chance(self.p_family if p is None else p)

    def forcing(self, *families: str) -> "Profile":
        unknown = set(families) - set(FAMILIES)
        if unknown:
            raise ValueError(f"unknown families: {sorted(unknown)}")
        return replace(self, force=frozenset(families) | self.force)


FAMILIES = ("deep", "boundaries", "encoded-words", "charsets", "addresses", "dates", "raw-headers",
            "long-lines", "transfer-encoding", "attachments", "bodies", "structure")

# CI: every family, sizes that still fail fast on bad code (deep nesting past the recursion
# limit is cheap) but keep super-linear code paths affordable (runs of a few hundred).
CI = Profile(p_deep=0.05, p_huge=0.05, nesting=(1000, 2500), run=(100, 250), max_children=3)
# The long run: hostile sizes for real.
BENCH = Profile()


def _size(src: Source, prof: Profile, normal: tuple[int, int], kind: str = "run", tag: str = "",
          family: str = "") -> int:
    """An ordinary size, or rarely a hostile one (noted); often hostile when `family` is forced."""
    if src.chance(max(prof.p_huge, 0.4) if family in prof.force else prof.p_huge):
        lo, hi = prof.nesting if kind == "nesting" else prof.run
        n = src.int(lo, hi)
        if tag:
            src.note(f"{tag}×{n}")
        return n
    return src.int(*normal)


# ================================================================ text and charsets

VI = [
    "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "Kính gửi Sở Giáo dục và Đào tạo Bình Phước",
    "Trường THPT Lộc Ninh", "Tổng số trẻ em đang theo học: 3.250 người", "Số trẻ em có hoàn cảnh đặc biệt: 41",
    "Số vụ bạo lực học đường: 0", "Xảy ra 1 vụ đuối nước làm 1 em tử vong", "THCS, THPT Võ Thị Sáu",
    "Phòng GDĐT Bù Đăng", "Đơn vị gửi kèm tệp báo cáo.", "Trân trọng!", "CTTE", "Nguyễn Thị Hồng Nhung",
    "ngày 20 tháng 6 năm 2024", "chuyển tiếp thư gốc", "Số liệu tuyên truyền: 12 buổi, 2.870 lượt học sinh",
    "báo cáo nhanh vụ việc", "Re: V/v nộp báo cáo", "Ư ơ ư Đ đ ấ ầ ẩ ẫ ậ", "x",
]
ASCII_WORDS = ["bao cao", "cong tac tre em", "BC", "hello", "report", "CTTE 2024", "a", "tong hop"]

# declared charset label -> Python codec used to write the bytes (None: written some other way)
CODECS: dict[str, str | None] = {
    "utf-8": "utf-8", "UTF-8": "utf-8", "utf8": "utf-8", "windows-1258": "cp1258", "cp1258": "cp1258",
    "iso-8859-1": "latin-1", "us-ascii": "ascii", "utf-7": "utf-7", "utf-16": "utf-16",
    "utf-16le": "utf-16-le", "utf-32": "utf-32", "gb18030": "gb18030", "shift_jis": "shift_jis",
    "iso-2022-jp": "iso-2022-jp", "koi8-r": "koi8-r", "big5": "big5", "utf-8-sig": "utf-8-sig",
    "unicode-escape": "unicode_escape", "raw-unicode-escape": "raw_unicode_escape", "punycode": "punycode",
    "idna": "idna", "tcvn": None, "tcvn3": None, "TCVN-5712": None, "vni": None, "viscii": None,
    "x-garbage": None, "unknown-8bit": None, "x-unknown": None, "undefined": None, "base64": None,
    "rot13": None, "": None, '"utf-8"': "utf-8", "utf-8*vi": "utf-8", "UTF-8 ": "utf-8",
}
LEGACY = ("tcvn", "tcvn3", "TCVN-5712", "vni", "windows-1258", "cp1258", "viscii")

_TCVN3 = {"ă": 0xA8, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ơ": 0xAC, "ư": 0xAD, "đ": 0xAE, "Đ": 0xA7,
          "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9, "ấ": 0xCA, "ầ": 0xC7, "ậ": 0xCB,
          "é": 0xD0, "ệ": 0xD6, "ế": 0xD5, "ì": 0xD7, "í": 0xDD, "ị": 0xDE, "ó": 0xE3, "ố": 0xE8,
          "ổ": 0xE6, "ộ": 0xE9, "ờ": 0xEA, "ớ": 0xED, "ợ": 0xEE, "ú": 0xF3, "ụ": 0xF4,
          "ự": 0xF9, "ử": 0xF7, "ữ": 0xF8, "ý": 0xFD, "ỳ": 0xFA}
_VNI_MARKS = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï",
              "\u0302": "â", "\u0306": "ê", "\u031b": "ô"}


def _tcvn3(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        if ch in _TCVN3:
            out.append(_TCVN3[ch])
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            out += base.encode("latin-1", "replace")
    return bytes(out)


def _vni(text: str) -> bytes:
    out = []
    for ch in unicodedata.normalize("NFD", text):
        out.append(_VNI_MARKS.get(ch, ch))
    return "".join(out).replace("đ", "ñ").replace("Đ", "Ñ").encode("cp1252", "replace")


SURROGATE_TRICKS = {  # bytes that decode to lone surrogates under a lenient codec
    "utf-7": [b"+2D0-", b"+3AA-", b"+2D0", b"+2D3cAA-"],
    "unicode-escape": [b"\\ud800", b"\\udc80x", b"\\udfff", b"\\N{nonsense}", b"\\U00110000"],
    "raw-unicode-escape": [b"\\ud800", b"\\udcff"],
    "utf-8": [b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xc3", b"\xe1\xba", b"\xf0\x9f\x98", b"\xc0\xaf", b"\xff"],
    "utf-16": [b"\x00\xd8", b"\xff\xfe\x00\xdc", b"\x00"],
}


def encode_text(src: Source, text: str, charset: str, prof: Profile) -> bytes:
    """`text` as bytes of the declared charset, or (charsets family) of some other one, or bytes
    that decode to lone surrogates under it."""
    cs = charset.strip().strip('"').split("*")[0].lower()
    if prof.fam(src, "charsets", 0.15):
        how = "surrogate" if cs in SURROGATE_TRICKS and src.chance(0.6) else \
            src.weighted([(3, "lie"), (2, "surrogate"), (1, "noise")])
        src.note(f"charset {charset!r}: {how}")
        if how == "lie":
            cs = src.choice(["utf-8", "cp1258", "tcvn", "vni", "latin-1", "utf-16"])
        elif how == "surrogate":
            key = cs if cs in SURROGATE_TRICKS else src.choice(sorted(SURROGATE_TRICKS))
            base = _plain_encode(text, cs)
            at = src.int(0, len(base))
            return base[:at] + src.choice(SURROGATE_TRICKS[key]) + base[at:]
        else:
            return src.random_bytes(src.int(1, 40)) + _plain_encode(text, cs)
    return _plain_encode(text, cs)


def _plain_encode(text: str, cs: str) -> bytes:
    if cs in ("tcvn", "tcvn3", "tcvn-5712", "viscii"):
        return _tcvn3(text)
    if cs == "vni":
        return _vni(text)
    codec = CODECS.get(cs) or CODECS.get(cs.upper())
    if codec is None:
        codec = cs
    try:
        if codec in ("unicode_escape", "raw_unicode_escape"):
            return text.encode(codec)
        if codec in ("punycode", "idna"):
            return text.encode("punycode")
        return text.encode(codec, "replace")
    except (LookupError, UnicodeError, ValueError):
        return text.encode("utf-8")


def charset_choice(src: Source, prof: Profile) -> str:
    if prof.fam(src, "charsets", 0.2):
        if src.chance(0.5):  # the lenient codecs that decode to lone surrogates
            cs = src.choice(["utf-7", "unicode-escape", "raw-unicode-escape"])
        else:
            cs = src.choice([c for c in CODECS if c not in ("utf-8", "UTF-8")] + ["x" * 300, "utf-8\x00", "é"])
        src.note(f"charset {cs[:20]!r}")
        return cs
    return src.weighted([(6, "utf-8"), (1, "UTF-8"), (2, "windows-1258"), (1, "us-ascii"), (1, "iso-8859-1")])


def vi_text(src: Source, words: tuple[int, int] = (1, 3)) -> str:
    return " ".join(src.choice(VI) for _ in range(src.int(*words)))


# ================================================================ RFC 2047 words


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def _q(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b == 0x20:
            out += b"_"
        elif 0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A:
            out.append(b)
        else:
            out += b"=%02X" % b
    return bytes(out)


def encoded_words(src: Source, text: str, prof: Profile, charset: str | None = None) -> bytes:
    """`text` as one or more RFC 2047 words: sometimes split inside a multibyte character,
    sometimes broken (bad base64, bad Q escapes, no end, unknown charset, nested)."""
    cs = charset or src.weighted([(6, "utf-8"), (1, "UTF-8"), (2, "windows-1258"), (1, "utf-8*vi")])
    broken = prof.fam(src, "encoded-words", 0.2)
    if broken:
        cs = src.weighted([(3, cs), (2, "x-garbage"), (1, "tcvn"), (1, "utf-7"), (1, "unicode-escape"),
                           (1, ""), (1, "undefined"), (1, "utf-16")])
    data = _plain_encode(text, cs.split("*")[0].lower()) if cs else text.encode("utf-8")
    if broken and cs in SURROGATE_TRICKS and src.chance(0.5):
        data += src.choice(SURROGATE_TRICKS[cs])
        src.note(f"ew surrogate {cs}")
    pieces = [data]
    if src.chance(0.5 if not broken else 0.8):   # split between words, often inside a character
        cuts = sorted({src.int(1, max(1, len(data) - 1)) for _ in range(src.int(1, 4))})
        pieces = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
        src.note("ew split")
    enc = src.weighted([(3, "B"), (2, "Q"), (1, "b"), (1, "q")])
    if broken and src.chance(0.15):
        enc = src.choice(["X", "", "BB", "?"])
    words = []
    for piece in pieces:
        payload = _b64(piece) if enc.upper() == "B" else _q(piece)
        if broken:
            fault = src.weighted([(4, None), (1, "bad-b64"), (1, "no-pad"), (1, "bad-q"), (1, "truncate"),
                                  (1, "no-end"), (1, "nested"), (1, "empty"), (1, "space")])
            if fault:
                src.note(f"ew {fault}")
            if fault == "bad-b64":
                payload = payload[: src.int(0, len(payload))] + src.choice([b"!!!", b"=", b"===", b"\xff", b"A"])
            elif fault == "no-pad":
                payload = payload.rstrip(b"=")
            elif fault == "bad-q":
                payload += src.choice([b"=G1", b"=E", b"=", b"=e1", b"==", b"=\xff"])
            elif fault == "truncate":
                payload = payload[: src.int(0, len(payload))]
            elif fault == "no-end":
                words.append(b"=?" + cs.encode("utf-8", "replace") + b"?" + enc.encode() + b"?" + payload)
                continue
            elif fault == "nested":
                payload = b"=?utf-8?b?" + payload + b"?="
            elif fault == "empty":
                payload = b""
            elif fault == "space":
                payload = payload[:2] + b" " + payload[2:]
        words.append(b"=?" + cs.encode("utf-8", "replace") + b"?" + enc.encode() + b"?" + payload + b"?=")
    sep = src.weighted([(3, b" "), (2, b""), (2, b"\r\n "), (1, b"\n\t"), (1, b"  ")])
    return sep.join(words)


def word_run(src: Source, prof: Profile) -> bytes:
    """Many adjacent encoded words (the quadratic joining case): complete or split characters."""
    n = _size(src, prof, (2, 30), tag="adjacent encoded words", family="encoded-words")
    how = src.weighted([(2, "ascii"), (2, "split"), (1, "syllables"), (1, "lead-bytes")])
    src.note(f"word run {how}")
    sep = src.choice([b"", b" ", b"\r\n "])
    if how == "ascii":
        return sep.join(b"=?utf-8?q?" + src.choice([b"a", b"ab", b"abc", b"_"]) + b"?=" for _ in range(n))
    if how == "split":   # each word ends inside a character the next word finishes
        return sep.join([b"=?utf-8?b?" + _b64(b"\xc3") + b"?="] +
                        [b"=?utf-8?b?" + _b64(b"\xa1\xc3") + b"?=" for _ in range(n)])
    if how == "syllables":
        return sep.join(b"=?utf-8?q?" + _q(src.choice(["Báo", "cáo", "trẻ", "em", "ng", "h"]).encode()) + b"?="
                        for _ in range(n))
    return sep.join(b"=?utf-8?b?" + _b64(b"\xe1") + b"?=" for _ in range(n))


# ================================================================ header values


def subject(src: Source, prof: Profile) -> bytes:
    text = vi_text(src)
    if src.chance(0.3):
        text = src.choice(["Fwd: ", "FW: ", "Re: ", "TL: ", "Tr: ", "Chuyển tiếp: ", "Fwd: Fwd: ", "Re: Fwd: "]) + text
    mode = src.weighted([(3, "ascii"), (3, "utf-8 raw"), (5, "encoded"), (2, "mixed"), (1, "legacy raw"),
                         (1, "in quotes"), (1, "run"), (1, "control"), (1, "empty")])
    src.note(f"subject {mode}")
    if mode == "ascii":
        return src.choice(ASCII_WORDS).encode() + b" " + str(src.int(0, 2024)).encode()
    if mode == "utf-8 raw":
        return text.encode("utf-8")
    if mode == "encoded":
        return encoded_words(src, text, prof)
    if mode == "mixed":
        return b"Fwd: " + encoded_words(src, text, prof) + b" (" + text.encode() + b") " + encoded_words(src, "CTTE", prof)
    if mode == "legacy raw":
        return encode_text(src, text, src.choice(LEGACY), prof)
    if mode == "in quotes":
        return b'"' + encoded_words(src, text, prof) + b'" ' + b'"=?utf-8?q?' + _q(text.encode()) + b'?="'
    if mode == "run":
        return word_run(src, prof)
    if mode == "control":
        return text.encode() + src.choice([b"\x00", b"\x1b[31m", b"\x7f", b"\r", b"\x0b\x0c", b"\xe2\x80\xae"]) + b"x"
    return b""


LOCALS = ["thptlocninh", "pgd.budang", "a", "mailer-daemon", "postmaster", "nguyen.van.a", "x" * 64]
DOMAINS = ["binhphuoc.edu.vn", "gmail.com", "x", "[127.0.0.1]", "bình-phước.vn", "a.b.c.d.e"]


def addr_spec(src: Source) -> bytes:
    return f"{src.choice(LOCALS)}@{src.choice(DOMAINS)}".encode("utf-8")


def display_name(src: Source, prof: Profile) -> bytes:
    name = src.choice(["Trường THPT Lộc Ninh", "THCS, THPT Võ Thị Sáu", "Phòng GDĐT Bù Đăng", "Nguyễn Văn A",
                       "Mail Delivery Subsystem", "a"])
    how = src.weighted([(2, "ascii"), (2, "quoted raw"), (2, "encoded"), (1, "quoted encoded"), (1, "raw"),
                        (1, "legacy")])
    if how == "ascii":
        return b'"' + unicodedata.normalize("NFD", name).encode("ascii", "ignore") + b'"'
    if how == "quoted raw":
        return b'"' + name.encode("utf-8") + b'"'
    if how == "encoded":
        return encoded_words(src, name, prof)
    if how == "quoted encoded":
        return b'"' + encoded_words(src, name, prof) + b'"'
    if how == "raw":
        return name.encode("utf-8")
    return encode_text(src, name, src.choice(LEGACY), prof)


def mailbox(src: Source, prof: Profile) -> bytes:
    """One address, as clients and spammers write it."""
    if prof.fam(src, "addresses", 0.2):
        return weird_address(src, prof)
    form = src.weighted([(3, "name-angle"), (2, "bare"), (1, "angle"), (1, "comment")])
    if form == "bare":
        return addr_spec(src)
    if form == "angle":
        return b"<" + addr_spec(src) + b">"
    if form == "comment":
        return addr_spec(src) + b" (" + display_name(src, prof).strip(b'"') + b")"
    return display_name(src, prof) + b" <" + addr_spec(src) + b">"


def weird_address(src: Source, prof: Profile) -> bytes:
    kind = src.weighted([(2, "comments"), (2, "colons"), (2, "group"), (2, "quotes"), (1, "route"),
                         (2, "garbage"), (1, "comma-name"), (1, "backslash"), (1, "8bit")])
    a = addr_spec(src)
    if kind == "comments":
        n = _size(src, prof, (1, 8), "nesting", "nested comments", "addresses")
        src.note("address: nested comments")
        closing = n if src.chance(0.5) else src.int(0, n)
        return b"(" * n + b"c" + b")" * closing + b" " + a + b" (" * src.int(0, 3)
    if kind == "colons":
        n = _size(src, prof, (1, 8), "nesting", "colon run", "addresses")
        src.note("address: colon run")
        unit = src.choice([b":", b"a:", b"g: ", b":;", b"::<"])
        return unit * n + a + src.choice([b"", b";", b";;", b">"])
    if kind == "group":
        src.note("address: group")
        members = b", ".join(mailbox(src, replace(prof, force=prof.force - {"addresses"})) for _ in range(src.int(0, 3)))
        return src.choice([b"undisclosed-recipients", b"Nh\xc3\xb3m", b'"T\xe1\xbb\x95 1"', b""]) + b": " + members + src.choice([b";", b"", b";;"])
    if kind == "quotes":
        src.note("address: quotes")
        return src.choice([b'"abc <', b'"a\\"b" <', b'"\\', b'""<', b'"', b"'a' <"]) + a + src.choice([b">", b"", b'"', b'>"'])
    if kind == "route":
        src.note("address: route")
        return b"<@x.vn,@y.vn:" + a + b">"
    if kind == "comma-name":
        src.note("address: comma in name")
        return "THCS, THPT Võ Thị Sáu".encode() + b" <" + a + b">"
    if kind == "backslash":
        src.note("address: backslash")
        return b"a\\" * src.int(1, 20) + b" <" + a + b">"
    if kind == "8bit":
        src.note("address: 8-bit")
        return src.random_bytes(src.int(1, 20)) + b" <" + a + b">"
    src.note("address: garbage")
    return src.choice([b"<>", b"@", b"a@b@c", b"<<" + a + b">>", b"a@", b"Name <" + a, b"", b"<" * 50,
                       b">" * 50 + a, b"=?utf-8?b?PGFAYj4=?=", b"a@b.vn, , ,", b"\x00", b"(" + a + b")"])


def address_list(src: Source, prof: Profile) -> bytes:
    n = _size(src, prof, (1, 3), tag="addresses in a list", family="addresses") if prof.fam(src, "addresses", 0.1) else src.int(1, 2)
    return b", ".join(mailbox(src, prof) for _ in range(min(n, 5))) + (b", " + b", ".join(addr_spec(src) for _ in range(n - 5)) if n > 5 else b"")


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def date_value(src: Source, prof: Profile) -> bytes:
    if not prof.fam(src, "dates", 0.15):
        return (f"{src.choice(['Mon', 'Thu', 'Fri'])}, {src.int(1, 28)} {src.choice(MONTHS)} "
                f"{src.int(2023, 2024)} {src.int(0, 23):02d}:{src.int(0, 59):02d}:{src.int(0, 59):02d} "
                f"{src.choice(['+0700', '+0000', '-0500', 'GMT', '+0730'])}").encode()
    kind = src.weighted([(3, "year 9999"), (2, "year 1"), (2, "offset"), (2, "garbage"), (1, "huge"),
                         (1, "two-digit"), (1, "vietnamese")])
    src.note(f"date {kind}")
    if kind == "year 9999":
        return f"Fri, 31 Dec 9999 23:59:{src.int(0, 59):02d} {src.choice(['-1200', '-2359', '+0000', '+1400', '-0001', 'EST'])}".encode()
    if kind == "year 1":
        return f"Mon, 1 Jan {src.choice(['0001', '1', '0000', '0'])} 00:00:00 {src.choice(['+0100', '+2359', '-0100'])}".encode()
    if kind == "offset":
        return f"Fri, 20 Jun 2024 09:00:00 {src.choice(['+9999', '-9999', '+2400', '+99999999', '+0799', '-0000', '+07', '+007000'])}".encode()
    if kind == "huge":
        big = "9" * src.int(10, 400)
        return src.choice([f"Fri, {big} Jun 2024 09:00:00 +0700", f"Fri, 20 Jun {big} 09:00:00 +0700",
                           f"Fri, 20 Jun 2024 {big}:00:00 +0700", f"Fri, 20 Jun 2024 09:00:00 +{big}"]).encode()
    if kind == "two-digit":
        return f"Fri, 20 Jun {src.choice(['24', '99', '00', '69', '70'])} 09:00:00 +0700".encode()
    if kind == "vietnamese":
        return "Thứ Sáu, 20 tháng 6 2024 09:00:00 +0700".encode()
    return src.choice([b"", b"yesterday", b"Fri, 32 Foo 2024 25:61:61 +0700", b"0", b"-1", b";", b"Fri,",
                       b"20 Jun 2024", b"Fri, 20 Jun 2024 09:00:00 +0700 (ICT) extra junk", b"\xff\xfe",
                       b"2024-06-20T09:00:00+07:00", b"Fri, 29 Feb 2023 09:00:00 +0700", b"1 1 1 1:1:1 1"])


def message_id(src: Source, prof: Profile, serial: int) -> bytes | None:
    if prof.fam(src, "raw-headers", 0.1):
        kind = src.weighted([(1, "missing"), (1, "8bit"), (1, "long"), (1, "empty"), (1, "two")])
        src.note(f"message-id {kind}")
        if kind == "missing":
            return None
        if kind == "8bit":
            return b"<" + src.random_bytes(src.int(1, 16)) + b"@x>"
        if kind == "long":
            return b"<" + b"a" * _size(src, prof, (100, 998), tag="long message-id", family="raw-headers") + b"@x>"
        if kind == "empty":
            return b""
        return b"<a@x> <b@x>"
    return f"<fz-{serial}-{src.int(0, 10**9)}@fuzz.example>".encode()


# ================================================================ MIME entities

Header = tuple[bytes, bytes]


@dataclass
class Entity:
    headers: list[Header] = field(default_factory=list)
    body: bytes = b""


def assemble(entity: Entity, eol: bytes) -> bytes:
    lines = [name + b": " + value if name else value for name, value in entity.headers]
    return eol.join(lines) + eol + eol + entity.body


def fold(value: bytes, eol: bytes, src: Source) -> bytes:
    """A long value folded at some of its spaces (not all, as real clients do)."""
    if len(value) > 76 and src.chance(0.6):
        rng = src.rng()
        return re.sub(rb" ", lambda m: eol + b" " if rng.random() < 0.2 else b" ", value)
    return value


def transfer_encode(src: Source, data: bytes, prof: Profile, binary: bool = False) -> tuple[bytes | None, bytes]:
    """(Content-Transfer-Encoding value or None, encoded body); under the transfer-encoding
    family the header lies or the encoding is broken."""
    if prof.fam(src, "transfer-encoding", 0.12):
        kind = src.weighted([(2, "lie-b64"), (2, "bad-b64"), (1, "lie-qp"), (1, "bad-qp"), (1, "unknown"),
                             (1, "uuencode"), (1, "raw-binary"), (1, "double")])
        src.note(f"cte {kind}")
        if kind == "lie-b64":
            return b"base64", data
        if kind == "bad-b64":
            enc = base64.encodebytes(data)
            cut = src.int(0, len(enc))
            return src.choice([b"base64", b"BASE64", b" base64 "]), enc[:cut] + src.choice([b"!@#", b"=", b"\xff\xfe", b"====", b"A", b""]) + enc[cut:]
        if kind == "lie-qp":
            return b"quoted-printable", data
        if kind == "bad-qp":
            return b"quoted-printable", _qp(data) + src.choice([b"=", b"=G", b"=\r\n=", b"=E"])
        if kind == "unknown":
            return src.choice([b"x-garbage", b"base65", b"7-bit", b"", b"binary; junk"]), data
        if kind == "uuencode":
            return src.choice([b"x-uuencode", b"uuencode", b"x-uue"]), _uu(data, src)
        if kind == "raw-binary":
            return src.choice([b"binary", b"8bit", None]), data
        return b"base64", base64.encodebytes(base64.encodebytes(data))
    if binary:
        return b"base64", base64.encodebytes(data)
    if all(b < 0x80 for b in data[:2000]):
        return src.choice([None, b"7bit"]), data
    return src.weighted([(3, b"base64"), (2, b"quoted-printable"), (2, b"8bit")]), data


def _qp(data: bytes) -> bytes:
    import quopri
    return quopri.encodestring(data)


def _uu(data: bytes, src: Source) -> bytes:
    import binascii
    lines = [b"begin 644 " + src.choice([b"a.txt", b"../x", b""])]
    for i in range(0, min(len(data), 45 * 200), 45):
        lines.append(binascii.b2a_uu(data[i:i + 45]).rstrip(b"\n"))
    if src.chance(0.7):
        lines += [b"`", b"end"]
    return b"\n".join(lines) + b"\n"


def apply_cte(entity: Entity, src: Source, prof: Profile, data: bytes, binary: bool = False) -> None:
    cte, body = transfer_encode(src, data, prof, binary)
    if cte is None:
        entity.body = body
        return
    entity.headers.append((b"Content-Transfer-Encoding", cte))
    if cte.strip().lower() == b"base64" and body is not data:
        entity.body = body
    elif cte.strip().lower() == b"quoted-printable" and body is data:
        entity.body = _qp(data) if src.chance(0.8) else data
    else:
        entity.body = body


def text_body(src: Source, prof: Profile, eol: bytes) -> str:
    """Prose with the shapes that made the regexes slow or confused: runs of dashes, pasted
    forwards, quotes, long lines, control characters, decomposed and combining text."""
    lines: list[str] = [vi_text(src, (1, 4)) for _ in range(src.int(0, 3))]
    hostile = prof.fam(src, "bodies", 0.3)
    for _ in range(src.int(0, 3) if hostile else src.int(0, 1)):
        kind = src.weighted([(3, "dashes"), (2, "forward"), (1, "outlook"), (1, "quote"), (1, "long"),
                             (1, "control"), (1, "nfd"), (1, "combining"), (1, "wrote")])
        src.note(f"body {kind}")
        if kind == "dashes":
            n = _size(src, prof, (3, 60), tag="dash run", family="bodies")
            lines.append(src.choice(["", " ", "> ", "*"]) + "-" * n + src.choice(["", " Forwarded message ", " Original Message ", " x", "-- Thư gốc --"]) + ("-" * src.int(0, n) if src.chance(0.5) else ""))
        elif kind == "forward":
            lines += [src.choice(["---------- Forwarded message ---------", "Begin forwarded message:", "-----Original Message-----"]),
                      "From: " + mailbox(src, prof).decode("utf-8", "replace"), "Date: " + date_value(src, prof).decode("latin-1"),
                      "Subject: " + vi_text(src), "To: <trunghoc@binhphuoc.edu.vn>"]
        elif kind == "outlook":
            lines += ["Từ: " + mailbox(src, prof).decode("utf-8", "replace"), "Đã gửi: Thứ Sáu, 20/6/2024", "Chủ đề: " + vi_text(src)]
        elif kind == "quote":
            lines += ["> " * src.int(1, 30) + vi_text(src) for _ in range(src.int(1, 5))]
        elif kind == "long":
            lines.append(vi_text(src) * _size(src, prof, (10, 40), tag="long body line", family="long-lines"))
        elif kind == "control":
            lines.append(vi_text(src) + src.choice(["\x00", "\x1b", "\r", "\x0c", "\ufeff", "\u202e", "\u200b", "\x85", "\u2028"]) + vi_text(src))
        elif kind == "nfd":
            lines.append(unicodedata.normalize("NFD", vi_text(src)))
        elif kind == "combining":
            lines.append("a" + "\u0301\u0323" * _size(src, prof, (1, 30), tag="combining marks", family="bodies"))
        else:
            lines.append(f"Vào {vi_text(src)} " + "x" * src.int(0, 200) + " viết:")
    return eol.decode().join(lines)


def html_body(src: Source, prof: Profile, text: str) -> str:
    if prof.fam(src, "bodies", 0.2):
        kind = src.weighted([(2, "unclosed-script"), (2, "lt-run"), (1, "entities"), (1, "deep-tags")])
        src.note(f"html {kind}")
        n = _size(src, prof, (2, 50), tag=f"html {kind}", family="bodies")
        if kind == "unclosed-script":
            return "<html><body>" + "<script>x" * n + text + "<style>" * src.int(0, 3)
        if kind == "lt-run":
            return "<p>" + "<" * n + text + src.choice(["", ">"])
        if kind == "entities":
            return text + "".join(src.choice(["&#xD800;", "&#1114112;", "&#0;", "&amp", "&#x;", "&nbsp;", "&#99999999999;"]) for _ in range(n))
        return "<div>" * n + text + "</div>" * src.int(0, n)
    return f"<html><head><style>p{{color:red}}</style></head><body><p>{text}</p><br/><div>{vi_text(src)}</div></body></html>"


def text_entity(src: Source, prof: Profile, eol: bytes, html: bool = False) -> Entity:
    text = text_body(src, prof, eol)
    if html:
        text = html_body(src, prof, text)
    charset = charset_choice(src, prof)
    ctype = b"text/html" if html else b"text/plain"
    params = src.weighted([(5, b'; charset="' + charset.encode("utf-8", "replace") + b'"'),
                           (2, b"; charset=" + charset.encode("utf-8", "replace")), (1, b""),
                           (1, b"; format=flowed; charset=" + charset.encode("utf-8", "replace") + b"; delsp=yes")])
    ent = Entity([(b"Content-Type", ctype + params)])
    apply_cte(ent, src, prof, encode_text(src, text, charset, prof))
    return ent


def filename_params(src: Source, prof: Profile, kind: str) -> bytes:
    ext = {"csv": "csv", "eml": "eml"}.get(kind, kind)
    name = src.choice(["Báo cáo CTTE 6 tháng 2024", "BC tre em", "bc", "Báo cáo, số liệu", "BÁO CÁO"]) + "." + ext
    if prof.fam(src, "attachments", 0.25):
        kind_ = src.weighted([(2, "2231-broken"), (1, "traversal"), (1, "long"), (1, "control"), (1, "empty"),
                              (1, "ew-broken"), (1, "windows"), (1, "dots"), (1, "two")])
        src.note(f"filename {kind_}")
        if kind_ == "2231-broken":
            return src.choice([
                b"; filename*0*=utf-8''B%C3%A1o%20c; filename*1*=%C3%A1o." + ext.encode() + b"; filename*3=x",
                b"; filename*=x-garbage''%FF%FE." + ext.encode(),
                b"; filename*=utf-8''%G1%E1." + ext.encode(),
                b"; filename*=''." + ext.encode(),
                b"; filename*=utf-8'vi'" + b"%E1" * src.int(1, 50),
                b"; filename*0=a; filename*0=b; filename*99999999999=c",
                b"; name*=utf-8''%C3; filename*=\"utf-8''%A1.xlsx\"",
            ])
        if kind_ == "traversal":
            return b'; filename="../../../etc/passwd.' + ext.encode() + b'"'
        if kind_ == "long":
            return b'; filename="' + ("Báo cáo " * _size(src, prof, (20, 60), tag="long filename")).encode() + b"." + ext.encode() + b'"'
        if kind_ == "control":
            return b'; filename="a\x00b\x1b\r\n.' + ext.encode() + b'"'
        if kind_ == "empty":
            return src.choice([b'; filename=""', b"; filename=", b"; filename", b'; name="'])
        if kind_ == "ew-broken":
            return b'; filename="' + encoded_words(src, name, replace(prof, force=prof.force | {"encoded-words"})) + b'"'
        if kind_ == "windows":
            return b'; filename="C:\\Users\\GV\\Desktop\\' + name.encode() + b'"'
        if kind_ == "dots":
            return src.choice([b'; filename="."', b'; filename=".."', b'; filename="...xlsx"', b'; filename=".htaccess"'])
        return b'; filename="a.' + ext.encode() + b'"; filename="b.pdf"'
    how = src.weighted([(3, "quoted utf-8"), (3, "encoded"), (2, "2231"), (1, "ascii")])
    if how == "quoted utf-8":
        return b'; filename="' + name.encode() + b'"'
    if how == "encoded":
        return b'; filename="' + encoded_words(src, name, prof) + b'"'
    if how == "2231":
        from urllib.parse import quote
        return b"; filename*=utf-8''" + quote(name).encode()
    return b'; filename="bc.' + ext.encode() + b'"'


DECLARED = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pdf": "application/pdf", "zip": "application/zip", "csv": "text/csv", "eml": "message/rfc822",
            "xls": "application/vnd.ms-excel"}


def attachment_entity(src: Source, prof: Profile, eol: bytes) -> Entity:
    kinds = sorted(seed_files())
    kind = src.choice(kinds + ["noise", "empty"])
    if kind == "noise":
        data = src.random_bytes(src.int(1, 3000))
        kind = src.choice(kinds)
    elif kind == "empty":
        data = b""
        kind = src.choice(kinds)
    else:
        data = seed_files()[kind][1]
        if src.chance(0.6):
            data = mutate(src, data, kind, prof)
    src.note(f"attachment {kind} ({len(data)} B)")
    declared = DECLARED[kind]
    if prof.fam(src, "attachments", 0.2):
        declared = src.choice(["application/octet-stream", "text/plain", "image/jpeg", "text/html",
                               "message/rfc822", "multipart/mixed", "application/x-garbage", "", "application"])
        src.note(f"declared {declared or 'nothing'}")
    names = filename_params(src, prof, kind)
    ent = Entity([(b"Content-Type", declared.encode() + names.replace(b"filename", b"name", 1)
                   if src.chance(0.6) else declared.encode())])
    disp = src.weighted([(6, b"attachment"), (1, b"inline"), (1, b""), (1, b"ATTACHMENT"), (1, b"garbage")])
    if disp or src.chance(0.5):
        ent.headers.append((b"Content-Disposition", disp + names))
    apply_cte(ent, src, prof, data, binary=True)
    return ent


def delivery_status(src: Source, prof: Profile, eol: bytes) -> Entity:
    blocks = [eol.join([b"Reporting-MTA: dns; mx.binhphuoc.edu.vn", b"Arrival-Date: " + date_value(src, prof)])]
    for _ in range(_size(src, prof, (1, 3), tag="delivery-status blocks")):
        blocks.append(eol.join([b"Final-Recipient: rfc822; " + mailbox(src, prof), b"Action: failed",
                                b"Status: " + src.choice([b"5.1.1", b"4.4.7", b"", b"9.9.9.9", b"\xff"]),
                                b"Diagnostic-Code: smtp; 550 " + vi_text(src).encode()]))
    body = (eol + eol).join(blocks) + eol
    if src.chance(0.2):
        body = body.replace(eol + eol, eol)  # blocks without separating blank lines
    return Entity([(b"Content-Type", b"message/delivery-status")], body)


def boundary_token(src: Source) -> bytes:
    return src.choice([b"b1", b"----=_Part_", b"=_abc", b"Apple-Mail=_", b"000000000000a"]) + str(src.int(0, 99999)).encode()


def multipart(src: Source, prof: Profile, depth: int, eol: bytes, subtype: str | None = None,
              parent_boundary: bytes | None = None) -> Entity:
    subtype = subtype or src.weighted([(4, "mixed"), (2, "alternative"), (1, "related"), (1, "signed"),
                                       (1, "digest"), (1, "x-unknown")])
    boundary = boundary_token(src)
    fault = None
    if prof.fam(src, "boundaries", 0.12):
        fault = src.choice(["missing-param", "dup-param", "mismatch", "no-close", "dup-close", "prefix",
                            "reuse-parent", "empty", "long", "spaces", "no-blank", "early-close"])
        src.note(f"boundary {fault}")
        if fault == "reuse-parent" and parent_boundary:
            boundary = parent_boundary
        elif fault == "empty":
            boundary = b""
        elif fault == "long":
            boundary = b"b" * src.int(71, 2000)
        elif fault == "spaces":
            boundary = b"a b  "
    used = boundary + (b"-suffix" if fault == "prefix" else b"")
    if fault == "mismatch":
        used = boundary_token(src) + b"x"
    param = b'; boundary="' + boundary + b'"'
    if fault == "missing-param":
        param = b""
    elif fault == "dup-param":
        param += b'; boundary="' + boundary_token(src) + b'"'
    elif src.chance(0.3):
        param = b"; boundary=" + boundary
    ctype = b"multipart/" + subtype.encode() + param
    if subtype == "related" and src.chance(0.5):
        ctype += b'; type="text/html"'
    children: list[Entity] = []
    n = src.int(0, prof.max_children)
    if subtype == "alternative":
        children = [text_entity(src, prof, eol), text_entity(src, prof, eol, html=True)][: max(1, n)]
    for _ in range(n - len(children)):
        children.append(entity(src, prof, depth + 1, eol, parent_boundary=boundary))
    parts = []
    if src.chance(0.2):
        parts.append(b"This is a multi-part message in MIME format." + eol)
    for i, child in enumerate(children):
        raw = assemble(child, eol)
        if fault == "no-blank":
            raw = raw.replace(eol + eol, eol, 1)
        parts.append(b"--" + used + eol + raw + eol)
        if fault == "early-close" and i == 0:
            parts.append(b"--" + used + b"--" + eol)
    if fault != "no-close":
        parts.append(b"--" + used + b"--" + eol)
    if fault == "dup-close":
        parts.append(b"--" + used + b"--" + eol + b"--" + used + eol + b"trailing" + eol)
    if src.chance(0.2):
        parts.append(b"epilogue " + vi_text(src).encode() + eol)
    return Entity([(b"Content-Type", ctype)], b"".join(parts))


def report_entity(src: Source, prof: Profile, depth: int, eol: bytes) -> Entity:
    src.note("multipart/report")
    boundary = boundary_token(src)
    ent = Entity([(b"Content-Type", b'multipart/report; report-type=delivery-status; boundary="' + boundary + b'"')])
    children = [text_entity(src, prof, eol), delivery_status(src, prof, eol)]
    if src.chance(0.7):
        children.append(rfc822_entity(src, prof, depth + 1, eol) if src.chance(0.6)
                        else Entity([(b"Content-Type", b"text/rfc822-headers")], assemble(Entity(top_headers(src, prof, eol, 0)), eol)))
    ent.body = b"".join(b"--" + boundary + eol + assemble(c, eol) + eol for c in children) + b"--" + boundary + b"--" + eol
    return ent


def rfc822_entity(src: Source, prof: Profile, depth: int, eol: bytes) -> Entity:
    src.note("message/rfc822")
    inner = mail_entity(src, prof, depth + 1, eol)
    ent = Entity([(b"Content-Type", b"message/rfc822" + (b'; name="fwd.eml"' if src.chance(0.3) else b""))])
    if src.chance(0.3):
        ent.headers.append((b"Content-Disposition", b'attachment; filename="' + encoded_words(src, "Thư chuyển tiếp.eml", prof) + b'"'))
    raw = assemble(inner, eol)
    if prof.fam(src, "transfer-encoding", 0.05):
        src.note("message/rfc822 in base64")
        ent.headers.append((b"Content-Transfer-Encoding", b"base64"))
        raw = base64.encodebytes(raw)
    ent.body = raw
    return ent


def entity(src: Source, prof: Profile, depth: int, eol: bytes, parent_boundary: bytes | None = None) -> Entity:
    nest = depth < prof.max_depth
    kind = src.weighted([(6, "text"), (2, "html"), (4 if prof.p_attachment else 0, "attachment"),
                         (4 if nest else 0, "multipart"), (2 if nest else 0, "rfc822"), (1 if nest else 0, "report"),
                         (1, "delivery-status"), (1, "odd")])
    if kind == "text":
        return text_entity(src, prof, eol)
    if kind == "html":
        return text_entity(src, prof, eol, html=True)
    if kind == "attachment":
        return attachment_entity(src, prof, eol)
    if kind == "multipart":
        return multipart(src, prof, depth, eol, parent_boundary=parent_boundary)
    if kind == "rfc822":
        return rfc822_entity(src, prof, depth, eol)
    if kind == "report":
        return report_entity(src, prof, depth, eol)
    if kind == "delivery-status":
        return delivery_status(src, prof, eol)
    ctype = src.choice([b"", b"text", b"/", b"multipart/mixed", b"message/partial; id=1; number=2; total=1",
                        b"message/external-body; access-type=x", b"text/plain; charset=" + b"\"" * 3,
                        b"application/ms-tnef", b"text/plain; name*0*=utf-8''%E1; name*2=x"])
    src.note(f"content-type {ctype[:30]!r}")
    return Entity([(b"Content-Type", ctype)], vi_text(src).encode())


def deep_chain(src: Source, prof: Profile, eol: bytes) -> Entity:
    """Nesting far past any sense, built without recursion: attached mails in attached mails,
    multiparts in multiparts, or both in turn."""
    n = src.int(*prof.nesting) if src.chance(0.8) else src.int(20, 200)
    style = src.weighted([(3, "rfc822"), (2, "multipart"), (1, "alternating"), (1, "digest"), (1, "unclosed")])
    src.note(f"deep {style}×{n}")
    leaf = b"Content-Type: text/plain; charset=utf-8" + eol + eol + "Báo cáo công tác trẻ em".encode() + eol
    if style == "rfc822":
        return Entity([(b"Content-Type", b"message/rfc822")],
                      (b"Subject: Fwd" + eol + b"Content-Type: message/rfc822" + eol + eol) * n + leaf)
    if style == "digest":
        body = bytearray()
        for i in range(n):
            body += b'Content-Type: multipart/digest; boundary="d%d"' % i + eol + eol + b"--d%d" % i + eol + eol
        return Entity([(b"MIME-Version", b"1.0")], bytes(body) + leaf)
    opened = []
    out = bytearray()
    for i in range(n):
        if style == "alternating" and i % 2:
            out += b"Content-Type: message/rfc822" + eol + eol
            continue
        b = b"n%d" % i
        out += b'Content-Type: multipart/mixed; boundary="' + b + b'"' + eol + eol + b"--" + b + eol
        opened.append(b)
    out += leaf
    if style != "unclosed":
        for b in reversed(opened):
            out += eol + b"--" + b + b"--" + eol
    return Entity([(b"MIME-Version", b"1.0")], bytes(out))


def top_headers(src: Source, prof: Profile, eol: bytes, serial: int) -> list[Header]:
    hs: list[Header] = [(b"From", mailbox(src, prof)), (b"To", address_list(src, prof)),
                        (b"Subject", subject(src, prof)), (b"Date", date_value(src, prof))]
    mid = message_id(src, prof, serial)
    if mid is not None:
        hs.append((b"Message-ID", mid))
    if src.chance(0.3):
        hs.append((b"Cc", address_list(src, prof)))
    for _ in range(src.int(0, 2)):
        hs.insert(0, (b"Received", b"from mx (mx [10.0.0.1]) by mail.binhphuoc.edu.vn; " + date_value(src, prof)))
    if src.chance(0.2):
        hs.append((b"Return-Path", src.choice([b"<>", b"<" + addr_spec(src) + b">", b"garbage", b"<"])))
    if src.chance(0.2):
        hs.append((b"In-Reply-To", b"<a@x>"))
        hs.append((b"References", b" ".join(b"<r%d@x>" % i for i in range(_size(src, prof, (1, 5), tag="references")))))
    if src.chance(0.1):
        hs.append(src.choice([(b"Auto-Submitted", b"auto-replied"), (b"Precedence", b"bulk"), (b"List-Id", b"<l.x>"),
                              (b"X-Autoreply", b"yes"), (b"Auto-Submitted", b"\xff\xfe")]))
    hs.append((b"MIME-Version", b"1.0"))
    if prof.fam(src, "raw-headers", 0.15):
        kind = src.weighted([(2, "8bit"), (1, "duplicate"), (1, "no-colon"), (1, "continuation-first"),
                             (1, "name-space"), (1, "many"), (1, "nul")])
        src.note(f"header {kind}")
        if kind == "8bit":
            hs.append((src.choice([b"Subject", b"From", b"X-Mailer", b"Content-Type", b"To"]),
                       encode_text(src, vi_text(src), src.choice(["utf-8", "cp1258", "tcvn"]), prof)))
        elif kind == "duplicate":
            hs.append((src.choice([b"Subject", b"From", b"Date", b"Content-Type", b"Message-ID"]), subject(src, prof)))
        elif kind == "no-colon":
            hs.append((b"", b"This line has no colon " + vi_text(src).encode()))
        elif kind == "continuation-first":
            hs.insert(0, (b"", b" continued from nothing"))
        elif kind == "name-space":
            hs.append((b"Subject ", b"spaced name"))
        elif kind == "many":
            hs += [(b"X-H%d" % i, b"v") for i in range(_size(src, prof, (10, 60), tag="header lines", family="raw-headers"))]
        else:
            hs.append((b"X-Nul", b"a\x00b"))
    if prof.fam(src, "long-lines", 0.08):
        n = _size(src, prof, (200, 1200), tag="long header line", family="long-lines")
        name = src.choice([b"Subject", b"X-Long", b"To", b"References", b"From"])
        unit = src.choice([b"a", b"=?utf-8?q?a?= ", "Báo cáo ".encode(), b"a@b.vn, ", b"(", b":"])
        src.note(f"long {name.decode()} line")
        hs.append((name, unit * max(1, n // len(unit))))
    return [(k, fold(v, eol, src)) for k, v in hs]


def mail_entity(src: Source, prof: Profile, depth: int, eol: bytes, serial: int = 0) -> Entity:
    if depth == 0 and prof.fam(src, "deep", prof.p_deep):
        body = deep_chain(src, prof, eol)
    else:
        body = entity(src, prof, depth, eol)
    return Entity(top_headers(src, prof, eol, serial) + body.headers, body.body)


def mail(src: Source, prof: Profile = BENCH, serial: int = 0) -> bytes:
    """One raw message as it could arrive in the mailbox."""
    eol = src.weighted([(6, b"\r\n"), (3, b"\n"), (1, b"mixed")])
    mixed = eol == b"mixed"
    raw = assemble(mail_entity(src, prof, 0, b"\r\n" if mixed else eol, serial), b"\r\n" if mixed else eol)
    if mixed:
        src.note("mixed line endings")
        rng = src.rng()
        raw = re.sub(rb"\r\n", lambda m: rng.choice([b"\r\n", b"\n", b"\r"]), raw[:20000]) + raw[20000:]
    if prof.fam(src, "structure", 0.05):
        kind = src.weighted([(1, "no-headers"), (1, "no-separator"), (1, "headers-only"), (1, "mbox-from"),
                             (1, "binary-prefix"), (1, "truncated"), (1, "nul-bytes")])
        src.note(f"structure {kind}")
        if kind == "no-headers":
            raw = raw.split(b"\n\n", 1)[-1].split(b"\r\n\r\n", 1)[-1]
        elif kind == "no-separator":
            raw = raw.replace(b"\r\n\r\n", b"\r\n", 1).replace(b"\n\n", b"\n", 1)
        elif kind == "headers-only":
            raw = raw.split(b"\n\n", 1)[0]
        elif kind == "mbox-from":
            raw = b"From MAILER-DAEMON Fri Jun 20 09:00:00 2024\n" + raw
        elif kind == "binary-prefix":
            raw = src.random_bytes(src.int(1, 64)) + raw
        elif kind == "truncated":
            raw = raw[: src.int(0, len(raw))]
        else:
            raw = raw.replace(b"\n", b"\x00\n", src.int(1, 10))
    if src.chance(prof.p_mutate_mail):
        src.note("mail bytes mutated")
        raw = mutate_bytes(src, raw, prof, ops=src.int(1, 3))
    return raw


# ================================================================ report files (real, small)

# A few indicators of config.example.toml's report: the files below are forms a parser can read
# (tests/test_fuzz.py checks the unmutated files give values, so these do not silently go stale).
DEFAULT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("tre_em_tong", "Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học", "người"),
    ("tre_hcdb", "Số trẻ em có hoàn cảnh đặc biệt", "người"),
    ("tt_so_buoi", "Số buổi tuyên truyền", "buổi"),
    ("tt_luot_hs", "Số lượt học sinh tham gia", "lượt"),
    ("bl_so_vu", "Số vụ bạo lực học đường", "vụ"),
    ("tntt_duoi_nuoc", "Số trẻ bị đuối nước", "em"),
)
FIXED_TIME = (2024, 6, 20, 9, 0, 0)
FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf")


def _normalize_zip(data: bytes) -> bytes:
    """The same bytes on every run: fixed member times, fixed document timestamps."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2024-06-20T09:00:00Z", content)
            zout.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    import warnings
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate member names are made on purpose
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in members:
                z.writestr(zipfile.ZipInfo(name, FIXED_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# prose the narrative reader takes figures from (the report's `patterns`)
NARRATIVE = ("Trong 6 tháng, đơn vị đã tổ chức 12 buổi tuyên truyền với 2.870 lượt học sinh tham gia; "
             "hiện có 41 trẻ em có hoàn cảnh đặc biệt; xảy ra 0 vụ bạo lực học đường.")


def _figure(i: int) -> int:
    return 10 * i + 3


def _xlsx(rows: tuple[tuple[str, str, str], ...]) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "BaoCao"
    ws.append(["BÁO CÁO CÔNG TÁC TRẺ EM 6 tháng đầu năm 2024"])
    ws.append(["STT", "Nội dung", "Mã", "Đơn vị tính", "Số liệu"])
    for i, (code, label, unit) in enumerate(rows, 1):
        ws.append([i, label, code, unit, _figure(i)])
    ws.append(["", "Tổng", "", "", "=SUM(E3:E8)"])
    buf = io.BytesIO()
    wb.save(buf)
    return _normalize_zip(buf.getvalue())


def _docx(rows: tuple[tuple[str, str, str], ...]) -> bytes:
    import docx
    document = docx.Document()
    document.add_paragraph("BÁO CÁO CÔNG TÁC TRẺ EM 6 tháng đầu năm 2024")
    document.add_paragraph("Đơn vị: Trường THPT Lộc Ninh")
    table = document.add_table(rows=1, cols=4)
    for cell, head in zip(table.rows[0].cells, ["STT", "Nội dung", "Đơn vị tính", "Số liệu"]):
        cell.text = head
    for i, (_, label, unit) in enumerate(rows, 1):
        for cell, value in zip(table.add_row().cells, [str(i), label, unit, f"{_figure(i)}"]):
            cell.text = value
    document.add_paragraph("Trong kỳ xảy ra 1 vụ đuối nước.")
    buf = io.BytesIO()
    document.save(buf)
    return _normalize_zip(buf.getvalue())


def _pdf(rows: tuple[tuple[str, str, str], ...]) -> bytes:
    import os
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
    font = "Helvetica"
    path = next((p for p in FONTS if os.path.exists(p)), None)
    if path:
        from reportlab.pdfbase.ttfonts import TTFont
        if "FuzzViet" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("FuzzViet", path))
        font = "FuzzViet"

    def t(s: str) -> str:
        return s if path else unicodedata.normalize("NFD", s).encode("ascii", "ignore").decode()
    table = Table([["STT", "Chỉ tiêu", "ĐVT", "Số liệu"]] +
                  [[str(i), t(label[:48]), t(unit), str(_figure(i))] for i, (_, label, unit) in enumerate(rows, 1)])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1, pageCompression=0)
    doc.build([Paragraph(t("BÁO CÁO công tác trẻ em 6 tháng đầu năm 2024"), ParagraphStyle("v", fontName=font)), table])
    return buf.getvalue()


def _csv(rows: tuple[tuple[str, str, str], ...]) -> bytes:
    lines = ["STT,Chỉ tiêu,Đơn vị tính,Số liệu"] + [f'{i},"{label}",{unit},{_figure(i)}' for i, (_, label, unit) in enumerate(rows, 1)]
    lines.append(NARRATIVE)
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _xls(rows: tuple[tuple[str, str, str], ...]) -> bytes | None:
    try:
        import xlwt  # type: ignore[import-untyped]
    except ImportError:
        return None
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("BaoCao")
    for j, head in enumerate(["STT", "Nội dung", "Mã", "Đơn vị tính", "Số liệu"]):
        ws.write(0, j, head)
    for i, (code, label, unit) in enumerate(rows, 1):
        for j, value in enumerate([i, label, code, unit, _figure(i)]):
            ws.write(i, j, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _eml(xlsx: bytes) -> bytes:
    b = base64.encodebytes(xlsx)
    return (b"From: =?utf-8?q?Tr=C6=B0=E1=BB=9Dng_THPT?= <thptlocninh@binhphuoc.edu.vn>\r\n"
            b"Subject: =?utf-8?b?" + _b64("Báo cáo công tác trẻ em".encode()) + b"?=\r\n"
            b"Date: Fri, 20 Jun 2024 09:00:00 +0700\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="in1"\r\n\r\n--in1\r\n'
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
            (NARRATIVE + "\r\n").encode() +
            b"--in1\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
            b"Content-Disposition: attachment; filename=\"bc.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            b + b"--in1--\r\n")


@functools.lru_cache(maxsize=None)
def seed_files(rows: tuple[tuple[str, str, str], ...] = DEFAULT_ROWS) -> dict[str, tuple[str, bytes]]:
    """kind -> (filename, bytes): small real report files, built once per process."""
    xlsx, docx_, pdf, csv = _xlsx(rows), _docx(rows), _pdf(rows), _csv(rows)
    files = {"xlsx": ("Báo cáo CTTE.xlsx", xlsx), "docx": ("Báo cáo CTTE.docx", docx_),
             "pdf": ("Báo cáo CTTE.pdf", pdf), "csv": ("so lieu.csv", csv),
             "zip": ("Báo cáo.zip", _zip([("Báo cáo CTTE.xlsx", xlsx), ("ghi chú.txt", csv),
                                          ("trong/bc.zip", _zip([("bc.docx", docx_)]))])),
             "eml": ("thư chuyển tiếp.eml", _eml(xlsx))}
    xls = _xls(rows)
    if xls:
        files["xls"] = ("Báo cáo CTTE.xls", xls)
    return files


# ================================================================ mutation

INTERESTING = [b"\x00", b"\xff" * 8, b"\x7f\xff\xff\xff", b"\x00\x00\x00\x80", b"PK\x03\x04", b"PK\x05\x06",
               b"<", b">", b"&x;", b"<!DOCTYPE a [<!ENTITY x \"yyyyyyyy\"><!ENTITY y \"&x;&x;&x;&x;\">]>",
               b"9" * 400, b"%PDF-1.7", b"endobj", b"stream\r\n", b"endstream", b"999999999 0 obj",
               b"<< /Length 999999999 >>", b"/Type /Page", b"(" * 200, b"[" * 300, b"<<" * 300,
               b"\xed\xa0\x80", b"\xc3", b"1e309", b"-0", b"NaN", b"\r\n\r\n", b"=?utf-8?b?", b"\\u0000"]
WEIRD_NUMBERS = [b"1e309", b"-1e309", b"NaN", b"inf", b"-0", b"1.2.3", b"9" * 400, "١٢٣".encode(), "１２３".encode(),
                 b"3.250,5", b"(12)", b"12%", "−5".encode(), b"", b" ", b"#DIV/0!", b"1E+400", b"0x1F", b"1_000",
                 b"-", b"..", b"3,250.00.1", b"99999999999999999999999", b"1/0", b"\xc2\xa0"]


def mutate(src: Source, data: bytes, kind: str, prof: Profile = BENCH) -> bytes:
    """`data` (a file of `kind`) truncated or mutated: byte flips, inserts, deletes, splices,
    and for zip-based formats changes inside a member (which keep the archive valid)."""
    structured = False
    if kind in ("xlsx", "docx", "zip") and src.chance(0.5):
        data, structured = mutate_member(src, data, kind, prof), True
    elif kind in ("csv", "eml") and src.chance(0.4):
        data, structured = replace_numbers(src, data), True
    elif kind == "pdf" and src.chance(0.3):
        data, structured = mutate_pdf(src, data), True
    if not structured or src.chance(0.2):
        data = mutate_bytes(src, data, prof, ops=src.int(1, 4))
    return data


def mutate_bytes(src: Source, data: bytes, prof: Profile = BENCH, ops: int = 1) -> bytes:
    buf = bytearray(data)
    for _ in range(ops):
        op = src.weighted([(2, "truncate"), (3, "flip"), (2, "insert"), (2, "delete"), (2, "splice"),
                           (1, "duplicate"), (1, "overwrite")])
        n = len(buf)
        at = src.int(0, n)
        src.note(f"bytes {op}")
        if op == "truncate":
            del buf[src.int(0, n) if src.chance(0.5) else max(0, n - src.int(1, 64)):]
        elif op == "flip" and n:
            for _ in range(src.int(1, 8)):
                i = src.int(0, n - 1)
                buf[i] ^= src.int(1, 255)
        elif op == "insert":
            token = src.choice(INTERESTING) if src.chance(0.7) else src.random_bytes(src.int(1, 64))
            buf[at:at] = token
        elif op == "delete":
            del buf[at:at + src.int(1, 256)]
        elif op == "splice":
            _, other = src.choice(sorted(seed_files().values()))
            a = src.int(0, len(other))
            buf[at:at] = other[a:a + src.int(1, 2048)]
        elif op == "duplicate" and n:
            a = src.int(0, n - 1)
            buf[at:at] = buf[a:a + src.int(1, 1024)]
        elif op == "overwrite" and n:
            fill = src.choice([b"\x00", b"\xff", b"A"])
            ln = src.int(1, 128)
            buf[at:at + ln] = fill * len(buf[at:at + ln])
    return bytes(buf)


def replace_numbers(src: Source, data: bytes) -> bytes:
    digits = [m.span() for m in re.finditer(rb"\d+", data)]
    if not digits:
        return data
    src.note("numbers replaced")
    out = data
    for _ in range(src.int(1, 4)):
        a, b = src.choice(digits)
        if b <= len(out):
            out = out[:a] + src.choice(WEIRD_NUMBERS) + out[b:]
    return out


def mutate_member(src: Source, data: bytes, kind: str, prof: Profile) -> bytes:
    """Change one member of a zip-based file and write the archive again (valid CRCs), so the
    parser, not the unzip step, meets the damage."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    except Exception:  # noqa: BLE001 - already broken: leave it to the byte mutations
        return data
    names = [n for n, _ in members]
    target = src.choice(names)
    op = src.weighted([(3, "bytes"), (3, "numbers"), (1, "entity"), (1, "drop"), (1, "dup-name"), (1, "special"),
                       (1, "traversal")])
    src.note(f"{kind} member {op} {target[:40]}")
    out = []
    for name, content in members:
        if name == target:
            if op == "bytes":
                content = mutate_bytes(src, content, prof, ops=src.int(1, 3))
            elif op == "numbers":
                content = replace_numbers(src, content)
            elif op == "entity":
                content = re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m.group(1) or b"") + src.choice(INTERESTING[9:10] + [b"<!DOCTYPE x SYSTEM \"file:///etc/passwd\">"]), content, count=1)
            elif op == "drop":
                continue
            elif op == "dup-name":
                out.append((name, mutate_bytes(src, content, prof)))
        if op == "special":  # a format-specific change, in the member it concerns
            content = _special(src, prof, kind, name, content)
        if op == "traversal" and name == target:
            name = "../../" + name
        out.append((name, content))
    return _zip(out)


def _special(src: Source, prof: Profile, kind: str, name: str, content: bytes) -> bytes:
    if kind == "xlsx" and name.startswith("xl/worksheets/"):
        how = src.weighted([(1, "dimension"), (1, "far-cell"), (1, "many-rows"), (1, "shared-string")])
        src.note(f"xlsx {how}")
        if how == "dimension":
            return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', content)
        if how == "far-cell":
            return content.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
        if how == "many-rows":
            n = _size(src, prof, (10, 200), tag="xlsx rows")
            rows = b"".join(b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>S\xe1\xbb\x91 v\xe1\xbb\xa5</t></is></c><c r="E%d"><v>%d</v></c></row>' % (20 + i, 20 + i, 20 + i, i) for i in range(n))
            return content.replace(b"</sheetData>", rows + b"</sheetData>")
        return re.sub(rb'<c r="([A-Z]+\d+)"( s="\d+")? t="s"><v>\d+</v>', rb'<c r="\1" t="s"><v>99999</v>', content, count=1)
    if kind == "docx" and name == "word/document.xml":
        how = src.weighted([(2, "deep-tables"), (1, "merged"), (1, "huge-span")])
        src.note(f"docx {how}")
        if how == "deep-tables":
            n = _size(src, prof, (2, 6), "nesting", "nested tables", "attachments")
            nest = (b"<w:tbl><w:tr><w:tc>" * n + b"<w:p><w:r><w:t>S\xe1\xbb\x91 v\xe1\xbb\xa5 b\xe1\xba\xa1o l\xe1\xbb\xb1c 3</w:t></w:r></w:p>"
                    + b"</w:tc></w:tr></w:tbl><w:p/>" * n)
            return content.replace(b"<w:sectPr", nest + b"<w:sectPr", 1)
        if how == "merged":
            return content.replace(b"<w:tcPr>", b'<w:tcPr><w:vMerge w:val="restart"/><w:gridSpan w:val="3"/>', 2)
        return content.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="' + src.choice([b"0", b"-1", b"65535", b"999999999", b"x"]) + b'"/>', 1)
    return content


def mutate_pdf(src: Source, data: bytes) -> bytes:
    how = src.weighted([(2, "length"), (1, "count"), (1, "xref"), (1, "encrypt"), (1, "kids-loop"), (1, "numbers")])
    src.note(f"pdf {how}")
    if how == "length":
        return re.sub(rb"/Length \d+", b"/Length " + src.choice([b"0", b"999999999", b"-1", b"1e9"]), data, count=src.int(1, 3))
    if how == "count":
        return re.sub(rb"/Count \d+", b"/Count " + src.choice([b"0", b"999999999", b"-5"]), data)
    if how == "xref":
        return re.sub(rb"startxref\s+\d+", b"startxref\n" + src.choice([b"0", b"99999999", b"1"]), data)
    if how == "encrypt":
        return data.replace(b"/Root", b"/Encrypt << /Filter /Standard /V 9 >> /Root", 1)
    if how == "kids-loop":
        return re.sub(rb"/Kids \[[^\]]*\]", b"/Kids [ 1 0 R 1 0 R ]", data, count=1)
    return replace_numbers(src, data)


def attachment_input(src: Source, kind: str | None = None, prof: Profile = BENCH) -> tuple[str, str, bytes]:
    """(seed kind, file name, mutated bytes) for the parsers."""
    files = seed_files()
    kind = kind or src.choice(sorted(files))
    name, data = files[kind]
    if src.chance(0.1):
        name = src.choice(["bc", "bc.xlsx", "bc.pdf", "bc.doc", "bc.txt", "bc.zip", "(không tên)", "a/../b.docx"])
        src.note(f"named {name}")
    return kind, name, mutate(src, data, kind, prof)


# ================================================================ hypothesis strategies


def mails(profile: Profile = CI):
    """Strategy: raw mail bytes."""
    from hypothesis import strategies as st

    @st.composite
    def _mail(draw: Callable[[Any], Any]) -> bytes:
        src = DrawSource(draw)
        raw = mail(src, profile)
        _tell(src)
        return raw
    return _mail()


def attachments(kind: str, profile: Profile = CI):
    """Strategy: (filename, mutated bytes) from the seed file of `kind`."""
    from hypothesis import strategies as st

    @st.composite
    def _attachment(draw: Callable[[Any], Any]) -> tuple[str, bytes]:
        src = DrawSource(draw)
        _, name, data = attachment_input(src, kind, profile)
        _tell(src)
        return name, data
    return _attachment()


def _tell(src: Source) -> None:
    """What was built, in hypothesis' report of a failing example."""
    try:
        from hypothesis import note
        note(f"input: {src.describe(30)}")
    except Exception:  # noqa: BLE001 - outside a test (e.g. .example())
        pass
