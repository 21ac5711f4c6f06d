"""From one attachment to one `ParsedReport` per file in it.

The type is sniffed from the bytes (`parsers.detect`), containers are opened in this process
(archives with their limits, winmail.dat, attached mails), and each leaf file goes to the parser
registered for its type, in a worker process with time and memory limits (`parsers.isolate`).
Nothing is dropped silently: a file no parser can read comes back with a problem that says why,
named like "bc.zip › a.xlsx" so an admin can find it.

Parsers are registered by detected type; `register()` is also the hook tests use to inject a
misbehaving parser. A parser is `parse(filename, data, report) -> ParsedReport`, a module-level
function (workers receive it by reference).
"""
from __future__ import annotations

import dataclasses
import email
import email.policy
import shutil
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Iterator

from parsers import archives, isolate as _isolate
from parsers.archives import DEFAULT_LIMITS, SEP, Budget, Limits, clean_name
from parsers.detect import ARCHIVE_TYPES, detect
from parsers.html import html_text
from parsers.isolate import Parser, call_parser, problem_report
from store.records import FileProblem, ParsedReport

__all__ = ["parse_attachment", "register", "parser_for", "Limits", "DEFAULT_LIMITS", "parse_text", "BODY_NAME"]

BODY_NAME = "nội dung thư"      # display name of a mail or winmail.dat body: shown to clerks
NOT_READABLE = "format not readable here"
_CONTAINER_WORDS = {"tnef": "winmail.dat", "eml": "attached mail"}

_UNREADABLE: dict[str, tuple[str, str]] = {
    "empty": ("empty file (0 bytes)", ""),
    "encrypted-ooxml": ("encrypted (password-protected)", "an Office file protected by a password"),
    "image": ("image (a photo or scan) — not readable as a report", "no OCR engine (tesseract) installed"),
    "unknown": (NOT_READABLE, "the file type was not recognised"),
}


# ---------------------------------------------------------------- parsers by type (lazy imports)

def _xlsx(filename: str, data: bytes, report: object) -> ParsedReport:
    from parsers import xlsx
    return xlsx.parse(filename, data, report)  # type: ignore[arg-type]


def _sheet(filename: str, data: bytes, report: object) -> ParsedReport:
    from parsers import sheet
    return sheet.parse(filename, data, report)  # type: ignore[arg-type]


def _docx(filename: str, data: bytes, report: object) -> ParsedReport:
    from parsers import docx
    return docx.parse(filename, data, report)  # type: ignore[arg-type]


def _pdf(filename: str, data: bytes, report: object) -> ParsedReport:
    from parsers import pdf
    return pdf.parse(filename, data, report)  # type: ignore[arg-type]


def _doc(filename: str, data: bytes, report: object) -> ParsedReport:
    from parsers import doc
    return doc.parse(filename, data, report)  # type: ignore[arg-type]


def parse_text(filename: str, data: bytes, report: object) -> ParsedReport:
    """Plain text (and .csv): decoded, legacy Vietnamese encodings fixed, read as narrative."""
    from parsers import legacy, narrative
    text = legacy.decode_bytes(data)
    values = narrative.extract(text, report, filename)
    return ParsedReport(filename=filename, detected_type="text", values=list(values), text=text)


def _image(filename: str, data: bytes, report: object) -> ParsedReport:
    """OCR with tesseract (Vietnamese model) when installed; values are marked method "ocr"."""
    from parsers import narrative
    if not shutil.which("tesseract"):
        reason, detail = _UNREADABLE["image"]
        return problem_report(filename, "image", reason, detail)
    out = subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie+eng"], input=data,
                         capture_output=True, timeout=50, check=False, preexec_fn=_isolate.die_with_parent)
    text = out.stdout.decode("utf-8", "replace").strip()
    if out.returncode != 0 or len(text) < 20:
        return problem_report(filename, "image", _UNREADABLE["image"][0], "OCR found no text")
    values = [dataclasses.replace(v, method="ocr") for v in narrative.extract(text, report, filename)]
    return ParsedReport(filename=filename, detected_type="image", values=values, text=text,
                        warnings=["read by OCR from an image: check the figures"])


_PARSERS: dict[str, Parser] = {
    "xlsx": _xlsx, "xls": _sheet, "ods": _sheet, "docx": _docx, "pdf": _pdf, "doc": _doc,
    "text": parse_text, "csv": parse_text, "image": _image,
}


def register(kind: str, parser: Parser | None) -> Parser | None:
    """Set (or with None, remove) the parser for a detected type; returns the previous one."""
    previous = _PARSERS.pop(kind, None)
    if parser is not None:
        _PARSERS[kind] = parser
    return previous


def parser_for(kind: str) -> Parser | None:
    return _PARSERS.get(kind)


# ---------------------------------------------------------------- walking containers

@dataclass(frozen=True)
class Leaf:
    name: str
    kind: str
    data: bytes | None = None
    problem: FileProblem | None = None


