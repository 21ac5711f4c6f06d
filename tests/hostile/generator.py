"""Hostile and malformed mail, generated here: one function per class of trap.

Every trap function returns a list of `(name, raw_bytes)` pairs. Names are unique, made of
[a-z0-9_] only (they go into Maildir file names), and every pair's bytes are distinct from every
other's (each mail carries its own Message-ID), so one Maildir file is one stored message.
Everything is deterministic: randomness comes from `random.Random` seeded per trap, office files
are re-packed with fixed timestamps, PDFs are built in reportlab's invariant mode.

    traps()            every trap, in a fixed order
    realistic(n)       n well-formed mails of the kind the mailbox really gets
    mixed(n)           realistic(n) and traps() shuffled together (seeded)
    write_maildir()    a Maildir (cur/new/tmp) holding given pairs; returns file name -> pair name

Run `python3 -m tests.hostile.generator OUTDIR` from the repo root to write the corpus as .eml.
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import io
import random
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = 20240705
MB = 1024 * 1024

Pair = tuple[str, bytes]

REPORT_SUBJECT = "Báo cáo công tác trẻ em 6 tháng đầu năm 2024"
UNIT_FROM = "Trường THPT Lộc Ninh <thptlocninh@binhphuoc.edu.vn>"
UNIT_ADDR = "thptlocninh@binhphuoc.edu.vn"
MAILBOX = "trunghoc@binhphuoc.edu.vn"
DATE = "Thu, 20 Jun 2024 09:00:00 +0700"
REPORT_BODY = ("Kính gửi Sở Giáo dục và Đào tạo,\r\n\r\nTrường THPT Lộc Ninh gửi báo cáo công tác trẻ em "
               "6 tháng đầu năm 2024 (tệp đính kèm).\r\n\r\nTrân trọng.\r\n")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_ZIP_TIME = (9 << 11)                                  # 09:00:00, DOS format
_ZIP_DATE = ((2024 - 1980) << 9) | (6 << 5) | 20      # 2024-06-20


# ---------------------------------------------------------------- raw mail assembly

def _b(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def encode_words(text: str, *, per_word: int = 45, mode: str = "b", fold: bool = True) -> str:
    """RFC 2047 encoded words for `text`, whole characters per word, folded between words."""
    words, chunk = [], b""
    for ch in text:
        data = ch.encode("utf-8")
        if chunk and len(chunk) + len(data) > per_word:
            words.append(chunk)
            chunk = b""
        chunk += data
    if chunk:
        words.append(chunk)
    if mode == "b":
        out = [f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words]
    else:
        out = ["=?utf-8?q?" + "".join(chr(c) if 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 else f"={c:02X}"
                                      for c in w) + "?=" for w in words]
    return ("\r\n " if fold else " ").join(out)


def raw_mail(name: str, body: str | bytes = "Nội dung thư.\r\n", *, replace: dict[str, str | bytes | None] | None = None,
             extra: list[tuple[str, str | bytes]] = (), content_type: str | bytes | None = 'text/plain; charset="utf-8"',
             cte: str | None = "8bit") -> bytes:
    """A mail assembled byte by byte (no library tidying): default headers, some replaced or
    dropped (value None), extra headers appended, then the body as given."""
    headers: dict[str, str | bytes | None] = {
        "Return-Path": f"<{UNIT_ADDR}>",
        "From": UNIT_FROM, "To": MAILBOX, "Subject": encode_words(REPORT_SUBJECT), "Date": DATE,
        "Message-ID": f"<hostile-{name}@redteam.invalid>", "MIME-Version": "1.0",
        "Content-Type": content_type, "Content-Transfer-Encoding": cte,
    }
    for key, value in (replace or {}).items():
        headers[key] = value
    lines = [_b(k) + b": " + _b(v) for k, v in headers.items() if v is not None]
    lines += [_b(k) + b": " + _b(v) for k, v in extra]
    return b"\r\n".join(lines) + b"\r\n\r\n" + _b(body)


def multipart(name: str, parts: list[bytes], *, boundary: str | None = None, subtype: str = "mixed",
              replace: dict[str, str | bytes | None] | None = None, extra: list[tuple[str, str | bytes]] = ()) -> bytes:
    """A multipart mail whose parts are given as raw bytes (headers, blank line, body)."""
    boundary = boundary or f"=_hostile_{name}_"
    sep = f"\r\n--{boundary}\r\n".encode()
    body = (b"This is a multi-part message in MIME format.\r\n" + b"".join(sep + part for part in parts)
            + f"\r\n--{boundary}--\r\n".encode())
    return raw_mail(name, body, replace=replace, extra=extra, cte=None,
                    content_type=f'multipart/{subtype}; boundary="{boundary}"')


def text_part(text: str | bytes, charset: str = "utf-8", cte: str = "8bit", ctype: str = "text/plain") -> bytes:
    return (f'Content-Type: {ctype}; charset="{charset}"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n').encode() + _b(text)


def file_part(data: bytes, filename: str, mime: str = "application/octet-stream", cte: str = "base64") -> bytes:
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n") if cte == "base64" else data
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    return (f'Content-Type: {mime}; name="{quoted}"\r\nContent-Disposition: attachment; filename="{quoted}"\r\n'
            f"Content-Transfer-Encoding: {cte}\r\n\r\n").encode() + encoded


def report_mail(name: str, files: list[tuple[bytes, str, str]]) -> bytes:
    """The report mail a unit sends, carrying `files` (data, file name, MIME type)."""
    parts = [text_part(REPORT_BODY)] + [file_part(d, encode_words(n, fold=False) if not n.isascii() else n, m)
                                        for d, n, m in files]
    return multipart(name, parts)


# ---------------------------------------------------------------- deterministic files

def _zip(members: list[tuple[str, bytes]], *, level: int = 6) -> bytes:
    """A zip written by hand (fixed timestamps, deflate), so its bytes never change."""
    return _zip_raw([(n, *_deflate(d, level)) for n, d in members])


def _deflate(data: bytes, level: int = 6) -> tuple[bytes, int, int]:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data) & 0xFFFFFFFF, len(data)


def _zip_raw(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """members: (name, deflated bytes, crc32, uncompressed size)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, packed, crc, size in members:
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, _ZIP_TIME, _ZIP_DATE, crc, len(packed), size,
                              len(encoded), 0) + encoded + packed)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 8, _ZIP_TIME, _ZIP_DATE, crc,
                                  len(packed), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    cd = central.getvalue()
    start = out.tell()
    out.write(cd)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(cd), start, 0))
    return out.getvalue()


