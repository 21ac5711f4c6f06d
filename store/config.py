"""Loading and validating the TOML configuration and the units CSV.

Validation happens once, at load, so a wrong key fails with one line naming it (exit 2) instead
of a traceback deep inside a job. Everything downstream receives immutable records.

The records, here and in `store.domain`, are named tuples (`_replace` makes a changed copy):
every command defines all of them as it starts, and a named tuple is defined in ~0.1 ms where a
frozen dataclass takes ~0.5 ms; the eighteen were ~9 ms of a `baocao poll` that finds nothing.
Being tuples, they also unpack and compare as tuples: code asks for fields by name.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store.domain import PERIOD_RE, Extension, Indicator, Period, Report, Rule, Unit
from store.errors import ConfigError


class MailboxConfig(NamedTuple):
    """`[mailbox]`: where the units' mail is read from (a Maildir, or an IMAP folder read-only)."""
    kind: str
    path: Path | None = None
    host: str = ""
    port: int = 993
    tls: str = "ssl"
    username: str = ""
    password_env: str = ""
    auth: str = "login"                 # login | xoauth2
    oauth2_token_env: str = ""
    oauth2_token_command: str = ""
    folder: str = "INBOX"
    batch_size: int = 50
    timeout: float = 60.0
    idle: bool = False
    max_fetch_attempts: int = 5         # polls that may try a message the server refuses to send
    authserv_id: tuple[str, ...] = ()   # the receiving servers whose Authentication-Results count
    dmarc_fail: str = "flag"            # flag | unplaced: a unit's address failing authentication

    def secret(self) -> str:
        """The password or OAuth2 token, read only when connecting; never stored in the config object."""
        if self.auth == "xoauth2":
            if self.oauth2_token_command:
                out = subprocess.run(shlex.split(self.oauth2_token_command), capture_output=True,
                                     text=True, timeout=60, check=False)
                if out.returncode != 0 or not out.stdout.strip():
                    raise ConfigError("mailbox.oauth2_token_command", "the command gave no token")
                return out.stdout.strip()
            return _env("mailbox.oauth2_token_env", self.oauth2_token_env)
        return _env("mailbox.password_env", self.password_env)


class OutboxConfig(NamedTuple):
    """`[outbox]`: how baocao's own mail leaves (SMTP, or .eml files in a folder)."""
    kind: str
    path: Path | None = None
    host: str = ""
    port: int = 587
    tls: str = "starttls"
    username: str = ""
    password_env: str = ""
    sender: str = ""                    # the `from` key
    sender_name: str = "Sở Giáo dục và Đào tạo"
    timeout: float = 30.0
    max_attempts: int = 5

    def secret(self) -> str:
        return _env("outbox.password_env", self.password_env) if self.password_env else ""


class Organisation(NamedTuple):
    """`[organisation]`: the Department as its documents and letters name it (Decree 30 header)."""
    parent: str = "UBND TỈNH BÌNH PHƯỚC"
    name: str = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    division: str = "Phòng Giáo dục Trung học"
    division_code: str = "GDTrH"
    symbol: str = "SGDĐT"
    place: str = "Bình Phước"
    contact: str = ""
    full_name: str = "Sở Giáo dục và Đào tạo tỉnh Bình Phước"    # as an addressee writes it ("Kính gửi: …")
    short_name: str = "SỞ GD&ĐT BÌNH PHƯỚC"     # the parent line of the units directly under it
    report_to: str = "Bộ Giáo dục và Đào tạo; Ủy ban nhân dân tỉnh Bình Phước"   # the Department's report goes to


