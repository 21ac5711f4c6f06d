"""Raw RFC 5322 bytes written by hand, deterministically, the way real clients write them.

Headers are written directly (never through `policy.SMTP`, whose folding of long encoded words is
buggy in CPython), so each trap shows exactly the bytes we intend. Attachments are real .docx and
.xlsx files made with python-docx and openpyxl, cached per content.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from email.header import Header
from email.utils import format_datetime

DIVISION = "trunghoc@binhphuoc.edu.vn"
TZ7 = dt.timezone(dt.timedelta(hours=7))
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@dataclass(frozen=True)
class Attachment:
    """One file part; `style` picks how its name is written (rfc2231, rfc2047, raw8bit)."""
    filename: str
    data: bytes
    ctype: str = "application/octet-stream"
    style: str = "rfc2231"
    inline: bool = False


@dataclass(frozen=True)
class Mail:
    """What one message says; `build` turns it into bytes."""
    sender: str                  # "Name <addr>" or bare address, unencoded
    subject: str
    body: str
    received: dt.datetime
    to: str = DIVISION
    cc: str = ""
    date: dt.datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    subject_style: str = "b"     # b, q, raw8bit, ascii, cp1258, none
    body_cte: str = "base64"     # base64, quoted-printable, 8bit
    extra_headers: tuple[str, ...] = ()
    msgid: str = ""
    rfc822: bytes | None = None  # a forwarded message attached as message/rfc822
    html: bool = False


def at(text: str) -> dt.datetime:
    """'2024-06-25 09:12' in UTC+7."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ7)