def parse_attachment(filename: str, data: bytes, report: object, *, isolate: bool = True,
                     limits: Limits = DEFAULT_LIMITS) -> list[ParsedReport]:
    """One ParsedReport per leaf file of the attachment, each named by its path in containers."""
    name = clean_name(filename) if filename else "(không tên)"
    try:
        leaves = list(leaves_of(name, data, limits))
    except Exception as err:  # noqa: BLE001 - a bug in a container walk must not lose the mail
        return [problem_report(name, "unknown", "corrupt", f"{type(err).__name__}: {err}"[:300])]
    return [_parse_leaf(leaf, report, isolate, limits) for leaf in leaves]


def leaves_of(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS, budget: Budget | None = None
              ) -> Iterator[Leaf]:
    """The files inside `data`: archives, winmail.dat and attached mails opened recursively."""
    budget = budget or Budget(limits)
    kind = detect(data, name)
    if kind in ARCHIVE_TYPES:
        for m in archives.members(name, data, limits, depth=name.count(SEP), budget=budget):
            if m.problem is not None or m.data is None:
                yield Leaf(m.name, kind if m.name == name else "unknown", problem=m.problem)
            else:
                yield from _inner(m.name, m.data, limits, budget)
    elif kind in ("tnef", "eml"):
        yield from _container(name, kind, data, limits, budget)
    else:
        yield Leaf(name, kind, data)


def _inner(name: str, data: bytes, limits: Limits, budget: Budget) -> Iterator[Leaf]:
    kind = detect(data, name)
    if kind in ("tnef", "eml"):
        yield from _container(name, kind, data, limits, budget)
    else:
        yield Leaf(name, kind, data)


def _container(name: str, kind: str, data: bytes, limits: Limits, budget: Budget) -> Iterator[Leaf]:
    if name.count(SEP) >= limits.max_depth:
        yield Leaf(name, kind, problem=FileProblem("nested too deep",
                                                   f"containers nested more than {limits.max_depth} levels"))
        return
    if kind == "tnef":
        from parsers import tnef
        files, body, problems = tnef.extract(data)
    else:
        files, body, problems = mail_parts(data)
    for problem in problems:
        yield Leaf(name, kind, problem=problem)
    if body.strip():
        files = [(BODY_NAME, body.encode("utf-8"))] + files
    if not files and not problems:
        yield Leaf(name, kind, problem=FileProblem("nothing inside", f"the {_CONTAINER_WORDS[kind]} holds no file and no text"))
    for inner_name, inner_data in files:
        budget.members += 1
        budget.total_bytes += len(inner_data)
        if budget.members > limits.max_members or budget.total_bytes > limits.max_total_bytes:
            yield Leaf(name, kind, problem=FileProblem("too many files", "the limits of one attachment were passed"))
            return
        yield from leaves_of(f"{name}{SEP}{clean_name(inner_name)}", inner_data, limits, budget)


def mail_parts(raw: bytes) -> tuple[list[tuple[str, bytes]], str, list[FileProblem]]:
    """Attachments (forwarded mails as .eml) and the plain-text body of an attached mail."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        body_part = msg.get_body(preferencelist=("plain", "html"))
        body = body_part.get_content() if body_part is not None else ""
        files = []
        for i, part in enumerate(msg.iter_attachments(), 1):
            files.append(_attachment(part, i))
    except Exception as err:  # noqa: BLE001 - malformed MIME from hostile mail
        return [], "", [FileProblem("corrupt", f"attached mail: {type(err).__name__}: {err}"[:300])]
    if body_part is not None and body_part.get_content_subtype() == "html":
        body = html_text(body)
    return files, body, []


def _attachment(part: EmailMessage, index: int) -> tuple[str, bytes]:
    name = part.get_filename() or f"tệp {index}"
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else inner
        data = inner_msg.as_bytes() if hasattr(inner_msg, "as_bytes") else b""
        return (name if name.lower().endswith(".eml") else f"{name}.eml"), data
    payload = part.get_payload(decode=True)
    return name, payload if isinstance(payload, bytes) else b""


# ---------------------------------------------------------------- one leaf

def _parse_leaf(leaf: Leaf, report: object, isolate: bool, limits: Limits) -> ParsedReport:
    if leaf.problem is not None or leaf.data is None:
        return ParsedReport(filename=leaf.name, detected_type=leaf.kind,
                            problems=[leaf.problem or FileProblem("corrupt")])
    parser = _PARSERS.get(leaf.kind)
    if parser is None:
        reason, detail = _UNREADABLE.get(leaf.kind, (NOT_READABLE, f"{leaf.kind} files are not read"))
        return problem_report(leaf.name, leaf.kind, reason, detail)
    if isolate:
        result = _isolate.run(parser, leaf.name, leaf.data, report, kind=leaf.kind,
                              timeout_s=limits.timeout_s, memory_mb=limits.memory_mb,
                              wall_s=limits.wall_s)
    else:
        result = _in_process(parser, leaf, report, limits)
    result.filename = leaf.name
    result.detected_type = result.detected_type or leaf.kind
    return result


def _in_process(parser: Parser, leaf: Leaf, report: object, limits: Limits) -> ParsedReport:
    try:
        return call_parser(parser, leaf.name, leaf.data or b"", report, leaf.kind)
    except MemoryError:
        return problem_report(leaf.name, leaf.kind, f"memory limit ({limits.memory_mb} MB)")
