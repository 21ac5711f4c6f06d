"""The Department's real blank form (compile.form.build_template), filled in and then edited
the way clerks edit it. Each edit is a function on `Form`, which keeps track of where every
indicator's row and the figures column went, so later edits (formulas) still hit the right cells.

openpyxl moves cells on insert/delete but not merged ranges: `_restructure` unmerges, moves and
merges again at the shifted place, as Excel does.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.filecorpus import model, tables

CODE_COL, LABEL_COL, VALUE_COL, FIRST_ROW = 2, 3, 5, 11


@dataclass
class Form:
    wb: object
    ws: object
    rows: dict[str, int]                          # indicator code -> row
    vcol: int = VALUE_COL
    ccol: int | None = CODE_COL
    lcol: int = LABEL_COL
    cached: dict[str, object] = field(default_factory=dict)   # "E14" -> cached value (None: no cache)

    @property
    def ncols(self) -> int:
        return self.ws.max_column


@lru_cache(maxsize=2)
def _template(with_period: bool) -> bytes:
    from compile.form import build_template
    cfg, rep = model.report()
    period = next(p for p in rep.periods if p.id == "2024S1") if with_period else None
    return build_template(cfg, rep, None, period)


def blank(unit=None, with_period: bool = True) -> Form:
    """The form as a unit receives it: for its unit and the period (or with the period left as dots
    for the clerk to fill, when the reminder went out without one)."""
    _, rep = model.report()
    wb = load_workbook(io.BytesIO(_template(with_period)))
    ws = wb.active
    if unit is not None:
        ws["A6"] = f"Đơn vị: {unit.name}"
    if not with_period:
        ws["A7"] = f"Kỳ báo cáo: {model.PERIOD_LABEL}"
    rows = {ws.cell(r, CODE_COL).value: r for r in range(FIRST_ROW, ws.max_row + 1)
            if ws.cell(r, CODE_COL).value in {i.code for i in rep.indicators}}
    return Form(wb, ws, rows)


def fill(f: Form, rng: random.Random, truth: dict, habit: str) -> None:
    inds = {i.code: i for i in model.indicators()}
    for code, row in f.rows.items():
        f.ws.cell(row, f.vcol).value = model.typed(rng, truth[code], inds[code].unit, habit)


def save(f: Form) -> bytes:
    buf = io.BytesIO()
    f.wb.save(buf)
    data = buf.getvalue()
    return _patch_cache(data, f.ws.title, f.wb.sheetnames.index(f.ws.title) + 1, f.cached) if f.cached else data


def _patch_cache(data: bytes, title: str, index: int, cached: dict) -> bytes:
    """openpyxl writes `<f>..</f><v></v>`: put the value Excel would have cached, or drop the
    empty <v> (a file saved without recalculation)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    name = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == name:
                text = body.decode("utf-8")
                for ref, value in cached.items():
                    cell = rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)'
                    pat = re.compile(cell + r"<v\s*>\s*</v>|" + cell + r"<v\s*/>")
                    repl = (lambda m, v=value: (m.group(1) or m.group(3)) + (m.group(2) or m.group(4)) +
                            ("" if v is None else f"<v>{v}</v>"))
                    text, count = pat.subn(repl, text)
                    assert count == 1, (ref, count)
                body = text.encode("utf-8")
            dst.writestr(item, body)
    return out.getvalue()


def _restructure(f: Form, op, shift) -> None:
    """Run a row/column insert or delete with merged ranges kept in place. `shift(r, c)` maps an
    old coordinate to the new one (None: deleted)."""
    ranges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in f.ws.merged_cells.ranges]
    for m in list(f.ws.merged_cells.ranges):
        f.ws.unmerge_cells(str(m))
    op()
    for r1, c1, r2, c2 in ranges:
        a, b = shift(r1, c1), shift(r2, c2)
        if a is None:
            a = shift(r1, c1 + 1)
        if b is None:
            b = shift(r2, c2 - 1)
        if a and b and (a != b):
            f.ws.merge_cells(start_row=a[0], start_column=a[1], end_row=b[0], end_column=b[1])


def insert_rows(f: Form, at: int, n: int) -> None:
    _restructure(f, lambda: f.ws.insert_rows(at, n), lambda r, c: (r + n if r >= at else r, c))
    f.rows = {k: (r + n if r >= at else r) for k, r in f.rows.items()}


def insert_cols(f: Form, at: int, n: int) -> None:
    _restructure(f, lambda: f.ws.insert_cols(at, n), lambda r, c: (r, c + n if c >= at else c))
    f.vcol, f.lcol = [c + n if c >= at else c for c in (f.vcol, f.lcol)]
    f.ccol = None if f.ccol is None else (f.ccol + n if f.ccol >= at else f.ccol)


def delete_code_col(f: Form) -> None:
    at = f.ccol
    _restructure(f, lambda: f.ws.delete_cols(at, 1),
                 lambda r, c: None if c == at else (r, c - 1 if c > at else c))
    f.vcol, f.lcol = [c - 1 if c > at else c for c in (f.vcol, f.lcol)]
    f.ccol = None


def unprotect(f: Form) -> None:
    f.ws.protection.sheet = False


def letterhead(f: Form, unit_name: str) -> None:
    """Four rows of the unit's own heading above the Department's, with numbers in them."""
    insert_rows(f, 1, 4)
    for i, text in enumerate((f"SỞ GDĐT BÌNH PHƯỚC - {unit_name.upper()}", "Số: 47/BC-THPT",
                              "Đồng Xoài, ngày 26 tháng 6 năm 2024", "")):
        f.ws.cell(1 + i, 1, text)


