"""MIME decoding of the mail people really send."""
from __future__ import annotations

import base64

import pytest

from parsers.mime import decode_header_value, parse_message, safe_filename
from tests.mails import build

VN = "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - PGD Bù Đăng"


@pytest.mark.parametrize("raw, expected", [
    ("=?utf-8?b?QsOhbyBjw6Fv?=", "Báo cáo"),
    ("=?UTF-8?Q?B=C3=A1o_c=C3=A1o?= THPT", "Báo cáo THPT"),
    ('"=?windows-1258?Q?B=E1o_c=E1o?=" <x@y.vn>', '"Báo cáo" <x@y.vn>'),
    ("=?x-unknown?q?abc?=", "abc"),
    # Python's folder puts the space between two encoded words, where RFC 2047 drops it.
    ("=?utf-8?b?NiB0aMOhbmc=?=\r\n =?utf-8?b?xJHhuqd1IG7Eg20=?=", "6 tháng đầu năm"),
    # A correct encoder splitting inside a syllable: no space may appear.
    ("=?utf-8?b?bsSDbSBo4buN?=\r\n =?utf-8?q?c?=", "năm học"),
    ("=?utf-8?b?xJE=?= =?utf-8?b?4bqndQ==?=", "đầu"),
    ("plain\x01subject", "plain subject"),
])
def test_header_decoding(raw: str, expected: str) -> None:
    assert decode_header_value(raw) == expected


def test_python_folded_subject_round_trips() -> None:
    parsed = parse_message(build(subject=VN))
    assert parsed.subject == VN


@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\a\\bc.xlsx", "bc.xlsx"),
    ("a\x00b\x1f.xlsx", "a_b_.xlsx"),
    ("..", "attachment-3"),
    ("", "attachment-3"),
    ("Báo cáo.xlsx", "Báo cáo.xlsx"),
])
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name, 3) == safe


def test_long_filename_is_bounded_and_keeps_extension() -> None:
    safe = safe_filename("ă" * 400 + ".xlsx")
    assert safe.endswith(".xlsx") and len(safe.encode()) <= 150


def test_rfc2231_filename_and_octet_stream() -> None:
    raw = build(files=[(b"PK\x03\x04data", "Báo cáo 6 tháng.xlsx", "application/octet-stream")])
    att = parse_message(raw).attachments
    assert [a.filename for a in att] == ["Báo cáo 6 tháng.xlsx"]
    assert att[0].data == b"PK\x03\x04data" and att[0].declared_type == "application/octet-stream"


def test_forwarded_message_attachments_count() -> None:
    inner = build(subject=VN, files=[(b"inner-bytes", "bc.xlsx", "application/vnd.ms-excel")])
    outer = (b"From: staff@binhphuoc.edu.vn\r\nSubject: Fwd: bao cao\r\nMIME-Version: 1.0\r\n"
             b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nxem\r\n'
             b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b--\r\n")
    parsed = parse_message(outer)
    assert [a.data for a in parsed.attachments] == [b"inner-bytes"]
    assert parsed.attachments[0].forwarded
    assert parsed.forwarded_subjects == [VN]
    assert parsed.forwarded_from[0][1] == "thptlocninh@binhphuoc.edu.vn"


def test_windows1258_body_and_missing_charset() -> None:
    # windows-1258 writes tones as combining marks: "trẻ" is "tre" + U+0309.
    body = "Báo cáo công tác tre\u0309 em".encode("cp1258")
    raw = (b"From: a@b.vn\r\nSubject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body)
    assert "công tác trẻ em" in parse_message(raw).body_text
    raw = (b"From: a@b.vn\r\nSubject: x\r\nContent-Type: text/plain; charset=windows-1258\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(body))
    assert "công tác trẻ em" in parse_message(raw).body_text


def test_raw_utf8_header() -> None:
    raw = "From: Trường THPT <a@b.vn>\r\nSubject: Báo cáo năm\r\n\r\nx".encode("utf-8")
    parsed = parse_message(raw)
    assert parsed.subject == "Báo cáo năm" and parsed.from_name == "Trường THPT"


@pytest.mark.parametrize("headers, subject, sender, automatic", [
    ({"Auto-Submitted": "auto-replied"}, "Re: x", "a@b.vn", True),
    ({"Precedence": "bulk"}, "Bản tin", "a@b.vn", True),
    ({}, "Undeliverable: Nhắc nộp báo cáo", "a@b.vn", True),
    ({}, "x", "MAILER-DAEMON@b.vn", True),
    ({"Auto-Submitted": "no"}, "Báo cáo", "a@b.vn", False),
    ({}, "Báo cáo", "a@b.vn", False),
])
def test_automatic_mail(headers, subject, sender, automatic) -> None:
    parsed = parse_message(build(subject=subject, sender=sender, headers=headers))
    assert (parsed.automatic is not None) is automatic


def test_broken_mime_never_raises() -> None:
    for raw in (b"", b"\x00\xff" * 100, b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n",
                b"Subject: =?utf-8?b?!!!?=\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%",
                b"Content-Type: message/rfc822\r\n\r\n" * 50):
        parse_message(raw)


def test_html_only_body_becomes_text() -> None:
    raw = (b"From: a@b.vn\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           + "<p>Báo cáo<br>trẻ em</p><script>evil()</script>".encode())
    text = parse_message(raw).body_text
    assert "Báo cáo" in text and "evil" not in text


def test_legacy_tcvn3_and_vni_subjects_and_bodies() -> None:
    from parsers.legacy import encode
    tcvn = encode("Báo cáo công tác trẻ em", "tcvn3")
    raw = b"From: a@b.vn\r\nSubject: " + tcvn.encode("cp1252") + b"\r\nContent-Type: text/plain\r\n\r\n" + \
        encode("Trường THPT Lộc Ninh", "vni").encode("cp1252")
    parsed = parse_message(raw)
    assert parsed.subject == "Báo cáo công tác trẻ em"
    assert "Trường THPT Lộc Ninh" in parsed.body_text


def test_display_name_with_a_comma_keeps_the_address() -> None:
    raw = (b"From: =?utf-8?b?" + __import__("base64").b64encode("THCS, THPT Võ Thị Sáu".encode()) +
           b"?= <c23vothisau@binhphuoc.edu.vn>\r\nSubject: x\r\n\r\nx")
    parsed = parse_message(raw)
    assert (parsed.from_name, parsed.from_addr) == ("THCS, THPT Võ Thị Sáu", "c23vothisau@binhphuoc.edu.vn")


def test_auto_reply_subject_with_a_prefix() -> None:
    assert parse_message(build(subject="Thư trả lời tự động - Re: Nhắc nộp báo cáo")).automatic
