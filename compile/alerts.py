"""Incident alerts: an ad-hoc case report becomes an immediate mail to the division, once.

Run after each poll. The outbox row and `incidents.alerted_at` are written in one transaction,
so an incident is alerted exactly once even if the job is interrupted; a follow-up mail about
the same case joins the incident (the core's case key) and raises no second alert.
"""
from __future__ import annotations

import datetime as dt
import logging

from compile import aggregate, mail, outbox
from compile.common import clean, iso, one_line, parse_time, render, valid_address, vn_date, vn_datetime
from store import facts, incidents
from store.config import Config
from store.db import Database

log = logging.getLogger("baocao.alerts")


def recipients(cfg: Config) -> tuple[str, ...]:
    """`[incidents] recipients` when set, else the digest's."""
    listed = cfg.incidents.recipients or cfg.digest.recipients
    return tuple(a for a in listed if isinstance(a, str) and valid_address(a))


def queue(db: Database, cfg: Config, now: dt.datetime) -> list[int]:
    ids = []
    for inc in aggregate.incidents(db, cfg):
        if inc.alerted_at:
            continue
        row = _queue_one(db, cfg, inc, now)
        if row is not None:
            ids.append(row)
    return ids


def _queue_one(db: Database, cfg: Config, inc: aggregate.Incident, now: dt.datetime) -> int | None:
    unit = cfg.unit(inc.unit_code)
    unit_name = unit.name if unit else (inc.unit_code or "đơn vị chưa xác định")
    msg_row = facts.heading(db, inc.message_id) or ("", "", None)
    to = recipients(cfg)
    day = _day(inc.occurred_on)
    subject = one_line(f"[Báo cáo nhanh vụ việc] {inc.category_label} ngày {day} - {unit_name}", 250)
    account = [clean(line, 600) for line in (inc.summary or "").splitlines() if line.strip()]
    unit_contact = ", ".join(dict.fromkeys(a for a in ((unit.emails if unit else ()) + (one_line(msg_row[0], 200),)) if a))
    context = dict(org=cfg.organisation, department=cfg.outbox.sender_name, unit_name=unit_name, inc=inc, day=day,
                   account=account, from_addr=one_line(msg_row[0], 200), unit_contact=unit_contact,
                   mail_subject=one_line(msg_row[1], 300), received=vn_datetime(parse_time(cfg, msg_row[2])),
                   contact=cfg.organisation.contact or cfg.outbox.sender)
    _, original, refs = facts.thread(db, inc.message_id) or (None, None, None)   # threaded to the unit's mail
    original, refs = original or "", refs or ""
    message = mail.build(cfg, mail.Letter(
        to=to, subject=subject, text=render("alert.txt.j2", **context), html=render("alert.html.j2", **context),
        in_reply_to=original, references=" ".join(r for r in (refs, original) if r)), now)
    problem = "" if to else "no recipients: [incidents] or [digest] recipients lists no valid address"
    new = outbox.prepare(cfg, "alert", f"alert:incident:{inc.incident_id}", message, now,
                             status="failed" if problem else "pending", error=problem)
    row = outbox.added(incidents.queue_alert(db, new, inc.incident_id, iso(cfg, now)), new)
    if row is not None:
        log.info("alert queued for incident %s (%s, %s)", inc.incident_id, inc.unit_code, inc.category)
    return row


def _day(text: str) -> str:
    try:
        return vn_date(dt.date.fromisoformat((text or "")[:10]))
    except ValueError:
        return "chưa rõ"
