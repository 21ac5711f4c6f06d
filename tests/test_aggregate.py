"""Compiled figures: totals equal the sums of v_values, by kind and district, change against the previous period."""
from __future__ import annotations

import pytest

from compile import aggregate
from tests.storefill import add_failure, add_incident, add_message, add_report, at, fresh_store


@pytest.fixture
def filled(tmp_path):
    cfg, db = fresh_store(tmp_path)
    add_report(db, "THPT-LOCNINH", "2024-06-20 09:00", {"tre_em_tong": 1200, "bl_so_vu": 1, "xh_so_tre": None})
    add_report(db, "THPT-LOCNINH", "2024-06-25 09:00", {"tre_em_tong": 1250, "bl_so_vu": 2})  # a correction
    add_report(db, "THPT-LOCTHAI", "2024-06-21 09:00", {"tre_em_tong": 800.5, "bl_so_vu": "12 em"})
    add_report(db, "PGD-LOCNINH", "2024-06-22 09:00", {"tre_em_tong": 15000, "bl_so_vu": 0}, method="ocr")
    add_report(db, "THPT-DONGXOAI", "2024-06-22 09:00", {"tre_em_tong": 900, "bl_so_vu": 3})
    add_report(db, "THPT-LOCNINH", "2024-12-05 09:00", {"tre_em_tong": 1300, "bl_so_vu": 5}, period="2024")
    return cfg, db


def test_totals_are_sums_of_v_values(filled):
    cfg, db = filled
    fig = aggregate.figures(db, cfg, "cttre", "2024S1")
    for code in ("tre_em_tong", "bl_so_vu"):
        expect = db.execute("SELECT SUM(value) FROM v_values WHERE report_code='cttre' AND period='2024S1'"
                            " AND indicator=?", [code]).fetchone()[0]
        assert fig.total[code] == expect
    assert fig.total == {"tre_em_tong": 1250 + 800.5 + 15000 + 900, "bl_so_vu": 2 + 0 + 3}
    assert "xh_so_tre" not in fig.total                      # blank everywhere: no total, not 0


@pytest.mark.parametrize("group, key, expect", [
    ("by_kind", "thpt", {"tre_em_tong": 2950.5, "bl_so_vu": 5}),
    ("by_kind", "pgd", {"tre_em_tong": 15000, "bl_so_vu": 0}),
    ("by_district", "Lộc Ninh", {"tre_em_tong": 17050.5, "bl_so_vu": 2}),
    ("by_district", "Đồng Xoài", {"tre_em_tong": 900, "bl_so_vu": 3}),
])
def test_groups(filled, group, key, expect):
    cfg, db = filled
    assert getattr(aggregate.figures(db, cfg, "cttre", "2024S1"), group)[key] == expect


def test_change_against_previous_period(filled):
    cfg, db = filled
    annual = aggregate.figures(db, cfg, "cttre", "2024")
    assert annual.previous_period == "2024S1"
    # over the units that gave the figure in both periods only, never two totals over other sets
    for code in ("bl_so_vu", "tre_em_tong"):
        same = annual.comparison(code)
        both = [u for u in annual.units() if (c := annual.value(u, code)) is not None and c.value is not None
                and (p := annual.previous_index.get((u, code))) is not None and p.value is not None]
        assert same is not None and same.units == len(both) > 0
        assert same.now == sum(annual.value(u, code).value for u in both)
        assert annual.change(code) == same.now - same.before
    assert aggregate.figures(db, cfg, "cttre", "2024S1").previous_period is None


def test_text_and_ocr_values_need_a_look(filled):
    cfg, db = filled
    fig = aggregate.figures(db, cfg, "cttre", "2024S1")
    assert {(c.unit_code, c.indicator) for c in fig.cells if c.needs_look} == \
        {("PGD-LOCNINH", "tre_em_tong"), ("PGD-LOCNINH", "bl_so_vu")}
    assert fig.value("THPT-LOCTHAI", "bl_so_vu").raw == "12 em"


def test_incidents_since_and_admin_items(tmp_path):
    cfg, db = fresh_store(tmp_path)
    add_incident(db, "THPT-LOCNINH", "2024-05-01", received_at="2024-05-02 10:00")
    add_incident(db, "THPT-BUDOP", "2024-06-01", "bao_luc", received_at="2024-06-02 10:00")
    got = aggregate.incidents(db, cfg, since=at("2024-05-20 00:00"))
    assert [(i.unit_code, i.category_label) for i in got] == [("THPT-BUDOP", "Bạo lực")]
    mid = add_message(db, status="unplaced", received_at="2024-06-03 10:00", subject="BC 6 thang")
    add_failure(db, mid, reason="encrypted", filename="bc.xlsx")
    items = aggregate.admin_items(db)
    assert [i.message_id for i in items] == [mid, mid]
    assert "mật khẩu" in items[1].detail and "bc.xlsx" in items[1].detail  # said in Vietnamese
