"""Real files from a small document model: .xlsx (openpyxl), .xls (xlwt), .docx (python-docx),
text .pdf (reportlab), an HTML table saved as .xls, pictures, and the hostile files."""
from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .forms import Formula, Table
from .legacy import encode

_FONT_FILES: dict[str, str] = {}


def font_file(style: str = "") -> str:
    """A TrueType serif font with Vietnamese glyphs (DejaVu Serif), found through fontconfig."""
    if style not in _FONT_FILES:
        # Pillow looks a bare file name up in the system's font folders; fontconfig is the fallback
        from PIL import ImageFont
        name = "DejaVuSerif" + (f"-{style}" if style else "") + ".ttf"
        try:
            _FONT_FILES[style] = str(ImageFont.truetype(name, 12).path)
        except OSError:
            import subprocess
            pattern = "DejaVu Serif" + (f":style={style}" if style else ":style=Book")
            out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=True)
            _FONT_FILES[style] = out.stdout.strip()
    return _FONT_FILES[style]


# ---------------------------------------------------------------- the document model
@dataclass
class Para:
    runs: list[tuple[str, str | None]]     # (text, legacy encoding or None)
    bold: bool = False
    italic: bool = False
    align: str = "left"                    # left, center, right
    size: float = 13


def P(text: str, legacy: str | None = None, **kw: Any) -> Para:
    return Para([(text, legacy)], **kw)


@dataclass
class Pair:
    """A letterhead line: the left block and the right block (a borderless two-cell row)."""
    left: Para
    right: Para


