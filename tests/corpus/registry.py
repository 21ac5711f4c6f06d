"""The corpus's own units registry (tests/corpus/units.csv) and how people write unit names.

Independent of units.example.csv on purpose: other codes, other addresses, some other units
(a unit that opened mid-2024, one that closed before 2024), aliases only where a real registry
would carry them.
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

from parsers.text import strip_diacritics

CSV_PATH = Path(__file__).resolve().parent / "units.csv"
DISTRICT_END = "2025-06-30"


@dataclass(frozen=True)
class U:
    code: str
    kind: str          # pgd, thpt, th3 (THCS&THPT), dtnt, tt
    place: str         # what follows the kind word: "Lộc Ninh", "chuyên Quang Trung"
    district: str
    name: str
    emails: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    active_from: str = ""
    active_to: str = ""


_ADMIN = {"Đồng Xoài": "thành phố", "Bình Long": "thị xã", "Phước Long": "thị xã", "Chơn Thành": "thị xã"}


def _pgd(code: str, place: str, mail: str, aliases: tuple[str, ...] = ()) -> U:
    level = _ADMIN.get(place, "huyện")
    return U(code, "pgd", place, place, f"Phòng Giáo dục và Đào tạo {level} {place}", (mail,), aliases,
             active_to=DISTRICT_END)


def _thpt(code: str, place: str, district: str, *mails: str, aliases: tuple[str, ...] = (), **kw: str) -> U:
    return U(code, "thpt", place, district, f"Trường THPT {place}", mails, aliases, **kw)


def _tt(code: str, place: str, mail: str, aliases: tuple[str, ...] = ()) -> U:
    return U(code, "tt", place, place,
             f"Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện {place}", (mail,), aliases)


UNITS: list[U] = [
    _pgd("BP01", "Đồng Xoài", "pgd.dongxoai@binhphuoc.edu.vn", ("Phòng GD&ĐT Đồng Xoài",)),
    _pgd("BP02", "Bình Long", "pgd.binhlong@binhphuoc.edu.vn"),
    _pgd("BP03", "Phước Long", "pgd.phuoclong@binhphuoc.edu.vn"),
    _pgd("BP04", "Chơn Thành", "phonggd.chonthanh@binhphuoc.edu.vn"),
    _pgd("BP05", "Bù Đăng", "pgd.budang@binhphuoc.edu.vn", ("PGDĐT Bù Đăng",)),
    _pgd("BP06", "Bù Đốp", "pgd.budop@binhphuoc.edu.vn"),
    _pgd("BP07", "Bù Gia Mập", "pgd.bugiamap@binhphuoc.edu.vn"),
    _pgd("BP08", "Đồng Phú", "pgd.dongphu@binhphuoc.edu.vn"),
    _pgd("BP09", "Hớn Quản", "pgd.honquan@binhphuoc.edu.vn"),
    _pgd("BP10", "Lộc Ninh", "pgd.locninh@binhphuoc.edu.vn", ("Phòng GD&ĐT Lộc Ninh",)),
    _pgd("BP11", "Phú Riềng", "pgd.phurieng@binhphuoc.edu.vn"),
    _thpt("S101", "chuyên Quang Trung", "Đồng Xoài", "c3chuyenquangtrung@binhphuoc.edu.vn",
          aliases=("Chuyên Quang Trung",)),
    _thpt("S102", "chuyên Bình Long", "Bình Long", "c3chuyenbinhlong@binhphuoc.edu.vn"),
    _thpt("S103", "Hùng Vương", "Đồng Xoài", "c3hungvuong@binhphuoc.edu.vn"),
    _thpt("S104", "Đồng Xoài", "Đồng Xoài", "c3dongxoai@binhphuoc.edu.vn"),
    _thpt("S105", "Nguyễn Du", "Đồng Xoài", "c3nguyendu@binhphuoc.edu.vn"),
    _thpt("S106", "Bình Long", "Bình Long", "c3binhlong@binhphuoc.edu.vn"),
    _thpt("S107", "Nguyễn Huệ", "Bình Long", "c3nguyenhue@binhphuoc.edu.vn"),
    _thpt("S108", "Phước Long", "Phước Long", "c3phuoclong@binhphuoc.edu.vn", "vanthu.c3phuoclong@binhphuoc.edu.vn"),
    _thpt("S109", "Phước Bình", "Phước Long", "c3phuocbinh@binhphuoc.edu.vn"),
    _thpt("S110", "Chơn Thành", "Chơn Thành", "c3chonthanh@binhphuoc.edu.vn"),
    _thpt("S111", "Chu Văn An", "Chơn Thành", "c3chuvanan@binhphuoc.edu.vn"),
    _thpt("S112", "Đồng Phú", "Đồng Phú", "c3dongphu@binhphuoc.edu.vn"),
    _thpt("S113", "Lộc Ninh", "Lộc Ninh", "c3locninh@binhphuoc.edu.vn", "thpt.locninh@binhphuoc.edu.vn"),
    _thpt("S114", "Lộc Thái", "Lộc Ninh", "c3locthai@binhphuoc.edu.vn"),
    _thpt("S115", "Lộc Hiệp", "Lộc Ninh", "c3lochiep@binhphuoc.edu.vn"),
    _thpt("S116", "Bù Đăng", "Bù Đăng", "c3budang@binhphuoc.edu.vn"),
    _thpt("S117", "Lê Quý Đôn", "Bù Đăng", "c3lequydon@binhphuoc.edu.vn"),
    _thpt("S118", "Thống Nhất", "Bù Đăng", "c3thongnhat@binhphuoc.edu.vn"),
    _thpt("S119", "Bù Đốp", "Bù Đốp", "c3budop@binhphuoc.edu.vn"),
    _thpt("S120", "Thanh Hòa", "Bù Đốp", "c3thanhhoa@binhphuoc.edu.vn"),
    _thpt("S121", "Đa Kia", "Bù Gia Mập", "c3dakia@binhphuoc.edu.vn"),
    _thpt("S122", "Phú Riềng", "Phú Riềng", "c3phurieng@binhphuoc.edu.vn"),
    _thpt("S123", "Trần Phú", "Hớn Quản", "c3tranphu@binhphuoc.edu.vn"),
    U("S124", "th3", "Đăng Hà", "Bù Đăng", "Trường THCS và THPT Đăng Hà", ("c23dangha@binhphuoc.edu.vn",),
      ("THCS&THPT Đăng Hà",)),
    U("S125", "th3", "Đắk Ơ", "Bù Gia Mập", "Trường THCS và THPT Đắk Ơ", ("c23dako@binhphuoc.edu.vn",)),
    U("S126", "th3", "Võ Thị Sáu", "Phú Riềng", "Trường THCS và THPT Võ Thị Sáu", ("c23vothisau@binhphuoc.edu.vn",)),
    U("S127", "th3", "Tân Tiến", "Đồng Phú", "Trường THCS và THPT Tân Tiến", ("c23tantien@binhphuoc.edu.vn",),
      active_from="2024-08-15"),
    U("S128", "dtnt", "tỉnh", "Đồng Xoài", "Trường Phổ thông Dân tộc nội trú THPT tỉnh Bình Phước",
      ("ptdtnt.tinh@binhphuoc.edu.vn",), ("PT DTNT tỉnh", "Trường PT DTNT THPT tỉnh")),
    U("S129", "dtnt", "Bù Gia Mập", "Bù Gia Mập", "Trường Phổ thông Dân tộc nội trú THCS và THPT Bù Gia Mập",
      ("ptdtnt.bugiamap@binhphuoc.edu.vn",)),
    _tt("T201", "Đồng Phú", "ttgdnn-gdtx.dongphu@binhphuoc.edu.vn", ("TT GDNN-GDTX Đồng Phú",)),
    _tt("T202", "Bù Đăng", "ttgdnn-gdtx.budang@binhphuoc.edu.vn"),
    _tt("T203", "Lộc Ninh", "ttgdnn-gdtx.locninh@binhphuoc.edu.vn", ("TT GDNN-GDTX Lộc Ninh",)),
    _tt("T204", "Bù Đốp", "ttgdnn-gdtx.budop@binhphuoc.edu.vn"),
    _tt("T205", "Hớn Quản", "ttgdnn-gdtx.honquan@binhphuoc.edu.vn"),
    _tt("T206", "Bù Gia Mập", "ttgdnn-gdtx.bugiamap@binhphuoc.edu.vn"),
    _tt("T207", "Phú Riềng", "ttgdnn-gdtx.phurieng@binhphuoc.edu.vn"),
    _tt("T208", "Chơn Thành", "ttgdnn-gdtx.chonthanh@binhphuoc.edu.vn"),
    U("T209", "tt", "tỉnh", "Đồng Xoài", "Trung tâm Giáo dục thường xuyên tỉnh Bình Phước",
      ("ttgdtx.tinh@binhphuoc.edu.vn",), active_to="2023-12-31"),
]
BY_CODE = {u.code: u for u in UNITS}


def units_csv_text() -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["code", "name", "kind", "district", "emails", "aliases", "reports", "active_from", "active_to"])
    kinds = {"pgd": "pgd", "thpt": "thpt", "th3": "thcs-thpt", "dtnt": "ptdtnt", "tt": "gdnn-gdtx"}
    for u in UNITS:
        w.writerow([u.code, u.name, kinds[u.kind], u.district, ";".join(u.emails), ";".join(u.aliases), "",
                    u.active_from, u.active_to])
    return out.getvalue()


def ascii_token(text: str) -> str:
    """'Lộc Ninh' -> 'LocNinh', as people name files."""
    return "".join(w[:1].upper() + w[1:] for w in strip_diacritics(text).replace("đ", "d").replace("Đ", "D").split())


def spoken(u: U, rng: random.Random) -> str:
    """How someone writing a mail names the unit (never the registry's exact wording only)."""
    p = u.place
    forms = {
        "pgd": [f"Phòng GD&ĐT {p}", f"PGD {p}", f"Phòng GDĐT {p}", f"PGDĐT {p}", u.name, f"Phòng Giáo dục {p}"],
        "thpt": [f"THPT {p}", f"Trường THPT {p}", f"trường THPT {p}"],
        "th3": [f"THCS&THPT {p}", f"Trường THCS và THPT {p}", f"Trường THCS-THPT {p}"],
        "dtnt": ([f"PT DTNT {p}", f"Trường PT DTNT THPT {p}", "DTNT tỉnh"] if p == "tỉnh"
                 else [f"PT DTNT THCS&THPT {p}", f"Trường PTDTNT THCS và THPT {p}"]),
        "tt": [f"TT GDNN-GDTX {p}", f"Trung tâm GDNN-GDTX {p}", f"TTGDNN-GDTX huyện {p}", f"Trung tâm GDNN - GDTX huyện {p}"],
    }[u.kind]
    return rng.choice(forms)


def file_token(u: U) -> str:
    prefix = {"pgd": "PGD", "thpt": "THPT", "th3": "THCS-THPT", "dtnt": "DTNT", "tt": "TTGDNN-GDTX"}[u.kind]
    return f"{prefix}_{ascii_token(u.place)}"


def check_csv() -> bool:
    """True when tests/corpus/units.csv is what this module says (the CSV is generated from it)."""
    return CSV_PATH.read_text(encoding="utf-8") == units_csv_text()
