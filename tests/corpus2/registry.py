"""The corpus' units (tests/corpus2/units.csv) and how people actually write their names."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from parsers.text import strip_diacritics

UNITS_CSV = Path(__file__).with_name("units.csv")
DIVISION = "trunghoc@binhphuoc.edu.vn"


@dataclass(frozen=True)
class U:
    code: str
    name: str
    kind: str
    district: str
    emails: tuple[str, ...]

    @property
    def email(self) -> str:
        return self.emails[0]

    @property
    def core(self) -> str:
        """The name without the kind words: 'Lộc Ninh', 'Quang Trung', 'Đăng Hà'."""
        for prefix in ("Phòng Giáo dục và Đào tạo thành phố ", "Phòng Giáo dục và Đào tạo thị xã ",
                       "Phòng Giáo dục và Đào tạo huyện ", "Trường THPT chuyên ", "Trường THPT ",
                       "Trường THCS và THPT ", "Trung tâm GDNN-GDTX huyện "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name

    def short(self, style: int = 0) -> str:
        """A short name a secretary would type; `style` picks among the usual variants."""
        c = self.core
        table = {
            "pgd": [f"PGDĐT {c}", f"Phòng GD&ĐT {c}", f"PGD {c}", f"Phòng GDĐT {c}"],
            "thpt": [f"THPT {c}", f"Trường THPT {c}", f"C3 {c}", f"THPT {c}"],
            "thcs_thpt": [f"THCS&THPT {c}", f"Trường THCS-THPT {c}", f"THCS và THPT {c}", f"THCS, THPT {c}"],
            "gdnn_gdtx": [f"TT GDNN-GDTX {c}", f"TTGDNN-GDTX {c}", f"Trung tâm GDNN - GDTX {c}", f"TT GDNN GDTX {c}"],
        }
        if self.code.startswith("THPT_") and "chuyên" in self.name:
            return [f"THPT chuyên {c}", f"Chuyên {c}", f"Trường chuyên {c}", f"THPT Chuyên {c}"][style % 4]
        if self.code == "DTNT_TINH":
            return ["PT DTNT tỉnh", "Trường PT DTNT THPT tỉnh", "DTNT tỉnh", "Trường Dân tộc nội trú tỉnh"][style % 4]
        if self.code == "DTNT_BGM":
            return ["DTNT Bù Gia Mập", "PT DTNT THCS&THPT Bù Gia Mập", "Trường DTNT Bù Gia Mập", "DTNT Bù Gia Mập"][style % 4]
        if self.code == "GDTX_TINH":
            return ["TT GDTX tỉnh", "Trung tâm GDTX tỉnh", "TT GDTX tỉnh Bình Phước", "TT GDTX tỉnh"][style % 4]
        return table[self.kind][style % 4]

    def ascii_short(self, style: int = 0) -> str:
        return strip_diacritics(self.short(style))

    def letterhead(self) -> tuple[str, str]:
        """The two lines at the top left of an administrative document (Decree 30/2020)."""
        if self.kind == "pgd":
            level = "THÀNH PHỐ" if self.code == "PGDDT_DX" else "THỊ XÃ" if self.code in ("PGDDT_BL", "PGDDT_PL", "PGDDT_CT") else "HUYỆN"
            return f"UBND {level} {self.district.upper()}", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"
        if self.kind == "thcs":
            return f"PHÒNG GD&ĐT {self.district.upper()}", self.name.upper()
        return "SỞ GD&ĐT BÌNH PHƯỚC", self.name.upper()

    @property
    def place(self) -> str:
        return self.district


def load(path: Path = UNITS_CSV) -> dict[str, U]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: U(row["code"], row["name"], row["kind"], row["district"],
                               tuple(e for e in row["emails"].split(";") if e))
                for row in csv.DictReader(fh)}
