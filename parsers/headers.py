"""Header values, read the way hostile mail demands: bounded, linear, never recursive.

Everything here runs on text a stranger wrote, before anything else is known about the mail, so
every function has a size cap and linear cost, and none calls the standard library's recursive
address parser on input it has not bounded first. Nothing here raises on bad input: what cannot
be read comes back empty.

- `read_headers(raw)`: the few headers the message row needs, from the raw bytes alone (the
  header block only, its size capped), for the row that is committed before any full decode.
- `decode_header_value`: RFC 2047 words anywhere (also inside quotes), adjacent words joined,
  raw 8-bit bytes in UTF-8 or legacy Vietnamese encodings, unknown charsets survived.
- `address` / `addresses`: display name and address, without recursion.
- `parse_date`: an RFC 5322 date, or None outside 1970–2100.
"""
from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import re
import unicodedata
from dataclasses import dataclass

MAX_VALUE_CHARS = 16_000       # one header value is cut here before it is decoded
MAX_ADDRESS_CHARS = 2_000      # one address (name and addr-spec) is cut here
MAX_ADDRESSES = 1_000          # a To/Cc list keeps this many
MAX_HEADER_BLOCK = 512 * 1024  # the bounded header read looks at no more of the raw bytes
MIN_YEAR, MAX_YEAR = 1970, 2100

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")   # an 8-bit byte kept by surrogateescape
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def valid_text(text: str) -> str:
    """`text` with lone surrogates replaced, so it always encodes as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def clean(text: str) -> str:
    """One line of header text: NFC, control characters and runs of space one space, UTF-8-safe."""
    text = unicodedata.normalize("NFC", valid_text(text))
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


# ---------------------------------------------------------------- bytes to text

def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8, else legacy Vietnamese (TCVN3/VNI bytes,
    which old clients sent undeclared) or windows-1258. Legacy text in a declared Western charset
    is converted too (Outlook Express with ".VnTime" fonts declared iso-8859-1)."""
    from parsers.legacy import decode_bytes as undeclared, fix
    cs = (charset or "").strip().strip('"').lower()
    if cs and cs not in ("us-ascii", "ascii", "unknown-8bit", "x-unknown") and _known_charset(cs):
        try:
            return valid_text(fix(data.decode(cs)))
        except (LookupError, UnicodeError, ValueError):
            pass
    try:
        return valid_text(fix(data.decode("utf-8")))
    except UnicodeDecodeError:
        return valid_text(undeclared(data))


def _known_charset(cs: str) -> bool:
    """A text charset Python can decode with. Python's bytes-to-bytes codecs (zlib, base64, hex,
    bz2, uu, quopri) are no charset: their decoders refuse errors='replace'. utf-7 is refused
    too: its decoder turns "+..." sequences in plain ASCII into surprises, and no Vietnamese
    mailer sends it."""
    try:
        info = codecs.lookup(cs)
    except (LookupError, ValueError):
        return False
    return getattr(info, "_is_text_encoding", True) and info.name not in ("utf-7",)


# ---------------------------------------------------------------- RFC 2047

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]*)\?=")
_SYLLABLE = re.compile(r"^(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[cmnpt])?$")
_WORD_END = frozenset(",;:.!?)")
_TAIL = 40  # how much of the text on each side of a join the space rule looks at


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding.lower() == "b":
        import base64
        import binascii
        try:
            return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
        except (binascii.Error, ValueError):
            return b""
    import quopri
    return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)


def _is_syllable(word: str) -> bool:
    from parsers.text import strip_diacritics
    return len(word) <= 8 and bool(_SYLLABLE.match(strip_diacritics(word).lower()))


def _needs_space(left: str, right: str) -> bool:
    """RFC 2047 drops the whitespace between adjacent encoded words, but some encoders (Python's
    own folder among them) put a word-separating space exactly there: it is put back when both
    sides are whole Vietnamese syllables and their join is not one. Only the last and first
    characters around the join are looked at, so a long run of words costs linear time."""
    if not left or not right or left[-1].isspace() or right[0].isspace():
        return False
    a = _SPACES.split(left[-_TAIL:])[-1]
    b = _SPACES.split(right[:_TAIL])[0]
    if a[-1:] in _WORD_END and a[:-1].isalpha() and b[:1].isalpha():
        return True       # "Bù Đốp," + "tỉnh": punctuation that ends a word is followed by a space
    return a.isalpha() and b.isalpha() and _is_syllable(a) and _is_syllable(b) and not _is_syllable(a + b)


