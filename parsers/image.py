"""Pictures (a photographed or scanned form): OCR (`parsers.ocr`), then read as narrative.

Values read this way are marked method "ocr" so the digest shows them as needing a look.
Without Tesseract and its Vietnamese model the picture is recorded as not readable here.
"""
from __future__ import annotations

import dataclasses
import subprocess

from parsers import depth, narrative, ocr
from parsers.isolate import problem_report
from store.domain import Report
from store.records import ParsedReport

KINDS = ("image",)
NOT_READABLE = "image (a photo or scan) — not readable as a report"
OCR_SECONDS = 50


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    if not depth.current().ocr:
        return ParsedReport(filename=filename, detected_type="image", deferred="ocr",
                            warnings=["a picture, not read by OCR yet"])
    if not ocr.available():
        return problem_report(filename, "image", NOT_READABLE, "no OCR engine (tesseract) installed")
    try:
        text = ocr.read_image(data, timeout=OCR_SECONDS).strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return problem_report(filename, "image", NOT_READABLE, f"OCR failed: {type(exc).__name__}")
    if len(text) < 20:
        return problem_report(filename, "image", NOT_READABLE, "OCR found no text")
    values = [dataclasses.replace(v, method="ocr") for v in narrative.extract(text, report, filename)]
    return ParsedReport(filename=filename, detected_type="image", values=values, text=text,
                        warnings=["read by OCR from an image: check the figures"])
