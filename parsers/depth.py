"""How much of one file a parser reads: everything, or only what the decision still needs.

The intake reads a mail's files in order of their worth as a source (`store.records.value_rank`:
the spreadsheet the unit typed, then Word, then the PDF, prose and pictures). Once the better
files have given every figure of the form, a later file can no longer change a value the store
shows, so it is read for its evidence only (its text, the unit and period it states), not for
its tables. OCR, the costliest reading by far (tens of seconds for a signed scan), is deferred
altogether: the intake asks for it only when no file of the mail gave a figure.

The reading is set per call by `parsers.isolate.call_parser` (a worker serves one call at a time)
and read by the parsers that can do less: `parsers.pdf` and `parsers.image`. Other formats are
cheap and always read whole.

The reading also carries the period the mail names, decided by the intake on the mail's own
evidence before its files are read (None when only the received date would say): a file that
holds two periods (a sheet, a column or a table per period) is read for that one
(`parsers.periods`).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

from store.domain import Period


@dataclass(frozen=True)
class Reading:
    values: bool = True     # False: text and stated unit/period only (the better files gave every figure)
    ocr: bool = True        # False: a scan is not OCR'd now; the file says so (`ParsedReport.deferred`)
    why: str = ""           # for the file's note: which file made this one unnecessary
    period: Period | None = None   # the period the mail names (decided before its files are read), or None


FULL = Reading()
_current = FULL


def current() -> Reading:
    return _current


@contextlib.contextmanager
def reading(r: Reading) -> Iterator[None]:
    global _current
    previous, _current = _current, r
    try:
        yield
    finally:
        _current = previous
