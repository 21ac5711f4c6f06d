"""Bounding a raw message before the standard library's `email` parser sees it.

The stdlib parser recurses once per MIME level (a multipart nested 2,000 deep is a
`RecursionError`), and its parameter parsing is quadratic in the length of a header
(`get_boundary` on a 1 MB `Content-Type` of semicolons takes minutes). Both are reached from
`message_from_bytes` itself, so the only safe place for limits is before it: one linear pass
over the lines that

- cuts the message where its MIME structure goes deeper than `max_depth` levels or past
  `max_parts` parts (the rest is not decoded, and a defect says so);
- shortens every header field to `max_field` bytes (`max_content_field` for Content-*), keeps at
  most `max_fields` fields and `max_block` bytes per header block.

The pass tracks boundaries the way the stdlib does (a delimiter line `--boundary`, a close
`--boundary--`, `message/rfc822` bodies starting a header block of their own), so what it keeps
parses the same as before for any mail within the limits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """How much of one message is decoded. Real mail nests fewer than 10 levels and has a few
    dozen parts; the defaults are generous and configurable (`[intake]` in the configuration)."""
    max_depth: int = 40
    max_parts: int = 2_000
    max_field: int = 64 * 1024
    max_content_field: int = 4 * 1024
    max_fields: int = 2_000
    max_block: int = 512 * 1024
    max_text_chars: int = 1_000_000


_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")   # what the stdlib takes for a header line
_CONTENT = (b"content-",)


def _content_type(value: bytes) -> tuple[str, bytes | None]:
    """('multipart', boundary) | ('digest', boundary) | ('rfc822', None) | ('', None), read
    without a regex."""
    lower = value.lower().lstrip()
    if lower.startswith(b"message/rfc822"):
        return "rfc822", None
    if not lower.startswith(b"multipart/"):
        return "", None
    at = value.lower().find(b"boundary=")
    if at < 0:
        return "multipart", None
    rest = value[at + 9:].lstrip()
    if rest.startswith(b'"'):
        end = rest.find(b'"', 1)
        boundary = rest[1:end] if end > 0 else rest[1:]
    else:
        cut = [i for i in (rest.find(b";"), rest.find(b" "), rest.find(b"\t")) if i >= 0]
        boundary = rest[:min(cut)] if cut else rest
    return ("digest" if lower.startswith(b"multipart/digest") else "multipart"), boundary.rstrip() or None


@dataclass
class _Block:
    """The header block being read: its Content-Type and how much it has kept."""
    content_type: bytes = b""
    fields: int = 0
    size: int = 0
    field_size: int = 0
    field_limit: int = 0
    keeping: bool = True
    in_content_type: bool = False


def sanitize(raw: bytes, limits: Limits = Limits()) -> tuple[bytes, list[str]]:
    """`raw` cut to the limits, and the defects saying what was cut. Linear in len(raw)."""
    out: list[bytes] = []
    defects: list[str] = []
    stack: list[bytes | None] = []      # open multipart boundaries; None marks a message/rfc822 level
    digests: set[int] = set()            # stack indexes of multipart/digest levels
    in_headers = True
    block = _Block()
    cut: set[str] = set()                # what the header limits dropped, said once each
    parts = 0
    pos = 0
    size = len(raw)
    next_lf = next_cr = -1       # cached: looking both up anew on every line would be quadratic
    while pos < size:
        # the stdlib ends a line at \r\n, \r or \n: so must this pass, or a chain of parts
        # separated by bare CRs would slip past the limits
        if next_lf < pos:
            next_lf = raw.find(b"\n", pos)
            next_lf = size if next_lf < 0 else next_lf
        if next_cr < pos:
            next_cr = raw.find(b"\r", pos)
            next_cr = size if next_cr < 0 else next_cr
        if next_cr < next_lf:
            end = next_cr + 2 if next_cr + 1 == next_lf else next_cr + 1
        else:
            end = min(next_lf + 1, size)
        line = raw[pos:end]
        pos = end
        bare = line.rstrip(b"\r\n")
        if in_headers and bare[:1] in (b" ", b"\t"):       # a continuation line (as the stdlib reads it)
            _keep_header_line(out, cut, line, bare, block, limits, continuation=True)
            continue
        if in_headers and bare and (_HEADER_LINE.match(bare) or bare.startswith(b"From ")):
            _keep_header_line(out, cut, line, bare, block, limits, continuation=False)
            continue
        if in_headers:
            # The header block ends: at an empty line, or (as in the stdlib, which then reads the
            # line again as the first of the body) at a line that is not a header.
            parts += 1
            kind, boundary = _content_type(block.content_type)
            if not block.content_type.strip() and stack and len(stack) - 1 in digests:
                kind = "rfc822"                               # a digest's part is a message by default
            block = _Block()
            if parts > limits.max_parts:
                defects.append(f"more than {limits.max_parts} MIME parts: the rest was not decoded")
                break
            if kind in ("multipart", "digest") and boundary:
                stack.append(boundary)
                if kind == "digest":
                    digests.add(len(stack) - 1)
                in_headers = False
            elif kind == "rfc822":
                stack.append(None)                            # the body is a message: headers again
            else:
                in_headers = False
            if len(stack) > limits.max_depth:
                defects.append(f"MIME nested deeper than {limits.max_depth} levels: the rest was not decoded")
                break
            if not bare:
                out.append(line)
                continue
            if in_headers:                                    # a message body starting without headers
                if _HEADER_LINE.match(bare) or bare.startswith(b"From "):
                    _keep_header_line(out, cut, line, bare, block, limits, continuation=False)
                    continue
                in_headers = False
        if bare.startswith(b"--") and stack:
            hit = _delimiter(stack, bare)
            if hit is not None:
                index, closing = hit
                del stack[index + (0 if closing else 1):]
                digests = {d for d in digests if d < len(stack)}
                in_headers = not closing
                block = _Block()
        out.append(line)
    return b"".join(out), defects + sorted(cut)


def _delimiter(stack: list[bytes | None], bare: bytes) -> tuple[int, bool] | None:
    """The innermost open boundary this line delimits or closes: (index in stack, closing)."""
    for index in range(len(stack) - 1, -1, -1):
        boundary = stack[index]
        if boundary is None or not bare.startswith(b"--" + boundary):
            continue
        rest = bare[2 + len(boundary):]
        if rest.startswith(b"--"):
            return index, True
        if not rest.strip():
            return index, False
    return None


def _keep_header_line(out: list[bytes], cut: set[str], line: bytes, bare: bytes, block: _Block,
                      limits: Limits, continuation: bool) -> None:
    """Keep a header line within the field and block limits; remember the Content-Type."""
    if not continuation:
        block.fields += 1
        block.field_size = 0
        is_content = bare[:8].lower() in _CONTENT
        block.field_limit = limits.max_content_field if is_content else limits.max_field
        block.keeping = block.fields <= limits.max_fields and block.size < limits.max_block
        block.in_content_type = bare[:13].lower() == b"content-type:"
        if block.in_content_type and block.keeping:
            block.content_type = bare[13:]
    elif block.in_content_type and block.keeping and len(block.content_type) < limits.max_content_field:
        block.content_type += b" " + bare.strip()
    if not block.keeping:
        cut.add(f"a header block longer than {limits.max_fields} fields or {limits.max_block} bytes was cut")
        return
    room = block.field_limit - block.field_size
    if room <= 0 or len(line) > room:
        cut.add("header fields longer than the limit were cut")
    if room <= 0:
        return
    if len(line) > room:
        line = line[:room].rstrip(b"\r\n") + b"\r\n"
    block.field_size += len(line)
    block.size += len(line)
    out.append(line)
