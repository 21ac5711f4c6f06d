"""Pure MIME decoding: raw bytes in, a `ParsedMessage` out, whatever the sender's client did.

Built on the standard library's `email` (compat32 policy, which does not raise on most broken
input) with our own decoding of headers and names: Vietnamese mail arrives with RFC 2047 words
inside quoted names, raw 8-bit headers in UTF-8 or windows-1258, charsets that are missing or
unknown. The stdlib cannot be trusted with hostile structure (it recurses per MIME level and
its parameter parsing is quadratic), so the raw bytes are first cut to `Limits` by
`parsers.bounds`, header values go through the bounded readers of `parsers.headers`, and every
text scan here is linear. The pipeline runs this in a worker with a CPU-time and memory limit
(`ingest.decode`); what could not be read goes into `defects`.
"""
from __future__ import annotations

import datetime as dt
import email
import email.message
import email.utils
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from parsers import authres, vocabulary
from parsers.bounds import Limits, sanitize
from parsers.html import html_text
from parsers.text import fold, plain
from parsers.headers import (address as _address, addresses, decode_bytes,
                            decode_header_value, decode_rfc2047, from_problem, header_block,
                            parse_date as _date, received_date, valid_text)

__all__ = ["Attachment", "ParsedMessage", "Limits", "parse_message", "decode_bytes", "decode_header_value",
           "decode_rfc2047", "safe_filename", "automatic_reason", "unquoted"]

MAX_DEPTH = 8          # nested forwarded (message/rfc822) mails whose headers we read as evidence


@dataclass(frozen=True)
class Attachment:
    filename: str          # decoded, as the sender named it
    safe_name: str         # the only name allowed near a disk
    declared_type: str
    data: bytes
    forwarded: bool = False  # came from a forwarded (message/rfc822) mail


