"""Who has reported: per unit on time, late or missing, as of `now`, in the configured time zone.

Decided by the unit's FIRST submission (data-contract.md): a correction after the due date does
not make an on-time report late. A mail "received" after `now` has not arrived yet as far as a
`--now` run is concerned, so it is ignored here. Before the due date a missing report is only
"not yet received" (`overdue` False); after it, it is missing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from compile.common import find_period, local_now, parse_time
from store.config import Config, Unit

STATE_LABELS = {"on_time": "Đúng hạn", "late": "Trễ hạn", "missing": "Chưa nộp (quá hạn)",
                "awaiting": "Chưa nhận (còn hạn)"}


@dataclass(frozen=True)
class UnitState:
    unit_code: str
    name: str
    kind: str
    district: str
    due: dt.date
    state: str                        # on_time | late | missing
    received_at: dt.datetime | None
    message_id: int | None
    overdue: bool                     # missing and the (unit's) due date has passed
    expected: bool = True             # False: reported although not expected (closed unit, not owed)

    @property
    def label(self) -> str:
        """Vietnamese words for the state; a missing report before the due date is 'not yet received'."""
        if self.state == "missing" and not self.overdue:
            return STATE_LABELS["awaiting"]
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class Completeness:
    report_code: str
    period_id: str
    period_label: str
    due: dt.date
    as_of: dt.datetime
    units: tuple[UnitState, ...]

    def _expected(self, state: str) -> list[UnitState]:
        return [u for u in self.units if u.expected and u.state == state]

    @property
    def expected_count(self) -> int:
        return sum(1 for u in self.units if u.expected)

    @property
    def received(self) -> list[UnitState]:
        return [u for u in self.units if u.expected and u.state != "missing"]

    @property
    def on_time(self) -> list[UnitState]:
        return self._expected("on_time")

    @property
    def late(self) -> list[UnitState]:
        return self._expected("late")

    @property
    def missing(self) -> list[UnitState]:
        return self._expected("missing")

    @property
    def complete(self) -> bool:
        return self.expected_count > 0 and not self.missing

    def state_of(self, unit_code: str) -> UnitState | None:
        return next((u for u in self.units if u.unit_code == unit_code), None)


def first_submissions(db: sqlite_utils.Database, cfg: Config, report_code: str, period_id: str,
                      now: dt.datetime) -> dict[str, tuple[dt.datetime, int]]:
    """unit -> (received_at, message_id) of its first report mail received up to `now`."""
    rows = db.execute(
        "SELECT unit_code, received_at, message_id FROM v_submissions"
        " WHERE report_code = ? AND period = ? ORDER BY received_at, message_id",
        [report_code, period_id]).fetchall()
    firsts: dict[str, tuple[dt.datetime, int]] = {}
    for unit_code, received, message_id in rows:
        when = parse_time(cfg, received)
        if when is None or when > now or unit_code in firsts:
            continue
        firsts[unit_code] = (when, message_id)
    return firsts


def compute(db: sqlite_utils.Database, cfg: Config, report_code: str, period_id: str,
            now: dt.datetime) -> Completeness:
    report, period = find_period(cfg, report_code, period_id)
    today = local_now(cfg, now).date()
    firsts = first_submissions(db, cfg, report_code, period_id, now)
    states = []
    for unit in cfg.units:
        expected = unit.owes(report.code, period.due)
        if expected or unit.code in firsts:
            states.append(_state(cfg, unit, report.code, period, firsts.get(unit.code), today, expected))
    known = {u.code for u in cfg.units}
    for code in sorted(set(firsts) - known):  # a unit removed from the file but present in the store
        ghost = Unit(code=code, name=code, kind="", district="", emails=(), aliases=())
        states.append(_state(cfg, ghost, report.code, period, firsts[code], today, False))
    return Completeness(report_code=report.code, period_id=period.id, period_label=period.label,
                        due=period.due, as_of=local_now(cfg, now), units=tuple(states))


def _state(cfg: Config, unit: Unit, report_code: str, period, first, today: dt.date,
           expected: bool) -> UnitState:
    due = cfg.due_for(unit.code, report_code, period)
    if first is None:
        state, received, message_id = "missing", None, None
    else:
        received, message_id = first
        state = "on_time" if received.date() <= due else "late"
    return UnitState(unit_code=unit.code, name=unit.name, kind=unit.kind, district=unit.district, due=due,
                     state=state, received_at=received, message_id=message_id,
                     overdue=state == "missing" and today > due, expected=expected)
