"""Deciding what a message is: which report, which unit, which period; or an incident; or
none of our business. Pure functions over `Evidence`, table-tested.

The division's mailbox receives every kind of mail, and many other periodic reports share the
period words ("6 tháng đầu năm", "sơ kết", "tổng kết"), so a report is recognised by what it is
about (the report's keywords), and period words only choose among its periods.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest import units as unitfind
from parsers import authres, vocabulary
from parsers.mime import unquoted
from parsers.text import fold, padded
from parsers.vocabulary import Vocabulary
from store.config import Config
from store.domain import Period, Report, nearest


@dataclass(frozen=True)
class Evidence:
    subject: str
    from_addr: str
    from_name: str
    body: str
    filenames: tuple[str, ...]
    received: dt.datetime                      # aware, in the configured time zone
    automatic: str | None = None
    forwarded_subjects: tuple[str, ...] = ()
    forwarded_from: tuple[tuple[str, str], ...] = ()
    stated_units: tuple[str, ...] = ()         # "Đơn vị: ..." from the attached documents
    stated_periods: tuple[str, ...] = ()       # "Kỳ báo cáo: ..." from the attached documents
    document_text: str = ""                    # the attached documents' text (first pages)
    values_found: int = 0                      # indicator values read from the attachments
    values_report: str | None = None           # the configured report whose form gave them (the most)
    own_addresses: tuple[str, ...] = ()        # our mailbox / outbox addresses (forwards by the division)
    remembered: tuple[tuple[str, str], ...] = ()  # (address, unit) taught by an admin
    from_problem: str | None = None            # why the From: header cannot be trusted (None: it can)
    authentication: tuple[authres.Result, ...] | None = None  # the trusted servers' results; None: not checked


@dataclass(frozen=True)
class Decision:
    status: str                     # report | incident | ignored | unplaced
    why: str
    report_code: str | None = None
    unit_code: str | None = None
    unit_how: str = ""
    sender_known: int | None = None
    period: str | None = None
    period_how: str = ""
    flags: tuple[str, ...] = ()
    category: str | None = None     # incidents
    occurred_on: dt.date | None = None


# ---------------------------------------------------------------- vocabulary
# The words are parsers/words.toml's (with the configuration's `[vocabulary]`); here, the
# patterns built from them, for folded text.

NEGATED_CASE = vocabulary.regex(lambda v: rf"\b{v.any('negation')}\b[^.;\n]*")
REPLY_PREFIX = vocabulary.regex(lambda v: rf"^\s*{v.any('reply_prefix')}\b", re.I)
YEAR_RX = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
SCHOOL_YEAR_RX = vocabulary.regex(lambda v: rf"{v.any('school_year')}\s+20\d\d(?:\s+20\d\d)?|20\d\d\s+20\d\d")
# "năm 2024" between spaces: a calendar year (in text padded and without its school years)
YEAR_PHRASE = vocabulary.regex(lambda v: rf" {v.any('year_word')} (20\d\d) ")


def _has(text_padded: str, words: tuple[str, ...]) -> str | None:
    return next((w for w in words if f" {w} " in text_padded), None)


def report_keyword(report: Report, text_padded: str) -> str | None:
    return _has(text_padded, tuple(fold(k) for k in report.keywords))


# ---------------------------------------------------------------- status

def _topic(cfg: Config, text: str) -> tuple[Report | None, str | None]:
    p = padded(text)
    for report in cfg.reports:
        kw = report_keyword(report, p)
        if kw:
            return report, kw
    return None, None


def incident_category(text: str, v: Vocabulary | None = None) -> str | None:
    p = padded(text)
    for cat, words in (v or vocabulary.active()).categories():
        if _has(p, words):
            return cat
    return None


def _other_business(v: Vocabulary, subject: str) -> str | None:
    """A document type that is not a report (a plan, an invitation...) named before any report word."""
    words = fold(subject).split()
    names = [n.split() for n in v.words("report_name")]
    first_report = next((i for i in range(len(words)) if any(words[i:i + len(n)] == n for n in names)), len(words))
    return _has(padded(" ".join(words[:first_report])), v.words("other_document"))


def _question(v: Vocabulary, ev: Evidence) -> str | None:
    """The question phrase a mail opens with: its subject (after "Re:") or the first lines of its
    text, where people write "cho em hỏi …" after the greeting."""
    subject = fold(ev.subject)
    reply = REPLY_PREFIX(v).match(subject)
    subject = subject[reply.end():].strip() if reply else subject
    asked = next((q for q in v.words("question") if subject == q or subject.startswith(q + " ")), None)
    return asked or _has(padded(unquoted(ev.body)[:400]), v.words("question"))


def decide_kind(cfg: Config, ev: Evidence) -> tuple[str, Report | None, str]:
    """('report' | 'incident' | 'ignored', report, why) from what the mail is about."""
    if ev.automatic:
        return "ignored", None, f"automatic mail ({ev.automatic})"
    v = vocabulary.of(cfg)
    report_words = v.words("report_name", "report")
    subject = " ".join((ev.subject, *ev.forwarded_subjects))
    names = " ".join(ev.filenames)
    head = padded(subject)
    is_report_word = bool(_has(head, report_words)) or bool(_has(padded(names), report_words))
    other_doc = _other_business(v, subject)
    reply = REPLY_PREFIX(v).match(fold(ev.subject))
    if other_doc and reply and ev.filenames:
        other_doc = None  # a reply to our reminder (or to a plan) carrying files: the unit's report
    if _has(head, v.words("reminder")) and not ev.filenames and ev.values_found < 3:
        return "ignored", None, "a reply about our reminder without a report"
    question = _question(v, ev)
    if question and ev.values_found == 0:
        return "ignored", None, f"a question about the report (\u201c{question}\u201d), without a filled form"
    category = incident_category(subject, v)
    explicit = _has(head, v.words("incident_explicit"))
    case_words = _has(head, v.words("case_word"))
    not_a_case = _has(head, v.words("not_a_case"))
    if explicit and not other_doc and (category or case_words or not not_a_case):
        return "incident", None, f"subject names an ad-hoc case ({explicit})"
    if reply and not ev.filenames and ev.values_found < 3 \
            and len(fold(unquoted(ev.body))) < 400 and not (category or case_words):
        return "ignored", None, "a short reply without a report"
    report, kw = _topic(cfg, f"{subject} {names}")
    reporting = is_report_word or ev.values_found >= 3 or _has(padded(ev.body[:3000]), report_words)
    if report and not other_doc and reporting:
        return "report", report, f"about {report.code} ({kw})"
    about_case = is_report_word or fold(subject).startswith(v.words("about_prefix")) \
        or _has(head, v.words("incident_strong"))
    programme = not_a_case and not (case_words or explicit)  # "công tác phòng, chống đuối nước"
    if category and about_case and not other_doc and not programme and not _period_kind(head, v):
        return "incident", None, f"subject reports a case ({category})"
    if other_doc:
        return "ignored", None, f"other business ({other_doc}), not a unit's report"
    # The subject is silent ("Fwd:", "gửi anh", a file name): let the text and the documents speak.
    text = f"{ev.body[:3000]}\n{ev.document_text[:3000]}"
    body_report, body_kw = _topic(cfg, text)
    if body_report and (ev.values_found >= 3 or is_report_word or _has(padded(ev.body[:3000]), report_words)):
        return "report", body_report, f"about {body_report.code} ({body_kw}, from the text)"
    affirmed = NEGATED_CASE(v).sub(" ", fold(ev.body[:3000]))  # "không để xảy ra vụ việc ..." reports no case
    b_strong = _has(f" {affirmed} ", v.words("incident_strong"))
    b_cat = incident_category(affirmed, v)
    if b_strong and b_cat and not _period_kind(f" {affirmed} ", v) and not _period_kind(head, v):
        return "incident", None, f"the text reports a case ({b_strong}, {b_cat})"
    if report:
        return "ignored", None, f"about {report.code} ({kw}) but not a report"
    filled = cfg.report(ev.values_report or "")
    if ev.values_found >= 5 and filled is not None:
        return "report", filled, f"the attached form has {filled.code} values"
    return "ignored", None, "not about a configured report"


# ---------------------------------------------------------------- unit

def decide_unit(cfg: Config, ev: Evidence) -> tuple[str | None, str, int, tuple[str, ...]]:
    """(unit code, how, sender_known, flags). The address first, when the From: header can be
    trusted; else the names people write. A unit's address is checked against the receiving
    server's authentication results (`sender_flags`)."""
    unit, how, known, flags = _unit(cfg, ev)
    if ev.from_problem:
        flags = (*flags, "suspicious-from")
    return unit, how, known, flags