@dataclass
class ParsedMessage:
    header_message_id: str | None = None
    subject: str = ""
    from_addr: str = ""
    from_name: str = ""
    from_problem: str | None = None            # why the From: header cannot be trusted (None: it can)
    authentication: tuple[authres.Header, ...] = ()  # every Authentication-Results header, trusted or not
    return_path: str | None = None
    to: list[str] = field(default_factory=list)
    date: dt.datetime | None = None
    received_date: dt.datetime | None = None   # from the topmost Received: header
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    body_text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    forwarded_subjects: list[str] = field(default_factory=list)
    forwarded_from: list[tuple[str, str]] = field(default_factory=list)  # (name, address)
    automatic: str | None = None               # why this is machine-sent mail (None: a person's)
    list_mail: bool = False
    list_id: str | None = None                 # the List-Id header: mail of a mailing list
    defects: list[str] = field(default_factory=list)

    @property
    def no_reply_reason(self) -> str | None:
        """Why no automatic reply may go to this mail (RFC 3834: machine-sent or list mail)."""
        return self.automatic or ("List-Id" if self.list_id else None)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def safe_filename(name: str, index: int = 0) -> str:
    """A name safe for any file system: no folders, no control or reserved characters, bounded."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("_", unicodedata.normalize("NFC", base)).strip().lstrip(".").strip()
    if not base or base in {".", ".."}:
        base = f"attachment-{index}"
    if len(base.encode("utf-8")) > 150:
        stem, dot, ext = base.rpartition(".")
        ext = ext[:10] if dot else ""
        stem = (stem if dot else base).encode("utf-8")[:130].decode("utf-8", "ignore")
        base = f"{stem}.{ext}" if ext else stem
    return base


# ---------------------------------------------------------------- text of parts

def _part_text(part: email.message.Message, limits: Limits) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):   # decode=True gives bytes, or None for a multipart
        raw = part.get_payload()
        return raw[:limits.max_text_chars] if isinstance(raw, str) else ""
    return decode_bytes(payload[:limits.max_text_chars * 4], _charset(part))[:limits.max_text_chars]


def _charset(part: email.message.Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # noqa: BLE001 - a parameter the stdlib cannot read: no charset
        return None


def _filename(part: email.message.Message) -> str | None:
    name: str | None
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - RFC 2231 values in unknown charsets and the like
        name = None
    if name is None:
        try:
            param = part.get_param("name")
        except Exception:  # noqa: BLE001
            param = None
        try:   # an RFC 2231 triple, collapsed; a plain value stays as it is
            name = email.utils.collapse_rfc2231_value(param) if param else None
        except Exception:  # noqa: BLE001
            name = None
    return decode_header_value(name, 2_000) if name else None


# ---------------------------------------------------------------- classification of mail itself

# For `plain` text: the words are parsers/words.toml's.
AUTO_SUBJECT = vocabulary.regex(lambda v: rf"^[ \t]*(?:{v.raw('automatic_subject_lead')}[ \t]+)?"
                                          rf"{v.raw('automatic_subject')}", re.I)


def automatic_reason(msg: email.message.Message, from_addr: str, subject: str) -> str | None:
    """Why a message was sent by a machine (RFC 3834 and common practice), or None."""
    auto = _header_text(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto[:60]}"
    precedence = _header_text(msg, "Precedence").lower()
    if precedence in {"bulk", "list", "junk", "auto_reply"}:
        return f"Precedence: {precedence}"
    if msg.get_content_type() == "multipart/report":
        return "delivery or read report (multipart/report)"
    if (_header_text(msg, "X-Autoreply") or _header_text(msg, "X-Autorespond")
            or _header_text(msg, "X-Auto-Response-Suppress").lower() == "all"):
        return "auto-reply header"
    if _header_text(msg, "Return-Path") == "<>":
        return "null return path"
    local = from_addr.split("@", 1)[0]
    if local in {"mailer-daemon", "postmaster"}:
        return f"sender {from_addr}"
    if AUTO_SUBJECT().search(plain(subject[:500])):
        return "auto-reply or bounce subject"
    return None


def _header_text(msg: email.message.Message, name: str) -> str:
    """One header as plain text (first occurrence), bounded; '' when absent or unreadable."""
    try:
        value = msg.get(name)
        return "" if value is None else valid_text(str(value))[:2_000].strip()
    except Exception:  # noqa: BLE001
        return ""


# ---------------------------------------------------------------- walking the tree

@dataclass
class _Walk:
    """State of one walk over the tree: how many parts were visited, within which limits."""
    limits: Limits
    parts: int = 0


def _walk(msg: email.message.Message, out: ParsedMessage, texts: list[str], htmls: list[str],
          depth: int, forwarded: bool, state: _Walk) -> None:
    if state.parts > state.limits.max_parts or depth > state.limits.max_depth:
        return
    state.parts += 1
    ctype = msg.get_content_type()
    if msg.is_multipart():
        payload = msg.get_payload()
        if ctype == "message/rfc822" or (isinstance(payload, list) and ctype.startswith("message/")):
            for inner in payload if isinstance(payload, list) else []:
                if isinstance(inner, email.message.Message):
                    _forward(inner, out, texts, depth, state)
            return
        for part in payload if isinstance(payload, list) else []:
            if isinstance(part, email.message.Message):
                _walk(part, out, texts, htmls, depth + 1, forwarded, state)
        if state.parts > state.limits.max_parts and "too many parts" not in out.defects:
            out.defects.append("too many parts")
        return
    name = _filename(msg)
    disposition = (msg.get_content_disposition() or "").lower()
    is_text = ctype in ("text/plain", "text/html")
    if ctype == "message/rfc822":  # a non-multipart rfc822 part: the payload is the message text
        payload = msg.get_payload(decode=True)
        if isinstance(payload, bytes) and payload:
            inner_raw, defects = sanitize(payload, state.limits)
            out.defects.extend(defects)
            _forward(email.message_from_bytes(inner_raw), out, texts, depth, state)
        return
    if is_text and not name and disposition != "attachment":
        (texts if ctype == "text/plain" else htmls).append(_part_text(msg, state.limits))
        return
    data = msg.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    index = len(out.attachments) + 1
    filename = name or f"attachment-{index}"
    out.attachments.append(Attachment(filename=filename, safe_name=safe_filename(filename, index),
                                      declared_type=ctype, data=data, forwarded=forwarded))


def _forward(inner: email.message.Message, out: ParsedMessage, texts: list[str], depth: int,
             state: _Walk) -> None:
    if depth >= MAX_DEPTH:
        if "forwarded messages nested too deeply" not in out.defects:
            out.defects.append("forwarded messages nested too deeply")
        return
    subject = decode_header_value(_raw(inner, "Subject"))
    name, addr = _address(_raw(inner, "From"))
    out.forwarded_subjects.append(subject)
    out.forwarded_from.append((name, addr))
    inner_texts: list[str] = []
    inner_html: list[str] = []
    _walk(inner, out, inner_texts, inner_html, depth + 1, True, state)
    body = "\n".join(inner_texts) or "\n".join(html_text(h) for h in inner_html)
    texts.append(f"\n---------- Forwarded message ----------\nFrom: {name} <{addr}>\nSubject: {subject}\n{body}")


def _raw(msg: email.message.Message, name: str, all_values: bool = False) -> Any:
    """Header values as received: compat32 turns raw 8-bit values into opaque Header objects,
    while the raw item keeps the bytes (surrogate-escaped) for `decode_header_value`."""
    values = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    if all_values:
        return values
    return values[0] if values else None


def parse_message(raw: bytes, limits: Limits = Limits()) -> ParsedMessage:
    """Decode one message within `limits`. Hostile input is recorded in `defects`; an exception
    that still escapes is the caller's per-message boundary to catch (see `ingest.decode`)."""
    bounded, defects = sanitize(raw, limits)
    msg = email.message_from_bytes(bounded)
    out = ParsedMessage()
    out.defects.extend(defects)
    out.defects.extend(type(d).__name__ for d in getattr(msg, "defects", [])[:50])
    out.header_message_id = _header_text(msg, "Message-ID")[:998] or None
    out.subject = decode_header_value(_raw(msg, "Subject"))
    out.from_name, out.from_addr = _address(_raw(msg, "From"))
    out.from_problem = from_problem(header_block(raw))
    out.authentication = authres.parse_all(_raw(msg, "Authentication-Results", True))
    rp = _header_text(msg, "Return-Path")
    out.return_path = rp if msg.get("Return-Path") is not None else None
    out.to = addresses(_raw(msg, "To", True) + _raw(msg, "Cc", True))
    out.date = _date(_header_text(msg, "Date"))
    out.received_date = received_date(_raw(msg, "Received", True))
    out.in_reply_to = _header_text(msg, "In-Reply-To")[:998] or None
    out.references = _header_text(msg, "References").split()[:100]
    out.list_id = _header_text(msg, "List-Id")[:300] or None
    out.list_mail = bool(out.list_id or _header_text(msg, "List-Unsubscribe"))
    out.automatic = automatic_reason(msg, out.from_addr, out.subject)
    texts: list[str] = []
    htmls: list[str] = []
    try:
        _walk(msg, out, texts, htmls, 0, False, _Walk(limits))
    except (LookupError, ValueError, TypeError, AssertionError, RecursionError) as exc:
        out.defects.append(f"MIME structure could not be fully read: {exc.__class__.__name__}")
    body = "\n".join(t for t in texts if t.strip())
    if not body.strip() and htmls:
        body = "\n".join(html_text(h) for h in htmls)
    body = valid_text(body[:limits.max_text_chars])
    out.body_text = unicodedata.normalize("NFC", body).replace("\r\n", "\n")
    _inline_forwards(out)
    return out


