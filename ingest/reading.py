"""Reading one message: decode it, read its files against the report(s) it may be, decide.

Everything here but `StoreFacts.of` works on data only (the archived bytes, the configuration,
what the store said once per poll), so `read` runs in threads beside the poll, each waiting on
its own parser worker (`parsers.isolate`); `ingest.recording` records what it gives.

Only the work that can decide something is done (`parsers.depth`): the files of a mail are read
in order of their worth as a source, a file whose every figure better files already gave is read
for its evidence only, scans are OCR'd only when no file gave a figure, and the mail's own text is
read as a document only when no file gave one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from ingest import archive, classify
from ingest.decode import DecodeLimits, decode
from parsers import authres, vocabulary
from parsers.bounds import Limits
from parsers.depth import FULL, Reading
from parsers.mime import ParsedMessage, unquoted
from store import messages as store
from store.config import Config
from store.db import Database
from store.domain import Report
from store.records import KIND_RANK, OCR_RANK, OTHER_RANK, FileProblem, FileRead, ParsedReport, value_rank

log = logging.getLogger("baocao.ingest")

IMAGE_TYPES = ("image/",)
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic")


def decode_limits(cfg: Config) -> DecodeLimits:
    i = cfg.intake
    return DecodeLimits(mime=Limits(max_depth=i.max_depth, max_parts=i.max_parts,
                                    max_field=i.max_header_field_bytes),
                        cpu_seconds=i.decode_cpu_seconds, memory_mb=i.decode_memory_mb)


class Stage:
    """The stage one attempt has reached, kept in the store (when given one) so a quarantine can
    name it. A reading in a thread keeps it in memory only: the store is the poll thread's."""

    def __init__(self, db: Database | None = None, message_id: int = 0):
        self.db, self.message_id, self.stage = db, message_id, "mime"

    def reached(self, stage: str) -> None:
        self.stage = stage
        if self.db is not None:
            store.reached(self.db, self.message_id, stage)


@dataclass(frozen=True)
class StoreFacts:
    """What reading a message needs from the store, looked up once per poll in the poll's
    thread: the senders an admin taught (`assign --remember-sender`)."""
    remembered: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, db: Database) -> StoreFacts:
        return cls(store.remembered_senders(db))


@dataclass(frozen=True)
class MailRead:
    """One message read: decoded, its files read against the report(s) it may be, decided."""
    parsed: ParsedMessage
    readings: dict[str, list[FileRead]]
    decision: classify.Decision
    read_all: bool = False
    stage: str = "classify"


class ReadFailed(Exception):
    """An exception while reading, with the stage it reached (the thread's progress)."""

    def __init__(self, stage: str, exc: Exception):
        super().__init__(str(exc))
        self.stage, self.exc = stage, exc


def read(cfg: Config, row: dict[str, Any], raw: bytes | None, facts: StoreFacts, read_all: bool = False,
         progress: Stage | None = None) -> MailRead:
    """Decode the message, read its files, decide: everything but the store, so it can run in a
    thread beside the poll. The files are read against the report the mail is about or, when
    nothing in the mail says which, against every configured report; the decision, made once
    with what the documents say, picks the reading it needs. Raises ReadFailed."""
    progress = progress or Stage()
    try:
        if raw is None:
            raw = archive.load(row["raw_path"])
        parsed = decode(raw, decode_limits(cfg))
        progress.reached("classify")
        ev = _evidence(cfg, facts, row, parsed)
        kind, report, _ = classify.decide_kind(cfg, ev)
        readings: dict[str, list[FileRead]] = {}
        if (parsed.attachments or (kind == "report" and report is not None)) and _worth_parsing(cfg, ev, kind, parsed):
            progress.reached("parse")
            readings = {r.code: parse_attachments(cfg, parsed, r, read_all, _mail_period(r, ev))
                        for r in ([report] if report else cfg.reports)}
            ev = _with_documents(ev, readings)
            progress.reached("classify")
        return MailRead(parsed, readings, classify.decide(cfg, ev), read_all, progress.stage)
    except Exception as exc:
        raise ReadFailed(progress.stage, exc) from exc


def _mail_period(report: Report, ev: Any) -> Any:
    """The period the mail itself names (subject, file names, text), for a file holding two
    (`parsers.periods`); None when only the received date would say."""
    named = classify.named_period(report, ev)
    return None if named is None else next((p for p in report.periods if p.id == named[0]), None)


