"""Logs: a readable console line, a JSON-lines file with message context, and no secret anywhere."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from store import logs
from store.config import load
from tests.conftest import write_config

SECRET = "Pa$$-w0rd:Tiếng-Việt"   # punctuation and diacritics: repr/URL forms differ from the raw value
TOKEN = "ya29.a0AfH6SMC-oauth-token-value"


@pytest.fixture
def logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """setup() on a config whose mailbox names a password variable and whose `[log] redact_env`
    names another (e.g. a token the outbox reads); yields (console, file)."""
    monkeypatch.setenv("BAOCAO_TEST_PW", SECRET)
    monkeypatch.setenv("BAOCAO_TEST_SMTP", TOKEN)
    (tmp_path / "maildir").mkdir()
    mailbox = ('[mailbox]\nkind = "imap"\nhost = "127.0.0.1"\nusername = "trunghoc@binhphuoc.edu.vn"\n'
               'password_env = "BAOCAO_TEST_PW"\n')
    cfg = load(write_config(tmp_path, mailbox=mailbox,
                            extra='[log]\nfile = "logs/baocao.jsonl"\nredact_env = ["BAOCAO_TEST_SMTP"]\n'))
    file = logs.setup(False, cfg, console_level=logging.INFO)
    yield Console(capsys), file
    logs.setup(False)   # back to a console-only setup, closing the file


class Console:
    """What the console handler wrote to stderr so far (captured by pytest)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]):
        self.capsys = capsys
        self.text = ""

    def getvalue(self) -> str:
        self.text += self.capsys.readouterr().err
        return self.text


def lines(file: Path) -> list[dict]:
    for h in logging.getLogger().handlers:
        h.flush()
    return [json.loads(l) for l in file.read_text(encoding="utf-8").splitlines()]


def test_file_log_is_json_lines_with_the_message_context(logged) -> None:
    console, file = logged
    assert file.name == "baocao.jsonl" and file.parent.name == "logs"
    logging.getLogger("baocao.ingest").info("message %s: %s", 12, "report cttre THPT-LOCNINH 2024S1",
                                            extra={"message_id": 12, "unit": "THPT-LOCNINH", "stage": "classify"})
    logging.getLogger("baocao.ingest").debug("not at INFO")
    [entry] = lines(file)
    assert entry["msg"] == "message 12: report cttre THPT-LOCNINH 2024S1"
    assert (entry["message_id"], entry["unit"], entry["stage"], entry["level"]) == (12, "THPT-LOCNINH", "classify", "INFO")
    assert "T" in entry["ts"] and entry["logger"] == "baocao.ingest"
    text = console.getvalue()
    assert "message 12: report cttre THPT-LOCNINH 2024S1 [message_id=12 unit=THPT-LOCNINH stage=classify]" in text


@pytest.mark.parametrize("emit", [
    lambda log: log.error("login with %s failed", SECRET),
    lambda log: log.error(f"token {TOKEN} refused"),
    lambda log: log.warning("url quoted: %s", "imap://u:" + __import__("urllib.parse").parse.quote(SECRET, safe="") + "@h"),
    lambda log: log.error("repr of the secret: %r", SECRET),
    lambda log: log.error("smtp said: password=hunter22 rejected"),
    lambda log: log.error('config dump: {"password": "hunter22"}'),
    lambda log: log.error("> b'a2 AUTHENTICATE PLAIN AHRydW5naG9jAGh1bnRlcjIy'"),
    lambda log: log.error("sent: AUTH PLAIN AHRydW5naG9jAGh1bnRlcjIy"),
    lambda log: log.error("> a1 LOGIN trunghoc hunter22"),
    lambda log: log.error("header Authorization: Bearer abc.def-ghi"),
    lambda log: log.error("failed", extra={"file": f"/tmp/{SECRET}.xlsx"}),
], ids=["arg", "fstring", "url-quoted", "repr", "password=", "json", "imap-authenticate", "smtp-auth",
        "imap-login", "bearer", "extra"])
def test_no_secret_reaches_console_or_file(logged, emit) -> None:
    console, file = logged
    emit(logging.getLogger("baocao.test"))
    written = console.getvalue() + file.read_text(encoding="utf-8")
    for secret in (SECRET, repr(SECRET)[1:-1], "Pa%24%24", TOKEN, "hunter22", "AHRydW5naG9jAGh1bnRlcjIy", "abc.def-ghi"):
        assert secret not in written
    assert logs.MASK in written


def test_a_lost_login_reads_in_words(logged) -> None:
    """imaplib's words for a connection lost during LOGIN are no password (bench/imap_faults.py)."""
    console, _ = logged
    logging.getLogger("baocao.test").warning("connection lost (command: LOGIN => socket error: EOF)")
    assert "command: LOGIN => socket error: EOF" in console.getvalue()


def test_tracebacks_are_redacted_too(logged) -> None:
    console, file = logged
    try:
        raise ValueError(f"server rejected {SECRET}")
    except ValueError:
        logging.getLogger("baocao.test").exception("job poll failed")
    [entry] = lines(file)
    assert "ValueError: server rejected ***" in entry["exc"]
    # the console gets one line (the redacted exception), the file the whole traceback
    assert SECRET not in console.getvalue() and "Traceback" not in console.getvalue()
    assert "ValueError: server rejected ***" in console.getvalue() and console.getvalue().count("\n") == 1


def test_ordinary_text_is_left_alone() -> None:
    r = logs.Redactor(["abc"])   # too short to be masked: it would mangle every word containing it
    text = "message 12: report cttre THPT-LOCNINH 2024S1 (Báo cáo 6 tháng, abc), Login page"
    assert r.redact(text) == text


def test_setup_twice_replaces_the_handlers(tmp_path: Path) -> None:
    logs.setup(False)
    logs.setup(True)
    installed = [h for h in logging.getLogger().handlers if h in logs._installed]
    assert len(installed) == 1 and installed[0].level == logging.DEBUG
    logs.setup(False)


def test_unwritable_file_log_is_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "maildir").mkdir()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    cfg = load(write_config(tmp_path, extra=f'[log]\nfile = "{blocker}/sub/baocao.jsonl"\n'))
    assert logs.setup(False, cfg) is None
    logs.setup(False)


def test_a_secret_known_only_at_run_time_can_be_added(logged) -> None:
    console, file = logged
    logs.add_secret("token-from-a-command-123")
    logging.getLogger("baocao.test").error("server said: token-from-a-command-123 expired")
    written = console.getvalue() + file.read_text(encoding="utf-8")
    assert "token-from-a-command-123" not in written and "server said: *** expired" in written
