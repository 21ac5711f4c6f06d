"""Receipts (optional, `[receipts] enabled`): a reply saying what was understood from a report mail.

RFC 3834: the reply carries `Auto-Submitted: auto-replied` and In-Reply-To/References, and goes
only to a person: never to mail that is itself automatic (Auto-Submitted, Precedence
bulk/list/junk, List-Id, a null return path, delivery reports, mailer-daemon), never to our own
address, and never more than `max_per_address_per_day` (default 3) times a day to one address.
What the rules need about the original (why it is automatic, its thread) was stored on the
message's row at intake: nothing here reads the raw mail.
"""
from __future__ import annotations

import datetime as dt
import logging

from compile import mail, outbox, wording
from compile.common import clean, local_now, one_line, parse_time, render, valid_address, vn_date, vn_datetime
from store import facts
from store import outbox as outbox_rows
from store.config import Config
from store.db import Database

log = logging.getLogger("baocao.receipts")


def queue_pending(db: Database, cfg: Config, now: dt.datetime) -> list[int]:
    """Plan receipts from the store, like reminders and alerts: every report mail recorded in the
    last `store.facts.RECEIPT_DAYS` without a receipt decision gets one now. State decides: a poll killed
    between a report's save and its receipt loses nothing, the next poll's planning finds it."""
    if not cfg.receipts.enabled:
        return []
    return [row for mid in facts.unanswered_reports(db, now) if (row := queue(db, cfg, mid, now, quiet=True)) is not None]


def queue(db: Database, cfg: Config, message_id: int, now: dt.datetime,
          quiet: bool = False) -> int | None:
    """Queue the receipt for one processed report mail; None (with the reason logged) when none is due."""
    why = skip_reason(db, cfg, message_id, now)
    if why:
        (log.debug if quiet else log.info)("no receipt for message %s: %s", message_id, why)
        return None
    row = facts.thread(db, message_id)
    if row is None:   # skip_reason has just read the message, so it is there
        raise RuntimeError(f"message {message_id} vanished while its receipt was planned")
    letter = _letter(db, cfg, message_id, row[0].strip().lower(), row[1] or "", row[2] or "", now)
    return outbox.add(db, cfg, "receipt", f"receipt:{message_id}", mail.build(cfg, letter, now), now)


def skip_reason(db: Database, cfg: Config, message_id: int, now: dt.datetime) -> str:
    """Why no receipt goes for this message ('' when one should)."""
    if not cfg.receipts.enabled:
        return "receipts are disabled"
    row = facts.sender(db, message_id)
    if row is None:
        return "no such message"
    status, addr, auto = row[0], (row[1] or "").strip().lower(), row[2]
    if status != "report":
        return f"status is {status}"
    if not valid_address(addr):
        return "no valid sender address"
    if addr == (cfg.outbox.sender or "").lower():
        return "the sender is our own address"
    if auto:
        return f"automatic mail ({auto})"
    if outbox.exists(db, f"receipt:{message_id}"):
        return "already answered"
    placed = facts.placed(db, message_id)
    received = parse_time(cfg, placed[3]) if placed else None
    age = cfg.receipts.max_age_days
    if received is not None and now - received > dt.timedelta(days=age):
        return f"the mail is {(now - received).days} days old (more than [receipts] max_age_days = {age})"
    cap = cfg.receipts.max_per_address_per_day
    if _sent_today(db, cfg, addr, now) >= cap:
        return f"{addr} already got {cap} receipts today"
    return ""


def _sent_today(db: Database, cfg: Config, addr: str, now: dt.datetime) -> int:
    today = local_now(cfg, now).date()
    return sum(1 for _key, to, created in outbox_rows.queued(db, "receipt")
               if to.strip().lower() == addr and (t := parse_time(cfg, created)) is not None and t.date() == today)


