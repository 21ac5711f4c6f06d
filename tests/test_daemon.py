"""`baocao run` as a real subprocess: new mail within one interval, SIGTERM and kill -9 never
half-record a message, one daemon per store, catch-up after an outage, one log line per problem
while the mail source is away, and the admin's commands (`health`, `reprocess --all-failed`)."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from daemon import Problems, backoff_s, catch_up_now, settings
from store.errors import ConfigError
from scheduler import main
from tests.conftest import write_config
from tests.mails import XLSX, build

ROOT = Path(__file__).resolve().parent.parent
POLL = 5   # the configuration's minimum


# ---------------------------------------------------------------- helpers

def mails(n: int, tag: str = "m", xlsx: bytes | None = None) -> list[bytes]:
    files = [(xlsx, "bao-cao.xlsx", XLSX)] if xlsx else []
    return [build(subject=f"Báo cáo công tác trẻ em 6 tháng đầu năm 2024 ({tag} {i})", message_id=f"<{tag}-{i}@t.vn>",
                  files=files) for i in range(n)]


def deliver(maildir: Path, raws: list[bytes], tag: str = "d") -> None:
    """As a mail delivery agent does: write in tmp/, then rename into new/ (atomic)."""
    for i, raw in enumerate(raws):
        name = f"{int(time.time() * 1000) + i}.{tag}{i}.test"
        (maildir / "tmp" / name).write_bytes(raw)
        os.rename(maildir / "tmp" / name, maildir / "new" / name)


def setup_store(tmp_path: Path, raws: list[bytes] = (), mailbox: str | None = None, extra: str = "",
                poll: int = POLL) -> Path:
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "maildir" / sub).mkdir(parents=True, exist_ok=True)
    deliver(tmp_path / "maildir", list(raws), "init")
    path = write_config(tmp_path, mailbox=mailbox, extra=extra)
    path.write_text(path.read_text(encoding="utf-8").replace("poll_seconds = 300", f"poll_seconds = {poll}"),
                    encoding="utf-8")
    return path


def query(config: Path, sql: str, args: tuple = ()) -> list[tuple]:
    store = config.parent / "var" / "baocao.sqlite"
    if not store.exists():
        return []
    conn = sqlite3.connect(store, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError:   # the daemon has not created the schema yet
        return []
    finally:
        conn.close()


def count(config: Path, sql: str = "SELECT COUNT(*) FROM messages") -> int:
    rows = query(config, sql)
    return int(rows[0][0]) if rows else 0


def wait_for(check: Callable[[], Any], timeout: float, what: str, proc: "Daemon | None" = None) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        if proc is not None and proc.p.poll() is not None:
            raise AssertionError(f"daemon exited ({proc.p.returncode}) waiting for {what}:\n{proc.stderr()[-3000:]}")
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}" + (f":\n{proc.stderr()[-3000:]}" if proc else ""))


class Daemon:
    """`python -m scheduler --config X [args] run` with its stderr in a file."""

    def __init__(self, config: Path, *args: str, env: dict[str, str] | None = None, tag: str = "daemon"):
        self.config = config
        self.err = config.parent / f"{tag}-{time.monotonic_ns()}.stderr"
        with open(self.err, "wb") as f:
            self.p = subprocess.Popen([sys.executable, "-m", "scheduler", "--config", str(config), *args, "run"],
                                      cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        self.p.send_signal(sig)
        return self.p.wait(timeout=timeout)


@pytest.fixture
def daemons():
    """Start daemons through this; any still running at the end is killed."""
    started: list[Daemon] = []

    def start(config: Path, *args: str, **kw: Any) -> Daemon:
        d = Daemon(config, *args, **kw)
        started.append(d)
        return d
    yield start
    for d in started:
        if d.p.poll() is None:
            d.p.kill()
            d.p.wait(timeout=10)


def cli(config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler", "--config", str(config), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


def assert_each_once(config: Path, raws: list[bytes]) -> None:
    """Every mail is one fully processed message, seen once, with its one attachment once."""
    expected = sorted(build_subjects(raws))
    rows = query(config, "SELECT subject, processed_at FROM messages ORDER BY subject")
    assert [r[0] for r in rows] == expected
    assert all(r[1] for r in rows), "a message without processed_at"
    assert count(config, "SELECT COUNT(*) FROM seen") == len(raws)
    assert count(config, "SELECT COUNT(DISTINCT message_id) FROM seen") == len(raws)
    per_message = query(config, "SELECT message_id, COUNT(*) FROM attachments GROUP BY message_id")
    assert len(per_message) == len(raws) and {n for _, n in per_message} == {1}


def build_subjects(raws: list[bytes]) -> list[str]:
    from parsers.mime import parse_message
    return [parse_message(r).subject for r in raws]


@pytest.fixture(scope="module")
def xlsx() -> bytes:
    from tests.reportfiles import filled_xlsx
    return filled_xlsx()


def log_entries(config: Path) -> list[dict]:
    path = config.parent / "var" / "baocao.log.jsonl"
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def poll_runs(config: Path, ok: int) -> int:
    return count(config, f"SELECT COUNT(*) FROM job_runs WHERE job = 'poll' AND ok = {ok}")


# ---------------------------------------------------------------- the daemon as a process

def test_daemon_catches_up_refuses_a_second_survives_an_outage_and_takes_new_mail(tmp_path: Path, daemons) -> None:
    config = setup_store(tmp_path, mails(1, "first"))
    d = daemons(config, "--now", "2024-07-05T09:00")
    # catch-up at start: each job once, in order (09:00 is past reminders_at and digest_at)
    wait_for(lambda: count(config, "SELECT COUNT(*) FROM job_runs WHERE finished_at IS NOT NULL") >= 3, 30,
             "the start-up catch-up", d)
    assert [r[0] for r in query(config, "SELECT job FROM job_runs ORDER BY id")][:3] == ["poll", "reminders", "digest"]
    assert count(config) == 1

    for args in (("run",), ("run", "--once")):
        second = cli(config, *args)
        assert second.returncode == 2
        assert f"in use by process {d.p.pid} (a baocao daemon is already running)" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1

    # the mailbox goes away (a mount lost, a folder renamed) and comes back: one line per problem
    maildir = tmp_path / "maildir"
    os.rename(maildir, tmp_path / "maildir-away")
    wait_for(lambda: poll_runs(config, 0) >= 2, 3 * POLL + 5, "two failed polls", d)
    problem = [l for l in d.stderr().splitlines() if "is not a Maildir" in l]
    assert len(problem) == 1, problem
    assert "ERROR" in problem[0] and "poll: mailbox.path:" in problem[0]
    os.rename(tmp_path / "maildir-away", maildir)
    deliver(maildir, mails(1, "later"))
    took = wait_for(lambda: count(config) == 2, POLL + 5, "the new mail in the store", d)
    assert took <= POLL + 2, f"took {took:.1f} s for a {POLL} s interval"
    wait_for(lambda: "poll: working again after 2 failed run(s)" in d.stderr(), 5, "the recovery line", d)
    errors = [e for e in log_entries(config) if e["level"] == "ERROR"]
    assert len(errors) == 1 and errors[0]["job"] == "poll", errors

    assert d.stop() == 0
    assert "daemon stopped" in d.stderr()
    assert "Traceback" not in d.stderr()


def test_sigterm_mid_batch_leaves_no_half_recorded_message(tmp_path: Path, daemons, xlsx: bytes) -> None:
    raws = mails(100, "batch", xlsx)
    config = setup_store(tmp_path, raws)
    d = daemons(config)
    wait_for(lambda: count(config) >= 40, 30, "the batch to be under way", d)
    started = time.monotonic()
    assert d.stop() == 0
    assert time.monotonic() - started < 5, "SIGTERM should end the poll after the message in hand"
    done = count(config)
    assert 40 <= done <= 100, f"{done} messages: the signal did not come mid-batch"
    read = count(config, "SELECT COUNT(*) FROM messages WHERE processed_at IS NOT NULL")
    assert read < 100, f"{read} messages read: the signal did not come mid-batch"
    # a message is read and recorded whole, or not begun (taken, left to read: no attempt counted)
    assert count(config, "SELECT COUNT(*) FROM messages WHERE processed_at IS NULL AND attempts > 0") == 0
    assert count(config, "SELECT COUNT(*) FROM seen") == done
    again = cli(config, "run", "--once")
    assert again.returncode in (0, 1), again.stderr
    assert_each_once(config, raws)


def test_kill_9_at_random_points_then_restart_takes_every_message_once(tmp_path: Path, daemons, xlsx: bytes) -> None:
    raws = mails(100, "kill", xlsx)
    config = setup_store(tmp_path, raws)
    seed = int(os.environ.get("BAOCAO_TEST_SEED", time.time()))
    rng = random.Random(seed)
    progress = []
    for _ in range(3):
        d = daemons(config)
        wait_for(lambda: "daemon started" in d.stderr(), 30, "the start", d)
        time.sleep(rng.uniform(0.2, 1.4))   # anywhere in the batch: archive, insert, parse, save, mark seen
        d.p.kill()
        d.p.wait(timeout=10)
        progress.append(count(config))
    again = cli(config, "run", "--once")
    assert again.returncode in (0, 1), f"seed {seed}, progress {progress}: {again.stderr}"
    # A message in hand at two kills in a row is quarantined (it might be what kills the
    # process): visible as a failure, and taken whole by the admin's reprocess.
    quarantined = query(config, "SELECT m.id FROM messages m JOIN failures f ON f.message_id = m.id "
                                "WHERE m.status = 'failed' AND f.reason LIKE '%quarantined%'")
    assert count(config, "SELECT COUNT(*) FROM messages WHERE status = 'failed'") == len(quarantined)
    if quarantined:
        assert cli(config, "reprocess", "--all-failed").returncode == 0
    assert_each_once(config, raws)


# ---------------------------------------------------------------- against a real IMAP server

def imap_section(server: Any, folder: str = "INBOX", idle: bool = False) -> str:
    from tests.dovecot import PASSWORD_ENV
    return (f'[mailbox]\nkind = "imap"\nhost = "{server.host}"\nport = {server.port}\ntls = "none"\n'
            f'username = "{server.user}"\npassword_env = "{PASSWORD_ENV}"\nfolder = "{folder}"\ntimeout = 5\n'
            f'idle = {"true" if idle else "false"}\n')


def test_dovecot_going_away_and_back(tmp_path: Path, daemons) -> None:
    from tests.dovecot import PASSWORD_ENV, Dovecot, available
    why = available()
    if why:
        pytest.skip(why)
    server = Dovecot.start()
    try:
        config = setup_store(tmp_path, mailbox=imap_section(server))
        d = daemons(config, "-v", env={PASSWORD_ENV: server.password})
        wait_for(lambda: poll_runs(config, 1) >= 1, 30, "the first poll", d)
        crash(server)
        wait_for(lambda: poll_runs(config, 0) >= 2, 3 * POLL + 5, "two failed polls", d)
        errors = [e for e in log_entries(config) if e["level"] == "ERROR"]
        assert len(errors) == 1 and "connection refused" in errors[0]["msg"], errors
        subprocess.run(["dovecot", "-c", str(server.conf)], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        wait_for(lambda: cli_connects(server), 15, "dovecot to listen again")
        server.append("INBOX", *mails(1, "imap"))
        took = wait_for(lambda: count(config) == 1, POLL + 5, "the mail appended after the restart", d)
        assert took <= POLL + 2, f"took {took:.1f} s for a {POLL} s interval"
        wait_for(lambda: "poll: working again after 2 failed run(s)" in d.stderr(), 5, "the recovery line", d)
        assert d.stop() == 0
        written = d.stderr() + (config.parent / "var" / "baocao.log.jsonl").read_text(encoding="utf-8")
        assert "LOGIN" in written and server.password not in written   # -v logs the IMAP traffic, redacted
    finally:
        server.stop()


def crash(server: Any) -> None:
    """Stop the server as a crash or a reboot does: the master and every session it served.
    (Stopping only the master leaves the open IMAP sessions working.) Only processes of this
    test's own instance are killed, found by their title `dovecot-<instance>/...`."""
    server.stop(remove=False)
    title = f"dovecot-baocao-test-{server.port}/".encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes().startswith(title):
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