def sender_flags(ev: Evidence) -> tuple[tuple[str, ...], str]:
    """(flags, why) for mail whose unit rests on its From address: `possible-spoofing` when the
    trusted results say the address is not the sender's (DMARC fail; without DMARC, an SPF fail
    and no aligned DKIM pass), `not-authenticated` when nothing trusted ties the mail to the
    address (no trusted result at all, or none that passes)."""
    if ev.authentication is None:
        return ("not-authenticated",), "not checked (no Authentication-Results from a trusted server)"
    found = authres.verdict(ev.authentication, ev.from_addr)
    if found.spoofed:
        return ("possible-spoofing",), found.why
    return (() if found.authenticated else ("not-authenticated",)), found.why


def _unit(cfg: Config, ev: Evidence) -> tuple[str | None, str, int, tuple[str, ...]]:
    v = vocabulary.of(cfg)
    by_address = {a: u.code for u in cfg.units for a in u.emails}
    by_address.update({a.lower(): code for a, code in ev.remembered})
    own = {a.lower() for a in ev.own_addresses}
    if ev.from_addr in by_address and not ev.from_problem:
        flags, why = sender_flags(ev)
        return by_address[ev.from_addr], f"sender address {ev.from_addr} (authentication: {why})", 1, flags
    if ev.from_addr in own or not ev.from_addr or ev.forwarded_from:
        for _, addr in ev.forwarded_from:
            if addr in by_address:
                return by_address[addr], f"forwarded from {addr}", 1, ()
    sources = [("display name", ev.from_name), ("subject", " ".join((ev.subject, *ev.forwarded_subjects))),
               ("file name", " ".join(ev.filenames)), ("document", " ".join(ev.stated_units)),
               ("forwarded sender", " ".join(n for n, _ in ev.forwarded_from))]
    for how, text in sources:
        code = unitfind.single(unitfind.find_units(text, cfg.units, v))
        if code:
            return code, f"{how} names the unit", 0, _content_flags(v, ev)
        unknown = unitfind.unknown_school(text, v) if how in ("display name", "subject") else None
        if unknown:  # a school the units file does not know: weaker evidence must not place it elsewhere
            return None, f"{how} names a unit not in the units file ({unknown})", 0, ()
    body = ev.body[:6000]
    code = unitfind.single(unitfind.find_units(body, cfg.units, v), dominant=True)
    if code:
        return code, "the mail text names the unit", 0, _content_flags(v, ev)
    code = unitfind.single(unitfind.find_units(ev.document_text[:4000], cfg.units, v), dominant=True)
    if code:
        return code, "the document names the unit", 0, _content_flags(v, ev)
    return None, "no unit named", 0, ()


