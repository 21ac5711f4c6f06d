"""Opening the store: connection settings, migrations, views, and the configuration mirror.

The units, periods and extensions tables mirror the configuration at every open, so the SQL
views (the public contract) can answer completeness questions without the Python side.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from importlib import resources
from pathlib import Path

import sqlite_utils

from ingest.errors import BaocaoError
from store.config import Config
from store.schema import MIGRATIONS


class StoreError(BaocaoError):
    pass


def connect(path: Path | str) -> sqlite_utils.Database:
    """A connection with the settings every caller needs: WAL, foreign keys, a busy timeout."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise StoreError(f"store: cannot open {path}: {exc}") from None
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    return sqlite_utils.Database(conn)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the migrations not yet applied, each in its own transaction with its version bump."""
    current = schema_version(db)
    if current > len(MIGRATIONS):
        raise StoreError(f"store: schema version {current} is newer than this baocao knows "
                         f"({len(MIGRATIONS)}); upgrade baocao")
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        db.conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    return schema_version(db)


def ensure_views(db: sqlite_utils.Database) -> None:
    sql = resources.files("store").joinpath("views.sql").read_text(encoding="utf-8")
    db.conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nCOMMIT;")


def sync_config(db: sqlite_utils.Database, cfg: Config) -> None:
    """Mirror units, periods and extensions from the configuration (the files are the truth)."""
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM units")
        db.execute("DELETE FROM periods")
        db.execute("DELETE FROM extensions")
        db["units"].insert_all(
            ({"code": u.code, "name": u.name, "kind": u.kind, "district": u.district,
              "emails": ";".join(u.emails), "aliases": ";".join(u.aliases), "reports": ";".join(u.reports),
              "active_from": u.active_from.isoformat() if u.active_from else None,
              "active_to": u.active_to.isoformat() if u.active_to else None} for u in cfg.units))
        db["periods"].insert_all(
            ({"report_code": r.code, "period": p.id, "label": p.label, "due": p.due.isoformat()}
             for r in cfg.reports for p in r.periods))
        db["extensions"].insert_all(
            ({"unit_code": e.unit, "report_code": e.report, "period": e.period, "due": e.due.isoformat()}
             for e in cfg.extensions))


def open_store(cfg: Config) -> sqlite_utils.Database:
    db = connect(cfg.store_path)
    migrate(db)
    ensure_views(db)
    sync_config(db, cfg)
    return db


def now_iso(now: dt.datetime) -> str:
    return now.isoformat(timespec="seconds")
