"""The store: migrations, the contract's views and their columns."""
from __future__ import annotations

import pytest

from store import schema
from store.db import StoreError, connect, migrate, open_store, schema_version

CONTRACT = {
    "v_messages": ["message_id", "header_message_id", "from_addr", "subject", "received_at", "status", "unit_code",
                   "report_code", "period", "sender_known", "raw_path"],
    "v_submissions": ["unit_code", "report_code", "period", "message_id", "received_at", "on_time", "version",
                      "is_latest"],
    "v_completeness": ["report_code", "period", "unit_code", "state", "received_at"],
    "v_values": ["unit_code", "report_code", "period", "indicator", "value", "raw", "source", "message_id"],
    "v_warnings": ["unit_code", "report_code", "period", "rule", "detail"],
    "v_incidents": ["incident_id", "unit_code", "occurred_on", "category", "summary", "message_id", "alerted_at"],
    "v_failures": ["failure_id", "message_id", "stage", "reason", "detail", "created_at", "resolved_at"],
    "v_outbox": ["outbox_id", "kind", "recipients", "subject", "status", "dedupe_key", "created_at", "sent_at"],
}


@pytest.mark.parametrize("view, columns", CONTRACT.items())
def test_views_have_contract_columns(db, view: str, columns: list[str]) -> None:
    have = [r[1] for r in db.execute(f"PRAGMA table_info({view})")]
    assert set(columns) <= set(have)


def test_migrate_from_empty_and_again(tmp_path) -> None:
    db = connect(tmp_path / "s.sqlite")
    assert schema_version(db) == 0
    assert migrate(db) == len(schema.MIGRATIONS)
    assert migrate(db) == len(schema.MIGRATIONS)  # idempotent


def test_migrate_from_previous_schema_keeps_data(tmp_path, monkeypatch) -> None:
    db = connect(tmp_path / "s.sqlite")
    migrate(db)
    db.execute("INSERT INTO unit_senders (address, unit_code, created_at) VALUES ('a@b', 'X', 'now')")
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, "ALTER TABLE unit_senders ADD COLUMN note TEXT;"])
    import store.db as store_db
    monkeypatch.setattr(store_db, "MIGRATIONS", schema.MIGRATIONS)
    assert migrate(db) == len(schema.MIGRATIONS)
    assert db.execute("SELECT address, note FROM unit_senders").fetchall() == [("a@b", None)]


def test_newer_store_than_code_is_refused(tmp_path) -> None:
    db = connect(tmp_path / "s.sqlite")
    db.execute(f"PRAGMA user_version = {len(schema.MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer"):
        migrate(db)


def test_wal_and_foreign_keys(db) -> None:
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopen_mirrors_config_changes(cfg, tmp_path) -> None:
    first = open_store(cfg)
    n = first.execute("SELECT COUNT(*) FROM units").fetchone()[0]
    again = open_store(cfg)
    assert again.execute("SELECT COUNT(*) FROM units").fetchone()[0] == n == len(cfg.units)
    assert again.execute("SELECT COUNT(*) FROM periods").fetchone()[0] == 2


def test_parser_notes_stay_with_the_file_not_in_v_warnings(cfg, db, now) -> None:
    from ingest import pipeline
    from tests.mails import build, write_maildir
    import openpyxl, io
    wb = openpyxl.Workbook()
    wb.active.append(["nothing", "to", "see"])
    buf = io.BytesIO()
    wb.save(buf)
    write_maildir(cfg.mailbox.path, [build(files=[(buf.getvalue(), "bc.xlsx", "application/octet-stream")])])
    pipeline.poll(db, cfg, now)
    assert db.execute("SELECT COUNT(*) FROM v_warnings").fetchone()[0] == 0
    assert "no indicator" in db.execute("SELECT notes FROM attachments").fetchone()[0]
