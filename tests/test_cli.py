"""The command line: exit codes and the one line a person reads."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler import main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def examples(config_path: Path) -> Path:
    target = config_path.parent / "maildir"
    shutil.rmtree(target)
    shutil.copytree(ROOT / "examples" / "maildir", target)
    return config_path


def test_poll_status_failures_assign(capsys, examples: Path) -> None:
    c = str(examples)
    code, out, _ = run(capsys, "--config", c, "--now", "2024-07-05T08:00", "poll")
    assert code == 0 and "13 new message(s)" in out
    code, out, _ = run(capsys, "--config", c, "--now", "2024-07-05T08:00", "status", "--period", "2024S1")
    assert code == 0
    line = next(l for l in out.splitlines() if l.startswith("THPT-CHUVANAN"))
    assert "late" in line
    assert "THPT-DONGXOAI" in out and "missing" in out
    code, out, _ = run(capsys, "--config", c, "failures")
    assert code == 0 and "baocao assign" in out
    from store.config import load
    from store.db import open_store
    db = open_store(load(examples))
    unplaced = db.execute("SELECT id, from_addr FROM messages WHERE status = 'unplaced'").fetchone()
    code, out, _ = run(capsys, "--config", c, "--now", "2024-07-05T08:00", "assign", str(unplaced[0]),
                       "--unit", "THPT-LOCTHAI", "--remember-sender")
    assert code == 0 and "THPT-LOCTHAI" in out
    row = db.execute("SELECT status, unit_code, period FROM v_messages WHERE message_id = ?", [unplaced[0]]).fetchone()
    assert row == ("report", "THPT-LOCTHAI", "2024S1")
    assert db.execute("SELECT unit_code FROM unit_senders WHERE address = ?", [unplaced[1]]).fetchone()[0] == "THPT-LOCTHAI"
    code, out, _ = run(capsys, "--config", c, "--now", "2024-07-05T08:00", "reprocess", str(unplaced[0]))
    assert code == 0
    assert db.execute("SELECT unit_code FROM messages WHERE id = ?", [unplaced[0]]).fetchone()[0] == "THPT-LOCTHAI"


@pytest.mark.parametrize("args, needle", [
    (["--now", "yesterday", "status"], "--now"),
    (["assign", "99", "--unit", "NOPE"], "assign: no message 99"),
    (["status", "--report", "nope"], "--report"),
    (["reprocess"], "reprocess"),
    (["resend", "99"], "resend: no outbox row 99"),
    (["pol"], "unknown command 'pol' (did you mean poll?)"),
    (["--conifg", "x", "poll"], "unknown option --conifg (did you mean --config?)"),
    (["--confg=x", "poll"], "unknown option --confg (did you mean --config?)"),
    (["status", "--reprot", "x"], "unknown option --reprot for status (did you mean --report?)"),
    (["poll", "--unit", "x"], "unknown option --unit for poll"),
    (["assign", "5"], "assign: the following arguments are required: --unit"),
    (["explain", "abc"], "explain: argument message: invalid int value: 'abc'"),
    ([], "a command is needed: run, poll"),
])
def test_usage_errors_exit_2_with_one_line(capsys, config_path: Path, args, needle) -> None:
    code, out, err = run(capsys, "--config", str(config_path), *args)
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("edit, key", [
    (lambda t: t.replace('kind = "maildir"', 'kind = "pop3"'), "mailbox.kind"),
    (lambda t: t.replace('[store]\npath = "var/baocao.sqlite"', "[store]"), "store.path"),
    (lambda t: t.replace("poll_seconds = 300", 'poll_seconds = "often"'), "schedule.poll_seconds"),
    (lambda t: t.replace('due = "2024-06-30"', 'due = "30/06/2024"'), "reports[0].periods[0].due"),
    (lambda t: t.replace('id = "2024S1"', 'id = "H1-2024"'), "reports[0].periods[0].id"),
    (lambda t: t.replace('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Mars/Base"'), "timezone"),
    (lambda t: t.replace('file = "units.example.csv"', 'file = "nope.csv"'), "units.file"),
    (lambda t: t + "\n[[extensions]]\nunit = \"NOPE\"\nreport = \"cttre\"\nperiod = \"2024S1\"\ndue = \"2024-07-05\"\n",
     "extensions[0].unit"),
    (lambda t: t.replace("[mailbox]", "[mailbox\n"), "--config"),
    (lambda t: t.replace('upper = "xh_so_tre"', 'upper = "nope"'), "reports[0].rules[0].upper"),
])
def test_bad_config_names_the_key(capsys, config_path: Path, edit, key) -> None:
    config_path.write_text(edit(config_path.read_text(encoding="utf-8")), encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config_path), "status")
    assert code == 2, err
    assert key in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_config_file(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--config", str(tmp_path / "none.toml"), "poll")
    assert code == 2 and "does not exist" in err


def test_imap_password_env_missing(capsys, tmp_path: Path) -> None:
    from tests.conftest import write_config
    path = write_config(tmp_path, mailbox='[mailbox]\nkind = "imap"\nhost = "127.0.0.1"\nport = 1\ntls = "none"\n'
                                          'username = "u"\npassword_env = "BAOCAO_TEST_UNSET_PW"')
    code, _, err = run(capsys, "--config", str(path), "poll")
    assert code == 2 and "BAOCAO_TEST_UNSET_PW" in err


def test_console_script_and_help() -> None:
    out = subprocess.run([sys.executable, "-m", "scheduler", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    for command in ("run", "poll", "remind", "digest", "status", "failures", "reprocess", "assign", "resend",
                    "template"):
        assert command in out.stdout


def test_the_installed_command_is_cli_and_its_exit_loses_nothing(examples: Path) -> None:
    """`baocao` is `scheduler.cli`, which freezes the garbage collector before the process ends:
    the poll's output, its log lines and its store rows must all be there afterwards."""
    import tomllib
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"baocao": "scheduler:cli"}
    entry = "import sys; from scheduler import cli; sys.exit(cli())"
    out = subprocess.run([sys.executable, "-c", entry, "--config", str(examples), "--now", "2024-07-05T08:00", "poll"],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert "13 new message(s)" in out.stdout
    from store.config import load
    from store.db import open_store
    cfg = load(examples)
    assert open_store(cfg).execute("SELECT count(*) FROM messages WHERE processed_at IS NOT NULL").fetchone()[0] == 13
    logged = [json.loads(line) for line in (cfg.store_path.parent / "baocao.log.jsonl").read_text().splitlines()]
    assert any(entry["logger"] == "baocao.alerts" and "alert queued" in entry["msg"] for entry in logged), logged[-3:]


def test_cli_returns_the_code_of_main_and_leaves_the_collector_frozen(monkeypatch, capsys, config_path: Path) -> None:
    import gc

    import scheduler
    monkeypatch.setattr(sys, "argv", ["baocao", "--config", str(config_path), "status", "--report", "nope"])
    try:
        assert scheduler.cli() == 2
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "--report" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["--config", "c.toml", "poll"],
    ["--now=2024-07-05T08:00", "-v", "status", "--report", "x", "--period", "y"],
    ["assign", "3", "--unit", "U", "--remember-sender"],
    ["reprocess", "--all-failed", "--ocr"],
    ["draft-report", "--report", "a", "--period", "b", "-o", "out.docx"],
    ["--verbose", "--config=x", "health", "--max-age", "5"],
    ["--now", "2024-07-05", "run", "--once"],
])
def test_the_one_command_parser_reads_what_the_whole_one_reads(argv: list[str]) -> None:
    import scheduler
    command = scheduler.command_in(argv)
    assert command == argv[[a.startswith("-") or (i and argv[i - 1] in ("--config", "--now"))
                             for i, a in enumerate(argv)].index(False)]
    assert vars(scheduler.build_parser(command).parse_args(argv)) == vars(scheduler.build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["--help"], ["--conf", "x", "poll"], ["pol"], [], ["--config"], ["--", "poll"]])
