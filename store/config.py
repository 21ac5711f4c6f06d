"""Loading and validating the TOML configuration and the units CSV.

Validation happens once, at load, so a wrong key fails with one line naming it (exit 2) instead
of a traceback deep inside a job. Everything downstream receives frozen records.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store.errors import ConfigError

PERIOD_RE = re.compile(r"^(\d{4})(?:(S[12])|(Q[1-4])|(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])?)?$")


@dataclass(frozen=True)
class Indicator:
    code: str
    section: str
    label: str
    unit: str = ""
    synonyms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()   # regexes for narrative text; group 1 is the number


@dataclass(frozen=True)
class Period:
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


@dataclass(frozen=True)
class Rule:
    """`lower <= upper` on one submission's values."""
    lower: str
    upper: str


@dataclass(frozen=True)
class Report:
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
        return nearest(self.periods, day)  # type: ignore[return-value]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    district: str
    emails: tuple[str, ...]
    aliases: tuple[str, ...]
    reports: tuple[str, ...] = ()
    active_from: dt.date | None = None
    active_to: dt.date | None = None

    def owes(self, report_code: str, on: dt.date) -> bool:
        """Whether this unit is expected to send `report_code` for a period due `on`."""
        if self.reports and report_code not in self.reports:
            return False
        if self.active_from and on < self.active_from:
            return False
        if self.active_to and on > self.active_to:
            return False
        return True


@dataclass(frozen=True)
class Extension:
    unit: str
    report: str
    period: str
    due: dt.date


@dataclass(frozen=True)
class MailboxConfig:
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


@dataclass(frozen=True)
class OutboxConfig:
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


@dataclass(frozen=True)
class Organisation:
    parent: str = "UBND TỈNH BÌNH PHƯỚC"
    name: str = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    division: str = "Phòng Giáo dục Trung học"
    division_code: str = "GDTrH"
    symbol: str = "SGDĐT"
    place: str = "Bình Phước"
    contact: str = ""


@dataclass(frozen=True)
class IntakeConfig:
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
    quarantine_after: int = 2            # a message that stopped the process this often is recorded failed


INTAKE_KEYS = tuple(IntakeConfig.__dataclass_fields__)


@dataclass(frozen=True)
class Config:
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
    schedule: dict[str, Any] = field(default_factory=dict)
    digest: dict[str, Any] = field(default_factory=dict)
    reminders: dict[str, Any] = field(default_factory=dict)
    receipts: dict[str, Any] = field(default_factory=dict)
    incidents: dict[str, Any] = field(default_factory=dict)
    log: dict[str, Any] = field(default_factory=dict)
    intake: IntakeConfig = IntakeConfig()
    # `[vocabulary]`: a division's own recognition words, table name -> more entries (the tables
    # are those of parsers/words.toml, which checks the names when it merges them)
    vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    busy_timeout_seconds: float = 30.0   # `[store] busy_timeout_seconds`: how long a locked store is waited for

    def report(self, code: str) -> Report | None:
        return next((r for r in self.reports if r.code == code), None)

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    @property
    def poll_seconds(self) -> int:
        return int(self.schedule.get("poll_seconds", 300))

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
        if not isinstance(value, typ) or (isinstance(value, bool) and typ in (int, float)):
            want = typ.__name__ if isinstance(typ, type) else " or ".join(t.__name__ for t in typ)
            raise ConfigError(self.k(name), f"must be a {want}, not {value!r}")
        if choices and value not in choices:
            raise ConfigError(self.k(name), f"must be one of {', '.join(map(repr, choices))}, not {value!r}")
        return value

    def only(self, known: tuple[str, ...]) -> None:
        """Reject a key this table does not have, naming the nearest valid one."""
        import difflib
        for name in self.data:
            if name not in known:
                near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
                hint = f" (did you mean `{near[0]}`?)" if near else f" (valid: {', '.join(known)})"
                raise ConfigError(self.k(name), f"unknown key{hint}")

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.get(name, list, [])
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(self.k(name), "must be a list of strings")
        return tuple(value)

    def date(self, name: str, default: Any = ...) -> dt.date | None:
        value = self.get(name, (str, dt.date), default)
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ConfigError(self.k(name), f"must be an ISO date (YYYY-MM-DD), not {value!r}") from None

    def sub(self, name: str, required: bool = False) -> "_Table":
        if name not in self.data and not required:
            return _Table({}, self.k(name))
        return _Table(self.get(name, dict), self.k(name))

    def list_of_tables(self, name: str) -> list["_Table"]:
        items = self.get(name, list, [])
        return [_Table(item, f"{self.k(name)}[{i}]") for i, item in enumerate(items)]


