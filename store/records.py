"""The records every parser returns, whatever the file format.

A value carries where it came from (`source`) and how it was read (`method`), so the digest can
point a clerk at the cell, and values read from prose or OCR can be shown as needing a look.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Value:
    """One figure read from a file, with where it was read (the provenance of every value)."""
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
    """What one parser read from one file against one report: values, text, problems."""
    filename: str                       # original name (inside an archive: "bc.zip › a.xlsx")
    detected_type: str                  # "xlsx", "xls", "ods", "docx", "doc", "pdf", "zip", "image", "unknown", ...
    values: list[Value] = field(default_factory=list)
    text: str = ""                      # narrative text, for search and for patterns
    stated_unit: str | None = None      # "Đơn vị: ..." as written in the document
    stated_period: str | None = None    # "Kỳ báo cáo: ..." as written in the document
    warnings: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    deferred: str = ""                  # "ocr": a scan not OCR'd on purpose (`parsers.depth`)

    @property
    def ok(self) -> bool:
        return not self.problems


# Which file wins when several give the same indicator: the spreadsheet over the Word file over
# the PDF (the soft file is what the unit typed; the PDF is the signed scan of it), and within a
# file a table over a sentence over OCR. `v_values` picks the lowest; the intake reads files in
# this order and stops reading tables once nothing later could win (`parsers.depth`).
KIND_RANK = {"xlsx": 0, "xls": 1, "ods": 1, "docx": 2, "doc": 3, "odt": 3, "pdf": 4}
OTHER_RANK = 5
METHOD_RANK = {"table": 0, "text": 10}
OCR_RANK = 20


def value_rank(detected_type: str, method: str) -> int:
    return KIND_RANK.get(detected_type, OTHER_RANK) + METHOD_RANK.get(method, OCR_RANK)


# ---------------------------------------------------------------- one message's outcome

@dataclass(frozen=True)
class FileRead:
    """One attached file as it arrived (name, type, size, hash) and what its parsers read."""
    filename: str
    safe_name: str
    declared_type: str
    size: int
    sha256: str
    reports: tuple[ParsedReport, ...] = ()


@dataclass(frozen=True)
class Failure:
    """Something an admin must look at, at the stage it happened; `filename` when it is one file."""
    stage: str              # fetch | mime | classify | parse | validate | send
    reason: str
    detail: str = ""
    filename: str | None = None


@dataclass(frozen=True)
class Case:
    """An ad-hoc incident a mail reports; a follow-up (same thread, or same unit and category within
    a week) joins the case already recorded instead of opening a second one."""
    unit_code: str | None
    category: str
    occurred_on: dt.date | None
    summary: str
    thread: tuple[str, ...] = ()     # In-Reply-To and References of the mail


@dataclass(frozen=True)
class Outcome:
    """Everything one processing of one message decided, written by the store in ONE transaction:
    the message row's columns (`fields`, status included), its files and their values, its
    failures and its incident. Recorded whole or not at all."""
    message_id: int
    fields: Mapping[str, Any]
    files: tuple[FileRead, ...] = ()
    failures: tuple[Failure, ...] = ()
    case: Case | None = None

    @property
    def status(self) -> str:
        return str(self.fields["status"])


@dataclass
class PollResult:
    """What one poll did: the messages taken from the source and those read and recorded (by
    id), how each ended, and how many were left to read (for a progress bar)."""
    fetched: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    seconds: float = 0.0
    expected: int | None = None       # messages to read (for a progress bar)
    taken: list[int] = field(default_factory=list)       # message ids taken from the source
    processed: list[int] = field(default_factory=list)   # message ids read and recorded
