"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 on a free port, collecting what it accepts.

Faults are chosen per recipient address, so one batch can mix accepted, refused (4xx or 5xx at
RCPT) and dropped (the connection closed during DATA) mails. Import the `smtp_server` fixture
into a test module to use it.
"""
from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Handler:
    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)     # address -> reply, e.g. "550 5.1.1 No such user"
    drop_once: set[str] = field(default_factory=set)         # close the connection at DATA, once per address
    drops: int = 0
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        hit = self.drop_once.intersection(envelope.rcpt_tos)
        if hit:
            self.drop_once -= hit
            self.drops += 1
            server.transport.close()   # the client sees the connection vanish mid-transaction
            return "421 4.3.0 closing"
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                      or envelope.content))
        return "250 2.0.0 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


@dataclass
class Server:
    host: str
    port: int
    handler: Handler
    controller: Controller


def _authenticator(handler: Handler, user: str, password: str):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        if ok:
            handler.logins.append(user)
        return AuthResult(success=ok, handled=False)
    return check


def start(auth: tuple[str, str] | None = None, tls_context: ssl.SSLContext | None = None,
          implicit_tls: bool = False) -> Server:
    handler = Handler()
    port = free_port()
    kwargs: dict = {"auth_require_tls": False}
    if auth:
        kwargs["authenticator"] = _authenticator(handler, *auth)
    if tls_context and implicit_tls:
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=tls_context,
                                server_hostname="127.0.0.1", **kwargs)
    else:
        if tls_context:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return Server("127.0.0.1", port, handler, controller)


def self_signed(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1; point SSL_CERT_FILE at the returned path to trust it."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return cert, ctx


@pytest.fixture
def smtp_server():
    server = start()
    try:
        yield server
    finally:
        server.controller.stop()
