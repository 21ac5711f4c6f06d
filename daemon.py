"""`baocao run`: the jobs on APScheduler 3, a clean life cycle, one log line per problem.

Shape: a `BackgroundScheduler` with ONE worker thread runs the jobs (poll every
`[schedule] poll_seconds`, reminders daily at `reminders_at`, the digest check daily at
`digest_at`), so jobs never overlap on the shared SQLite connection; the main thread only waits
for a signal and applies "poll now" requests from the optional IMAP IDLE watcher. Only the main
thread touches the scheduler after start: APScheduler 3's `shutdown()` holds the job store lock
while it waits for the running job, so a job that modified the schedule could deadlock it.

Every job is state-driven (what is due is decided from the store and the clock), so start-up
catch-up is simply running each job once: the poll at once, the daily jobs at once when their
time of day has already passed today (a restart at 03:00 does not send reminders at 03:00).

Each job has `max_instances=1`, `coalesce=True` and an explicit `misfire_grace_time`:
APScheduler 3's default of one second silently skips a daily job that starts a little late,
e.g. behind a long poll in the single worker.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger("baocao.daemon")

Job = Callable[[Any], int]
RunJob = Callable[..., int]

DAILY_GRACE_S = 3 * 3600      # a daily job up to 3 h late still runs; later, tomorrow's run (or a restart) catches up
REPEAT_LOG_S = 30 * 60        # a problem that lasts is logged again this often, not at every poll
MAX_BACKOFF_S = 15 * 60       # the longest pause between polls while the mailbox keeps failing
TICK_S = 0.5                  # how often the main thread looks for a stop or a "poll now"


# ---------------------------------------------------------------- one line per problem

@dataclass
class _Open:
    text: str
    since: dt.datetime
    logged_at: float
    count: int = 1


class Problems:
    """Log a failing job's error once, again only when its text changes or every `repeat_s`
    while it lasts, and once when it recovers: a mail server that is down for an hour gives
    three lines, not 720. Digits are ignored when comparing texts ("lost 3 times" = "lost 4 times")."""

    def __init__(self, logger: logging.Logger = log, repeat_s: float = REPEAT_LOG_S,
                 clock: Callable[[], float] = time.monotonic):
        self.log = logger
        self.repeat_s = repeat_s
        self.clock = clock
        self._open: dict[str, _Open] = {}

    @staticmethod
    def _shape(text: str) -> str:
        return re.sub(r"\d+", "#", text)

    def failed(self, key: str, text: str, exc_info: Any = None) -> None:
        now = self.clock()
        known = self._open.get(key)
        if known is None or self._shape(known.text) != self._shape(text):
            self.log.error("%s: %s", key, text, exc_info=exc_info, extra={"job": key})
            self._open[key] = _Open(text, dt.datetime.now().astimezone(), now)
            return
        known.count += 1
        known.text = text
        if now - known.logged_at >= self.repeat_s:
            known.logged_at = now
            self.log.error("%s: still failing (%d times since %s): %s", key, known.count,
                           known.since.strftime("%Y-%m-%d %H:%M"), text, extra={"job": key})

    def ok(self, key: str) -> None:
        known = self._open.pop(key, None)
        if known is not None:
            self.log.warning("%s: working again after %d failed run(s) since %s", key, known.count,
                             known.since.strftime("%Y-%m-%d %H:%M"), extra={"job": key})

    def streak(self, key: str) -> int:
        """How many runs in a row have failed (0 when the last one worked)."""
        known = self._open.get(key)
        return known.count if known else 0


def backoff_s(streak: int, interval_s: float, max_s: float = MAX_BACKOFF_S) -> float:
    """The pause before the next poll after `streak` failures in a row: the normal interval for
    the first two (a server restart is over by then), then doubling up to `max_s` (never below
    the interval), so an hour-long outage costs a few dozen connection attempts, not 720."""
    if streak <= 2:
        return interval_s
    return max(interval_s, min(interval_s * 2 ** (streak - 2), max_s))


# ---------------------------------------------------------------- schedule settings

@dataclass(frozen=True)
class Settings:
    poll_seconds: int
    daily: dict[str, dt.time] = field(default_factory=dict)   # job name -> local time of day
    max_backoff_s: float = MAX_BACKOFF_S
    repeat_log_s: float = REPEAT_LOG_S


def settings(cfg: Any) -> Settings:
    s = cfg.schedule
    return Settings(poll_seconds=cfg.poll_seconds,
                    daily={"reminders": s.reminders_at, "digest": s.digest_at},
                    max_backoff_s=s.max_backoff_seconds, repeat_log_s=s.repeat_log_minutes * 60)


def catch_up_now(at: dt.time | None, now: dt.datetime) -> bool:
    """Whether a job runs at start-up: always for the poll; for a daily job, once its time today has passed."""
    return at is None or now.time() >= at


def clock_for(ctx: Any) -> Callable[[], dt.datetime]:
    """The daemon's "now": the wall clock, or with `--now` the given time moving forward from start."""
    tz = ctx.cfg.timezone
    if not getattr(ctx.args, "now", None):
        return lambda: dt.datetime.now(tz)
    offset = ctx.now - dt.datetime.now(tz)
    return lambda: dt.datetime.now(tz) + offset