def _decode_run(charset: str, words: list[bytes]) -> list[str]:
    """Adjacent encoded words of one charset, decoded together: a character split across two
    words stays whole. Returns the text of each word boundary where a character ends."""
    try:
        decoder = codecs.getincrementaldecoder(charset)("replace") if _known_charset(charset.lower()) else None
    except (LookupError, ValueError):
        decoder = None
    if decoder is None:
        return [decode_bytes(b"".join(words))]
    pieces: list[str] = []
    pending: list[str] = []
    try:
        for data in words:
            pending.append(decoder.decode(data))
            if not decoder.getstate()[0]:           # the word ended on a character boundary
                pieces.append("".join(pending))
                pending = []
        pending.append(decoder.decode(b"", final=True))
    except (UnicodeError, ValueError, TypeError, LookupError):  # codecs that refuse ("undefined", BOM-less utf-16)
        return [decode_bytes(b"".join(words))]
    if "".join(pending):
        pieces.append("".join(pending))
    if any("\ufffd" in p for p in pieces):  # mislabelled bytes: the undeclared-charset rules
        return [decode_bytes(b"".join(words), charset)]
    from parsers.legacy import fix
    return [valid_text(fix(p)) for p in pieces]


def decode_rfc2047(text: str) -> str:
    """RFC 2047 words anywhere (also inside quotes), adjacent words joined, bad charsets survived.
    Linear in the length of `text`."""
    out: list[str] = []
    run_charset: str | None = None
    run: list[bytes] = []
    last_decoded = ""  # the text of the previous encoded word, for the space rule

    def flush() -> None:
        nonlocal run_charset, run, last_decoded
        if run_charset is None:
            return
        for piece in _decode_run(run_charset, run):
            if last_decoded and _needs_space(last_decoded, piece):
                out.append(" ")
            out.append(piece)
            last_decoded = piece
        run_charset, run = None, []

    pos = 0
    for m in _ENCODED_WORD.finditer(text):
        gap = text[pos:m.start()]
        charset = m.group(1).split("*", 1)[0]
        if gap and gap.strip():             # real text between words: they are not adjacent
            flush()
            out.append(gap)
            last_decoded = ""
        elif run_charset is not None and run_charset.lower() != charset.lower():
            flush()
        run_charset = run_charset or charset
        run.append(_word_bytes(m.group(2), m.group(3)))
        pos = m.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def decode_header_value(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """A header value as a person reads it: RFC 2047 words (also the non-standard ones inside
    quotes), raw 8-bit, unknown charsets; cut at `limit` characters before any decoding."""
    if value is None:
        return ""
    try:
        text = str(value)[:limit]
    except Exception:  # a header object whose str() fails: nothing to read
        return ""
    if _ESCAPED_BYTE.search(text):  # surrogate-escaped 8-bit bytes
        text = decode_bytes(text.encode("utf-8", "surrogateescape"))
    if "=?" in text:
        text = decode_rfc2047(text.replace("\r\n ", " ").replace("\r\n\t", " ").replace("\n ", " ")
                              .replace("\n\t", " "))
    from parsers.legacy import fix
    return clean(fix(valid_text(text)))


# ---------------------------------------------------------------- addresses

_ADDR_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+-/=^_`{|}~")


def _strip_comments(text: str) -> tuple[str, str]:
    """Remove (comments), nested to any depth, in one pass; return (text, first comment).
    Quoted strings are kept as they are (a parenthesis inside quotes is not a comment)."""
    out: list[str] = []
    comment: list[str] = []
    first = ""
    depth, quoted, escaped = 0, False, False
    for ch in text:
        if escaped:
            (comment if depth else out).append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
            (comment if depth else out).append(ch)
        elif quoted:
            out.append(ch)
            quoted = ch != '"'
        elif ch == '"' and not depth:
            quoted = True
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if not depth and not first:
                first = "".join(comment).strip()
            if not depth:
                comment = []
        elif depth:
            if len(comment) < MAX_ADDRESS_CHARS:
                comment.append(ch)
        else:
            out.append(ch)
    return "".join(out), first


def _addr_spec_around(text: str, at: int) -> str:
    """The addr-spec containing the '@' at index `at`, found by scanning outward (linear)."""
    lo = at
    while lo > 0 and text[lo - 1] in _ADDR_CHARS:
        lo -= 1
    hi = at + 1
    while hi < len(text) and (text[hi] in _ADDR_CHARS or text[hi] == "@"):
        hi += 1
    return text[lo:hi].strip(".")


def _simple_address(text: str) -> tuple[str, str]:
    """Name and address without the stdlib parser: the last <angle address>, else the first
    bare addr-spec; the name is what stands before it."""
    close = text.rfind(">")
    open_ = text.rfind("<", 0, close) if close > 0 else -1
    if open_ >= 0:
        inner = text[open_ + 1:close].strip()
        at = inner.rfind("@")
        addr = inner if at > 0 and " " not in inner else (_addr_spec_around(inner, at) if at > 0 else "")
        return text[:open_].strip(), addr
    at = text.find("@")
    if at > 0:
        addr = _addr_spec_around(text, at)
        name = text.replace(addr, "", 1).strip() if addr else ""
        return name, addr
    return "", ""


def _safe_for_stdlib(text: str) -> bool:
    """Input the stdlib's parseaddr handles without deep recursion: short, few group colons."""
    return len(text) <= 512 and text.count(":") <= 3 and text.count("<") <= 3 and text.count('"') <= 8


def address(value: object) -> tuple[str, str]:
    """(display name, lower-case address) of one address header. The split happens before the
    name is decoded: a decoded name may hold a comma ("THCS, THPT Võ Thị Sáu")."""
    try:
        raw = "" if value is None else str(value)
    except Exception:
        return "", ""
    raw = raw[:MAX_ADDRESS_CHARS * 4]
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in raw):
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"))
    raw = raw.replace("\r", " ").replace("\n", " ")
    text, comment = _strip_comments(raw)
    text = text[:MAX_ADDRESS_CHARS]
    name, addr = _simple_address(text)
    if _safe_for_stdlib(text):
        try:
            std_name, std_addr = email.utils.parseaddr(text)
        except Exception:  # noqa: BLE001 - the stdlib parser on a stranger's text
            std_name, std_addr = "", ""
        if std_addr and (not addr or std_addr.lower() == addr.lower()):
            name, addr = std_name or name, std_addr
    name = name or comment
    return decode_header_value(name, MAX_ADDRESS_CHARS).strip('" '), addr.strip().lower()[:320]


def addresses(values: list[object]) -> list[str]:
    """Every address of To/Cc values, lower-case, at most MAX_ADDRESSES, in linear time.
    Split at commas outside quotes; a group's "name:" and ";" are dropped."""
    out: list[str] = []
    for value in values:
        try:
            text = decode_header_value(value, MAX_ADDRESSES * 100)
        except Exception:  # noqa: BLE001
            continue
        for piece in _split_commas(text):
            if len(out) >= MAX_ADDRESSES:
                return out
            if ":" in piece and "@" not in piece.split(":", 1)[0]:
                piece = piece.rsplit(":", 1)[-1]          # "Group: a@b" -> " a@b"
            _, addr = address(piece.replace(";", " "))
            if addr:
                out.append(addr)
    return out


def _split_commas(text: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [p for p in pieces if p.strip()]


# ---------------------------------------------------------------- dates

def parse_date(value: object) -> dt.datetime | None:
    """An RFC 5322 date as an aware datetime, or None: unreadable, or outside 1970–2100 (a year
    9999 or an offset of days is a lie, not a date)."""
    if not value:
        return None
    try:
        text = str(value).strip()[:200]
        parts = email.utils.parsedate_tz(text)
        if parts is None or not (MIN_YEAR <= parts[0] <= MAX_YEAR):
            return None
        offset = parts[9] or 0
        if abs(offset) > 14 * 3600:
            return None
        naive = dt.datetime(*parts[:6])
        return naive.replace(tzinfo=dt.timezone(dt.timedelta(seconds=offset)))
    except Exception:  # noqa: BLE001 - OverflowError, ValueError, IndexError: not a date
        return None


def iso_date(when: dt.datetime | None) -> str | None:
    """A header's date as ISO text for the store; None when absent or out of range (a year 0 or
    10000 parses and then cannot be written)."""
    try:
        return when.isoformat() if when else None
    except (OverflowError, ValueError):
        return None


def received_date(values: list[object]) -> dt.datetime | None:
    """The date of the topmost Received: header that has one."""
    for value in values[:50]:
        text = str(value)[:MAX_VALUE_CHARS]
        if ";" in text:
            when = parse_date(text.rsplit(";", 1)[1])
            if when:
                return when
    return None


# ---------------------------------------------------------------- the bounded header read

@dataclass(frozen=True)
class Headers:
    """What the message row needs before the full decode: all optional."""
    header_message_id: str | None = None
    from_addr: str = ""
    from_name: str = ""
    subject: str = ""
    date: dt.datetime | None = None
    received_date: dt.datetime | None = None


def header_block(raw: bytes, limit: int = MAX_HEADER_BLOCK) -> bytes:
    """The top-level header block: up to the first empty line, at most `limit` bytes."""
    crlf = raw.find(b"\r\n\r\n", 0, limit)
    lf = raw.find(b"\n\n", 0, crlf + 2 if crlf >= 0 else limit)   # a bare-LF end only before it
    ends = [i for i in (crlf, lf) if i >= 0]
    return raw[:min(ends)] if ends else raw[:limit]


def header_fields(block: bytes) -> list[tuple[str, str]]:
    """(lower-case name, unfolded value) pairs of a header block, in order; 8-bit bytes kept as
    surrogate escapes for `decode_header_value`. Lines without a colon are skipped."""
    fields: list[tuple[str, list[str]]] = []
    for line in block.split(b"\n"):
        text = line.rstrip(b"\r").decode("utf-8", "surrogateescape")
        if text[:1] in (" ", "\t") and fields:
            if sum(len(p) for p in fields[-1][1]) < MAX_VALUE_CHARS:
                fields[-1][1].append(" " + text.strip())
            continue
        name, colon, value = text.partition(":")
        if colon and name and len(name) <= 76 and " " not in name.strip():
            fields.append((name.strip().lower(), [value.strip()[:MAX_VALUE_CHARS]]))
    return [(n, "".join(v)) for n, v in fields]


def from_problem(block: bytes) -> str | None:
    """Why the top-level `From:` of a header block cannot be trusted, or None: a second `From:`
    (which one a mail client shows is anyone's guess), or a control character inside it (a bare
    CR, a NUL, or a bare LF where the block's lines end in CRLF: readers disagree where the line
    ends, so the sender one shows is not the one another reads). Folding (a line break followed
    by a space or tab) is no problem, nor a block whose few first lines a delivery agent wrote
    with other line endings. One pass over the bounded block."""
    lines = block.split(b"\n")
    crlf = 2 * sum(1 for line in lines[:-1] if line.endswith(b"\r")) > len(lines) - 1
    count, inside, problem = 0, False, None
    for n, line in enumerate(lines):
        ending_cr = line.endswith(b"\r")
        body = line[:-1] if ending_cr else line
        if line[:1] not in (b" ", b"\t"):
            inside = b":" in line and line.split(b":", 1)[0].strip().lower() == b"from"
            count += inside
        if not inside or problem:
            continue
        if any(c < 32 and c != 9 or c == 127 for c in body):
            problem = "a control character (CR or NUL) inside From:"
        elif crlf and not ending_cr and n < len(lines) - 1:
            problem = "a bare LF inside From:"
    if count > 1:
        return f"{count} From: headers"
    return problem


def first_message_id(value: str | None) -> str | None:
    text = (value or "").strip()[:998]
    return valid_text(text) or None


def read_headers(raw: bytes) -> Headers:
    """The headers a message row needs, from the raw bytes alone. Never raises."""
    try:
        fields = header_fields(header_block(raw))
        first: dict[str, str] = {}
        received: list[object] = []
        for name, value in fields:
            first.setdefault(name, value)
            if name == "received":
                received.append(value)
        name, addr = address(first.get("from"))
        return Headers(header_message_id=first_message_id(first.get("message-id")), from_addr=addr,
                       from_name=name, subject=decode_header_value(first.get("subject")),
                       date=parse_date(first.get("date")), received_date=received_date(received))
    except Exception:  # noqa: BLE001 - the row is recorded from the bytes alone then
        return Headers()
