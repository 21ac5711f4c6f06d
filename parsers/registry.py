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
import importlib
from dataclasses import dataclass
from typing import Iterator

from parsers import archives, isolate as _isolate
from parsers.archives import DEFAULT_LIMITS, SEP, Budget, Limits, clean_name
from parsers.depth import FULL, Reading
from parsers.detect import ARCHIVE_TYPES, detect
from parsers.mime import parse_message
from parsers.isolate import Parser, call_parser, problem_report
from store.domain import Report
from store.records import FileProblem, ParsedReport

__all__ = ["parse_attachment", "register", "parser_for", "Limits", "DEFAULT_LIMITS", "parse_text", "BODY_NAME"]

BODY_NAME = "nội dung thư"      # display name of a mail or winmail.dat body: shown to clerks
NOT_READABLE = "format not readable here"
_CONTAINER_WORDS = {"tnef": "winmail.dat", "eml": "attached mail"}

_UNREADABLE: dict[str, tuple[str, str]] = {
    "empty": ("empty file (0 bytes)", ""),
    "encrypted-ooxml": ("encrypted (password-protected)", "an Office file protected by a password"),
    "unknown": (NOT_READABLE, "the file type was not recognised"),
}


# ---------------------------------------------------------------- formats: kind -> the module reading it

# Each format module declares the kinds it reads (`KINDS`) and one `parse(filename, data, report)`;
# this table is the one place that maps a detected kind to it (a test checks the two agree).
# Modules are imported when first needed: a worker process imports only the formats it reads.
FORMATS: dict[str, str] = {
    "xlsx": "parsers.xlsx", "xls": "parsers.sheet", "ods": "parsers.sheet", "docx": "parsers.docx",
    "pdf": "parsers.pdf", "doc": "parsers.doc", "text": "parsers.plaintext", "csv": "parsers.plaintext",
    "image": "parsers.image", "html": "parsers.htmlsheet",
}
_OVERRIDES: dict[str, Parser | None] = {}


def register(kind: str, parser: Parser | None) -> Parser | None:
    """Set (or with None, remove) the parser for a detected type; returns the previous one.
    The hook tests use to inject a misbehaving parser."""
    previous = parser_for(kind)
    _OVERRIDES[kind] = parser
    return previous


def parser_for(kind: str) -> Parser | None:
    if kind in _OVERRIDES:
        return _OVERRIDES[kind]
    module = FORMATS.get(kind)
    return getattr(importlib.import_module(module), "parse") if module else None


def parse_text(filename: str, data: bytes, report: Report) -> ParsedReport:
    """Plain text read as narrative (`parsers.plaintext`): also the body of an attached mail."""
    from parsers import plaintext
    return plaintext.parse(filename, data, report)


# ---------------------------------------------------------------- walking containers

@dataclass(frozen=True)
class Leaf:
    name: str
    kind: str
    data: bytes | None = None
    problem: FileProblem | None = None
    note: FileProblem | None = None     # a problem recorded beside what the file gives (archives.Member.note)


def parse_attachment(filename: str, data: bytes, report: Report, *, isolate: bool = True,
                     limits: Limits = DEFAULT_LIMITS, reading: Reading = FULL) -> list[ParsedReport]:
    """One ParsedReport per leaf file of the attachment, each named by its path in containers,
    each read as deep as `reading` asks (`parsers.depth`)."""
    name = clean_name(filename) if filename else "(không tên)"
    try:
        leaves = list(leaves_of(name, data, limits))
    except Exception as err:  # noqa: BLE001 - a bug in a container walk must not lose the mail
        return [problem_report(name, "unknown", "corrupt", f"{type(err).__name__}: {err}"[:300])]
    return [_parse_leaf(leaf, report, isolate, limits, reading) for leaf in leaves]


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
                for leaf in _inner(m.name, m.data, limits, budget):
                    yield dataclasses.replace(leaf, note=m.note) if m.note and leaf.name == m.name else leaf
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
    """The files and the text of a mail attached to a mail, read by the same bounded decoder as
    the mail itself (`parsers.mime`): hostile nesting is cut, not recursed into."""
    try:
        mail = parse_message(raw)
    except Exception as err:  # noqa: BLE001 - malformed MIME from hostile mail
        return [], "", [FileProblem("corrupt", f"attached mail: {type(err).__name__}: {err}"[:300])]
    return [(a.filename, a.data) for a in mail.attachments], mail.body_text, []


# ---------------------------------------------------------------- one leaf

def _parse_leaf(leaf: Leaf, report: Report, isolate: bool, limits: Limits, reading: Reading = FULL) -> ParsedReport:
    if leaf.problem is not None or leaf.data is None:
        return ParsedReport(filename=leaf.name, detected_type=leaf.kind,
                            problems=[leaf.problem or FileProblem("corrupt")])
    parser = parser_for(leaf.kind)
    if parser is None:
        reason, detail = _UNREADABLE.get(leaf.kind, (NOT_READABLE, f"{leaf.kind} files are not read"))
        return problem_report(leaf.name, leaf.kind, reason, detail)
    if isolate:
        result = _isolate.run(parser, leaf.name, leaf.data, report, kind=leaf.kind,
                              timeout_s=limits.timeout_s, memory_mb=limits.memory_mb,
                              wall_s=limits.wall_s, reading=reading)
    else:
        result = _in_process(parser, leaf, report, limits, reading)
    result.filename = leaf.name
    result.detected_type = result.detected_type or leaf.kind
    if leaf.note is not None:
        result.problems.append(leaf.note)
    return result


def _in_process(parser: Parser, leaf: Leaf, report: Report, limits: Limits, reading: Reading = FULL) -> ParsedReport:
    try:
        return call_parser(parser, leaf.name, leaf.data or b"", report, leaf.kind, reading)
    except MemoryError:
        return problem_report(leaf.name, leaf.kind, f"memory limit ({limits.memory_mb} MB)")