def _path(base: Path, table: _Table, name: str, default: Any = ...) -> Path:
    raw = table.get(name, str, default)
    p = Path(raw).expanduser()
    return p if p.is_absolute() else (base / p)


# ---------------------------------------------------------------- sections

def _mailbox(t: _Table, base: Path) -> MailboxConfig:
    kind = t.get("kind", str, choices=("imap", "maildir"))
    if kind == "maildir":
        return MailboxConfig(kind=kind, path=_path(base, t, "path"))
    tls = t.get("tls", str, "ssl", choices=("ssl", "starttls", "none"))
    auth = t.get("auth", str, "login", choices=("login", "xoauth2"))
    cfg = MailboxConfig(
        kind=kind, host=t.get("host", str), port=t.get("port", int, 993 if tls == "ssl" else 143),
        tls=tls, username=t.get("username", str), password_env=t.get("password_env", str, ""),
        auth=auth, oauth2_token_env=t.get("oauth2_token_env", str, ""),
        oauth2_token_command=t.get("oauth2_token_command", str, ""),
        folder=t.get("folder", str, "INBOX"), batch_size=t.get("batch_size", int, 50),
        timeout=t.get("timeout", float, 60.0), idle=t.get("idle", bool, False))
    if auth == "login" and not cfg.password_env:
        raise ConfigError(t.k("password_env"), "is missing (the name of the environment variable holding the password)")
    if auth == "xoauth2" and not (cfg.oauth2_token_env or cfg.oauth2_token_command):
        raise ConfigError(t.k("oauth2_token_env"), "or oauth2_token_command is required for auth = \"xoauth2\"")
    if not 1 <= cfg.batch_size <= 1000:
        raise ConfigError(t.k("batch_size"), "must be between 1 and 1000")
    return cfg


def _intake(t: _Table) -> IntakeConfig:
    t.only(INTAKE_KEYS)
    values: dict[str, Any] = {}
    for name in INTAKE_KEYS:
        default = getattr(IntakeConfig, name)
        value = t.get(name, type(default), default)
        if value <= 0:
            raise ConfigError(t.k(name), f"must be greater than 0, not {value!r}")
        values[name] = value
    return IntakeConfig(**values)


def _store_section(t: _Table) -> float:
    t.only(("path", "busy_timeout_seconds"))
    timeout = t.get("busy_timeout_seconds", float, 30.0)
    if not 0 < timeout <= 3600:
        raise ConfigError(t.k("busy_timeout_seconds"), "must be between 0 and 3600 seconds")
    return float(timeout)


def _outbox(t: _Table, base: Path) -> OutboxConfig:
    kind = t.get("kind", str, choices=("smtp", "folder"))
    sender = t.get("from", str, "trunghoc@example.invalid")
    name = t.get("from_name", str, "Sở Giáo dục và Đào tạo")
    if kind == "folder":
        return OutboxConfig(kind=kind, path=_path(base, t, "path"), sender=sender, sender_name=name)
    tls = t.get("tls", str, "starttls", choices=("ssl", "starttls", "none"))
    return OutboxConfig(
        kind=kind, host=t.get("host", str), port=t.get("port", int, 465 if tls == "ssl" else 587),
        tls=tls, username=t.get("username", str, ""), password_env=t.get("password_env", str, ""),
        sender=t.get("from", str), sender_name=name, timeout=t.get("timeout", float, 30.0),
        max_attempts=t.get("max_attempts", int, 5))


