"""Reminders over a simulated calendar (`now` moves day by day), as `baocao --now D remind` would."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import sys
import types
from collections import Counter, defaultdict

import openpyxl
import pytest

from compile import outbox, reminders
from store.domain import Extension
from tests.storefill import add_report, at, fresh_store

DUE = dt.date(2024, 6, 30)
# A sample of the example units keeps the calendar fast (each reminder builds a real blank form).
SAMPLE = {"PGD-DONGXOAI", "PGD-LOCNINH", "THPT-LOCNINH", "THPT-DONGXOAI", "THPT-LOCTHAI", "THPT-LOCHIEP",
          "TT-BUDOP", "TT-BUDANG", "PTDTNT-TINH", "TT-GDTX-TINH"}


def small_store(tmp_path, **changes):
    base, _ = fresh_store(tmp_path / "base")
    units = tuple(u for u in changes.pop("units", base.units) if u.code in SAMPLE)
    return fresh_store(tmp_path, units=units, **changes)


@pytest.fixture
def store(tmp_path):
    return small_store(tmp_path)


def _mails(tmp_path):
    """Delivered .eml files parsed: list of (unit To address, dedupe-stage from subject, message)."""
    out = []
    for f in sorted((tmp_path / "outbox").glob("*-reminder.eml")):
        out.append(email.message_from_bytes(f.read_bytes(), policy=email.policy.default))
    return out


@pytest.mark.parametrize("day, stage", [
    ("2024-06-22", None), ("2024-06-23", "due-7"), ("2024-06-26", "due-7"), ("2024-06-27", "due-3"),
    ("2024-06-29", "due-1"), ("2024-06-30", "due-1"), ("2024-07-02", "due-1"), ("2024-07-03", "after-1"),
    ("2024-07-06", "after-2"), ("2024-07-09", "after-3"), ("2024-07-11", "after-3"), ("2024-07-12", None),
])
def test_current_stage(store, day, stage):
    cfg, _ = store
    assert reminders.current_stage(cfg, DUE, dt.date.fromisoformat(day)) == stage


def test_simulated_calendar_stops_when_the_report_arrives(store, tmp_path):
    cfg, db = store
    sent_on: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    day = dt.date(2024, 6, 18)
    while day <= dt.date(2024, 7, 16):
        now = at(f"{day.isoformat()} 07:30")
        if day == dt.date(2024, 6, 28):
            add_report(db, "THPT-LOCNINH", "2024-06-28 07:00")   # arrives between due-3 and due-1
        ids = reminders.queue(db, cfg, now)
        assert reminders.queue(db, cfg, now.replace(hour=16)) == []     # a second run the same day
        for key, in db.execute(f"SELECT dedupe_key FROM outbox WHERE id IN ({','.join(map(str, ids)) or 0})"):
            sent_on[key.split(":")[3]].append((day, key.split(":")[4]))
        assert outbox.deliver(db, cfg, now).failed == 0
        day += dt.timedelta(days=1)
    assert [s for _, s in sent_on["THPT-LOCNINH"]] == ["due-7", "due-3"]
    full = ["due-7", "due-3", "due-1", "after-1", "after-2", "after-3"]
    others = [u.code for u in cfg.units if u.code != "THPT-LOCNINH"]
    assert all([s for _, s in sent_on[c]] == full for c in others)
    assert all(len({d for d, _ in v}) == len(v) for v in sent_on.values())   # never two the same day
    mails = _mails(tmp_path)
    assert len(mails) == 9 * 6 + 2
    assert Counter(m["To"] for m in mails)["thptlocninh@binhphuoc.edu.vn"] == 2


def test_daemon_down_ten_days_sends_only_the_latest_stage(store, tmp_path):
    cfg, db = store
    add_report(db, "THPT-DONGXOAI", "2024-06-25 10:00")
    now = at("2024-07-08 07:30")                    # due-7 .. after-2 all passed while down
    planned = reminders.plan(db, cfg, now)
    assert {p.stage for p in planned} == {"after-2"}
    assert len(planned) == 9 and "THPT-DONGXOAI" not in {p.unit_code for p in planned}
    assert len(reminders.queue(db, cfg, now)) == 9
    assert reminders.plan(db, cfg, now) == [] and reminders.queue(db, cfg, now) == []
    # the next stage waits `every_days_after` (3) days from the catch-up, not until the next day
    assert reminders.plan(db, cfg, at("2024-07-09 07:30")) == [] == reminders.plan(db, cfg, at("2024-07-10 07:30"))
    assert {p.stage for p in reminders.plan(db, cfg, at("2024-07-11 07:30"))} == {"after-3"}


def test_never_two_reminders_the_same_day_even_after_a_policy_change(store):
    cfg, db = store
    now = at("2024-06-27 07:30")
    assert len(reminders.queue(db, cfg, now)) == 10                       # due-3
    changed = cfg._replace(reminders=cfg.reminders._replace(days_before=(5, 2)))
    assert reminders.current_stage(changed, DUE, now.date()) == "due-5"   # a stage not sent yet ...
    assert reminders.plan(db, changed, now.replace(hour=15)) == []        # ... but not today
    assert len(reminders.plan(db, changed, at("2024-06-28 07:30"))) == 10


def test_letter_is_formal_vietnamese_with_dates(store, tmp_path):
    cfg, db = store
    reminders.queue(db, cfg, at("2024-06-27 07:30"))
    reminders.queue(db, cfg, at("2024-07-03 07:30"))
    outbox.deliver(db, cfg, at("2024-07-03 07:31"))
    mails = [m for m in _mails(tmp_path) if m["To"] == "thptlocninh@binhphuoc.edu.vn"]
    before, after = mails
    assert before["Subject"] == ("[Báo cáo công tác trẻ em] Nhắc nộp báo cáo 6 tháng đầu năm 2024"
                                 " - Trường THPT Lộc Ninh")
    assert after["Subject"].endswith("6 tháng đầu năm 2024 (đã quá hạn) - Trường THPT Lộc Ninh")
    for m in mails:
        body = m.get_body(("plain",)).get_content()
        assert body.startswith("Kính gửi: Trường THPT Lộc Ninh")
        assert "30/06/2024" in body and "trunghoc@binhphuoc.edu.vn" in body
        assert "Phòng Giáo dục Trung học" in body and "!" not in body
        assert m["Auto-Submitted"] == "auto-generated"
    (att,) = list(before.iter_attachments())
    form = openpyxl.load_workbook(io.BytesIO(att.get_content()))
    assert any("Trường THPT Lộc Ninh" in str(c.value) for row in form.active.iter_rows() for c in row)
    assert "chậm nhất ngày 30/06/2024" in before.get_body(("plain",)).get_content()
    assert "Đến ngày 03/07/2024" in after.get_body(("plain",)).get_content()


def test_unit_without_valid_address_is_a_visible_failure(tmp_path):
    base, _ = small_store(tmp_path / "a")
    units = tuple(u._replace(emails=("khong-hop-le",)) if u.code == "TT-BUDOP" else
                  u._replace(emails=("a@x.edu.vn", "b@x.edu.vn")) if u.code == "TT-BUDANG" else u
                  for u in base.units)
    cfg, db = small_store(tmp_path / "b", units=units)
    reminders.queue(db, cfg, at("2024-06-27 07:30"))
    row = db.execute("SELECT status, recipients FROM v_outbox WHERE dedupe_key LIKE '%:TT-BUDOP:%'").fetchone()
    assert row == ("failed", "")
    assert "no valid address" in db.execute("SELECT reason FROM v_failures WHERE stage = 'send'").fetchone()[0]
    assert db.execute("SELECT recipients FROM v_outbox WHERE dedupe_key LIKE '%:TT-BUDANG:%'").fetchone()[0] \
        == "a@x.edu.vn, b@x.edu.vn"
    r = outbox.deliver(db, cfg, at("2024-06-27 07:31"))
    assert (r.sent, r.failed) == (9, 0)


def test_extension_shifts_the_units_stages(tmp_path):
    ext = Extension(unit="THPT-LOCTHAI", report="cttre", period="2024S1", due=dt.date(2024, 7, 10))
    cfg, db = small_store(tmp_path, extensions=(ext,))
    units = {p.unit_code: p.stage for p in reminders.plan(db, cfg, at("2024-07-03 07:30"))}
    assert units["THPT-LOCTHAI"] == "due-7" and units["THPT-LOCHIEP"] == "after-1"


def test_pending_reminder_is_withdrawn_when_the_report_arrives(store, tmp_path):
    cfg, db = store
    reminders.queue(db, cfg, at("2024-06-27 07:30"))                 # SMTP down: nothing delivered yet
    add_report(db, "THPT-LOCNINH", "2024-06-27 09:00")
    reminders.queue(db, cfg, at("2024-06-27 10:00"))
    assert outbox.deliver(db, cfg, at("2024-06-27 10:01")).sent == 9
    status, error = db.execute("SELECT status, last_error FROM v_outbox WHERE dedupe_key LIKE '%THPT-LOCNINH%'"
                               ).fetchone()
    assert status == "failed" and error.startswith("withdrawn")
    assert "thptlocninh@binhphuoc.edu.vn" not in {m["To"] for m in _mails(tmp_path)}


def test_blank_form_attached_when_the_template_module_is_there(store, tmp_path, monkeypatch):
    cfg, db = store
    calls = []

    def build_template(cfg_, report, unit, period):
        calls.append((report.code, unit.code, period.id))
        return b"PK\x03\x04 xlsx bytes"
    monkeypatch.setitem(sys.modules, "compile.form", types.SimpleNamespace(build_template=build_template))
    reminders.queue(db, cfg, at("2024-06-27 07:30"))
    outbox.deliver(db, cfg, at("2024-06-27 07:31"))
    m = next(m for m in _mails(tmp_path) if m["To"] == "thptlocninh@binhphuoc.edu.vn")
    (att,) = list(m.iter_attachments())
    assert att.get_filename() == "Mau-bao-cao-cttre-2024S1-THPT-LOCNINH.xlsx"
    assert att.get_content() == b"PK\x03\x04 xlsx bytes"
    assert ("cttre", "THPT-LOCNINH", "2024S1") in calls
    assert "biểu mẫu báo cáo" in m.get_body(("plain",)).get_content()


def test_broken_template_module_does_not_stop_reminders(store, tmp_path, monkeypatch):
    cfg, db = store

    def build_template(*_a):
        raise ValueError("boom")
    monkeypatch.setitem(sys.modules, "compile.form", types.SimpleNamespace(build_template=build_template))
    assert len(reminders.queue(db, cfg, at("2024-06-27 07:30"))) == 10
    outbox.deliver(db, cfg, at("2024-06-27 07:31"))
    assert all(not list(m.iter_attachments()) for m in _mails(tmp_path))


def test_disabled(store):
    cfg, db = store
    off = cfg._replace(reminders=cfg.reminders._replace(enabled=False))
    assert reminders.plan(db, off, at("2024-06-27 07:30")) == []
