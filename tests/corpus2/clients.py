"""How each mail client lays a message out: Outlook, Thunderbird, Gmail web, Zimbra webmail,
iPhone, an Android phone, Yahoo, and an old Outlook Express typing in TCVN3 (ABC)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from parsers import legacy

from . import mime
from .mime import Attachment, Envelope, Part


@dataclass(frozen=True)
class Draft:
    sender_name: str | None
    sender_addr: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    client: str = "outlook"
    extra: tuple[str, ...] = ()
    forwarded: tuple[str, ...] = ()   # whole raw messages attached as message/rfc822
    to: str = "trunghoc@binhphuoc.edu.vn"
    mime: Part | None = None          # a ready-made body (delivery reports)


SIGNOFF = {"iphone": "\n\nSent from my iPhone", "android": "\n\nĐược gửi từ điện thoại Samsung Galaxy của tôi.",
           "yahoo": "\n\nGửi từ Yahoo Mail trên Android"}
HEADERS = {
    "outlook": ["X-Mailer: Microsoft Outlook 16.0", "Content-Language: vi"],
    "thunderbird": ["User-Agent: Mozilla Thunderbird", "Content-Language: en-US"],
    "gmail": [],
    "android": [],
    "zimbra": ["X-Mailer: Zimbra 8.8.15_GA_4508 (ZimbraWebClient - GC126 (Win)/8.8.15_GA_4508)",
               "X-Originating-IP: [14.241.226.18]"],
    "iphone": ["X-Mailer: iPhone Mail (21F90)"],
    "yahoo": ["X-Mailer: WebService/1.1.22406 YMailNorrin"],
    "oe": ["X-Mailer: Microsoft Outlook Express 6.00.2900.5512", "X-Priority: 3"],
    "system": [],
}
NAME_STYLE = {"outlook": "rfc2047", "gmail": "rfc2047", "android": "rfc2047", "yahoo": "rfc2047",
              "thunderbird": "rfc2231", "zimbra": "rfc2231", "iphone": "rfc2231", "oe": "ascii", "system": "rfc2231"}


def provider(addr: str) -> str:
    domain = addr.rsplit("@", 1)[-1].lower()
    return {"gmail.com": "gmail", "yahoo.com": "yahoo", "yahoo.com.vn": "yahoo",
            "binhphuoc.edu.vn": "binhphuoc"}.get(domain, "other")


def message_id(client: str, n: int, addr: str) -> str:
    domain = addr.rsplit("@", 1)[-1]
    return {
        "outlook": f"<000{n:03d}01dac6f2$a1b2c3d4$e5f6a7b8@{domain}>",
        "gmail": f"<CAH{n:05d}Qk7wZ+Lr3x_pQ{n * 7919 % 100000:05d}mF@mail.gmail.com>",
        "android": f"<CAK{n:05d}Vx2pE@mail.gmail.com>",
        "zimbra": f"<{n}.{n * 37}.1719300000{n:03d}.JavaMail.zimbra@{domain}>",
        "iphone": f"<6F1C{n:04d}-2B7A-4C1E-9D3A-{n:012d}@{domain}>",
        "yahoo": f"<{n * 104729}.{n}.{n}@mail.yahoo.com>",
        "thunderbird": f"<{n:08x}-5c2e-4b8a-9f1d-{n * 31:012x}@{domain}>",
        "oe": f"<000{n:03d}01c4a2b3$8f7e6d50$0a00a8c0@PC{n}>",
        "system": f"<20240{n % 9 + 1}{n:05d}.4W{n:04d}@{domain}>",
    }[client]


def subject_header(subject: str, client: str) -> str:
    if client == "oe":  # ABC typed subjects, sent as if they were Latin-1
        return mime.words(legacy.encode(subject, "tcvn3"), charset="iso-8859-1", mode="Q")
    return mime.words(subject, mode="Q" if client in ("outlook", "oe") else "B")


def content(d: Draft, n: int) -> Part:
    if d.mime is not None:
        return d.mime
    text = d.text + SIGNOFF.get(d.client, "")
    b = f"{n:04d}"
    if d.client == "oe":
        body = mime.text_part(legacy.encode(text, "tcvn3"), cte="quoted-printable", charset="windows-1252")
    elif d.client in ("thunderbird", "iphone", "yahoo", "system"):
        body = mime.text_part(text, cte="8bit" if d.client == "thunderbird" else "quoted-printable",
                              flowed=d.client == "thunderbird")
    else:
        body = mime.multipart("alternative", f"000000000000alt{b}", [
            mime.text_part(text), mime.text_part(mime.html_of(text, gmail=d.client in ("gmail", "android")), "html")])
    files = [mime.file_part(a, NAME_STYLE[d.client]) for a in d.attachments]
    files += [mime.rfc822_part(raw) for raw in d.forwarded]
    if not files:
        return body
    boundary = {"iphone": f"Apple-Mail-{b}-7B3E-4A5C", "outlook": f"----=_NextPart_000_{b}_01DAC6F2.A1B2C3D4"}
    return mime.multipart("mixed", boundary.get(d.client, f"------------mix{b}"), [body, *files])


def compose(d: Draft, received: dt.datetime, n: int, delivered: dt.datetime | None = None,
            msgid: str | None = None) -> str:
    """The raw message as it lies in the mailbox; `delivered` moves only the topmost Received."""
    env = Envelope(sender=mime.address(d.sender_name, d.sender_addr),
                   subject=subject_header(d.subject, d.client), to=d.to,
                   message_id=msgid or message_id(d.client, n, d.sender_addr),
                   extra=[*HEADERS[d.client], *d.extra])
    raw = mime.assemble(env, content(d, n), received, provider(d.sender_addr), f"4W{n:05d}Zq")
    if delivered is not None:
        first, rest = raw.split("\tfor <trunghoc@binhphuoc.edu.vn>; ", 1)
        first = first.replace(f"4W{n:05d}Zq", f"4X{n:05d}Rb")
        raw = first + "\tfor <trunghoc@binhphuoc.edu.vn>; " + mime.format_datetime(delivered) + "\n" + rest.split("\n", 1)[1]
    return raw
