"""The domain: reports and their periods, indicators and rules; units; deadline extensions.

Immutable records (named tuples, for the reason `store.config` gives) built once from the
configuration (`store.config`) and the units file, read by every floor. The one rule for "which period is meant" when nothing names it lives here
(`Report.nearest_period`), so intake, the command line and the digest agree on it.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

PERIOD_RE = re.compile(r"^(\d{4})(?:(S[12])|(Q[1-4])|(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])?)?$")


class Indicator(NamedTuple):
    """One figure of a report's form: its code, the section and label the form prints."""
    code: str
    section: str
    label: str
    unit: str = ""
    synonyms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()   # regexes for narrative text; group 1 is the number


class Period(NamedTuple):
    """One period a report is due for (a half-year, a quarter, a month, a year) and its due date."""
    id: str
    label: str
    due: dt.date
    start: dt.date | None = None
    phrases: tuple[str, ...] = ()    # extra words that name this period in mail

    @property
    def year(self) -> int:
        return int(self.id[:4])

    @property
    def kind(self) -> str:
        """'year', 'semester', 'quarter', 'month' or 'day', from the DHIS2-style id."""
        if len(self.id) == 4:
            return "year"
        if self.id[4] == "S":
            return "semester"
        if self.id[4] == "Q":
            return "quarter"
        return "month" if len(self.id) == 6 else "day"


def nearest(periods: tuple[Period, ...] | list[Period], day: dt.date) -> Period | None:
    """Of `periods`, the one due nearest to `day`; a tie goes to the later one."""
    return min(periods, key=lambda p: (abs((p.due - day).days), p.due < day)) if periods else None


class Rule(NamedTuple):
    """`lower <= upper` on one submission's values."""
    lower: str
    upper: str


class Report(NamedTuple):
    """One periodic report: its form (indicators, rules), its periods, the words that name it."""
    code: str
    title: str
    keywords: tuple[str, ...]
    periods: tuple[Period, ...]
    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...] = ()
    annual_not_below_sections: tuple[str, ...] = ()

    def period(self, pid: str) -> Period | None:
        return next((p for p in self.periods if p.id == pid), None)

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def nearest_period(self, day: dt.date) -> Period:
        """The period in question on `day`: the one whose due date is nearest (a few days after
        the 6-month deadline, that is the 6-month period, not the annual one months away); a tie
        goes to the later one. The one rule for "which period" when nothing names it."""
        period = nearest(self.periods, day)
        if period is None:   # the configuration check makes every report list at least one period
            raise ValueError(f"report {self.code} has no period")
        return period


class Unit(NamedTuple):
    """One reporting unit (a school, a district office): its addresses, names and reports."""
    code: str
    name: str
    kind: str
    district: str
    emails: tuple[str, ...]
    aliases: tuple[str, ...]
    reports: tuple[str, ...] = ()
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    parent: str = ""          # the body above the unit, as its letterhead names it (optional column)

    def owes(self, report_code: str, on: dt.date) -> bool:
        """Whether this unit is expected to send `report_code` for a period due `on`."""
        if self.reports and report_code not in self.reports:
            return False
        if self.active_from and on < self.active_from:
            return False
        if self.active_to and on > self.active_to:
            return False
        return True


class Extension(NamedTuple):
    """A later due date granted to one unit for one report and period."""
    unit: str
    report: str
    period: str
    due: dt.date