class IntakeConfig(NamedTuple):
    """`[intake]`: how much of one message is decoded and how long its processing may take.

    Hostile mail is cut to these limits (and a defect says so) instead of stopping the poll.
    CPU seconds, not wall seconds: a loaded machine must not turn reports into failures."""
    max_depth: int = 40                  # MIME nesting levels decoded
    max_parts: int = 2000                # MIME parts decoded
    max_header_field_bytes: int = 65536  # one header field is cut here
    decode_cpu_seconds: float = 20.0     # decoding one message, in a worker
    decode_memory_mb: int = 1024
    parse_cpu_seconds: float = 60.0      # reading one attached file, in a worker
    parse_memory_mb: int = 1024
    max_files_read: int = 50             # attached files read per message; the rest archived, listed, not read
    quarantine_after: int = 2            # a message that stopped the process this often, read alone, is recorded failed


INTAKE_KEYS = IntakeConfig._fields


class ParsingConfig(NamedTuple):
    """`[parsing]`: how many messages are read at once. Each is decoded and its files read in
    long-lived worker processes (`parsers.isolate`); recording stays in order, one transaction
    per message. 0 means one per core."""
    workers: int = 0

    @property
    def threads(self) -> int:
        return self.workers or max(1, os.cpu_count() or 1)


class ScheduleConfig(NamedTuple):
    """`[schedule]`: the daemon's clock."""
    poll_seconds: int = 300                     # between polls in `baocao run`
    reminders_at: dt.time = dt.time(7, 30)      # local time of the daily reminder job
    digest_at: dt.time = dt.time(8, 0)          # local time of the daily digest check
    health_max_age_minutes: int = 30            # `baocao health` fails when the last good poll is older
    max_backoff_seconds: float = 900.0          # while the mailbox keeps failing, polls slow down to this
    repeat_log_minutes: float = 30.0            # a problem that lasts is logged again this often


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestConfig(NamedTuple):
    """`[digest]`: who receives digests and alerts, and when a digest is due."""
    recipients: tuple[str, ...] = ()
    weekly_on: str = "mon"                      # "mon" .. "sun"; "" (written `false`): no weekly digest
    weekly_days_before_due: int = 30            # the weekly digest starts this many days before a due date
    after_due_days: int | None = 1              # a digest this many days after the due date; None (`false`): none
    when_complete: bool = True                  # a digest when the last expected unit has reported
    cases_section: str = "D. Vụ việc"           # the form section the digest shows as cases
    admin_recipients: tuple[str, ...] = ()      # the admin digest (failures, unplaced mail, flags); () = organisation.contact


class RemindersConfig(NamedTuple):
    """`[reminders]`: the reminder policy."""
    enabled: bool = True
    days_before: tuple[int, ...] = (7, 3, 1)    # days before the due date
    every_days_after: int = 3                   # after it, every N days
    max_after: int = 3                          # at most this many times after the due date


class ReceiptsConfig(NamedTuple):
    """`[receipts]`: a reply to each report saying what was understood."""
    enabled: bool = False
    max_per_address_per_day: int = 3
    max_age_days: int = 3                       # mail older than this (a back-fill) is not answered


class IncidentsConfig(NamedTuple):
    """`[incidents]`: ad-hoc case reports."""
    recipients: tuple[str, ...] = ()            # empty: the digest's recipients
    # Deprecated: the words that make a mail an incident are the vocabulary's (`incident_strong`,
    # `incident_explicit`, the `category_*` tables; a division adds its own in `[vocabulary]`).
    # Still accepted so an older configuration loads; the command line warns that it is not read.
    keywords: tuple[str, ...] = ()


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL")


class LogConfig(NamedTuple):
    """`[log]`: the JSON-lines file log."""
    file: Path | None = None                    # None: baocao.log.jsonl next to the store
    level: str = "INFO"
    max_bytes: int = 10_000_000                 # rotate at this size (0: never)
    backups: int = 5                            # old files kept
    redact_env: tuple[str, ...] = ()            # more variables whose values never appear in a log