def _own_domain(ev: Evidence) -> bool:
    """Mail from our own organisation's domain that names no unit is the Department's own
    business (a request, a reminder, a forward without the original)."""
    domains = {a.rsplit("@", 1)[-1].lower() for a in ev.own_addresses if "@" in a}
    return "@" in ev.from_addr and ev.from_addr.rsplit("@", 1)[-1] in domains


def _content_flags(v: Vocabulary, ev: Evidence) -> tuple[str, ...]:
    domain = ev.from_addr.rsplit("@", 1)[-1] if "@" in ev.from_addr else ""
    personal = domain in v.set("personal_domain")
    return ("unknown-sender", "personal-address" if personal else "possible-spoofing")


# ---------------------------------------------------------------- period

def _period_kind(text_padded: str, v: Vocabulary) -> str | None:
    if _has(text_padded, v.words("semester2")):
        return "semester2"
    if _has(text_padded, v.words("semester1")):
        return "semester1"
    stripped = SCHOOL_YEAR_RX(v).sub(" ", text_padded)
    if _has(stripped, v.words("annual")) or YEAR_PHRASE(v).search(stripped):
        return "year"
    return None


def _year(text_padded: str, v: Vocabulary) -> int | None:
    stripped = SCHOOL_YEAR_RX(v).sub(" ", text_padded)
    m = YEAR_PHRASE(v).search(stripped) or YEAR_RX.search(stripped)
    if m:
        return int(m.group(1))
    school = re.search(r"20\d\d\s+(20\d\d)", text_padded)  # "năm học 2023-2024": the later year
    return int(school.group(1)) if school else None


