"""Word 97 .doc through antiword: a real .doc is built here (CFB + FIB + piece table)."""
from __future__ import annotations

import shutil
import struct

import pytest

from parsers import doc
from parsers.registry import parse_attachment
from store.config import load
from tests.test_detect import build_cfb

needs_antiword = pytest.mark.skipif(not shutil.which("antiword"), reason="antiword not installed")

TEXT = ("SỞ GIÁO DỤC VÀ ĐÀO TẠO\nTrường THPT Đồng Xoài\n"
        "Báo cáo sơ kết 6 tháng công tác trẻ em năm 2024\n"
        "Nhà trường đã tổ chức 12 buổi tuyên truyền cho học sinh.")


def build_word97(text: str) -> bytes:
    """A minimal Word 97 document: a FIB (nFib 0xC1) in the WordDocument stream, the text as one
    UTF-16 piece at 0x400, and the CLX piece table in the 1Table stream."""
    text = text.replace("\n", "\r") + "\r"
    body = text.encode("utf-16-le")
    fc = 0x400
    fib = bytearray(0x382)
    struct.pack_into("<HHHH", fib, 0, 0xA5EC, 0xC1, 0x2000, 0x042A)    # wIdent, nFib, product, lid (vi)
    struct.pack_into("<H", fib, 0x0A, 0x0200)                           # fWhichTblStm: 1Table
    struct.pack_into("<H", fib, 0x0C, 0xBF)                             # nFibBack
    struct.pack_into("<II", fib, 0x18, fc, fc + len(body))              # fcMin, fcMac
    struct.pack_into("<H", fib, 0x20, 14)                               # csw
    struct.pack_into("<H", fib, 0x3E, 22)                               # clw
    struct.pack_into("<I", fib, 0x40, fc + len(body))                   # cbMac
    struct.pack_into("<I", fib, 0x4C, len(text))                        # ccpText
    struct.pack_into("<H", fib, 0x98, 93)                               # cfclcb
    # Style sheet: an STSHI (18 bytes) declaring one empty style slot; antiword reads past a
    # missing one (and crashes now and then).
    stsh = struct.pack("<H9H", 18, 1, 10, 0, 15, 15, 0, 0, 0, 0) + struct.pack("<H", 0)
    plc = struct.pack("<II", 0, len(text)) + struct.pack("<HIH", 0, fc, 0)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", fib, 0xA2, 0, len(stsh))                    # fcStshf, lcbStshf
    struct.pack_into("<II", fib, 0x1A2, len(stsh), len(clx))            # fcClx, lcbClx
    return build_cfb({"WordDocument": bytes(fib).ljust(fc, b"\0") + body, "1Table": stsh + clx})


@pytest.fixture(scope="module")
def report():
    return load("config.example.toml").reports[0]


@needs_antiword
def test_antiword_gives_utf8_vietnamese():
    text, problem = doc.antiword_text(build_word97(TEXT))
    assert problem is None
    assert [line for line in text.splitlines() if line.strip()] == TEXT.splitlines()


@needs_antiword
def test_doc_attachment_gives_values_and_text(report):
    [result] = parse_attachment("Báo cáo.doc", build_word97(TEXT), report, isolate=False)
    assert result.filename == "Báo cáo.doc" and result.detected_type == "doc"
    assert "Trường THPT Đồng Xoài" in result.text
    assert ("tt_so_buoi", 12.0) in [(v.indicator, v.number) for v in result.values]


@needs_antiword
def test_legacy_tcvn3_doc_is_converted(report):
    from parsers.legacy import encode
    [result] = parse_attachment("cu.doc", build_word97(encode(TEXT.split("\n")[-1], "tcvn3")), report, isolate=False)
    assert "Nhà trường đã tổ chức 12 buổi tuyên truyền" in result.text


@needs_antiword
@pytest.mark.parametrize("data,reason", [
    (build_cfb({"WordDocument": b"\x00" * 600, "1Table": b""}), "corrupt"),
])
def test_broken_doc_is_a_problem(report, data, reason):
    [result] = parse_attachment("hỏng.doc", data, report, isolate=False)
    assert [p.reason for p in result.problems] == [reason]


def test_without_a_converter_the_file_is_kept_with_a_problem(report, monkeypatch):
    monkeypatch.setattr(doc.shutil, "which", lambda name: None)
    result = doc.parse("bc.doc", build_word97(TEXT), report)
    assert [p.reason for p in result.problems] == ["format not readable here"]


def test_antiword_tables_become_rows():
    text = ("Báo cáo\n\n"
            "|STT |Nội dung                 |Số lượng |\n"
            "|1   |Số buổi tuyên truyền     |12       |\n"
            "|2   |Số lượt học sinh         |1.250    |\n"
            "\nNgười lập biểu\n")
    assert doc.blocks(text) == [
        "Báo cáo",
        [["STT", "Nội dung", "Số lượng"], ["1", "Số buổi tuyên truyền", "12"], ["2", "Số lượt học sinh", "1.250"]],
        "Người lập biểu",
    ]


def test_rebuilt_docx_holds_the_table():
    docx = pytest.importorskip("docx")
    import io
    data = doc.as_docx(["Tiêu đề", [["STT", "Nội dung"], ["1", "Số buổi"]]])
    document = docx.Document(io.BytesIO(data))
    assert [p.text for p in document.paragraphs] == ["Tiêu đề"]
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [["STT", "Nội dung"], ["1", "Số buổi"]]
