"""The `baocao` command line and the daemon's jobs.

Thin by design: each command opens the store, calls one library function and prints. Errors a
person can fix (configuration, usage, an unreachable mailbox) print one line and exit 2 (or 1
when the work ran but something failed); never a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn

from store.errors import BaocaoError, ConfigError, OperationsError, SourceError, UsageError

if TYPE_CHECKING:   # imported where used, so `--help` stays instant
    from store.config import Config
    from store.db import Database
    from store.domain import Period, Report
    from store.records import PollResult

log = logging.getLogger("baocao")


# ---------------------------------------------------------------- helpers

def parse_now(value: str | None, tz: Any) -> dt.datetime:
    if not value:
        return dt.datetime.now(tz)
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--now: {value!r} is not an ISO date or date-time (e.g. 2024-06-25T08:00)") from None
    return when.replace(tzinfo=tz) if when.tzinfo is None else when.astimezone(tz)


def find_config(path: str | None) -> Path:
    if path:
        return Path(path)
    for candidate in ("config.toml", "config.example.toml"):
        if Path(candidate).exists():
            return Path(candidate)
    here = Path(__file__).resolve().parent / "config.example.toml"
    if here.exists():
        return here
    raise ConfigError("--config", "no config.toml or config.example.toml in the current folder")


def report_arg(cfg: Config, code: str) -> Report:
    """The configured report `--report` names, or the usage error saying it is not one."""
    rep = cfg.report(code)
    if rep is None:
        raise UsageError(f"--report: {code!r} is not a configured report")
    return rep


def period_arg(rep: Report, period_id: str) -> Period:
    """The period of `rep` that `--period` names, or the usage error saying it is not one."""
    period = rep.period(period_id)
    if period is None:
        raise UsageError(f"--period: {period_id!r} is not a period of report {rep.code!r}")
    return period


class Context:
    """What every command needs, opened lazily so `--help` and usage errors stay instant."""

    def __init__(self, args: argparse.Namespace):
        from store.config import load
        self.args = args
        self.cfg = load(find_config(args.config))
        # The division's `[vocabulary]`, checked now, read here and in every worker. Without one
        # the shipped words are what any reader loads: a poll with nothing new never loads them.
        if self.cfg.vocabulary or "parsers.vocabulary" in sys.modules:
            from parsers import vocabulary
            vocabulary.use(self.cfg)
        if self.cfg.incidents.keywords:
            logging.getLogger("baocao").warning(
                "config: incidents.keywords is not read (deprecated): incident words are the vocabulary's; "
                "add a division's own under [vocabulary] incident_strong")
        self.now = parse_now(args.now, self.cfg.timezone)
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            from store.db import open_store
            self._db = open_store(self.cfg, read_only_ok=self.args.command in READ_ONLY_COMMANDS)
        return self._db


READ_ONLY_COMMANDS = {"status", "failures", "health", "draft-report", "explain"}   # work on a read-only store or a backup copy


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


# ---------------------------------------------------------------- commands

UNLOCKED_COMMANDS = READ_ONLY_COMMANDS | {"template", "backup"}   # never write the store (backup: online)


def writes(args: argparse.Namespace) -> bool:
    """Whether the command may write the store: it then takes the store's lock before it does
    anything (a command refused beside the running daemon has done nothing)."""
    return args.command not in UNLOCKED_COMMANDS and not getattr(args, "dry_run", False)


def cmd_poll(ctx: Context) -> int:
    from ingest.pipeline import poll
    with Progress(sys.stderr.isatty()) as progress:
        return _poll_done(ctx, poll(ctx.db, ctx.cfg, ctx.now, progress=progress))


class Progress:
    """Long intake made visible: on a terminal a bar (count, rate, time left when the source
    knows how many are coming); elsewhere (the daemon's log, a back-fill under cron) one log
    line per EVERY messages."""
    EVERY = 100

    def __init__(self, terminal: bool):
        self.terminal = terminal
        self.bar: Any = None

    def __enter__(self) -> Progress:
        return self

    def __call__(self, result: PollResult) -> None:
        done = len(result.processed)
        if self.terminal:
            if self.bar is None:
                from tqdm import tqdm
                self.bar = tqdm(total=result.expected, unit=" mail", desc="poll", file=sys.stderr,
                                dynamic_ncols=True, leave=False)
            self.bar.update(done - self.bar.n)
        elif done % self.EVERY == 0:
            rate = done / result.seconds if result.seconds else 0.0
            left = (f", about {(result.expected - done) / rate / 60:.0f} min left"
                    if rate and result.expected and result.expected > done else "")
            log.info("poll: %s of %s message(s) recorded, %.1f/s%s", done,
                     result.expected if result.expected is not None else "?", rate, left)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _poll_done(ctx: Context, result: PollResult) -> int:
    summary = ", ".join(f"{k} {v}" for k, v in sorted(result.by_status.items())) or "nothing new"
    print(f"poll: {result.fetched} new message(s) in {result.seconds:.1f} s: {summary}")
    unsendable = _after_poll(ctx)
    return 1 if result.failed or unsendable else 0


def _after_poll(ctx: Context) -> int:
    """Incident alerts go out at the poll that found them, not at the next digest. Returns how
    many alerts could not be sent (no recipients configured): the poll then exits 1 and says so."""
    from compile import validate
    from store import facts, incidents, outbox as outbox_rows
    validate.check_pending(ctx.db, ctx.cfg, ctx.now)              # the form's rules over what was read
    answered: list[int] = []
    if ctx.cfg.receipts.enabled and facts.unanswered_reports(ctx.db, ctx.now):   # the letters' code: only then
        from compile import receipts
        answered = receipts.queue_pending(ctx.db, ctx.cfg, ctx.now)   # planned from the store, like alerts
    queued: list[int] = []
    if incidents.any_unalerted(ctx.db):       # composing an alert needs the documents' code: only then
        from compile import alerts
        queued = alerts.queue(ctx.db, ctx.cfg, ctx.now)
    unsendable = 0
    if queued:
        unsendable = outbox_rows.count_failed(ctx.db, queued)
        print(f"alerts: {len(queued)} incident alert(s) queued"
              + (f"; {unsendable} cannot be sent: no recipients in [incidents] or [digest]" if unsendable else ""))
    if queued or answered:
        from compile import outbox
        outbox.deliver(ctx.db, ctx.cfg, ctx.now)
    return unsendable


def cmd_status(ctx: Context) -> int:
    from compile import completeness
    from store import queries
    cfg, report, period = ctx.cfg, ctx.args.report, ctx.args.period
    if report:
        report_arg(cfg, report)
    wanted = [(rep.code, per.id) for rep in cfg.reports if not report or rep.code == report
              for per in rep.periods if not period or per.id == period]
    if period and not wanted:
        raise UsageError(f"--period: {period!r} is not a configured period")
    if not wanted:
        print("status: no period matches")
        return 0
    for code, pid in wanted:
        comp = completeness.compute(ctx.db, cfg, code, pid, ctx.now)
        counts: dict[str, int] = {}
        for u in comp.units:
            counts[u.shown] = counts.get(u.shown, 0) + 1
        print(f"\n{code} {pid} ({comp.period_label}), due {comp.due.isoformat()}: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        print(_table([[u.unit_code, u.name[:48], u.shown,
                       u.received_at.isoformat(timespec="seconds") if u.received_at else "",
                       str(u.message_id or "")] for u in comp.units],
                     ["unit", "name", "state", "received", "message"]))
    print()
    print(queries.health_summary(ctx.db, ctx.now))
    return 0


def cmd_failures(ctx: Context) -> int:
    from store import queries
    rows = queries.failures(ctx.db, include_resolved=ctx.args.all)
    if not rows:
        print("failures: none" + ("" if ctx.args.all else " unresolved"))
        return 0
    print(_table([[str(r["failure_id"]), str(r["message_id"] or ""), r["created_at"], r["stage"],
                   (r["reason"] or "")[:60], r["next"]] for r in rows],
                 ["id", "message", "when", "stage", "reason", "what to do"]))
    return 0


def cmd_explain(ctx: Context) -> int:
    from compile import explain
    from store import queries
    found = queries.explanation(ctx.db, ctx.args.message)
    if found is None:
        raise UsageError(f"explain: no message {ctx.args.message} in the store")
    print(explain.text(ctx.cfg, found))
    return 0


def cmd_assign(ctx: Context) -> int:
    from store import queries
    from ingest.recording import process
    msg = queries.assign(ctx.db, ctx.cfg, ctx.args.message, ctx.args.unit, ctx.args.period,
                         ctx.args.remember_sender, ctx.args.report, ctx.now)
    process(ctx.db, ctx.cfg, ctx.args.message, ctx.now)
    _checked(ctx)
    print(msg)
    return 0


def cmd_reprocess(ctx: Context) -> int:
    from ingest.recording import process
    from store import queries
    ids = queries.failed_message_ids(ctx.db) if ctx.args.all_failed else [ctx.args.message]
    if not ids or ids == [None]:
        raise UsageError("reprocess: give a MESSAGE id or --all-failed")
    worst = 0
    for mid in ids:
        if queries.message_row(ctx.db, mid) is None:
            raise UsageError(f"reprocess: no message {mid} in the store")
        status = process(ctx.db, ctx.cfg, int(mid), ctx.now, retry=True, read_all=ctx.args.ocr)
        print(f"message {mid}: {status}")
        worst = max(worst, 1 if status == "failed" else 0)
    _checked(ctx)
    return worst


def _checked(ctx: Context) -> None:
    """The form's validation rules over the values just read (they run after intake, in compile)."""
    from compile import validate
    validate.check_pending(ctx.db, ctx.cfg, ctx.now)


def cmd_remind(ctx: Context) -> int:
    from compile import outbox, reminders
    if ctx.args.dry_run:
        planned = reminders.plan(ctx.db, ctx.cfg, ctx.now)
        for p in planned:
            print(f"{p.dedupe_key}\t{', '.join(p.recipients) or '(no address)'}\t{p.subject}")
        print(f"remind --dry-run: {len(planned)} reminder(s) would be sent")
        return 0
    queued = reminders.queue(ctx.db, ctx.cfg, ctx.now)
    result = outbox.deliver(ctx.db, ctx.cfg, ctx.now)
    print(f"remind: {len(queued)} reminder(s) queued; outbox {result.words()}")
    return 1 if result.failed or result.uncertain or result.error else 0


def cmd_digest(ctx: Context) -> int:
    from compile import digest, outbox
    if ctx.args.report or ctx.args.period or ctx.args.dry_run:
        targets = _digest_targets(ctx)
    else:
        targets = [(r, p, why) for r, p, why in digest.due(ctx.db, ctx.cfg, ctx.now)]
    if not targets:
        print("digest: none due")
        return 0
    for report, period, why in targets:
        if ctx.args.dry_run:
            built = digest.build(ctx.db, ctx.cfg, report, period, ctx.now)
            folder = Path(ctx.args.output or (ctx.cfg.store_path.parent / "digest-preview"))
            paths = digest.write_files(built, folder)
            print(f"digest {report} {period}: written " + ", ".join(str(p) for p in paths))
        else:
            digest.queue(ctx.db, ctx.cfg, report, period, ctx.now, why)
    if ctx.args.dry_run:
        return 0
    if not ctx.cfg.digest.recipients:
        print(f"digest: {len(targets)} due, none queued: [digest] recipients is empty")
        return 1
    result = outbox.deliver(ctx.db, ctx.cfg, ctx.now)
    print(f"digest: outbox {result.words()}")
    return 1 if result.failed or result.uncertain or result.error else 0


def _digest_targets(ctx: Context) -> list[tuple[str, str, str]]:
    """`--report` (else every configured report) at `--period` (else the period due nearest today)."""
    cfg, report = ctx.cfg, ctx.args.report
    if report:
        report_arg(cfg, report)
    targets = []
    for rep in cfg.reports:
        if report and rep.code != report:
            continue
        period = ctx.args.period or rep.nearest_period(ctx.now.astimezone(cfg.timezone).date()).id
        if rep.period(period) is None:
            if report or len(cfg.reports) == 1:
                period_arg(rep, period)
            continue
        targets.append((rep.code, period, "on demand"))
    if not targets:
        raise UsageError(f"--period: {ctx.args.period!r} is not a period of any configured report")
    return targets


def cmd_resend(ctx: Context) -> int:
    """An admin sends one `failed` or `uncertain` outbox row again, on purpose, and delivers now."""
    from compile import outbox
    was = outbox.resend(ctx.db, ctx.cfg, ctx.args.outbox_id, ctx.now)
    result = outbox.deliver(ctx.db, ctx.cfg, ctx.now)
    print(f"resend: outbox {ctx.args.outbox_id} ({was}) queued again; outbox {result.words()}")
    return 1 if result.failed or result.uncertain or result.error else 0


def cmd_template(ctx: Context) -> int:
    from compile.form import build_template
    rep = report_arg(ctx.cfg, ctx.args.report)
    unit = ctx.cfg.unit(ctx.args.unit) if ctx.args.unit else None
    if ctx.args.unit and unit is None:
        raise UsageError(f"--unit: {ctx.args.unit!r} is not in the units file")
    period = period_arg(rep, ctx.args.period) if ctx.args.period else None
    data = build_template(ctx.cfg, rep, unit, period)
    Path(ctx.args.output).write_bytes(data)
    print(f"template: {ctx.args.output} ({len(data):,} bytes)")
    return 0


def cmd_draft_report(ctx: Context) -> int:
    """The Department's report of one period, drafted as a Word document for the clerk to finish."""
    from compile import draft
    rep = report_arg(ctx.cfg, ctx.args.report)
    period_arg(rep, ctx.args.period)
    data = draft.build(ctx.db, ctx.cfg, rep.code, ctx.args.period, ctx.now)
    Path(ctx.args.output).write_bytes(data)
    print(f"draft-report: {ctx.args.output} ({len(data):,} bytes)")
    return 0


# ---------------------------------------------------------------- the daemon's jobs

def job_in_daemon(ctx: Context) -> bool:
    return ctx.args.command == "run" and not getattr(ctx.args, "once", False)


def job_summary(ctx: Context, text: str) -> None:
    """A job's one-line result: printed by `run --once`, logged (console and file) by the daemon."""
    log.info(text, extra={"job": text.split(":", 1)[0]})
    if not job_in_daemon(ctx):
        print(text)


def job_poll(ctx: Context) -> int:
    """Poll once. In the daemon, the kept mail source and the stop request come on `ctx`
    (`mail_source`, `stop_requested`), so a SIGTERM ends the poll after the message in hand."""
    from ingest.pipeline import poll
    result = poll(ctx.db, ctx.cfg, ctx.now, source=getattr(ctx, "mail_source", None),
                  stop=getattr(ctx, "stop_requested", None), progress=Progress(terminal=False))
    if result.fetched or not job_in_daemon(ctx):
        summary = ", ".join(f"{k} {v}" for k, v in sorted(result.by_status.items())) or "nothing new"
        job_summary(ctx, f"poll: {result.fetched} new message(s) in {result.seconds:.1f} s: {summary}")
    unsendable = _after_poll(ctx)
    from store import outbox as outbox_rows
    if outbox_rows.any_pending(ctx.db):
        # receipts just queued, and retries whose time has come, go now rather than at tomorrow's
        # reminder job; an unreachable SMTP server is reported by the reminder and digest jobs,
        # so it never slows the polling down
        from compile import outbox
        outbox.deliver(ctx.db, ctx.cfg, ctx.now)
    return 1 if result.failed or unsendable else 0


def _deliver(ctx: Context, what: str) -> int:
    """Send what the job queued (and any retry that is due), say so, and fail the job on an outage."""
    from compile import outbox
    result = outbox.deliver(ctx.db, ctx.cfg, ctx.now)
    job_summary(ctx, f"{what}; outbox sent {result.sent}, failed {result.failed}"
                + (f", uncertain {result.uncertain}" if result.uncertain else ""))
    job_outbox_error(result)
    return 1 if result.failed or result.uncertain else 0


def job_reminders(ctx: Context) -> int:
    from compile import reminders
    queued = reminders.queue(ctx.db, ctx.cfg, ctx.now)
    return _deliver(ctx, f"reminders: {len(queued)} queued")


def job_digest(ctx: Context) -> int:
    from compile import digest
    due = digest.due(ctx.db, ctx.cfg, ctx.now)
    for report, period, why in due:
        digest.queue(ctx.db, ctx.cfg, report, period, ctx.now, why)
    if due and not ctx.cfg.digest.recipients:   # asked to, and could not: the job says so and fails
        _deliver(ctx, f"digest: {len(due)} due, none queued: [digest] recipients is empty")
        return 1
    return _deliver(ctx, f"digest: {len(due)} due")


def job_outbox_error(result: Any) -> None:
    """An unreachable SMTP server fails the job, so it is logged once per problem and recorded
    in job_runs; the mail stays pending for the next attempt."""
    if getattr(result, "error", ""):
        raise BaocaoError(f"outbox: {result.error} ({result.pending} mail(s) wait for the next attempt)")


JOBS: list[tuple[str, Callable[[Context], int]]] = [("poll", job_poll), ("reminders", job_reminders),
                                                     ("digest", job_digest)]


def run_job(ctx: Context, name: str, fn: Callable[[Context], int], problems: Any = None) -> int:
    """Run one job; a failing job is logged and recorded in `job_runs`, and the daemon goes on.

    With `problems` (the daemon's `daemon.Problems`) an error is logged once per problem
    rather than once per run, and a configuration error is a failed run too, not the end."""
    from store import jobs
    started = ctx.now.isoformat(timespec="seconds")
    run_id = jobs.start(ctx.db, name, started)
    code, detail, exc_info = 0, None, None
    try:
        code = fn(ctx)
    except (ConfigError, UsageError) as exc:
        if problems is None:
            raise
        code, detail = 1, str(exc)
    except BaocaoError as exc:
        code, detail = 1, str(exc)
    except Exception as exc:  # a bug in one job must not stop the others
        problem = operations_problem(exc, ctx.cfg)
        if problem:
            code, detail = 1, problem
        else:
            code, detail, exc_info = 1, f"{type(exc).__name__}: {exc}", sys.exc_info()
    try:
        jobs.finish(ctx.db, run_id, parse_now(None, ctx.cfg.timezone).isoformat(timespec="seconds")
                    if not ctx.args.now else started, code == 0, detail)
    except Exception as exc:  # the store is the problem (locked, read-only, full): the job's line says so
        detail = detail or operations_problem(exc, ctx.cfg) or f"{type(exc).__name__}: {exc}"
        code = 1
    if problems is not None:
        problems.failed(name, detail, exc_info) if detail else problems.ok(name)
    elif detail:
        log.error("job %s: %s", name, detail, exc_info=exc_info, extra={"job": name})
    return code


def operations_problem(exc: BaseException, cfg: Any) -> str | None:
    """One line for an operations problem (store locked, read-only or full; a disk or file
    error), or None when `exc` is a bug."""
    import sqlite3
    from store.db import operational
    if isinstance(exc, sqlite3.Error):
        problem = operational(exc, cfg.store_path if cfg is not None else "the store")
        return str(problem) if problem else None
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return f"{where}{exc.strerror or exc}"
    return None


def cmd_run(ctx: Context) -> int:
    """`run --once`: every job once, in order; `run`: the daemon. Both hold the store's lock (main)."""
    if ctx.args.once:
        worst = 0
        for name, fn in JOBS:
            worst = max(worst, run_job(ctx, name, fn))
        return worst
    from daemon import run_forever
    return run_forever(ctx, JOBS, run_job)


def cmd_health(ctx: Context) -> int:
    from store import queries
    cfg = ctx.cfg
    if ctx.args.max_age is not None:
        cfg = cfg._replace(schedule=cfg.schedule._replace(health_max_age_minutes=ctx.args.max_age))
    ok, line = queries.health(ctx.db, cfg, ctx.now)
    print(line)
    return 0 if ok else 1


def cmd_backup(ctx: Context) -> int:
    from store import queries
    target = Path(ctx.args.path)
    queries.backup(ctx.db, target)
    print(f"backup: {target}")
    return 0


# ---------------------------------------------------------------- argument parsing

def _arg(*names: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    return names, options


# Each command: what runs it, its one-line help, and its own arguments.
COMMANDS: dict[str, tuple[Callable[[Context], int], str, tuple[tuple[tuple[str, ...], dict[str, Any]], ...]]] = {
    "run": (cmd_run, "the daemon: poll, reminders and digests on schedule until stopped", (
        _arg("--once", action="store_true", help="run every job once, in order, then exit"),)),
    "poll": (cmd_poll, "fetch and process new mail once", ()),
    "remind": (cmd_remind, "send the reminders that are due now", (
        _arg("--dry-run", action="store_true", help="list them, send nothing"),)),
    "digest": (cmd_digest, "build (and send) the compiled summary", (
        _arg("--report"),
        _arg("--period"),
        _arg("--dry-run", action="store_true", help="write the files, send nothing"),
        _arg("-o", "--output", help="folder for --dry-run files"))),
    "status": (cmd_status, "who has reported: on time / late / missing", (
        _arg("--report"),
        _arg("--period"))),
    "explain": (cmd_explain, "how one message was read: each file, each figure and where it was found", (
        _arg("message", type=int, help="the store's message id"),)),
    "failures": (cmd_failures, "unresolved failures, newest first", (
        _arg("--all", action="store_true", help="include resolved ones"),)),
    "reprocess": (cmd_reprocess, "parse an archived message again", (
        _arg("message", nargs="?", type=int, help="the store's message id"),
        _arg("--all-failed", action="store_true", help="every message with an unresolved failure"),
        _arg("--ocr", action="store_true", help="read every file whole: OCR the scans a better file made unnecessary"))),
    "assign": (cmd_assign, "an admin's decision for a mail the software could not place", (
        _arg("message", type=int),
        _arg("--unit", required=True),
        _arg("--period"),
        _arg("--report"),
        _arg("--remember-sender", action="store_true", help="treat the sender's address as this unit's from now on"))),
    "resend": (cmd_resend, "send a failed or uncertain outbox mail again, on purpose", (
        _arg("outbox_id", type=int, metavar="OUTBOX_ID", help="the outbox row (v_outbox.outbox_id)"),)),
    "template": (cmd_template, "the blank Excel form for a unit", (
        _arg("--report", required=True),
        _arg("--unit"),
        _arg("--period"),
        _arg("-o", "--output", required=True))),
    "draft-report": (cmd_draft_report, "the Department's report of a period, drafted (.docx)", (
        _arg("--report", required=True),
        _arg("--period", required=True),
        _arg("-o", "--output", required=True))),
    "health": (cmd_health, "exit non-zero when the last successful poll is too old", (
        _arg("--max-age", type=int, metavar="MINUTES", help="the limit (default [schedule] health_max_age_minutes, 30)"),)),
    "backup": (cmd_backup, "an online backup of the store (SQLite backup API)", (
        _arg("path"),)),
}


def command_in(argv: list[str]) -> str | None:
    """The command `argv` names, read past the global options when they are spelt in full;
    None when it cannot be told so simply (help, an abbreviation, a mistake), and then the
    whole parser is built, so help and errors list every command."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in ("--config", "--now"):
            i += 2
        elif token.startswith(("--config=", "--now=")) or token in ("-v", "--verbose"):
            i += 1
        else:
            return token if token in COMMANDS else None
    return None


class CommandLineMistake(Exception):
    """What argparse found wrong with the command line, in its words."""


class _Parser(argparse.ArgumentParser):
    """argparse, except that a mistake is raised (`main` prints it as one line) instead of
    printed as usage text and a second line."""

    def error(self, message: str) -> NoReturn:
        raise CommandLineMistake(message)


GLOBAL_OPTIONS = ("--config", "--now", "-v", "--verbose", "-h", "--help")


def mistake_line(message: str, argv: list[str]) -> str:
    """One line for a command line that cannot be read, naming the nearest valid option or
    command. An unknown option comes first: it is what made argparse take the next word for
    the command (`--conifg x poll`: "invalid choice: 'x'")."""
    from store.config import nearest_name
    command = command_in(argv)
    options = GLOBAL_OPTIONS + tuple(name for code, (_, _, arguments) in COMMANDS.items() if command in (None, code)
                                     for names, _ in arguments for name in names if name.startswith("-"))

    def known(name: str) -> bool:   # argparse takes a long option's prefix; a short one may carry its value
        if name.startswith("--"):
            return any(o.startswith(name) for o in options if o.startswith("--"))
        return name[:2] in options

    for token in argv:
        if token == "--":
            break
        name = token.split("=", 1)[0]
        if name.startswith("-") and len(name) > 1 and not name[1:].replace(".", "", 1).isdigit() and not known(name):
            near = nearest_name(name[2:], tuple(o[2:] for o in options if o.startswith("--"))) \
                if name.startswith("--") else None   # without the dashes, which every long option shares
            return f"unknown option {name}" + (f" for {command}" if command else "") + \
                (f" (did you mean --{near}?)" if near else "")
    choice = re.match(r"argument COMMAND: invalid choice: '(.*?)'", message)
    if choice:
        near = nearest_name(choice.group(1), tuple(COMMANDS))
        hint = f"did you mean {near}?" if near else f"the commands: {', '.join(COMMANDS)}"
        return f"unknown command {choice.group(1)!r} ({hint})"
    if message.endswith("required: COMMAND"):
        return f"a command is needed: {', '.join(COMMANDS)} (baocao --help says what each does)"
    return f"{command}: {message}" if command else message


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `only`, that command's parser alone. argparse looks up its message
    catalogue on disk for every parser it makes, so the fourteen a command does not need were
    ~2.5 ms of every start-up."""
    p = _Parser(prog="baocao", description="Reports from a shared mailbox: poll, parse, remind, compile.")
    p.add_argument("--config", help="configuration file (default ./config.toml, else config.example.toml)")
    p.add_argument("--now", help="pretend the clock says this ISO date-time (every date decision uses it)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (fn, help, arguments) in COMMANDS.items():
        if only is None or name == only:
            sp = sub.add_parser(name, help=help, description=help)
            sp.set_defaults(fn=fn)
            for names, options in arguments:
                sp.add_argument(*names, **options)
    return p


def setup_logging(verbose: bool, cfg: Any = None, daemon: bool = False) -> None:
    """Console logging at once (so config errors are readable); with the configuration, the
    JSON-lines file log and secret redaction too. The daemon's console shows INFO; other
    commands print their own results and show only warnings."""
    from store.logs import setup
    setup(verbose, cfg, console_level=logging.INFO if daemon else logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(command_in(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, printed whole
        return int(exc.code or 0) if exc.code in (0, None) else 2
    except CommandLineMistake as exc:
        print(f"baocao: {mistake_line(str(exc), argv)}", file=sys.stderr)
        return 2
    setup_logging(args.verbose)
    from store.lock import StoreLocked, acquire
    ctx = None
    scratch_dir = None
    lock = None
    try:
        ctx = Context(args)
        setup_logging(args.verbose, ctx.cfg, daemon=args.command == "run" and not args.once)
        if writes(args):
            lock = acquire(ctx.cfg.store_path)      # before any write, the store's opening included
        if args.command not in READ_ONLY_COMMANDS:
            from ingest import scratch
            scratch_dir = scratch.claim(ctx.cfg.store_path.parent / "tmp")
        return args.fn(ctx)
    except (ConfigError, UsageError, StoreLocked) as exc:
        print(f"baocao: {exc}", file=sys.stderr)
        return 2
    except SourceError as exc:
        print(f"baocao: mailbox: {exc}", file=sys.stderr)
        return 2
    except OperationsError as exc:
        print(f"baocao: {exc}", file=sys.stderr)
        return 2
    except BaocaoError as exc:
        print(f"baocao: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `baocao failures | head`: before `Exception`, which would swallow it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line for the person, the traceback for the log
        problem = operations_problem(exc, ctx.cfg if ctx is not None else None)
        if problem:  # disk full, store locked or read-only: what and where, no traceback
            print(f"baocao: {problem}", file=sys.stderr)
            return 2
        log.exception("internal error")
        print(f"baocao: internal error: {type(exc).__name__}: {exc} (the log has the details)", file=sys.stderr)
        return 1
    finally:
        if scratch_dir is not None:
            scratch_dir.release()
        if lock is not None:
            lock.release()


def cli() -> int:
    """The `baocao` command: `main`, then the cyclic garbage collector told to leave alone every
    object that exists (`gc.freeze`), because the process is about to end.

    An exiting interpreter collects garbage while it takes its modules apart, walking every object
    of every module it imported, and the operating system frees all of it a moment later anyway.
    That walk was 15–18 ms of a ~145 ms `baocao poll` with nothing new. Freezing changes nothing
    else: objects still go by reference count (files, sockets and the store close as before), and
    the `atexit` functions (the log's flush among them) run first. `main` itself does not freeze,
    so a program that calls it repeatedly (the tests) keeps its garbage collected."""
    try:
        return main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(cli())
