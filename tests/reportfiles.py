"""Realistic report files, generated (never committed as opaque binaries).

The form as .xlsx with the edits people make, the table pasted into Word with merged cells, a
narrative Word report, a text PDF with a ruled table, a scanned PDF, and broken files. Every
builder returns bytes; the expected figures are `SAMPLE` unless a test says otherwise.
"""
from __future__ import annotations

import functools
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import load_workbook

from store import config as store_config
from store.domain import Report

ROOT = Path(__file__).resolve().parent.parent
FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf")

SAMPLE: dict[str, float] = {
    "tre_em_tong": 3250, "tre_hcdb": 41, "tt_so_buoi": 12, "tt_luot_hs": 2870, "tt_luot_cmhs": 1045,
    "th_so_lop": 3, "th_luot_cbgvnv": 156, "bl_so_vu": 0, "xh_so_tre": 2, "xh_tinh_duc": 1,
    "tntt_so_tre": 9, "tntt_duoi_nuoc": 4, "tntt_duoi_nuoc_tu_vong": 1, "tntt_giao_thong": 3,
    "ld_trai_pl": 0, "ht_can_thiep": 5, "hs_hoc_boi": 1432, "thd_so_hoat_dong": 7,
    "trung_thu_so_tre": 860, "dd_so_dien_dan": 2, "dd_luot_tre": 310,
}


@functools.lru_cache(maxsize=1)
def config() -> store_config.Config:
    return store_config.load(ROOT / "config.example.toml")


def report() -> Report:
    return config().reports[0]


def numbers(parsed) -> dict[str, float | None]:
    return {v.indicator: v.number for v in parsed.values}


def vi(n: float) -> str:
    """3250 -> "3.250", the way a unit types it."""
    return f"{int(n):,}".replace(",", ".") if float(n).is_integer() else str(n).replace(".", ",")


# ---------------------------------------------------------------- xlsx

def template(unit_code: str | None = None, period_id: str | None = "2024S1") -> bytes:
    from compile.form import build_template
    cfg = config()
    rep = report()
    unit = cfg.unit(unit_code) if unit_code else None
    return build_template(cfg, rep, unit, rep.period(period_id) if period_id else None)


def filled_xlsx(values: dict[str, object] | None = None, *edits: Callable, unit_code: str | None = "THPT-DONGXOAI",
                ) -> bytes:
    """The generated form, filled the way a unit does (by the code column), then edited."""
    values = SAMPLE if values is None else values
    wb = load_workbook(io.BytesIO(template(unit_code)))
    ws = wb["BaoCao"]
    for row in ws.iter_rows(min_row=11):
        code = row[1].value
        if code in values:
            row[4].value = values[code]
    ws.protection.sheet = False
    for edit in edits:
        edit(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row_of(ws, code: str) -> int:
    for row in ws.iter_rows(min_row=1):
        if row[1].value == code:
            return row[1].row
    raise KeyError(code)


def _unmerge(ws) -> None:
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))


def delete_code_column(ws) -> None:
    _unmerge(ws)
    ws.delete_cols(2)


def insert_rows(ws) -> None:
    _unmerge(ws)
    ws.insert_rows(14, 2)
    ws["C14"] = "Ghi chú thêm của đơn vị"
    ws.insert_rows(3, 4)     # header ends up further down


def rename_sheet(ws) -> None:
    ws.title = "Sheet1"


def header_on_row(n: int) -> Callable:
    from compile.form import HEADER_ROW

    def edit(ws) -> None:
        _unmerge(ws)
        ws.insert_rows(1, n - HEADER_ROW)
    return edit


def set_value(code: str, value: object) -> Callable:
    def edit(ws) -> None:
        ws.cell(row_of(ws, code), 5).value = value
    return edit


def merge_label(code: str) -> Callable:
    """Label merged over the unit column, the way people widen a label."""
    def edit(ws) -> None:
        r = row_of(ws, code)
        ws.merge_cells(f"C{r}:D{r}")
    return edit