_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _repack(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """An office file (a zip) re-written with fixed timestamps and fixed core-property dates."""
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            content = (replace or {}).get(info.filename, zf.read(info))
            if info.filename == "docProps/core.xml":
                content = _CORE_DATE.sub(rb"\g<1>2024-06-20T02:00:00Z\g<2>", content)
            members.append((info.filename, content))
    return _zip(members)


def _reportfiles():  # type: ignore[no-untyped-def]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests import reportfiles
    return reportfiles


@functools.lru_cache(maxsize=None)
def xlsx_report(unit_code: str = "THPT-LOCNINH", scale: int = 1) -> bytes:
    rf = _reportfiles()
    values = {k: v * scale for k, v in rf.SAMPLE.items()}
    return _repack(rf.filled_xlsx(values, unit_code=unit_code))


@functools.lru_cache(maxsize=None)
def docx_report() -> bytes:
    return _repack(_reportfiles().docx_report(padding=2))


@functools.lru_cache(maxsize=None)
def narrative_docx() -> bytes:
    return _repack(_reportfiles().narrative_docx())


@functools.lru_cache(maxsize=None)
def pdf_report() -> bytes:
    from reportlab import rl_config
    saved = rl_config.invariant
    rl_config.invariant = 1
    try:
        return _reportfiles().pdf_report(prose_paragraphs=2)
    finally:
        rl_config.invariant = saved


def _mutate(data: bytes, seed: int, flips: int = 96, keep: int = 64) -> bytes:
    """`flips` random bytes overwritten past the first `keep` (so the file type still shows)."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        out[rng.randrange(keep, len(out))] = rng.randrange(256)
    return bytes(out)


def png_noise(width: int, height: int, seed: int) -> bytes:
    """A truecolour PNG of random pixels: incompressible, width*height*3 bytes and a bit."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


@functools.lru_cache(maxsize=None)
def _deflated_run(byte: bytes, megabytes: int) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = byte * MB
    crc = 0
    packed = []
    for _ in range(megabytes):
        packed.append(c.compress(block))
        crc = zlib.crc32(block, crc)
    packed.append(c.flush())
    return b"".join(packed), crc & 0xFFFFFFFF, megabytes * MB


# ---------------------------------------------------------------- traps: MIME structure

def mime_nested_multipart(depth: int = 2000) -> list[Pair]:
    """multipart inside multipart, `depth` levels: the stdlib parser recurses once per level."""
    name = "mime_nested_multipart_2000"
    opening = b"".join(f'--n{i}\r\nContent-Type: multipart/mixed; boundary="n{i + 1}"\r\n\r\n'.encode()
                       for i in range(1, depth))
    inner = f"--n{depth}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nđáy\r\n--n{depth}--\r\n".encode()
    closing = b"".join(f"--n{i}--\r\n".encode() for i in range(depth - 1, 0, -1))
    return [(name, raw_mail(name, opening + inner + closing, content_type='multipart/mixed; boundary="n1"', cte=None))]


def mime_nested_rfc822(depth: int = 500) -> list[Pair]:
    """A forward of a forward of a forward..., `depth` message/rfc822 levels."""
    name = "mime_nested_rfc822_500"
    body = "Content-Type: text/plain; charset=utf-8\r\n\r\nThư gốc.\r\n".encode()
    for i in range(depth, 0, -1):
        body = (f"From: Cấp {i} <cap{i}@binhphuoc.edu.vn>\r\nSubject: Fwd: {REPORT_SUBJECT}\r\n"
                f"Content-Type: message/rfc822\r\n\r\n").encode() + body
    top = b"Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n" + body
    return [(name, multipart(name, [text_part("Chuyển tiếp thư.\r\n"), top]))]


def mime_rfc822_base64_deep(depth: int = 2000) -> list[Pair]:
    """A message/rfc822 part sent base64: the deep multipart only appears once decoded."""
    name = "mime_rfc822_base64_deep"
    inner = mime_nested_multipart(depth)[0][1]
    part = (b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(inner).replace(b"\n", b"\r\n"))
    return [(name, multipart(name, [text_part("Thư chuyển tiếp đính kèm.\r\n"), part]))]


def mime_sibling_parts(n: int = 20000) -> list[Pair]:
    name = "mime_sibling_parts_20000"
    parts = [f'Content-Type: text/plain; name="phan-{i}.txt"\r\nContent-Disposition: attachment; '
             f'filename="phan-{i}.txt"\r\n\r\n{i}\r\n'.encode() for i in range(n)]
    return [(name, multipart(name, parts, boundary="s"))]


def mime_boundary_tricks() -> list[Pair]:
    """multipart with no boundary, and with a boundary that never appears."""
    out = []
    name = "mime_multipart_no_boundary"
    out.append((name, raw_mail(name, "--x\r\nContent-Type: text/plain\r\n\r\nabc\r\n--x--\r\n",
                               content_type="multipart/mixed", cte=None)))
    name = "mime_boundary_never_seen"
    out.append((name, raw_mail(name, "Không có ranh giới nào ở đây.\r\n" * 50,
                               content_type='multipart/mixed; boundary="khong-bao-gio-co"', cte=None)))
    return out


# ---------------------------------------------------------------- traps: dates

def dates() -> list[Pair]:
    """Dates at and past the edges of datetime: year 9999, year 0 and 1, a +99999 offset."""
    bad = {"year_9999": "Fri, 31 Dec 9999 23:59:59 +0000",
           "year_9999_west": "Fri, 31 Dec 9999 23:59:59 -1200",
           "year_0": "Sat, 01 Jan 0000 00:00:00 +0700",
           "year_1": "Mon, 01 Jan 0001 00:00:00 +0700",
           "offset_99999": "Fri, 05 Jul 2024 08:00:00 +99999"}
    out = []
    for key, value in bad.items():
        name = f"date_{key}"
        out.append((name, raw_mail(name, REPORT_BODY, replace={"Date": value})))
    for key, value in bad.items():
        name = f"received_{key}"
        received = f"from mx1.example.invalid (mx1.example.invalid [192.0.2.1])\r\n\tby mail.binhphuoc.edu.vn; {value}"
        out.append((name, raw_mail(name, REPORT_BODY, extra=[("Received", received)])))
    return out


# ---------------------------------------------------------------- traps: addresses

def addresses_colons(n: int = 5000) -> list[Pair]:
    out = []
    for field in ("From", "To", "Cc"):
        name = f"{field.lower()}_colons_{n}"
        value = ":" * n + f" <{UNIT_ADDR}>" if field == "From" else ":" * n + f" <{MAILBOX}>"
        out.append((name, raw_mail(name, REPORT_BODY, replace={field: value})))
    return out


def addresses_nested_comments(depth: int = 5000) -> list[Pair]:
    out = []
    for field in ("From", "To", "Cc"):
        name = f"{field.lower()}_comments_{depth}"
        addr = UNIT_ADDR if field == "From" else MAILBOX
        out.append((name, raw_mail(name, REPORT_BODY, replace={field: f"{'(' * depth}{')' * depth} {addr}"})))
    return out


def inline_forward_hostile_from() -> list[Pair]:
    """A "Fwd:" mail whose pasted forward has a From: line of the shapes above."""
    out = []
    for key, line in (("colons", ":" * 5000 + f" <{UNIT_ADDR}>"),
                      ("comments", "(" * 5000 + ")" * 5000 + f" {UNIT_ADDR}")):
        name = f"fwd_body_from_{key}"
        body = ("Chuyển tiếp báo cáo của đơn vị.\r\n\r\n---------- Forwarded message ---------\r\n"
                f"From: {line}\r\nDate: Thu, 20 Jun 2024 at 08:15\r\nSubject: {REPORT_SUBJECT}\r\n"
                f"To: <{MAILBOX}>\r\n\r\nKính gửi Sở GDĐT.\r\n")
        out.append((name, raw_mail(name, body, replace={
            "From": "Phòng Giáo dục và Đào tạo Lộc Ninh <pgdlocninh@binhphuoc.edu.vn>",
            "Subject": encode_words("Fwd: " + REPORT_SUBJECT)})))
    return out


def surrogate_names() -> list[Pair]:
    """Display names (and a subject, a file name) that decode to lone surrogates."""
    words = {
        "utf7": "=?utf-7?q?Tr+3IA-ng+2AA-?=",                  # UTF-7 decodes to a lone U+DC80 and U+D800
        "unicode_escape": "=?unicode-escape?q?Tr\\udc80\\ud800ng?=",
        "raw_unicode_escape": "=?raw-unicode-escape?q?Tr\\udcff?=",
        "utf8_encoded_surrogate": "=?utf-8?b?" + base64.b64encode(b"Tr\xed\xb2\x80\xed\xa0\x80ng").decode() + "?=",
        "utf16_lone": "=?utf-16-le?b?" + base64.b64encode(b"T\x00\x00\xd8r\x00").decode() + "?=",
    }
    out = []
    for key, word in words.items():
        name = f"name_surrogate_{key}"
        out.append((name, raw_mail(name, REPORT_BODY, replace={"From": f"{word} <{UNIT_ADDR}>"})))
    name = "name_surrogate_raw_8bit"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"From": b"Tr\xed\xb2\x80\xed\xb2\x81ng <" + UNIT_ADDR.encode() + b">"})))
    name = "subject_surrogate_utf7"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"Subject": "=?utf-7?q?B+3IA-o c+AOE-o?= " + REPORT_SUBJECT})))
    name = "filename_surrogate_utf7"
    out.append((name, report_mail_raw_name(name, "=?utf-7?q?bao+3IA-cao?=.xlsx", xlsx_report())))
    return out


