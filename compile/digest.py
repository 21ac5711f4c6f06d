"""The digest to the division: completeness, figures, cases, warnings and what an admin must see.

Cadence (`[digest]`): `weekly_on` (a weekday, e.g. "mon") while a period is open (from
`weekly_days_before_due` days before its due date, default 30, or its start, until the due date),
`after_due_days` after the due date (caught up for a week if the daemon was down), and once
`when_complete` when the last expected unit has reported. At most one digest per report and
period per run of `due`; the dedupe keys (`digest:R:P:week-2024-W26`, `...:after-due`,
`...:complete`, `...:manual-<time>`) make each one go once.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from compile import aggregate, chart, mail, outbox, workbook
from parsers import vocabulary
from compile.common import clean, find_period, local_now, parse_time, render, vn_date, vn_datetime
from compile.completeness import compute
from store import outbox as outbox_rows
from store.config import WEEKDAYS, Config
from store.db import Database

log = logging.getLogger("baocao.digest")
CHART_CID = "bieu-do-tien-do@baocao"


@dataclass(frozen=True)
class BuiltDigest:
    report_code: str
    period_id: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str
    workbook: bytes
    workbook_name: str
    chart_png: bytes


# ---------------------------------------------------------------- cadence

def due(db: Database, cfg: Config, now: dt.datetime) -> list[tuple[str, str, str]]:
    """(report_code, period_id, reason) for every digest the cadence asks for now and not yet queued."""
    today = local_now(cfg, now).date()
    out = []
    for report in cfg.reports:
        for period in report.periods:
            reason = _reason(db, cfg, report.code, period, today, now)
            if reason:
                out.append((report.code, period.id, reason))
    return out


def _reason(db, cfg: Config, report_code: str, period, today: dt.date, now: dt.datetime) -> str | None:
    d = cfg.digest
    comp = None
    if d.when_complete and today >= (period.start or period.due - dt.timedelta(days=183)):
        comp = compute(db, cfg, report_code, period.id, now)
        if comp.complete and not outbox.exists(db, key(report_code, period.id, "complete", today)):
            return "complete"
    after = d.after_due_days
    first_after = period.due + dt.timedelta(days=int(after or 0))
    if after is not False and after is not None and first_after <= today <= first_after + dt.timedelta(days=6) \
            and not outbox.exists(db, key(report_code, period.id, "after_due", today)):
        return "after_due"
    weekday = d.weekly_on
    opens = max(period.start or dt.date.min, period.due - dt.timedelta(days=d.weekly_days_before_due))
    if weekday in WEEKDAYS and opens <= today <= period.due and today.weekday() >= WEEKDAYS.index(weekday) \
            and not _digest_this_week(db, cfg, report_code, period.id, today):
        comp = comp or compute(db, cfg, report_code, period.id, now)
        if not comp.complete:
            return "weekly"
    return None


def key(report_code: str, period_id: str, reason: str, today: dt.date, now: dt.datetime | None = None) -> str:
    """The dedupe key: one per week, one after the due date, one when complete; any other reason
    (on demand: "manual", "on demand", ...) is keyed by the time, so each request goes."""
    if reason == "weekly":
        year, week, _ = today.isocalendar()
        return f"digest:{report_code}:{period_id}:week-{year}-W{week:02d}"
    if reason in ("after_due", "complete"):
        return f"digest:{report_code}:{period_id}:{reason.replace('_', '-')}"
    return f"digest:{report_code}:{period_id}:manual-{(now or dt.datetime.min).isoformat(timespec='seconds')}"


def _digest_this_week(db, cfg: Config, report_code: str, period_id: str, today: dt.date) -> bool:
    rows = outbox_rows.queued(db, "digest", key_prefix=f"digest:{report_code}:{period_id}:")
    week = today.isocalendar()[:2]
    return any((t := parse_time(cfg, r.created_at)) is not None and t.date().isocalendar()[:2] == week for r in rows)


def _last_digest(db, cfg: Config, now: dt.datetime) -> dt.datetime | None:
    times = [parse_time(cfg, r.created_at) for r in outbox_rows.queued(db, "digest")]
    earlier = [t for t in times if t is not None and t < now]
    return max(earlier) if earlier else None


# ---------------------------------------------------------------- building

MAX_LIST = 15          # lines of one list in the mail; the rest are counted and left to the workbook


def build(db: Database, cfg: Config, report_code: str, period_id: str,
          now: dt.datetime) -> BuiltDigest:
    """The digest for the division's head: forwardable as it is (no private address, no admin
    list: those go to the admin digest, `build_admin`); every total says how many units it covers;
    the previous period is compared over the same units only."""
    report, period = find_period(cfg, report_code, period_id)
    local = local_now(cfg, now)
    comp = compute(db, cfg, report.code, period.id, now)
    fig = aggregate.figures(db, cfg, report.code, period.id)
    names = {u.code: u.name for u in cfg.units}
    since = _last_digest(db, cfg, now)
    warnings = [{"unit": names.get(w.unit_code, w.unit_code), "detail": private(clean(w.detail or w.rule, 300))}
                for w in aggregate.warnings(db, report.code, period.id)]
    looks = [{"unit": names.get(c.unit_code, c.unit_code), "indicator": _label(report, c.indicator),
              "raw": private(clean(c.raw, 200)), "source": private(clean(c.source, 300)),
              "method": workbook.METHOD_LABELS.get(c.method, c.method)} for c in fig.cells if c.needs_look]
    context = {
        "report": report, "period": period, "org": cfg.organisation, "department": cfg.outbox.sender_name,
        "contact": cfg.organisation.contact or cfg.outbox.sender, "as_of": vn_datetime(local),
        "due": vn_date(period.due), "comp": comp, "overdue": local.date() > period.due,
        "coverage": coverage(comp), "groups": groups(comp), "arrivals": arrivals(comp),
        "missing": missing_by_kind(comp),
        "figures": _figure_rows(report, fig, len(comp.received)), "previous": report.period(fig.previous_period)
        if fig.previous_period else None,
        "cases": _cases(report, fig, names, cfg.digest.cases_section),
        "warnings": capped(warnings), "looks": capped(looks),
        "incidents": capped([{"unit": names.get(i.unit_code, i.unit_code), "date": _date_text(i.occurred_on),
                              "category": i.category_label, "summary": private(clean(i.summary, 600))}
                             for i in aggregate.incidents(db, cfg, since=since, until=now)]),
        "since": vn_datetime(since) if since else "",
        "cid": CHART_CID,
    }
    subject = (f"[{report.title}] Tổng hợp báo cáo {period.label}: {len(comp.received)}/{comp.expected_count}"
               f" đơn vị đã gửi (đến ngày {vn_date(local)})")
    return BuiltDigest(
        report_code=report.code, period_id=period.id, recipients=cfg.digest.recipients,
        subject=subject, text=render("digest.txt.j2", **context), html=render("digest.html.j2", **context),
        workbook=workbook.build(db, cfg, report.code, now, period.id),
        workbook_name=f"Tong-hop-{report.code}-{period.id}-{local:%Y%m%d}.xlsx",
        chart_png=chart.completeness_png(comp, local.date()))


@dataclass(frozen=True)
class AdminDigest:
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str
    count: int


def admin_recipients(cfg: Config) -> tuple[str, ...]:
    return cfg.digest.admin_recipients or ((cfg.organisation.contact,) if cfg.organisation.contact else ())


def build_admin(db: Database, cfg: Config, now: dt.datetime) -> AdminDigest:
    """The admin's digest: every mail that waits for an admin (failures, unplaced mail, reports
    from personal or unauthenticated addresses), each with the command that settles it. Kept out
    of the head's digest, which is forwarded."""
    local = local_now(cfg, now)
    items = [{"message_id": a.message_id, "what": a.what, "detail": clean(a.detail, 300), "command": a.command}
             for a in aggregate.admin_items(db)]
    context = {"org": cfg.organisation, "department": cfg.outbox.sender_name, "as_of": vn_datetime(local),
               "admin": capped(items, 60)}
    subject = f"[Quản trị] {len(items)} thư cần xem xét trong hệ thống tiếp nhận báo cáo (đến ngày {vn_date(local)})"
    return AdminDigest(admin_recipients(cfg), subject, render("admin.txt.j2", **context),
                       render("admin.html.j2", **context), len(items))


