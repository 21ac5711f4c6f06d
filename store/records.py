"""The records every parser returns, whatever the file format.

A value carries where it came from (`source`) and how it was read (`method`), so the digest can
point a clerk at the cell, and values read from prose or OCR can be shown as needing a look.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Value:
    indicator: str          # indicator code from the report's configuration
    number: float | None    # None = blank / not reported
    raw: str                # the text as the unit wrote it
    source: str             # human-readable location: "bc.xlsx › BaoCao › E12", "bc.docx › bảng 1 › dòng 7"
    method: str = "table"   # "table" | "text" (narrative sentence) | "ocr"


@dataclass(frozen=True)
class FileProblem:
    """A reason a file (or part of it) could not be read, in words an admin can act on."""
    reason: str             # short: "encrypted", "corrupt", "too large", "scanned, no text", "format not readable here", "timeout"
    detail: str = ""


@dataclass
class ParsedReport:
    filename: str                       # original name (inside an archive: "bc.zip › a.xlsx")
    detected_type: str                  # "xlsx", "xls", "ods", "docx", "doc", "pdf", "zip", "image", "unknown", ...
    values: list[Value] = field(default_factory=list)
    text: str = ""                      # narrative text, for search and for patterns
    stated_unit: str | None = None      # "Đơn vị: ..." as written in the document
    stated_period: str | None = None    # "Kỳ báo cáo: ..." as written in the document
    warnings: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems
