"""Shared fixtures: a fresh configuration and store in a temp dir, built from the example config."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["tests.conftest_dovecot"]

ROOT = Path(__file__).resolve().parent.parent
TZ = dt.timezone(dt.timedelta(hours=7))


def write_config(folder: Path, mailbox: str | None = None, extra: str = "", units_csv: str | None = None) -> Path:
    """A copy of config.example.toml pointing its paths into `folder`."""
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('path = "examples/maildir"', f'path = "{folder / "maildir"}"')
    if mailbox:
        start = text.index("[mailbox]")
        end = text.index("[store]")
        text = text[:start] + mailbox + "\n\n" + text[end:]
    if units_csv is not None:
        (folder / "units.csv").write_text(units_csv, encoding="utf-8")
        text = text.replace('file = "units.example.csv"', 'file = "units.csv"')
    else:
        shutil.copy(ROOT / "units.example.csv", folder / "units.example.csv")
    path = folder / "config.toml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    return path


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "maildir" / "cur").mkdir(parents=True)
    (tmp_path / "maildir" / "new").mkdir()
    (tmp_path / "maildir" / "tmp").mkdir()
    return write_config(tmp_path)


@pytest.fixture
def cfg(config_path: Path):
    from store.config import load
    return load(config_path)


@pytest.fixture
def db(cfg):
    from store.db import open_store
    database = open_store(cfg)
    yield database
    database.conn.close()


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2024, 7, 5, 8, 0, tzinfo=TZ)
