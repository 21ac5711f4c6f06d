"""Raw RFC 5322 messages written by hand, the way the usual mail clients write them.

Hand-written (not `email.generator`) so every byte is under control: fixed boundaries, encoded
words as each client folds them, legacy charsets in subjects, and no CPython folding bugs.
"""
from __future__ import annotations

import base64
import datetime as dt
import quopri
from dataclasses import dataclass, field
from email.utils import format_datetime
from urllib.parse import quote

from parsers.text import strip_diacritics

TZ = dt.timezone(dt.timedelta(hours=7))
MX = "mx01.binhphuoc.edu.vn"


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    ctype: str = "application/octet-stream"


@dataclass(frozen=True)
class Part:
    headers: tuple[str, ...]
    body: str


def words(text: str, charset: str = "utf-8", mode: str = "B") -> str:
    """RFC 2047 encoded words, each at most 75 characters, folded onto continuation lines."""
    if all(32 <= ord(c) < 127 for c in text) and charset == "utf-8":
        return text
    out, chunk = [], ""
    limit = 45 if mode == "B" else 20
    for ch in text:
        if len((chunk + ch).encode(charset if charset != "utf-8" else "utf-8")) > limit:
            out.append(chunk)
            chunk = ""
        chunk += ch
    out.append(chunk)
    return "\n ".join(_word(c, charset, mode) for c in out if c)


def _word(chunk: str, charset: str, mode: str) -> str:
    data = chunk.encode(charset)
    if mode == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    q = "".join(chr(b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else "_" if b == 32 else f"={b:02X}"
                for b in data)
    return f"=?{charset}?Q?{q}?="


def address(name: str | None, email: str, mode: str = "B") -> str:
    if not name:
        return email
    if all(32 <= ord(c) < 127 for c in name):
        return f'"{name}" <{email}>' if any(c in name for c in ",.;:@()") else f"{name} <{email}>"
    return f"{words(name, mode=mode)} <{email}>"


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").rstrip("\n")


def qp(text: str) -> str:
    return quopri.encodestring(text.replace("\n", "\r\n").encode("utf-8")).decode("ascii").replace("\r\n", "\n")


def text_part(text: str, subtype: str = "plain", cte: str = "quoted-printable", charset: str = "utf-8",
              flowed: bool = False) -> Part:
    params = f"; charset={charset}" if charset == "utf-8" and not flowed else f'; charset="{charset}"'
    if flowed:
        params = "; charset=UTF-8; format=flowed"
    if cte == "base64":
        body = b64(text.encode(charset))
    elif cte == "quoted-printable":
        body = qp(text)
    else:
        body = text
    return Part((f"Content-Type: text/{subtype}{params}", f"Content-Transfer-Encoding: {cte}"), body)


def html_of(text: str, gmail: bool = False) -> str:
    lines = "".join(f"<div>{line or '<br>'}</div>" for line in text.split("\n"))
    return f'<div dir="ltr">{lines}</div>' if gmail else f"<html><body>{lines}</body></html>"


def file_part(att: Attachment, style: str = "rfc2231") -> Part:
    """An attachment; `style` is how the client writes a non-ASCII file name."""
    name = att.name
    if all(32 <= ord(c) < 127 for c in name):
        ct, cd = f'name="{name}"', f'filename="{name}"'
    elif style == "rfc2047":  # Outlook, Gmail
        enc = words(name).replace("\n ", " ")
        ct, cd = f'name="{enc}"', f'filename="{enc}"'
    elif style == "ascii":  # some webmails strip the marks
        plain = strip_diacritics(name)
        ct, cd = f'name="{plain}"', f'filename="{plain}"'
    else:  # RFC 2231: Thunderbird, Apple Mail, Zimbra
        enc = quote(name.encode("utf-8"), safe="")
        ct, cd = f"name*=utf-8''{enc}", f"filename*=utf-8''{enc}"
    return Part((f"Content-Type: {att.ctype};\n {ct}", "Content-Transfer-Encoding: base64",
                 f"Content-Disposition: attachment;\n {cd}"), b64(att.data))


def multipart(subtype: str, boundary: str, parts: list[Part], extra: str = "") -> Part:
    body = "".join(f"--{boundary}\n" + "\n".join(p.headers) + "\n\n" + p.body + "\n" for p in parts)
    body += f"--{boundary}--\n"
    return Part((f'Content-Type: multipart/{subtype};{extra}\n boundary="{boundary}"',), body)


def rfc822_part(raw: str) -> Part:
    return Part(("Content-Type: message/rfc822", "Content-Disposition: attachment"), raw)


def received(when: dt.datetime, relay: str, ip: str, qid: str, helo: str | None = None) -> str:
    return (f"Received: from {helo or relay} ({relay} [{ip}])\n\tby {MX} (Postfix) with ESMTPS id {qid}\n"
            f"\tfor <trunghoc@binhphuoc.edu.vn>; {format_datetime(when)}")


def origin_received(when: dt.datetime, provider: str) -> str:
    hosts = {"gmail": ("mail-pl1-f178.google.com", "209.85.214.178"),
             "yahoo": ("sonic310-21.consmr.mail.sg3.yahoo.com", "106.10.241.140"),
             "binhphuoc": ("mail.binhphuoc.edu.vn", "113.161.72.14"),
             "other": ("smtp.example.net", "203.0.113.7")}
    relay, ip = hosts.get(provider, hosts["other"])
    return f"Received: by {relay} with HTTP; {format_datetime(when)}", relay, ip


@dataclass
class Envelope:
    """The top-level headers of one message."""
    sender: str
    subject: str
    to: str = "trunghoc@binhphuoc.edu.vn"
    date: dt.datetime | None = None
    message_id: str = ""
    extra: list[str] = field(default_factory=list)


def assemble(env: Envelope, content: Part, received_at: dt.datetime, provider: str, qid: str) -> str:
    """Header block (Received chain, then the client's headers) and the MIME content."""
    inner, relay, ip = origin_received(received_at - dt.timedelta(seconds=7), provider)
    top = received(received_at, relay, ip, qid)
    bare = _bare(env.sender)
    null = bare.split("@")[0].lower() in ("mailer-daemon", "postmaster")   # bounces have a null sender
    lines = [f"Return-Path: <{'' if null else bare}>", top, inner,
             f"From: {env.sender}", f"To: {env.to}", f"Subject: {env.subject}",
             f"Date: {format_datetime(env.date or received_at - dt.timedelta(seconds=12))}",
             f"Message-ID: {env.message_id}", *env.extra, "MIME-Version: 1.0", *content.headers]
    return "\n".join(lines) + "\n\n" + content.body


def _bare(sender: str) -> str:
    return sender.rsplit("<", 1)[-1].rstrip(">") if "<" in sender else sender
