"""A unit's own table, format-independent: header rows, section rows, indicator rows, extras.

Writers (writers.py) turn it into .xlsx / .xls / .docx / .pdf. The other columns people add
(plan, last year, a percentage, the annual estimate, notes with numbers in them) carry numbers
that are NOT the figures of the period: a parser that reads them produces wrong values.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.filecorpus import model

HEADERS = {
    "stt": ("STT", "TT", "STT"),
    "code": ("Mã chỉ tiêu", "Mã"),
    "label": ("Chỉ tiêu", "Nội dung", "Nội dung báo cáo", "Nội dung công việc"),
    "unit": ("Đơn vị tính", "ĐVT", "Đơn vị"),
    "value": ("Số liệu", "Số lượng", "Kết quả", "Kết quả thực hiện"),
    "note": ("Ghi chú",),
    "plan": ("Kế hoạch năm 2024", "Kế hoạch"),
    "done": ("Thực hiện", "Thực hiện 6 tháng"),
    "pct": ("Tỷ lệ (%)", "Tỷ lệ %"),
    "prev": ("Cùng kỳ năm 2023", "6 tháng đầu năm 2023"),
    "cur": ("6 tháng đầu năm 2024", "6 tháng năm 2024"),
    "est": ("Ước thực hiện cả năm 2024", "Cả năm 2024 (ước)"),
}
NOTES = ("", "", "", "", "Tăng 12 em so với cùng kỳ", "Trong đó 5 em nữ", "02 lớp cấp huyện",
         "Phối hợp Công an xã", "Đạt 100%", "Số liệu đến 31/5/2024")
INVENTED = ("Số buổi sinh hoạt dưới cờ có lồng ghép tuyên truyền", "Số lượt giáo viên tham gia tuyên truyền",
            "Số trường có phòng tư vấn tâm lý học đường", "Số cuộc thi vẽ tranh về quyền trẻ em",
            "Số học sinh bỏ học")


@dataclass
class Table:
    header: list[list[object]]                      # 1 or 2 header rows
    rows: list[tuple[str, list[object]]]            # ("section" | "item" | "extra", cells)
    header_merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (0-based)
    value_col: int = 0


def build(rng: random.Random, truth: dict, columns: tuple[str, ...], *, labels: str = "exact",
          habit: str = "text", numbering: str = "int", sections: str = "letter", extras: bool = False,
          two_level: bool = False, skip_sections: bool = False) -> Table:
    """The table a unit makes for `truth`. `columns` from HEADERS' keys; the true figures go into
    'value', 'done' or 'cur' (whichever is present)."""
    header = [rng.choice(HEADERS[c]) for c in columns]
    merges: list[tuple[int, int, int, int]] = []
    rows: list[tuple[str, list[object]]] = []
    n = 0
    for si, (section, inds) in enumerate(model.sections()):
        if not skip_sections:
            num, title = model.section_title(si, section, sections)
            rows.append(("section", _section_cells(columns, num, title)))
        for ind in inds:
            sub = ind.label.startswith("Trong đó")
            if not sub:
                n += 1
            rows.append(("item", [_cell(rng, c, ind, truth.get(ind.code), labels, habit, "" if sub else
                                        model.stt(n, numbering)) for c in columns]))
        if extras and si == 1:
            rows.append(("extra", _extra(rng, columns)))
    if extras:
        rows.append(("extra", _section_cells(columns, "", "Ghi chú: số liệu tính đến ngày 31/5/2024, "
                                                          "kèm theo Kế hoạch số 15/KH-THPT")))
    table = Table([header], rows, merges)
    if two_level:
        _two_level(table, columns)
    return table


def _section_cells(columns: tuple[str, ...], num: str, title: str) -> list[object]:
    cells: list[object] = ["" for _ in columns]
    if "stt" in columns:
        cells[columns.index("stt")] = num
    cells[columns.index("label")] = title
    return cells


def _cell(rng: random.Random, col: str, ind, n, labels: str, habit: str, number) -> object:
    if col == "stt":
        return number
    if col == "code":
        return ind.code
    if col == "label":
        return model.label(rng, ind, labels)
    if col == "unit":
        return ind.unit
    if col in ("value", "done", "cur"):
        return model.typed(rng, n, ind.unit, habit)
    if col == "note":
        return rng.choice(NOTES)
    base = int(n) if n else rng.randint(0, 30)
    if col == "plan":
        plan = max(1, int(base * rng.uniform(1.6, 2.4)))
        return plan if habit == "int" else model.vn(plan)
    if col == "pct":
        plan = max(1, int(base * 2))
        pct = round(base / plan * 100, 1)
        return pct if habit == "int" else f"{pct:.1f}".replace(".", ",")
    if col == "prev":
        prev = max(0, base + rng.randint(-base // 3 - 2, base // 3 + 2))
        return prev if habit == "int" else model.vn(prev)
    if col == "est":
        est = base * 2 + rng.randint(0, 5)
        return est if habit == "int" else model.vn(est)
    raise ValueError(col)


def _extra(rng: random.Random, columns: tuple[str, ...]) -> list[object]:
    cells: list[object] = []
    for c in columns:
        cells.append({"stt": "", "code": "", "label": rng.choice(INVENTED), "unit": "buổi",
                      "note": ""}.get(c, rng.randint(3, 40)))
    return cells


def _two_level(table: Table, columns: tuple[str, ...]) -> None:
    """A second header row: the figure columns grouped under one merged 'Kết quả' / 'Số liệu' cell,
    the other headers merged vertically (the usual Word layout)."""
    figs = [i for i, c in enumerate(columns) if c in ("plan", "done", "pct", "prev", "cur", "est", "value")]
    top = list(table.header[0])
    second: list[object] = ["" for _ in columns]
    for i in figs:
        second[i] = top[i]
        top[i] = "Kết quả thực hiện" if i == figs[0] else ""
    table.header = [top, second]
    table.header_merges = [(0, figs[0], 0, figs[-1])] if len(figs) > 1 else []
    for i, _ in enumerate(columns):
        if i not in figs:
            table.header_merges.append((0, i, 1, i))
    if len(figs) == 1:
        table.header_merges.append((0, figs[0], 1, figs[0]))
        table.header[1][figs[0]] = ""
        table.header[0][figs[0]] = second[figs[0]]
