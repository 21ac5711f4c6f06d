"""Real MIME mails as the units' mail programs write them (Gmail, Outlook, Thunderbird, Zimbra,
a phone), with the receiving server's Received: line on top."""
from __future__ import annotations

import base64
import datetime as dt
import email.utils
import html as htmlmod
import random
from email import policy
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from typing import Any

from .legacy import to_tcvn3

TZ = dt.timezone(dt.timedelta(hours=7))
DIVISION = "trunghoc@binhphuoc.edu.vn"
MIME_OF = {
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xls": ("application", "vnd.ms-excel"),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "doc": ("application", "msword"),
    "pdf": ("application", "pdf"),
    "zip": ("application", "zip"),
    "rar": ("application", "x-rar-compressed"),
    "jpg": ("image", "jpeg"),
    "png": ("image", "png"),
}


def b_word(s: str) -> str:
    return "=?UTF-8?B?" + base64.b64encode(s.encode("utf-8")).decode("ascii") + "?="


def enc_header(s: str, style: str) -> str:
    """A header value as a mailer would write it."""
    if all(ord(c) < 128 for c in s):
        return s
    if style == "tcvn3":   # typed with a TCVN3 keyboard driver: Latin-1 bytes on the wire
        t = to_tcvn3(s)[0]
        return Header(t, "iso-8859-1").encode()
    if style == "q":
        from email.charset import QP, Charset
        cs = Charset("utf-8")
        cs.header_encoding = QP
        return Header(s, cs, header_name="Subject").encode()
    return Header(s, "utf-8", header_name="Subject").encode()


def addr(name: str | None, address: str) -> str:
    if not name:
        return address
    if all(ord(c) < 128 for c in name):
        return email.utils.formataddr((name, address))
    return f"{b_word(name)} <{address}>"


def received_line(when: dt.datetime, rng: random.Random, via: str, to: str = DIVISION) -> str:
    hop = {
        "gmail": f"mail-{rng.choice(['pj1', 'oi1', 'qt1', 'yb1'])}-f{rng.randrange(170, 199)}.google.com "
                 f"(mail-pj1-f{rng.randrange(170, 199)}.google.com [209.85.{rng.randrange(128, 255)}.{rng.randrange(1, 254)}])",
        "local": f"webmail.binhphuoc.edu.vn (webmail.binhphuoc.edu.vn [113.161.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}])",
        "outlook": f"mail-sgaapc01on{rng.randrange(2000, 2999)}.outbound.protection.outlook.com "
                   f"(mail-sgaapc01on2085.outbound.protection.outlook.com [40.107.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}])",
        "yahoo": f"sonic{rng.randrange(300, 330)}-{rng.randrange(1, 40)}.consmr.mail.sg3.yahoo.com "
                 f"(sonic312-21.consmr.mail.sg3.yahoo.com [106.10.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}])",
    }[via]
    qid = "".join(rng.choice("0123456789ABCDEF") for _ in range(10))
    rcpt = to.split("<")[-1].rstrip(">")
    by = "mx.google.com with ESMTPS id " + qid.lower() + "si" if rcpt.endswith("@gmail.com") else \
        f"mx.binhphuoc.edu.vn (Postfix) with ESMTPS id {qid}"
    return f"from {hop}\n\tby {by}\n\tfor <{rcpt}>; {email.utils.format_datetime(when)}"


def text_part(body: str, cte: str) -> MIMEText:
    p = MIMEText("", "plain", "utf-8")
    p.set_payload(None)
    del p["Content-Transfer-Encoding"]
    raw = body.encode("utf-8")
    if cte == "base64":
        p.set_payload(base64.encodebytes(raw).decode("ascii"))
        p["Content-Transfer-Encoding"] = "base64"
    elif cte == "qp":
        import quopri
        p.set_payload(quopri.encodestring(raw).decode("ascii"))
        p["Content-Transfer-Encoding"] = "quoted-printable"
    else:
        p.set_payload(raw.decode("ascii", "surrogateescape"))
        p["Content-Transfer-Encoding"] = "8bit"
    return p


def html_of(body: str, mailer: str) -> str:
    paras = "".join(f"<div>{htmlmod.escape(line) or '<br>'}</div>" for line in body.split("\n"))
    if mailer == "outlook":
        return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                '<style>p.MsoNormal{margin:0cm;font-size:11.0pt;font-family:"Calibri",sans-serif;}</style></head>'
                f'<body lang="VI"><div class="WordSection1">{paras.replace("<div>", "<p class=MsoNormal>").replace("</div>", "</p>")}'
                '</div></body></html>')
    return f'<div dir="ltr">{paras}</div>'