# ---------------------------------------------------------------- the daemon

class Daemon:
    """One run of `baocao run`: start, run jobs until SIGTERM/SIGINT, stop cleanly (exit 0)."""

    def __init__(self, ctx: Any, jobs: list[tuple[str, Job]], run_job: RunJob, source: Any = None):
        self.ctx = ctx
        self.jobs = jobs
        self.run_job = run_job
        self.cfg = ctx.cfg
        self.settings = settings(ctx.cfg)
        self.clock = clock_for(ctx)
        self.problems = Problems(repeat_s=self.settings.repeat_log_s)
        self.stop = threading.Event()
        self.poll_now = threading.Event()
        self.source = source
        self._resume_at = 0.0        # monotonic time before which poll ticks are skipped (backoff)
        self._signals = 0

    # -- jobs (run in the single worker thread) ------------------------------------------

    def run_one(self, name: str, fn: Job) -> None:
        """What the scheduler calls: one job run, never raising (a job's bug stays a log line)."""
        if self.stop.is_set():
            return   # queued behind the job that was running when the signal came
        if name == "poll" and time.monotonic() < self._resume_at:
            return   # backing off after failures
        try:
            self.ctx.now = self.clock()
            self.run_job(self.ctx, name, fn, self.problems)
        except Exception as exc:  # e.g. the store itself failing (disk full) before run_job could record it
            self.problems.failed(name, f"{type(exc).__name__}: {exc}")
        if name == "poll":
            streak = self.problems.streak("poll")
            pause = backoff_s(streak, self.settings.poll_seconds, self.settings.max_backoff_s)
            self._resume_at = time.monotonic() + pause - 1 if pause > self.settings.poll_seconds else 0.0

    # -- set-up ---------------------------------------------------------------------------

    def _trigger(self, name: str) -> Any:
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger
        at = self.settings.daily.get(name)
        if at is not None:
            return CronTrigger(hour=at.hour, minute=at.minute, second=at.second, timezone=self.cfg.timezone)
        seconds = self.settings.poll_seconds if name == "poll" else 3600
        return IntervalTrigger(seconds=seconds, timezone=self.cfg.timezone)

    def _grace_s(self, name: str) -> int:
        return DAILY_GRACE_S if name in self.settings.daily else max(60, self.settings.poll_seconds)

    def scheduler(self) -> Any:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
        sched = BackgroundScheduler(timezone=self.cfg.timezone,
                                    executors={"default": ThreadPoolExecutor(max_workers=1)})
        wall = dt.datetime.now(self.cfg.timezone)
        now = self.clock()
        for order, (name, fn) in enumerate(self.jobs):
            first = None
            if catch_up_now(self.settings.daily.get(name), now):
                first = wall + dt.timedelta(milliseconds=order)   # in JOBS order: poll before reminders
            sched.add_job(self.run_one, self._trigger(name), args=[name, fn], id=name, name=name,
                          max_instances=1, coalesce=True, misfire_grace_time=self._grace_s(name),
                          **({"next_run_time": first} if first else {}))
        sched.add_listener(self._missed, _missed_mask())
        return sched

    def _missed(self, event: Any) -> None:
        log.warning("job %s did not run at %s (the worker was busy or the machine was asleep); "
                    "it runs at its next time", event.job_id, event.scheduled_run_time, extra={"job": event.job_id})

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._signals += 1
        name = signal.Signals(signum).name
        if self._signals == 1:
            log.info("%s: stopping after the message in hand", name)
            self.stop.set()
        else:
            log.warning("%s again: exiting now (the store stays consistent; the next start resumes)", name)
            os._exit(1)

    # -- life cycle -----------------------------------------------------------------------

    def run(self) -> int:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        self.ctx.mail_source = self.source
        self.ctx.stop_requested = self.stop.is_set
        sched = self.scheduler()
        if self.cfg.mailbox.idle:
            start_watcher(self)   # a daemon thread: it ends with the process
        log.info("daemon started: store %s, mailbox %s, poll every %d s, %s", self.cfg.store_path,
                 getattr(self.source, "name", self.cfg.mailbox.kind), self.settings.poll_seconds,
                 ", ".join(f"{n} daily at {t.strftime('%H:%M')}" for n, t in self.settings.daily.items()))
        sched.start()
        try:
            while not self.stop.wait(TICK_S):
                if self.poll_now.is_set() and sched.get_job("poll") is not None:
                    self.poll_now.clear()
                    self._resume_at = 0.0   # the server just spoke: no reason to keep backing off
                    sched.modify_job("poll", next_run_time=dt.datetime.now(self.cfg.timezone))
        finally:
            sched.shutdown(wait=True)   # the running job ends after the message in hand
            for s, handler in previous.items():
                signal.signal(s, handler)
        log.info("daemon stopped")
        return 0