def cli_connects(server: Any) -> bool:
    try:
        server.client().logout()
        return True
    except Exception:
        return False


def test_imap_idle_sees_new_mail_long_before_the_interval(tmp_path: Path, daemons, imap_mailbox) -> None:
    from ingest.imap import ImapSource
    from tests.dovecot import PASSWORD_ENV
    if not hasattr(ImapSource, "wait_for_mail"):
        pytest.skip("ImapSource has no wait_for_mail")
    server = imap_mailbox.server
    config = setup_store(tmp_path, mailbox=imap_section(server, imap_mailbox.folder, idle=True), poll=600)
    d = daemons(config, env={PASSWORD_ENV: server.password})
    wait_for(lambda: poll_runs(config, 1) >= 1, 30, "the first poll", d)
    time.sleep(1.0)   # the watcher enters IDLE
    imap_mailbox.append(*mails(1, "idle"))
    took = wait_for(lambda: count(config) == 1, 15, "the mail announced by IDLE", d)
    assert took < 8
    assert d.stop() == 0


# ---------------------------------------------------------------- catch-up, health, the admin's loop (in process)

def test_missed_reminders_after_an_outage_send_only_the_latest_stage(tmp_path: Path, capsys) -> None:
    reminders = pytest.importorskip("compile.reminders")
    config = setup_store(tmp_path)
    assert main(["--config", str(config), "--now", "2024-06-22T09:00", "run", "--once"]) == 0
    assert count(config, "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder'") == 0   # before the first stage
    # down from 06-22 to 07-04: due-7, due-3, due-1 and after-1 all passed unseen
    assert main(["--config", str(config), "--now", "2024-07-04T09:00", "run", "--once"]) == 0
    from store.config import load
    cfg = load(config)
    due = cfg.report("cttre").period("2024S1").due
    latest = reminders.current_stage(cfg, due, dt.date(2024, 7, 4))
    keys = [r[0] for r in query(config, "SELECT dedupe_key FROM outbox WHERE kind = 'reminder' AND dedupe_key LIKE "
                                        "'reminder:cttre:2024S1:%'")]
    assert keys and {k.rsplit(":", 1)[1] for k in keys} == {latest} and latest == "after-1"
    assert len(keys) == len({k.split(":")[3] for k in keys})   # one per unit
    capsys.readouterr()
    assert main(["--config", str(config), "--now", "2024-07-04T16:00", "run", "--once"]) == 0
    assert "reminders: 0 queued" in capsys.readouterr().out