def _evidence(cfg: Config, facts: StoreFacts, row: dict[str, Any], parsed: ParsedMessage) -> classify.Evidence:
    remembered = facts.remembered
    own = tuple(a for a in (cfg.mailbox.username, cfg.outbox.sender, cfg.organisation.contact) if a)
    return classify.Evidence(
        subject=parsed.subject, from_addr=parsed.from_addr, from_name=parsed.from_name, body=parsed.body_text,
        filenames=tuple(a.filename for a in parsed.attachments),
        received=dt.datetime.fromisoformat(row["received_at"]).astimezone(cfg.timezone),
        automatic=parsed.automatic or ("mailing list" if parsed.list_mail and not parsed.attachments else None),
        forwarded_subjects=tuple(parsed.forwarded_subjects), forwarded_from=tuple(parsed.forwarded_from),
        own_addresses=own, remembered=remembered, from_problem=parsed.from_problem,
        authentication=authres.trusted(parsed.authentication, cfg.mailbox.authserv_id))


def _with_documents(ev: classify.Evidence, readings: dict[str, list[FileRead]]) -> classify.Evidence:
    """What the attached documents add: their stated unit and period, their text, and how many
    figures they give for each report they were read against (the fullest reading says which)."""
    counts = {code: figures_read(files) for code, files in readings.items()}
    best = max(counts, key=lambda code: counts[code]) if counts else None
    reports = [r for f in (readings[best] if best else []) for r in f.reports]
    return dataclasses.replace(
        ev, stated_units=tuple(r.stated_unit for r in reports if r.stated_unit),
        stated_periods=tuple(r.stated_period for r in reports if r.stated_period),
        document_text="\n".join(r.text[:3000] for r in reports if r.text),
        values_found=counts[best] if best else 0, values_report=best if best and counts[best] else None)


def _worth_parsing(cfg: Config, ev: classify.Evidence, kind: str, parsed: ParsedMessage) -> bool:
    """Whether the attachments may decide something. Mail that is not a report or an incident
    keeps its files archived but unread: machine-sent mail, newsletters and mailing lists, and
    mail carrying only pictures (OCR costs tens of seconds) when nothing names a report."""
    if kind != "ignored":
        return True
    if ev.automatic or parsed.list_mail:
        return False
    hint = classify.padded(" ".join((ev.subject, *ev.filenames)))
    document_hint = vocabulary.of(cfg).words("report_name")
    if all(_is_image(att) for att in parsed.attachments) and not any(f" {h} " in hint for h in document_hint):
        return False
    return any(f" {h} " in hint for h in document_hint) or len(classify.fold(ev.subject)) < 25


def _is_image(att: Any) -> bool:
    return att.declared_type.startswith(IMAGE_TYPES) or att.filename.lower().endswith(IMAGE_EXTENSIONS)


def file_read(att: Any, reports: list[ParsedReport] | tuple[ParsedReport, ...] = ()) -> FileRead:
    return FileRead(filename=att.filename, safe_name=att.safe_name, declared_type=att.declared_type,
                    size=len(att.data), sha256=archive.digest(att.data), reports=tuple(reports))


def parse_attachments(cfg: Config, parsed: ParsedMessage, report: Report, read_all: bool = False,
                      period: Any = None) -> list[FileRead]:
    """Every attached file read against one report's form, in a worker with the intake's limits;
    past `[intake] max_files_read` files are archived and listed, not read.

    Only the work that can decide something is done (`parsers.depth`): the files are read in
    order of their worth as a source (`store.records.value_rank`); once the better ones have given
    every figure of the form, a later file is read for its evidence only (it could not change a
    value `v_values` shows); and scans are OCR'd only when no file gave a figure. `read_all`
    (`reprocess --ocr`) reads every file whole."""
    from parsers.archives import Limits as FileLimits
    limits = FileLimits(timeout_s=cfg.intake.parse_cpu_seconds, memory_mb=cfg.intake.parse_memory_mb)
    cap = cfg.intake.max_files_read
    chosen = parsed.attachments[:cap]
    if read_all:
        read = {i: _parse_one(att.filename, att.data, report, limits, Reading(period=period))
                for i, att in enumerate(chosen)}
    else:
        read = _read_by_worth(chosen, report, limits, period)
    out = [file_read(att, read[i]) for i, att in enumerate(chosen)]
    if not figures_read(out) and any(ch.isdigit() for ch in parsed.body_text[:20_000]):
        body = _body_file(parsed, report, limits, period)   # the figures written in the mail itself
        if figures_read([body]):
            out.append(body)
    for att in parsed.attachments[cap:]:  # one worker per file would hold the poll
        out.append(file_read(att, [ParsedReport(att.filename, "unknown", problems=[FileProblem(
            "not read: too many files in one mail", f"only the first {cap} attached files are read "
            "([intake] max_files_read)")])]))
    return out


def _body_file(parsed: ParsedMessage, report: Report, limits: Any, period: Any = None) -> FileRead:
    """The mail's own text read as a document, for a report (or a correction: "điều chỉnh chỉ
    tiêu … thành 15") written in the mail rather than attached. Read only when no file gave a
    figure, so a covering letter never competes with the form."""
    from parsers.registry import BODY_NAME
    data = unquoted(parsed.body_text)[:200_000].encode("utf-8")
    reports = _parse_one(BODY_NAME, data, report, limits, Reading(ocr=False, period=period))
    return FileRead(filename=BODY_NAME, safe_name="", declared_type="text/plain", size=len(data),
                    sha256=archive.digest(data), reports=tuple(reports))


def _read_by_worth(chosen: list[Any], report: Report, limits: Any, period: Any = None) -> dict[int, list[ParsedReport]]:
    codes = {ind.code for ind in report.indicators}
    best: dict[str, int] = {}          # indicator -> the best rank of a figure read so far
    givers: list[str] = []             # the files that gave figures, in reading order
    read: dict[int, list[ParsedReport]] = {}
    worth = [_worth(att) for att in chosen]      # each file's type sniffed once
    for i in sorted(range(len(chosen)), key=lambda i: worth[i]):
        att = chosen[i]
        if codes and givers and all(best.get(c, OCR_RANK * 10) < worth[i] for c in codes):
            reading = Reading(values=False, ocr=False, why=f"{', '.join(givers)} gave every figure of the form",
                              period=period)
        else:
            reading = Reading(ocr=False, period=period)
        read[i] = _parse_one(att.filename, att.data, report, limits, reading)
        gave = False
        for rep in read[i]:
            for v in rep.values:
                if v.number is not None:
                    best[v.indicator] = min(best.get(v.indicator, OCR_RANK * 10), value_rank(rep.detected_type, v.method))
                    gave = True
        if gave:
            givers.append(att.filename)
    for i, reports in read.items():
        if not any(r.deferred == "ocr" for r in reports):
            continue
        if not givers:                 # nothing else gave a figure: the scan is the report
            read[i] = _parse_one(chosen[i].filename, chosen[i].data, report, limits, Reading(period=period))
        else:
            for r in reports:
                if r.deferred == "ocr":
                    r.warnings.append(f"not read by OCR: {', '.join(givers)} gave the figures "
                                      "(`baocao reprocess MESSAGE --ocr` reads it)")
    return read


def _worth(att: Any) -> int:
    """The best rank a figure of this file could have: the order files are read in. Archives and
    attached mails first: what they hold is known only once they are opened."""
    from parsers.detect import ARCHIVE_TYPES, detect
    try:
        kind = detect(att.data, att.filename)
    except Exception:  # noqa: BLE001 - the reading itself will record what is wrong
        return OTHER_RANK
    if kind in ARCHIVE_TYPES or kind in ("tnef", "eml"):
        return 0
    return KIND_RANK.get(kind, OTHER_RANK)


def _parse_one(filename: str, data: bytes, report: Any, limits: Any, reading: Reading = FULL) -> list[ParsedReport]:
    from parsers.registry import parse_attachment
    try:
        return parse_attachment(filename, data, report, limits=limits, reading=reading)
    except Exception as exc:  # the registry should not raise; if it does, the file is a failure, not the poll
        log.exception("parser failed on %s", filename)
        return [ParsedReport(filename, "unknown", problems=[FileProblem("parser crashed", repr(exc)[:300])])]


def figures_read(files: list[FileRead]) -> int:
    return max((len({v.indicator for v in r.values if v.number is not None}) for f in files for r in f.reports),
               default=0)
