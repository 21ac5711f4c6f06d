"""File-type detection by content: the extension never decides (except .csv for plain text)."""
from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile

import pytest

from parsers.detect import detect, ole_stream_names

FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) with `streams` at the root.
    Streams are padded to 4096 bytes so no mini stream is needed. Shared with test_doc."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    blobs = [streams[n].ljust(4096, b"\0") for n in names]
    fat, sector, starts = [FATSECT, END], 2, []
    for blob in blobs:
        count = -(-len(blob) // 512)
        starts.append(sector)
        fat += [sector + i + 1 for i in range(count - 1)] + [END]
        sector += count
    assert len(fat) <= 128 and len(names) <= 3
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16,
                         0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, END, 0, END, 0)
    header += struct.pack("<109I", 0, *[FREE] * 108)
    fat_sector = struct.pack("<128I", *(fat + [FREE] * (128 - len(fat))))
    entries = [_entry("Root Entry", 5, child=1 if names else NOSTREAM, start=END, size=0)]
    for i, blob in enumerate(blobs):
        entries.append(_entry(names[i], 2, right=i + 2 if i + 1 < len(names) else NOSTREAM,
                              start=starts[i], size=len(blob)))
    directory = b"".join(entries).ljust(512, b"\0")
    return header + fat_sector + directory + b"".join(b.ljust(-(-len(b) // 512) * 512, b"\0") for b in blobs)


def _entry(name: str, kind: int, *, right: int = NOSTREAM, child: int = NOSTREAM, start: int = END,
           size: int = 0) -> bytes:
    raw = name.encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", raw.ljust(64, b"\0"), len(raw) + 2, kind, 1,
                       NOSTREAM, right, child, b"\0" * 16, 0, 0, 0, start, size)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _xlsx() -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Tổng số"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _docx() -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph("Báo cáo")
    buffer = io.BytesIO()
    d.save(buffer)
    return buffer.getvalue()


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(72, 720, "Bao cao")
    c.save()
    return buffer.getvalue()


def _tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        info = tarfile.TarInfo("a.txt")
        info.size = 2
        tf.addfile(info, io.BytesIO(b"hi"))
    return buffer.getvalue()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
MAIL = (b"Return-Path: <a@b.vn>\r\nFrom: THPT <a@b.vn>\r\nTo: trunghoc@binhphuoc.edu.vn\r\n"
        b"Subject: =?utf-8?b?QsOhbyBjw6Fv?=\r\nDate: Mon, 1 Jul 2024 08:00:00 +0700\r\n\r\nbody\r\n")

CASES = [
    ("pdf", _pdf, "bc.pdf"),
    ("pdf", lambda: b"\r\n  %PDF-1.4 junk before the header", "scan"),
    ("xlsx", _xlsx, "bc.xlsx"),
    ("xlsx", _xlsx, "bc.xls"),                      # renamed: content wins
    ("docx", _docx, "bc.doc"),
    ("ods", lambda: zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}), "a.ods"),
    ("odt", lambda: zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), "a.odt"),
    ("zip", lambda: zip_of({"a.txt": b"x"}), "bc.xlsx"),
    ("rar", lambda: b"Rar!\x1a\x07\x00" + b"\x00" * 20, "a.rar"),
    ("rar", lambda: b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20, "a.zip"),
    ("7z", lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 24, "a.7z"),
    ("gzip", lambda: gzip.compress(b"hello"), "a.gz"),
    ("tar", _tar, "a.tar"),
    ("xls", lambda: build_cfb({"Workbook": b"\x09\x08" + b"\x00" * 100}), "bc.xls"),
    ("xls", lambda: build_cfb({"Book": b"\x09\x08"}), "old.xls"),
    ("doc", lambda: build_cfb({"WordDocument": b"\xec\xa5", "1Table": b""}), "bc.doc"),
    ("encrypted-ooxml", lambda: build_cfb({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"x"}), "bc.xlsx"),
    ("msg", lambda: build_cfb({"__substg1.0_0037001F": b"S\x00"}), "a.msg"),
    ("ole", lambda: build_cfb({"Contents": b"x"}), "a.bin"),
    ("tnef", lambda: b"\x78\x9f\x3e\x22\x01\x00" + b"\x00" * 20, "winmail.dat"),
    ("rtf", lambda: b"{\\rtf1\\ansi hello}", "bc.doc"),
    ("html", lambda: b"<!DOCTYPE html><html><body>Bao cao</body></html>", "bc.pdf"),
    ("html", lambda: "<html xmlns:o='urn:schemas-microsoft-com:office:office'><body>Báo cáo".encode("utf-8"), "bc.doc"),
    ("xml", lambda: b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>', "bc.xls"),
    ("image", lambda: JPEG, "bc.xlsx"),
    ("image", lambda: PNG, "bc.pdf"),
    ("image", lambda: b"GIF89a" + b"\x00" * 20, "a.gif"),
    ("image", lambda: b"II*\x00" + b"\x00" * 20, "a.tif"),
    ("image", lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "IMG_1.HEIC"),
    ("eml", lambda: MAIL, "fwd.eml"),
    ("eml", lambda: MAIL, "noname"),
    ("csv", lambda: "Đơn vị;Số lượng\nTHPT Đồng Xoài;3\n".encode("utf-8"), "bc.csv"),
    ("text", lambda: "Đơn vị;Số lượng\nTHPT Đồng Xoài;3\n".encode("utf-8"), "bc.xlsx"),
    ("text", lambda: "Báo cáo tháng 6".encode("utf-16"), "a.txt"),
    ("text", lambda: "B¸o c¸o".encode("cp1252"), "a.txt"),
    ("empty", lambda: b"", "bc.xlsx"),
    ("unknown", lambda: bytes(range(256)) * 4, "bc.pdf"),
]


@pytest.mark.parametrize("expected,make,filename", CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_detect(expected, make, filename):
    assert detect(make(), filename) == expected


def test_truncated_xlsx_is_still_recognised_from_its_local_headers():
    data = _xlsx()
    assert detect(data[: len(data) // 2]) in ("xlsx", "zip")
    assert detect(data[:-30]) == "xlsx"


def test_cfb_directory_is_read_not_guessed():
    data = build_cfb({"WordDocument": b"x", "1Table": b"y"})
    assert set(ole_stream_names(data)) == {"Root Entry", "WordDocument", "1Table"}


def test_damaged_cfb_falls_back_to_a_scan_of_the_names():
    data = bytearray(build_cfb({"Workbook": b"x"}))
    struct.pack_into("<I", data, 48, 999)        # first directory sector points past the end
    assert detect(bytes(data)) == "xls"


def test_word_text_mentioning_workbook_does_not_make_it_a_workbook():
    body = "see the Workbook".encode("utf-16-le")
    assert detect(build_cfb({"WordDocument": body, "1Table": b""})) == "doc"