def paste_twice(ws) -> None:
    """The whole table pasted again below the form."""
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=10, max_row=ws.max_row)]
    start = ws.max_row + 3
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.cell(start + i, j + 1).value = value


def with_cached_values(data: bytes, cached: dict[str, object]) -> bytes:
    """Give formula cells a saved result, as Excel would ({"E12": 5}); openpyxl writes none."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = body.decode()
                for ref, value in cached.items():
                    text = re.sub(rf'(<c r="{ref}"[^>]*>(<f>[^<]*</f>))<v\s*/>|(<c r="{ref}"[^>]*><f>[^<]*</f>)<v></v>',
                                  lambda m: (m.group(1) or m.group(3)) + f"<v>{value}</v>", text)
                body = text.encode()
            dst.writestr(info, body)
    return out.getvalue()


def plain_grid_xlsx(rows: Iterable[Iterable[object]], title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def form_rows(values: dict[str, object] | None = None, *, codes: bool = False, numbered: bool = True,
              header: tuple[str, ...] | None = ("STT", "Nội dung", "ĐVT", "Kết quả", "Ghi chú")) -> list[list[object]]:
    """The form as a plain grid (a unit's own table): optional header, sections, labels."""
    values = SAMPLE if values is None else values
    rows: list[list[object]] = []
    if header:
        rows.append(list(header[:1]) + (["Mã"] if codes else []) + list(header[1:]))
    section, n = None, 0
    for ind in report().indicators:
        if ind.section != section:
            section = ind.section
            rows.append([section.split(". ")[0]] + ([""] if codes else []) + [section.split(". ", 1)[-1], "", "", ""])
        n += 1
        value = values.get(ind.code)
        cell = vi(value) if isinstance(value, (int, float)) else value
        rows.append([str(n) if numbered else ""] + ([ind.code] if codes else []) + [ind.label, ind.unit, cell, ""])
    return rows


def entity_bomb_xlsx() -> bytes:
    """An .xlsx whose sheet XML declares nested entities (a "billion laughs")."""
    data = plain_grid_xlsx([["Chỉ tiêu", "Số liệu"], ["Số vụ bạo lực học đường", 1]])
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
            + ']>')
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                text = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                body = (bomb + text.replace("<v>1</v>", "<v>&lol9;</v>")).encode()
            dst.writestr(info, body)
    return out.getvalue()


