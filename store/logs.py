"""Logs an admin can read: a human console log and a rotating JSON-lines file, both redacted.

The console (stderr; journald under systemd) gets one readable line per event. The file log
(`[log] file`, default `baocao.log.jsonl` next to the store) gets one JSON object per line,
with `message_id`, `unit`, `stage`, `file` and `job` as fields when the caller passed them via
`extra=`, so `jq 'select(.message_id == 12)'` answers "what happened to this mail".

No secret ever reaches either: every handler carries a `Redactor` that removes the values of
the configured password/token environment variables and anything shaped like a credential
(`password=…`, `AUTH PLAIN …`, `Bearer …`), in the message, its arguments and tracebacks.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import os
import re
import sys
import urllib.parse
from pathlib import Path
from typing import Any, Iterable

CONTEXT_FIELDS = ("message_id", "unit", "stage", "file", "job")
MASK = "***"
MIN_SECRET_LEN = 4   # shorter values would mask ordinary words; such a password is refused anyway

_CREDENTIAL_PATTERNS = [
    # password=…, "token": "…", secret: …  (key kept, value masked)
    (re.compile(r"""(?i)\b((?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|client[_-]?secret)["']?\s*[=:]\s*)"""
                r"""("[^"]*"|'[^']*'|[^\s,;&'"]+)"""), r"\1" + MASK),
    # SMTP/IMAP SASL: AUTH PLAIN <base64>, AUTHENTICATE XOAUTH2 <base64>
    (re.compile(r"(?i)\b(AUTH(?:ENTICATE)?\s+(?:PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5))\s+\S+"), r"\1 " + MASK),
    # IMAP LOGIN user password (not imaplib's "command: LOGIN => socket error: EOF")
    (re.compile(r"\b(LOGIN\s+(?!=>)\S+)\s+\S+"), r"\1 " + MASK),
    (re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + MASK),
    (re.compile(r"(?i)\b(\w+://[^:/@\s]+:)[^@\s/]+@"), r"\1" + MASK + "@"),   # scheme://user:pass@host
]

_installed: list[logging.Handler] = []


class Redactor(logging.Filter):
    """Rewrites each record so no configured secret or credential-looking text survives."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets: list[str] = []   # longest first: no partial leftovers
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if secret and len(secret) >= MIN_SECRET_LEN:
            more = {secret, repr(secret)[1:-1], urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
            self.secrets = sorted(set(self.secrets) | more, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        for pattern, repl in _CREDENTIAL_PATTERNS:
            text = pattern.sub(repl, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(_message(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string must not lose the line (or leak its arguments)
        return f"{record.msg!s} (unformattable log arguments)"


def _context(record: logging.LogRecord) -> dict[str, Any]:
    return {k: getattr(record, k) for k in CONTEXT_FIELDS if getattr(record, k, None) not in (None, "")}


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time of the record, not at set-up: a test
    harness (or a daemoniser) that swaps stderr later never leaves the log writing to a closed stream."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class ConsoleFormatter(logging.Formatter):
    """`2024-07-05 08:00:01 INFO  baocao.ingest: message 12: report … [message_id=12 unit=X stage=classify]`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        ctx = _context(record)
        return line + (" [" + " ".join(f"{k}={v}" for k, v in ctx.items()) + "]" if ctx else "")

    def format(self, record: logging.LogRecord) -> str:
        """One line, never a traceback: people read the console; the traceback of a recorded
        failure goes to the JSON log file (and to the console only with --verbose)."""
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        if record.exc_info or record.exc_text:
            if self.verbose:
                return super().format(record)
            last = (record.exc_text or "").strip().splitlines()[-1:]   # already redacted by the filter
            if last:
                line += f" ({last[0][:300]}; the log file has the traceback)"
        return line.replace("\n", " ")

    verbose = False


class JsonFormatter(logging.Formatter):
    """One JSON object per line; keys: ts, level, logger, msg, the context fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(), **_context(record)}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out, ensure_ascii=False, default=str)


def add_secret(value: str) -> None:
    """Redact VALUE from now on: for a secret known only at run time (the token an
    `oauth2_token_command` prints), which the configuration cannot name."""
    for handler in _installed:
        for f in handler.filters:
            if isinstance(f, Redactor):
                f.add(value)


def secrets_of(cfg: Any) -> list[str]:
    """The current values of every environment variable the configuration names as a secret."""
    names = [getattr(cfg.mailbox, "password_env", ""), getattr(cfg.mailbox, "oauth2_token_env", ""),
             getattr(cfg.outbox, "password_env", ""), *cfg.log.redact_env]
    return [os.environ[n] for n in names if n and os.environ.get(n)]


def log_file(cfg: Any) -> Path:
    configured = cfg.log.file
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else cfg.path.parent / path
    return cfg.store_path.parent / "baocao.log.jsonl"


def setup(verbose: bool, cfg: Any = None, console_level: int | None = None) -> Path | None:
    """(Re)install baocao's handlers on the root logger; returns the file log's path, if any.

    Callable more than once (before and after the configuration is read, or per command in
    tests): the handlers of a previous call are closed and replaced."""
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    redactor = Redactor(secrets_of(cfg) if cfg is not None else ())
    level = logging.DEBUG if verbose else (console_level or logging.WARNING)
    console = StderrHandler()
    console.setLevel(level)
    formatter = ConsoleFormatter()
    formatter.verbose = verbose
    console.setFormatter(formatter)
    handlers: list[logging.Handler] = [console]
    path = None
    if cfg is not None:
        path, file_handler = _file_handler(cfg, verbose)
        if file_handler is not None:
            handlers.append(file_handler)
    for handler in handlers:
        handler.addFilter(redactor)
        root.addHandler(handler)
        _installed.append(handler)
    root.setLevel(min(h.level for h in handlers))
    # Third-party chatter: APScheduler's own lines are replaced by the daemon's; IMAP traffic only in -v.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.ERROR)
    logging.getLogger("imapclient").setLevel(logging.DEBUG if verbose else logging.WARNING)
    for noisy in ("pdfminer", "PIL", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def _file_handler(cfg: Any, verbose: bool) -> tuple[Path | None, logging.Handler | None]:
    """The rotating JSON-lines handler, or None when the file cannot be written (e.g. an admin
    running `baocao status` as a user who may not write the service's log): never fatal."""
    path = log_file(cfg)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=cfg.log.max_bytes,
            backupCount=cfg.log.backups, encoding="utf-8")
    except OSError as exc:
        logging.getLogger("baocao").debug("file log %s not written: %s", path, exc)
        return None, None
    handler.setLevel(logging.DEBUG if verbose else _level(cfg.log.level))
    handler.setFormatter(JsonFormatter())
    return path, handler


def _level(name: Any) -> int:
    value = logging.getLevelName(str(name).upper())
    return value if isinstance(value, int) else logging.INFO
