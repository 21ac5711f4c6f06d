"""Archives: names, nesting, limits and hostile members."""
from __future__ import annotations

import gzip
import io
import os
import struct
import tarfile
import unicodedata
import zipfile
import zlib

import pytest

from parsers.archives import MB, Limits, clean_name, decode_name, expand, members
from tests.test_detect import zip_of


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tones combining."""
    out = b""
    for ch in text:
        nfd = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in nfd if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tone))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return out


def raw_named_zip(raw_name: bytes, data: bytes = b"x", flags: int = 0, extra: bytes = b"") -> bytes:
    """A zip whose member name is stored as the given bytes (zipfile would re-encode it)."""
    placeholder = "N" * len(raw_name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo(placeholder)
        info.extra = extra
        zf.writestr(info, data)
    blob = buffer.getvalue().replace(placeholder.encode(), raw_name)
    if flags:
        blob = _set_flags(blob, flags)
    return blob


def _set_flags(blob: bytes, flags: int) -> bytes:
    out = bytearray(blob)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = out.find(sig)
        while pos >= 0:
            struct.pack_into("<H", out, pos + offset, struct.unpack_from("<H", out, pos + offset)[0] | flags)
            pos = out.find(sig, pos + 4)
    return bytes(out)


NAME = "Báo cáo 6 tháng - Trường THPT Đồng Xoài.xlsx"


@pytest.mark.parametrize("raw,flags,extra", [
    (NAME.encode("utf-8"), 0x800, b""),                    # declared UTF-8
    (NAME.encode("utf-8"), 0, b""),                        # UTF-8 without the flag (7-Zip, macOS)
    (cp1258(NAME), 0, b""),                                # Vietnamese Windows "Send to > Compressed"
    (b"bc.xlsx", 0, struct.pack("<HHB", 0x7075, 5 + len(NAME.encode()), 1) + struct.pack("<I", 0) + NAME.encode()),
])
def test_member_names_are_readable_vietnamese(raw, flags, extra):
    files, problems = expand("bc.zip", raw_named_zip(raw, flags=flags, extra=extra))
    assert problems == []
    assert files == [(f"bc.zip › {NAME}", b"x")]


def test_cp437_names_stay_cp437_when_they_are_not_vietnamese():
    assert decode_name("Übersicht.txt".encode("cp437")) == "Übersicht.txt"


@pytest.mark.parametrize("hostile,shown", [
    ("../../etc/passwd", "etc/passwd"),
    ("/etc/shadow", "etc/shadow"),
    ("..\\..\\Windows\\win.ini", "Windows/win.ini"),
    ("C:\\boot.ini", "boot.ini"),
    ("a/./b/../c.txt", "a/b/c.txt"),
    ("bad\x01name\x1b[31m.txt", "badname[31m.txt"),
    ("..", "(không tên)"),
])
def test_path_traversal_names_are_display_only(hostile, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files, problems = expand("bc.zip", zip_of({hostile: b"payload"}))
    assert problems == []
    assert files == [(f"bc.zip › {shown}", b"payload")]
    assert clean_name(hostile) == shown
    assert list(tmp_path.iterdir()) == []                   # nothing was written anywhere


def test_one_gigabyte_of_zeros_is_a_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("zeros.bin", "w", force_zip64=True) as w:
            chunk = bytes(MB)
            for _ in range(1024):
                w.write(chunk)
    assert len(buffer.getvalue()) < 10 * MB
    files, problems = expand("bomb.zip", buffer.getvalue())
    assert files == []
    assert [p.reason for p in problems] == ["zip bomb"]
    assert "bomb.zip › zeros.bin" in problems[0].detail


def test_declared_sizes_are_not_trusted():
    """A member that lies about its size (claims 1 KB, inflates to 200 MB) is stopped while read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("small.txt", bytes(200 * MB))
    blob = bytearray(buffer.getvalue())
    local = blob.find(b"PK\x03\x04")
    central = blob.find(b"PK\x01\x02")
    struct.pack_into("<I", blob, local + 22, 1000)          # uncompressed size, local header
    struct.pack_into("<I", blob, central + 24, 1000)        # uncompressed size, central directory
    files, problems = expand("lie.zip", bytes(blob))
    assert files == []
    assert problems and problems[0].reason in ("corrupt", "zip bomb", "too large")


def test_streaming_limit_stops_an_honest_but_large_member():
    limits = Limits(max_member_bytes=2 * MB, max_ratio=1e9)
    data = os.urandom(3 * MB)
    files, problems = expand("big.zip", zip_of({"big.bin": data, "ok.txt": b"ok"}), limits)
    assert files == [("big.zip › ok.txt", b"ok")]
    assert [p.reason for p in problems] == ["too large"]


def test_total_size_limit_over_all_members():
    limits = Limits(max_total_bytes=3 * MB, max_ratio=1e9)
    blobs = {f"f{i}.bin": os.urandom(MB) for i in range(5)}
    files, problems = expand("many.zip", zip_of(blobs), limits)
    assert len(files) == 3
    assert {p.reason for p in problems} == {"too large"}


def test_nested_zip_depth_10_stops_at_the_limit():
    data = zip_of({"report.txt": b"deep"})
    for level in range(10, 0, -1):
        data = zip_of({f"level{level}.zip": data})
    result = members("outer.zip", data)
    assert len(result) == 1
    assert result[0].problem is not None and result[0].problem.reason == "nested too deep"
    assert result[0].name == "outer.zip › level1.zip › level2.zip › level3.zip"


