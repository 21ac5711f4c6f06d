"""Who has reported: per unit on time, late or missing, as of `now`, in the configured time zone.

One implementation: the rule is the store's view `v_completeness` (data-contract.md: decided by
the unit's FIRST submission, against the unit's own due date after any extension; a correction
after the due date does not make an on-time report late), and `status`, the digest and the
reminders all read it through `compute`. What is in the store has arrived, whatever `--now`
says, so the view and every command agree; the clock adds only whether a missing report is
overdue yet: before the unit's due date it is "not yet due" (`overdue` False, label
"Chưa nhận (còn hạn)"), after it "missing" ("Chưa nộp (quá hạn)").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from compile.common import find_period, local_now, parse_time
from store import queries
from store.config import Config
from store.db import Database
from store.domain import Unit

STATE_LABELS = {"on_time": "Đúng hạn", "late": "Trễ hạn", "missing": "Chưa nộp (quá hạn)",
                "awaiting": "Chưa nhận (còn hạn)"}


@dataclass(frozen=True)
class UnitState:
    unit_code: str
    name: str
    kind: str
    district: str
    due: dt.date
    state: str                        # on_time | late | missing (the view's words)
    received_at: dt.datetime | None
    message_id: int | None
    overdue: bool                     # missing and the (unit's) due date has passed
    expected: bool = True             # False: reported although not expected (closed unit, not owed)

    @property
    def shown(self) -> str:
        """The state in the command line's words: a missing report before its due date is 'not yet due'."""
        return "not yet due" if self.state == "missing" and not self.overdue else self.state

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


def compute(db: Database, cfg: Config, report_code: str, period_id: str,
            now: dt.datetime) -> Completeness:
    """The state of every unit for one period: the store's `v_completeness` (the one rule: first
    submission against the unit's own due date, expected units from the units file), with the
    clock's part added — whether a missing report is overdue yet at `now`."""
    report, period = find_period(cfg, report_code, period_id)
    today = local_now(cfg, now).date()
    order = {u.code: n for n, u in enumerate(cfg.units)}
    rows = sorted(queries.completeness_rows(db, report.code, period.id),
                  key=lambda r: (order.get(r["unit_code"], len(order)), r["unit_code"]))
    states = [_state(cfg, r, today) for r in rows]
    return Completeness(report_code=report.code, period_id=period.id, period_label=period.label,
                        due=period.due, as_of=local_now(cfg, now), units=tuple(states))


def first_submissions(db: Database, cfg: Config, report_code: str, period_id: str,
                      now: dt.datetime) -> dict[str, tuple[dt.datetime, int]]:
    """unit -> (received_at, message_id) of its first report mail: the units that have reported."""
    return {u.unit_code: (u.received_at, u.message_id) for u in compute(db, cfg, report_code, period_id, now).units
            if u.received_at is not None and u.message_id is not None}


def _state(cfg: Config, row: dict, today: dt.date) -> UnitState:
    unit = cfg.unit(row["unit_code"]) or Unit(code=row["unit_code"], name=row["unit_code"], kind="",
                                               district="", emails=(), aliases=())  # removed from the file
    due = dt.date.fromisoformat(row["due"])
    return UnitState(unit_code=unit.code, name=unit.name, kind=unit.kind, district=unit.district, due=due,
                     state=row["state"], received_at=parse_time(cfg, row["received_at"]),
                     message_id=row["message_id"], overdue=row["state"] == "missing" and today > due,
                     expected=bool(row["expected"]))