def _nearest(periods: tuple[Period, ...], when: dt.date) -> Period | None:
    return nearest(periods, when)


def decide_period(report: Report, ev: Evidence, v: Vocabulary | None = None) -> tuple[str | None, str]:
    """The period id and how it was decided (with the active vocabulary unless `v` is given):
    the one the mail names (`named_period`), else the one due nearest the received date."""
    named = named_period(report, ev, v)
    if named is not None:
        return named
    chosen = _nearest(report.periods, ev.received.date())
    return (chosen.id, "nearest period to the received date") if chosen else (None, "no period")


def named_period(report: Report, ev: Evidence, v: Vocabulary | None = None) -> tuple[str, str] | None:
    """(period id, how) when the mail itself names the period — its subject, file names, the
    documents' stated period, its text — else None (only the received date would say)."""
    v = v or vocabulary.active()
    when = ev.received.date()
    sources = [("subject", " ".join((ev.subject, *ev.forwarded_subjects))), ("file name", " ".join(ev.filenames)),
               ("document", " ".join(ev.stated_periods)), ("mail text", ev.body[:3000])]
    for how, text in sources:
        p = padded(text)
        for period in report.periods:
            if any(f" {fold(ph)} " in p for ph in period.phrases):
                return period.id, f"{how} names it"
        kind = _period_kind(p, v)
        if not kind:
            continue
        year = _year(p, v)
        candidates = [pd for pd in report.periods if _kind_matches(pd, kind)]
        if year:
            exact = [pd for pd in candidates if pd.year == year]
            if exact:
                return exact[0].id, f"{how} says {kind} {year}"
            return _period_id(kind, year), f"{how} says {kind} {year} (not a configured period)"
        chosen = _nearest(tuple(candidates), when)
        if chosen:
            return chosen.id, f"{how} says {kind}; year from the received date"
    return None


def _kind_matches(period: Period, kind: str) -> bool:
    if kind == "year":
        return period.kind == "year"
    return period.kind == "semester" and period.id.endswith("S1" if kind == "semester1" else "S2")


def _period_id(kind: str, year: int) -> str:
    return {"year": f"{year}", "semester1": f"{year}S1", "semester2": f"{year}S2"}[kind]


# ---------------------------------------------------------------- incidents

# "ngày 12 tháng 6 năm 2024" and "ngày 12 tháng 6" (folded); "12/6/2024" and "tối 12/6" (as written)
DATE_WRITTEN = vocabulary.regex(lambda v: rf"{v.any('day_word')}\s+(\d{{1,2}})\s+{v.any('month_word')}\s+(\d{{1,2}})"
                                          rf"(?:\s+{v.any('year_word')}\s+(20\d\d))?")
DATE_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(20\d\d)(?!\d)")
DATE_SHORT = re.compile(r"(?<![\d/.-])(\d{1,2})\s*/\s*(\d{1,2})(?![\d/.-])")
LOOKBACK = 40    # characters before a date searched for the words that make it the event's (case_time)


def occurred_on(text: str, fallback: dt.date, v: Vocabulary | None = None) -> dt.date:
    """The date of the case written in the text, not after the mail arrived nor months before it.

    A date just after the words of an event ("vào tối 17/8", "lúc 6 giờ sáng ngày 3/7/2024") is
    the case's; otherwise the first plausible date, a full one before one without its year, the
    mail's own day (a letter's date) last; then "hôm qua" (the day before the mail); else the
    mail's own date."""
    v = v or vocabulary.active()
    folded = " ".join(fold(text).split())
    raw = " ".join(text.replace("\u00a0", " ").split())
    found: list[tuple[int, int, dt.date]] = []        # (rank, position, date): the lowest wins
    for rx, hay in ((DATE_WRITTEN(v), folded), (DATE_NUMERIC, raw), (DATE_SHORT, raw)):
        for m in rx.finditer(hay):
            day = _plausible(m.group(1), m.group(2), m.group(3) if rx.groups >= 3 else None, fallback)
            if day is None:
                continue
            before = f" {fold(hay[max(0, m.start() - LOOKBACK):m.start()])} "
            event = any(f" {w} " in before for w in v.words("case_time"))
            has_year = rx.groups >= 3 and m.group(3) is not None
            # the day the mail was sent is the letter's own date ("Hớn Quản, ngày 02 tháng 6"), unless
            # the words say it is the event's: another date comes first
            rank = 0 if event else (1 if has_year else 2) + (2 if day == fallback else 0)
            found.append((rank, m.start(), day))
    if found:
        return min(found)[2]
    padded_text = f" {folded} "
    for words, days in sorted(v.pairs("yesterday").items(), key=lambda kv: -len(kv[0])):
        if f" {words} " in padded_text:
            return fallback - dt.timedelta(days=int(days))
    return fallback