def test_help_abbreviations_and_mistakes_get_the_whole_parser(argv: list[str]) -> None:
    import scheduler
    assert scheduler.command_in(argv) is None


def test_a_command_far_from_any_is_answered_with_every_command(capsys) -> None:
    assert main(["zzz"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("baocao: unknown command 'zzz'") and "poll, remind" in err and "draft-report" in err
    assert len(err.strip().splitlines()) == 1


def test_example_config_loads() -> None:
    from store.config import load
    cfg = load(ROOT / "config.example.toml")
    assert [p.id for p in cfg.reports[0].periods] == ["2024S1", "2024"]
    assert len(cfg.reports[0].indicators) == 21
    assert sum(u.kind == "pgd" for u in cfg.units) == 11


def test_readme_documents_every_command_and_view() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for word in ("baocao run", "baocao poll", "baocao remind", "baocao digest", "baocao status", "baocao failures",
                 "baocao reprocess", "baocao assign", "baocao resend", "baocao template", "v_messages", "v_submissions",
                 "v_completeness", "v_values", "v_warnings", "v_incidents", "v_failures", "v_outbox"):
        assert word in readme, word


def test_digest_dry_run_without_period_takes_the_nearest_due_date(capsys, examples: Path, tmp_path: Path) -> None:
    c = str(examples)
    assert main(["--config", c, "--now", "2024-07-05T08:00", "poll"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--config", c, "--now", "2024-07-05T08:00", "digest", "--dry-run", "-o", str(tmp_path / "d"))
    assert code == 0 and "digest cttre 2024S1" in out
    assert (tmp_path / "d" / "digest-cttre-2024S1.html").exists()


def test_resend_an_uncertain_or_failed_mail_on_purpose(capsys, config_path: Path) -> None:
    import datetime as dt
    from compile import mail, outbox
    from store import outbox as rows
    from store.config import load
    from store.db import open_store
    cfg = load(config_path)
    db = open_store(cfg)
    now = dt.datetime(2024, 7, 5, 8, 0, tzinfo=cfg.timezone)
    ids = []
    for i in range(4):
        msg = mail.build(cfg, mail.Letter(to=(f"u{i}@binhphuoc.edu.vn",), subject=f"Thư {i}", text="Kính gửi\n"), now)
        ids.append(outbox.add(db, cfg, "reminder", f"reminder:cttre:2024S1:U{i}:after-1", msg, now))
    lost, refused, sent, waiting = ids
    rows.claim(db, lost, "2024-07-05T07:00:00+07:00")
    rows.mark_uncertain(db, lost, outbox.UNCERTAIN, "no reply after the end of the data (timed out)", "2024-07-05T07:00:00+07:00")
    rows.mark_failed(db, refused, "refused by the server", "550 5.1.1 No such user", "2024-07-05T07:00:00+07:00")
    rows.mark_sent(db, sent, "2024-07-05T07:00:00+07:00")
    c = ["--config", str(config_path), "--now", "2024-07-05T08:00"]
    code, out, _ = run(capsys, *c, "failures")
    assert code == 0 and f"baocao resend {lost}" in out and f"baocao resend {refused}" in out
    for row, status in ((sent, "sent"), (waiting, "pending"), (12345, None)):
        code, out, err = run(capsys, *c, "resend", str(row))
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert (f"is {status}" if status else "no outbox row") in err
    code, out, err = run(capsys, *c, "resend", str(lost))
    assert code == 0 and f"resend: outbox {lost} (uncertain) queued again" in out, err
    # delivered at once (the folder transport here), with the admin's note on the resolved failure
    assert db.execute("SELECT status, attempts FROM v_outbox WHERE outbox_id = ?", [lost]).fetchone() == ("sent", 1)
    assert db.execute("SELECT status FROM v_outbox WHERE outbox_id = ?", [waiting]).fetchone()[0] == "sent"
    detail, resolved = db.execute("SELECT detail, resolved_at FROM v_failures WHERE outbox_id = ?", [lost]).fetchone()
    assert "an admin asked to send it again" in detail and resolved
    code, out, _ = run(capsys, *c, "resend", str(refused))
    assert code == 0 and "(failed) queued again" in out
    code, out, err = run(capsys, *c, "resend", str(lost))
    assert code == 2 and "is sent" in err
