"""Messages are read `[parsing] workers` at a time and recorded in the order they came: the
store after a poll is the same whether one message or several are read at once, and the UID
state never runs ahead of what is recorded (a `stop` mid-poll leaves every seen message whole)."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from ingest import pipeline
from store.config import load
from store.db import open_store
from store.records import PollResult
from tests.conftest import write_config
from tests.mails import build, write_maildir
from tests.reportfiles import docx_report, filled_xlsx, pdf_report

TZ = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2024, 7, 5, 8, 0, tzinfo=TZ)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNITS = ["thptlocninh", "pgdlocninh", "thptdongxoai", "pgdbudang", "thptbinhlong"]


def mailbox() -> list[bytes]:
    subject = "Báo cáo công tác trẻ em 6 tháng đầu năm 2024"
    out = []
    for i in range(12):
        files = [[(filled_xlsx({"tre_em_tong": 100 + i}), "bc.xlsx", XLSX)],
                 [(docx_report({"tre_em_tong": 200 + i}), "bc.docx", DOCX)],
                 [(pdf_report({"tre_em_tong": 300 + i}), "bc.pdf", "application/pdf")],
                 []][i % 4]
        out.append(build(subject=subject if files else f"Hỏi về lịch họp {i}", files=files,
                         sender=f"<{UNITS[i % len(UNITS)]}@binhphuoc.edu.vn>", message_id=f"<p{i}@x>",
                         when=dt.datetime(2024, 6, 1 + i, 9, 0, tzinfo=TZ)))
    return out


def store_after(tmp_path: Path, workers: int, stop_after: int | None = None, again: bool = False):
    folder = tmp_path / f"w{workers}-{stop_after}"
    for sub in ("cur", "new", "tmp"):
        (folder / "maildir" / sub).mkdir(parents=True)
    path = write_config(folder)
    path.write_text(path.read_text(encoding="utf-8").replace("workers = 0", f"workers = {workers}"), encoding="utf-8")
    cfg = load(path)
    assert cfg.parsing.threads == workers
    write_maildir(cfg.mailbox.path, mailbox())
    db = open_store(cfg)
    done = []
    result = pipeline.poll(db, cfg, NOW, progress=lambda r: done.append(len(r.processed)),
                           stop=None if stop_after is None else lambda: len(done) >= stop_after)
    messages = list(db.query("SELECT header_message_id, status, unit_code, period, status_why "
                             "FROM v_messages ORDER BY message_id"))
    values = list(db.query("SELECT m.header_message_id, v.indicator, v.value FROM v_values v "
                           "JOIN v_messages m USING (message_id) ORDER BY 1, 2"))
    seen = [r[0] for r in db.execute("SELECT message_id FROM seen ORDER BY rowid")]
    processed = [r[0] for r in db.execute("SELECT id FROM messages WHERE processed_at IS NOT NULL ORDER BY id")]
    left = [r[0] for r in db.execute("SELECT attempts FROM messages WHERE processed_at IS NULL")]
    if again:
        result = pipeline.poll(db, cfg, NOW)
        processed = [r[0] for r in db.execute("SELECT id FROM messages WHERE processed_at IS NOT NULL")]
    db.conn.close()
    shutil.rmtree(folder)
    return result, messages, values, seen, processed, done, left


@pytest.mark.timeout(300)
def test_two_workers_record_what_one_records_in_the_same_order(tmp_path) -> None:
    one = store_after(tmp_path, 1)
    two = store_after(tmp_path, 2)
    assert one[0].fetched == two[0].fetched == 12
    assert two[1] == one[1] and two[2] == one[2]
    assert len(one[2]) > 50                                   # the files were read, not skipped
    assert two[3] == sorted(two[3]) == two[4]                 # taken in order, each one recorded
    assert two[5] == list(range(1, 13))                       # progress once per message


@pytest.mark.timeout(300)
def test_a_stop_mid_poll_records_the_messages_in_hand_and_leaves_the_rest_to_read(tmp_path) -> None:
    result, messages, _, seen, processed, done, left = store_after(tmp_path, 2, stop_after=5)
    assert result.fetched == 12 and len(seen) == 12            # every message taken: archived, row, seen
    assert processed == list(range(1, len(processed) + 1)) and 5 <= len(processed) < 12
    assert left and set(left) == {0}                            # the rest not begun: no attempt against them
    result, *_ = store_after(tmp_path, 2, stop_after=5, again=True)
    assert result.fetched == 0 and len(result.processed) == len(left)   # the next poll reads them


def test_long_intake_logs_one_line_per_hundred_messages_off_a_terminal(caplog) -> None:
    import logging
    import scheduler
    progress = scheduler.Progress(terminal=False)
    with caplog.at_level(logging.INFO, logger="baocao"):
        for n in range(1, 251):
            progress(PollResult(processed=list(range(n)), seconds=n / 20, expected=1000))
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("poll:")]
    assert lines == ["poll: 100 of 1000 message(s) recorded, 20.0/s, about 1 min left",
                     "poll: 200 of 1000 message(s) recorded, 20.0/s, about 1 min left"]


def test_on_a_terminal_a_bar_counts_the_messages(monkeypatch, capsys) -> None:
    import scheduler
    with scheduler.Progress(terminal=True) as progress:
        for n in range(1, 4):
            progress(PollResult(processed=list(range(n)), seconds=n, expected=3))
        assert progress.bar.n == 3 and progress.bar.total == 3
    assert "poll" in capsys.readouterr().err
