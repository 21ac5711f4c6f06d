"""Mail writers of the corpus: the same draft written the way different mail programs write it.

Each style returns the raw RFC 5322 bytes a mail program would hand to the division's server;
`deliver` then prepends what the receiving MX adds (Return-Path, Delivered-To, Received).
"""
from __future__ import annotations

import base64
import datetime as dt
import quopri
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from email import encoders

DIVISION = "trunghoc@binhphuoc.edu.vn"
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf", "zip": "application/zip", "doc": "application/msword",
    "xls": "application/vnd.ms-excel", "dat": "application/ms-tnef", "eml": "message/rfc822",
}


@dataclass
class Draft:
    """What the sender meant to send; the style decides how it is written."""
    name: str
    addr: str
    subject: str
    body: str
    sent: dt.datetime
    msgid: str
    files: list[tuple[str, bytes]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    to: str = DIVISION
    raw_subject: bytes | None = None     # an already-encoded (legacy 8-bit) subject, written as is


def _mime_of(name: str) -> str:
    return MIME.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def _b64(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def _from(d: Draft) -> str:
    return formataddr((d.name, d.addr)) if d.name else d.addr


def cp1258(text: str) -> bytes:
    """Vietnamese as Outlook writes windows-1258: precomposed where the code page has it, else
    base letter (with circumflex/breve/horn) plus a combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        for m in marks:   # circumflex, breve or horn joins the letter; the tone stays combining
            joined = unicodedata.normalize("NFC", base + m)
            if len(joined) == 1 and joined.encode("cp1258", "ignore"):
                base, marks = joined, marks.replace(m, "", 1)
                break
        out += base.encode("cp1258", "replace") + marks.encode("cp1258", "replace")
    return bytes(out)


def q_word(data: bytes, charset: str) -> str:
    """One RFC 2047 Q-encoded word (the caller keeps it short)."""
    text = "".join(chr(b) if 33 <= b < 127 and chr(b) not in "=?_\"" else ("_" if b == 32 else f"={b:02X}") for b in data)
    return f"=?{charset}?Q?{text}?="


def b_words(text: str) -> str:
    """UTF-8 B-encoded words, split on character boundaries as Gmail does."""
    words, chunk = [], ""
    for ch in text:
        if len((chunk + ch).encode()) > 45:
            words.append(chunk)
            chunk = ""
        chunk += ch
    words.append(chunk)
    return "\n ".join(f"=?UTF-8?B?{base64.b64encode(w.encode()).decode()}?=" for w in words if w)


# ---------------------------------------------------------------- styles

def smtp_policy(d: Draft) -> bytes:
    """Python's EmailMessage with policy.SMTP (CRLF, RFC 2231 names)."""
    # No folding: CPython's folder drops the space between two encoded words (a sender's bug no
    # real mail program has), which would blame the reader for the writer.
    msg = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    msg["From"] = _from(d)
    msg["To"] = d.to
    msg["Subject"] = d.subject
    msg["Date"] = format_datetime(d.sent)
    msg["Message-ID"] = d.msgid
    for k, v in d.headers:
        msg[k] = v
    msg.set_content(d.body)
    for name, data in d.files:
        main, sub = _mime_of(name).split("/")
        if main == "message":
            msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
        else:
            msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    if msg.is_multipart():
        msg.set_boundary("===============" + d.msgid[1:13] + "==")
    return msg.as_bytes()


def compat32(d: Draft) -> bytes:
    """The old email.mime classes: Header-encoded subject, RFC 2231 tuple file names."""
    msg = MIMEMultipart() if d.files else MIMEText(d.body, "plain", "utf-8")
    if d.files:
        msg.attach(MIMEText(d.body, "plain", "utf-8"))
    msg["From"] = formataddr((str(Header(d.name, "utf-8")), d.addr)) if d.name else d.addr
    msg["To"] = d.to
    msg["Subject"] = Header(d.subject, "utf-8")
    msg["Date"] = format_datetime(d.sent)
    msg["Message-ID"] = d.msgid
    for k, v in d.headers:
        msg[k] = v
    for name, data in d.files:
        main, sub = _mime_of(name).split("/")
        part = MIMEBase(main if main != "message" else "application", sub if main != "message" else "octet-stream")
        part.set_payload(data)
        encoders.encode_base64(part)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        msg.attach(part)
    if d.files:
        msg.set_boundary("===============" + d.msgid[1:13] + "==")
    return msg.as_bytes()


def _assemble(headers: list[str], parts: list[str], boundary: str, sub: str = "mixed") -> str:
    head = "\n".join(headers + ["MIME-Version: 1.0", f'Content-Type: multipart/{sub}; boundary="{boundary}"'])
    body = "".join(f"\n--{boundary}\n{p}" for p in parts)
    return f"{head}\n\nThis is a multi-part message in MIME format.\n{body}\n--{boundary}--\n"


def handwritten(d: Draft) -> bytes:
    """A hand-rolled MIME string: 8-bit UTF-8 body, RFC 2231 percent-encoded file names, and a
    legacy 8-bit subject written byte for byte when the draft has one."""
    subject = "@@RAW-SUBJECT@@" if d.raw_subject else b_words(d.subject)
    headers = [f"From: {_from_encoded(d)}", f"To: {d.to}", f"Subject: {subject}",
               f"Date: {format_datetime(d.sent)}", f"Message-ID: {d.msgid}"] + [f"{k}: {v}" for k, v in d.headers]
    text = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + d.body + "\n"
    if not d.files:
        raw = "\n".join(headers + ["MIME-Version: 1.0"]) + "\n" + text
    else:
        parts = [text]
        for name, data in d.files:
            quoted = urllib.parse.quote(name, safe="")
            parts.append(f"Content-Type: {_mime_of(name)}\nContent-Transfer-Encoding: base64\n"
                         f"Content-Disposition: attachment;\n filename*=utf-8''{quoted}\n\n{_b64(data)}\n")
        raw = _assemble(headers, parts, "----=_Part_" + d.msgid.strip("<>").split("@")[0][:12])
    return raw.encode("utf-8").replace(b"@@RAW-SUBJECT@@", d.raw_subject or b"")


def _from_encoded(d: Draft) -> str:
    return f"{b_words(d.name)} <{d.addr}>" if d.name else d.addr


def outlook(d: Draft, charset: str = "windows-1258", winmail: bytes | None = None) -> bytes:
    """Outlook: quoted-printable text and HTML in windows-1258 (or a mislabelled windows-1252),
    Q-encoded subject, Thread-Index, file names as UTF-8 B words, maybe a winmail.dat."""
    enc = cp1258 if charset == "windows-1258" else (lambda s: s.encode("cp1252", "replace"))
    subj_bytes = enc(d.subject)
    subject = "\n ".join(q_word(subj_bytes[i:i + 30], charset) for i in range(0, len(subj_bytes), 30))
    name = f"{q_word(enc(d.name), charset)} <{d.addr}>" if d.name else d.addr
    headers = [f"From: {name}", f"To: {d.to}", f"Subject: {subject}", f"Date: {format_datetime(d.sent)}",
               f"Message-ID: {d.msgid}", "X-Mailer: Microsoft Outlook 16.0",
               "Thread-Index: AdrG" + base64.b64encode(d.msgid.encode()[:12]).decode(),
               "Content-Language: vi"] + [f"{k}: {v}" for k, v in d.headers]
    qp = lambda b: quopri.encodestring(b).decode("ascii")  # noqa: E731
    html = "<html><body>" + "".join(f"<p class=MsoNormal>{line}</p>" for line in d.body.split("\n")) + "</body></html>"
    alt = _assemble([], [f"Content-Type: text/plain; charset=\"{charset}\"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(enc(d.body))}\n",
                         f"Content-Type: text/html; charset=\"{charset}\"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(enc(html))}\n"],
                    "----=_NextPart_001_" + d.msgid[1:9], "alternative").split("\n", 2)[2]
    alt_part = f'Content-Type: multipart/alternative; boundary="----=_NextPart_001_{d.msgid[1:9]}"\n\n' + alt
    parts = [alt_part]
    files = list(d.files) + ([("winmail.dat", winmail)] if winmail else [])
    for fname, data in files:
        parts.append(f'Content-Type: {_mime_of(fname)};\n\tname="{b_words(fname)}"\nContent-Transfer-Encoding: base64\n'
                     f'Content-Disposition: attachment;\n\tfilename="{b_words(fname)}"\n\n{_b64(data)}\n')
    return _assemble(headers, parts, "----=_NextPart_000_" + d.msgid[1:9]).replace("\n", "\r\n").encode("ascii")


def gmail(d: Draft) -> bytes:
    """Gmail web: base64 UTF-8 text and HTML, RFC 2047 words inside file name parameters."""
    b = d.msgid[1:11]
    headers = [f"From: {_from_encoded(d)}", f"Date: {format_datetime(d.sent)}", f"Message-ID: {d.msgid}",
               f"Subject: {b_words(d.subject)}", f"To: {d.to}",
               "X-Gm-Message-State: AOJu0Yw" + base64.b64encode(d.addr.encode()).decode()[:20]] + [f"{k}: {v}" for k, v in d.headers]
    html = '<div dir="ltr">' + "<br>".join(d.body.split("\n")) + "</div>"
    alt = (f'Content-Type: multipart/alternative; boundary="000000000000{b}a"\n\n'
           f'--000000000000{b}a\nContent-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n{_b64(d.body.encode())}\n'
           f'--000000000000{b}a\nContent-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n{_b64(html.encode())}\n'
           f'--000000000000{b}a--\n')
    if not d.files:
        return ("\n".join(headers + ["MIME-Version: 1.0"]) + "\n" + alt).encode("ascii")
    parts = [alt]
    for i, (fname, data) in enumerate(d.files):
        parts.append(f'Content-Type: {_mime_of(fname)}; \n\tname="{b_words(fname)}"\nContent-Disposition: attachment; \n\t'
                     f'filename="{b_words(fname)}"\nContent-Transfer-Encoding: base64\nX-Attachment-Id: f_lx{i}{b[:6]}\n'
                     f'Content-ID: <f_lx{i}{b[:6]}>\n\n{_b64(data)}\n')
    return _assemble(headers, parts, f"000000000000{b}m").encode("ascii")


def iphone(d: Draft) -> bytes:
    """iOS Mail: files as application/octet-stream, disposition inline, plain names."""
    headers = [f"From: {_from_encoded(d)}", f"Subject: {b_words(d.subject)}", f"Date: {format_datetime(d.sent)}",
               f"Message-Id: {d.msgid}", f"To: {d.to}", "X-Mailer: iPhone Mail (21F90)"] + [f"{k}: {v}" for k, v in d.headers]
    parts = [f"Content-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
             f"{quopri.encodestring(d.body.encode()).decode()}\n"]
    for fname, data in d.files:
        parts.append(f'Content-Type: application/octet-stream;\n\tx-unix-mode=0644;\n\tname="{b_words(fname)}"\n'
                     f'Content-Transfer-Encoding: base64\nContent-Disposition: inline;\n\tfilename="{b_words(fname)}"\n\n{_b64(data)}\n')
    return _assemble(headers, parts, "Apple-Mail-" + d.msgid[1:9]).encode("ascii")


STYLES = {"smtp": smtp_policy, "compat32": compat32, "hand": handwritten, "outlook": outlook,
          "gmail": gmail, "iphone": iphone,
          "outlook1252": lambda d, **kw: outlook(d, "windows-1252", **kw)}


def deliver(raw: bytes, received: dt.datetime, sender: str, relay: str, qid: str) -> bytes:
    """What the division's Postfix adds on delivery: the topmost Received carries the arrival."""
    nl = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    top = (f"Return-Path: <{sender}>\nDelivered-To: {DIVISION}\n"
           f"Received: from {relay} ({relay} [203.113.{len(relay) % 200}.{len(qid) * 7 % 250}])\n"
           f"\tby mx01.binhphuoc.edu.vn (Postfix) with ESMTPS id {qid}\n\tfor <{DIVISION}>; "
           f"{format_datetime(received)}\n").replace("\n", nl.decode()).encode()
    return top + raw