def _missed_mask() -> int:
    from apscheduler.events import EVENT_JOB_MISSED
    return int(EVENT_JOB_MISSED)


# ---------------------------------------------------------------- IMAP IDLE

class Watcher:
    """A thread holding a second IMAP connection in IDLE; new mail sets `daemon.poll_now`.

    The poll keeps its own connection: IMAPClient objects are not thread-safe."""

    def __init__(self, daemon: Daemon, source: Any):
        self.daemon = daemon
        self.source = source
        self.thread = threading.Thread(target=self._loop, name="imap-idle", daemon=True)

    def _loop(self) -> None:
        d = self.daemon
        failures = 0
        while not d.stop.is_set():
            try:
                if self.source.wait_for_mail(float(d.settings.poll_seconds)):
                    d.poll_now.set()
                    d.stop.wait(2.0)   # a flapping connection answers True at once: not a busy loop
                failures = 0
            except Exception as exc:  # server down, login refused: the poll job logs it, once
                failures += 1
                log.debug("IMAP IDLE: %s: %s", type(exc).__name__, exc)
                d.stop.wait(backoff_s(failures, d.settings.poll_seconds, d.settings.max_backoff_s))


def start_watcher(daemon: Daemon) -> Watcher | None:
    """IDLE only for an IMAP mailbox whose source can wait for mail (`ImapSource.wait_for_mail`)."""
    if daemon.cfg.mailbox.kind != "imap":
        log.info("mailbox.idle is set but the mailbox is a %s: polling only", daemon.cfg.mailbox.kind)
        return None
    from ingest import imap
    if not hasattr(imap.ImapSource, "wait_for_mail"):
        log.warning("mailbox.idle is set but this IMAP source cannot wait for mail: polling only")
        return None
    watcher = Watcher(daemon, imap.ImapSource(daemon.cfg.mailbox))
    watcher.thread.start()
    return watcher


def run_forever(ctx: Any, jobs: list[tuple[str, Job]], run_job: RunJob) -> int:
    """The daemon until SIGTERM/SIGINT; returns the exit code (0 after a clean stop).

    The caller holds the store lock. The mail source is opened once and kept between polls
    (an IMAP connection is re-used, NOOP-checked and re-opened by the source itself)."""
    from ingest.pipeline import open_source
    source = open_source(ctx.cfg)
    try:
        return Daemon(ctx, jobs, run_job, source).run()
    finally:
        try:
            source.close()
        except Exception as exc:  # a dead connection at exit is not worth a traceback
            log.debug("closing the mail source: %s", exc)
