"""Plain text and .csv: decoded (legacy Vietnamese encodings fixed) and read as narrative."""
from __future__ import annotations

from parsers import legacy, narrative
from store.config import Report
from store.records import ParsedReport

KINDS = ("text", "csv")


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    text = legacy.decode_bytes(data)
    values = narrative.extract(text, report, filename)
    return ParsedReport(filename=filename, detected_type="text", values=list(values), text=text)
