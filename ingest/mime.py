"""Pure MIME decoding: raw bytes in, a `ParsedMessage` out, whatever the sender's client did.

Built on the standard library's `email` (compat32 policy, which never raises on broken input)
with our own decoding of headers and names: Vietnamese mail arrives with RFC 2047 words inside
quoted names, raw 8-bit headers in UTF-8 or windows-1258, charsets that are missing or unknown.
"""
from __future__ import annotations

import datetime as dt
import email
import email.message
import email.utils
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 8          # nested message/rfc822 levels we follow
MAX_PARTS = 500        # a message with more parts is cut off (and says so in defects)


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
    defects: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- decoding helpers

def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8, else legacy Vietnamese (TCVN3/VNI bytes,
    which old clients sent undeclared) or windows-1258. Legacy text in a declared Western charset
    is converted too (Outlook Express with ".VnTime" fonts declared iso-8859-1)."""
    from parsers.legacy import decode_bytes as undeclared, fix
    cs = (charset or "").strip().strip('"').lower()
    if cs and cs not in ("us-ascii", "ascii", "unknown-8bit", "x-unknown"):
        try:
            return fix(data.decode(cs))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return fix(data.decode("utf-8"))
    except UnicodeDecodeError:
        return undeclared(data)


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_SYLLABLE = re.compile(r"^(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[cmnpt])?$")


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding.lower() == "b":
        import base64
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    import quopri
    return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)


def _is_syllable(word: str) -> bool:
    from ingest.textnorm import strip_diacritics
    return bool(_SYLLABLE.match(strip_diacritics(word).lower()))


def _join(left: str, right: str) -> str:
    """Join two adjacent encoded words. RFC 2047 drops the whitespace between them, but some
    encoders (Python's own folder among them) put a word-separating space exactly there; a space
    is put back when both sides are whole Vietnamese syllables and their join is not one."""
    if not left or not right or left[-1].isspace() or right[0].isspace():
        return left + right
    a = re.split(r"\s", left)[-1]
    b = re.split(r"\s", right)[0]
    if a.isalpha() and b.isalpha() and _is_syllable(a) and _is_syllable(b) and not _is_syllable(a + b):
        return f"{left} {right}"
    return left + right


def decode_rfc2047(text: str) -> str:
    """RFC 2047 words anywhere (also inside quotes), adjacent words joined, bad charsets survived."""
    out: list[str] = []
    pos, prev_encoded = 0, False
    pending: tuple[str, bytes] | None = None  # (charset, bytes) of encoded words not yet decoded

    def flush() -> None:
        nonlocal pending
        if pending:
            decoded = decode_bytes(pending[1], pending[0])
            out.append(_join(out.pop(), decoded) if out and prev_encoded and out[-1] is not None else decoded)
            pending = None

    for m in _ENCODED_WORD.finditer(text):
        gap = text[pos:m.start()]
        if gap and not (prev_encoded and not gap.strip()):
            flush()
            out.append(gap)
            prev_encoded = False
        charset, data = m.group(1).split("*", 1)[0], _word_bytes(m.group(2), m.group(3))
        if pending and pending[0].lower() == charset.lower():
            try:
                pending[1].decode(charset)
                complete = True
            except (LookupError, UnicodeDecodeError):
                complete = False
            if not complete:  # a character split across two words: keep the bytes together
                pending = (charset, pending[1] + data)
                pos = m.end()
                continue
        flush()
        pending = (charset, data)
        prev_encoded = True
        pos = m.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def decode_header_value(value: object) -> str:
    """RFC 2047 words (also the non-standard ones inside quotes), raw 8-bit, unknown charsets."""
    if value is None:
        return ""
    text = str(value)
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in text):  # surrogate-escaped 8-bit bytes
        text = decode_bytes(text.encode("utf-8", "surrogateescape"))
    if "=?" in text:
        try:
            text = decode_rfc2047(re.sub(r"\r?\n[ \t]", " ", text))
        except (ValueError, TypeError):
            pass
    from parsers.legacy import fix
    return _clean(fix(text))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return re.sub(r"\s+", " ", text).strip()


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


_ANGLE_ADDR = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$")


def _address(value: object) -> tuple[str, str]:
    """Split before decoding: a decoded display name may hold a comma ("THCS, THPT Võ Thị Sáu")."""
    raw = "" if value is None else str(value)
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in raw):
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"))
    name, addr = email.utils.parseaddr(raw)
    angle = _ANGLE_ADDR.search(raw)
    if angle and addr.lower() != angle.group(1).lower():  # parseaddr split a name with a comma
        name, addr = raw[:angle.start()].strip(), angle.group(1)
    return decode_header_value(name).strip('" '), addr.strip().lower()


def _date(value: object) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(str(value).strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _received_date(msg: email.message.Message) -> dt.datetime | None:
    for value in msg.get_all("Received") or []:
        text = str(value)
        if ";" in text:
            when = _date(text.rsplit(";", 1)[1])
            if when:
                return when
    return None


def _html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def _part_text(part: email.message.Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    return decode_bytes(payload, part.get_content_charset())


def _filename(part: email.message.Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, LookupError, UnicodeError):
        name = None
    if name is None:
        name = part.get_param("name")
        if isinstance(name, tuple):  # RFC 2231 triple
            name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name) if name else None


# ---------------------------------------------------------------- classification of mail itself

AUTO_SUBJECT = re.compile(
    r"^\s*(thư\s+|thu\s+)?(auto(matic)?[ -]?reply|out of (the )?office|vắng mặt|trả lời tự động|tra loi tu dong|"
    r"undeliverable|undelivered|delivery status notification|mail delivery (failed|subsystem)|"
    r"returned mail|failure notice|delivery failure|không gửi được)", re.I)


def automatic_reason(msg: email.message.Message, from_addr: str, subject: str) -> str | None:
    """Why a message was sent by a machine (RFC 3834 and common practice), or None."""
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in {"bulk", "list", "junk", "auto_reply"}:
        return f"Precedence: {precedence}"
    if msg.get_content_type() == "multipart/report":
        return "delivery or read report (multipart/report)"
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or str(msg.get("X-Auto-Response-Suppress", "")).lower() == "all":
        return "auto-reply header"
    return_path = str(msg.get("Return-Path", "")).strip()
    if return_path == "<>":
        return "null return path"
    local = from_addr.split("@", 1)[0]
    if local in {"mailer-daemon", "postmaster"}:
        return f"sender {from_addr}"
    if AUTO_SUBJECT.search(subject):
        return "auto-reply or bounce subject"
    return None


# ---------------------------------------------------------------- walking the tree

def _walk(msg: email.message.Message, out: ParsedMessage, texts: list[str], htmls: list[str],
          depth: int, forwarded: bool, counter: list[int]) -> None:
    if counter[0] > MAX_PARTS:
        return
    counter[0] += 1
    ctype = msg.get_content_type()
    if msg.is_multipart():
        payload = msg.get_payload()
        if ctype == "message/rfc822" or (isinstance(payload, list) and ctype.startswith("message/")):
            for inner in payload if isinstance(payload, list) else []:
                _forward(inner, out, texts, depth, counter)
            return
        for part in payload if isinstance(payload, list) else []:
            if isinstance(part, email.message.Message):
                _walk(part, out, texts, htmls, depth, forwarded, counter)
        if counter[0] > MAX_PARTS and "too many parts" not in out.defects:
            out.defects.append("too many parts")
        return
    name = _filename(msg)
    disposition = (msg.get_content_disposition() or "").lower()
    is_text = ctype in ("text/plain", "text/html")
    if ctype == "message/rfc822":  # a non-multipart rfc822 part: the payload is the message text
        payload = msg.get_payload(decode=True)
        if payload:
            _forward(email.message_from_bytes(payload), out, texts, depth, counter)
        return
    if is_text and not name and disposition != "attachment":
        (texts if ctype == "text/plain" else htmls).append(_part_text(msg))
        return
    data = msg.get_payload(decode=True)
    if data is None:
        data = b""
    index = len(out.attachments) + 1
    filename = name or f"attachment-{index}"
    out.attachments.append(Attachment(filename=filename, safe_name=safe_filename(filename, index),
                                      declared_type=ctype, data=data, forwarded=forwarded))


def _forward(inner: email.message.Message, out: ParsedMessage, texts: list[str], depth: int,
             counter: list[int]) -> None:
    if depth >= MAX_DEPTH:
        out.defects.append("forwarded messages nested too deeply")
        return
    subject = decode_header_value(_raw(inner, "Subject"))
    name, addr = _address(_raw(inner, "From"))
    out.forwarded_subjects.append(subject)
    out.forwarded_from.append((name, addr))
    inner_texts: list[str] = []
    inner_html: list[str] = []
    _walk(inner, out, inner_texts, inner_html, depth + 1, True, counter)
    body = "\n".join(inner_texts) or "\n".join(_html_to_text(h) for h in inner_html)
    texts.append(f"\n---------- Forwarded message ----------\nFrom: {name} <{addr}>\nSubject: {subject}\n{body}")


def _raw(msg: email.message.Message, name: str, all_values: bool = False) -> Any:
    """Header values as received: compat32 turns raw 8-bit values into opaque Header objects,
    while the raw item keeps the bytes (surrogate-escaped) for `decode_header_value`."""
    values = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    if all_values:
        return values
    return values[0] if values else None


def parse_message(raw: bytes) -> ParsedMessage:
    """Decode one message. Never raises: what could not be read goes into `defects`."""
    msg = email.message_from_bytes(raw)
    out = ParsedMessage()
    out.defects.extend(type(d).__name__ for d in getattr(msg, "defects", []))
    out.header_message_id = (str(msg.get("Message-ID", "")).strip() or None)
    out.subject = decode_header_value(_raw(msg, "Subject"))
    out.from_name, out.from_addr = _address(_raw(msg, "From"))
    rp = msg.get("Return-Path")
    out.return_path = str(rp).strip() if rp is not None else None
    out.to = [a.lower() for _, a in email.utils.getaddresses(
        [decode_header_value(v) for v in _raw(msg, "To", True) + _raw(msg, "Cc", True)]) if a]
    out.date = _date(msg.get("Date"))
    out.received_date = _received_date(msg)
    out.in_reply_to = (str(msg.get("In-Reply-To", "")).strip() or None)
    out.references = str(msg.get("References", "")).split()
    out.list_mail = bool(msg.get("List-Id") or msg.get("List-Unsubscribe"))
    out.automatic = automatic_reason(msg, out.from_addr, out.subject)
    texts: list[str] = []
    htmls: list[str] = []
    try:
        _walk(msg, out, texts, htmls, 0, False, [0])
    except (LookupError, ValueError, TypeError, AssertionError, RecursionError) as exc:
        out.defects.append(f"MIME structure could not be fully read: {exc.__class__.__name__}")
    body = "\n".join(t for t in texts if t.strip())
    if not body.strip() and htmls:
        body = "\n".join(_html_to_text(h) for h in htmls)
    out.body_text = unicodedata.normalize("NFC", body).replace("\r\n", "\n")
    _inline_forwards(out)
    return out


FORWARD_MARKER = re.compile(r"(?im)^\W*(-{3,}.*(forward|original|chuyển tiếp|thư gốc).*|"
                            r"begin forwarded message:?|.*(forwarded message|original message)\W*)$")
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|tr|ct|chuyển tiếp)\s*:", re.I)
REPLY_SUBJECT = re.compile(r"^\s*(re|tl|trả lời|aw|sv)\s*:", re.I)
QUOTE_START = re.compile(r"(?im)^(>|-{3,}\s*original message|-{5,}|(on|vào) .{5,120}(wrote|viết)\s*:|"
                         r"(from|từ)\s*:.+@)")


def unquoted(text: str) -> str:
    """The text a person wrote in a reply, without the quoted history below it."""
    m = QUOTE_START.search(text)
    return text[:m.start()] if m else text
INLINE_HEADER = re.compile(r"(?im)^\s*\**(from|từ|von|de)\**\s*:\s*(.+)$")
INLINE_SUBJECT = re.compile(r"(?im)^\s*\**(subject|chủ đề|tiêu đề)\**\s*:\s*(.+)$")


def _inline_forwards(out: ParsedMessage) -> None:
    """A forward pasted into the text ("---------- Forwarded message ---------", Outlook's
    "Từ: … Đã gửi: … Chủ đề: …"): its sender and subject are evidence like an attached mail's."""
    text = out.body_text
    if REPLY_SUBJECT.match(out.subject) and not FORWARD_SUBJECT.match(out.subject):
        return  # a reply quotes the mail it answers: that history is not a forwarded report
    marker = FORWARD_MARKER.search(text)
    if not marker and not FORWARD_SUBJECT.match(out.subject):
        return
    tail = text[marker.start():] if marker else text
    for m in INLINE_HEADER.finditer(tail):
        name, addr = email.utils.parseaddr(m.group(2).strip())
        if "@" in addr and (name.strip(), addr.lower()) not in out.forwarded_from:
            out.forwarded_from.append((name.strip().strip('"'), addr.lower()))
    for m in INLINE_SUBJECT.finditer(tail):
        if m.group(2).strip() not in out.forwarded_subjects:
            out.forwarded_subjects.append(m.group(2).strip())
