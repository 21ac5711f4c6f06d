"""What a unit writes: the true figures, how it types them into a cell, how it retypes a label.

Everything takes a seeded `random.Random`, so the corpus is the same on every run. The ranges and
habits come from the domain (a district office reports thousands of pupils, a school hundreds;
section D is mostly zeros; the Mid-Autumn gifts fall outside the 6-month period).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from parsers.text import strip_diacritics

ROOT = Path(__file__).resolve().parents[2]
PERIOD_LABEL = "6 tháng đầu năm 2024"
SUBJECT = "Báo cáo công tác trẻ em 6 tháng đầu năm 2024"


@dataclass(frozen=True)
class CorpusFile:
    """One attachment and what a careful clerk would read out of it."""
    name: str
    data: bytes
    kind: str                                   # score group: xlsx, xls, docx, pdf, narrative, hostile
    truth: dict[str, float | None]              # indicator -> number, None = left blank
    edits: str                                  # what the unit did to the form, for the miss table
    optional: frozenset[str] = frozenset()      # a miss is fine, a stored number must still be right
    unit: str = ""                              # unit code of the sender (one file per unit per batch)


@lru_cache(maxsize=1)
def report():
    """The 'cttre' report of the example configuration (the form units really receive)."""
    from store.config import load
    cfg = load(ROOT / "config.example.toml")
    return cfg, next(r for r in cfg.reports if r.code == "cttre")


def indicators():
    return report()[1].indicators


# (low, high, probability of a blank) per indicator, for a school; district offices x8
RANGES = {
    "tre_em_tong": (600, 2400, 0.0), "tre_hcdb": (0, 40, 0.05), "tt_so_buoi": (2, 30, 0.0),
    "tt_luot_hs": (300, 2400, 0.03), "tt_luot_cmhs": (40, 900, 0.1), "th_so_lop": (0, 6, 0.08),
    "th_luot_cbgvnv": (15, 160, 0.08), "bl_so_vu": (0, 2, 0.05), "xh_so_tre": (0, 2, 0.05),
    "tntt_so_tre": (0, 6, 0.05), "ld_trai_pl": (0, 1, 0.1), "ht_can_thiep": (0, 20, 0.1),
    "hs_hoc_boi": (0, 900, 0.1), "thd_so_hoat_dong": (1, 15, 0.05), "trung_thu_so_tre": (0, 600, 0.6),
    "dd_so_dien_dan": (0, 3, 0.1), "dd_luot_tre": (40, 600, 0.1),
}
SCALED = {"tre_em_tong", "tre_hcdb", "tt_so_buoi", "tt_luot_hs", "tt_luot_cmhs", "th_luot_cbgvnv",
          "hs_hoc_boi", "trung_thu_so_tre", "dd_luot_tre"}


def true_values(rng: random.Random, district: bool) -> dict[str, float | None]:
    """A consistent set of figures: sub-rows never exceed their totals, zeros where nothing happened."""
    t: dict[str, float | None] = {}
    for code, (lo, hi, blank) in RANGES.items():
        scale = 8 if district and code in SCALED else 1
        t[code] = None if rng.random() < blank else rng.randint(lo * scale, hi * scale)
    if rng.random() < 0.5:
        t["tre_em_tong"] = rng.randint(1000, 30000) if district else t["tre_em_tong"]
    t["xh_tinh_duc"] = None if t["xh_so_tre"] is None else rng.randint(0, int(t["xh_so_tre"]))
    total = t["tntt_so_tre"]
    if total is None:
        t["tntt_duoi_nuoc"] = t["tntt_duoi_nuoc_tu_vong"] = t["tntt_giao_thong"] = None
    else:
        t["tntt_duoi_nuoc"] = rng.randint(0, int(total))
        t["tntt_duoi_nuoc_tu_vong"] = rng.randint(0, int(t["tntt_duoi_nuoc"]))
        t["tntt_giao_thong"] = rng.randint(0, int(total - t["tntt_duoi_nuoc"]))
    if t["dd_so_dien_dan"] == 0:
        t["dd_luot_tre"] = 0
    return {ind.code: t[ind.code] for ind in indicators()}


def vn(n: float) -> str:
    """3250 -> '3.250', the way Vietnamese write thousands."""
    return f"{int(n):,}".replace(",", ".")


ZERO_WORDS = ("0", "-", "không", "Không", "không có", "0", "0")


def typed(rng: random.Random, n: float | None, unit: str, habit: str) -> object:
    """The cell content for a true figure. habit: 'int' (a number cell), 'text' (typed as text,
    Vietnamese thousands, sometimes with the unit word or a zero word), 'plain' (text digits)."""
    if n is None:
        return rng.choice(("", "", None)) if habit != "int" else None
    if habit == "int":
        return int(n)
    if n == 0:
        return rng.choice(ZERO_WORDS) if habit == "text" else "0"
    s = vn(n) if habit == "text" else str(int(n))
    if habit == "text" and rng.random() < 0.2:
        word = {"người": "em", "lượt": "lượt", "buổi": "buổi", "lớp": "lớp", "vụ": "vụ"}.get(unit)
        if word:
            s = f"{s} {word}"
    return s


RETYPED = {
    "tre_em_tong": ["Tổng số trẻ em đang theo học", "Tổng số học sinh dưới 16 tuổi đang theo học",
                    "Tổng số trẻ em (HS dưới 16 tuổi)"],
    "tre_hcdb": ["Trẻ em có hoàn cảnh đặc biệt", "Số trẻ em có hoàn cảnh đặc biệt khó khăn"],
    "tt_so_buoi": ["Số buổi tuyên truyền về bảo vệ, chăm sóc trẻ em", "Số buổi tuyên truyền, truyền thông"],
    "tt_luot_hs": ["Số lượt học sinh tham gia", "Lượt học sinh tham gia tuyên truyền"],
    "tt_luot_cmhs": ["Số lượt phụ huynh tham gia tuyên truyền", "Lượt cha mẹ học sinh tham gia"],
    "th_so_lop": ["Số lớp tập huấn", "Số lớp tập huấn, bồi dưỡng cho CBQL, GV"],
    "th_luot_cbgvnv": ["Số lượt CBQL, GV, NV được tập huấn", "Lượt cán bộ, giáo viên, nhân viên được tập huấn"],
    "bl_so_vu": ["Số vụ bạo lực học đường xảy ra", "Bạo lực học đường (số vụ)"],
    "xh_so_tre": ["Số trẻ em bị xâm hại", "Trẻ em bị xâm hại"],
    "xh_tinh_duc": ["- Trong đó: bị xâm hại tình dục", "+ Bị xâm hại tình dục"],
    "tntt_so_tre": ["Số trẻ em bị tai nạn thương tích (TNTT)", "Trẻ em bị tai nạn thương tích"],
    "tntt_duoi_nuoc": ["- Trong đó: đuối nước", "+ Đuối nước"],
    "tntt_duoi_nuoc_tu_vong": ["- Trong đó: tử vong do đuối nước", "+ Tử vong do đuối nước"],
    "tntt_giao_thong": ["- Trong đó: tai nạn giao thông", "+ Tai nạn giao thông"],
    "ld_trai_pl": ["Số trẻ em lao động trái quy định", "Trẻ em lao động trái quy định của pháp luật"],
    "ht_can_thiep": ["Số trẻ em được hỗ trợ, can thiệp kịp thời", "Trẻ em được hỗ trợ, can thiệp"],
    "hs_hoc_boi": ["Số học sinh được học bơi", "Số HS được học bơi, kỹ năng an toàn trong môi trường nước"],
    "thd_so_hoat_dong": ["Số hoạt động hưởng ứng Tháng hành động vì trẻ em năm 2024",
                         "Hoạt động hưởng ứng Tháng hành động vì trẻ em"],
    "trung_thu_so_tre": ["Số trẻ em được tặng quà Trung thu", "Trẻ em được tặng quà dịp Tết Trung thu"],
    "dd_so_dien_dan": ["Số diễn đàn trẻ em", "Số diễn đàn trẻ em đã tổ chức"],
    "dd_luot_tre": ["Số lượt trẻ em tham gia diễn đàn", "Lượt trẻ em tham gia diễn đàn trẻ em"],
}


def label(rng: random.Random, ind, mode: str) -> str:
    """'exact' (as in the form), 'retyped' (small wording changes), 'ascii' (no diacritics),
    'mixed' (each row one of those)."""
    if mode == "mixed":
        mode = rng.choice(("exact", "retyped", "retyped", "ascii"))
    text = ind.label if mode in ("exact", "ascii") else rng.choice(RETYPED[ind.code])
    if mode == "ascii":
        text = strip_diacritics(text)
    return text


def sections() -> list[tuple[str, list]]:
    """[(section, [indicators])] in form order."""
    out: list[tuple[str, list]] = []
    for ind in indicators():
        if not out or out[-1][0] != ind.section:
            out.append((ind.section, []))
        out[-1][1].append(ind)
    return out


ROMAN = ("I", "II", "III", "IV", "V", "VI")


def section_title(i: int, section: str, style: str) -> tuple[str, str]:
    """(STT cell, title) of a section row: 'A' / 'I.' / '' numbering, title in caps or not."""
    letter, _, name = section.partition(". ")
    if style == "roman":
        return f"{ROMAN[i]}.", name.upper()
    if style == "none":
        return "", f"{ROMAN[i]}. {name}"
    return letter, name


def stt(i: int, style: str) -> str | int:
    """Row numbering: 1, '1.', 'a)' or '-'."""
    return {"int": i, "dot": f"{i}.", "alpha": f"{'abcdefghijklmnopqrstuvwxyz'[(i - 1) % 26]})",
            "dash": "-"}.get(style, i)
