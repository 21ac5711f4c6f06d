"""winmail.dat (TNEF) built by hand: the minimal structure tnefparse reads."""
from __future__ import annotations

import struct

from parsers import tnef
from tests.test_archives import cp1258


def _attr(level: int, name: int, kind: int, data: bytes) -> bytes:
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def tnef_blob(files: list[tuple[str | bytes, bytes]], body: bytes = b"") -> bytes:
    """A TNEF stream: signature, key, version, OEM code page 1258, optional body, attachments
    (attRenddata starts each one, then attAttachTitle and attAttachData)."""
    out = struct.pack("<IH", 0x223E9F78, 1)
    out += _attr(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))
    out += _attr(1, 0x9007, 0x0006, struct.pack("<II", 1258, 0))
    if body:
        out += _attr(1, 0x800C, 0x0002, body)
    for name, data in files:
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        out += _attr(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)
        out += _attr(2, 0x8010, 0x0001, raw + b"\x00")
        out += _attr(2, 0x800F, 0x0006, data)
    return out


def test_attachments_and_body():
    blob = tnef_blob([(cp1258("Báo cáo 6 tháng - Trường.xlsx"), b"PK\x03\x04 data"), ("b.pdf", b"%PDF-1.4")],
                     body=cp1258("Kính gửi Sở Giáo dục"))
    files, body, problems = tnef.extract(blob)
    assert problems == []
    assert files == [("Báo cáo 6 tháng - Trường.xlsx", b"PK\x03\x04 data"), ("b.pdf", b"%PDF-1.4")]
    assert body == "Kính gửi Sở Giáo dục"


def test_utf8_names():
    # (tnefparse skips a final attribute of 12 bytes or less, so the content is not one byte)
    files, _, _ = tnef.extract(tnef_blob([("Đồng Xoài.docx", b"content")]))
    assert files == [("Đồng Xoài.docx", b"content")]


def test_garbage_after_the_signature_is_not_an_exception():
    files, body, problems = tnef.extract(b"\x78\x9f\x3e\x22" + b"\xff" * 40)
    assert files == [] and body == ""


def test_wrong_signature_is_a_problem():
    files, body, problems = tnef.extract(b"not tnef at all")
    assert files == [] and [p.reason for p in problems] == ["corrupt"]