def test_health_exit_codes(tmp_path: Path, capsys) -> None:
    config = setup_store(tmp_path, mails(1))
    c = ["--config", str(config)]
    assert main([*c, "--now", "2024-07-05T08:00", "health"]) == 1
    assert "no successful poll yet" in capsys.readouterr().out
    assert main([*c, "--now", "2024-07-05T08:00", "run", "--once"]) == 0
    assert main([*c, "--now", "2024-07-05T08:20", "health"]) == 0
    assert "health: OK" in capsys.readouterr().out
    assert main([*c, "--now", "2024-07-05T08:31", "health"]) == 1
    assert "limit 30 min" in capsys.readouterr().out
    assert main([*c, "--now", "2024-07-05T08:31", "health", "--max-age", "60"]) == 0


def test_reprocess_all_failed_after_an_upgrade_restores_completeness(tmp_path: Path, capsys) -> None:
    config = setup_store(tmp_path, mails(1, "ok"))
    c = ["--config", str(config), "--now", "2024-07-05T08:00"]
    assert main([*c, "poll"]) == 0
    [(mid, unit)] = query(config, "SELECT id, unit_code FROM messages")
    # what an older version with a bug left behind: the message failed, nothing placed
    conn = sqlite3.connect(config.parent / "var" / "baocao.sqlite")
    with conn:
        conn.execute("UPDATE messages SET status = 'failed', unit_code = NULL, report_code = NULL, period = NULL "
                     "WHERE id = ?", [mid])
        conn.execute("INSERT INTO failures (message_id, stage, reason, detail, created_at) VALUES "
                     "(?, 'classify', 'processing error (a bug: please report it)', 'KeyError', '2024-07-05T08:00:00+07:00')",
                     [mid])
    conn.close()
    capsys.readouterr()
    main([*c, "status", "--period", "2024S1"])
    assert any(l.startswith(unit) and "missing" in l for l in capsys.readouterr().out.splitlines())
    assert main([*c, "reprocess", "--all-failed"]) == 0
    assert f"message {mid}: report" in capsys.readouterr().out
    main([*c, "status", "--period", "2024S1"])
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith(unit))
    assert "on_time" in line or "on time" in line
    assert main(["--config", str(config), "failures"]) == 0
    assert "failures: none unresolved" in capsys.readouterr().out


