"""Narrative reports: the prose a unit writes instead of (or around) a table.

Returns the paragraphs and what a reader takes from them: figures in a sentence that a configured
pattern of config.example.toml plausibly catches are expected; figures for indicators without a
pattern are optional (right if stored, not missed if not). Every other number in the prose
(dates, document numbers, the hotline, percentages) must not become a value.
"""
from __future__ import annotations

import random

from tests.filecorpus import model

OPENING = ("Thực hiện Kế hoạch số 245/KH-SGDĐT ngày 15/01/2024 của Sở Giáo dục và Đào tạo về triển khai "
           "công tác trẻ em trong ngành Giáo dục năm 2024, {unit} báo cáo kết quả thực hiện 6 tháng đầu "
           "năm 2024 như sau:")
CLOSING = ("100% cán bộ, giáo viên được phổ biến Luật Trẻ em năm 2016, Tổng đài điện thoại quốc gia bảo vệ "
           "trẻ em 111 và đường dây nóng 02713.825.825 của tỉnh. Trên đây là báo cáo của đơn vị.")


def _n(rng: random.Random, n: float) -> str:
    return f"{int(n):02d}" if n < 10 and rng.random() < 0.5 else model.vn(n)


def paragraphs(rng: random.Random, truth: dict, unit_name: str) -> tuple[list[str], dict, set[str]]:
    """(paragraphs, figures stated, codes whose figure has no configured pattern)."""
    t, said, optional = truth, {}, set()
    out = [OPENING.format(unit=unit_name), "I. KẾT QUẢ THỰC HIỆN"]

    def say(code: str, patterned: bool = True) -> str:
        said[code] = t[code]
        if not patterned:
            optional.add(code)
        return _n(rng, t[code])

    if t["tre_em_tong"] and t["tre_hcdb"]:
        out.append(f"1. Tình hình chung: toàn đơn vị có {say('tre_em_tong', False)} học sinh dưới 16 tuổi đang "
                   f"theo học, trong đó có {say('tre_hcdb')} em có hoàn cảnh đặc biệt.")
    if t["tt_so_buoi"] and t["tt_luot_hs"]:
        s = (f"2. Công tác tuyên truyền: tổ chức {say('tt_so_buoi')} buổi tuyên truyền về bảo vệ, chăm sóc trẻ em "
             f"với {say('tt_luot_hs')} lượt học sinh tham gia")
        if t["tt_luot_cmhs"]:
            s += f" và {say('tt_luot_cmhs')} lượt cha mẹ học sinh"
        out.append(s + "; lồng ghép trong 35 tiết sinh hoạt lớp.")
    if t["th_so_lop"] and t["th_luot_cbgvnv"]:
        out.append(f"3. Tập huấn: phối hợp tổ chức {say('th_so_lop')} lớp tập huấn cho "
                   f"{say('th_luot_cbgvnv')} lượt cán bộ quản lý, giáo viên, nhân viên.")
    cases = []
    if t["bl_so_vu"]:
        cases.append(f"xảy ra {say('bl_so_vu')} vụ bạo lực học đường, đã được xử lý kịp thời")
    else:
        cases.append("không xảy ra vụ bạo lực học đường")
    if t["tntt_so_tre"]:
        cases.append(f"có {say('tntt_so_tre', False)} trẻ em bị tai nạn thương tích")
    out.append("4. Về vụ việc: trong kỳ " + "; ".join(cases) + ".")
    acts = []
    if t["hs_hoc_boi"]:
        acts.append(f"{say('hs_hoc_boi')} học sinh được học bơi và kỹ năng an toàn trong môi trường nước")
    if t["thd_so_hoat_dong"]:
        acts.append(f"tổ chức {say('thd_so_hoat_dong')} hoạt động hưởng ứng Tháng hành động vì trẻ em năm 2024")
    if t["dd_so_dien_dan"] and t["dd_luot_tre"]:
        acts.append(f"tổ chức {say('dd_so_dien_dan')} diễn đàn trẻ em với {say('dd_luot_tre', False)} lượt trẻ em "
                    f"tham gia")
    if acts:
        out.append("5. Các hoạt động khác: " + "; ".join(acts) + ".")
    out += ["II. ĐÁNH GIÁ CHUNG", CLOSING]
    return out, said, optional
