"""The form as units fill it: indicators, the ways units word them, plausible figures, and how a
figure is written in a cell (with what a careful human reader would take from it)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

# code, section letter, canonical label, unit of measure, other wordings units use
INDICATORS: list[tuple[str, str, str, str, list[str]]] = [
    ("tre_em_tong", "A", "Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học", "người",
     ["Tổng số trẻ em đang theo học (học sinh dưới 16 tuổi)", "Tổng số học sinh dưới 16 tuổi",
      "Tổng số trẻ em (HS dưới 16 tuổi) đang học tại đơn vị"]),
    ("tre_hcdb", "A", "Số trẻ em có hoàn cảnh đặc biệt", "người",
     ["Trẻ em có hoàn cảnh đặc biệt", "Số học sinh có hoàn cảnh đặc biệt",
      "Số trẻ em có hoàn cảnh đặc biệt đang theo học"]),
    ("tt_so_buoi", "B", "Số buổi tuyên truyền, truyền thông về bảo vệ, chăm sóc trẻ em", "buổi",
     ["Số buổi tuyên truyền", "Số buổi tuyên truyền, truyền thông về công tác bảo vệ, chăm sóc trẻ em",
      "Số buổi tuyên truyền về bảo vệ, chăm sóc trẻ em"]),
    ("tt_luot_hs", "B", "Số lượt học sinh tham gia tuyên truyền", "lượt",
     ["Số lượt HS tham gia tuyên truyền", "Số lượt học sinh tham gia các buổi tuyên truyền",
      "Lượt học sinh tham gia tuyên truyền"]),
    ("tt_luot_cmhs", "B", "Số lượt cha mẹ học sinh tham gia tuyên truyền", "lượt",
     ["Số lượt CMHS tham gia tuyên truyền", "Số lượt phụ huynh tham gia tuyên truyền",
      "Lượt cha mẹ học sinh tham gia tuyên truyền"]),
    ("th_so_lop", "C", "Số lớp tập huấn, bồi dưỡng", "lớp",
     ["Số lớp tập huấn", "Số lớp tập huấn, bồi dưỡng đã tổ chức", "Số lớp bồi dưỡng, tập huấn"]),
    ("th_luot_cbgvnv", "C", "Số lượt cán bộ quản lý, giáo viên, nhân viên được tập huấn", "lượt",
     ["Số lượt CBQL, GV, NV được tập huấn", "Lượt cán bộ, giáo viên, nhân viên được tập huấn",
      "Số lượt cán bộ quản lý, giáo viên, nhân viên tham gia tập huấn"]),
    ("bl_so_vu", "D", "Số vụ bạo lực học đường", "vụ",
     ["Số vụ bạo lực", "Số vụ việc bạo lực học đường"]),
    ("xh_so_tre", "D", "Số trẻ em bị xâm hại", "người",
     ["Trẻ em bị xâm hại", "Số trẻ bị xâm hại"]),
    ("xh_tinh_duc", "D", "Trong đó: bị xâm hại tình dục", "người",
     ["- Trong đó: bị xâm hại tình dục", "Trong đó: số trẻ em bị xâm hại tình dục", "+ Bị xâm hại tình dục"]),
    ("tntt_so_tre", "D", "Số trẻ em bị tai nạn thương tích", "người",
     ["Trẻ em bị tai nạn thương tích", "Số trẻ bị tai nạn thương tích"]),
    ("tntt_duoi_nuoc", "D", "Trong đó: đuối nước", "người",
     ["- Trong đó: đuối nước", "+ Đuối nước", "Trong đó: số trẻ em bị đuối nước"]),
    ("tntt_duoi_nuoc_tu_vong", "D", "Trong đó: tử vong do đuối nước", "người",
     ["+ Tử vong do đuối nước", "- Trong đó: tử vong do đuối nước", "Trong đó: số trẻ em tử vong do đuối nước"]),
    ("tntt_giao_thong", "D", "Trong đó: tai nạn giao thông", "người",
     ["- Trong đó: tai nạn giao thông", "+ Tai nạn giao thông", "Trong đó: số trẻ em bị tai nạn giao thông"]),
    ("ld_trai_pl", "D", "Số trẻ em lao động trái quy định của pháp luật", "người",
     ["Trẻ em lao động trái quy định", "Số trẻ em lao động trái quy định pháp luật"]),
    ("ht_can_thiep", "D", "Số trẻ em được hỗ trợ, can thiệp", "người",
     ["Số trẻ được hỗ trợ can thiệp", "Trẻ em được hỗ trợ, can thiệp"]),
    ("hs_hoc_boi", "E", "Số học sinh được học bơi, kỹ năng an toàn trong môi trường nước", "người",
     ["Số học sinh được học bơi", "Số học sinh được học bơi, kỹ năng phòng, chống đuối nước"]),
    ("thd_so_hoat_dong", "E", "Số hoạt động hưởng ứng Tháng hành động vì trẻ em", "hoạt động",
     ["Hoạt động hưởng ứng Tháng hành động vì trẻ em", "Số hoạt động hưởng ứng Tháng hành động vì trẻ em năm 2024"]),
    ("trung_thu_so_tre", "E", "Số trẻ em được tặng quà dịp Tết Trung thu", "người",
     ["Số trẻ em được tặng quà Trung thu", "Trẻ em được tặng quà Tết Trung thu"]),
    ("dd_so_dien_dan", "E", "Số diễn đàn trẻ em được tổ chức", "diễn đàn",
     ["Số diễn đàn trẻ em", "Số diễn đàn trẻ em đã tổ chức"]),
    ("dd_luot_tre", "E", "Số lượt trẻ em tham gia diễn đàn", "lượt",
     ["Lượt trẻ em tham gia diễn đàn", "Số lượt trẻ tham gia diễn đàn"]),
]
CODES = [i[0] for i in INDICATORS]
BY_CODE = {i[0]: i for i in INDICATORS}
# blocks that move together when a unit reorders its form ("Trong đó" rows stay under their row)
BLOCKS = [["tre_em_tong"], ["tre_hcdb"], ["tt_so_buoi"], ["tt_luot_hs"], ["tt_luot_cmhs"], ["th_so_lop"],
          ["th_luot_cbgvnv"], ["bl_so_vu"], ["xh_so_tre", "xh_tinh_duc"],
          ["tntt_so_tre", "tntt_duoi_nuoc", "tntt_duoi_nuoc_tu_vong", "tntt_giao_thong"],
          ["ld_trai_pl"], ["ht_can_thiep"], ["hs_hoc_boi"], ["thd_so_hoat_dong"], ["trung_thu_so_tre"],
          ["dd_so_dien_dan"], ["dd_luot_tre"]]

SECTIONS = {
    "A": ["A. Quy mô", "I. QUY MÔ", "A. QUY MÔ TRẺ EM", "I. Số liệu chung về trẻ em"],
    "B": ["B. Tuyên truyền", "II. CÔNG TÁC TUYÊN TRUYỀN", "B. Công tác tuyên truyền, truyền thông",
          "II. Tuyên truyền, truyền thông"],
    "C": ["C. Tập huấn", "III. TẬP HUẤN, BỒI DƯỠNG", "C. Công tác tập huấn, bồi dưỡng", "III. Tập huấn"],
    "D": ["D. Vụ việc", "IV. VỤ VIỆC", "D. Tình hình trẻ em bị bạo lực, xâm hại, tai nạn thương tích",
          "IV. Các vụ việc liên quan đến trẻ em"],
    "E": ["E. Hoạt động", "V. CÁC HOẠT ĐỘNG", "E. Các hoạt động vì trẻ em", "V. Hoạt động"],
}
LONG_SECTIONS = {
    "A": "A. QUY MÔ TRẺ EM, HỌC SINH DƯỚI 16 TUỔI ĐANG THEO HỌC TẠI ĐƠN VỊ VÀ TRẺ EM CÓ HOÀN CẢNH ĐẶC BIỆT",
    "B": "B. CÔNG TÁC TUYÊN TRUYỀN, TRUYỀN THÔNG VỀ BẢO VỆ, CHĂM SÓC TRẺ EM VÀ ĐƯỜNG DÂY NÓNG 111",
    "C": "C. CÔNG TÁC TẬP HUẤN, BỒI DƯỠNG CHO CÁN BỘ QUẢN LÝ, GIÁO VIÊN, NHÂN VIÊN",
    "D": "D. TÌNH HÌNH TRẺ EM BỊ BẠO LỰC, XÂM HẠI, TAI NẠN THƯƠNG TÍCH, LAO ĐỘNG TRÁI QUY ĐỊNH",
    "E": "E. CÁC HOẠT ĐỘNG HƯỞNG ỨNG THÁNG HÀNH ĐỘNG, TẾT TRUNG THU, DIỄN ĐÀN TRẺ EM",
}
ROMAN = {"A": "I", "B": "II", "C": "III", "D": "IV", "E": "V"}
PERIOD_LABEL = {"2024S1": "6 tháng đầu năm 2024", "2024": "năm 2024"}

SIZE = {  # unit kind -> scale of its figures
    "pgd": 40.0, "thpt": 1.0, "ptdtnt": 0.6, "gdnn-gdtx": 0.3,
}


def gen_values(rng: random.Random, kind: str, s1: dict[str, int] | None = None) -> dict[str, int]:
    """Plausible figures for one unit: the 6-month ones, or (given them) the year's."""
    k = SIZE.get(kind, 1.0)

    def r(lo: float, hi: float) -> int:
        return int(rng.uniform(lo * k, hi * k))

    def small(lo: int, hi: int, zero_p: float = 0.55) -> int:
        if rng.random() < zero_p * (0.4 if k > 5 else 1.0):
            return 0
        return rng.randint(lo, max(lo, int(hi * min(k ** 0.5, 2.5))))

    if s1 is None:
        v = {
            "tre_em_tong": r(300, 720) if kind != "pgd" else rng.randint(14000, 46000),
            "tt_so_buoi": max(1, r(4, 16)), "tt_luot_hs": r(800, 3600), "tt_luot_cmhs": 0,
            "th_so_lop": max(1, r(1, 4)) if kind != "pgd" else rng.randint(4, 18),
            "th_luot_cbgvnv": max(3, r(35, 120)),
            "bl_so_vu": small(1, 2), "xh_so_tre": small(1, 2, 0.7), "tntt_so_tre": small(1, 6, 0.35),
            "ld_trai_pl": small(1, 2, 0.85), "hs_hoc_boi": r(0, 420), "thd_so_hoat_dong": max(1, r(2, 9)),
            "trung_thu_so_tre": 0, "dd_so_dien_dan": small(1, 2, 0.4),
        }
        v["tt_luot_cmhs"] = int(v["tt_luot_hs"] * rng.uniform(0.15, 0.6))
        v["tre_hcdb"] = max(1, int(v["tre_em_tong"] * rng.uniform(0.008, 0.04)))
        v["xh_tinh_duc"] = rng.randint(0, v["xh_so_tre"])
        v["tntt_duoi_nuoc"] = rng.randint(0, (v["tntt_so_tre"] + 1) // 2) if v["tntt_so_tre"] else 0
        v["tntt_duoi_nuoc_tu_vong"] = rng.randint(0, v["tntt_duoi_nuoc"]) if rng.random() < 0.3 else 0
        v["tntt_giao_thong"] = rng.randint(0, v["tntt_so_tre"] - v["tntt_duoi_nuoc"])
        v["ht_can_thiep"] = v["xh_so_tre"] + v["bl_so_vu"] + rng.randint(0, max(1, int(3 * k ** 0.5)))
        v["dd_luot_tre"] = v["dd_so_dien_dan"] * rng.randint(60, 160) if v["dd_so_dien_dan"] else 0
        return {c: v[c] for c in CODES}
    v = dict(s1)
    v["tre_em_tong"] = int(s1["tre_em_tong"] * rng.uniform(0.95, 1.06))
    v["tre_hcdb"] = max(1, int(v["tre_em_tong"] * rng.uniform(0.008, 0.04)))
    for c in ("tt_so_buoi", "th_so_lop", "thd_so_hoat_dong"):
        v[c] = s1[c] + rng.randint(1, max(1, s1[c]))
    for c in ("tt_luot_hs", "tt_luot_cmhs", "th_luot_cbgvnv", "hs_hoc_boi"):
        v[c] = s1[c] + int(s1[c] * rng.uniform(0.3, 0.9)) + rng.randint(1, 40)
    for c in ("bl_so_vu", "xh_so_tre", "tntt_so_tre", "ld_trai_pl"):
        v[c] = s1[c] + (small(1, 2, 0.6) if c != "tntt_so_tre" else small(1, 4, 0.3))
    v["xh_tinh_duc"] = s1["xh_tinh_duc"] + rng.randint(0, v["xh_so_tre"] - s1["xh_so_tre"])
    v["tntt_duoi_nuoc"] = s1["tntt_duoi_nuoc"] + rng.randint(0, v["tntt_so_tre"] - s1["tntt_so_tre"])
    v["tntt_duoi_nuoc_tu_vong"] = s1["tntt_duoi_nuoc_tu_vong"]
    v["tntt_giao_thong"] = s1["tntt_giao_thong"] + rng.randint(
        0, max(0, (v["tntt_so_tre"] - v["tntt_duoi_nuoc"]) - s1["tntt_giao_thong"]))
    v["ht_can_thiep"] = max(s1["ht_can_thiep"], v["xh_so_tre"] + v["bl_so_vu"]) + rng.randint(0, 2)
    v["trung_thu_so_tre"] = r(60, 320) if kind != "pgd" else rng.randint(3000, 15000)
    v["dd_so_dien_dan"] = s1["dd_so_dien_dan"] + rng.randint(0, 2)
    v["dd_luot_tre"] = s1["dd_luot_tre"] + (v["dd_so_dien_dan"] - s1["dd_so_dien_dan"]) * rng.randint(60, 160)
    return {c: v[c] for c in CODES}


def other_values(rng: random.Random, v: dict[str, int]) -> dict[str, int]:
    """Last year's (or the other period's) figures: the same shape, different wherever possible."""
    out = {}
    for c, x in v.items():
        if x >= 20:
            y = int(x * rng.uniform(0.6, 0.92))
        elif x >= 2:
            y = x - rng.randint(1, x - 1) if rng.random() < 0.6 else x + rng.randint(1, 3)
        else:
            y = x + rng.randint(1, 2)
        out[c] = y
    # keep the "Trong đó" rows consistent
    out["xh_tinh_duc"] = min(out["xh_tinh_duc"], out["xh_so_tre"])
    out["tntt_duoi_nuoc"] = min(out["tntt_duoi_nuoc"], out["tntt_so_tre"])
    out["tntt_duoi_nuoc_tu_vong"] = min(out["tntt_duoi_nuoc_tu_vong"], out["tntt_duoi_nuoc"])
    out["tntt_giao_thong"] = min(out["tntt_giao_thong"], out["tntt_so_tre"] - out["tntt_duoi_nuoc"])
    return out


def vn_thousands(n: int, sep: str = ".") -> str:
    s = f"{n:,}"
    return s.replace(",", sep)


@dataclass
class Formula:
    expr: str
    cached: Any


@dataclass
class Written:
    """What goes in the cell, and what a careful reader takes from it."""
    cell: Any
    kind: str          # "req": this number; "opt": this number or nothing; "none": no number; "unk": unscored
    value: int | None
    trait: str = "plain"
    label: str = ""


def write_value(rng: random.Random, v: int, habits: dict[str, float], fmt: str, unit: str = "người") -> Written:
    """How a unit writes the figure v, given its habits (trait -> probability)."""
    spread = fmt in ("xlsx", "xls")

    def p(name: str) -> bool:
        return rng.random() < habits.get(name, 0.0)

    if v == 0:
        if p("dash"):
            return Written("-", "req", 0, "dash")
        if p("khong"):
            return Written(rng.choice(["không", "Không", "không có"]), "req", 0, "khong")
        if p("zero_blank"):  # a blank is "not reported", never 0
            return Written(None, "none", None, "blank")
        return Written(0 if spread else "0", "req", 0, "plain")
    if v >= 1000:
        if p("thousands_space"):
            return Written(vn_thousands(v, " "), "req", v, "thousands_space")
        if p("thousands_comma"):
            return Written(vn_thousands(v, ","), "req", v, "thousands_comma")
        if spread and p("thousands_dot"):
            return Written(vn_thousands(v, "."), "req", v, "thousands_dot_text")
        if not spread:
            return Written(vn_thousands(v, "."), "req", v, "plain")
    if p("with_unit"):
        word = "em" if unit == "người" and rng.random() < 0.6 else unit
        num = vn_thousands(v) if v >= 1000 else (f"{v:02d}" if v < 10 else str(v))
        return Written(f"{num} {word}", "req", v, "with_unit")
    if spread and p("text_number"):
        return Written(rng.choice([f"{v}", f" {v} ", f"{v:02d}" if v < 10 else f"{v}"]), "req", v, "text_number")
    if not spread and v < 10 and p("leading_zero"):
        return Written(f"{v:02d}", "req", v, "leading_zero")
    return Written(v if spread else str(v), "req", v, "plain")


@dataclass
class Row:
    kind: str                     # "sec", "ind"
    text: str                     # section title or label
    code: str | None = None
    unit: str = ""
    cells: dict[str, Any] = field(default_factory=dict)   # column key -> cell content
    stt: str = ""
    note: str = ""
    hidden: bool = False


@dataclass
class Table:
    columns: list[tuple[str, str]]          # (key, header)
    rows: list[Row]
    header2: list[str | None] | None = None  # a second header row (None: merged with the one above)
    merges: list[tuple[int, str, int, int]] = field(default_factory=list)  # (row index, column key, rows, cols)