class Config(NamedTuple):
    """The whole configuration, checked when it is read: one frozen record per section."""
    path: Path
    timezone: ZoneInfo
    mailbox: MailboxConfig
    store_path: Path
    archive_path: Path
    outbox: OutboxConfig
    units_file: Path
    units: tuple[Unit, ...]
    reports: tuple[Report, ...]
    extensions: tuple[Extension, ...] = ()
    organisation: Organisation = Organisation()
    schedule: ScheduleConfig = ScheduleConfig()
    digest: DigestConfig = DigestConfig()
    reminders: RemindersConfig = RemindersConfig()
    receipts: ReceiptsConfig = ReceiptsConfig()
    incidents: IncidentsConfig = IncidentsConfig()
    log: LogConfig = LogConfig()
    intake: IntakeConfig = IntakeConfig()
    parsing: ParsingConfig = ParsingConfig()
    # `[vocabulary]`: a division's own recognition words, table name -> more entries (the tables
    # are those of parsers/words.toml, which checks the names when it merges them)
    vocabulary: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    busy_timeout_seconds: float = 30.0   # `[store] busy_timeout_seconds`: how long a locked store is waited for

    def report(self, code: str) -> Report | None:
        return next((r for r in self.reports if r.code == code), None)

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    @property
    def poll_seconds(self) -> int:
        return self.schedule.poll_seconds

    def due_for(self, unit: str, report: str, period: Period) -> dt.date:
        """The due date for one unit, after any `[[extensions]]`."""
        for ext in self.extensions:
            if (ext.unit, ext.report, ext.period) == (unit, report, period.id):
                return ext.due
        return period.due


def _env(key: str, name: str) -> str:
    if not name:
        raise ConfigError(key, "is required to read the secret")
    value = os.environ.get(name)
    if value is None:
        raise ConfigError(key, f"environment variable {name} is not set")
    return value


# ---------------------------------------------------------------- reading helpers

TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
ADDRESS_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def nearest_name(name: str, known: tuple[str, ...]) -> str | None:
    """The valid name `name` was most likely meant to be, or None when none is close."""
    import difflib
    if not known:
        return None
    folded = {k.lower(): k for k in known}
    if name.lower() in folded:
        return folded[name.lower()]
    best = min(known, key=lambda k: (_distance(name.lower(), k), -difflib.SequenceMatcher(None, name, k).ratio()))
    if _distance(name.lower(), best) <= (1 if len(name) <= 3 else 2 if len(name) <= 7 else 3):
        return best
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return near[0] if near else None