def queue_admin(db: Database, cfg: Config, now: dt.datetime) -> int | None:
    """The admin digest, at most one a day, when something waits and someone receives it."""
    built = build_admin(db, cfg, now)
    dedupe = f"digest-admin:{local_now(cfg, now).date().isoformat()}"
    if not built.count or not built.recipients or outbox.exists(db, dedupe):
        return None
    letter = mail.Letter(to=built.recipients, subject=built.subject, text=built.text, html=built.html)
    return outbox.add(db, cfg, "digest", dedupe, mail.build(cfg, letter, now), now)


def percent(part: int, whole: int) -> str:
    """"48 %" as Vietnamese writes it (a comma for decimals, a space before the sign)."""
    if not whole:
        return "0 %"
    value = 100 * part / whole
    text = f"{value:.0f}" if value == int(value) or value >= 10 else f"{value:.1f}".replace(".", ",")
    return f"{text} %"


def coverage(comp) -> dict:
    received, expected = len(comp.received), comp.expected_count
    return {"received": received, "expected": expected, "percent": percent(received, expected),
            "on_time": len(comp.on_time), "late": len(comp.late), "missing": len(comp.missing)}


def groups(comp) -> dict[str, list[dict]]:
    """Reported / expected by unit kind and by district, the groups in the order of the units file."""
    out: dict[str, list[dict]] = {}
    for name, key in (("kind", lambda u: workbook.kind_label(u.kind)), ("district", lambda u: u.district or "Khác")):
        rows: dict[str, dict] = {}
        for u in comp.units:
            if not u.expected:
                continue
            row = rows.setdefault(key(u), {"name": key(u), "received": 0, "expected": 0, "late": 0})
            row["expected"] += 1
            row["received"] += u.state != "missing"
            row["late"] += u.state == "late"
        out[name] = [dict(r, percent=percent(r["received"], r["expected"])) for r in rows.values()]
    return out