def _plausible(day: str, month: str, year: str | None, fallback: dt.date) -> dt.date | None:
    try:
        if year is not None:
            when = dt.date(int(year), int(month), int(day))
        else:
            when = dt.date(fallback.year, int(month), int(day))
            if when > fallback:
                when = dt.date(fallback.year - 1, int(month), int(day))
    except ValueError:
        return None
    return when if fallback - dt.timedelta(days=120) <= when <= fallback else None


def submission(v: Vocabulary, subject: str, body: str, figures: int, indicators: int,
               earlier: bool) -> tuple[str, str]:
    """('full' | 'supplement', why) for a report mail. A supplement adds or corrects a few figures
    of the unit's report for the period: its figures are merged into the latest full report, its
    blank cells replace nothing (`v_values`). It needs an earlier report to supplement; then it is
    one that gives fewer than half the form's figures (a few corrected cells, the missing rows, a
    scan alone), or says it corrects or adds ("bổ sung", "điều chỉnh số liệu") without giving
    them all. A full form that gives every figure replaces, whatever its words."""
    if not earlier:
        return "full", ""
    said = _has(padded(f"{subject} {body[:1500]}"), v.words("supplement"))
    if figures < max(2, (indicators + 1) // 2):
        return "supplement", f"a supplement: {figures} of the form's {indicators} figures, merged into the full report"
    if said and figures < indicators:
        return "supplement", f"a supplement (\u201c{said}\u201d): {figures} of {indicators} figures, merged"
    return "full", ""


def decide(cfg: Config, ev: Evidence) -> Decision:
    v = vocabulary.of(cfg)
    kind, report, why = decide_kind(cfg, ev)
    unit, unit_how, known, flags = decide_unit(cfg, ev)
    kept = tuple(f for f in flags if f == "suspicious-from")   # what an ignored mail still says
    if kind == "ignored":  # not attributed to a unit; sender_known still says whether the address is known
        return Decision("ignored", why, sender_known=known if known == 1 else 0, flags=kept)
    if kind == "incident":
        text = f"{ev.subject}\n{ev.body[:4000]}\n{ev.document_text[:4000]}"
        return Decision("incident", why, unit_code=unit, unit_how=unit_how, sender_known=known, flags=flags,
                        category=incident_category(text, v) or "khac",
                        occurred_on=occurred_on(text, ev.received.date(), v))
    assert report is not None
    period, period_how = decide_period(report, ev, v)
    if unit is None and _own_domain(ev):
        return Decision("ignored", f"from the Department itself ({ev.from_addr}), not a unit's report",
                        sender_known=0, flags=kept)
    if unit is None and not ev.filenames and ev.values_found < 3:
        return Decision("ignored", f"{why}, but nothing to place: no file, no figures, no unit named",
                        sender_known=0, flags=kept)
    if unit is None:
        return Decision("unplaced", f"{why}; the unit could not be told", report_code=report.code,
                        unit_how=unit_how, sender_known=0, period=period, period_how=period_how, flags=flags)
    if known == 1 and "possible-spoofing" in flags and cfg.mailbox.dmarc_fail == "unplaced":
        return Decision("unplaced", f"{why}; the sender address is {unit}'s but failed authentication "
                        "([mailbox] dmarc_fail = \"unplaced\")", report_code=report.code,
                        unit_how=unit_how, sender_known=0, period=period, period_how=period_how, flags=flags)
    return Decision("report", why, report_code=report.code, unit_code=unit, unit_how=unit_how,
                    sender_known=known, period=period, period_how=period_how, flags=flags)