def ole_container() -> bytes:
    """What a password-protected .xlsx looks like from outside: an OLE CFB file, not a zip."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 2000


def xls_bytes(rows: list[list[object]]) -> bytes | None:
    """A real .xls (BIFF8) if a writer is available here (xlwt is not a dependency), else None."""
    try:
        import xlwt  # type: ignore[import-not-found]
    except ImportError:
        return None
    wb = xlwt.Workbook()
    ws = wb.add_sheet("BaoCao")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def html_table_bytes(rows: list[list[object]]) -> bytes:
    """An Excel sheet saved as a web page (what units send renamed .xls): one HTML table."""
    import html as _html
    body = "".join("<tr>" + "".join(f"<td>{'' if v is None else _html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return ('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta http-equiv="Content-Type" '
            f'content="text/html; charset=utf-8"></head><body><table border="1">{body}</table></body></html>'
            ).encode("utf-8")


def font_path() -> str | None:
    return next((p for p in FONT_PATHS if os.path.exists(p)), None)


def ods_bytes(rows: list[list[object]], sheet: str = "BaoCao") -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves, without styles)."""
    from xml.sax.saxutils import escape
    cells = []
    for row in rows:
        out = []
        for v in row:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p>'
                           "</table:table-cell>")
            elif v in (None, ""):
                out.append("<table:table-cell/>")
            else:
                out.append(f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p>'
                           "</table:table-cell>")
        cells.append("<table:table-row>" + "".join(out) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">'
        + "".join(cells) + "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def form_with_title(values: dict[str, object] | None = None) -> list[list[object]]:
    """A unit's own sheet: letterhead, title, period, then the table (no codes)."""
    return [["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            ["HUYỆN LỘC NINH", "", "Độc lập - Tự do - Hạnh phúc"],
            [],
            ["BÁO CÁO CÔNG TÁC TRẺ EM 6 THÁNG ĐẦU NĂM 2024"],
            ["Đơn vị:", "Phòng GDĐT Lộc Ninh"],
            []] + form_rows(values)


# ---------------------------------------------------------------- docx

LETTERHEAD = (("UBND HUYỆN LỘC NINH", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"),
              ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"))
PROSE = ("Thực hiện Kế hoạch số 125/KH-SGDĐT ngày 15/01/2024 của Sở Giáo dục và Đào tạo về triển khai công tác "
         "trẻ em trong ngành Giáo dục năm 2024, Phòng Giáo dục và Đào tạo báo cáo kết quả thực hiện như sau. "
         "Các trường đã quán triệt Luật Trẻ em năm 2016, phổ biến Tổng đài điện thoại quốc gia bảo vệ trẻ em 111 "
         "và đường dây nóng của tỉnh; duy trì môi trường giáo dục an toàn, lành mạnh, thân thiện.")


def _letterhead(document) -> None:
    t = document.add_table(rows=1, cols=2)
    for cell, lines in zip(t.rows[0].cells, LETTERHEAD):
        cell.text = "\n".join(lines)


def _docx_table(document, values: dict[str, object], container=None) -> None:
    """The form's table as a unit pastes it: no code column, section rows merged across,
    "Trong đó" labels merged over the unit column, STT merged down over the "Trong đó" rows."""
    target = container if container is not None else document
    rows = [("STT", "Chỉ tiêu", "ĐVT", "Số liệu", "Ghi chú")]
    layout = []        # (kind, indicator or section)
    section = None
    for ind in report().indicators:
        if ind.section != section:
            section = ind.section
            layout.append(("section", section))
        layout.append(("row", ind))
    t = target.add_table(rows=1 + len(layout), cols=5)
    t.style = document.styles["Table Grid"] if "Table Grid" in [s.name for s in document.styles] else None
    for j, h in enumerate(rows[0]):
        t.cell(0, j).text = h
    n = 0
    parent_row = None
    for i, (kind, item) in enumerate(layout, start=1):
        if kind == "section":
            merged = t.cell(i, 0).merge(t.cell(i, 4))
            merged.text = item
            continue
        child = item.label.startswith("Trong đó")
        if child and parent_row is not None:
            t.cell(parent_row, 0).merge(t.cell(i, 0))
            label = t.cell(i, 1).merge(t.cell(i, 2))
            label.text = item.label
        else:
            n += 1
            parent_row = i
            t.cell(i, 0).text = str(n)
            t.cell(i, 1).text = item.label
            t.cell(i, 2).text = item.unit
        value = values.get(item.code)
        t.cell(i, 3).text = vi(value) if isinstance(value, (int, float)) else (value or "")


def docx_report(values: dict[str, object] | None = None, *, nested: bool = False, twice: bool = False,
                padding: int = 12) -> bytes:
    import docx
    values = SAMPLE if values is None else values
    document = docx.Document()
    _letterhead(document)
    document.add_paragraph("BÁO CÁO")
    document.add_paragraph("Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024")
    for _ in range(padding):
        document.add_paragraph(PROSE)
    if nested:
        outer = document.add_table(rows=1, cols=1)
        _docx_table(document, values, outer.cell(0, 0))
    else:
        _docx_table(document, values)
    if twice:
        document.add_paragraph("Bảng tổng hợp (nhắc lại):")
        _docx_table(document, values)
    document.add_paragraph("Nơi nhận:")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


NARRATIVE = (
    "Trong 6 tháng đầu năm 2024, toàn huyện có 41 học sinh có hoàn cảnh đặc biệt được theo dõi, hỗ trợ. "
    "Các trường đã tổ chức 12 buổi tuyên truyền về bảo vệ, chăm sóc trẻ em, thu hút 2.870 lượt học sinh và "
    "1.045 lượt cha mẹ học sinh tham gia. Phòng đã mở 3 lớp tập huấn cho 156 lượt cán bộ quản lý, giáo viên, "
    "nhân viên. Có 1.432 học sinh được học bơi, kỹ năng an toàn trong môi trường nước. Hưởng ứng Tháng hành "
    "động vì trẻ em, các trường tổ chức 7 hoạt động hưởng ứng Tháng hành động vì trẻ em; dịp Tết Trung thu đã "
    "tặng 860 phần quà cho trẻ em. Tổ chức 2 diễn đàn trẻ em. Không xảy ra vụ bạo lực học đường nào.")
NARRATIVE_VALUES = {"tre_hcdb": 41, "tt_so_buoi": 12, "tt_luot_hs": 2870, "tt_luot_cmhs": 1045, "th_so_lop": 3,
                    "th_luot_cbgvnv": 156, "hs_hoc_boi": 1432, "thd_so_hoat_dong": 7, "trung_thu_so_tre": 860,
                    "dd_so_dien_dan": 2}


def narrative_docx(text: str = NARRATIVE) -> bytes:
    import docx
    document = docx.Document()
    _letterhead(document)
    document.add_paragraph("BÁO CÁO")
    document.add_paragraph("Công tác trẻ em 6 tháng đầu năm 2024")
    for part in text.split(". "):
        document.add_paragraph(part)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- pdf

def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    if "Viet" not in pdfmetrics.getRegisteredFontNames():
        path = font_path() or os.path.join(os.path.dirname(__import__("reportlab").__file__), "fonts", "Vera.ttf")
        pdfmetrics.registerFont(TTFont("Viet", path))
    return "Viet"


def pdf_report(values: dict[str, object] | None = None, *, ruled: bool = True, prose_paragraphs: int = 14) -> bytes:
    """A signed report exported to PDF: letterhead, title, prose, the table (split over pages)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    values = SAMPLE if values is None else values
    font = _pdf_font()
    style = ParagraphStyle("vi", fontName=font, fontSize=11, leading=15)
    story = [Table([[Paragraph(a, style), Paragraph(b, style)] for a, b in zip(*LETTERHEAD)], colWidths=[200, 260]),
             Spacer(1, 12), Paragraph("BÁO CÁO", style),
             Paragraph("Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024", style), Spacer(1, 12)]
    story += [Paragraph(PROSE, style) for _ in range(prose_paragraphs)]
    rows = form_rows(values, header=("STT", "Chỉ tiêu", "ĐVT", "Số liệu", "Ghi chú"))
    rows = [[Paragraph(str(c), style) if j == 1 else ("" if c is None else str(c)) for j, c in enumerate(r)]
            for r in rows]
    t = Table(rows, colWidths=[30, 250, 60, 60, 60], repeatRows=1)
    commands = [("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 10)]
    if ruled:
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    t.setStyle(TableStyle(commands))
    story.append(t)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


def pdf_pages(n: int, encrypt: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for i in range(n):
        c.setFont(_pdf_font(), 12)
        c.drawString(72, 750, f"Trang {i + 1}: Số vụ bạo lực học đường 3")
        c.showPage()
    c.save()
    return buf.getvalue()


def scanned_pdf(lines: list[str] | None = None, *, blank: bool = False) -> bytes:
    """A page that is only a picture of text, as a scanner makes it."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    if lines is None:
        lines = ["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO HUYỆN LỘC NINH", "BÁO CÁO CÔNG TÁC TRẺ EM 6 THÁNG ĐẦU NĂM 2024", ""]
        lines += [f"{ind.label} {vi(SAMPLE[ind.code])}" for ind in report().indicators[:8]]
    img = Image.new("L", (1654, 2339), 255)           # A4 at 200 dpi
    if not blank:
        draw = ImageDraw.Draw(img)
        fnt = ImageFont.truetype(font_path(), 34) if font_path() else ImageFont.load_default()
        for i, line in enumerate(lines):
            draw.text((120, 150 + i * 70), line, fill=0, font=fnt)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(img), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return buf.getvalue()