def report_mail_raw_name(name: str, raw_filename: str, data: bytes) -> bytes:
    part = (f'Content-Type: {XLSX}; name="{raw_filename}"\r\nContent-Disposition: attachment; filename="{raw_filename}"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + base64.encodebytes(data).replace(b"\n", b"\r\n")
    return multipart(name, [text_part(REPORT_BODY), part])


def encoded_colons(n: int = 10000) -> list[Pair]:
    """RFC 2047 words that decode to `n` colons, in From and in To."""
    word = "=?utf-8?b?" + base64.b64encode(b":" * n).decode() + "?="
    out = []
    name = "from_encoded_colons"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"From": f"{word} <{UNIT_ADDR}>"})))
    name = "to_encoded_colons"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"To": f"{word} <{MAILBOX}>"})))
    name = "subject_encoded_colons"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"Subject": word})))
    return out


def many_recipients(n: int = 10000) -> list[Pair]:
    name = f"to_{n}_addresses"
    to = ",\r\n ".join(f"Người nhận {i} <nguoinhan{i}@truong{i % 50}.edu.vn>" for i in range(n))
    return [(name, raw_mail(name, REPORT_BODY, replace={"To": to}))]


def duplicate_and_broken_headers() -> list[Pair]:
    out = []
    name = "two_from_headers"
    out.append((name, raw_mail(name, REPORT_BODY, extra=[("From", "Người khác <nguoikhac@gmail.com>")])))
    name = "bare_cr_in_from"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"From": f"Trường THPT\rLộc Ninh <thptlocninh@\rbinhphuoc.edu.vn>"})))
    name = "no_from_no_date_no_id"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"From": None, "Date": None, "Message-ID": None,
                                                           "Return-Path": None, "Subject": "no id"})))
    return out