def retype_labels(f: Form, rng: random.Random, mode: str) -> None:
    inds = {i.code: i for i in model.indicators()}
    for code, row in f.rows.items():
        f.ws.cell(row, f.lcol).value = model.label(rng, inds[code], mode)


def renumber(f: Form, style: str, sections: str) -> None:
    """STT as '1.', 'a)'…, section rows as 'I.', 'II.'…"""
    n, si = 0, 0
    for r in range(min(f.rows.values()) - 1, max(f.rows.values()) + 1):
        first = f.ws.cell(r, 1).value
        if r in f.rows.values():
            label = str(f.ws.cell(r, f.lcol).value or "")
            if "Trong đó" in label or label.startswith(("-", "+")):
                f.ws.cell(r, 1).value = "-" if style == "dot" else None
            else:
                n += 1
                f.ws.cell(r, 1).value = model.stt(n, style)
        elif isinstance(first, str) and len(first) == 1:
            num, title = model.section_title(si, [s for s, _ in model.sections()][si], sections)
            f.ws.cell(r, 1).value = num
            f.ws.cell(r, f.lcol).value = title
            si += 1


def add_rows(f: Form, rng: random.Random) -> None:
    """An invented indicator inside section B and a 'Ghi chú' row after the table."""
    after = f.rows["tt_luot_cmhs"] + 1
    insert_rows(f, after, 1)
    f.ws.cell(after, f.lcol).value = rng.choice(tables.INVENTED)
    f.ws.cell(after, f.vcol).value = rng.randint(3, 40)
    last = max(f.rows.values()) + 1
    insert_rows(f, last, 2)
    f.ws.cell(last + 1, 1).value = "Ghi chú:"
    f.ws.cell(last + 1, f.lcol).value = "Số liệu tính từ ngày 15/12/2023 đến ngày 14/6/2024; 03 trường chưa báo cáo."


def notes_with_numbers(f: Form, rng: random.Random) -> None:
    for code in rng.sample(sorted(f.rows), 4):
        f.ws.cell(f.rows[code], f.vcol + 1).value = rng.choice(tables.NOTES[4:])


def merge_cells(f: Form, rng: random.Random) -> None:
    """Label merged over the unit column (units typed into the label), value merged with the note."""
    unprotect(f)
    for code in rng.sample(sorted(f.rows), 6):
        r = f.rows[code]
        unit = f.ws.cell(r, f.lcol + 1).value
        f.ws.cell(r, f.lcol).value = f"{f.ws.cell(r, f.lcol).value} ({unit})"
        f.ws.cell(r, f.lcol + 1).value = None
        f.ws.merge_cells(start_row=r, start_column=f.lcol, end_row=r, end_column=f.lcol + 1)
    for code in rng.sample(sorted(f.rows), 3):
        r = f.rows[code]
        f.ws.cell(r, f.vcol + 1).value = None
        f.ws.merge_cells(start_row=r, start_column=f.vcol, end_row=r, end_column=f.vcol + 1)


def formulas(f: Form, truth: dict, cache: bool) -> set[str]:
    """The injury total as the sum of its breakdown, the pupils reached as a typed sum. Returns
    the codes whose cell holds a formula (without a cache: the figure is not in the file)."""
    col = get_column_letter(f.vcol)
    out = set()
    if truth["tntt_so_tre"] is not None:
        truth["tntt_so_tre"] = truth["tntt_duoi_nuoc"] + truth["tntt_giao_thong"]
        ref = f"{col}{f.rows['tntt_so_tre']}"
        f.ws[ref] = f"={col}{f.rows['tntt_duoi_nuoc']}+{col}{f.rows['tntt_giao_thong']}"
        f.cached[ref] = truth["tntt_so_tre"] if cache else None
        out.add("tntt_so_tre")
    n = truth["tt_luot_hs"]
    if n:
        a = n // 3
        ref = f"{col}{f.rows['tt_luot_hs']}"
        f.ws[ref] = f"={a}+{n - a}"
        f.cached[ref] = n if cache else None
        out.add("tt_luot_hs")
    return out


def extra_value_col(f: Form, rng: random.Random, truth: dict, kind: str) -> None:
    """A second figures column. kind 'est' (annual estimate right of the 6-month figure),
    'prev' (last year left of it), 'plan' (plan left, 'Thực hiện' = the figure, a percentage)."""
    unprotect(f)
    header_row = min(f.rows.values()) - 2
    while f.ws.cell(header_row, f.vcol).value not in ("Số liệu",) and header_row > 1:
        header_row -= 1
    if kind == "est":
        insert_cols(f, f.vcol + 1, 1)
        f.ws.cell(header_row, f.vcol).value = "6 tháng đầu năm 2024"
        f.ws.cell(header_row, f.vcol + 1).value = "Ước thực hiện cả năm 2024"
        other = f.vcol + 1
    else:
        insert_cols(f, f.vcol, 1)
        other = f.vcol - 1
        f.ws.cell(header_row, other).value = "Cùng kỳ năm 2023" if kind == "prev" else "Kế hoạch năm 2024"
        f.ws.cell(header_row, f.vcol).value = "6 tháng đầu năm 2024" if kind == "prev" else "Thực hiện"
        if kind == "plan":
            insert_cols(f, f.vcol + 1, 1)
            f.ws.cell(header_row, f.vcol + 1).value = "Tỷ lệ (%)"
    for code, r in f.rows.items():
        base = int(truth[code]) if truth[code] else rng.randint(0, 20)
        value = {"est": base * 2 + rng.randint(0, 4), "prev": max(0, base + rng.randint(-5, 6)),
                 "plan": max(1, int(base * rng.uniform(1.5, 2.5)))}[kind]
        f.ws.cell(r, other).value = value
        if kind == "plan":
            f.ws.cell(r, f.vcol + 1).value = round(base / value * 100, 1)
