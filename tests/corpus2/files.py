"""Report files the way units send them: Word, Excel, PDF (text or scanned), zip.

Written by hand as minimal OOXML / PDF so that they are byte-for-byte deterministic (fixed zip
timestamps, no creation dates) and fast: the whole corpus builds in well under a second.
"""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

FIXED = (2024, 1, 1, 0, 0, 0)

INDICATORS = [  # (label as units write it, low, high)
    ("Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học", 300, 2400),
    ("Số trẻ em có hoàn cảnh đặc biệt", 0, 25),
    ("Số buổi tuyên truyền, truyền thông về bảo vệ, chăm sóc trẻ em", 2, 30),
    ("Số lượt học sinh tham gia tuyên truyền", 200, 3000),
    ("Số lượt cha mẹ học sinh tham gia tuyên truyền", 50, 900),
    ("Số lớp tập huấn, bồi dưỡng", 0, 5),
    ("Số lượt cán bộ quản lý, giáo viên, nhân viên được tập huấn", 10, 120),
    ("Số vụ bạo lực học đường", 0, 1),
    ("Số trẻ em bị xâm hại", 0, 0),
    ("Số trẻ em bị tai nạn thương tích", 0, 3),
    ("Số trẻ em được hỗ trợ, can thiệp", 0, 10),
    ("Số học sinh được học bơi, kỹ năng an toàn trong môi trường nước", 0, 400),
]


def _zip(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            if any(ord(c) > 127 for c in name):
                info.flag_bits |= 0x800  # names in UTF-8, as 7-Zip and Windows 10 write them
            zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    return _zip(dict(files))


def figures(rng) -> list[tuple[str, int]]:
    return [(label, rng.randint(lo, hi)) for label, lo, hi in INDICATORS]


def vi_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# ---------------------------------------------------------------- docx

_DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
               '<Default Extension="xml" ContentType="application/xml"/>'
               '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="{target}"/></Relationships>')
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _para(text: str, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _cell(text: str) -> str:
    return f"<w:tc>{_para(text)}</w:tc>"


def docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A Word document: paragraphs (those in capitals bold), then an optional table."""
    body = "".join(_para(p, bold=p.isupper()) for p in paragraphs)
    if table:
        body += "<w:tbl>" + "".join("<w:tr>" + "".join(map(_cell, row)) + "</w:tr>" for row in table) + "</w:tbl>"
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>')
    return _zip({"[Content_Types].xml": _DOCX_TYPES, "_rels/.rels": _RELS.format(target="word/document.xml"),
                 "word/document.xml": document})


# ---------------------------------------------------------------- xlsx

_XLSX_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
               '<Default Extension="xml" ContentType="application/xml"/>'
               '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.spreadsheetml.sheet.main+xml"/>'
               '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _col(i: int) -> str:
    return "ABCDEFGHIJ"[i]


def _xcell(ref: str, value) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def xlsx(rows: list[list], sheet: str = "Sheet1") -> bytes:
    """A one-sheet workbook with inline strings (what many small tools write)."""
    data = "".join(f'<row r="{r}">' + "".join(_xcell(f"{_col(c)}{r}", v) for c, v in enumerate(row) if v != "")
                   + "</row>" for r, row in enumerate(rows, start=1))
    ws = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_S}"><sheetData>{data}</sheetData></worksheet>'
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_S}" xmlns:r="{_R}">'
          f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
               'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    return _zip({"[Content_Types].xml": _XLSX_TYPES, "_rels/.rels": _RELS.format(target="xl/workbook.xml"),
                 "xl/workbook.xml": wb, "xl/_rels/workbook.xml.rels": wb_rels, "xl/worksheets/sheet1.xml": ws})


# ---------------------------------------------------------------- pdf

def _pdf(page_stream: bytes, extra_objects: list[bytes] = (), resources: bytes = b"") -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << "
            + resources + b" >> >>",
            b"<< /Length %d >>\nstream\n" % len(page_stream) + page_stream + b"\nendstream",
            *extra_objects]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A PDF with a text layer (Helvetica, so written without diacritics as a cheap exporter does)."""
    from parsers.text import strip_diacritics
    ops = [b"BT /F1 11 Tf 50 800 Td 14 TL"]
    for line in lines:
        safe = strip_diacritics(line).encode("latin-1", "replace").replace(b"\\", b"\\\\")
        ops.append(b"(" + safe.replace(b"(", b"\\(").replace(b")", b"\\)") + b") Tj T*")
    ops.append(b"ET")
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return _pdf(b"\n".join(ops), [font], b"/Font << /F1 5 0 R >>")


def scanned_pdf() -> bytes:
    """A scanner's PDF: one small grey image, no text layer, nothing legible."""
    w = h = 16
    pixels = bytes([200]) * (w * h)
    image = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (w, h, len(pixels)) + pixels + b"\nendstream")
    return _pdf(b"q 595 0 0 842 0 0 cm /Im1 Do Q", [image], b"/XObject << /Im1 5 0 R >>")
