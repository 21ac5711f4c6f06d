"""Small, byte-stable report files for the corpus: the way units really fill the form.

Kept light on purpose (a whole corpus builds in a few seconds): xlsx through openpyxl, docx as a
minimal hand-written OOXML package, a blank "scanned" PDF, zips, and opaque Outlook/Word blobs.
"""
from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from xml.sax.saxutils import escape

import openpyxl

FIXED = dt.datetime(2024, 1, 1)

# (code, label) of the form; some units keep the code column, most delete it.
FORM = [
    ("tre_em_tong", "Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học"),
    ("tre_hcdb", "Số trẻ em có hoàn cảnh đặc biệt"),
    ("tt_so_buoi", "Số buổi tuyên truyền, truyền thông về bảo vệ, chăm sóc trẻ em"),
    ("tt_luot_hs", "Số lượt học sinh tham gia tuyên truyền"),
    ("th_so_lop", "Số lớp tập huấn, bồi dưỡng"),
    ("bl_so_vu", "Số vụ bạo lực học đường"),
    ("xh_so_tre", "Số trẻ em bị xâm hại"),
    ("tntt_so_tre", "Số trẻ em bị tai nạn thương tích"),
    ("tntt_duoi_nuoc", "Trong đó: đuối nước"),
    ("hs_hoc_boi", "Số học sinh được học bơi, kỹ năng an toàn trong môi trường nước"),
    ("thd_so_hoat_dong", "Số hoạt động hưởng ứng Tháng hành động vì trẻ em"),
]


def _repack(data: bytes) -> bytes:
    """Re-zip with fixed timestamps so the same seed gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":   # openpyxl stamps "modified" with the clock
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def xlsx_report(rng: random.Random, unit_title: str | None, period_title: str, keep_codes: bool) -> bytes:
    """The form as a unit returns it; `unit_title` None = the unit forgot to write its name."""
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED
    ws = wb.active
    ws.title = rng.choice(["BaoCao", "Sheet1", "BC", "Biểu mẫu"])
    if unit_title:
        ws.append([unit_title.upper()])
    ws.append([period_title])
    ws.append([])
    head = ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]
    ws.append(head if keep_codes else [h for h in head if h != "Mã chỉ tiêu"])
    for i, (code, label) in enumerate(FORM, 1):
        value: object = rng.choice([rng.randint(0, 40), rng.randint(100, 3000), "0", "-"]) if i > 1 else rng.randint(300, 2500)
        row = [i, code, label, "", value, ""]
        ws.append(row if keep_codes else row[:1] + row[2:])
    buf = io.BytesIO()
    wb.save(buf)
    return _repack(buf.getvalue())


def docx(paragraphs: list[str]) -> bytes:
    """A minimal but valid .docx: Word opens it, python-docx reads it."""
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text.encode("utf-8"))
    return out.getvalue()


def narrative(unit_name: str | None, title: str, rng: random.Random, cases: bool = False) -> list[str]:
    """The Word report's text: heading, the figures in sentences, a signature."""
    lines = []
    if unit_name:
        lines += [unit_name.upper(), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    lines += [title.upper(),
              f"1. Tổ chức {rng.randint(2, 15)} buổi tuyên truyền về Luật Trẻ em 2016, tổng đài 111 "
              f"với {rng.randint(300, 3000)} lượt học sinh tham gia.",
              f"2. Cử {rng.randint(5, 60)} lượt cán bộ quản lý, giáo viên tham gia tập huấn.",
              f"3. Có {rng.randint(100, 900)} học sinh được học bơi, kỹ năng an toàn trong môi trường nước."]
    lines.append("4. Trong kỳ không xảy ra vụ việc bạo lực học đường, xâm hại trẻ em." if not cases else
                 "4. Trong kỳ xảy ra 01 vụ học sinh bị tai nạn giao thông, đã báo cáo nhanh về Sở.")
    if unit_name:
        lines += ["HIỆU TRƯỞNG" if "Trường" in unit_name else "THỦ TRƯỞNG ĐƠN VỊ", unit_name]
    return lines


def incident_docx(unit_name: str, what: str) -> bytes:
    return docx([unit_name.upper(), "BÁO CÁO NHANH", what,
                 "Đơn vị đã phối hợp với gia đình và chính quyền địa phương xử lý, sẽ báo cáo bổ sung."])


def blank_pdf() -> bytes:
    """A scanned, signed report: one page with no text layer (the scan itself is left out)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def zipped(files: list[tuple[str, bytes]], cp437_names: bool = False) -> bytes:
    """A .zip as Windows makes it: non-ASCII names without the UTF-8 flag when `cp437_names`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name if not cp437_names else name.encode("ascii", "ignore").decode(),
                                   date_time=(2024, 6, 1, 8, 0, 0))
            z.writestr(info, data)
    return out.getvalue()


def opaque(rng: random.Random, magic: bytes, size: int = 600) -> bytes:
    """An attachment nobody here can read (winmail.dat with a proprietary body, a corrupt .doc)."""
    return magic + bytes(rng.randrange(256) for _ in range(size))