# ---------------------------------------------------------------- traps: sizes and regexes

def body_dashes() -> list[Pair]:
    """A line of dashes: the forward-marker regex backtracks on it."""
    out = []
    for key, n in (("1500", 1500), ("100k", 100 * 1024)):
        name = f"body_dashes_{key}"
        out.append((name, raw_mail(name, "Kính gửi Sở,\r\n" + "-" * n + "\r\nTrân trọng.\r\n")))
    name = "body_dashes_forward_words"
    out.append((name, raw_mail(name, "-" * 3000 + " forward " + "-" * 3000 + "\r\n")))
    return out


def big_subjects() -> list[Pair]:
    """200 KB of whole-syllable encoded words, and 1 MB of words that split characters."""
    rng = random.Random(SEED + 1)
    syllables = "báo cáo công tác trẻ em sáu tháng đầu năm trường trung học phổ thông lộc ninh".split()
    out = []
    text = ""
    while len(text) < 90_000:
        text += rng.choice(syllables) + " "
    name = "subject_rfc2047_200k"
    subject = encode_words(text, per_word=30)
    assert len(subject) > 200 * 1024, len(subject)
    out.append((name, raw_mail(name, REPORT_BODY, replace={"Subject": subject})))
    # one or two bytes per word, so most characters are split across two words
    data = "".join(rng.choice(syllables) + " " for _ in range(20_000)).encode("utf-8")
    words, i = [], 0
    while i < len(data) and len(words) * 16 < MB:
        step = rng.choice((1, 2))
        words.append("=?utf-8?q?" + "".join(f"={c:02X}" for c in data[i:i + step]) + "?=")
        i += step
    while len("\r\n ".join(words)) < MB:
        words.extend(words[: len(words) // 4 or 1])
    name = "subject_rfc2047_1m"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"Subject": "\r\n ".join(words)})))
    return out


