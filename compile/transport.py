"""How a mail of the outbox leaves: SMTP, or a folder of .eml files (`[outbox] kind`).

A transport hands over one mail at a time and says how it went, in the outbox's terms: it returns
normally when the mail was accepted (with the refusals of some of its recipients, if any, as
words for a failure row), raises `TransientError` when it is worth trying again later
(`ConnectError` when the server cannot be reached at all, so the rest of the batch waits too)
and `PermanentError` when it is not. What to do then (retry, backoff, give up) is the queue's
business, not the transport's.

A transport is used for one delivery run, as a context manager: nothing is opened before the first
mail (a run with nothing due never touches the server), and leaving the block closes whatever the
run opened, whatever happened.
"""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from store.config import Config
from store.errors import ConfigError, ConnectError, PermanentError, TransientError


@dataclass(frozen=True)
class Envelope:
    """One mail to hand over: the outbox row it is, its recipients and its fixed bytes."""
    row_id: int
    kind: str
    to: tuple[str, ...]
    mime: bytes


class Transport:
    """The interface: `send` one mail at a time, `close` at the end (or leave the `with` block)."""

    def __init__(self, cfg: Config):
        self.cfg = cfg

    def send(self, mail: Envelope) -> str:
        """Hand over one mail; '' when every recipient was accepted, else the refusals in words."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what `send` opened; safe to call more than once."""

    def __enter__(self) -> "Transport":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class FolderTransport(Transport):
    """One .eml per mail, written atomically (temporary file, fsync, rename)."""

    def __init__(self, cfg: Config):
        super().__init__(cfg)
        self.folder = Path(cfg.outbox.path or "outbox")

    def send(self, mail: Envelope) -> str:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / f"{mail.row_id:06d}-{mail.kind}.eml"
            tmp = self.folder / f".{final.name}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(mail.mime)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            raise TransientError(f"cannot write to {self.folder}: {exc.strerror or exc}") from None
        return ""


class SmtpTransport(Transport):
    """smtplib with SSL / STARTTLS / AUTH; one connection per run, reopened after a drop."""

    def __init__(self, cfg: Config):
        super().__init__(cfg)
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        ob = self.cfg.outbox
        try:
            context = ssl.create_default_context()
            if ob.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(ob.host, ob.port, timeout=ob.timeout, context=context)
            else:
                smtp = smtplib.SMTP(ob.host, ob.port, timeout=ob.timeout)
                smtp.ehlo()
                if ob.tls == "starttls":
                    smtp.starttls(context=context)
                    smtp.ehlo()
            if ob.username:
                smtp.login(ob.username, ob.secret())
        except smtplib.SMTPResponseException as exc:
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: {exc.smtp_code} {_words(exc.smtp_error)}") from None
        except ConfigError as exc:
            raise ConnectError(str(exc)) from None
        except UnicodeError:  # smtplib sends AUTH credentials as ASCII only
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: the user name or password is not ASCII") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: cannot connect: {exc or type(exc).__name__}") from None
        return smtp

    def send(self, mail: Envelope) -> str:
        to = list(mail.to)
        if not to:
            raise PermanentError("no recipient address")
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            refused = self.smtp.sendmail(self.cfg.outbox.sender, to, mail.mime)
        except smtplib.SMTPRecipientsRefused as exc:
            _raise_for_codes({a: c for a, (c, _m) in exc.recipients.items()}, _refusals(exc.recipients))
        except smtplib.SMTPResponseException as exc:
            _raise_for_codes({"": exc.smtp_code}, f"{exc.smtp_code} {_words(exc.smtp_error)}")
        except (smtplib.SMTPServerDisconnected, OSError, socket.timeout) as exc:
            self._drop()
            raise TransientError(f"connection lost: {exc or type(exc).__name__}") from None
        except smtplib.SMTPException as exc:
            self._drop()
            raise TransientError(str(exc)) from None
        return _refusals(refused) if refused else ""

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            except OSError:
                pass
        self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()


TRANSPORTS: dict[str, type[Transport]] = {"smtp": SmtpTransport, "folder": FolderTransport}


def for_config(cfg: Config) -> Transport:
    """The transport `[outbox] kind` names, not yet connected."""
    cls = TRANSPORTS.get(cfg.outbox.kind)
    if cls is None:
        raise ConfigError("[outbox] kind", f"{cfg.outbox.kind!r} is not one of {', '.join(TRANSPORTS)}")
    return cls(cfg)


def _words(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _refusals(recipients: dict) -> str:
    return "; ".join(f"{addr}: {code} {_words(text)}" for addr, (code, text) in recipients.items())


def _raise_for_codes(codes: dict[str, int], words: str) -> None:
    """Any 5xx makes the mail fail for good; only 4xx everywhere is worth a retry."""
    if any(500 <= c < 600 for c in codes.values()):
        raise PermanentError(words)
    raise TransientError(words)