class _Table:
    """A TOML table with its dotted key, so every error names the full key."""

    def __init__(self, data: Any, key: str):
        if not isinstance(data, dict):
            raise ConfigError(key, "must be a table")
        self.data = data
        self.key = key

    def k(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def get(self, name: str, typ: type | tuple[type, ...], default: Any = ..., choices: tuple = ()) -> Any:
        if name not in self.data:
            if default is ...:
                raise ConfigError(self.k(name), "is missing")
            return default
        value = self.data[name]
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        types = typ if isinstance(typ, tuple) else (typ,)
        numeric = any(t in (int, float) for t in types) and bool not in types
        if not isinstance(value, typ) or (isinstance(value, bool) and numeric) \
                or (isinstance(value, dt.datetime) and dt.datetime not in types):
            want = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
            raise ConfigError(self.k(name), f"must be {want}, not {value!r}")
        if choices and value not in choices:
            raise ConfigError(self.k(name), f"must be one of {', '.join(map(repr, choices))}, not {value!r}")
        return value

    def only(self, known: tuple[str, ...]) -> None:
        """Reject a key this table does not have, naming the nearest valid one."""
        for name, value in self.data.items():
            if name not in known:
                near = nearest_name(name, known)
                hint = f" (did you mean `{near}`?)" if near else f" (valid: {', '.join(known)})"
                section = not self.key and (isinstance(value, dict) or
                                            (isinstance(value, list) and value and isinstance(value[0], dict)))
                raise ConfigError(self.k(name), f"unknown {'section' if section else 'key'}{hint}")

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.get(name, list, [])
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(self.k(name), "must be a list of strings")
        return tuple(value)

    def addresses(self, name: str) -> tuple[str, ...]:
        value = self.get(name, list, [])
        bad = next((v for v in value if not (isinstance(v, str) and ADDRESS_RE.match(v))), None)
        if bad is not None:
            raise ConfigError(self.k(name), f"must be a list of e-mail addresses, not {bad!r}")
        return tuple(value)

    def address(self, name: str, default: Any = ...) -> str:
        value = self.get(name, str, default)
        if not ADDRESS_RE.match(value):
            raise ConfigError(self.k(name), f"must be an e-mail address, not {value!r}")
        return value

    def number(self, name: str, typ: type, default: Any = ..., low: float | None = None,
               high: float | None = None, above: float | None = None) -> Any:
        """An int or float, with `low <= value <= high` and `value > above` where given."""
        value = self.get(name, typ, default)
        if low is not None and high is not None and not low <= value <= high:
            raise ConfigError(self.k(name), f"must be between {low} and {high}, not {value!r}")
        if low is not None and value < low:
            raise ConfigError(self.k(name), f"must be at least {low}, not {value!r}")
        if above is not None and not value > above:
            raise ConfigError(self.k(name), f"must be greater than {above}, not {value!r}")
        return value

    @overload
    def date(self, name: str) -> dt.date: ...

    @overload
    def date(self, name: str, default: None) -> dt.date | None: ...

    def date(self, name: str, default: Any = ...) -> dt.date | None:
        """An ISO date. Without a default the key is required (a missing one raises), so never None."""
        value = self.get(name, (str, dt.date), default)
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ConfigError(self.k(name), f"must be an ISO date (YYYY-MM-DD), not {value!r}") from None

    def time(self, name: str, default: dt.time) -> dt.time:
        """A local time of day, "HH:MM" (or a TOML local time)."""
        value = self.get(name, (str, dt.time), default)
        if isinstance(value, dt.time) and value.tzinfo is None:
            return value
        if not (isinstance(value, str) and TIME_RE.match(value)):
            raise ConfigError(self.k(name), f"{value!r} is not a time of day (HH:MM)")
        return dt.time.fromisoformat(value)

    def sub(self, name: str, required: bool = False) -> "_Table":
        if name not in self.data and not required:
            return _Table({}, self.k(name))
        return _Table(self.get(name, dict), self.k(name))

    def list_of_tables(self, name: str) -> list["_Table"]:
        items = self.get(name, list, [])
        return [_Table(item, f"{self.k(name)}[{i}]") for i, item in enumerate(items)]


_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a table", dt.date: "a date", dt.time: "a time of day"}


def _path(base: Path, table: _Table, name: str, default: Any = ...) -> Path:
    raw = table.get(name, str, default)
    p = Path(raw).expanduser()
    return p if p.is_absolute() else (base / p)


# ---------------------------------------------------------------- sections

MAILBOX_KEYS = ("kind", "path", "host", "port", "tls", "username", "password_env", "auth", "oauth2_token_env",
                "oauth2_token_command", "folder", "batch_size", "timeout", "idle", "max_fetch_attempts",
                "authserv_id", "dmarc_fail")
OUTBOX_KEYS = ("kind", "path", "host", "port", "tls", "username", "password_env", "from", "from_name",
               "timeout", "max_attempts")
REPORT_KEYS = ("code", "title", "keywords", "annual_not_below_sections", "periods", "indicators", "rules")
TOP_KEYS = ("timezone", "mailbox", "store", "archive", "intake", "parsing", "outbox", "units", "organisation", "schedule",
            "digest", "reminders", "receipts", "incidents", "log", "vocabulary", "reports", "extensions")


def _mailbox(t: _Table, base: Path) -> MailboxConfig:
    """Every key is checked whatever the kind; those of the other kind are kept but not used."""
    t.only(MAILBOX_KEYS)
    kind = t.get("kind", str, choices=("imap", "maildir"))
    imap = kind == "imap"
    tls = t.get("tls", str, "ssl", choices=("ssl", "starttls", "none"))
    auth = t.get("auth", str, "login", choices=("login", "xoauth2"))
    cfg = MailboxConfig(
        kind=kind, path=_path(base, t, "path") if not imap or "path" in t.data else None,
        host=t.get("host", str, ... if imap else ""),
        port=t.number("port", int, 993 if tls == "ssl" else 143, low=1, high=65535),
        tls=tls, username=t.get("username", str, ... if imap else ""), password_env=t.get("password_env", str, ""),
        auth=auth, oauth2_token_env=t.get("oauth2_token_env", str, ""),
        oauth2_token_command=t.get("oauth2_token_command", str, ""),
        folder=t.get("folder", str, "INBOX"), batch_size=t.number("batch_size", int, 50, low=1, high=1000),
        timeout=t.number("timeout", float, 60.0, above=0), idle=t.get("idle", bool, False),
        max_fetch_attempts=t.number("max_fetch_attempts", int, 5, low=1, high=100),
        authserv_id=_authserv_ids(t), dmarc_fail=t.get("dmarc_fail", str, "flag", choices=("flag", "unplaced")))
    if imap and auth == "login" and not cfg.password_env:
        raise ConfigError(t.k("password_env"), "is missing (the name of the environment variable holding the password)")
    if imap and auth == "xoauth2" and not (cfg.oauth2_token_env or cfg.oauth2_token_command):
        raise ConfigError(t.k("oauth2_token_env"), "or oauth2_token_command is required for auth = \"xoauth2\"")
    return cfg


def _authserv_ids(t: _Table) -> tuple[str, ...]:
    """`authserv_id`: one name or a list of names (the receiving servers' authserv-ids, as they
    write them first in Authentication-Results); empty trusts none."""
    value = t.get("authserv_id", (str, list), [])
    names = [value] if isinstance(value, str) else value
    if not all(isinstance(v, str) and " " not in v.strip() and ";" not in v for v in names):
        raise ConfigError(t.k("authserv_id"), "must be a server name or a list of server names "
                                             "(the authserv-id of Authentication-Results)")
    return tuple(v.strip().lower() for v in names if v.strip())


def _intake(t: _Table) -> IntakeConfig:
    t.only(INTAKE_KEYS)
    values: dict[str, Any] = {}
    for name in INTAKE_KEYS:
        default = IntakeConfig._field_defaults[name]
        values[name] = t.number(name, type(default), default, above=0)
    return IntakeConfig(**values)


def _parsing(t: _Table) -> ParsingConfig:
    t.only(("workers",))
    return ParsingConfig(workers=t.number("workers", int, 0, low=0, high=64))


def _store_section(t: _Table) -> float:
    t.only(("path", "busy_timeout_seconds"))
    timeout = t.number("busy_timeout_seconds", float, 30.0, above=0)
    if timeout > 3600:
        raise ConfigError(t.k("busy_timeout_seconds"), "must be between 0 and 3600 seconds")
    return float(timeout)


def _outbox(t: _Table, base: Path) -> OutboxConfig:
    """As `[mailbox]`: every key checked, those of the other kind kept but not used."""
    t.only(OUTBOX_KEYS)
    kind = t.get("kind", str, choices=("smtp", "folder"))
    smtp = kind == "smtp"
    tls = t.get("tls", str, "starttls", choices=("ssl", "starttls", "none"))
    return OutboxConfig(
        kind=kind, path=_path(base, t, "path") if not smtp or "path" in t.data else None,
        host=t.get("host", str, ... if smtp else ""),
        port=t.number("port", int, 465 if tls == "ssl" else 587, low=1, high=65535),
        tls=tls, username=t.get("username", str, ""), password_env=t.get("password_env", str, ""),
        sender=t.address("from", ... if smtp else "trunghoc@example.invalid"),
        sender_name=t.get("from_name", str, "Sở Giáo dục và Đào tạo"),
        timeout=t.number("timeout", float, 30.0, above=0), max_attempts=t.number("max_attempts", int, 5, low=1))


def _organisation(t: _Table) -> Organisation:
    t.only(Organisation._fields)
    return Organisation(**{k: t.get(k, str, Organisation._field_defaults[k]) for k in Organisation._fields})


def _schedule(t: _Table) -> ScheduleConfig:
    t.only(ScheduleConfig._fields)
    d = ScheduleConfig()
    return ScheduleConfig(
        poll_seconds=t.number("poll_seconds", int, d.poll_seconds, low=5),
        reminders_at=t.time("reminders_at", d.reminders_at), digest_at=t.time("digest_at", d.digest_at),
        health_max_age_minutes=t.number("health_max_age_minutes", int, d.health_max_age_minutes, low=1),
        max_backoff_seconds=t.number("max_backoff_seconds", float, d.max_backoff_seconds, above=0),
        repeat_log_minutes=t.number("repeat_log_minutes", float, d.repeat_log_minutes, above=0))


def _digest(t: _Table, reports: tuple[Report, ...]) -> DigestConfig:
    t.only(DigestConfig._fields)
    d = DigestConfig()
    weekly = t.get("weekly_on", (str, bool), d.weekly_on)
    if weekly is False:
        weekly = ""
    elif weekly is True or weekly.lower() not in WEEKDAYS + WEEKDAY_NAMES:
        raise ConfigError(t.k("weekly_on"), f"must be a day of the week (\"mon\" … \"sun\") or false, not {weekly!r}")
    after = t.get("after_due_days", (int, bool), d.after_due_days)
    if after is True or (after is not False and after < 0):
        raise ConfigError(t.k("after_due_days"), f"must be a number of days (0 or more) or false, not {after!r}")
    cases = t.get("cases_section", str, d.cases_section)
    if "cases_section" in t.data and not any(i.section == cases for r in reports for i in r.indicators):
        raise ConfigError(t.k("cases_section"), f"{cases!r} is not the section of any indicator")
    return DigestConfig(
        recipients=t.addresses("recipients"), weekly_on=weekly.lower()[:3],
        weekly_days_before_due=t.number("weekly_days_before_due", int, d.weekly_days_before_due, low=0),
        after_due_days=None if after is False else after, when_complete=t.get("when_complete", bool, d.when_complete),
        cases_section=cases, admin_recipients=t.addresses("admin_recipients"))


def _reminders(t: _Table) -> RemindersConfig:
    t.only(RemindersConfig._fields)
    d = RemindersConfig()
    days = t.get("days_before", list, list(d.days_before))
    bad = next((n for n in days if not isinstance(n, int) or isinstance(n, bool) or n < 0), None)
    if bad is not None:
        raise ConfigError(t.k("days_before"), f"must be a list of whole numbers of days (0 or more), not {bad!r}")
    return RemindersConfig(
        enabled=t.get("enabled", bool, d.enabled), days_before=tuple(days),
        every_days_after=t.number("every_days_after", int, d.every_days_after, low=1),
        max_after=t.number("max_after", int, d.max_after, low=0))


def _receipts(t: _Table) -> ReceiptsConfig:
    t.only(ReceiptsConfig._fields)
    d = ReceiptsConfig()
    return ReceiptsConfig(enabled=t.get("enabled", bool, d.enabled),
                          max_per_address_per_day=t.number("max_per_address_per_day", int,
                                                           d.max_per_address_per_day, low=1),
                          max_age_days=t.number("max_age_days", int, d.max_age_days, low=0))


def _incidents(t: _Table) -> IncidentsConfig:
    t.only(IncidentsConfig._fields)
    return IncidentsConfig(recipients=t.addresses("recipients"), keywords=t.strings("keywords"))


def _log(t: _Table, base: Path) -> LogConfig:
    t.only(LogConfig._fields)
    d = LogConfig()
    level = t.get("level", str, d.level)
    if level.upper() not in LOG_LEVELS:
        raise ConfigError(t.k("level"), f"must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    return LogConfig(
        file=_path(base, t, "file") if t.get("file", str, "") else None, level=level.upper(),
        max_bytes=t.number("max_bytes", int, d.max_bytes, low=0), backups=t.number("backups", int, d.backups, low=0),
        redact_env=t.strings("redact_env"))


def _period(t: _Table) -> Period:
    t.only(Period._fields)
    pid = t.get("id", str)
    if not PERIOD_RE.match(pid):
        raise ConfigError(t.k("id"), f"{pid!r} is not a period id such as 2024S1 or 2024")
    return Period(id=pid, label=t.get("label", str), due=t.date("due"), start=t.date("start", None),
                  phrases=t.strings("phrases"))


def _indicator(t: _Table) -> Indicator:
    t.only(Indicator._fields)
    ind = Indicator(code=t.get("code", str), section=t.get("section", str, ""), label=t.get("label", str),
                    unit=t.get("unit", str, ""), synonyms=t.strings("synonyms"), patterns=t.strings("patterns"))
    for j, pat in enumerate(ind.patterns):
        try:
            re.compile(pat)
        except re.error as exc:
            raise ConfigError(f"{t.k('patterns')}[{j}]", f"is not a valid regex: {exc}") from None
    return ind


def _report(t: _Table) -> Report:
    t.only(REPORT_KEYS)
    code = t.get("code", str)
    periods = tuple(_period(p) for p in t.list_of_tables("periods"))
    ids = [p.id for p in periods]
    if len(set(ids)) != len(ids):
        raise ConfigError(t.k("periods"), "period ids must be unique")
    indicators = tuple(_indicator(i) for i in t.list_of_tables("indicators"))
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes):
        raise ConfigError(t.k("indicators"), "indicator codes must be unique")
    rules = []
    for r in t.list_of_tables("rules"):
        r.only(Rule._fields)
        lower, upper = r.get("lower", str), r.get("upper", str)
        for key, c in (("lower", lower), ("upper", upper)):
            if c not in codes:
                raise ConfigError(r.k(key), f"{c!r} is not an indicator of report {code!r}")
        rules.append(Rule(lower, upper))
    keywords = t.strings("keywords")
    if not keywords:
        raise ConfigError(t.k("keywords"), "must list at least one keyword naming the report")
    if not periods:
        raise ConfigError(t.k("periods"), "must list at least one period")
    not_below = t.strings("annual_not_below_sections")
    sections = {i.section for i in indicators}
    for j, name in enumerate(not_below):
        if name not in sections:
            raise ConfigError(f"{t.k('annual_not_below_sections')}[{j}]",
                              f"{name!r} is not the section of an indicator of report {code!r}")
    return Report(code=code, title=t.get("title", str), keywords=keywords, periods=periods,
                  indicators=indicators, rules=tuple(rules), annual_not_below_sections=not_below)