# ---------------------------------------------------------------- pure parts

class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_a_lasting_problem_is_logged_once_then_every_repeat_and_its_end_once(caplog) -> None:
    clock = Clock()
    p = Problems(logging.getLogger("baocao.test.problems"), repeat_s=1800, clock=clock)
    caplog.set_level(logging.INFO, "baocao.test.problems")
    for i in range(720):   # an hour of polls every 5 s
        p.failed("poll", f"cannot connect to mail:993: connection lost {i % 3 + 1} times")
        clock.t += 5
    assert p.streak("poll") == 720
    p.failed("poll", "login refused for 'trunghoc'")   # another problem: its own line
    p.ok("poll")
    p.ok("poll")
    texts = [r.getMessage() for r in caplog.records]
    assert len(texts) == 4, texts
    assert texts[0].startswith("poll: cannot connect") and "still failing (361 times" in texts[1]
    assert texts[2].startswith("poll: login refused")
    assert texts[3].startswith("poll: working again after 1 failed run(s)") and p.streak("poll") == 0


@pytest.mark.parametrize("streak, interval, expected", [
    (0, 300, 300), (1, 300, 300), (2, 300, 300), (3, 300, 600), (4, 300, 900), (9, 300, 900),
    (3, 5, 10), (6, 5, 80), (20, 5, 900), (5, 3600, 3600),
])
def test_backoff_doubles_after_two_failures_up_to_the_cap(streak, interval, expected) -> None:
    assert backoff_s(streak, interval) == expected


