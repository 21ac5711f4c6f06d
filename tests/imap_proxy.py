"""A small TCP proxy between an IMAP client and the private Dovecot that injects faults.

Refusals: the server refuses to serve chosen messages, as a server does for a message it cannot
read (a damaged file, a storage error): the answer to a `UID FETCH` that names one of them is the
server's other messages, then `NO` (or `BAD`) instead of `OK`.

Connection faults (`arm`): each new connection takes the next armed fault, which fires at its point
    connect   before the greeting: nothing of the server reaches the client
    greeting  right after the greeting
    login     the server accepted the LOGIN; its OK never reaches the client
    fetch     inside the `literal`-th literal of the connection's FETCH answers, after `after`
              bytes of it (a message cut mid-download)
and does one of
    cut       close both sides (the server process killed, a firewall forgetting the connection)
    reset     close with SO_LINGER 0: the client gets a TCP RST
    stall     forward nothing more until the client gives up (its timeout) and closes
Everything else passes byte for byte. While the server is down (restarted), a connection is
accepted and closed at once: the client reads EOF before any greeting.

    with FaultProxy(dovecot, refuse={2}) as proxy:
        proxy.arm(Fault("cut", "fetch", after=300))
        ImapSource(box.config(port=proxy.port))
"""
from __future__ import annotations

import re
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass
from typing import BinaryIO

from tests.dovecot import Dovecot

_FETCH = re.compile(rb"^(\S+) UID FETCH (\S+) (.*)$", re.IGNORECASE)
_LOGIN = re.compile(rb"^(\S+) (LOGIN|AUTHENTICATE) ", re.IGNORECASE)
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
_RESPONSE_UID = re.compile(rb"^\* \d+ FETCH \(.*?\bUID (\d+)", re.IGNORECASE)
SERVER_WORDS = b"[SERVERBUG] Internal error occurred. Refer to server log for more information."
ACTIONS = ("cut", "reset", "stall")
POINTS = ("connect", "greeting", "login", "fetch")
STALL_LIMIT_S = 120.0   # a stall ends by itself at the latest then (a client without a timeout)


@dataclass(frozen=True)
class Fault:
    action: str          # cut | reset | stall
    at: str              # connect | greeting | login | fetch
    after: int = 0       # fetch: bytes of the literal let through before the fault
    literal: int = 1     # fetch: which literal of the connection (1 = the first)

    def __str__(self) -> str:
        where = f"fetch literal {self.literal} after {self.after} B" if self.at == "fetch" else self.at
        return f"{self.action} at {where}"


def uid_set(text: bytes) -> set[int]:
    """The UIDs of an IMAP sequence set ("1,3,5:7"); "*" counts as a very large UID."""
    out: set[int] = set()
    for part in text.split(b","):
        low, _, high = part.partition(b":")
        a = 2**31 if low == b"*" else int(low)
        b = a if not high else 2**31 if high == b"*" else int(high)
        out.update(range(min(a, b), min(max(a, b), min(a, b) + 100_000) + 1))
    return out


class _Connection:
    """One client connection and its upstream, with the fault it carries (if any)."""

    def __init__(self, client: socket.socket, upstream: socket.socket, fault: Fault | None):
        self.client, self.upstream, self.fault = client, upstream, fault
        self.tags: dict[bytes, set[int]] = {}   # tag of a FETCH to refuse -> the UIDs it names
        self.login_tag: bytes | None = None
        self.literals = 0
        self.client_gone = threading.Event()
        self.commands: threading.Thread | None = None


