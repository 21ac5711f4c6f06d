"""From an attachment to one ParsedReport per file: detection, containers, dispatch, problems."""
from __future__ import annotations

import io
import shutil
from email.message import EmailMessage

import pytest

from parsers.registry import BODY_NAME, parse_attachment
from store.config import load
from tests.test_detect import JPEG, build_cfb, zip_of
from tests.test_tnef import tnef_blob

NARRATIVE = "Trong học kỳ, nhà trường đã tổ chức 12 buổi tuyên truyền về phòng chống bạo lực học đường."


@pytest.fixture(scope="module")
def report():
    return load("config.example.toml").reports[0]


def reasons(results):
    return {r.filename: [p.reason for p in r.problems] for r in results}


@pytest.mark.parametrize("filename,data,kind,reason", [
    ("bc.xlsx", b"", "empty", "empty file (0 bytes)"),
    ("bc.xlsx", JPEG, "image", "image (a photo or scan) — not readable as a report"),
    ("bc.pdf", b"<!DOCTYPE html><html><body>Bao cao</body></html>", "html", "format not readable here"),
    ("bc.xlsx", build_cfb({"EncryptionInfo": b"\x04", "EncryptedPackage": b"x"}), "encrypted-ooxml",
     "encrypted (password-protected)"),
    ("bc.doc", b"{\\rtf1 hello}", "rtf", "format not readable here"),
    ("bc.bin", bytes(range(256)) * 8, "unknown", "format not readable here"),
    ("x.msg", build_cfb({"__substg1.0_0037001F": b"S\x00"}), "msg", "format not readable here"),
])
def test_unreadable_files_are_reported_not_dropped(report, filename, data, kind, reason):
    [result] = parse_attachment(filename, data, report, isolate=False)
    assert (result.filename, result.detected_type) == (filename, kind)
    assert [p.reason for p in result.problems] == [reason]
    assert not result.ok


def test_text_is_read_as_narrative(report):
    [result] = parse_attachment("ghi chú.txt", NARRATIVE.encode("utf-8"), report, isolate=False)
    assert result.ok and result.detected_type == "text"
    assert [(v.indicator, v.number, v.method) for v in result.values] == [("tt_so_buoi", 12.0, "text")]
    assert result.values[0].source == "ghi chú.txt"


def test_legacy_encoded_text_file_is_converted(report):
    from parsers.legacy import encode
    data = encode(NARRATIVE, "tcvn3").encode("latin-1")
    [result] = parse_attachment("cu.txt", data, report, isolate=False)
    assert result.text == NARRATIVE


def test_zip_gives_one_result_per_file_named_by_its_path(report):
    data = zip_of({"a.txt": NARRATIVE.encode(), "ảnh.jpg": JPEG, "sub/empty.xlsx": b"",
                   "winmail.dat": tnef_blob([("b.txt", NARRATIVE.encode())])})
    results = parse_attachment("bc.zip", data, report, isolate=False)
    assert reasons(results) == {
        "bc.zip › a.txt": [],
        "bc.zip › ảnh.jpg": ["image (a photo or scan) — not readable as a report"],
        "bc.zip › sub/empty.xlsx": ["empty file (0 bytes)"],
        "bc.zip › winmail.dat › b.txt": [],
    }
    assert results[0].values[0].number == 12


def test_archive_problems_name_the_member(report):
    data = zip_of({"ok.txt": b"ok", "big.bin": bytes(20 * 1024 * 1024)})
    results = parse_attachment("bc.zip", data, report, isolate=False)
    assert reasons(results) == {"bc.zip › ok.txt": [], "bc.zip › big.bin": ["zip bomb"]}


def _mail(subject: str, body: str, attachments: list[tuple[str, bytes, str]]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "THPT Đồng Xoài <c3dongxoai@binhphuoc.edu.vn>"
    msg["To"] = "trunghoc@binhphuoc.edu.vn"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 01 Jul 2024 08:00:00 +0700"
    msg.set_content(body)
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def test_attached_mail_is_opened_recursively(report):
    inner = _mail("Báo cáo", NARRATIVE, [("bc.zip", zip_of({"a.txt": b"hello"}), "application/zip")])
    outer = _mail("Fwd: Báo cáo", "Chuyển tiếp", [])
    outer.add_attachment(inner)
    [eml] = [p for p in outer.iter_attachments()]
    data = eml.get_payload(0).as_bytes()
    results = parse_attachment("Báo cáo.eml", data, report, isolate=False)
    assert reasons(results) == {f"Báo cáo.eml › {BODY_NAME}": [], "Báo cáo.eml › bc.zip › a.txt": []}
    assert results[0].values[0].number == 12


def test_containers_with_nothing_inside_say_so(report):
    [result] = parse_attachment("winmail.dat", tnef_blob([]), report, isolate=False)
    assert [p.reason for p in result.problems] == ["nothing inside"]


def test_nesting_across_container_kinds_is_limited(report):
    data = tnef_blob([("a.txt", b"deep")])
    for level in range(6):
        data = zip_of({f"z{level}.zip" if level % 2 else "winmail.dat": data})
    results = parse_attachment("top.zip", data, report, isolate=False)
    assert any("nested too deep" in [p.reason for p in r.problems] for r in results)
    assert all(r.filename.startswith("top.zip") for r in results)


def test_real_xlsx_in_a_zip_goes_to_the_xlsx_parser_in_a_worker(report):
    pytest.importorskip("parsers.xlsx")
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Nội dung", "Số lượng"])
    ws.append([1, "Số buổi tuyên truyền", 12])
    buffer = io.BytesIO()
    wb.save(buffer)
    [result] = parse_attachment("bc.zip", zip_of({"Báo cáo.xlsx": buffer.getvalue()}), report)
    assert result.filename == "bc.zip › Báo cáo.xlsx"
    assert result.detected_type == "xlsx"
    assert not any(p.reason in ("parser crashed", "parser error") for p in result.problems)


def test_image_is_read_by_ocr_when_tesseract_is_installed(report):
    if not shutil.which("tesseract"):
        pytest.skip("tesseract not installed")
    from PIL import Image, ImageDraw, ImageFont
    image = Image.new("L", (1400, 140), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    ImageDraw.Draw(image).text((20, 40), "Đã tổ chức 12 buổi tuyên truyền", font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    [result] = parse_attachment("ảnh chụp.png", buffer.getvalue(), report, isolate=False)
    assert result.detected_type == "image"
    assert [(v.indicator, v.number, v.method) for v in result.values] == [("tt_so_buoi", 12.0, "ocr")]


def test_every_format_module_declares_the_kinds_the_registry_sends_it() -> None:
    import importlib
    import pkgutil

    import parsers
    from parsers.registry import FORMATS
    for kind, module in FORMATS.items():
        assert kind in importlib.import_module(module).KINDS, (kind, module)
    declared = {}
    for info in pkgutil.iter_modules(parsers.__path__):
        mod = importlib.import_module(f"parsers.{info.name}")
        for kind in getattr(mod, "KINDS", ()):
            declared[kind] = mod.__name__
    assert declared == FORMATS
