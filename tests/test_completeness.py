"""Completeness: on time / late / missing per unit, as of --now, against the unit's own due date."""
from __future__ import annotations

import datetime as dt

import pytest

from compile import completeness
from store.domain import Extension
from tests.storefill import add_message, add_report, at, fresh_store


@pytest.fixture
def store(tmp_path):
    return fresh_store(tmp_path)


@pytest.mark.parametrize("received, now, state, label, shown", [
    ("2024-06-20 09:00", "2024-07-05 08:00", "on_time", "Đúng hạn", "on_time"),
    ("2024-06-30 23:59", "2024-07-05 08:00", "on_time", "Đúng hạn", "on_time"),   # the due date is inclusive, local time
    ("2024-07-01 00:01", "2024-07-05 08:00", "late", "Trễ hạn", "late"),
    (None, "2024-07-05 08:00", "missing", "Chưa nộp (quá hạn)", "missing"),
    (None, "2024-06-25 08:00", "missing", "Chưa nhận (còn hạn)", "not yet due"),
    # what is in the store has arrived, whatever --now says: the view cannot know --now
    ("2024-07-06 09:00", "2024-06-25 08:00", "late", "Trễ hạn", "late"),
])
def test_state_of_one_unit(store, received, now, state, label, shown):
    cfg, db = store
    if received:
        add_report(db, "THPT-LOCNINH", received)
    c = completeness.compute(db, cfg, "cttre", "2024S1", at(now))
    u = c.state_of("THPT-LOCNINH")
    assert (u.state, u.label, u.shown) == (state, label, shown)


@pytest.mark.parametrize("now", ["2024-06-01 08:00", "2024-06-30 23:00", "2024-07-02 08:00", "2025-01-01 08:00"])
def test_the_view_status_and_digest_agree_for_every_now(store, now):
    cfg, db = store
    add_report(db, "THPT-LOCNINH", "2024-06-28 10:00")
    add_report(db, "THPT-LOCNINH", "2024-07-03 10:00")
    add_report(db, "THPT-DONGXOAI", "2024-07-02 10:00")
    add_report(db, "PGD-BUDOP", "2024-06-15 10:00", period="2024")
    for period in ("2024S1", "2024"):
        c = completeness.compute(db, cfg, "cttre", period, at(now))
        view = dict(db.execute("SELECT unit_code, state FROM v_completeness WHERE report_code = 'cttre'"
                               " AND period = ?", [period]).fetchall())
        assert view == {u.unit_code: u.state for u in c.units}


def test_first_submission_decides_and_counts(store):
    cfg, db = store
    add_report(db, "THPT-LOCNINH", "2024-06-28 10:00")
    add_report(db, "THPT-LOCNINH", "2024-07-03 10:00")          # a correction after the due date
    add_report(db, "THPT-DONGXOAI", "2024-07-02 10:00")
    add_message(db, status="unplaced", unit=None, received_at="2024-06-29 10:00")
    c = completeness.compute(db, cfg, "cttre", "2024S1", at("2024-07-10 08:00"))
    assert c.state_of("THPT-LOCNINH").state == "on_time"
    assert [u.unit_code for u in c.late] == ["THPT-DONGXOAI"]
    assert c.expected_count == len(cfg.units) == 50
    assert len(c.missing) == 48 and not c.complete
    assert all(u.overdue for u in c.missing)
    # the SQL view agrees when --now is after every mail
    view = dict(db.execute("SELECT unit_code, state FROM v_completeness WHERE report_code='cttre'"
                           " AND period='2024S1'").fetchall())
    assert view == {u.unit_code: u.state for u in c.units}


def test_extension_moves_one_units_due_date(tmp_path):
    ext = Extension(unit="THPT-LOCTHAI", report="cttre", period="2024S1", due=dt.date(2024, 7, 5))
    cfg, db = fresh_store(tmp_path, extensions=(ext,))
    c = completeness.compute(db, cfg, "cttre", "2024S1", at("2024-07-03 08:00"))
    assert c.state_of("THPT-LOCTHAI").overdue is False    # still within its extension
    assert c.state_of("THPT-LOCHIEP").overdue is True
    add_report(db, "THPT-LOCTHAI", "2024-07-04 10:00")
    add_report(db, "THPT-LOCHIEP", "2024-07-04 10:00")
    c = completeness.compute(db, cfg, "cttre", "2024S1", at("2024-07-10 08:00"))
    assert c.state_of("THPT-LOCTHAI").state == "on_time"
    assert c.state_of("THPT-LOCHIEP").state == "late"


def test_closed_unit_is_not_expected_but_a_report_still_shows(tmp_path):
    base, _ = fresh_store(tmp_path / "a")
    units = tuple(u._replace(active_to=dt.date(2024, 3, 1)) if u.code == "PGD-BUDOP" else u
                  for u in base.units)
    cfg, db = fresh_store(tmp_path / "b", units=units)
    c = completeness.compute(db, cfg, "cttre", "2024S1", at("2024-07-10 08:00"))
    assert c.state_of("PGD-BUDOP") is None and c.expected_count == 49
    add_report(db, "PGD-BUDOP", "2024-06-01 10:00")
    c = completeness.compute(db, cfg, "cttre", "2024S1", at("2024-07-10 08:00"))
    assert c.state_of("PGD-BUDOP").expected is False and c.expected_count == 49
    assert len(c.received) == 0


def test_complete_when_every_expected_unit_reported(store):
    cfg, db = store
    for u in cfg.units:
        add_report(db, u.code, "2024-06-25 10:00")
    c = completeness.compute(db, cfg, "cttre", "2024S1", at("2024-06-26 08:00"))
    assert c.complete and len(c.on_time) == 50


def test_unknown_period_names_it(store):
    cfg, db = store
    with pytest.raises(KeyError, match="2023S9"):
        completeness.compute(db, cfg, "cttre", "2023S9", at("2024-06-26 08:00"))