class FaultProxy:
    """Listens on 127.0.0.1:`port`, forwards to SERVER, refuses FETCHes naming a UID in `refuse`,
    and fires the armed faults.

    `bodies_only`: refuse only body fetches (BODY.PEEK[]), let header-only fetches through.
    `refused` counts, per UID, how many single-message FETCHes of it were refused; `fired` lists
    the faults that fired, in order; `body_fetches` counts the body FETCH commands passed on."""

    def __init__(self, server: Dovecot, refuse: set[int] = frozenset(), answer: bytes = b"NO",
                 bodies_only: bool = True):
        self.server, self.refuse, self.answer, self.bodies_only = server, set(refuse), answer, bodies_only
        self.refused: dict[int, int] = {}
        self.batches_refused = 0
        self.armed: deque[Fault | None] = deque()
        self.fired: list[Fault] = []
        self.connections = 0
        self.body_fetches = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> "FaultProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def arm(self, *faults: Fault | None) -> None:
        """Faults for the next connections, one each, in order (None: a connection without)."""
        with self._lock:
            self.armed.extend(faults)

    def disarm(self) -> list[Fault]:
        """Drop the faults no connection took; returns them."""
        with self._lock:
            left, self.armed = [f for f in self.armed if f is not None], deque()
        return left

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for s in self._sockets:
                _close(s)
                s.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((self.server.host, self.server.port), timeout=5)
                upstream.settimeout(None)
            except OSError:   # the server is down: the client reads EOF before any greeting
                _close(client)
                client.close()
                continue
            with self._lock:
                self.connections += 1
                fault = self.armed.popleft() if self.armed else None
                self._sockets += [client, upstream]
            conn = _Connection(client, upstream, fault)
            conn.commands = threading.Thread(target=self._commands, args=(conn,), daemon=True)
            conn.commands.start()
            threading.Thread(target=self._answers, args=(conn,), daemon=True).start()

    # -- client -> server ------------------------------------------------------------------

    def _commands(self, conn: _Connection) -> None:
        try:
            with conn.client.makefile("rb") as reader:
                while line := reader.readline():
                    self._note_command(conn, line.rstrip(b"\r\n"))
                    conn.upstream.sendall(line)
        except OSError:
            pass
        finally:
            conn.client_gone.set()
            _close(conn.upstream)

    def _note_command(self, conn: _Connection, line: bytes) -> None:
        if (login := _LOGIN.match(line)) is not None:
            conn.login_tag = login.group(1)
        match = _FETCH.match(line)
        if match is None:
            return
        body = b"BODY.PEEK[]" in match.group(3).upper()
        with self._lock:
            self.body_fetches += body
            if body or not self.bodies_only:
                named = uid_set(match.group(2))
                if named & self.refuse:
                    conn.tags[match.group(1)] = named

    # -- server -> client ------------------------------------------------------------------

    def _answers(self, conn: _Connection) -> None:
        try:
            with conn.upstream.makefile("rb") as reader:
                if self._fires(conn, "connect"):
                    return
                greeting = reader.readline()
                conn.client.sendall(greeting)
                if not greeting or self._fires(conn, "greeting"):
                    return
                while response := self._response(conn, reader):
                    if (response := self._refusal(conn, response)):
                        conn.client.sendall(response)
        except OSError:
            pass
        finally:
            _close(conn.client)

    def _response(self, conn: _Connection, reader: BinaryIO) -> bytes:
        """One whole server response (a line and the literals it announces), or b"" when the
        connection ends or a fault fired inside it (the part before the fault already sent)."""
        line = reader.readline()
        if line and line.split(b" ", 1)[0] == conn.login_tag and self._fires(conn, "login"):
            return b""
        out = bytearray(line)
        while (literal := _LITERAL.search(line)) is not None:
            size = int(literal.group(1))
            conn.literals += 1
            fault = conn.fault
            if (fault is not None and fault.at == "fetch" and conn.literals >= fault.literal
                    and not self._withheld(conn, bytes(out))):
                conn.client.sendall(bytes(out) + reader.read(min(fault.after, size)))
                self._fires(conn, "fetch")
                return b""
            out += reader.read(size)
            line = reader.readline()
            out += line
        return bytes(out)

    def _fires(self, conn: _Connection, point: str) -> bool:
        """Fire the connection's fault if it is for POINT; True when it fired (the connection is
        then closed, or stalled until the client gave up and closed)."""
        fault = conn.fault
        if fault is None or fault.at != point:
            return False
        conn.fault = None
        with self._lock:
            self.fired.append(fault)
        if fault.action == "stall":
            conn.client_gone.wait(STALL_LIMIT_S)
        elif fault.action == "reset":
            conn.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.client.shutdown(socket.SHUT_RD)    # wakes the command reader, sends nothing
            if conn.commands is not None:
                conn.commands.join(5)
            conn.client.close()                     # the last reference: the RST goes out
        _close(conn.upstream)
        return True

    # -- refusals --------------------------------------------------------------------------

    def _pending(self, conn: _Connection) -> set[int]:
        with self._lock:
            return set().union(*conn.tags.values()) & self.refuse if conn.tags else set()

    def _withheld(self, conn: _Connection, response: bytes) -> bool:
        """An untagged FETCH of a message being refused: its data never reaches the client."""
        pending = self._pending(conn)
        found = _RESPONSE_UID.match(response) if pending and response.startswith(b"* ") else None
        return found is not None and int(found.group(1)) in pending

    def _refusal(self, conn: _Connection, response: bytes) -> bytes:
        """RESPONSE as the client gets it: nothing for a refused message's data, NO for its FETCH."""
        if self._withheld(conn, response):
            return b""
        tag = response.split(b" ", 1)[0]
        with self._lock:
            refused_here = conn.tags.pop(tag, None)
            if refused_here is None:
                return response
            self._count(refused_here)
        return tag + b" " + self.answer + b" " + SERVER_WORDS + b"\r\n"

    def _count(self, uids: set[int]) -> None:
        if len(uids) == 1:
            uid = next(iter(uids))
            self.refused[uid] = self.refused.get(uid, 0) + 1
        else:
            self.batches_refused += 1


RefusingProxy = FaultProxy   # the name the refusal tests know it by


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
