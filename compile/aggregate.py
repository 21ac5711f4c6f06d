"""Compiled figures for one report and period, read from the public views (pure over the store).

Totals are the sums of `v_values` (the latest submission of each unit), so the digest and the
workbook always agree with what anyone can check in SQL. Values read from prose or OCR are
flagged as needing a look; they still count in the totals.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from compile import wording

from compile.common import find_period, parse_time
from store import figures as stored, incidents as stored_incidents, queries
from store.config import Config
from store.db import Database
from store.domain import Period, Report

CATEGORY_LABELS = {"bao_luc": "Bạo lực", "xam_hai": "Xâm hại", "duoi_nuoc": "Đuối nước",
                   "giao_thong": "Tai nạn giao thông", "tai_nan_khac": "Tai nạn, thương tích khác",
                   "lao_dong": "Lao động trái quy định", "khac": "Vụ việc khác"}


@dataclass(frozen=True)
class Cell:
    unit_code: str
    indicator: str
    value: float | None
    raw: str
    source: str
    method: str
    message_id: int

    @property
    def needs_look(self) -> bool:
        return self.method in ("text", "ocr")


@dataclass(frozen=True)
class Figures:
    report_code: str
    period_id: str
    cells: tuple[Cell, ...]
    total: dict[str, float]                      # indicator -> sum over units
    by_kind: dict[str, dict[str, float]]         # unit kind -> indicator -> sum
    by_district: dict[str, dict[str, float]]
    previous_period: str | None
    index: dict[tuple[str, str], Cell] = field(default_factory=dict)
    previous_index: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def value(self, unit_code: str, indicator: str) -> Cell | None:
        return self.index.get((unit_code, indicator))

    def units(self) -> list[str]:
        return sorted({c.unit_code for c in self.cells})

    def change(self, indicator: str) -> float | None:
        """The difference with the previous period over the units that gave the figure in both
        (`comparison`), never the difference of two totals over different sets of units."""
        found = self.comparison(indicator)
        return None if found is None else found.now - found.before

    def reporting(self, indicator: str) -> int:
        """How many units gave a figure (not a blank) for the indicator: the coverage of its total."""
        return sum(1 for c in self.cells if c.indicator == indicator and c.value is not None)

    def comparison(self, indicator: str) -> Comparison | None:
        """This period and the previous one over the same units: those with a figure in both."""
        if self.previous_period is None:
            return None
        units = [c.unit_code for c in self.cells if c.indicator == indicator and c.value is not None
                 and (p := self.previous_index.get((c.unit_code, indicator))) is not None and p.value is not None]
        if not units:
            return None
        now = sum(self.index[(u, indicator)].value or 0.0 for u in units)
        before = sum(self.previous_index[(u, indicator)].value or 0.0 for u in units)
        return Comparison(len(units), now, before)


@dataclass(frozen=True)
class Comparison:
    units: int          # the units with a figure in both periods
    now: float          # their sum this period
    before: float       # their sum in the previous period


def cells(db: Database, report_code: str, period_id: str) -> list[Cell]:
    rows = stored.values(db, report_code, period_id)
    return [Cell(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "table", r[6]) for r in rows]


def _sums(items: list[Cell], key) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for c in items:
        if c.value is not None:
            group = out[key(c)]
            group[c.indicator] = group.get(c.indicator, 0.0) + c.value
    return dict(out)


def previous(report: Report, period: Period) -> Period | None:
    """The period of the same report due last before this one (2024 -> 2024S1)."""
    earlier = [p for p in report.periods if p.due < period.due]
    return max(earlier, key=lambda p: p.due) if earlier else None


def figures(db: Database, cfg: Config, report_code: str, period_id: str) -> Figures:
    report, period = find_period(cfg, report_code, period_id)
    items = cells(db, report.code, period.id)
    kinds = {u.code: u.kind or "" for u in cfg.units}
    districts = {u.code: u.district or "" for u in cfg.units}
    prev = previous(report, period)
    prev_items = cells(db, report.code, prev.id) if prev else []
    return Figures(report_code=report.code, period_id=period.id, cells=tuple(items),
                   total=_sums(items, lambda c: "").get("", {}),
                   by_kind=_sums(items, lambda c: kinds.get(c.unit_code, "")),
                   by_district=_sums(items, lambda c: districts.get(c.unit_code, "")),
                   previous_period=prev.id if prev else None,
                   index={(c.unit_code, c.indicator): c for c in items},
                   previous_index={(c.unit_code, c.indicator): c for c in prev_items})


@dataclass(frozen=True)
class ValueWarning:
    unit_code: str
    rule: str
    detail: str


def warnings(db: Database, report_code: str, period_id: str) -> list[ValueWarning]:
    rows = stored.warnings(db, report_code, period_id)
    return [ValueWarning(r[0], r[1], r[2] or "") for r in rows]


@dataclass(frozen=True)
class Incident:
    incident_id: int
    unit_code: str
    occurred_on: str
    category: str
    summary: str
    message_id: int
    created_at: dt.datetime | None
    alerted_at: str | None
    received_at: dt.datetime | None = None    # when its first mail arrived (not when it was processed)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


def incidents(db: Database, cfg: Config, since: dt.datetime | None = None,
              until: dt.datetime | None = None) -> list[Incident]:
    """Incidents recorded in (since, until]; all of them when both are None."""
    rows = stored_incidents.listed(db)
    out = []
    for r in rows:
        created = parse_time(cfg, r[6])
        if since is not None and created is not None and created <= since:
            continue
        if until is not None and created is not None and created > until:
            continue
        out.append(Incident(r[0], r[1] or "", r[2] or "", r[3] or "khac", r[4] or "", r[5], created, r[7],
                            parse_time(cfg, r[8])))
    return out


@dataclass(frozen=True)
class AdminItem:
    """A mail an admin must look at: not placed, failed, or a file that could not be read."""
    message_id: int | None
    what: str
    detail: str
    command: str = ""


def admin_items(db: Database, limit: int = 200) -> list[AdminItem]:
    """What waits for an admin, each with the command that settles it."""
    items = [AdminItem(r[0], "Thư chưa xác định được đơn vị hoặc kỳ báo cáo" if r[1] == "unplaced"
                       else "Thư xử lý không thành công", f"{r[2] or ''} - {r[3] or ''}",
                       f"baocao assign {r[0]} --unit MÃ_ĐƠN_VỊ" if r[1] == "unplaced" else f"baocao reprocess {r[0]}")
             for r in stored.unplaced_or_failed(db, limit)]
    items += [AdminItem(r[0], "Tệp không đọc được" if r[1] == "parse" else f"Lỗi ở bước {wording.stage(r[1])}",
                        f"{r[4] or ''}: {wording.problem(r[2])}" if r[4] else wording.problem(r[2]),
                        f"baocao reprocess {r[0]}" if r[0] else "baocao failures")
              for r in stored.open_failures(db, limit)]
    items += [AdminItem(r["message_id"], "Báo cáo từ địa chỉ chưa xác thực, cần xác nhận với đơn vị"
                        f" ({', '.join(r['flags'])})", f"{r['from_addr'] or ''} - {r['subject'] or ''}",
                        f"baocao assign {r['message_id']} --unit MÃ_ĐƠN_VỊ")
              for r in queries.flagged(db)[:limit]]
    items += [AdminItem(r["message_id"], "Báo cáo gửi từ địa chỉ cá nhân (đã tính vào tổng hợp của "
                        f"{r['unit_code']})", f"{r['from_addr'] or ''} - {r['subject'] or ''}",
                        f"baocao assign {r['message_id']} --unit {r['unit_code']}")
              for r in queries.personal_reports(db, limit)]
    return items[:limit]