# ---------------------------------------------------------------- forwards and quotes in the text
# Line by line with plain string tests: a body line of 100,000 dashes costs what it weighs.

# The words are parsers/words.toml's; the patterns are for `plain` text.
FORWARD_SUBJECT = vocabulary.regex(lambda v: rf"^[ \t]*{v.raw('forward_prefix')}[ \t]*:", re.I)
REPLY_SUBJECT = vocabulary.regex(lambda v: rf"^[ \t]*{v.raw('reply_prefix')}[ \t]*:", re.I)
_QUOTE_LEAD = vocabulary.regex(lambda v: rf"^{v.raw('quote_lead')} ", re.I)           # "On …", "Vào …"
_QUOTE_WROTE = vocabulary.regex(lambda v: rf"{v.raw('quote_wrote')}\s*:$", re.I)     # "… wrote:", "… đã viết:"
_QUOTE_FROM = vocabulary.regex(lambda v: rf"^{v.raw('header_from')}\s*:", re.I)     # "From: a@b" starts a quote
_INLINE_FROM = vocabulary.regex(lambda v: rf"^\**{v.raw('header_from')}\**[ \t]*:", re.I)
_INLINE_SUBJECT = vocabulary.regex(lambda v: rf"^\**{v.raw('header_subject')}\**[ \t]*:", re.I)
MAX_SCAN_LINE = 2_000   # longer lines are not forward markers or inline headers


