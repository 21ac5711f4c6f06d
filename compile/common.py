"""Small helpers every compile module shares: local dates, Vietnamese date words, safe text.

Kept apart so the modules that build mail, workbooks and plans stay about their own job.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jinja2

from store.config import Config

from store.domain import Period, Report

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# local@domain, the domain holding a dot with something on each side. The dot is checked apart:
# "[^…]+\.[^…]+$" (the class holding the dot) is quadratic on "a@b.b.b.b… ".
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@([^@\s<>,;\"]+)$")
TEMPLATES = Path(__file__).parent / "templates"


def local_now(cfg: Config, now: dt.datetime) -> dt.datetime:
    """`now` in the configured time zone; a naive `now` is refused because dates decide deadlines."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(cfg.timezone)


def iso(cfg: Config, now: dt.datetime) -> str:
    """The store's time format: ISO 8601 with offset, in the configured time zone."""
    return local_now(cfg, now).isoformat(timespec="seconds")


def parse_time(cfg: Config, text: str | None) -> dt.datetime | None:
    """A stored time back as an aware datetime in the configured zone (None when unreadable)."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=cfg.timezone)
    return value.astimezone(cfg.timezone)


def vn_date(day: dt.date | dt.datetime | None) -> str:
    """dd/mm/yyyy, as document-style.md asks for dates in letters."""
    return day.strftime("%d/%m/%Y") if day else ""


def vn_datetime(value: dt.datetime | None) -> str:
    return value.strftime("%H:%M ngày %d/%m/%Y") if value else ""


def vn_long_date(place: str, day: dt.date) -> str:
    """'Bình Phước, ngày 05 tháng 12 năm 2024': leading zeros below 10 and for months 1-2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def clean(text: object, limit: int = 500) -> str:
    """Untrusted text made safe to place in a mail body or header: no control characters, bounded."""
    value = _CONTROL.sub("", str(text or "")).replace("\r", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def one_line(text: object, limit: int = 200) -> str:
    """For headers and table cells: also no line breaks."""
    return " ".join(clean(text, limit * 2).split())[:limit]


def valid_address(addr: str) -> bool:
    m = _ADDRESS.match(addr or "")
    return m is not None and "." in m.group(1)[1:-1]


def number(value: float | None) -> int | float | None:
    """Whole numbers as int so workbooks and mails show 12, not 12.0."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def fmt_number(value: float | None) -> str:
    """Vietnamese thousands separator: 3.250; decimals with a comma."""
    n = number(value)
    if n is None:
        return ""
    if isinstance(n, int):
        return f"{n:,}".replace(",", ".")
    return f"{n:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def find_period(cfg: Config, report_code: str, period_id: str) -> tuple[Report, Period]:
    """The configured report and period, or a KeyError naming what is unknown."""
    report = cfg.report(report_code)
    if report is None:
        raise KeyError(f"unknown report {report_code!r}")
    period = report.period(period_id)
    if period is None:
        raise KeyError(f"unknown period {period_id!r} of report {report_code!r}")
    return report, period


_ENV: jinja2.Environment | None = None


def env() -> jinja2.Environment:
    """One jinja2 environment; autoescape on for HTML so unit-supplied strings are never markup.

    Plain-text templates are not HTML-escaped (it would print '&lt;' to the reader); their
    untrusted strings go through `clean`, which strips control characters."""
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True)
        _ENV.filters.update(vn_date=vn_date, vn_datetime=vn_datetime, num=fmt_number, clean=clean)
    return _ENV


def render(name: str, **context: object) -> str:
    return env().get_template(name).render(**context)


def wrapped_lines(text: str, per_line: float) -> int:
    """How many lines `text` wraps to at `per_line` characters a line, word by word (what a
    spreadsheet's wrapped cell needs in row height: a cut line hides the end of a label)."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines
