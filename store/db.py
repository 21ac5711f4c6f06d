"""Opening the store: connection settings, migrations, views, and the configuration mirror.

The units, periods and extensions tables mirror the configuration, so the SQL views (the public
contract) can answer completeness questions without the Python side. Views and mirror are
rewritten only when they changed (`meta` keeps a digest of each), so a command that only reads
writes nothing and works beside a running daemon, on a read-only store or on a backup copy.

Operations problems of the store (locked by another writer past the busy timeout, read-only,
disk full, not a database) become one `StoreError` line naming the file: `operational`.

`Database` is the connection every module is handed: the standard library's sqlite3 with rows
as dicts where a caller wants them. Every statement of the store is written out in SQL, so a
toolkit above sqlite3 would add nothing but its import (sqlite-utils cost ~50 ms of each
command's start-up, a quarter of a `baocao poll` with nothing new).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from store.errors import StoreError
from store.config import Config
from store.schema import MIGRATIONS


Params = Sequence[Any] | Mapping[str, Any]


class Database:
    """One SQLite connection (autocommit: `isolation_level=None`; a transaction is an explicit
    BEGIN … COMMIT) with the two conveniences the store uses: rows as dicts, and inserting a row
    given as a dict."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Params | None = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, () if params is None else params)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        return self.conn.executescript(sql)

    def query(self, sql: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        """The rows of a SELECT, each a dict keyed by column name."""
        cursor = self.execute(sql, params)
        keys = [d[0] for d in cursor.description or ()]
        for row in cursor:
            yield dict(zip(keys, row))

    def table(self, name: str) -> Table:
        return Table(self, name)

    __getitem__ = table


class Table:
    """Inserting dict rows into one existing table (the mirror of the configuration, tests'
    fixtures). `last_pk` is the row id of the last row inserted."""

    def __init__(self, db: Database, name: str):
        self.db = db
        self.name = name
        self.last_pk: int | None = None

    def insert(self, row: Mapping[str, Any]) -> Table:
        return self.insert_all([row])

    def insert_all(self, rows: Iterable[Mapping[str, Any]]) -> Table:
        quoted = '"' + self.name.replace('"', '""') + '"'
        for row in rows:
            columns = ", ".join('"' + c.replace('"', '""') + '"' for c in row)
            marks = ", ".join("?" for _ in row)
            values = [json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list, tuple)) else v
                      for v in row.values()]
            self.last_pk = self.db.execute(f"INSERT INTO {quoted} ({columns}) VALUES ({marks})", values).lastrowid
        return self


@contextmanager
def transaction(db: Database) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception; inside a transaction already, the
    statements join it (the outer one commits them, or rolls them back, with its own)."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


_OPERATIONAL = {
    "locked": "the store is locked by another process (a long write, or another baocao); try again later",
    "busy": "the store is locked by another process (a long write, or another baocao); try again later",
    "readonly": "the store is read-only (file permissions or a read-only disk)",
    "read-only": "the store is read-only (file permissions or a read-only disk)",
    "full": "the disk holding the store is full",
    "disk i/o": "the disk holding the store reports an I/O error",
    "unable to open": "the store file cannot be opened (missing folder or permissions)",
    "not a database": "the file is not a baocao store (not an SQLite database)",
    "malformed": "the store file is damaged (database disk image is malformed); restore a backup",
}


def operational(exc: BaseException, path: Path | str) -> StoreError | None:
    """The one-line error for an SQLite operations problem, or None for a bug (bad SQL etc.)."""
    if not isinstance(exc, (sqlite3.OperationalError, sqlite3.DatabaseError)):
        return None
    text = str(exc).lower()
    for key, meaning in _OPERATIONAL.items():
        if key in text:
            return StoreError(f"store: {path}: {meaning} ({exc})")
    return None


