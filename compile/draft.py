"""The Department's own report, drafted (.docx): what the division sends up to the Ministry and
the provincial People's Committee, in the Decree 30/2020 layout of document-style.md, for the
clerk to finish in Word.

From the configuration: the issuing body (`[organisation] parent`, `name`, `symbol`, `place`,
`full_name`), the addressees (`report_to`), the division's code for "Lưu: VT, …". From the store,
through compile.aggregate and compile.completeness: who has reported (stated as "Có 24/50 đơn
vị đã gửi báo cáo…"), the compiled figure of every indicator, section by section as the report's
indicators are grouped (their `section`), in sentences and in a table, with the previous period
beside it when there is one, and the cases reported during the period. The parts only people can
write (the assessment, the tasks ahead, the proposals) are marked as such for the clerk.
"""
from __future__ import annotations

import datetime as dt
import io
from collections import Counter

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from compile import aggregate
from compile.common import find_period, fmt_number, local_now, vn_datetime, vn_long_date
from compile.completeness import compute
from store.config import Config
from store.db import Database
from store.domain import Indicator, Period, Report

FONT = "Times New Roman"
BODY = 14
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TEXT_WIDTH = 16.5       # cm between the margins
LEFT_BLOCK, RIGHT_BLOCK = 7.0, 9.5
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
MAX_NAMED = 15          # more units missing than this: counted, not named


def build(db: Database, cfg: Config, report_code: str, period_id: str, now: dt.datetime) -> bytes:
    """The .docx bytes of the Department's report for one period."""
    report, period = find_period(cfg, report_code, period_id)
    comp = compute(db, cfg, report.code, period.id, now)
    fig = aggregate.figures(db, cfg, report.code, period.id)
    org = cfg.organisation
    local = local_now(cfg, now)
    doc = Document()
    _page(doc)
    _letterhead(doc, cfg, local.date())
    summary = _summary(report, period)
    _para(doc, "BÁO CÁO", bold=True, size=BODY, align="center", before=12, after=0)
    _para(doc, summary, bold=True, size=BODY, align="center", after=6)
    _rule(doc, 3.0, TEXT_WIDTH)
    _addressees(doc, [a.strip() for a in org.report_to.split(";") if a.strip()])

    who = org.full_name or org.name.title()
    _para(doc, f"Căn cứ báo cáo của các đơn vị, {who} báo cáo {summary[:1].lower() + summary[1:]} như sau:",
          indent=True)
    n = 0
    _heading(doc, f"{ROMAN[n]}. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ")
    for text in _coverage(comp, local):
        _para(doc, text, indent=True)
    n += 1
    _heading(doc, f"{ROMAN[n]}. KẾT QUẢ THỰC HIỆN")
    for number, (section, inds) in enumerate(_sections(report), start=1):
        _heading(doc, f"{number}. {section}", level=2)
        for ind in inds:
            _para(doc, _sentence(ind, fig), indent=True, size=BODY)
    cases = _cases(db, cfg, period, now)
    if cases:
        _heading(doc, f"{len(_sections(report)) + 1}. Các vụ việc được báo cáo nhanh", level=2)
        _para(doc, cases, indent=True)
    _para(doc, "(Số liệu chi tiết tại bảng tổng hợp kèm theo.)", italic=True, indent=True)
    n += 1
    _heading(doc, f"{ROMAN[n]}. ĐÁNH GIÁ CHUNG")
    _para(doc, "1. Ưu điểm: …………………………………………………………", align="left", indent=True)
    _para(doc, "2. Hạn chế, khó khăn: ……………………………………………", align="left", indent=True)
    n += 1
    _heading(doc, f"{ROMAN[n]}. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI VÀ KIẾN NGHỊ")
    _para(doc, "…………………………………………………………………………", align="left", indent=True)
    _para(doc, f"Trên đây là báo cáo {summary[:1].lower() + summary[1:]} của {who}./.", indent=True)
    _closing(doc, cfg)
    doc.add_page_break()
    _table_annex(doc, cfg, report, period, fig, comp)
    doc.core_properties.title = f"{report.title} {period.label}"
    doc.core_properties.author = org.division or org.name
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- content

def _summary(report: Report, period: Period) -> str:
    title = report.title
    if title.lower().startswith("báo cáo "):
        title = title[len("báo cáo "):]
    title = title[:1].upper() + title[1:]
    return f"{title} {period.label}"


def _sections(report: Report) -> list[tuple[str, list[Indicator]]]:
    """The indicators grouped by their `section`, in the form's order; "A. Quy mô" -> "Quy mô"."""
    out: list[tuple[str, list[Indicator]]] = []
    for ind in report.indicators:
        name = ind.section.partition(". ")[2] or ind.section or "Số liệu"
        if not out or out[-1][0] != name:
            out.append((name, []))
        out[-1][1].append(ind)
    return out


