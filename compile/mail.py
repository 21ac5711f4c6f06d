"""Building outgoing messages: the headers every mail of baocao carries.

Every mail is a complete RFC 5322 message fixed at creation (the outbox stores its bytes), so a
retry sends the very same Message-ID and a crash can never produce two different versions.
"""
from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage

from compile.common import local_now, one_line
from store.config import Config

# Headers are not folded at 78: Python (and some clients) read a display name folded into two
# encoded-words with a stray space ("Bình Phư ớc"); RFC 5322 allows lines up to 998.
POLICY = email.policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str = "application"
    subtype: str = "octet-stream"


XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class Letter:
    """What a module wants to send; `build` turns it into the fixed message."""
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    inline_png: bytes | None = None          # referenced from the HTML as cid:{inline_cid}
    inline_cid: str = ""
    attachments: tuple[Attachment, ...] = ()
    auto_submitted: str = "auto-generated"   # receipts: auto-replied (RFC 3834)
    in_reply_to: str = ""
    references: str = ""
    extra_headers: tuple[tuple[str, str], ...] = field(default=())


def sender_address(cfg: Config) -> Address:
    """The Department's address with its Vietnamese display name (RFC 2047-encoded on output)."""
    addr = cfg.outbox.sender or "baocao@localhost.invalid"
    local, _, domain = addr.partition("@")
    return Address(display_name=cfg.outbox.sender_name or "", username=local, domain=domain or "localhost")


def new_message_id(cfg: Config) -> str:
    domain = (cfg.outbox.sender or "baocao@localhost").partition("@")[2] or "localhost"
    return email.utils.make_msgid(idstring="baocao", domain=domain)


def build(cfg: Config, letter: Letter, now: dt.datetime) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender_address(cfg)
    if letter.to:
        msg["To"] = ", ".join(letter.to)
    msg["Subject"] = one_line(letter.subject, 250)
    msg["Date"] = email.utils.format_datetime(local_now(cfg, now))
    msg["Message-ID"] = new_message_id(cfg)
    msg["Auto-Submitted"] = letter.auto_submitted
    # Stop vacation responders answering the Department's robots (RFC 3834 section 3.1.7 practice).
    msg["X-Auto-Response-Suppress"] = "All"
    if letter.in_reply_to:
        msg["In-Reply-To"] = letter.in_reply_to
    if letter.references:
        msg["References"] = letter.references
    for name, value in letter.extra_headers:
        msg[name] = value
    msg.set_content(letter.text, charset="utf-8")
    if letter.html is not None:
        msg.add_alternative(letter.html, subtype="html", charset="utf-8")
        if letter.inline_png:
            html_part = list(msg.iter_parts())[1]   # multipart/alternative now: [text, html]
            html_part.add_related(letter.inline_png, "image", "png", cid=f"<{letter.inline_cid}>",
                                  filename="bieu-do.png", disposition="inline")
    for att in letter.attachments:
        msg.add_attachment(att.data, maintype=att.maintype, subtype=att.subtype, filename=att.filename)
    return msg


def as_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=POLICY)
