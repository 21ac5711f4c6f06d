"""How a unit lays its report out: the table (columns, wording, sections, order, habits) and the
document around it (letterhead, title, period line, narrative, signature)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .forms import (BLOCKS, BY_CODE, LONG_SECTIONS, PERIOD_LABEL, ROMAN, SECTIONS, Row, Table,
                    Written, vn_thousands, write_value)
from .writers import P, Pair, Para

HEADERS = {"stt": "STT", "code": "Mã chỉ tiêu", "label": "Chỉ tiêu", "dvt": "Đơn vị tính",
           "val": "Số liệu", "note": "Ghi chú"}


@dataclass
class Unit:
    code: str
    name: str
    kind: str
    district: str
    email: str
    aliases: list[str]

    @property
    def short(self) -> str:
        n = self.name
        for a, b in (("Trường ", ""), ("Phòng Giáo dục và Đào tạo ", "Phòng GDĐT "),
                     ("Trung tâm ", "TT ")):
            if n.startswith(a):
                return b + n[len(a):]
        return n

    @property
    def district_kind(self) -> str:
        return {"Đồng Xoài": "thành phố", "Bình Long": "thị xã", "Phước Long": "thị xã",
                "Chơn Thành": "thị xã"}.get(self.district, "huyện")

    def letterhead(self) -> tuple[str, str]:
        if self.kind == "pgd":
            return f"UBND {self.district_kind.upper()} {self.district.upper()}", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"
        if self.kind == "gdnn-gdtx" and "tỉnh" not in self.name:
            return f"UBND {self.district_kind.upper()} {self.district.upper()}", self.name.upper()
        return "SỞ GDĐT BÌNH PHƯỚC", self.name.upper()

    def symbol(self) -> str:
        words = [w for w in self.short.replace("-", " ").split() if w]
        initials = "".join(w[0] for w in words[1:]).upper()
        from unicodedata import normalize
        initials = normalize("NFD", initials).encode("ascii", "ignore").decode()
        head = {"pgd": "PGDĐT", "thpt": "THPT", "ptdtnt": "PTDTNT", "gdnn-gdtx": "TTGDNN"}.get(self.kind, "")
        return head + initials.replace("GDĐT", "")


@dataclass
class Layout:
    cols: list[str] = field(default_factory=lambda: ["stt", "label", "dvt", "val", "note"])
    headers: dict[str, str] = field(default_factory=dict)
    extra_vals: list[tuple[str, str]] = field(default_factory=list)   # other value columns (key, header)
    label_style: str = "varied"          # canonical, varied
    section_style: str = "short"         # short, roman, long, none
    stt_style: str = "arabic"            # arabic, roman, none
    reorder: bool = False
    habits: dict[str, float] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    notes: dict[str, str] = field(default_factory=dict)
    hidden_stale: set[str] = field(default_factory=set)   # a hidden row with an old figure above the row


def section_title(rng: random.Random, letter: str, style: str) -> str:
    if style == "long":
        return LONG_SECTIONS[letter]
    opts = SECTIONS[letter]
    if style == "roman":
        return rng.choice([o for o in opts if o.split(".")[0] in ROMAN.values()])
    return rng.choice([o for o in opts if o.split(".")[0] == letter])


def strip_prefix(title: str) -> str:
    head, _, rest = title.partition(". ")
    return rest if rest and (head in ROMAN.values() or head in "ABCDE") else title


def make_table(rng: random.Random, lay: Layout, colvals: dict[str, dict[str, int]], fmt: str,
               expected: str = "val") -> tuple[Table, dict[str, Written], dict[str, list[int]]]:
    """The unit's table. colvals: value column key -> figures. Returns the table, what a reader
    takes from the expected column, and the figures of the other columns (decoys)."""
    columns: list[tuple[str, str]] = []
    extra = dict(lay.extra_vals)
    for k in lay.cols:
        if k in extra:
            columns.append((k, extra[k]))
        elif k == "val":
            columns.append(("val", lay.headers.get("val", HEADERS["val"])))
            columns.extend((ek, eh) for ek, eh in lay.extra_vals if ek not in lay.cols)
        else:
            columns.append((k, lay.headers.get(k, HEADERS[k])))
    blocks = [list(b) for b in BLOCKS]
    by_sec: dict[str, list[list[str]]] = {}
    for b in blocks:
        by_sec.setdefault(BY_CODE[b[0]][1], []).append(b)
    letters = list("ABCDE")
    if lay.reorder:
        rest = letters[1:]
        rng.shuffle(rest)
        letters = [letters[0]] + rest
        for L in letters:
            rng.shuffle(by_sec[L])
    rows: list[Row] = []
    truth: dict[str, Written] = {}
    decoys: dict[str, list[int]] = {}
    val_keys = ["val"] + [k for k, _ in lay.extra_vals]
    sub_style = rng.choice(["", "-", "dotted", "abc"])   # how this unit numbers its "Trong đó" rows
    for si, L in enumerate(letters):
        if lay.section_style != "none":
            title = section_title(rng, L, lay.section_style)
            if lay.stt_style == "roman":
                rows.append(Row("sec", strip_prefix(title) if lay.section_style != "long" else title,
                                stt=ROMAN[L]))
            elif lay.stt_style == "arabic" and "stt" in lay.cols:
                rows.append(Row("sec", strip_prefix(title), stt=L))
            else:
                rows.append(Row("sec", title))
        n = 0
        for b in by_sec[L]:
            for j, code in enumerate(b):
                if code in lay.drop:
                    truth[code] = Written(None, "none", None, "dropped")
                    continue
                _, _, canon, unit, variants = BY_CODE[code]
                label = canon if lay.label_style == "canonical" or rng.random() < 0.45 else rng.choice(variants)
                if j == 0:
                    n += 1
                    stt = str(n)
                else:
                    stt = {"": "", "-": "-", "dotted": f"{n}.{j}", "abc": "abcd"[j - 1]}[sub_style] \
                        if lay.stt_style != "none" else ""
                cells: dict[str, Any] = {}
                for vk in val_keys:
                    v = colvals[vk].get(code)
                    if not isinstance(v, int):     # a ratio, a difference, a note: written as it is
                        cells[vk] = v
                        continue
                    w = write_value(rng, v, lay.habits if vk == expected else
                                    {k: x for k, x in lay.habits.items() if k in ("dash", "thousands_space")},
                                    fmt, unit)
                    cells[vk] = w.cell
                    w.label = label
                    if vk == expected:
                        truth[code] = w
                    else:
                        decoys.setdefault(code, []).append(v)
                if code in lay.hidden_stale:
                    stale = max(0, colvals[expected][code] + rng.choice([-3, -2, 2, 5, 11]))
                    hrow = Row("ind", label, code=code, unit=unit, cells={expected: stale}, stt=stt, hidden=True)
                    rows.append(hrow)
                    decoys.setdefault(code, []).append(stale)
                    truth[code].trait = "hidden_row"
                rows.append(Row("ind", label, code=code, unit=unit, cells=cells,
                                stt=stt if lay.stt_style != "none" else "", note=lay.notes.get(code, "")))
    return Table(columns, rows), truth, decoys


# ---------------------------------------------------------------- the document around the table
def vn_date(d: Any) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}" if d.month <= 2 else \
        f"ngày {d.day:02d} tháng {d.month} năm {d.year}"


def period_line(period: str, rng: random.Random) -> str:
    if period == "2024S1":
        return rng.choice(["Kỳ báo cáo: 6 tháng đầu năm 2024",
                           "(Số liệu tính từ ngày 15/12/2023 đến ngày 14/6/2024)",
                           "Kỳ báo cáo: 6 tháng đầu năm 2024 (từ 15/12/2023 đến 14/6/2024)"])
    return rng.choice(["Kỳ báo cáo: Năm 2024", "(Số liệu tính từ ngày 15/12/2023 đến ngày 14/12/2024)",
                       "Kỳ báo cáo: năm 2024 (từ 15/12/2023 đến 14/12/2024)"])


def report_title(period: str, rng: random.Random) -> str:
    lab = PERIOD_LABEL[period]
    if period == "2024S1":
        return rng.choice([f"Kết quả thực hiện công tác trẻ em {lab}",
                           f"Sơ kết công tác bảo vệ, chăm sóc trẻ em {lab}",
                           f"Công tác trẻ em {lab}"])
    return rng.choice([f"Kết quả thực hiện công tác trẻ em {lab}",
                       f"Tổng kết công tác bảo vệ, chăm sóc trẻ em {lab}",
                       f"Công tác trẻ em {lab}"])


def letterhead_blocks(u: Unit, period: str, when: Any, rng: random.Random, legacy: str | None = None,
                      number: int | None = None) -> list[Any]:
    parent, own = u.letterhead()
    number = number or rng.randrange(12, 240)
    return [
        Pair(P(parent, legacy, align="center", size=12), P("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", legacy,
                                                            bold=True, align="center", size=12)),
        Pair(P(own, legacy, bold=True, align="center", size=12), P("Độc lập - Tự do - Hạnh phúc", legacy,
                                                                    bold=True, align="center")),
        Pair(P(f"Số: {number}/BC-{u.symbol()}", legacy, align="center"),
             P(f"{u.district}, {vn_date(when)}", legacy, italic=True, align="center")),
        P("BÁO CÁO", legacy, bold=True, align="center", size=14),
        P(report_title(period, rng), legacy, bold=True, align="center"),
    ]


def template_title(u: Unit, period: str, rng: random.Random, legacy: str | None = None) -> list[Any]:
    return [P(f"Đơn vị: {u.name}", legacy, bold=True),
            P("BÁO CÁO CÔNG TÁC TRẺ EM", legacy, bold=True, align="center", size=14),
            P(period_line(period, rng) if rng.random() < 0.5 else f"Kỳ báo cáo: {PERIOD_LABEL[period]}",
              legacy, align="center"),
            P("", None)]


def narrative(u: Unit, period: str, v: dict[str, int], rng: random.Random, legacy: str | None = None,
              with_figures: bool = True) -> list[Para]:
    """The text part of a Word report. Figures in it, when any, are the table's own."""
    lab = PERIOD_LABEL[period]
    who = "Nhà trường" if u.kind in ("thpt", "ptdtnt") else ("Phòng GDĐT" if u.kind == "pgd" else "Trung tâm")
    paras = [P("Kính gửi: Sở Giáo dục và Đào tạo Bình Phước.", legacy, align="center"),
             P(f"Thực hiện Kế hoạch triển khai công tác trẻ em trong ngành Giáo dục năm 2024 của Sở Giáo dục "
               f"và Đào tạo, {u.name} báo cáo kết quả thực hiện công tác trẻ em {lab} như sau:", legacy,
               align="justify"),
             P("I. KẾT QUẢ THỰC HIỆN", legacy, bold=True)]
    if with_figures:
        def n(x: int) -> str:
            return vn_thousands(x) if x >= 1000 else (f"{x:02d}" if x < 10 else str(x))
        paras.append(P(
            f"1. Công tác tuyên truyền: {who.lower() if who != 'Phòng GDĐT' else 'Phòng GDĐT'} đã tổ chức "
            f"{n(v['tt_so_buoi'])} buổi tuyên truyền về Luật Trẻ em năm 2016, Tổng đài quốc gia bảo vệ trẻ em 111 "
            f"với {n(v['tt_luot_hs'])} lượt học sinh tham gia.", legacy, align="justify"))
        paras.append(P(
            f"2. Công tác tập huấn: tổ chức {n(v['th_so_lop'])} lớp tập huấn cho cán bộ quản lý, giáo viên, "
            f"nhân viên.", legacy, align="justify"))
    else:
        paras.append(P(f"1. {who} tiếp tục quán triệt, triển khai các văn bản chỉ đạo của các cấp về công tác "
                       f"bảo vệ, chăm sóc trẻ em; lồng ghép nội dung tuyên truyền trong các buổi sinh hoạt dưới cờ, "
                       f"sinh hoạt lớp.", legacy, align="justify"))
        paras.append(P("2. Duy trì hoạt động của tổ tư vấn tâm lý học đường, hộp thư góp ý; phối hợp với chính "
                       "quyền địa phương, công an xã trong công tác đảm bảo an ninh trật tự trường học.", legacy,
                       align="justify"))
    paras.append(P("II. SỐ LIỆU CỤ THỂ", legacy, bold=True))
    paras.append(P("(Chi tiết theo biểu dưới đây)", legacy, italic=True))
    return paras


def closing(u: Unit, rng: random.Random, legacy: str | None = None) -> list[Any]:
    head = {"pgd": "TRƯỞNG PHÒNG", "thpt": "HIỆU TRƯỞNG", "ptdtnt": "HIỆU TRƯỞNG",
            "gdnn-gdtx": "GIÁM ĐỐC"}.get(u.kind, "THỦ TRƯỞNG ĐƠN VỊ")
    signer = rng.choice(["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Minh Tuấn", "Phạm Thị Thu Hà", "Hoàng Văn Nam",
                         "Đỗ Thị Lan", "Vũ Đức Thắng", "Bùi Thị Hồng", "Đặng Quốc Việt", "Ngô Thị Bích Ngọc"])
    return [P("", None),
            Pair(P("Nơi nhận:", legacy, bold=True, italic=True, size=12), P(head, legacy, bold=True, align="center")),
            Pair(P("- Sở GDĐT (Phòng GDTrH);", legacy, size=11), P("", None)),
            Pair(P("- Lưu: VT.", legacy, size=11), P(signer, legacy, bold=True, align="center"))]
