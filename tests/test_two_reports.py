"""With two configured reports, a mail that does not say which is read against both, and the
form its files fill decides: never the first report of the configuration by default."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest import pipeline, reading
from store.config import load
from store.db import open_store
from tests.conftest import write_config
from tests.mails import build, write_maildir
from tests.reportfiles import filled_xlsx

SAFETY = '''
[[reports]]
code = "antoan"
title = "Báo cáo an toàn trường học"
keywords = ["an toàn trường học", "phòng cháy chữa cháy"]

[[reports.periods]]
id = "2024S1"
label = "6 tháng đầu năm 2024"
due = "2024-06-30"

[[reports.indicators]]
code = "so_dien_tap"
section = "A. Diễn tập"
label = "Số buổi diễn tập phòng cháy chữa cháy"

[[reports.indicators]]
code = "so_nguoi_tham_gia"
section = "A. Diễn tập"
label = "Số người tham gia diễn tập"

'''
NOW = dt.datetime(2024, 7, 5, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture
def two(tmp_path: Path):
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "maildir" / sub).mkdir(parents=True)
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    first = text.index("[[reports]]")
    path.write_text(text[:first] + SAFETY + text[first:], encoding="utf-8")   # the other report comes first
    cfg = load(path)
    assert [r.code for r in cfg.reports] == ["antoan", "cttre"]
    db = open_store(cfg)
    yield cfg, db
    db.conn.close()


def test_a_silent_mail_is_read_against_every_report_and_its_form_decides(two) -> None:
    cfg, db = two
    silent = build(subject="Gửi anh", body="Em gửi ạ.",
                   files=[(filled_xlsx(), "file.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    write_maildir(cfg.mailbox.path, [silent])
    assert pipeline.poll(db, cfg, NOW).by_status == {"report": 1}
    (row,) = db.query("SELECT report_code, unit_code, period FROM v_messages")
    assert row == {"report_code": "cttre", "unit_code": "THPT-LOCNINH", "period": "2024S1"}
    values = {r["indicator"]: r["value"] for r in db.query("SELECT indicator, value FROM v_values")}
    assert len(values) >= 5 and all(code in {i.code for i in cfg.report("cttre").indicators} for code in values)


def test_a_mail_that_names_its_report_is_read_against_that_one_only(two, monkeypatch) -> None:
    cfg, db = two
    read_against = []
    real = reading.parse_attachments
    monkeypatch.setattr(reading, "parse_attachments",
                        lambda cfg_, parsed, report, *rest: read_against.append(report.code) or real(cfg_, parsed, report, *rest))
    named = build(files=[(filled_xlsx(), "bao-cao.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    write_maildir(cfg.mailbox.path, [named])
    assert pipeline.poll(db, cfg, NOW).by_status == {"report": 1}
    assert read_against == ["cttre"]