@dataclass
class Grid:
    """A table as cells: each cell (value, legacy, bold); merges as (row, col, rows, cols)."""
    cells: list[list[tuple[Any, str | None, bool]]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    borders: bool = True


@dataclass
class Picture:
    png: bytes
    width_cm: float = 16.0


@dataclass
class TextBox:
    blocks: list[Any]                      # Para or Grid


@dataclass
class PageBreak:
    pass


@dataclass
class Sheet:
    name: str
    blocks: list[Any]
    hidden: bool = False


def grid_from_table(t: Table, legacy: str | None = None, scope: str = "all",
                    rng: random.Random | None = None, merge_sections: bool = False,
                    some_rate: float = 0.5) -> Grid:
    """Lay a Table out as cells. `scope` says which texts are in the legacy encoding:
    all, sections, labels, some (a random part of the rows, as when rows were pasted from an old file)."""
    ncol = len(t.columns)
    cells: list[list[tuple[Any, str | None, bool]]] = []
    merges: list[tuple[int, int, int, int]] = []
    hidden: set[int] = set()
    hdr_leg = legacy if scope in ("all",) else None
    cells.append([(h, hdr_leg, True) for _, h in t.columns])
    if t.header2 is not None:
        row2: list[tuple[Any, str | None, bool]] = []
        for i, h in enumerate(t.header2):
            row2.append(("" if h is None else h, hdr_leg, True))
        # a header cell with nothing under it spans both header rows
        for i, h in enumerate(t.header2):
            if h is None:
                merges.append((0, i, 2, 1))
        # a header over several sub-columns: its repeated name to the right is merged
        i = 0
        while i < ncol:
            j = i
            while j + 1 < ncol and t.columns[j + 1][1] == "" and t.header2[j + 1] is not None:
                j += 1
            if j > i:
                merges.append((0, i, 1, j - i + 1))
            i = j + 1
        cells.append(row2)
    keys = [k for k, _ in t.columns]
    label_col = keys.index("label") if "label" in keys else 0
    first = len(cells)
    for (ri, key, nr, nc) in t.merges:
        merges.append((first + ri, keys.index(key), nr, nc))
    for row in t.rows:
        r = len(cells)
        if row.hidden:
            hidden.add(r)
        rleg = legacy
        if scope == "some" and rng is not None:
            rleg = legacy if rng.random() < some_rate else None
        if row.kind == "sec":
            sleg = rleg if scope in ("all", "sections", "some") else None
            line: list[tuple[Any, str | None, bool]] = [("", None, True)] * ncol
            if "stt" in keys and row.stt:
                line = list(line)
                line[keys.index("stt")] = (row.stt, None, True)
                line[label_col] = (row.text, sleg, True)
                if merge_sections:
                    merges.append((r, label_col, 1, ncol - label_col))
            else:
                line = list(line)
                line[0] = (row.text, sleg, True)
                if merge_sections:
                    merges.append((r, 0, 1, ncol))
            cells.append(line)
            continue
        lleg = rleg if scope in ("all", "labels", "some") else None
        line = []
        for k in keys:
            if k == "stt":
                line.append((row.stt, None, False))
            elif k == "code":
                line.append((row.code or "", None, False))
            elif k == "label":
                line.append((row.text, lleg, False))
            elif k == "dvt":
                line.append((row.unit, lleg, False))
            elif k == "note":
                line.append((row.note, lleg, False))
            else:   # a figure typed as text in a legacy document is in its encoding too
                line.append((row.cells.get(k), legacy if scope == "all" else None, False))
        cells.append(line)
    return Grid(cells, merges, hidden)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "".join(t for t, _ in v)
    if isinstance(v, Formula):
        return "" if v.cached is None else str(v.cached)
    return str(v)


# ---------------------------------------------------------------- .xlsx
def write_xlsx(sheets: list[Sheet], width: int = 6, col_widths: list[float] | None = None) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    cached: dict[str, dict[str, Any]] = {}
    for si, sh in enumerate(sheets):
        ws = wb.create_sheet(sh.name)
        if sh.hidden:
            ws.sheet_state = "hidden"
        cached[f"sheet{si + 1}"] = {}
        r = 1
        maxc = width
        for b in sh.blocks:
            if isinstance(b, Grid):
                maxc = max(maxc, max(len(x) for x in b.cells))
        for b in sh.blocks:
            if isinstance(b, (Para, Pair)):
                parts = [(b, 1, maxc)] if isinstance(b, Para) else [
                    (b.left, 1, max(1, maxc // 2)), (b.right, max(1, maxc // 2) + 1, maxc)]
                for para, c0, c1 in parts:
                    text = "".join(encode(t, leg)[0] for t, leg in para.runs)
                    font = next((encode(t, leg)[1] for t, leg in para.runs if leg), None)
                    cell = ws.cell(row=r, column=c0, value=text)
                    cell.font = Font(name=font or "Times New Roman", bold=para.bold, italic=para.italic,
                                     size=para.size)
                    cell.alignment = Alignment(horizontal=para.align, wrap_text=False)
                    if c1 > c0:
                        ws.merge_cells(start_row=r, start_column=c0, end_row=r, end_column=c1)
                r += 1
            elif isinstance(b, Grid):
                top = r
                for gr, line in enumerate(b.cells):
                    for gc, (v, leg, bold) in enumerate(line):
                        cell = ws.cell(row=r, column=gc + 1)
                        font = None
                        if isinstance(v, Formula):
                            cell.value = "=" + _fill_rows(v.expr, r)
                            cached[f"sheet{si + 1}"][cell.coordinate] = v.cached
                        elif isinstance(v, list):
                            from openpyxl.cell.rich_text import CellRichText, TextBlock
                            from openpyxl.cell.text import InlineFont
                            parts = []
                            for t, lg in v:
                                tt, ff = encode(t, lg)
                                parts.append(TextBlock(InlineFont(rFont=ff or "Times New Roman", sz=12), tt))
                            cell.value = CellRichText(parts)
                        elif isinstance(v, str):
                            text, font = encode(v, leg)
                            cell.value = text
                        else:
                            cell.value = v
                        cell.font = Font(name=font or "Times New Roman", bold=bold, size=12)
                        cell.alignment = Alignment(wrap_text=True, vertical="center")
                        if b.borders:
                            cell.border = box
                    if gr in b.hidden_rows:
                        ws.row_dimensions[r].hidden = True
                    r += 1
                for (mr, mc, nr, nc) in b.merges:
                    ws.merge_cells(start_row=top + mr, start_column=mc + 1,
                                   end_row=top + mr + nr - 1, end_column=mc + nc)
            elif isinstance(b, PageBreak):
                r += 1
        widths = col_widths or [6, 52, 10, 12, 12, 16, 12, 12]
        for i, w in enumerate(widths[:maxc]):
            ws.column_dimensions[get_column_letter(i + 1)].width = w
    import datetime as _dt
    wb.properties.created = wb.properties.modified = _dt.datetime(2024, 6, 1, 8, 0, 0)
    wb.properties.creator = "Microsoft Excel"
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if any(cached.values()):
        data = _patch_cached(data, cached)
    return normalize_zip(_fix_core_dates(data))


def _fix_core_dates(data: bytes) -> bytes:
    """openpyxl stamps docProps/core.xml with the clock; give it a fixed date."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>2024-06-01T08:00:00Z\2", body)
            dst.writestr(info, body)
    return out.getvalue()


FIXED_TIME = (2024, 6, 1, 8, 0, 0)


def normalize_zip(data: bytes) -> bytes:
    """The same members with a fixed timestamp: the same seed gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            ni = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            ni.compress_type = zipfile.ZIP_DEFLATED
            ni.external_attr = info.external_attr
            dst.writestr(ni, src.read(info.filename))
    return out.getvalue()


def _fill_rows(expr: str, r: int) -> str:
    """{row} is this cell's row; {row_plus_N} the row N below (negative: above)."""
    out = re.sub(r"\{row_plus_(-?\d+)\}", lambda m: str(r + int(m.group(1))), expr)
    return out.replace("{row}", str(r))


def _patch_cached(data: bytes, cached: dict[str, dict[str, Any]]) -> bytes:
    """openpyxl writes formulas without their results; Excel keeps the result beside each formula."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    dst = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
    for info in src.infolist():
        body = src.read(info.filename)
        m = re.match(r"xl/worksheets/(sheet\d+)\.xml$", info.filename)
        if m and cached.get(m.group(1)):
            text = body.decode("utf-8")
            for ref, val in cached[m.group(1)].items():
                text = re.sub(r'(<c r="%s"[^>]*>)(<f>.*?</f>)<v\s*/?>(</v>)?' % ref,
                              lambda mm: f"{mm.group(1)}{mm.group(2)}<v>{val}</v>", text)
            body = text.encode("utf-8")
        dst.writestr(info, body)
    dst.close()
    return out.getvalue()


# ---------------------------------------------------------------- .xls
def write_xls(sheets: list[Sheet]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    styles: dict[tuple[str, bool, bool], Any] = {}

    def style(font: str, bold: bool, border: bool) -> Any:
        key = (font, bold, border)
        if key not in styles:
            spec = f"font: name {font}, height 240{', bold on' if bold else ''}; align: wrap on, vert centre"
            if border:
                spec += "; borders: left thin, right thin, top thin, bottom thin"
            styles[key] = xlwt.easyxf(spec)
        return styles[key]

    for sh in sheets:
        ws = wb.add_sheet(sh.name[:31])
        if sh.hidden:
            ws.visibility = 1
        r = 0
        maxc = max([len(b.cells[0]) for b in sh.blocks if isinstance(b, Grid)] or [6])
        for b in sh.blocks:
            if isinstance(b, (Para, Pair)):
                parts = [(b, 0, maxc - 1)] if isinstance(b, Para) else [
                    (b.left, 0, maxc // 2 - 1), (b.right, maxc // 2, maxc - 1)]
                for para, c0, c1 in parts:
                    text = "".join(encode(t, leg)[0] for t, leg in para.runs)
                    font = next((encode(t, leg)[1] for t, leg in para.runs if leg), None) or "Times New Roman"
                    ws.write_merge(r, r, c0, max(c0, c1), text, style(font, para.bold, False))
                r += 1
            elif isinstance(b, Grid):
                top = r
                merged: dict[tuple[int, int], tuple[int, int]] = {}
                covered: set[tuple[int, int]] = set()
                for (mr, mc, nr, nc) in b.merges:
                    merged[(mr, mc)] = (nr, nc)
                    for i in range(nr):
                        for j in range(nc):
                            if (i, j) != (0, 0):
                                covered.add((mr + i, mc + j))
                for gr, line in enumerate(b.cells):
                    for gc, (v, leg, bold) in enumerate(line):
                        if (gr, gc) in covered:
                            continue
                        font = "Times New Roman"
                        if isinstance(v, list):
                            font = next((encode(t, lg)[1] for t, lg in v if lg), None) or font
                            v = "".join(encode(t, lg)[0] for t, lg in v)
                        elif isinstance(v, str):
                            v, f = encode(v, leg)
                            font = f or font
                        elif isinstance(v, Formula):
                            v = xlwt.Formula(v.expr.format(row=r + 1))
                        st = style(font, bold, b.borders)
                        if (gr, gc) in merged:
                            nr, nc = merged[(gr, gc)]
                            ws.write_merge(r, r + nr - 1, gc, gc + nc - 1, v if v is not None else "", st)
                        else:
                            ws.write(r, gc, v if v is not None else "", st)
                    if gr in b.hidden_rows:
                        ws.row(r).hidden = True
                    r += 1
                _ = top
        ws.col(0).width = 6 * 256
        ws.col(1).width = 50 * 256
        for c in range(2, 8):
            ws.col(c).width = 13 * 256
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- .docx
def write_docx(blocks: list[Any], landscape: bool = False) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    d = docx.Document()
    st = d.styles["Normal"]
    st.font.name = "Times New Roman"
    st.font.size = Pt(13)
    sec = d.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin, sec.right_margin = Cm(3.0), Cm(2.0)
    sec.top_margin = sec.bottom_margin = Cm(2.0)
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_height, sec.page_width = sec.page_width, sec.page_height
    align = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
             "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}

    def fill_para(p: Any, para: Para) -> None:
        p.alignment = align.get(para.align, WD_ALIGN_PARAGRAPH.LEFT)
        for text, leg in para.runs:
            t, font = encode(text, leg)
            run = p.add_run(t)
            run.bold = para.bold
            run.italic = para.italic
            run.font.size = Pt(para.size)
            if font:
                run.font.name = font

    def add_grid(g: Grid) -> None:
        nrow, ncol = len(g.cells), max(len(x) for x in g.cells)
        t = d.add_table(rows=nrow, cols=ncol)
        if g.borders:
            t.style = "Table Grid"
        covered: set[tuple[int, int]] = set()
        for (mr, mc, nr, nc) in g.merges:
            for i in range(nr):
                for j in range(nc):
                    if (i, j) != (0, 0):
                        covered.add((mr + i, mc + j))
        from docx.table import _Cell
        trs = t._tbl.tr_lst
        for r, line in enumerate(g.cells):
            tcs = trs[r].tc_lst      # before any merge: one cell element per column
            for c, (v, leg, bold) in enumerate(line):
                if (r, c) in covered:
                    continue
                cell = _Cell(tcs[c], t)
                p = cell.paragraphs[0]
                for piece, lg in (v if isinstance(v, list) else [(_text(v), leg)]):
                    text, font = encode(piece, lg)
                    run = p.add_run(text)
                    run.bold = bold
                    run.font.size = Pt(12)
                    if font:
                        run.font.name = font
        for (mr, mc, nr, nc) in g.merges:
            a = t.cell(mr, mc)
            b = t.cell(mr + nr - 1, mc + nc - 1)
            keep = a.text
            m = a.merge(b)
            # merging concatenates the paragraphs of the cells: keep the first text only
            for extra in m.paragraphs[1:]:
                if not extra.text.strip():
                    extra._element.getparent().remove(extra._element)
            _ = keep

    pair_table = None
    for b in blocks:
        if not isinstance(b, Pair):
            pair_table = None
        if isinstance(b, Para):
            fill_para(d.add_paragraph(), b)
        elif isinstance(b, Pair):   # consecutive letterhead lines: one borderless table
            if pair_table is None:
                pair_table = d.add_table(rows=1, cols=2)
                row = pair_table.rows[0]
            else:
                row = pair_table.add_row()
            for cell, para in ((row.cells[0], b.left), (row.cells[1], b.right)):
                fill_para(cell.paragraphs[0], para)
        elif isinstance(b, Grid):
            add_grid(b)
        elif isinstance(b, PageBreak):
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(b, Picture):
            d.add_picture(io.BytesIO(b.png), width=Cm(b.width_cm))
        elif isinstance(b, TextBox):
            _add_textbox(d, b)
    import datetime as _dt
    cp = d.core_properties
    cp.created = cp.modified = cp.last_printed = _dt.datetime(2024, 6, 1, 8, 0, 0)
    cp.author = cp.last_modified_by = "User"
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return normalize_zip(buf.getvalue())


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _add_textbox(d: Any, tb: TextBox) -> None:
    """A Word text box (VML, as Word writes for compatibility) holding paragraphs or a table."""
    from docx.oxml import parse_xml

    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    inner = []
    for b in tb.blocks:
        if isinstance(b, Para):
            runs = "".join(
                f'<w:r>{"<w:rPr><w:b/></w:rPr>" if b.bold else ""}<w:t xml:space="preserve">{_esc(encode(t, leg)[0])}</w:t></w:r>'
                for t, leg in b.runs)
            inner.append(f"<w:p>{runs}</w:p>")
        elif isinstance(b, Grid):
            ncol = max(len(x) for x in b.cells)
            rows = []
            for line in b.cells:
                tcs = "".join(
                    f'<w:tc><w:tcPr><w:tcW w:w="{1800 if i else 4200}" w:type="dxa"/></w:tcPr>'
                    f'<w:p><w:r><w:t xml:space="preserve">{_esc(_text(v))}</w:t></w:r></w:p></w:tc>'
                    for i, (v, _leg, _bold) in enumerate(line))
                rows.append(f"<w:tr>{tcs}</w:tr>")
            grid = "".join(f'<w:gridCol w:w="{1800 if i else 4200}"/>' for i in range(ncol))
            borders = "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                              for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
            inner.append(f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{borders}</w:tblBorders>'
                         f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl><w:p/>')
    xml = (f'<w:p xmlns:w="{W}" xmlns:v="urn:schemas-microsoft-com:vml" '
           f'xmlns:o="urn:schemas-microsoft-com:office:office"><w:r><w:pict>'
           f'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
           f'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
           f'<v:shape id="TextBox1" o:spid="_x0000_s1026" type="#_x0000_t202" '
           f'style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:520pt;z-index:1" '
           f'strokecolor="black"><v:textbox><w:txbxContent>{"".join(inner)}</w:txbxContent></v:textbox>'
           f'</v:shape></w:pict></w:r></w:p>')
    d.element.body.append(parse_xml(xml))
    # the body's section properties must stay last
    sect = d.element.body.find(f"{{{W}}}sectPr")
    if sect is not None:
        d.element.body.remove(sect)
        d.element.body.append(sect)


# ---------------------------------------------------------------- .pdf (text)
_FONTS_DONE = False


def _fonts() -> None:
    global _FONTS_DONE
    if _FONTS_DONE:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    pdfmetrics.registerFont(TTFont("Serif", font_file()))
    pdfmetrics.registerFont(TTFont("Serif-Bold", font_file("Bold")))
    pdfmetrics.registerFont(TTFont("Serif-Italic", font_file("Italic")))
    _FONTS_DONE = True


def write_pdf(blocks: list[Any], encrypt_password: str | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak as RLBreak
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    _fonts()
    buf = io.BytesIO()
    kw: dict[str, Any] = {}
    if encrypt_password:
        from reportlab.lib import pdfencrypt
        kw["encrypt"] = pdfencrypt.StandardEncryption(encrypt_password, ownerPassword=encrypt_password + "x",
                                                      canPrint=0, canCopy=0)
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=30 * mm, rightMargin=18 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm, title="Bao cao", invariant=1, **kw)
    al = {"left": 0, "center": 1, "right": 2, "justify": 4}

    def pstyle(para: Para | None, size: float = 11, bold: bool = False) -> ParagraphStyle:
        b = para.bold if para else bold
        it = para.italic if para else False
        font = "Serif-Bold" if b else ("Serif-Italic" if it else "Serif")
        return ParagraphStyle("x", fontName=font, fontSize=size, leading=size * 1.25,
                              alignment=al.get(para.align if para else "left", 0))

    story: list[Any] = []
    for b in blocks:
        if isinstance(b, Para):
            story.append(Paragraph(_esc("".join(t for t, _ in b.runs)), pstyle(b, min(b.size, 12))))
        elif isinstance(b, Pair):
            t = RLTable([[Paragraph(_esc("".join(x for x, _ in b.left.runs)), pstyle(b.left, 10)),
                          Paragraph(_esc("".join(x for x, _ in b.right.runs)), pstyle(b.right, 10))]],
                        colWidths=[70 * mm, 92 * mm])
            story.append(t)
        elif isinstance(b, Grid):
            ncol = max(len(x) for x in b.cells)
            widths = {2: [110, 52], 3: [14, 100, 48], 4: [12, 96, 24, 30], 5: [12, 86, 20, 22, 22],
                      6: [10, 20, 74, 18, 20, 20], 7: [10, 70, 16, 18, 18, 16, 14]}.get(ncol, [162 / ncol] * ncol)
            data = [[Paragraph(_esc(_text(v)), pstyle(None, 9.5, bold)) for (v, _l, bold) in line]
                    for line in b.cells]
            t = RLTable(data, colWidths=[w * mm for w in widths], repeatRows=1)
            style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
            if b.borders:
                style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
            for (mr, mc, nr, nc) in b.merges:
                style.append(("SPAN", (mc, mr), (mc + nc - 1, mr + nr - 1)))
            t.setStyle(TableStyle(style))
            story.append(t)
            story.append(Spacer(1, 4 * mm))
        elif isinstance(b, PageBreak):
            story.append(RLBreak())
    doc.build(story)
    return buf.getvalue()


def write_scanned_pdf(png: bytes) -> bytes:
    """A page that is only a picture (a scanned signed letter)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    w, h = A4
    c.drawImage(ImageReader(io.BytesIO(png)), 0, 0, width=w, height=h)
    c.showPage()
    c.save()
    return buf.getvalue()


# ---------------------------------------------------------------- pictures
def render_png(blocks: list[Any], width: int = 1240, noise: float = 0.0, seed: int = 0) -> bytes:
    """Paragraphs and tables drawn as a picture: a form pasted into Word as an image, a scan."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    f = ImageFont.truetype(font_file(), 22)
    fb = ImageFont.truetype(font_file("Bold"), 22)
    height = 60
    for b in blocks:
        if isinstance(b, Para):
            height += 36
        elif isinstance(b, Grid):
            height += 44 * len(b.cells) + 20
    img = Image.new("RGB", (width, max(height, 400)), "white")
    d = ImageDraw.Draw(img)
    y = 30
    for b in blocks:
        if isinstance(b, Para):
            text = "".join(t for t, _ in b.runs)
            font = fb if b.bold else f
            tw = d.textlength(text, font=font)
            x = (width - tw) / 2 if b.align == "center" else 40
            d.text((x, y), text, fill="black", font=font)
            y += 36
        elif isinstance(b, Grid):
            ncol = max(len(x) for x in b.cells)
            ws = {2: [760, 360], 3: [80, 760, 280], 4: [70, 700, 170, 200], 5: [60, 640, 140, 150, 170],
                  6: [60, 130, 560, 120, 150, 140]}.get(ncol, [1120 // ncol] * ncol)
            for line in b.cells:
                x = 40
                for i, (v, _l, bold) in enumerate(line):
                    d.rectangle([x, y, x + ws[i], y + 44], outline="black", width=2)
                    txt = _text(v)
                    font = fb if bold else f
                    while txt and d.textlength(txt, font=font) > ws[i] - 12:
                        txt = txt[:-1]
                    d.text((x + 6, y + 10), txt, fill="black", font=font)
                    x += ws[i]
                y += 44
            y += 20
    if noise:
        rnd = random.Random(seed)
        px = img.load()
        for _ in range(int(width * height * noise)):
            px[rnd.randrange(width), rnd.randrange(max(height, 400))] = (rnd.randrange(120, 255),) * 3
        img = img.rotate(0.6, fillcolor="white").filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def photo_jpeg(seed: int) -> bytes:
    """A phone photo: colour gradients and noise, no text."""
    from PIL import Image

    rnd = random.Random(seed)
    w, h = 640, 480
    img = Image.new("RGB", (w, h))
    px = img.load()
    a, b, c = rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)
    for y in range(h):
        for x in range(w):
            px[x, y] = ((a + x // 3 + rnd.randrange(20)) % 256, (b + y // 3) % 256, (c + (x + y) // 5) % 256)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


# ---------------------------------------------------------------- HTML saved as .xls
def write_html_xls(title_lines: list[str], g: Grid) -> bytes:
    """What school-management software exports as "Excel": an HTML table in a .xls file."""
    rows = []
    bold_attr = ' style="font-weight:bold"'
    for line in g.cells:
        rows.append("<tr>" + "".join(
            f"<td{bold_attr if bold else ''}>{_esc(_text(v))}</td>" for v, _l, bold in line) + "</tr>")
    head = "".join(f"<tr><td colspan=\"{len(g.cells[0])}\"><b>{_esc(t)}</b></td></tr>" for t in title_lines)
    html = ('<html xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">'
            '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet>'
            '<x:Name>BaoCao</x:Name></x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->'
            f'</head><body><table border="1">{head}{"".join(rows)}</table></body></html>')
    return html.encode("utf-8")


# ---------------------------------------------------------------- hostile files
def zip_of(members: list[tuple[str, bytes]]) -> bytes:
    """A zip as a unit's archiver writes it (member names kept exactly as given)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 6, 20, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def zip_encrypted_looking(name: str, size: int, seed: int) -> bytes:
    """A zip whose one member is flagged encrypted (general-purpose bit 0), as a password zip is."""
    rnd = random.Random(seed)
    junk = bytes(rnd.randrange(256) for _ in range(size))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        info = zipfile.ZipInfo(name, date_time=(2024, 6, 25, 8, 0, 0))
        z.writestr(info, junk)
    data = bytearray(buf.getvalue())
    # local header: flag at offset 6; central directory entry: flag at offset 8
    assert data[:4] == b"PK\x03\x04"
    data[6] |= 1
    cd = data.find(b"PK\x01\x02")
    data[cd + 8] |= 1
    return bytes(data)


def truncated(data: bytes, frac: float) -> bytes:
    return data[: int(len(data) * frac)]


def cfb_encrypted_package(seed: int) -> bytes:
    """An OLE compound file holding EncryptionInfo and EncryptedPackage: what Excel writes for a
    workbook saved with a password to open (here with random contents)."""
    rnd = random.Random(seed)
    SECT = 512
    FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    info_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
                'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
                '<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
                'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="' +
                "".join(rnd.choice("ABCDEFGHabcdefgh0123456789") for _ in range(24)) + '"/>'
                '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
                '<p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
                'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"/>'
                '</keyEncryptor></keyEncryptors></encryption>')
    info = struct.pack("<HHI", 4, 4, 0x40) + info_xml.encode("utf-8")
    info = info + b" " * (4096 - len(info))        # at the mini-stream cutoff: stored in regular sectors
    payload = struct.pack("<Q", 9000) + bytes(rnd.randrange(256) for _ in range(9216))
    streams = [("EncryptionInfo", info), ("EncryptedPackage", payload)]
    # layout: sector 0 FAT, sector 1 directory, then the streams
    fat = [FATSECT, ENDOFCHAIN]
    starts = []
    body = b""
    nxt = 2
    for _, data in streams:
        n = (len(data) + SECT - 1) // SECT
        starts.append(nxt)
        for i in range(n):
            fat.append(nxt + i + 1 if i < n - 1 else ENDOFCHAIN)
        body += data + b"\0" * (n * SECT - len(data))
        nxt += n
    assert len(fat) <= SECT // 4
    fat += [FREESECT] * (SECT // 4 - len(fat))

    def dirent(name: str, typ: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        nm = name.encode("utf-16-le") + b"\0\0"
        e = nm + b"\0" * (64 - len(nm))
        e += struct.pack("<HBB", len(nm), typ, 1)
        e += struct.pack("<III", left, right, child)
        e += b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16
        e += struct.pack("<IQ", start, size)
        return e

    d = dirent("Root Entry", 5, NOSTREAM, NOSTREAM, 1, ENDOFCHAIN, 0)
    d += dirent("EncryptionInfo", 2, NOSTREAM, 2, NOSTREAM, starts[0], len(streams[0][1]))
    d += dirent("EncryptedPackage", 2, NOSTREAM, NOSTREAM, NOSTREAM, starts[1], len(streams[1][1]))
    d += b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + \
        b"\0" * 36 + struct.pack("<IQ", 0, 0)
    assert len(d) == SECT
    hdr = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    hdr += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    hdr += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    hdr += struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108
    assert len(hdr) == SECT
    return hdr + struct.pack("<%dI" % (SECT // 4), *fat) + d + body