def _coverage(comp, local: dt.datetime) -> list[str]:
    expected, received = comp.expected_count, len(comp.received)
    text = (f"Tính đến {vn_datetime(local)}, có {received}/{expected} đơn vị đã gửi báo cáo "
            f"({len(comp.on_time)} đơn vị đúng hạn, {len(comp.late)} đơn vị trễ hạn)")
    missing = [u for u in comp.units if u.expected and u.state == "missing"]
    if not missing:
        return [text + "; tất cả các đơn vị đã gửi báo cáo."]
    lines = [text + f"; còn {len(missing)} đơn vị chưa gửi báo cáo."]
    if len(missing) <= MAX_NAMED:
        lines.append("Các đơn vị chưa gửi báo cáo: " + ", ".join(u.name for u in missing) + ".")
    lines.append(f"Số liệu dưới đây được tổng hợp từ báo cáo của {received} đơn vị đã gửi.")
    return lines


def _value(fig: aggregate.Figures, code: str) -> float | None:
    return fig.total.get(code)


def _sentence(ind: Indicator, fig: aggregate.Figures) -> str:
    value = _value(fig, ind.code)
    label = ind.label
    if label.lower().startswith("trong đó"):
        head = "+ " + label[:1].upper() + label[1:]
    else:
        head = "- " + label
    said = f"{fmt_number(value)} {ind.unit}".strip() if value is not None else "chưa có số liệu"
    same = fig.comparison(ind.code)
    if value is not None and same is not None:   # over the same units only, and said so
        said += (f" (so với kỳ trước, trên cùng {same.units} đơn vị có số liệu cả hai kỳ: "
                 f"{fmt_number(same.before)} → {fmt_number(same.now)} {ind.unit})").replace("  ", " ")
    return f"{head}: {said}."


def _cases(db: Database, cfg: Config, period: Period, now: dt.datetime) -> str:
    start = period.start or (period.due - dt.timedelta(days=183))
    found = [i for i in aggregate.incidents(db, cfg, until=now)
             if start.isoformat() <= (i.occurred_on or "")[:10] <= period.due.isoformat()]
    if not found:
        return ""
    kinds = Counter(i.category_label for i in found)
    parts = "; ".join(f"{k.lower()}: {n} vụ" for k, n in sorted(kinds.items()))
    return f"Trong kỳ, các đơn vị đã báo cáo nhanh {len(found)} vụ việc ({parts})."


# ---------------------------------------------------------------- layout