def missing_by_kind(comp) -> list[dict]:
    """The units not yet in, one line per kind ("Trường THPT (24): Hùng Vương, Đồng Xoài, …"): every
    unit named, in a few lines rather than fifty."""
    out: dict[str, list[str]] = {}
    for u in comp.missing:
        label = workbook.kind_label(u.kind)
        short = u.name[len(label):].strip(" -") if u.name.lower().startswith(label.lower()) else u.name
        out.setdefault(label, []).append(short or u.name)
    return [{"kind": k, "names": v} for k, v in out.items()]


def arrivals(comp) -> dict:
    """Who reported and when: the late ones named with their date first, then the others, capped."""
    late = sorted((u for u in comp.units if u.state == "late" and u.received_at), key=lambda u: u.received_at)
    on_time = sorted((u for u in comp.units if u.state == "on_time" and u.received_at), key=lambda u: u.received_at)
    rows = [{"name": u.name, "when": vn_date(u.received_at), "late": True} for u in late] + \
           [{"name": u.name, "when": vn_date(u.received_at), "late": False} for u in on_time]
    return capped(rows, MAX_LIST * 2)


def capped(items: list[dict], limit: int = MAX_LIST) -> dict:
    """At most `limit` lines, identical lines said once with their count; `more` counts the rest."""
    merged: dict[str, dict] = {}
    for item in items:
        key = repr(sorted(item.items()))
        if key in merged:
            merged[key]["times"] += 1
        else:
            merged[key] = dict(item, times=1)
    lines = list(merged.values())
    return {"lines": lines[:limit], "more": sum(x["times"] for x in lines[limit:]), "count": len(items)}