def _period(t: _Table) -> Period:
    pid = t.get("id", str)
    if not PERIOD_RE.match(pid):
        raise ConfigError(t.k("id"), f"{pid!r} is not a period id such as 2024S1 or 2024")
    return Period(id=pid, label=t.get("label", str), due=t.date("due"), start=t.date("start", None),
                  phrases=t.strings("phrases"))


def _report(t: _Table) -> Report:
    code = t.get("code", str)
    periods = tuple(_period(p) for p in t.list_of_tables("periods"))
    indicators = tuple(
        Indicator(code=i.get("code", str), section=i.get("section", str, ""), label=i.get("label", str),
                  unit=i.get("unit", str, ""), synonyms=i.strings("synonyms"), patterns=i.strings("patterns"))
        for i in t.list_of_tables("indicators"))
    for i, ind in enumerate(indicators):
        for j, pat in enumerate(ind.patterns):
            try:
                re.compile(pat)
            except re.error as exc:
                raise ConfigError(f"{t.k('indicators')}[{i}].patterns[{j}]", f"is not a valid regex: {exc}") from None
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes):
        raise ConfigError(t.k("indicators"), "indicator codes must be unique")
    rules = []
    for r in t.list_of_tables("rules"):
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
    return Report(code=code, title=t.get("title", str), keywords=keywords, periods=periods,
                  indicators=indicators, rules=tuple(rules),
                  annual_not_below_sections=t.strings("annual_not_below_sections"))


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
    """Read the units CSV (header `code,name,kind,district,emails,aliases[,reports,active_from,active_to]`)."""
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
            active_to=_date_cell(row.get("active_to") or "", where)))
    return tuple(units)


def _vocabulary(t: _Table) -> dict[str, tuple[str, ...]]:
    """`[vocabulary]`: every key a list of strings (which tables exist is the vocabulary's to say)."""
    return {name: t.strings(name) for name in t.data}


def load(path: str | os.PathLike[str]) -> Config:
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
    tzname = top.get("timezone", str, "Asia/Ho_Chi_Minh")
    try:
        tz = ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("timezone", f"{tzname!r} is not a known time zone") from None
    units_file = _path(base, top.sub("units", required=True), "file")
    reports = tuple(_report(r) for r in top.list_of_tables("reports"))
    if not reports:
        raise ConfigError("reports", "at least one [[reports]] table is required")
    units = load_units(units_file)
    codes = {u.code for u in units}
    extensions = []
    for e in top.list_of_tables("extensions"):
        ext = Extension(unit=e.get("unit", str), report=e.get("report", str), period=e.get("period", str),
                        due=e.date("due"))
        if ext.unit not in codes:
            raise ConfigError(e.k("unit"), f"{ext.unit!r} is not a unit of the units file")
        extensions.append(ext)
    org = top.sub("organisation")
    organisation = Organisation(**{k: org.get(k, str, getattr(Organisation, k)) for k in Organisation.__dataclass_fields__})
    digest = top.sub("digest").data
    if "recipients" in digest and not (isinstance(digest["recipients"], list)
                                       and all(isinstance(a, str) and "@" in a for a in digest["recipients"])):
        raise ConfigError("digest.recipients", "must be a list of e-mail addresses")
    schedule = top.sub("schedule")
    if schedule.get("poll_seconds", int, 300) < 5:
        raise ConfigError("schedule.poll_seconds", "must be at least 5")
    return Config(
        path=path, timezone=tz, mailbox=_mailbox(top.sub("mailbox", required=True), base),
        store_path=_path(base, top.sub("store", required=True), "path"),
        archive_path=_path(base, top.sub("archive", required=True), "path"),
        outbox=_outbox(top.sub("outbox", required=True), base), units_file=units_file, units=units,
        reports=reports, extensions=tuple(extensions), organisation=organisation,
        schedule=schedule.data, digest=digest, reminders=top.sub("reminders").data,
        receipts=top.sub("receipts").data, incidents=top.sub("incidents").data, log=top.sub("log").data,
        intake=_intake(top.sub("intake")), vocabulary=_vocabulary(top.sub("vocabulary")),
        busy_timeout_seconds=_store_section(top.sub("store", required=True)))