def _letter(db: Database, cfg: Config, message_id: int, addr: str, header_id: str, thread: str,
            now: dt.datetime) -> mail.Letter:
    msg = facts.placed(db, message_id)
    if msg is None:   # v_messages has a row for every message, and `queue` has found this one
        raise RuntimeError(f"message {message_id} vanished while its receipt was planned")
    unit, report = cfg.unit(msg[0] or ""), cfg.report(msg[1] or "")
    period = report.period(msg[2]) if report else None
    title = report.title if report else "Báo cáo"
    to, cc = _addressees(db, unit, addr, message_id)
    sub = facts.submission(db, message_id)
    context = {
        "timing": _timing(sub), "version": _version(cfg, sub), "forwarded": bool(cc),
        "unit_name": unit.name if unit else (msg[0] or "chưa xác định"), "title": title,
        "period_label": period.label if period else (msg[2] or "chưa xác định"),
        "received": vn_datetime(parse_time(cfg, msg[3])), "subject": one_line(msg[4], 300),
        "files": [{"name": one_line(f[0], 200), "type": f[1] or ""} for f in facts.files(db, message_id)],
        "values": _values(db, report, message_id),
        "warnings": [clean(w[0] or w[1], 300) for w in facts.warnings(db, message_id)],
        "unread": [{"name": one_line(f[0] or "", 200), "reason": wording.problem(f[1])}
                   for f in facts.unread(db, message_id)],
        "contact": cfg.organisation.contact or cfg.outbox.sender, "org": cfg.organisation,
        "department": cfg.outbox.sender_name,
    }
    refs = " ".join(x for x in (thread.split() + [header_id]) if x)
    subject = f"[{title}] Xác nhận đã nhận báo cáo {context['period_label']} - {context['unit_name']}"
    return mail.Letter(to=to, subject=subject, text=render("receipt.txt.j2", **context),
                       extra_headers=(("Cc", ", ".join(cc)),) if cc else (),
                       auto_submitted="auto-replied", in_reply_to=header_id, references=one_line(refs, 900))


def _addressees(db: Database, unit, addr: str, message_id: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(to, cc): the sender; but a report that came from another address than the unit's own (a
    forward by a clerk, a teacher's personal mail) is confirmed to the unit's official address,
    the sender in copy — so a unit learns of a report sent in its name."""
    official = tuple(e.strip().lower() for e in (unit.emails if unit else ()) if valid_address(e))
    if not official or addr in official or facts.sender_known(db, message_id):
        return (addr,), ()
    return (official[0],), (addr,)


def _timing(sub: dict | None) -> str:
    """On time or late, against the due date (the unit's first report decides)."""
    if not sub or not sub.get("due"):
        return ""
    due = vn_date(dt.date.fromisoformat(sub["due"][:10]))
    if sub["first_on_time"]:
        return f"đúng hạn (hạn gửi: {due})"
    return f"trễ hạn (hạn gửi: {due})"


def _version(cfg: Config, sub: dict | None) -> str:
    """Which earlier mail this one replaces or supplements."""
    if not sub or int(sub["version"]) <= 1:
        return ""
    before = vn_datetime(parse_time(cfg, sub["previous_received"])) if sub.get("previous_received") else "trước"
    if sub["submission"] == "supplement":
        return (f"Đây là thư bổ sung, điều chỉnh (lần gửi thứ {sub['version']}): các số liệu của thư này được cập "
                f"nhật vào báo cáo đơn vị đã gửi; các số liệu khác giữ nguyên.")
    return (f"Đây là lần gửi thứ {sub['version']}: báo cáo này thay thế báo cáo đơn vị gửi lúc {before} "
            "và được sử dụng để tổng hợp.")


def _values(db, report, message_id: int) -> list[dict]:
    """The values read from this mail (best file per indicator, as v_values ranks them)."""
    seen, out = set(), []
    labels = {i.code: i.label for i in report.indicators} if report else {}
    order = {i.code: n for n, i in enumerate(report.indicators)} if report else {}
    rows = facts.values(db, message_id)
    for code, value, raw in sorted(rows, key=lambda r: order.get(r[0], 999)):
        if code in seen:
            continue
        seen.add(code)
        out.append({"label": labels.get(code, code), "value": value, "raw": clean(raw, 100)})
    return out
