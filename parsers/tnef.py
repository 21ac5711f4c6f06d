"""winmail.dat: Outlook's TNEF wrapper, which hides the real attachments from other mail clients.

tnefparse reads the structure; this module only turns its result into (name, bytes) pairs and
the body text, and every failure into a `FileProblem`. Attachment names in TNEF are in the
sender's code page (cp1258 on Vietnamese Windows) unless the long-filename MAPI property holds
them, so names are decoded with care rather than with tnefparse's UTF-8 guess.
"""
from __future__ import annotations

import logging
from typing import Any

from parsers.archives import decode_name
from store.records import FileProblem

logging.getLogger("tnefparse").setLevel(logging.ERROR)   # it warns on every checksum quirk


def extract(data: bytes) -> tuple[list[tuple[str, bytes]], str, list[FileProblem]]:
    """(attachments as (name, bytes), body text, problems) of a TNEF blob."""
    from tnefparse import TNEF

    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception as err:  # noqa: BLE001 - tnefparse raises anything on hostile bytes
        return [], "", [FileProblem("corrupt", f"winmail.dat: {type(err).__name__}: {err}"[:300])]
    files: list[tuple[str, bytes]] = []
    for index, att in enumerate(tnef.attachments, 1):
        data_ = att.data if isinstance(att.data, bytes) else b""
        if not data_ and not getattr(att, "_name", b""):
            continue
        files.append((_name(att, index), data_))
    return files, _body(tnef), []


def _name(att: Any, index: int) -> str:
    """`att` a tnefparse TNEFAttachment (tnefparse ships no type information)."""
    try:
        long_name = att.long_filename()
    except Exception:  # noqa: BLE001 - tnefparse decodes the short name as UTF-8 and may fail
        long_name = None
    if isinstance(long_name, str) and long_name.strip("\x00").strip():
        return long_name.strip("\x00").strip()
    raw = getattr(att, "_name", b"")
    if isinstance(raw, bytes):
        raw = raw.rstrip(b"\x00")
        return decode_name(raw) if raw else f"tệp {index}"
    return str(raw).strip("\x00") or f"tệp {index}"


def _body(tnef: object) -> str:
    body = getattr(tnef, "body", None)
    if isinstance(body, bytes):
        from parsers.legacy import decode_bytes
        body = decode_bytes(body.rstrip(b"\x00"))
    if isinstance(body, str) and body.strip():
        return body.strip("\x00")
    html = getattr(tnef, "htmlbody", None)
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    if isinstance(html, str) and html.strip():
        from parsers.html import html_text
        return html_text(html)
    return ""
