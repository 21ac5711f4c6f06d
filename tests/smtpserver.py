"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 on a free port, collecting what it accepts.

Faults are chosen per recipient address (once each where it says so), so one batch can mix:
- `refuse`: a reply to RCPT every time (e.g. "550 5.1.1 No such user", "450 4.2.1 busy");
- `defer_once`: a reply to RCPT once (e.g. "451 4.3.0 try later"), then accepted;
- `drop_once`: the connection closed once after the end of the data, the mail NOT stored;
- `drop_after_data`: once, the mail stored, then the connection closed without a reply;
- `stall_after_data`: once, the mail stored, the reply held back `stall_seconds` (past the
  client's timeout);
and, by the MAIL command's number on this server (1 for the first), `mail_replies` (e.g.
{3: "421 4.3.2 closing"}). `connections` counts sessions, `rsets` the RSET commands. Import the
`smtp_server` fixture into a test module to use it.
"""
from __future__ import annotations

import asyncio
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
    peer: tuple = ()

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "")


@dataclass
class Handler:
    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)     # address -> reply, e.g. "550 5.1.1 No such user"
    defer_once: dict[str, str] = field(default_factory=dict)  # address -> a 4xx reply to RCPT, once
    drop_once: set[str] = field(default_factory=set)         # close at the end of the data, not stored, once
    drop_after_data: set[str] = field(default_factory=set)   # store, then close without replying, once
    stall_after_data: set[str] = field(default_factory=set)  # store, then hold the reply back, once
    stall_seconds: float = 3.0
    mail_replies: dict[int, str] = field(default_factory=dict)   # n-th MAIL command -> its reply
    mail_commands: int = 0
    drops: int = 0
    rsets: int = 0
    peers: list[tuple] = field(default_factory=list)         # one per connection that sent MAIL
    logins: list[str] = field(default_factory=list)

    @property
    def connections(self) -> int:
        return len(self.peers)

    ADDRESS_FAULTS = ("drop_after_data", "drop_unstored", "stall_after_data", "451_at_rcpt", "550_at_rcpt")

    def inject(self, fault: str, address: str) -> None:
        """Make the next mail to `address` meet one of ADDRESS_FAULTS."""
        if fault == "drop_after_data":
            self.drop_after_data.add(address)
        elif fault == "drop_unstored":
            self.drop_once.add(address)
        elif fault == "stall_after_data":
            self.stall_after_data.add(address)
        elif fault == "451_at_rcpt":
            self.defer_once[address] = "451 4.3.0 Temporary failure, try later"
        elif fault == "550_at_rcpt":
            self.refuse[address] = "550 5.1.1 No such user"
        else:
            raise ValueError(f"not a fault of one address: {fault}")

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_commands += 1
        if session.peer not in self.peers:
            self.peers.append(session.peer)
        reply = self.mail_replies.pop(self.mail_commands, None)
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):
        self.rsets += 1
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        if address in self.defer_once:
            return self.defer_once.pop(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = Received(envelope.mail_from, list(envelope.rcpt_tos),
                            envelope.original_content or envelope.content, session.peer)
        hit = self.drop_once.intersection(envelope.rcpt_tos)
        if hit:
            self.drop_once -= hit
            self.drops += 1
            server.transport.close()   # the client sees the connection vanish: no reply to the data
            return "421 4.3.0 closing"
        self.messages.append(received)
        hit = self.drop_after_data.intersection(envelope.rcpt_tos)
        if hit:
            self.drop_after_data -= hit
            self.drops += 1
            server.transport.close()   # stored, and the reply never goes out
            return "250 2.0.0 Message accepted"
        hit = self.stall_after_data.intersection(envelope.rcpt_tos)
        if hit:
            self.stall_after_data -= hit
            await asyncio.sleep(self.stall_seconds)
        return "250 2.0.0 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def copies(self) -> dict[str, int]:
        """Message-ID -> how many times the server stored it."""
        counts: dict[str, int] = {}
        for m in self.messages:
            counts[m.message_id] = counts.get(m.message_id, 0) + 1
        return counts


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
