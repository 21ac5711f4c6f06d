"""A small TCP proxy between an IMAP client and the private Dovecot that makes the server refuse
to serve chosen messages, as a server does for a message it cannot read (a damaged file, a
storage error): the answer to a `UID FETCH` that names one of them is the server's other
messages, then `NO` (or `BAD`) instead of `OK`. Everything else passes byte for byte.

    with RefusingProxy(dovecot, refuse={2}) as proxy:
        ImapSource(box.config(port=proxy.port))
"""
from __future__ import annotations

import re
import socket
import threading
from typing import BinaryIO

from tests.dovecot import Dovecot

_FETCH = re.compile(rb"^(\S+) UID FETCH (\S+) (.*)$", re.IGNORECASE)
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
_RESPONSE_UID = re.compile(rb"^\* \d+ FETCH \(.*?\bUID (\d+)", re.IGNORECASE)
SERVER_WORDS = b"[SERVERBUG] Internal error occurred. Refer to server log for more information."


def uid_set(text: bytes) -> set[int]:
    """The UIDs of an IMAP sequence set ("1,3,5:7"); "*" counts as a very large UID."""
    out: set[int] = set()
    for part in text.split(b","):
        low, _, high = part.partition(b":")
        a = 2**31 if low == b"*" else int(low)
        b = a if not high else 2**31 if high == b"*" else int(high)
        out.update(range(min(a, b), min(max(a, b), min(a, b) + 100_000) + 1))
    return out


class RefusingProxy:
    """Listens on 127.0.0.1:`port`, forwards to DOVECOT, refuses FETCHes naming a UID in `refuse`.

    `bodies_only`: refuse only body fetches (BODY.PEEK[]), let header-only fetches through.
    `refused` counts, per UID, how many single-message FETCHes of it were refused."""

    def __init__(self, server: Dovecot, refuse: set[int], answer: bytes = b"NO", bodies_only: bool = True):
        self.server, self.refuse, self.answer, self.bodies_only = server, set(refuse), answer, bodies_only
        self.refused: dict[int, int] = {}
        self.batches_refused = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> "RefusingProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for s in self._sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((self.server.host, self.server.port))
            with self._lock:
                self._sockets += [client, upstream]
            tags: dict[bytes, set[int]] = {}   # tag of a FETCH to refuse -> the UIDs it names
            threading.Thread(target=self._commands, args=(client, upstream, tags), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client, tags), daemon=True).start()

    def _commands(self, client: socket.socket, upstream: socket.socket, tags: dict[bytes, set[int]]) -> None:
        reader = client.makefile("rb")
        try:
            while line := reader.readline():
                match = _FETCH.match(line.rstrip(b"\r\n"))
                if match and (not self.bodies_only or b"BODY.PEEK[]" in match.group(3).upper()):
                    named = uid_set(match.group(2))
                    if named & self.refuse:
                        with self._lock:
                            tags[match.group(1)] = named
                upstream.sendall(line)
        except OSError:
            pass
        finally:
            _close(upstream)

    def _answers(self, upstream: socket.socket, client: socket.socket, tags: dict[bytes, set[int]]) -> None:
        reader = upstream.makefile("rb")
        try:
            while response := _read_response(reader):
                tag = response.split(b" ", 1)[0]
                with self._lock:
                    pending = set().union(*tags.values()) & self.refuse if tags else set()
                    refused_here = tags.pop(tag, None)
                if response.startswith(b"* ") and pending:
                    found = _RESPONSE_UID.match(response)
                    if found and int(found.group(1)) in pending:
                        continue          # the server "could not read" this one: no data for it
                if refused_here is not None:
                    with self._lock:
                        self._count(refused_here)
                    response = tag + b" " + self.answer + b" " + SERVER_WORDS + b"\r\n"
                client.sendall(response)
        except OSError:
            pass
        finally:
            _close(client)

    def _count(self, uids: set[int]) -> None:
        if len(uids) == 1:
            uid = next(iter(uids))
            self.refused[uid] = self.refused.get(uid, 0) + 1
        else:
            self.batches_refused += 1


def _read_response(reader: BinaryIO) -> bytes:
    """One whole server response: a line, and the literals and continuation lines it announces."""
    out = bytearray()
    while True:
        line = reader.readline()
        if not line:
            return bytes(out)
        out += line
        literal = _LITERAL.search(line)
        if literal is None:
            return bytes(out)
        out += reader.read(int(literal.group(1)))


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