def encoded_word_fragments(size: int = 100 * 1024) -> list[Pair]:
    """Runs of "=?" and of "=?utf-8?q?" that never close."""
    out = []
    for key, frag in (("eq_q", "=?"), ("utf8_q", "=?utf-8?q?")):
        run = frag * (size // len(frag))
        name = f"subject_fragments_{key}"
        out.append((name, raw_mail(name, REPORT_BODY, replace={"Subject": run})))
    name = "from_fragments_utf8_q"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"From": "=?utf-8?q?" * (size // 10) + f" <{UNIT_ADDR}>"})))
    return out


def huge_headers() -> list[Pair]:
    out = []
    name = "header_block_2mb"
    lines = [("Received", f"from relay{i}.example.invalid by mx{i % 7}.binhphuoc.edu.vn with ESMTP id {i:08x}")
             for i in range(5000)]
    i, size = 0, sum(len(k) + len(v) + 4 for k, v in lines)
    while size < 2 * MB:
        lines.append((f"X-Filler-{i}", f"{i:06d} " + "báo cáo ".encode().hex()[: 80]))
        size += len(lines[-1][0]) + len(lines[-1][1]) + 4
        i += 1
    out.append((name, raw_mail(name, REPORT_BODY, extra=lines)))
    name = "header_line_1mb_subject"
    out.append((name, raw_mail(name, REPORT_BODY, replace={"Subject": "Báo cáo " + "trẻ em " * (MB // 9)})))
    name = "header_line_1mb_x"
    out.append((name, raw_mail(name, REPORT_BODY, extra=[("X-Long", "a" * MB)])))
    return out


def long_body_line() -> list[Pair]:
    name = "body_line_1mb_no_newline"
    rng = random.Random(SEED + 2)
    words = "báo cáo công tác trẻ em năm học".split()
    text = []
    size = 0
    while size < MB:
        w = rng.choice(words)
        text.append(w)
        size += len(w.encode()) + 1
    return [(name, raw_mail(name, " ".join(text)))]


def html_unclosed_scripts(n: int = 50000) -> list[Pair]:
    name = f"html_unclosed_script_{n}"
    html = "<html><body><p>Báo cáo công tác trẻ em</p>" + "<script " * n + "</body></html>"
    out = [(name, raw_mail(name, html, content_type='text/html; charset="utf-8"'))]
    name = "html_unclosed_style_and_tags"
    html = "<html><body>" + "<style>" * 20000 + "<" * 50000 + "<div " * 20000
    out.append((name, raw_mail(name, html, content_type='text/html; charset="utf-8"')))
    return out


# ---------------------------------------------------------------- traps: charsets and encodings

def charsets_and_encodings() -> list[Pair]:
    out = []
    name = "charset_unknown"
    out.append((name, raw_mail(name, REPORT_BODY.encode("utf-8"), content_type='text/plain; charset="x-vn-khong-co"')))
    name = "charset_utf7"
    out.append((name, raw_mail(name, REPORT_BODY.encode("utf-7") + b"+3IA-", content_type='text/plain; charset="utf-7"',
                               cte="7bit")))
    name = "charset_codec_not_text"
    out.append((name, raw_mail(name, base64.b64encode(b"x" * 100), content_type='text/plain; charset="base64"')))
    name = "charset_rfc2047_unknown"
    out.append((name, raw_mail(name, REPORT_BODY, replace={
        "Subject": "=?x-khong-co?q?B=E1o_c=E1o?= =?utf-8?x?abc?= =?utf-8?b?!!!?=",
        "From": f"=?bogus-charset?b?VHLGsOG7nW5n?= <{UNIT_ADDR}>"})))
    name = "base64_broken"
    out.append((name, raw_mail(name, b"S2luaCBn!!!@@@\r\n====\r\nabc=def\r\n\xff\xfe\r\nZ", cte="base64")))
    name = "quoted_printable_broken"
    out.append((name, raw_mail(name, b"B=E1o c=E1=BA=ZZo =\r\n=\r\n=E1=\r\n" + b"=" * 5000, cte="quoted-printable")))
    name = "cte_lie_base64_binary"
    liar = (f'Content-Type: {XLSX}; name="bao_cao.xlsx"\r\nContent-Disposition: attachment; filename="bao_cao.xlsx"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + xlsx_report()   # declared base64, raw zip sent
    out.append((name, multipart(name, [text_part(REPORT_BODY), liar])))
    name = "cte_lie_base64_random_binary"
    rng = random.Random(SEED + 3)
    liar = (b'Content-Type: application/octet-stream; name="du_lieu.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + rng.randbytes(64 * 1024))
    out.append((name, multipart(name, [text_part(REPORT_BODY), liar])))
    name = "cte_unknown"
    odd = (f'Content-Type: {XLSX}; name="bao_cao.xlsx"\r\nContent-Disposition: attachment; filename="bao_cao.xlsx"\r\n'
           "Content-Transfer-Encoding: x-khong-ro\r\n\r\n").encode() + xlsx_report()
    out.append((name, multipart(name, [text_part(REPORT_BODY, cte="x-uuencode-hoac-gi-do"), odd])))
    return out


def nul_and_garbage() -> list[Pair]:
    out = []
    name = "nul_bytes"
    out.append((name, raw_mail(name, "Báo\x00cáo\x00\r\n" * 100, replace={
        "Subject": "Báo\x00cáo công tác trẻ em", "From": f"Trường\x00THPT <{UNIT_ADDR}>"})))
    rng = random.Random(SEED + 4)
    out.append(("binary_garbage", rng.randbytes(64 * 1024)))
    out.append(("binary_garbage_with_header", b"From: " + rng.randbytes(4096) + b"\r\n\r\n" + rng.randbytes(4096)))
    out.append(("empty_file", b""))
    name = "headers_only"
    out.append((name, raw_mail(name, b"")[:-4]))                      # no blank line, no body
    out.append(("one_newline", b"\n"))
    out.append(("not_a_mail_text", "Đây không phải là một bức thư.\n".encode() * 10))
    return out


# ---------------------------------------------------------------- traps: attachments

def broken_report_files() -> list[Pair]:
    """The report mail, its attachment truncated or mutated."""
    xlsx, docx_, pdf = xlsx_report(), docx_report(), pdf_report()
    zipped = _zip([("Báo cáo CTTE.xlsx", xlsx)])
    out = []
    for kind, data, fname, mime in (("xlsx", xlsx, "Báo cáo CTTE 6 tháng.xlsx", XLSX),
                                    ("docx", docx_, "Báo cáo CTTE 6 tháng.docx", DOCX),
                                    ("pdf", pdf, "Báo cáo CTTE 6 tháng.pdf", "application/pdf"),
                                    ("zip", zipped, "Báo cáo CTTE 6 tháng.zip", "application/zip")):
        name = f"attachment_{kind}_truncated"
        out.append((name, report_mail(name, [(data[: len(data) // 2], fname, mime)])))
        name = f"attachment_{kind}_mutated"
        out.append((name, report_mail(name, [(_mutate(data, SEED + len(kind)), fname, mime)])))
    return out


def zip_bombs() -> list[Pair]:
    out = []
    packed, crc, size = _deflated_run(b"\x00", 100)                  # 100 MB -> ~100 KB
    bomb = _zip_raw([(f"BaoCao_CTTE_{i}.xlsx", packed, crc, size) for i in range(10)])   # 1 GB
    name = "attachment_zip_bomb"
    out.append((name, report_mail(name, [(bomb, "Báo cáo CTTE.zip", "application/zip")])))
    # an .xlsx whose sheet XML is 100 MB of whitespace
    xlsx = xlsx_report()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    pad, pad_crc, pad_size = _deflated_run(b" ", 100)
    rebuilt = []
    for fname, content in members:
        if fname.startswith("xl/worksheets/sheet") and b"<sheetData>" in content:
            head, tail = content.split(b"<sheetData>", 1)
            head += b"<sheetData>"
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            block = b" " * MB
            parts, crcv = [c.compress(head)], zlib.crc32(head)
            for _ in range(100):
                parts.append(c.compress(block))
                crcv = zlib.crc32(block, crcv)
            parts.append(c.compress(tail))
            crcv = zlib.crc32(tail, crcv)
            parts.append(c.flush())
            rebuilt.append((fname, b"".join(parts), crcv & 0xFFFFFFFF, len(head) + 100 * MB + len(tail)))
        else:
            rebuilt.append((fname, *_deflate(content)))
    name = "attachment_xlsx_bomb"
    out.append((name, report_mail(name, [(_zip_raw(rebuilt), "Báo cáo CTTE.xlsx", XLSX)])))
    name = "attachment_zip_10000_entries"
    many = _zip([(f"bao-cao/{i:05d}.txt", f"{i}\n".encode()) for i in range(10000)], level=1)
    out.append((name, report_mail(name, [(many, "Báo cáo.zip", "application/zip")])))
    name = "attachment_zip_nested"
    nested = _zip([("Báo cáo CTTE.xlsx", xlsx)])
    for level in range(12):
        nested = _zip([(f"lop{level}.zip", nested)])
    out.append((name, report_mail(name, [(nested, "Báo cáo lồng nhau.zip", "application/zip")])))
    return out


def hostile_attachment_names() -> list[Pair]:
    name = "attachment_hostile_names"
    data = xlsx_report()
    files = [(data, "../../../../etc/cron.d/baocao.xlsx", XLSX),
             (data, "..\\..\\Windows\\System32\\bao_cao.xlsx", XLSX),
             (data, "bao cao " + "rất dài " * 1500 + ".xlsx", XLSX),
             (data, "con\x00trol\r\n.xlsx", XLSX)]
    out = [(name, report_mail(name, files))]
    name = "rfc2231_10000_segments"
    segs = ";\r\n ".join(f"filename*{i}*={'utf-8' + chr(39) * 2 if i == 0 else ''}B%C3%A1o{i}" for i in range(10000))
    part = (f"Content-Type: {XLSX}\r\nContent-Disposition: attachment;\r\n {segs}\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + base64.encodebytes(data).replace(b"\n", b"\r\n")
    out.append((name, multipart(name, [text_part(REPORT_BODY), part])))
    return out


def newsletter_with_image() -> list[Pair]:
    """A newsletter that mentions child care, carrying an 840 KB picture of noise."""
    name = "newsletter_png_840k"
    png = png_noise(530, 541, SEED + 5)
    assert 830 * 1024 < len(png) < 900 * 1024, len(png)
    html = ("<html><body><h1>Bản tin Giáo dục tháng 6</h1><p>Chăm sóc trẻ em mùa hè: những điều cha mẹ cần biết.</p>"
            '<img src="cid:anh1@tintuc"></body></html>')
    image = (b'Content-Type: image/png; name="anh-bia.png"\r\nContent-Disposition: attachment; filename="anh-bia.png"\r\n'
             b"Content-ID: <anh1@tintuc>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
             + base64.encodebytes(png).replace(b"\n", b"\r\n"))
    mail = multipart(name, [text_part(html, ctype="text/html"), image], subtype="related", replace={
        "From": "Bản tin Giáo dục <bantin@tintuc-giaoduc.example.vn>",
        "Return-Path": "<bounce-123@tintuc-giaoduc.example.vn>",
        "Subject": encode_words("Bản tin: Chăm sóc trẻ em mùa hè – báo cáo chuyên đề")},
        extra=[("List-Unsubscribe", "<mailto:huy@tintuc-giaoduc.example.vn>, <https://tintuc-giaoduc.example.vn/huy>"),
               ("List-Id", "Ban tin <bantin.tintuc-giaoduc.example.vn>")])
    return [(name, mail)]


TRAP_CLASSES: tuple[Callable[[], list[Pair]], ...] = (
    mime_nested_multipart, mime_nested_rfc822, mime_rfc822_base64_deep, mime_sibling_parts, mime_boundary_tricks,
    dates, addresses_colons, addresses_nested_comments, inline_forward_hostile_from, surrogate_names, encoded_colons,
    many_recipients, duplicate_and_broken_headers, body_dashes, big_subjects, encoded_word_fragments, huge_headers,
    long_body_line, html_unclosed_scripts, charsets_and_encodings, nul_and_garbage, broken_report_files, zip_bombs,
    hostile_attachment_names, newsletter_with_image,
)


# Known without building a byte (test ids at collection time); `_traps` checks they agree.
TRAP_NAMES: tuple[str, ...] = (
    "mime_nested_multipart_2000", "mime_nested_rfc822_500", "mime_rfc822_base64_deep",
    "mime_sibling_parts_20000", "mime_multipart_no_boundary", "mime_boundary_never_seen", "date_year_9999",
    "date_year_9999_west", "date_year_0", "date_year_1", "date_offset_99999", "received_year_9999",
    "received_year_9999_west", "received_year_0", "received_year_1", "received_offset_99999",
    "from_colons_5000", "to_colons_5000", "cc_colons_5000", "from_comments_5000", "to_comments_5000",
    "cc_comments_5000", "fwd_body_from_colons", "fwd_body_from_comments", "name_surrogate_utf7",
    "name_surrogate_unicode_escape", "name_surrogate_raw_unicode_escape",
    "name_surrogate_utf8_encoded_surrogate", "name_surrogate_utf16_lone", "name_surrogate_raw_8bit",
    "subject_surrogate_utf7", "filename_surrogate_utf7", "from_encoded_colons", "to_encoded_colons",
    "subject_encoded_colons", "to_10000_addresses", "two_from_headers", "bare_cr_in_from",
    "no_from_no_date_no_id", "body_dashes_1500", "body_dashes_100k", "body_dashes_forward_words",
    "subject_rfc2047_200k", "subject_rfc2047_1m", "subject_fragments_eq_q", "subject_fragments_utf8_q",
    "from_fragments_utf8_q", "header_block_2mb", "header_line_1mb_subject", "header_line_1mb_x",
    "body_line_1mb_no_newline", "html_unclosed_script_50000", "html_unclosed_style_and_tags", "charset_unknown",
    "charset_utf7", "charset_codec_not_text", "charset_rfc2047_unknown", "base64_broken",
    "quoted_printable_broken", "cte_lie_base64_binary", "cte_lie_base64_random_binary", "cte_unknown",
    "nul_bytes", "binary_garbage", "binary_garbage_with_header", "empty_file", "headers_only", "one_newline",
    "not_a_mail_text", "attachment_xlsx_truncated", "attachment_xlsx_mutated", "attachment_docx_truncated",
    "attachment_docx_mutated", "attachment_pdf_truncated", "attachment_pdf_mutated", "attachment_zip_truncated",
    "attachment_zip_mutated", "attachment_zip_bomb", "attachment_xlsx_bomb", "attachment_zip_10000_entries",
    "attachment_zip_nested", "attachment_hostile_names", "rfc2231_10000_segments", "newsletter_png_840k",
)


@functools.lru_cache(maxsize=1)
def _traps() -> tuple[Pair, ...]:
    pairs: list[Pair] = []
    for make in TRAP_CLASSES:
        pairs.extend(make())
    names = [n for n, _ in pairs]
    assert len(set(names)) == len(names), "trap names must be unique"
    assert tuple(names) == TRAP_NAMES, f"update TRAP_NAMES: {sorted(set(names) ^ set(TRAP_NAMES))}"
    assert all(re.fullmatch(r"[a-z0-9_]+", n) for n in names), names
    return tuple(pairs)


def traps() -> list[Pair]:
    return list(_traps())


def trap(name: str) -> bytes:
    return dict(_traps())[name]


# ---------------------------------------------------------------- realistic mail

@functools.lru_cache(maxsize=1)
def units() -> list[dict[str, str]]:
    with open(ROOT / "units.example.csv", encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row.get("emails")]


# The unaccented subject and file names are deliberate: units type them that way.
REPORT_SUBJECTS = (
    "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
    "V/v báo cáo công tác bảo vệ, chăm sóc trẻ em 6 tháng đầu năm 2024",
    "BC CTTE 6 tháng đầu năm 2024 - {name}",
    "{name} gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024",
    "bao cao cong tac tre em 6 thang dau nam 2024",
)


def _realistic_one(i: int, rng: random.Random) -> Pair:
    from tests.mails import TZ, build
    unit = rng.choice(units())
    addr = unit["emails"].split(";")[0].strip()
    sender = f"{unit['name']} <{addr}>"
    when = dt.datetime(2024, 6, 1, 7, 0, tzinfo=TZ) + dt.timedelta(days=rng.randrange(34), minutes=rng.randrange(660))
    mid = f"<real-{i:03d}.{rng.randrange(1 << 30):08x}@binhphuoc.edu.vn>"
    subject = rng.choice(REPORT_SUBJECTS).format(name=unit["name"])
    body = (f"Kính gửi Sở Giáo dục và Đào tạo,\n\n{unit['name']} gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024 "
            "(tệp đính kèm).\n\nTrân trọng.")
    kind = i % 12
    files: list[tuple[bytes, str, str]] = []
    headers: dict[str, str] = {}
    if kind in (0, 6):
        files = [(xlsx_report(unit["code"] if kind == 0 else "THPT-DONGXOAI", 1 + i % 3), "Bao cao CTTE 6 thang.xlsx", XLSX)]
    elif kind == 1:
        files = [(docx_report(), "Báo cáo công tác trẻ em.docx", DOCX)]
    elif kind == 2:
        files = [(pdf_report(), "BC_CTTE_2024.pdf", "application/pdf")]
    elif kind == 3:
        files = [(narrative_docx(), "Báo cáo.docx", DOCX)]
    elif kind == 4:
        subject = "Re: " + REPORT_SUBJECTS[0]
        body = ("Dạ, đơn vị đã nhận được hướng dẫn và sẽ gửi báo cáo đúng hạn.\n\nTrân trọng.\n\n"
                "Vào ngày 15/06/2024, trunghoc@binhphuoc.edu.vn đã viết:\n> Đề nghị các đơn vị gửi báo cáo đúng hạn.")
    elif kind == 5:
        pgds = [u for u in units() if u["kind"] == "pgd" and u["district"] == unit["district"]]
        pgd = pgds[0] if pgds else units()[0]
        subject = "Fwd: " + REPORT_SUBJECTS[0]
        body = (f"Chuyển tiếp báo cáo của {unit['name']}.\n\n---------- Forwarded message ---------\n"
                f"From: {unit['name']} <{addr}>\nDate: Thu, 20 Jun 2024 at 08:15\nSubject: {REPORT_SUBJECTS[0]}\n"
                f"To: <{pgd['emails'].split(';')[0]}>\n\nKính gửi Phòng GDĐT, đơn vị gửi báo cáo.")
        sender = f"{pgd['name']} <{pgd['emails'].split(';')[0]}>"
        files = [(xlsx_report(unit["code"]), "Bao cao CTTE.xlsx", XLSX)]
    elif kind == 7:
        subject = "Báo cáo nhanh vụ việc đuối nước"
        body = (f"Kính gửi Sở Giáo dục và Đào tạo,\n\nNgày {when.day}/06/2024, một học sinh lớp 10 của {unit['name']} "
                "bị đuối nước khi tắm suối, đã được người dân cứu kịp thời và đưa đến trạm y tế. Đơn vị đã phối hợp "
                "với gia đình và chính quyền địa phương xử lý.\n\nTrân trọng.")
    elif kind == 8:
        subject = "Thư mời họp giao ban tháng 7/2024"
        body = "Kính mời đại diện lãnh đạo đơn vị dự họp giao ban vào lúc 8 giờ 00 ngày 10/7/2024 tại phòng họp Sở."
    elif kind == 9:
        subject = "Trả lời tự động: " + REPORT_SUBJECTS[0]
        body = "Tôi đang đi công tác đến hết ngày 12/7/2024. Xin cảm ơn."
        headers = {"Auto-Submitted": "auto-replied"}
    elif kind == 10:
        sender = "Nguyễn Văn An <nguyenvanan.gv@gmail.com>"
        subject = "Gửi báo cáo CTTE trường THCS Tân Phú"
        files = [(xlsx_report("THPT-DONGXOAI", 2), "baocao.xlsx", XLSX)]
    else:
        files = [(_zip([("Báo cáo CTTE.xlsx", xlsx_report(unit["code"]))]), "Bao cao.zip", "application/zip")]
    raw = build(subject=subject, sender=sender, body=body, when=when, files=files, message_id=mid, headers=headers)
    # the email package draws its boundaries at random: pin them
    raw = re.sub(rb"={15}\d+==", f"=_real_{i:03d}_=".encode(), raw)
    return f"realistic_{i:03d}", raw


def realistic(n: int = 100) -> list[Pair]:
    rng = random.Random(SEED)
    return [_realistic_one(i, rng) for i in range(n)]


def mixed(n_realistic: int = 100) -> list[Pair]:
    pairs = realistic(n_realistic) + traps()
    random.Random(SEED + 99).shuffle(pairs)
    return pairs


def write_maildir(folder: Path, pairs: list[Pair], subdir: str = "cur") -> dict[str, str]:
    """Write `pairs` as a Maildir under `folder`, in the given order (names sort by arrival)."""
    folder = Path(folder)
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for i, (name, raw) in enumerate(pairs):
        fname = f"{1718000000 + i}.M{i:05d}P1.{name}" + (":2,S" if subdir == "cur" else "")
        (folder / subdir / fname).write_bytes(raw)
        names[fname] = name
    return names


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "hostile-corpus")
    out.mkdir(parents=True, exist_ok=True)
    pairs = mixed()
    for name, raw in pairs:
        (out / f"{name}.eml").write_bytes(raw)
    print(f"wrote {len(pairs)} mails to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