def attachment_part(name: str, data: bytes, kind: str, name_style: str) -> MIMEBase:
    main, sub = MIME_OF.get(kind, ("application", "octet-stream"))
    if name_style == "octet":
        main, sub = "application", "octet-stream"
    p = MIMEBase(main, sub)
    p.set_payload(base64.encodebytes(data).decode("ascii"))
    p["Content-Transfer-Encoding"] = "base64"
    del p["Content-Type"]
    if all(ord(c) < 128 for c in name):
        p["Content-Type"] = f'{main}/{sub}; name="{name}"'
        p["Content-Disposition"] = f'attachment; filename="{name}"'
    elif name_style == "rfc2231":
        q = email.utils.encode_rfc2231(name, "utf-8")
        p["Content-Type"] = f"{main}/{sub}; name*={q}"
        p["Content-Disposition"] = f"attachment; filename*={q}"
    else:  # RFC 2047 inside the quotes: what Gmail and Outlook write
        w = b_word(name)
        p["Content-Type"] = f'{main}/{sub}; name="{w}"'
        p["Content-Disposition"] = f'attachment; filename="{w}"'
    return p


def build(*, from_name: str | None, from_addr: str, subject: str, body: str, date: dt.datetime,
          received: dt.datetime, msgid: str, rng: random.Random, mailer: str = "gmail",
          attachments: list[tuple[str, bytes, str]] | None = None, name_style: str = "rfc2047",
          subject_style: str = "b", to: str = DIVISION, cc: str | None = None,
          in_reply_to: str | None = None, references: str | None = None,
          forwarded: bytes | None = None, extra_headers: list[tuple[str, str]] | None = None) -> bytes:
    attachments = attachments or []
    via = {"gmail": "gmail", "phone": "gmail", "outlook": "outlook", "yahoo": "yahoo"}.get(mailer, "local")
    if from_addr.endswith("@binhphuoc.edu.vn"):   # the Department's own mail server, whatever the client
        via = "local"
    cte = {"gmail": "base64", "phone": "base64", "outlook": "qp", "thunderbird": "8bit",
           "zimbra": "qp", "yahoo": "qp"}.get(mailer, "base64")
    def boundary() -> str:
        if mailer == "outlook":
            return "_000_" + "".join(rng.choice("0123456789ABCDEF") for _ in range(24)) + "_"
        if mailer in ("gmail", "phone"):
            return "0000000000" + "".join(rng.choice("0123456789abcdef") for _ in range(18))
        return "----=_Part_" + str(rng.randrange(10 ** 6, 10 ** 7)) + "_" + str(rng.randrange(10 ** 8, 10 ** 9))

    if mailer in ("gmail", "outlook", "zimbra", "yahoo"):
        alt = MIMEMultipart("alternative", boundary=boundary())
        alt.attach(text_part(body, cte))
        h = MIMEText("", "html", "utf-8")
        h.set_payload(None)
        del h["Content-Transfer-Encoding"]
        h.set_payload(base64.encodebytes(html_of(body, mailer).encode("utf-8")).decode("ascii"))
        h["Content-Transfer-Encoding"] = "base64"
        alt.attach(h)
        content: Any = alt
    else:
        content = text_part(body, cte)
    if attachments or forwarded is not None:
        msg: Any = MIMEMultipart("mixed", boundary=boundary())
        msg.attach(content)
        for name, data, kind in attachments:
            msg.attach(attachment_part(name, data, kind, name_style))
        if forwarded is not None:
            inner = BytesParser(policy=policy.compat32).parsebytes(forwarded)
            msg.attach(MIMEMessage(inner))
    else:
        msg = content
    hdrs: list[tuple[str, str]] = [
        ("Received", received_line(received, rng, via, to)),
        ("MIME-Version", "1.0"),
        ("Date", email.utils.format_datetime(date)),
        ("Message-ID", msgid),
        ("Subject", enc_header(subject, subject_style)),
        ("From", addr(from_name, from_addr)),
        ("To", to),
    ]
    if cc:
        hdrs.append(("Cc", cc))
    if in_reply_to:
        hdrs.append(("In-Reply-To", in_reply_to))
        hdrs.append(("References", references or in_reply_to))
    if mailer == "outlook":
        hdrs.append(("X-Mailer", "Microsoft Outlook 16.0"))
        hdrs.append(("Thread-Index", base64.b64encode(bytes(rng.randrange(256) for _ in range(22))).decode()))
    elif mailer == "thunderbird":
        hdrs.append(("User-Agent", "Mozilla Thunderbird"))
    elif mailer == "zimbra":
        hdrs.append(("X-Mailer", "Zimbra 8.8.15_GA_4581 (ZimbraWebClient - GC126 (Win)/8.8.15_GA_4581)"))
    elif mailer == "phone":
        hdrs.append(("X-Mailer", "iPhone Mail (21F90)"))
    for k, v in extra_headers or []:
        hdrs.append((k, v))
    # only the message itself carries MIME-Version (an attached message keeps its own)
    def strip(part: Any) -> None:
        del part["MIME-Version"]
        if part.get_content_maintype() == "multipart":
            for sub in part.get_payload():
                strip(sub)
    strip(msg)
    top = "".join(f"{k}: {v}\n" for k, v in hdrs)
    body_bytes = msg.as_bytes(policy=policy.compat32.clone(linesep="\n"))
    return top.encode("ascii") + body_bytes


def msgid(rng: random.Random, domain: str) -> str:
    token = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(20))
    if domain == "gmail.com":
        token = "CA" + token.upper() + "+" + "".join(rng.choice("abcdefXYZ0123456789") for _ in range(12))
    return f"<{token}@{'mail.gmail.com' if domain == 'gmail.com' else domain}>"