def test_nesting_within_the_limit_is_opened():
    data = zip_of({"inner.zip": zip_of({"a.txt": b"A"}), "b.txt": b"B"})
    files, problems = expand("bc.zip", data)
    assert problems == []
    assert files == [("bc.zip › inner.zip › a.txt", b"A"), ("bc.zip › b.txt", b"B")]


def test_member_count_limit():
    data = zip_of({f"{i}.txt": b"x" for i in range(300)})
    result = members("many.zip", data, Limits(max_members=200))
    assert sum(1 for m in result if m.data is not None) == 200
    assert [m.problem.reason for m in result if m.problem] == ["too many files"]


def test_encrypted_zip_member():
    data = _set_flags(zip_of({"secret.xlsx": b"x" * 100}), 0x1)
    files, problems = expand("bc.zip", data)
    assert files == []
    assert [p.reason for p in problems] == ["encrypted"]


@pytest.mark.parametrize("data,reason", [
    (b"PK\x03\x04" + b"\x00" * 40, "corrupt"),
    (zip_of({}), "empty archive"),
    (b"7z\xbc\xaf\x27\x1c" + b"\x00" * 30, "corrupt"),
    (b"Rar!\x1a\x07\x00" + b"\xff" * 30, "empty archive"),     # rarfile finds no block in it
])
def test_broken_archives_are_problems_not_exceptions(data, reason):
    files, problems = expand("x", data)
    assert files == []
    assert [p.reason for p in problems] == [reason]


def test_7z_members_and_password():
    py7zr = pytest.importorskip("py7zr")
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr("nội dung".encode("utf-8"), "Báo cáo.txt")
        archive.writestr(b"\0" * (20 * MB), "zeros.bin")
    files, problems = expand("bc.7z", buffer.getvalue())
    assert files == [("bc.7z › Báo cáo.txt", "nội dung".encode("utf-8"))]
    assert [p.reason for p in problems] == ["zip bomb"]

    locked = io.BytesIO()
    with py7zr.SevenZipFile(locked, "w", password="bí mật") as archive:
        archive.writestr(b"secret", "a.txt")
    files, problems = expand("locked.7z", locked.getvalue())
    assert files == [] and [p.reason for p in problems] == ["encrypted"]


def test_gzip_and_tar():
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w") as tf:
        info = tarfile.TarInfo("../a.txt")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"abc"))
    files, problems = expand("bc.tar.gz", gzip.compress(tar_buffer.getvalue()))
    assert problems == []
    assert files == [("bc.tar.gz › bc.tar › a.txt", b"abc")]


def _rar4(members: list[tuple[str, bytes]], encrypted: bool = False) -> bytes:
    """A RAR 4 archive with stored (uncompressed) members: rarfile reads those without a tool."""
    def block(kind: int, flags: int, body: bytes, add: bytes = b"") -> bytes:
        head = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(head) & 0xFFFF) + head + add

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6)
    for name, data in members:
        raw = name.encode("utf-8")
        flags = 0x8000 | (0x0004 if encrypted else 0) | 0x0200     # long block, (password), unicode name
        body = struct.pack("<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data), 0x58210000,
                           20, 0x30, len(raw), 0x20) + raw
        out += block(0x74, flags, body, data)
    return out + block(0x7B, 0x4000, b"")


def test_rar_stored_members():
    pytest.importorskip("rarfile")
    files, problems = expand("bc.rar", _rar4([("Báo cáo.txt", b"hello"), ("../x.txt", b"x")]))
    assert problems == []
    assert files == [("bc.rar › Báo cáo.txt", b"hello"), ("bc.rar › x.txt", b"x")]


def test_rar_encrypted_member():
    pytest.importorskip("rarfile")
    files, problems = expand("bc.rar", _rar4([("a.txt", b"hello")], encrypted=True))
    assert files == []
    assert [p.reason for p in problems] == ["encrypted"]


@pytest.mark.parametrize("hostile", ["../../bc.xlsx", "..\\..\\bc.xlsx", "/etc/bc.xlsx", "C:\\Temp\\bc.xlsx",
                                     "a/../../bc.xlsx"])
def test_a_member_name_escaping_the_folder_is_a_problem_and_its_figures_are_still_read(hostile):
    from parsers.registry import parse_attachment
    from tests import reportfiles as rf
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo(hostile), rf.filled_xlsx())
        zf.writestr("ghi chu.txt", "Đơn vị: THPT Đồng Xoài")
    results = parse_attachment("bc.zip", buffer.getvalue(), rf.report(), isolate=False)
    from parsers.archives import clean_name
    [member] = [r for r in results if r.filename.endswith("bc.xlsx")]
    assert member.filename == "bc.zip › " + clean_name(hostile)
    assert [p.reason for p in member.problems] == ["unsafe name"]
    assert repr(hostile) in member.problems[0].detail
    assert rf.numbers(member) == {k: float(v) for k, v in rf.SAMPLE.items()}
    assert all(not r.problems for r in results if r is not member)


def test_ordinary_member_names_are_not_unsafe():
    from parsers.archives import escapes
    for name in ("bc.xlsx", "thư mục/bc.xlsx", "a/./b/../bc.xlsx", "..bc.xlsx", "bc..xlsx"):
        assert escapes(name) is None
