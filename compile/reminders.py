"""Reminders to units whose report is missing: plan (pure over the store), then queue.

Stages, from `[reminders]`: `due-N` on the due date minus N days (`days_before`), then `after-K`
every `every_days_after` days after the due date, at most `max_after` times. The unit's own due
date counts (`[[extensions]]`). On a given day only the LATEST stage whose date has come is
sent, and only while it is current (until the next stage's date; the last one for
`every_days_after` days): after downtime or at a fresh start a unit gets one reminder, never a
back-log, and after the due date the next one waits `every_days_after` days from it (a catch-up
is not followed by the next stage the next day). A unit never gets two reminders for one period
on the same local day, whatever the configuration did meanwhile, and the dedupe key (`reminder:R:P:UNIT:STAGE`) makes queueing
idempotent. A unit whose first report arrived (up to `now`) gets nothing more; a reminder still
pending delivery when its report arrives is withdrawn.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from compile import mail, outbox
from compile.common import iso, local_now, one_line, parse_time, render, valid_address, vn_date
from compile.completeness import first_submissions
from store import outbox as outbox_rows
from store.config import Config
from store.db import Database
from store.domain import Period, Report, Unit

log = logging.getLogger("baocao.reminders")


@dataclass(frozen=True)
class PlannedMail:
    kind: str
    dedupe_key: str
    report_code: str
    period_id: str
    unit_code: str
    stage: str
    recipients: tuple[str, ...]
    subject: str
    due: dt.date
    overdue: bool
    problem: str = ""           # why it cannot be sent (e.g. no valid address); queued as failed


def stages(cfg: Config, due: dt.date) -> list[tuple[dt.date, str]]:
    """(date, stage) in date order from the `[reminders]` policy."""
    pol = cfg.reminders
    before = sorted(set(pol.days_before), reverse=True)
    every = pol.every_days_after
    out = [(due - dt.timedelta(days=n), f"due-{n}") for n in before]
    out += [(due + dt.timedelta(days=every * k), f"after-{k}") for k in range(1, pol.max_after + 1)]
    return sorted(out)


def current_stage(cfg: Config, due: dt.date, today: dt.date) -> str | None:
    """The one stage to send today, or None (before the first stage or after the last one expired)."""
    seq = stages(cfg, due)
    every = cfg.reminders.every_days_after
    for i, (when, name) in enumerate(seq):
        until = seq[i + 1][0] if i + 1 < len(seq) else when + dt.timedelta(days=every)
        if when <= today < until:
            return name
    return None


def plan(db: Database, cfg: Config, now: dt.datetime) -> list[PlannedMail]:
    """Every reminder that would be queued now (the `--dry-run` list); reads the store only."""
    if not cfg.reminders.enabled:
        return []
    today = local_now(cfg, now).date()
    last = _last_reminded(db, cfg)
    every = cfg.reminders.every_days_after
    out = []
    for report in cfg.reports:
        for period in report.periods:
            firsts = None
            for unit in cfg.units:
                if not unit.owes(report.code, period.due):
                    continue
                due = cfg.due_for(unit.code, report.code, period)
                stage = current_stage(cfg, due, today)
                previous = last.get((report.code, period.id, unit.code))
                if stage is None or previous == today:
                    continue
                if stage.startswith("after-") and previous is not None and (today - previous).days < every:
                    continue      # a catch-up was sent lately: the next one waits its interval
                firsts = firsts if firsts is not None else first_submissions(db, cfg, report.code, period.id, now)
                key = f"reminder:{report.code}:{period.id}:{unit.code}:{stage}"
                if unit.code in firsts or outbox.exists(db, key):
                    continue
                out.append(_planned(report, period, unit, stage, due, today, key))
    return out


def _planned(report: Report, period: Period, unit: Unit, stage: str, due: dt.date, today: dt.date,
             key: str) -> PlannedMail:
    to = tuple(a for a in unit.emails if valid_address(a))
    overdue = today > due
    late = " (đã quá hạn)" if overdue else ""
    subject = one_line(f"[{report.title}] Nhắc nộp báo cáo {period.label}{late} - {unit.name}", 250)
    problem = "" if to else f"no valid address: unit {unit.code} has no valid e-mail address in the units file"
    return PlannedMail(kind="reminder", dedupe_key=key, report_code=report.code, period_id=period.id,
                       unit_code=unit.code, stage=stage, recipients=to, subject=subject, due=due,
                       overdue=overdue, problem=problem)


def _last_reminded(db: Database, cfg: Config) -> dict[tuple[str, str, str], dt.date]:
    """(report, period, unit) -> the local day of its latest reminder row."""
    out: dict[tuple[str, str, str], dt.date] = {}
    for key, _to, created in outbox_rows.queued(db, "reminder"):
        when = parse_time(cfg, created)
        parts = key.split(":")
        if when is not None and len(parts) >= 5:
            k = (parts[1], parts[2], parts[3])
            out[k] = max(out.get(k, when.date()), when.date())
    return out


def queue(db: Database, cfg: Config, now: dt.datetime) -> list[int]:
    """Insert the planned reminders into the outbox; returns the new row ids (none on a second run)."""
    withdraw_answered(db, cfg, now)
    ids = []
    for pm in plan(db, cfg, now):
        msg = mail.build(cfg, letter(db, cfg, pm, now), now)
        row_id = outbox.add(db, cfg, "reminder", pm.dedupe_key, msg, now,
                            status="failed" if pm.problem else "pending", error=pm.problem)
        if row_id is not None:
            ids.append(row_id)
            log.info("reminder queued: %s to %s", pm.dedupe_key, ", ".join(pm.recipients) or "(nobody)")
    return ids


def letter(db: Database, cfg: Config, pm: PlannedMail, now: dt.datetime) -> mail.Letter:
    report = cfg.report(pm.report_code)
    period = report.period(pm.period_id) if report is not None else None
    unit = cfg.unit(pm.unit_code)
    if report is None or period is None or unit is None:   # `plan` took all three from this configuration
        raise RuntimeError(f"{pm.dedupe_key}: report, period or unit not in the configuration")
    form = blank_form(cfg, report, unit, period)
    attachments: tuple[mail.Attachment, ...] = ()
    if form is not None:
        name = f"Mau-bao-cao-{report.code}-{period.id}-{unit.code}.xlsx"
        attachments = (mail.Attachment(name, form, *mail.XLSX),)
    text = render("reminder.txt.j2", unit=unit, report=report, period=period, due=vn_date(pm.due),
                  today=vn_date(local_now(cfg, now)), overdue=pm.overdue, has_form=form is not None,
                  contact=cfg.organisation.contact or cfg.outbox.sender, org=cfg.organisation,
                  department=cfg.outbox.sender_name)
    return mail.Letter(to=pm.recipients, subject=pm.subject, text=text, attachments=attachments)


def blank_form(cfg: Config, report: Report, unit: Unit, period: Period) -> bytes | None:
    """The blank form for this unit and period; None (logged) when it cannot be written."""
    from compile.form import build_template
    try:
        return build_template(cfg, report, unit, period)
    except Exception as exc:  # noqa: BLE001 - a broken form must not stop the reminder itself
        log.warning("blank form for %s %s %s not attached: %s", report.code, period.id, unit.code, exc)
        return None


def withdraw_answered(db: Database, cfg: Config, now: dt.datetime) -> int:
    """Pending reminders whose report has arrived since they were queued are not sent."""
    count = 0
    for row_id, key in outbox_rows.pending_of_kind(db, "reminder"):
        parts = key.split(":")
        if len(parts) < 5:
            continue
        if parts[3] in first_submissions(db, cfg, parts[1], parts[2], now):
            outbox_rows.withdraw(db, row_id, f"withdrawn: the report arrived before delivery ({iso(cfg, now)})")
            count += 1
    return count
