"""Helpers that put realistic rows into a fresh store, the way the core and the parsers would.

Every helper writes through the tables of store/schema.py and returns the new row id, so tests
read results back through the public views exactly as the acceptance checks do.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from store import config as store_config
from store.config import Config
from store.db import Database, open_store

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_counter = itertools.count(1)


def at(text: str) -> dt.datetime:
    """'2024-06-28 09:15' -> an aware datetime in Asia/Ho_Chi_Minh."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def fresh_store(tmp_path: Path, **changes) -> tuple[Config, Database]:
    """The example configuration with the store, archive and outbox moved into `tmp_path`.

    `changes` replace Config fields (e.g. `reminders=RemindersConfig(...)`, `units=(...)`); `outbox=` takes an
    OutboxConfig; by default the outbox is a folder in tmp_path."""
    base = store_config.load(ROOT / "config.example.toml")
    outbox_cfg = changes.pop("outbox", base.outbox._replace(kind="folder", path=tmp_path / "outbox"))
    cfg = base._replace(store_path=tmp_path / "baocao.sqlite", archive_path=tmp_path / "archive",
                        outbox=outbox_cfg, **changes)
    return cfg, open_store(cfg)


def iso(when: dt.datetime | str) -> str:
    return (at(when) if isinstance(when, str) else when).isoformat(timespec="seconds")


def add_message(db: Database, *, status: str = "report", unit: str | None = None,
                report: str | None = "cttre", period: str | None = "2024S1",
                received_at: dt.datetime | str = "2024-06-20 09:00", from_addr: str = "",
                subject: str = "Báo cáo công tác trẻ em", raw: bytes | None = None,
                raw_path: str | None = None, header_message_id: str | None = None,
                status_why: str | None = None) -> int:
    n = next(_counter)
    raw = raw if raw is not None else f"Subject: {subject}\n\nmail {n}\n".encode()
    return db["messages"].insert({**_as_intake_reads(raw_path),
        "sha256": hashlib.sha256(raw + str(n).encode()).hexdigest(),
        "header_message_id": header_message_id or f"<m{n}@example.edu.vn>",
        "from_addr": from_addr or (f"{unit.lower()}@binhphuoc.edu.vn" if unit else "someone@example.com"),
        "subject": subject, "received_at": iso(received_at), "received_how": "received-header",
        "raw_path": raw_path or f"/nonexistent/{n}.eml", "size": len(raw), "status": status,
        "status_why": status_why, "unit_code": unit, "report_code": report if status == "report" else None,
        "period": period if status == "report" else None, "sender_known": 1 if unit else 0,
        "flags": json.dumps([]), "created_at": iso(received_at), "processed_at": iso(received_at),
    }).last_pk


def _as_intake_reads(raw_path: str | None) -> dict[str, str | None]:
    """What intake stores from the mail itself (why it is automatic, its thread), when the test
    wrote a real mail file for the message."""
    try:
        raw = Path(raw_path or "").read_bytes()
    except OSError:
        return {}
    from ingest.recording import replied_facts
    from parsers.mime import parse_message
    return replied_facts(parse_message(raw))


def add_attachment(db: Database, message_id: int, filename: str = "bao-cao.xlsx",
                   detected_type: str = "xlsx") -> int:
    return db["attachments"].insert({
        "message_id": message_id, "filename": filename, "safe_name": filename, "declared_type": None,
        "detected_type": detected_type, "size": 1000, "sha256": hashlib.sha256(filename.encode()).hexdigest(),
    }).last_pk


def add_values(db: Database, message_id: int, values: dict[str, float | None | str],
               method: str = "table", filename: str = "bao-cao.xlsx") -> None:
    """`values`: indicator -> number (None = blank; a str is kept as raw text with value NULL)."""
    att = add_attachment(db, message_id, filename)
    rows = []
    for row, (code, value) in enumerate(values.items(), start=10):
        number = value if isinstance(value, (int, float)) else None
        rows.append({"message_id": message_id, "attachment_id": att, "indicator": code, "value": number,
                     "raw": str(value) if value is not None else "", "source": f"{filename} › BaoCao › E{row}",
                     "method": method, "rank": 0})
    db["values"].insert_all(rows)


def add_report(db: Database, unit: str, received_at: dt.datetime | str, values=None, *,
               period: str = "2024S1", report: str = "cttre", warnings=(), method: str = "table",
               **kw) -> int:
    """A unit's report mail with its values and warnings."""
    mid = add_message(db, status="report", unit=unit, report=report, period=period,
                      received_at=received_at, **kw)
    if values:
        add_values(db, mid, values, method=method)
    for rule, detail in warnings:
        db["warnings"].insert({"message_id": mid, "rule": rule, "detail": detail})
    return mid


def add_incident(db: Database, unit: str, occurred_on: str, category: str = "duoi_nuoc",
                 summary: str = "Một học sinh bị đuối nước khi tắm suối", *,
                 received_at: dt.datetime | str = "2024-05-12 16:00", alerted_at: str | None = None) -> int:
    mid = add_message(db, status="incident", unit=unit, received_at=received_at,
                      subject="Báo cáo nhanh vụ việc")
    iid = db["incidents"].insert({
        "case_key": f"{unit}:{category}:{occurred_on}:{mid}", "unit_code": unit, "occurred_on": occurred_on,
        "category": category, "summary": summary, "message_id": mid, "alerted_at": alerted_at,
        "created_at": iso(received_at)}).last_pk
    db["incident_messages"].insert({"incident_id": iid, "message_id": mid})
    return iid


def add_failure(db: Database, message_id: int | None, stage: str = "parse",
                reason: str = "corrupt", detail: str = "", filename: str | None = "bc.docx",
                created_at: dt.datetime | str = "2024-06-20 09:00") -> int:
    return db["failures"].insert({"message_id": message_id, "stage": stage, "reason": reason,
                                  "detail": detail, "filename": filename, "created_at": iso(created_at)}).last_pk