@pytest.mark.parametrize("at, now, runs", [
    (None, "03:00", True), ("07:30", "07:29", False), ("07:30", "07:30", True), ("07:30", "23:59", True),
])
def test_catch_up_at_start_only_once_the_time_of_day_has_passed(at, now, runs) -> None:
    when = dt.datetime.combine(dt.date(2024, 7, 5), dt.time.fromisoformat(now))
    assert catch_up_now(dt.time.fromisoformat(at) if at else None, when) is runs


def test_a_bad_time_of_day_names_the_key(tmp_path: Path) -> None:
    from store.config import load
    config = setup_store(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace('reminders_at = "07:30"', 'reminders_at = "7h30"'),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match="schedule.reminders_at"):
        settings(load(config))


# ---------------------------------------------------------------- browsing the store

def test_datasette_canned_queries_answer_on_a_real_store(tmp_path: Path, capsys) -> None:
    import shutil
    config = setup_store(tmp_path)
    shutil.rmtree(tmp_path / "maildir")
    shutil.copytree(ROOT / "examples" / "maildir", tmp_path / "maildir")
    assert main(["--config", str(config), "--now", "2024-07-05T08:00", "poll"]) in (0, 1)
    meta = json.loads((ROOT / "store" / "datasette.json").read_text(encoding="utf-8"))
    queries = meta["databases"]["baocao"]["queries"]
    assert set(queries) == {"missing_units", "failures_to_review", "values_of_a_period"}
    params = {"report_code": "cttre", "period": "2024S1"}
    conn = sqlite3.connect(config.parent / "var" / "baocao.sqlite")
    try:
        missing = conn.execute(queries["missing_units"]["sql"], params).fetchall()
        values = conn.execute(queries["values_of_a_period"]["sql"], params).fetchall()
        review = conn.execute(queries["failures_to_review"]["sql"]).fetchall()
        expected_missing = {r[0] for r in conn.execute(
            "SELECT unit_code FROM v_completeness WHERE report_code = 'cttre' AND period = '2024S1' "
            "AND state = 'missing' AND expected = 1")}
    finally:
        conn.close()
    assert {r[0] for r in missing} == expected_missing and "THPT-DONGXOAI" in expected_missing
    assert {r[-1] for r in missing} == {"overdue"}            # 2024-06-30 has passed
    assert values and {r[2] for r in values} >= {"tre_em_tong"}
    assert any("baocao assign" in r[-1] for r in review)     # the example's unplaced mail


def test_deployment_guide_covers_the_admins_questions() -> None:
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for needle in ("[Service]", "User=baocao", "EnvironmentFile=", "KillMode=mixed", "baocao backup",
                   "baocao health", "pip install -e '.[browse]'", "datasette serve", "store/datasette.json",
                   "journalctl", "baocao.log.jsonl", "systemctl stop baocao", "migrations"):
        assert needle in text, needle


def test_an_unreachable_smtp_server_fails_the_job_with_one_line_and_keeps_the_mail(tmp_path: Path, capsys) -> None:
    from tests.dovecot import free_port
    config = setup_store(tmp_path)
    text = config.read_text(encoding="utf-8")
    start, end = text.index("[outbox]"), text.index("[units]")
    config.write_text(text[:start] + f'[outbox]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {free_port()}\n'
                      f'tls = "none"\nfrom = "trunghoc@binhphuoc.edu.vn"\ntimeout = 3\n\n' + text[end:], encoding="utf-8")
    code = main(["--config", str(config), "--now", "2024-07-04T09:00", "run", "--once"])
    out, err = capsys.readouterr()
    assert code == 1
    problem = [l for l in err.splitlines() if "job reminders: outbox:" in l]
    assert len(problem) == 1 and "wait for the next attempt" in problem[0], err
    assert count(config, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") > 0
    assert query(config, "SELECT ok, detail FROM job_runs WHERE job = 'reminders'")[0][0] == 0
