"""How a mail of the outbox leaves: SMTP, or a folder of .eml files (`[outbox] kind`).

A transport hands over one mail at a time and says how it went, in the outbox's terms: it returns
normally when the mail was accepted (with the refusals of some of its recipients, if any, as
words for a failure row), raises `TransientError` when the mail was refused before it was handed
over whole and it is worth trying again later (`ConnectError` when the server cannot be reached
at all, so the rest of the batch waits too), `PermanentError` when it is not worth it, and
`UncertainError` when the mail was handed over whole but its acceptance was never heard (the
server may have it: it must not be sent again by itself). What to do then (retry, backoff, give
up, ask an admin) is the queue's business, not the transport's.

A transport is used for one delivery run, as a context manager: nothing is opened before the first
mail (a run with nothing due never touches the server), and leaving the block closes whatever the
run opened, whatever happened.
"""
from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path

from store.config import Config
from store.errors import ConfigError, ConnectError, PermanentError, TransientError, UncertainError


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
    """One .eml per mail, written atomically (temporary file, fsync, rename). Nothing can go wrong
    after the rename, which is the handing over: an error is always before it (`TransientError`)."""

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
    """smtplib with SSL / STARTTLS / AUTH; one connection per run, RSET between mails, reopened
    after a drop.

    The transaction is driven command by command (MAIL, RCPT, DATA, the data and its final "."),
    not with `smtplib.sendmail` as one call, so that where it broke is known. Until the final "."
    has been handed to the socket the server cannot have the mail: a refusal or a lost connection
    is a `TransientError` (5xx: `PermanentError`). Once it has, only a reply says whether the
    server took it: a 2xx is success, a 4xx/5xx a refusal as before, and no reply at all (the
    connection dropped, the reply timed out, words that are no reply) is an `UncertainError`
    carrying the server's last words.
    """

    def __init__(self, cfg: Config):
        super().__init__(cfg)
        self.smtp: smtplib.SMTP | None = None
        self.used = False          # a transaction ran on this connection: RSET before the next one
        self.data_sent = False     # the current transaction's final "." was handed to the socket
        self.last_words = ""       # the server's last reply on this connection

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
            smtp.ehlo_or_helo_if_needed()
        except smtplib.SMTPResponseException as exc:
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: {exc.smtp_code} {_words(exc.smtp_error)}") from None
        except ConfigError as exc:
            raise ConnectError(str(exc)) from None
        except UnicodeError:  # smtplib sends AUTH credentials as ASCII only
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: the user name or password is not ASCII") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectError(f"SMTP {ob.host}:{ob.port}: cannot connect: {exc or type(exc).__name__}") from None
        self.used, self.last_words = False, ""
        return smtp

    def _ready(self) -> smtplib.SMTP:
        """The run's connection, reset after the previous mail (RSET), or a new one when the server
        closed it meanwhile."""
        if self.smtp is not None and self.used:
            try:
                code, _text = self.smtp.rset()
            except (smtplib.SMTPException, OSError):
                code = -1
            if code != 250:
                self._drop()
        if self.smtp is None:
            self.smtp = self._connect()
        return self.smtp

    def send(self, mail: Envelope) -> str:
        to = list(mail.to)
        if not to:
            raise PermanentError("no recipient address")
        smtp = self._ready()
        self.used, self.data_sent = True, False
        try:
            return self._transaction(smtp, to, mail.mime)
        except (smtplib.SMTPException, OSError) as exc:   # a lost connection, a timeout (OSError too)
            self._drop()
            why = f"{exc or type(exc).__name__}"
            if self.data_sent:
                raise UncertainError(f"no reply after the end of the data ({why}); the server's last words: "
                                     f"{self.last_words or 'none'}") from None
            raise TransientError(f"connection lost: {why}") from None
        except UnicodeError:
            raise PermanentError(f"an address is not ASCII: {', '.join(to)}") from None

    def _transaction(self, smtp: smtplib.SMTP, to: list[str], mime: bytes) -> str:
        options = [f"size={len(mime)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, words = self._heard(smtp.mail(self.cfg.outbox.sender, options))
        if code != 250:
            self._refused({"": code}, f"MAIL: {words}")
        refusals: dict[str, tuple[int, bytes | str]] = {}
        for address in to:
            code, text = smtp.rcpt(address)
            self._heard((code, text))
            if code not in (250, 251):
                refusals[address] = (code, text)
                if code == 421:
                    break
        if refusals and (len(refusals) == len(to) or any(c == 421 for c, _ in refusals.values())):
            self._refused({a: c for a, (c, _m) in refusals.items()}, _refusals(refusals))
        code, words = self._heard(smtp.docmd("data"))
        if code != 354:
            self._refused({"": code}, f"DATA: {words}")
        smtp.send(_dotted(mime))
        self.data_sent = True           # from here on, the server may have the mail
        code, words = self._heard(smtp.getreply())
        if 200 <= code < 300:
            return _refusals(refusals) if refusals else ""
        if 400 <= code < 600:           # a refusal said in words: the server did not take it
            self._refused({"": code}, f"end of data: {words}")
        raise smtplib.SMTPResponseException(code, f"not an SMTP reply: {words}")

    def _heard(self, reply: tuple[int, bytes]) -> tuple[int, str]:
        code, text = reply
        self.last_words = f"{code} {_words(text)}"
        return code, self.last_words

    def _refused(self, codes: dict[str, int], words: str) -> None:
        """A refusal before the server took the mail; a 421 means it is closing the connection."""
        if any(c == 421 for c in codes.values()):
            self._drop()
        _raise_for_codes(codes, words)

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            except OSError:
                pass
        self.smtp = None
        self.used = False

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


def _dotted(mime: bytes) -> bytes:
    """The data as DATA sends it: leading dots doubled, ended by CRLF "." CRLF."""
    data = re.sub(rb"(?m)^\.", b"..", mime)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _raise_for_codes(codes: dict[str, int], words: str) -> None:
    """Any 5xx makes the mail fail for good; only 4xx everywhere is worth a retry."""
    if any(500 <= c < 600 for c in codes.values()):
        raise PermanentError(words)
    raise TransientError(words)
