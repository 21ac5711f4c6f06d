"""The form's validation rules over one submission's values: warnings, never a block.

The rules are pure (`check`, `check_annual`: values in, (rule, detail) pairs out, in words a clerk
can check against the unit's file). `check_pending` is how they run: after each poll (and
`reprocess`, `assign`) over every report mail whose values changed since they were last checked
(`messages.checked_at` is cleared by every outcome), so intake only stores what it read.
"""
from __future__ import annotations

import datetime as dt
from typing import Mapping

from store import messages
from store.config import Config
from store.db import Database
from store.domain import Report
from store.records import Value


def check_pending(db: Database, cfg: Config, now: dt.datetime) -> int:
    """Run the rules over every report mail not checked since it was (re)processed. Returns how many."""
    pending = messages.unchecked_reports(db)
    for row in pending:
        messages.save_warnings(db, row["id"], warnings_for(db, cfg, row), now)
    return len(pending)


def warnings_for(db: Database, cfg: Config, row: Mapping) -> list[tuple[str, str]]:
    """The warnings of one report mail (`row`: id, unit_code, report_code, period)."""
    report = cfg.report(row["report_code"] or "")
    if report is None:
        return []
    best = {r["indicator"]: Value(r["indicator"], r["value"], r["raw"] or "", r["source"] or "", r["method"])
            for r in messages.counted_values(db, row["id"])}
    out = check(report, best)
    period = row["period"] or ""
    if len(period) == 4 and row["unit_code"]:   # an annual report: not below the same year's 6 months
        half = messages.latest_values(db, row["unit_code"], report.code, f"{period}S1")
        if half:
            out += check_annual(report, {code: v.number for code, v in best.items()}, half)
    return out


def _fmt(n: float) -> str:
    return f"{int(n):,}".replace(",", ".") if float(n).is_integer() else str(n).replace(".", ",")


def _label(report: Report, code: str) -> str:
    ind = report.indicator(code)
    return ind.label if ind else code


def check(report: Report, values: Mapping[str, Value]) -> list[tuple[str, str]]:
    """Warnings for one submission. `values` maps indicator code -> Value (number, raw, source)."""
    out: list[tuple[str, str]] = []
    for code, v in values.items():
        label = _label(report, code)
        number, raw = v.number, v.raw
        if number is None:
            if raw and raw.strip():
                out.append(("not_a_number", f"{label}: “{raw.strip()[:80]}” không phải là số ({v.source})"))
            continue
        if number < 0:
            out.append(("negative", f"{label}: số âm {_fmt(number)} ({v.source})"))
        elif not float(number).is_integer():
            out.append(("fractional", f"{label}: số lẻ {_fmt(number)} với chỉ tiêu đếm ({v.source})"))
    for rule in report.rules:
        lo, hi = values.get(rule.lower), values.get(rule.upper)
        ln, hn = (lo.number if lo is not None else None), (hi.number if hi is not None else None)
        if ln is not None and hn is not None and ln > hn:
            # the configuration check makes both codes indicators of the report, so the labels exist
            lo_label, hi_label = _label(report, rule.lower), _label(report, rule.upper)
            out.append((f"{rule.lower}<={rule.upper}",
                        f"“{lo_label}” ({_fmt(ln)}) lớn hơn “{hi_label}” ({_fmt(hn)})"))
    return out


def check_annual(report: Report, annual: Mapping[str, float | None], half: Mapping[str, float | None]) -> list[tuple[str, str]]:
    """An annual figure below the 6-month figure of the same year, for the countable sections."""
    out = []
    sections = set(report.annual_not_below_sections)
    for ind in report.indicators:
        if sections and ind.section not in sections:
            continue
        a, h = annual.get(ind.code), half.get(ind.code)
        if a is not None and h is not None and a < h:
            out.append(("annual_below_half_year",
                        f"{ind.label}: số liệu cả năm ({_fmt(a)}) thấp hơn 6 tháng đầu năm ({_fmt(h)})"))
    return out