def _extension(e: _Table, reports: tuple[Report, ...], units: tuple[Unit, ...]) -> Extension:
    e.only(Extension._fields)
    ext = Extension(unit=e.get("unit", str), report=e.get("report", str), period=e.get("period", str),
                    due=e.date("due"))
    if ext.unit not in {u.code for u in units}:
        raise ConfigError(e.k("unit"), f"{ext.unit!r} is not a unit of the units file")
    report = next((r for r in reports if r.code == ext.report), None)
    if report is None:
        raise ConfigError(e.k("report"), f"{ext.report!r} is not the code of a [[reports]] table")
    if report.period(ext.period) is None:
        raise ConfigError(e.k("period"), f"{ext.period!r} is not a period of report {ext.report!r}")
    return ext


def _date_cell(value: str, where: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(where, f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(";") if v.strip())


def load_units(path: Path) -> tuple[Unit, ...]:
    """Read the units CSV (header `code,name,kind,district,emails,aliases[,reports,active_from,active_to,parent]`)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError("units.file", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError("units.file", f"{path} is not UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    need = {"code", "name", "kind", "district", "emails", "aliases"}
    missing = need - set(reader.fieldnames or ())
    if missing:
        raise ConfigError("units.file", f"{path.name} lacks the column(s) {', '.join(sorted(missing))}")
    units, seen = [], set()
    for n, row in enumerate(reader, start=2):
        where = f"units.file:{path.name}:{n}"
        code = (row.get("code") or "").strip()
        if not code:
            raise ConfigError(where, "a unit without a code")
        if code in seen:
            raise ConfigError(where, f"unit code {code!r} appears twice")
        seen.add(code)
        units.append(Unit(
            code=code, name=(row.get("name") or "").strip(), kind=(row.get("kind") or "").strip(),
            district=(row.get("district") or "").strip(),
            emails=tuple(e.lower() for e in _split(row.get("emails"))), aliases=_split(row.get("aliases")),
            reports=_split(row.get("reports")), active_from=_date_cell(row.get("active_from") or "", where),
            active_to=_date_cell(row.get("active_to") or "", where), parent=(row.get("parent") or "").strip()))
    return tuple(units)


def _vocabulary(t: _Table) -> dict[str, tuple[str, ...]]:
    """`[vocabulary]`: every key a list of strings (which tables exist is the vocabulary's to say)."""
    return {name: t.strings(name) for name in t.data}


def load(path: str | os.PathLike[str]) -> Config:
    """Read and check the whole file: the first wrong, missing or unknown key is a ConfigError
    naming it (with the nearest valid name for a misspelt one)."""
    path = Path(path).resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("--config", f"{path} does not exist") from None
    except OSError as exc:
        raise ConfigError("--config", f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("--config", f"{path.name} is not valid TOML: {exc}") from None
    base = path.parent
    top = _Table(raw, "")
    top.only(TOP_KEYS)
    tzname = top.get("timezone", str, "Asia/Ho_Chi_Minh")
    try:
        tz = ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("timezone", f"{tzname!r} is not a known time zone") from None
    mailbox = _mailbox(top.sub("mailbox", required=True), base)
    store = top.sub("store", required=True)
    busy_timeout = _store_section(store)
    archive = top.sub("archive", required=True)
    archive.only(("path",))
    outbox = _outbox(top.sub("outbox", required=True), base)
    units_table = top.sub("units", required=True)
    units_table.only(("file",))
    units_file = _path(base, units_table, "file")
    organisation = _organisation(top.sub("organisation"))
    intake = _intake(top.sub("intake"))
    parsing = _parsing(top.sub("parsing"))
    vocabulary = _vocabulary(top.sub("vocabulary"))
    schedule = _schedule(top.sub("schedule"))
    reminders = _reminders(top.sub("reminders"))
    receipts = _receipts(top.sub("receipts"))
    incidents = _incidents(top.sub("incidents"))
    log = _log(top.sub("log"), base)
    reports = tuple(_report(r) for r in top.list_of_tables("reports"))
    if not reports:
        raise ConfigError("reports", "at least one [[reports]] table is required")
    report_codes = [r.code for r in reports]
    if len(set(report_codes)) != len(report_codes):
        raise ConfigError("reports", "report codes must be unique")
    digest = _digest(top.sub("digest"), reports)
    units = load_units(units_file)
    extensions = tuple(_extension(e, reports, units) for e in top.list_of_tables("extensions"))
    return Config(
        path=path, timezone=tz, mailbox=mailbox, store_path=_path(base, store, "path"),
        archive_path=_path(base, archive, "path"), outbox=outbox, units_file=units_file, units=units,
        reports=reports, extensions=extensions, organisation=organisation, schedule=schedule, digest=digest,
        reminders=reminders, receipts=receipts, incidents=incidents, log=log, intake=intake,
        parsing=parsing, vocabulary=vocabulary, busy_timeout_seconds=busy_timeout)