def connect(path: Path | str, busy_timeout: float = 30.0, read_only: bool = False) -> Database:
    """A connection with the settings every caller needs: WAL, foreign keys, a busy timeout.
    `read_only` opens without writing anything (a read-only disk or a backup copy)."""
    try:
        if read_only:
            uri = Path(path).resolve().as_uri()
            try:
                conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=busy_timeout, isolation_level=None,
                                       check_same_thread=False)
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:   # WAL on a read-only disk: no -shm can be made
                conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=busy_timeout,
                                       isolation_level=None, check_same_thread=False)
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return Database(conn)
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
    except OSError as exc:
        raise StoreError(f"store: cannot open {path}: {exc.strerror or exc}") from None
    except sqlite3.Error as exc:
        raise (operational(exc, path) or StoreError(f"store: cannot open {path}: {exc}")) from None
    return Database(conn)


def schema_version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database) -> int:
    """Apply the migrations not yet applied, each in its own transaction with its version bump."""
    current = schema_version(db)
    if current > len(MIGRATIONS):
        raise StoreError(f"store: schema version {current} is newer than this baocao knows "
                         f"({len(MIGRATIONS)}); upgrade baocao")
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        db.conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    return schema_version(db)


def _meta(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ensure_views(db: Database) -> None:
    sql = resources.files("store").joinpath("views.sql").read_text(encoding="utf-8")
    digest = _digest(sql)
    if _meta(db, "views") == digest:
        return
    db.conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n"
                          f"INSERT OR REPLACE INTO meta (key, value) VALUES ('views', '{digest}');\nCOMMIT;")


def _mirror(cfg: Config) -> str:
    return json.dumps([[(u.code, u.name, u.kind, u.district, u.emails, u.aliases, u.reports, str(u.active_from),
                         str(u.active_to)) for u in cfg.units],
                       [(r.code, p.id, p.label, str(p.due)) for r in cfg.reports for p in r.periods],
                       [(e.unit, e.report, e.period, str(e.due)) for e in cfg.extensions]], ensure_ascii=False)


def sync_config(db: Database, cfg: Config) -> None:
    """Mirror units, periods and extensions from the configuration (the files are the truth)."""
    digest = _digest(_mirror(cfg))
    if _meta(db, "config") == digest:
        return
    with transaction(db):
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('config', ?)", [digest])
        db.execute("DELETE FROM units")
        db.execute("DELETE FROM periods")
        db.execute("DELETE FROM extensions")
        db.table("units").insert_all(
            ({"code": u.code, "name": u.name, "kind": u.kind, "district": u.district,
              "emails": ";".join(u.emails), "aliases": ";".join(u.aliases), "reports": ";".join(u.reports),
              "active_from": u.active_from.isoformat() if u.active_from else None,
              "active_to": u.active_to.isoformat() if u.active_to else None} for u in cfg.units))
        db.table("periods").insert_all(
            ({"report_code": r.code, "period": p.id, "label": p.label, "due": p.due.isoformat()}
             for r in cfg.reports for p in r.periods))
        db.table("extensions").insert_all(
            ({"unit_code": e.unit, "report_code": e.report, "period": e.period, "due": e.due.isoformat()}
             for e in cfg.extensions))


def open_store(cfg: Config, read_only_ok: bool = False) -> Database:
    """The store, migrated and mirrored. With `read_only_ok` (commands that only read), a store
    that cannot be written (read-only disk, a backup copy without write access) is opened
    read-only as it is, instead of failing."""
    path = cfg.store_path
    if read_only_ok and path.exists() and not os.access(path.parent, os.W_OK):
        return connect(path, cfg.busy_timeout_seconds, read_only=True)
    try:
        db = connect(path, cfg.busy_timeout_seconds)
        migrate(db)
        ensure_views(db)
        sync_config(db, cfg)
        return db
    except sqlite3.Error as exc:
        problem = operational(exc, path)
        if problem is None:
            raise
        if read_only_ok and path.exists() and ("read-only" in str(problem) or "locked" in str(problem)):
            return connect(path, cfg.busy_timeout_seconds, read_only=True)
        raise problem from None


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row the cursor's INSERT has just made. sqlite3 leaves `lastrowid` None only on a
    cursor that has inserted nothing, so after a successful INSERT it is set."""
    if cursor.lastrowid is None:
        raise RuntimeError("an INSERT gave no row id")
    return cursor.lastrowid