def _is_forward_marker(line: str) -> bool:
    """"---------- Forwarded message ---------", "-----Original Message-----", "Begin forwarded
    message:", "----- Thư chuyển tiếp -----"."""
    text = line.strip()
    if not text or len(text) > MAX_SCAN_LINE:
        return False
    v = vocabulary.active()
    core = text.lstrip("".join(c for c in text[:50] if not c.isalnum() and c != "-"))
    if core.startswith("---") and any(w in plain(core) for w in v.words("forward_marker")):
        return True
    stripped = text.strip("-*_=<>[]() \t:")
    ends = v.memo("forward line ends", lambda: max(map(len, v.words("forward_line_start", "forward_line"))))
    return plain(stripped[:ends]).startswith(v.words("forward_line_start")) \
        or plain(stripped[-ends:]).endswith(v.words("forward_line"))


def _find_forward(text: str) -> int | None:
    """Offset of the first forward marker line, or None."""
    pos = 0
    for line in text.splitlines(keepends=True):
        if _is_forward_marker(line):
            return pos
        pos += len(line)
    return None


_HEAD = 64   # where a header name or a quote's lead must stand: the start of a line


def _quote_start(line: str) -> bool:
    """A line that starts the quoted history of a reply."""
    if line.startswith(">"):
        return True
    if line.startswith("-----"):
        return True
    if line.startswith("---") and fold(line[:_HEAD]).startswith(vocabulary.words("forward_line")):
        return True
    head = plain(line[:_HEAD])
    if _QUOTE_LEAD().match(head):
        low = plain(line[:MAX_SCAN_LINE]).rstrip()
        lead = _QUOTE_LEAD().match(low)   # the same lead as in `head`, which is a prefix of `low`
        body = low[lead.end():] if lead else low
        wrote = _QUOTE_WROTE().search(body)
        if wrote and 5 <= wrote.start() <= 120:
            return True
    sender = _QUOTE_FROM().match(head)
    return sender is not None and "@" in line[sender.end() + 1:MAX_SCAN_LINE]


def unquoted(text: str) -> str:
    """The text a person wrote in a reply, without the quoted history below it."""
    pos = 0
    for line in text.splitlines(keepends=True):
        if _quote_start(line):
            return text[:pos]
        pos += len(line)
    return text


def _inline_field(text: str, head: str, name: vocabulary.Built) -> str | None:
    """The value of a pasted header line ("From: …", "**Từ:** …"), or None: `text` is the line
    stripped, `head` the `plain` form of its start."""
    m = name().match(head)
    return (text[m.end():].strip() or None) if m else None


def _inline_forwards(out: ParsedMessage) -> None:
    """A forward pasted into the text ("---------- Forwarded message ---------", Outlook's
    "Từ: … Đã gửi: … Chủ đề: …"): its sender and subject are evidence like an attached mail's."""
    text = out.body_text
    subject = plain(out.subject)
    if REPLY_SUBJECT().match(subject) and not FORWARD_SUBJECT().match(subject):
        return  # a reply quotes the mail it answers: that history is not a forwarded report
    marker = _find_forward(text)
    if marker is None and not FORWARD_SUBJECT().match(subject):
        return
    tail = text[marker:] if marker is not None else text
    for line in tail.splitlines():
        line = line.strip()
        if len(line) > MAX_SCAN_LINE:
            continue
        head = plain(line[:_HEAD])
        sender = _inline_field(line, head, _INLINE_FROM)
        if sender is not None and len(out.forwarded_from) < 50:
            name, addr = _address(sender)
            if "@" in addr and (name.strip(), addr) not in out.forwarded_from:
                out.forwarded_from.append((name.strip().strip('"'), addr))
            continue
        pasted = _inline_field(line, head, _INLINE_SUBJECT)
        if pasted is not None and pasted not in out.forwarded_subjects and len(out.forwarded_subjects) < 50:
            out.forwarded_subjects.append(pasted)