def cp1258(text: str) -> bytes:
    """windows-1258 keeps tone marks as combining characters: decompose only what it lacks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out += (base + "".join(c for c in parts if c in TONES)).encode("cp1258")
    return bytes(out)


def encode_subject(text: str, style: str) -> bytes:
    """The Subject value as bytes in the chosen client style."""
    if style == "none":
        return b""
    if style == "raw8bit" or style == "ascii":
        return text.encode("utf-8")
    if style == "cp1258":
        word = base64.b64encode(cp1258(text)).decode()
        return f"=?windows-1258?B?{word}?=".encode()
    if style == "q":
        return _b_words(text, "Q").encode()
    return _b_words(text).encode()


def _b_words(text: str, kind: str = "B") -> str:
    """RFC 2047 encoded words of at most 45 bytes of UTF-8 each, folded one per line."""
    words, chunk = [], ""
    for ch in text:
        if len((chunk + ch).encode()) > 45:
            words.append(chunk)
            chunk = ""
        chunk += ch
    words.append(chunk)
    if kind == "Q":
        from email.quoprimime import header_encode
        return "\r\n ".join(header_encode(w.encode(), "UTF-8") for w in words if w)
    return "\r\n ".join(f"=?UTF-8?B?{base64.b64encode(w.encode()).decode()}?=" for w in words if w)


def address(value: str) -> str:
    """'Tên <a@b>' with the display name RFC 2047-encoded when it is not ASCII."""
    if "<" not in value:
        return value
    name, addr = value.split("<", 1)
    name = name.strip().strip('"')
    if not name:
        return f"<{addr}"
    if name.isascii():
        return f'"{name}" <{addr}'
    return f"{_b_words(name)} <{addr}"


def bare(value: str) -> str:
    return value.split("<", 1)[1].rstrip(">").strip().lower() if "<" in value else value.strip().lower()


def _b64(data: bytes) -> bytes:
    text = base64.b64encode(data)
    return b"\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def _name_params(att: Attachment) -> str:
    if att.style == "rfc2047":
        word = f"=?UTF-8?B?{base64.b64encode(att.filename.encode()).decode()}?="
        return f'; name="{word}"', f'; filename="{word}"'
    if att.style == "raw8bit" or att.filename.isascii():
        return f'; name="{att.filename}"', f'; filename="{att.filename}"'
    from urllib.parse import quote
    return f'; name="{att.filename.encode("ascii", "replace").decode()}"', \
        f"; filename*=utf-8''{quote(att.filename)}"


def _body_part(mail: Mail) -> bytes:
    ctype = "text/html" if mail.html else "text/plain"
    text = mail.body.replace("\n", "\r\n")
    if mail.html:
        text = "<html><body>" + "".join(f"<p>{line}</p>" for line in mail.body.split("\n")) + "</body></html>"
    head = f"Content-Type: {ctype}; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: {mail.body_cte}\r\n\r\n"
    if mail.body_cte == "base64":
        payload = _b64(text.encode())
    elif mail.body_cte == "quoted-printable":
        import quopri
        payload = quopri.encodestring(text.encode()).replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    else:
        payload = text.encode()
    return head.encode() + payload + b"\r\n"


def _file_part(att: Attachment) -> bytes:
    name, filename = _name_params(att)
    disp = "inline" if att.inline else "attachment"
    head = (f"Content-Type: {att.ctype}{name}\r\nContent-Disposition: {disp}{filename}\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n")
    return head.encode("utf-8") + _b64(att.data) + b"\r\n"


def headers(mail: Mail, n: int) -> bytes:
    """The header block, topmost Received: first."""
    recv = format_datetime(mail.received)
    host = bare(mail.sender).split("@")[-1]
    date = format_datetime(mail.date or (mail.received - dt.timedelta(minutes=2)))
    msgid = mail.msgid or f"<c3.{n:04d}.{hashlib.sha1(mail.subject.encode()).hexdigest()[:10]}@{host}>"
    lines = [f"Received: from mx.{host} (mx.{host} [203.162.{n % 250}.{(n * 7) % 250}])\r\n"
             f"\tby mail.binhphuoc.edu.vn (Postfix) with ESMTPS id C3{n:05X}\r\n"
             f"\tfor <{DIVISION}>; {recv}",
             f"Return-Path: <{bare(mail.sender)}>" if mail.sender else "Return-Path: <>",
             f"From: {address(mail.sender)}", f"To: {mail.to}"]
    if mail.cc:
        lines.append(f"Cc: {mail.cc}")
    lines += [f"Date: {date}", f"Message-ID: {msgid}", "MIME-Version: 1.0", *mail.extra_headers]
    block = "\r\n".join(lines).encode("utf-8")
    if mail.subject_style != "none":
        block += b"\r\nSubject: " + encode_subject(mail.subject, mail.subject_style)
    return block + b"\r\n"


def build(mail: Mail, n: int) -> bytes:
    """The whole message."""
    head = headers(mail, n)
    if not mail.attachments and mail.rfc822 is None:
        return head + _body_part(mail)
    boundary = f"----=_Part_{n:04d}_{hashlib.md5(mail.subject.encode()).hexdigest()[:12]}"
    out = head + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
    out += b"This is a multi-part message in MIME format.\r\n"
    out += f"--{boundary}\r\n".encode() + _body_part(mail)
    for att in mail.attachments:
        out += f"--{boundary}\r\n".encode() + _file_part(att)
    if mail.rfc822 is not None:
        out += f"--{boundary}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n".encode()
        out += mail.rfc822 + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


@functools.lru_cache(maxsize=None)
def docx(letterhead: str, title: str, lines: tuple[str, ...] = ()) -> bytes:
    """A short Word report: letterhead, title, a few lines, a two-column table."""
    from docx import Document
    document = Document()
    document.add_paragraph(letterhead.upper())
    document.add_paragraph(title)
    for line in lines:
        document.add_paragraph(line)
    if "trẻ em" not in title.lower():
        document.add_paragraph("Nội dung chi tiết theo phụ lục đính kèm.")
        buf = io.BytesIO()
        document.save(buf)
        return buf.getvalue()
    table = document.add_table(rows=4, cols=3)
    rows = [("TT", "Nội dung", "Số liệu"), ("1", "Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học", "1.245"),
            ("2", "Số buổi tuyên truyền, truyền thông về bảo vệ, chăm sóc trẻ em", "8"),
            ("3", "Số vụ bạo lực học đường", "0")]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@functools.lru_cache(maxsize=None)
def xlsx(title: str) -> bytes:
    """A small Excel table as units make them (a child-affairs form only when the title says so)."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Bieu mau"
    ws.append([title])
    if "tre em" not in title.lower() and "trẻ em" not in title.lower():
        ws.append(["TT", "Họ và tên", "Ghi chú"])
        ws.append([1, "Nguyễn Văn A", ""])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    ws.append(["TT", "Nội dung", "Đơn vị tính", "Số liệu"])
    ws.append([1, "Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học", "người", 1532])
    ws.append([2, "Số trẻ em có hoàn cảnh đặc biệt", "người", 17])
    ws.append([3, "Số vụ bạo lực học đường", "vụ", 0])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def opaque(kind: str, seed: str) -> bytes:
    """Archive-looking bytes (a magic number, then noise): the file itself need not open."""
    magic = {"rar": b"Rar!\x1a\x07\x01\x00", "7z": b"7z\xbc\xaf\x27\x1c\x00\x04"}[kind]
    noise = b"".join(hashlib.sha256(f"{seed}{i}".encode()).digest() for i in range(40))
    return magic + noise


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def word(filename: str, letterhead: str, title: str, *lines: str, ctype: str = DOCX, style: str = "rfc2231") -> Attachment:
    return Attachment(filename, docx(letterhead, title, tuple(lines)), ctype, style)


def excel(filename: str, title: str, style: str = "rfc2231") -> Attachment:
    return Attachment(filename, xlsx(title), XLSX, style)