_ADDRESS = re.compile(r"[\w.+-]{1,64}@([\w-]{1,63}(?:\.[\w-]{1,63}){1,8})")


def private(text: str) -> str:
    """A mail address that is not an official one (a teacher's Gmail) does not go to the head's
    digest, which is forwarded: it is written "(địa chỉ cá nhân)"."""
    official = vocabulary.active().words("personal_domain")
    return _ADDRESS.sub(lambda m: "(địa chỉ cá nhân)" if m.group(1).lower() in official
                        or not m.group(1).lower().endswith((".vn", ".gov")) else m.group(0), text)


def _label(report, code: str) -> str:
    ind = report.indicator(code)
    return ind.label if ind else code


def _date_text(text: str) -> str:
    try:
        return vn_date(dt.date.fromisoformat(text[:10]))
    except ValueError:
        return clean(text, 40)


def _figure_rows(report, fig: aggregate.Figures, received: int) -> list[dict]:
    """Each indicator: its total, how many of the units that reported gave it, and the previous
    period over the same units (with how many)."""
    rows = []
    for i in report.indicators:
        same = fig.comparison(i.code)
        rows.append({"section": i.section, "label": i.label, "unit": i.unit, "total": fig.total.get(i.code),
                     "units": fig.reporting(i.code), "received": received,
                     "same_units": same.units if same else 0, "now": same.now if same else None,
                     "before": same.before if same else None,
                     "change": (same.now - same.before) if same else None})
    return rows


def _cases(report, fig: aggregate.Figures, names: dict[str, str], section: str) -> dict:
    """Section D (cases) by unit: only the units that reported at least one case."""
    inds = [i for i in report.indicators if i.section == section]
    rows = []
    for unit in fig.units():
        values = [fig.value(unit, i.code) for i in inds]
        if any(c is not None and c.value for c in values):
            rows.append({"unit": names.get(unit, unit),
                         "values": [c.value if c is not None else None for c in values],
                         "parts": [(i.label, c.value) for i, c in zip(inds, values) if c is not None and c.value]})
    return {"indicators": inds, "rows": rows, "total": [fig.total.get(i.code) for i in inds]}


# ---------------------------------------------------------------- queueing and files

def letter(built: BuiltDigest) -> mail.Letter:
    return mail.Letter(to=built.recipients, subject=built.subject, text=built.text, html=built.html,
                       inline_png=built.chart_png, inline_cid=CHART_CID,
                       attachments=(mail.Attachment(built.workbook_name, built.workbook, *mail.XLSX),))


def queue(db: Database, cfg: Config, report_code: str, period_id: str, now: dt.datetime,
          reason: str = "manual") -> int | None:
    """Build and queue one digest; None when this reason's digest was queued before or nobody receives it."""
    dedupe = key(report_code, period_id, reason, local_now(cfg, now).date(), now)
    if outbox.exists(db, dedupe):
        return None
    if not cfg.digest.recipients:
        log.warning("digest %s %s not queued: [digest] recipients is empty", report_code, period_id)
        return None
    built = build(db, cfg, report_code, period_id, now)
    row = outbox.add(db, cfg, "digest", dedupe, mail.build(cfg, letter(built), now), now)
    if row is not None:
        log.info("digest queued: %s (%s)", dedupe, reason)
        queue_admin(db, cfg, now)
    return row


def write_files(built: BuiltDigest, folder: Path | str) -> list[Path]:
    """`digest --dry-run`: the HTML, the text, the workbook and the chart as files, nothing sent."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"digest-{built.report_code}-{built.period_id}"
    html = built.html.replace(f"cid:{CHART_CID}", f"{stem}.png")  # so the saved page shows the chart
    files = {folder / f"{stem}.html": html.encode("utf-8"), folder / f"{stem}.txt": built.text.encode("utf-8"),
             folder / built.workbook_name: built.workbook, folder / f"{stem}.png": built.chart_png}
    for path, data in files.items():
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return list(files)