def _page(doc) -> None:
    """A4 portrait, Decree 30 margins: 20 mm top and bottom, 30 mm left, 15 mm right."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False, size: float = BODY,
         underline: bool = False):
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    return run


def _para(target, text: str, *, bold: bool = False, italic: bool = False, size: float = BODY,
          align: str = "justify", indent: bool = False, before: float = 0, after: float = 6) -> Paragraph:
    p = target.add_paragraph()
    _run(p, text, bold=bold, italic=italic, size=size)
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Cm(1)
    return p


def _heading(doc, text: str, level: int = 1) -> None:
    _para(doc, text, bold=True, indent=level == 1, before=6, after=6)


def _rule(target, width: float, room: float, after: float = 6) -> None:
    """A centred rule `width` cm long in a space `room` cm wide: the top border of an empty
    paragraph indented from both sides (a drawn line would not move with the text)."""
    p = target.add_paragraph()
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(max(room - width, 0) / 2)
    fmt.space_before, fmt.space_after = Pt(1), Pt(after)
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    p._p.get_or_add_pPr().append(borders)


def _cell(table: Table, row: int, col: int):
    cell = table.cell(row, col)
    cell.paragraphs[0].text = ""
    return cell


def _letterhead(doc, cfg: Config, day: dt.date) -> None:
    """Two borderless columns: the issuing body (parent, body in bold, a rule, the number) and the
    motto (a rule under it, the place and date in italics)."""
    org = cfg.organisation
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Cm(LEFT_BLOCK), Cm(RIGHT_BLOCK))
    for col, width in enumerate(widths):
        table.columns[col].width = width
        table.cell(0, col).width = width
    left, right = _cell(table, 0, 0), _cell(table, 0, 1)
    _fill(left, org.parent.upper(), size=13)
    _add(left, org.name.upper(), bold=True, size=13)
    _rule(left, 2.5, LEFT_BLOCK - 0.4, after=2)
    _add(left, f"Số: …/BC-{org.symbol}", size=13, before=4)
    _fill(right, MOTTO[0], bold=True, size=12)
    _add(right, MOTTO[1], bold=True, size=13)
    _rule(right, 6.0, RIGHT_BLOCK - 0.4, after=2)
    _add(right, vn_long_date(org.place, day), italic=True, size=14, before=4)


def _fill(cell, text: str, **style) -> None:
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, text, **style)


def _add(cell, text: str, before: float = 0, **style) -> None:
    p = cell.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(before)
    _run(p, text, **style)


def _addressees(doc, names: list[str]) -> None:
    """"Kính gửi: X." for one addressee; a line each ("- X;", the last "- Y.") for several."""
    if len(names) <= 1:
        p = _para(doc, "", align="center", after=12)
        _run(p, "Kính gửi: " + (names[0] if names else "……………………") + ".")
        return
    p = _para(doc, "", align="left", after=0)
    p.paragraph_format.left_indent = Cm(3)
    _run(p, "Kính gửi:")
    for n, name in enumerate(names):
        q = _para(doc, f"- {name}{'.' if n == len(names) - 1 else ';'}", align="left",
                  after=12 if n == len(names) - 1 else 0)
        q.paragraph_format.left_indent = Cm(5)


def _closing(doc, cfg: Config) -> None:
    """"Nơi nhận:" (bold italic 12 pt, entries 11 pt) left; the signature block right."""
    org = cfg.organisation
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    for col, width in enumerate((Cm(8.0), Cm(8.5))):
        table.columns[col].width = width
        table.cell(0, col).width = width
    _keep_together(table.rows[0])
    left, right = _cell(table, 0, 0), _cell(table, 0, 1)
    first = left.paragraphs[0]
    first.paragraph_format.space_before = Pt(12)
    _run(first, "Nơi nhận:", bold=True, italic=True, size=12)
    receivers = ["- Như trên;", "- Giám đốc, các Phó Giám đốc Sở;",
                 f"- Lưu: VT, {org.division_code}." if org.division_code else "- Lưu: VT."]
    for text in receivers:
        p = left.add_paragraph()
        _run(p, text, size=11)
    p = right.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(12)
    _run(p, "KT. GIÁM ĐỐC", bold=True, size=BODY)
    _add(right, "PHÓ GIÁM ĐỐC", bold=True, size=BODY)
    for _ in range(4):
        _add(right, "", size=BODY)
    _add(right, "……………………", bold=True, size=BODY)


def _table_annex(doc, cfg: Config, report: Report, period: Period, fig: aggregate.Figures, comp) -> None:
    """The figures as a table: STT | Chỉ tiêu | Đơn vị tính | Số liệu (| Kỳ trước), a row per
    section (bold) and per indicator ("Trong đó" rows in italics, indented)."""
    org = cfg.organisation
    _para(doc, "BẢNG TỔNG HỢP SỐ LIỆU", bold=True, align="center", after=0)
    _para(doc, f"{_summary(report, period)}", bold=True, align="center", after=0)
    _para(doc, f"(Kèm theo Báo cáo số …/BC-{org.symbol} ngày … tháng … năm … của {org.full_name or org.name})",
          italic=True, size=13, align="center", after=0)
    _para(doc, f"(Tổng hợp từ báo cáo của {len(comp.received)}/{comp.expected_count} đơn vị)", italic=True,
          align="center", after=8)
    prev = bool(fig.previous_period)
    prev_period = report.period(fig.previous_period) if fig.previous_period else None
    heads = ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu"] + (
        [f"Kỳ trước ({prev_period.label if prev_period else fig.previous_period}), cùng đơn vị"] if prev else [])
    widths = [Cm(1.2), Cm(9.0), Cm(2.3), Cm(2.0)] + ([Cm(2.0)] if prev else [])
    if not prev:
        widths[1] = Cm(11.0)
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, (text, width) in enumerate(zip(heads, widths)):
        cell = _cell(table, 0, col)
        cell.width = width
        _fill(cell, text, bold=True, size=12)
    _repeat_header(table.rows[0])
    number = 0
    for section, inds in _sections(report):
        letter = next((i.section.partition(". ")[0] for i in inds if ". " in i.section), "")
        cells = table.add_row().cells
        _fill(cells[0], letter, bold=True, size=12)
        cells[1].paragraphs[0].text = ""
        _run(cells[1].paragraphs[0], section, bold=True, size=12)
        for ind in inds:
            number += 1
            cells = table.add_row().cells
            part = ind.label.lower().startswith("trong đó")
            _fill(cells[0], str(number), size=12)
            p = cells[1].paragraphs[0]
            _run(p, ind.label, italic=part, size=12)
            if part:
                p.paragraph_format.left_indent = Cm(0.6)
            _fill(cells[2], ind.unit, size=12)
            value = _value(fig, ind.code)
            _right(cells[3], fmt_number(value) if value is not None else "", size=12)
            if prev:
                same = fig.comparison(ind.code)
                before = same.before if same else None
                _right(cells[4], fmt_number(before) if before is not None else "", size=12)
    for col, width in enumerate(widths):
        table.columns[col].width = width
    for row in table.rows:
        for col, width in enumerate(widths):
            row.cells[col].width = width


def _right(cell, text: str, size: float) -> None:
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(p, text, size=size)


def _keep_together(row) -> None:
    """A row not split over two pages (the signature block stays whole)."""
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _repeat_header(row) -> None:
    """The heading row repeated at the top of each page the table runs onto."""
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)
