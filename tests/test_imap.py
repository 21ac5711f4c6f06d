"""ImapSource against a real private Dovecot: read-only, cheap polls, no loss and no duplicate
across reconnects and UIDVALIDITY changes. Commands are counted on the wire (a recording
IMAPClient subclass), never by patching ImapSource."""
from __future__ import annotations

import hashlib
import logging
import socket
import threading
import time
from typing import Callable

import pytest
from imapclient import IMAPClient

from store.errors import SourceError
from ingest.imap import FolderState, ImapSource, decide, header_message_id
from ingest.sources import FetchedMessage
from tests.dovecot import ImapBox, free_port
from tests.imap_proxy import ACTIONS, POINTS, Fault, FaultProxy, RefusingProxy
from tests.mails import build


class FakeSeen:
    """In-memory `SeenIndex` with the store's semantics: the consumer marks each message taken."""

    def __init__(self) -> None:
        self.state: tuple[int | None, int | None] = (None, None)
        self.rows: dict[tuple[int, str], str | None] = {}
        self.stored: dict[str, tuple[str | None, int]] = {}   # sha256 -> (Message-ID, size)
        self.paired: list[str] = []
        self.refusal_counts: dict[tuple[int, str], int] = {}
        self.refusal_words: list[str] = []

    def uidvalidity(self) -> int | None:
        return self.state[0]

    def uidnext(self) -> int | None:
        return self.state[1]

    def last_uid(self, uidvalidity: int) -> int:
        return max((int(u) for v, u in self.rows if v == uidvalidity), default=0)

    def is_seen(self, uidvalidity: int, uid: str) -> bool:
        return (uidvalidity, str(uid)) in self.rows

    def seen_keys(self, uidvalidity: int) -> set[str]:
        return {u for v, u in self.rows if v == uidvalidity}

    def copies(self, header_message_id: str) -> list[tuple[int | None, str]]:
        return [(size, sha) for sha, (mid, size) in self.stored.items() if mid == header_message_id]

    def pair(self, uidvalidity: int, uid: str, sha256: str) -> None:
        self.rows[(uidvalidity, uid)] = self.stored[sha256][0]
        self.paired.append(uid)

    def refusals(self, uidvalidity: int) -> dict[str, int]:
        return {u: n for (v, u), n in self.refusal_counts.items() if v == uidvalidity}

    def refused(self, uidvalidity: int, uid: str, words: str, limit: int) -> int:
        n = self.refusal_counts[(uidvalidity, uid)] = self.refusal_counts.get((uidvalidity, uid), 0) + 1
        self.refusal_words.append(words)
        return n

    def vanished(self, uidvalidity: int, uid: str) -> None:
        self.refusal_counts.pop((uidvalidity, uid), None)

    def set_state(self, uidvalidity: int, uidnext: int | None) -> None:
        self.state = (uidvalidity, uidnext)

    def forget(self, uidvalidity: int) -> None:
        self.rows = {k: v for k, v in self.rows.items() if k[0] != uidvalidity}

    def mark(self, msg: FetchedMessage) -> None:
        mid = header_message_id(msg.raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n")
        self.rows[(msg.uidvalidity, msg.uid)] = mid
        self.stored[hashlib.sha256(msg.raw).hexdigest()] = (mid, len(msg.raw))
        self.refusal_counts.pop((msg.uidvalidity, msg.uid), None)


class Truncated:
    """A socket reader that lets BUDGET bytes through, then reads as a closed connection."""

    def __init__(self, real, budget: int):
        self.real, self.budget = real, budget

    def _take(self, data: bytes) -> bytes:
        self.budget -= len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        limit = min(size, self.budget) if size > 0 else self.budget
        return self._take(self.real.readline(limit)) if limit > 0 else b""

    def read(self, size: int = -1) -> bytes:
        limit = min(size, self.budget) if size > 0 else self.budget
        return self._take(self.real.read(limit)) if limit > 0 else b""

    def close(self) -> None:
        self.real.close()


def recording(lines: list[bytes], cut: Callable[[bytes], bool] = lambda line: False) -> type[IMAPClient]:
    """An IMAPClient that logs every command line it sends. After a line for which `cut` is
    true the connection dies part-way through the answer: 300 bytes arrive, then EOF (the
    server end is shut too), as when a server process is killed mid-FETCH."""

    class Recording(IMAPClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            imap, send, pending = self._imap, self._imap.send, bytearray()

            def spy(data: bytes) -> None:
                send(data)
                pending.extend(data)
                while b"\r\n" in pending:
                    line, _, rest = bytes(pending).partition(b"\r\n")
                    pending[:] = rest
                    lines.append(line)
                    if cut(line):
                        imap.file = Truncated(imap.file, 300)
                        imap.sock.shutdown(socket.SHUT_WR)
            imap.send = spy

    return Recording


def commands(lines: list[bytes]) -> list[str]:
    """'UID FETCH', 'EXAMINE', ... for every command line (the tag dropped)."""
    out = []
    for line in lines:
        words = line.split()
        if len(words) >= 2:
            out.append(" ".join(w.decode() for w in words[1:3]) if words[1] == b"UID" else words[1].decode())
    return out


def body_fetches(lines: list[bytes]) -> list[bytes]:
    return [ln for ln in lines if b" FETCH " in ln and b"BODY.PEEK[]" in ln]


def poll(source: ImapSource, seen: FakeSeen, after_each: Callable[[int], None] = lambda n: None
         ) -> list[FetchedMessage]:
    got = []
    for msg in source.fetch_new(seen):
        got.append(msg)
        seen.mark(msg)
        after_each(len(got))
    return got


def mails(n: int, tag: str = "m", start: int = 0) -> list[bytes]:
    return [build(subject=f"Báo cáo số {i} ({tag})", message_id=f"<{tag}-{i}@truong.edu.vn>",
                  body=f"Nội dung báo cáo {i}.") for i in range(start, start + n)]


def source(box: ImapBox, lines: list[bytes] | None = None, cut: Callable[[bytes], bool] = lambda line: False,
           **cfg) -> ImapSource:
    client_class = recording(lines if lines is not None else [], cut)
    return ImapSource(box.config(**cfg), client_class=client_class, backoff_s=0.01)


@pytest.mark.parametrize("stored_v, stored_next, v, nxt, expected", [
    (None, None, 7, 10, "full"),
    (7, 10, 7, 10, "nothing"),
    (7, 10, 7, 12, "incremental"),
    (7, None, 7, 12, "incremental"),
    (7, 10, 8, 10, "rescan"),
    (7, 10, 7, 4, "rescan"),           # index rebuilt, UIDVALIDITY reused (Dovecot's clock trap)
])
def test_decide(stored_v, stored_next, v, nxt, expected):
    assert decide(stored_v, stored_next, FolderState(v, nxt, 3)) == expected


def test_first_poll_takes_all_in_order_and_an_idle_poll_fetches_nothing(imap_mailbox):
    raws = mails(5)
    uids = imap_mailbox.append(*raws)
    lines: list[bytes] = []
    src, seen = source(imap_mailbox, lines, batch_size=2), FakeSeen()
    got = poll(src, seen)
    assert [m.raw for m in got] == raws
    assert [m.uid for m in got] == [str(u) for u in uids]
    assert got[0].source == src.name == f"imap:baocao@127.0.0.1:{imap_mailbox.server.port}/{imap_mailbox.folder}"
    assert all(m.internaldate is not None and m.internaldate.tzinfo is not None for m in got)
    assert len(body_fetches(lines)) == 3                      # batches of 2, 2, 1
    assert seen.state == (imap_mailbox.status()[b"UIDVALIDITY"], uids[-1] + 1)

    lines.clear()
    assert poll(src, seen) == []                              # on the kept connection
    assert commands(lines) == ["EXAMINE"]
    src.close()
    lines.clear()
    fresh = source(imap_mailbox, lines)
    assert poll(fresh, seen) == []                            # on a new connection
    fresh.close()
    assert commands(lines) == ["LOGIN", "EXAMINE", "LOGOUT"]


def test_poll_changes_no_flag_and_sends_only_reads(imap_mailbox):
    imap_mailbox.append(*mails(2, "plain"))
    imap_mailbox.append(*mails(1, "flagged"), flags=(b"\\Flagged",))
    before = imap_mailbox.flags()
    lines: list[bytes] = []
    src = source(imap_mailbox, lines)
    assert len(poll(src, FakeSeen())) == 3
    src.close()
    assert imap_mailbox.flags() == before
    assert not any(b"\\Seen" in flags for flags in before.values())
    sent = commands(lines)
    assert set(sent) <= {"LOGIN", "CAPABILITY", "EXAMINE", "UID SEARCH", "UID FETCH", "LOGOUT"}, sent
    assert all(b"PEEK[" in ln for ln in lines if b" FETCH " in ln)


def test_new_mail_after_a_poll_is_found(imap_mailbox):
    imap_mailbox.append(*mails(3, "old"))
    src, seen = source(imap_mailbox), FakeSeen()
    assert len(poll(src, seen)) == 3
    new = mails(2, "new")
    imap_mailbox.append(*new)
    assert [m.raw for m in poll(src, seen)] == new
    assert poll(src, seen) == []
    src.close()


def test_mail_that_came_and_went_yields_nothing(imap_mailbox):
    """UIDNEXT moved but nothing is above the last UID: "UID 4:*" still answers UID 3."""
    imap_mailbox.append(*mails(3, "stay"))
    lines: list[bytes] = []
    src, seen = source(imap_mailbox, lines), FakeSeen()
    assert len(poll(src, seen)) == 3
    imap_mailbox.expunge(imap_mailbox.append(*mails(1, "gone")))
    lines.clear()
    assert poll(src, seen) == []
    src.close()
    assert commands(lines) == ["EXAMINE", "UID SEARCH", "LOGOUT"]
    assert seen.state[1] == 5


def test_uidvalidity_change_repairs_known_mail_and_downloads_only_new(imap_mailbox):
    known = mails(3, "known")
    no_id = build(subject="Không có Message-ID", message_id=None)
    imap_mailbox.append(*known, no_id)
    seen = FakeSeen()
    first = source(imap_mailbox)
    assert len(poll(first, seen)) == 4
    first.close()
    old_validity = seen.uidvalidity()

    fresh = mails(1, "fresh")
    new_validity = imap_mailbox.recreate(*known, no_id, *fresh)
    assert new_validity != old_validity
    lines: list[bytes] = []
    src = source(imap_mailbox, lines)
    got = poll(src, seen)
    src.close()
    # The mail without a Message-ID cannot be paired: it comes again (the store dedupes by sha256).
    assert [m.raw for m in got] == [no_id, *fresh]
    assert {m.uidvalidity for m in got} == {new_validity}
    assert seen.paired == ["1", "2", "3"]
    fetched_uids = b" ".join(ln.split()[3] for ln in body_fetches(lines))
    assert fetched_uids == b"4,5"
    assert seen.state[0] == new_validity
    assert poll(source(imap_mailbox), seen) == []


def test_a_rescan_cut_short_pairs_no_second_mail_of_the_same_message_id(imap_mailbox):
    """A rescan paired UID 1 (the stored mail), then the poll died before it downloaded UID 2,
    which has the same Message-ID and size: the next rescan must not pair 2 with the stored mail."""
    first, second = (build(subject="Bổ sung", message_id="<twin@x>", body=f"Bản {v}.") for v in "AB")
    assert len(first) == len(second)
    imap_mailbox.append(first, second)
    validity = imap_mailbox.status()[b"UIDVALIDITY"]
    seen = FakeSeen()
    seen.stored[hashlib.sha256(first).hexdigest()] = ("<twin@x>", len(first))
    seen.rows[(validity - 1, "7")] = "<twin@x>"      # taken under the old numbering
    seen.rows[(validity, "1")] = "<twin@x>"          # re-paired by the rescan that was cut short
    seen.state = (validity - 1, 8)
    assert [m.raw for m in poll(source(imap_mailbox), seen)] == [second]
    assert seen.state[0] == validity


def test_reused_uidvalidity_with_lower_uidnext_trusts_no_old_uid(imap_mailbox):
    """The Dovecot trap: an index rebuilt in the same second keeps UIDVALIDITY, UIDs restart."""
    raws = mails(2, "rebuilt")
    imap_mailbox.append(*raws)
    validity = imap_mailbox.status()[b"UIDVALIDITY"]
    seen = FakeSeen()
    seen.rows[(validity, "1")] = "<a-different-old-message@x>"   # stale: UID 1 was another mail
    seen.state = (validity, 50)
    assert [m.raw for m in poll(source(imap_mailbox), seen)] == raws
    assert seen.state == (validity, 3)


def test_connection_kicked_between_yielded_messages(imap_mailbox):
    raws = mails(7, "kick")
    imap_mailbox.append(*raws)
    src, seen = source(imap_mailbox, batch_size=2), FakeSeen()
    kicked = []
    got = poll(src, seen, after_each=lambda n: kicked.append(imap_mailbox.server.kick()) if n == 3 else None)
    src.close()
    assert kicked == [True]
    assert [m.raw for m in got] == raws
    assert src.reconnects == 1


def test_connection_cut_mid_fetch_loses_and_repeats_nothing(imap_mailbox):
    raws = mails(7, "cut")
    imap_mailbox.append(*raws)
    cuts = []

    def cut_second_body_fetch(line: bytes) -> bool:
        if b"BODY.PEEK[]" in line:
            cuts.append(line)
            return len(cuts) == 2
        return False

    src, seen = source(imap_mailbox, cut=cut_second_body_fetch, batch_size=3), FakeSeen()
    got = poll(src, seen)
    src.close()
    assert [m.raw for m in got] == raws
    assert src.reconnects == 1
    assert len(cuts) == 4          # 3 batches, the second one sent twice


def test_consumer_crash_mid_batch_resumes_at_first_untaken(imap_mailbox):
    raws = mails(5, "crash")
    imap_mailbox.append(*raws)
    seen = FakeSeen()

    def crash(n: int) -> None:
        if n == 3:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        poll(source(imap_mailbox, batch_size=4), seen, after_each=crash)
    assert seen.state == (None, None)          # an interrupted poll records no folder state
    assert [m.raw for m in poll(source(imap_mailbox, batch_size=4), seen)] == raws[3:]


def test_keepalive_noop_between_batches(imap_mailbox):
    imap_mailbox.append(*mails(3, "noop"))
    lines: list[bytes] = []
    src = ImapSource(imap_mailbox.config(batch_size=1), client_class=recording(lines), noop_after_s=0.0)
    assert len(poll(src, FakeSeen())) == 3
    src.close()
    assert commands(lines).count("NOOP") >= 2


def test_odd_headers_come_back_byte_for_byte(imap_mailbox):
    eight_bit = ("From: Trường Tiểu học Hưng Phước <th@x.vn>\r\n"
                 "Subject: Báo cáo tháng 6 (8-bit thô)\r\nTo: so@x.vn\r\nX-Weird:\r\n\r\nThân gửi.\r\n").encode()
    latin = b"Subject: =?windows-1258?Q?B=E1o_c=E1o?=\r\nFrom: \xe9\xe8 <a@b>\r\n\r\nb\r\n"
    folded_id = b"Subject: folded\r\nMessage-ID:\r\n <folded-1@x.vn>\r\n\r\nbody\r\n"
    duplicate = [build(subject=s, message_id="<same@x.vn>") for s in ("bản 1", "bản 2")]
    raws = [eight_bit, latin, folded_id, *duplicate]
    imap_mailbox.append(*raws)
    seen = FakeSeen()
    assert [m.raw for m in poll(source(imap_mailbox), seen)] == raws
    assert header_message_id(folded_id) == "<folded-1@x.vn>"
    # After a UIDVALIDITY change the folded Message-ID pairs, both duplicates pair after download
    # (two stored copies share the Message-ID: the hash decides); the ones without Message-ID come again.
    imap_mailbox.recreate(*raws)
    assert [m.raw for m in poll(source(imap_mailbox), seen)] == [eight_bit, latin]
    assert seen.paired == ["3", "4", "5"]


def test_large_mailbox_goes_in_bounded_chunks(imap_mailbox):
    raws = [b"Subject: nh\xe1\xbb\x8f %d\r\nMessage-ID: <big-%d@x.vn>\r\n\r\nb\r\n" % (i, i) for i in range(1200)]
    assert imap_mailbox.load_fast(raws) == 1200
    lines: list[bytes] = []
    src, seen = source(imap_mailbox, lines, batch_size=1000), FakeSeen()
    got = poll(src, seen)
    assert [m.raw for m in got] == raws
    assert [int(m.uid) for m in got] == list(range(1, 1201))
    assert len(body_fetches(lines)) == 3                       # batch_size is capped at 500 UIDs
    assert max(len(ln) for ln in lines) < 8000

    # A UIDVALIDITY change on a big mailbox: headers only, in chunks, no body at all.
    lines.clear()
    old = seen.state[0] - 1     # as if everything had been taken under an earlier UIDVALIDITY
    seen.state = (old, None)
    seen.rows = {(old, u): m for (v, u), m in seen.rows.items()}
    assert poll(src, seen) == []
    src.close()
    assert len(seen.paired) == 1200
    assert body_fetches(lines) == []
    assert sum(b"HEADER.FIELDS" in ln for ln in lines) == 3


@pytest.mark.parametrize("change, expected", [
    ({"password_env": "BAOCAO_TEST_WRONG_PW"}, "login refused for 'baocao'"),
    ({"folder": "Không-tồn-tại"}, "folder 'Không-tồn-tại' cannot be opened"),
    ({"port": "free"}, "connection refused"),
    ({"tls": "ssl"}, "TLS with 127.0.0.1"),
    ({"tls": "starttls"}, "does not offer STARTTLS"),
    ({"auth": "xoauth2", "oauth2_token_env": "BAOCAO_TEST_WRONG_PW"}, "login refused"),
])
def test_failures_are_one_clear_line(imap_mailbox, monkeypatch, change, expected):
    monkeypatch.setenv("BAOCAO_TEST_WRONG_PW", "not-the-password")
    if change.get("port") == "free":
        change = {"port": free_port()}
    src = ImapSource(imap_mailbox.config(**change))
    with pytest.raises(SourceError) as err:
        src.check()
    assert expected in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(SourceError):
        list(src.fetch_new(FakeSeen()))
    src.close()


def test_wait_for_mail_uses_idle(imap_mailbox):
    src, seen = source(imap_mailbox), FakeSeen()
    assert poll(src, seen) == []
    started = time.monotonic()
    assert src.wait_for_mail(0.3) is False
    assert time.monotonic() - started >= 0.3
    later = threading.Timer(0.3, imap_mailbox.append, args=mails(1, "idle"))
    later.start()
    started = time.monotonic()
    assert src.wait_for_mail(10) is True
    assert time.monotonic() - started < 5
    later.join()
    assert len(poll(src, seen)) == 1
    src.close()


# ---------------------------------------------------------------- a message the server refuses


@pytest.mark.parametrize("answer", [b"NO", b"BAD"])
def test_a_message_the_server_refuses_holds_back_no_other(imap_mailbox, answer):
    """Dovecot, through a proxy that answers NO (or BAD) to every FETCH naming UID 3: the batch
    is asked again one by one, the others are taken, no reconnect, the refusal is counted."""
    raws = mails(5, "refuse")
    uids = imap_mailbox.append(*raws)
    with RefusingProxy(imap_mailbox.server, {uids[2]}, answer=answer) as proxy:
        lines: list[bytes] = []
        src, seen = source(imap_mailbox, lines, port=proxy.port, batch_size=2, max_fetch_attempts=3), FakeSeen()
        got = poll(src, seen)
        assert [m.raw for m in got] == raws[:2] + raws[3:]
        assert src.reconnects == 0 and commands(lines).count("LOGIN") == 1
        validity = imap_mailbox.status()[b"UIDVALIDITY"]
        assert seen.refusals(validity) == {str(uids[2]): 1}
        assert "SERVERBUG" in seen.refusal_words[0]
        assert proxy.batches_refused == 1 and proxy.refused == {uids[2]: 1}
        # Tried again at each later poll (and only it), up to max_fetch_attempts, then no more.
        for attempt in (2, 3):
            lines.clear()
            assert poll(src, seen) == []
            assert [ln.split()[3] for ln in body_fetches(lines)] == [str(uids[2]).encode()]
            assert seen.refusals(validity) == {str(uids[2]): attempt}
        lines.clear()
        assert poll(src, seen) == []
        assert body_fetches(lines) == [] and commands(lines) == ["EXAMINE"]
        assert proxy.refused == {uids[2]: 3}
        # New mail still comes; the given-up UID is not asked for with it.
        later = mails(1, "later")
        imap_mailbox.append(*later)
        assert [m.raw for m in poll(src, seen)] == later
        assert proxy.refused == {uids[2]: 3}
        src.close()


def test_a_refused_message_is_taken_once_the_server_serves_it(imap_mailbox):
    raws = mails(3, "served")
    uids = imap_mailbox.append(*raws)
    seen = FakeSeen()
    with RefusingProxy(imap_mailbox.server, {uids[1]}) as proxy:
        src = source(imap_mailbox, port=proxy.port)
        assert [m.raw for m in poll(src, seen)] == [raws[0], raws[2]]
        proxy.refuse.clear()                   # the admin repaired the message on the server
        assert [m.raw for m in poll(src, seen)] == [raws[1]]
        assert seen.refusals(seen.state[0]) == {}
        assert poll(src, seen) == []
        src.close()


def test_a_dropped_connection_is_still_not_a_refusal(imap_mailbox):
    raws = mails(4, "drop")
    imap_mailbox.append(*raws)
    cuts: list[bytes] = []

    def cut_first_body_fetch(line: bytes) -> bool:
        if b"BODY.PEEK[]" in line:
            cuts.append(line)
            return len(cuts) == 1
        return False

    src, seen = source(imap_mailbox, cut=cut_first_body_fetch), FakeSeen()
    assert [m.raw for m in poll(src, seen)] == raws
    assert src.reconnects == 1 and seen.refusal_counts == {}
    src.close()


def test_a_refused_header_fetch_after_a_uidvalidity_change_downloads_instead(imap_mailbox):
    raws = mails(3, "hdr")
    imap_mailbox.append(*raws)
    seen = FakeSeen()
    assert len(poll(source(imap_mailbox), seen)) == 3
    imap_mailbox.recreate(*raws)
    with RefusingProxy(imap_mailbox.server, {2}, bodies_only=False) as proxy:
        src = source(imap_mailbox, port=proxy.port)
        assert poll(src, seen) == []           # 1 and 3 re-paired; 2 could not even be looked at
        assert seen.paired == ["1", "3"]
        assert seen.refusals(seen.state[0]) == {"2": 1}
        proxy.refuse.clear()
        # Served now: downloaded like any refused message taken later (byte-identical to the
        # stored copy, which the store keeps as one message, tests/test_poll_imap.py).
        assert [m.raw for m in poll(src, seen)] == [raws[1]]
        assert seen.paired == ["1", "3"] and seen.refusals(seen.state[0]) == {}
        assert poll(src, seen) == []
        src.close()


# ---------------------------------------------------------------- the proxy's connection faults


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("at", POINTS)
def test_each_connection_fault_loses_and_repeats_nothing(imap_mailbox, action, at):
    """Every fault of tests/imap_proxy.py on a reconnection inside a poll (the first connection is
    cut mid-download, so the fault meets the reconnect): all mail once, in order, nothing refused."""
    raws = mails(5, f"{action}-{at}")
    imap_mailbox.append(*raws)
    with FaultProxy(imap_mailbox.server) as proxy:
        fault = Fault(action, at, after=120, literal=2)
        proxy.arm(Fault("cut", "fetch", after=50), fault, None)
        src, seen = source(imap_mailbox, port=proxy.port, batch_size=2, timeout=0.5), FakeSeen()
        got = poll(src, seen)
        src.close()
        assert [m.raw for m in got] == raws
        assert proxy.fired == [Fault("cut", "fetch", after=50), fault]
        assert src.reconnects == 2 and seen.refusal_counts == {}


@pytest.mark.parametrize("fault, expected", [
    (Fault("cut", "login"), "dropped: command: LOGIN => socket error: EOF"),   # once "login refused"
    (Fault("reset", "login"), "dropped: Connection reset by peer"),             # once "cannot talk to ...: 104"
    (Fault("reset", "connect"), "dropped: Connection reset by peer"),
    (Fault("stall", "greeting"), "no answer from"),
])
def test_a_fault_on_the_first_connection_is_one_line_naming_it(imap_mailbox, fault, expected):
    """Found by bench/imap_faults.py: a connection lost during LOGIN is no refused login (IMAPClient
    raises LoginError for both), and a reset says so in words, not as an errno."""
    imap_mailbox.append(*mails(1, "first"))
    with FaultProxy(imap_mailbox.server) as proxy:
        proxy.arm(fault)
        with pytest.raises(SourceError) as err:
            list(source(imap_mailbox, port=proxy.port, timeout=0.5).fetch_new(FakeSeen()))
    text = str(err.value)
    assert text.startswith(f"connection to 127.0.0.1:{proxy.port} " if fault.action != "stall" else "no answer")
    assert expected in text and "\n" not in text and "login refused" not in text


def test_imaplib_formats_no_response_for_a_log_that_drops_it(imap_mailbox, caplog):
    """IMAPClient sets imaplib's debug level so that imaplib formats every response, message
    bodies included, for a DEBUG log line; the source turns that off unless the log keeps it."""
    imap_mailbox.append(*mails(2))
    quiet = source(imap_mailbox)
    assert len(poll(quiet, FakeSeen())) == 2
    assert quiet._client._imap.debug == 0
    quiet.close()
    with caplog.at_level(logging.DEBUG, logger="imapclient.imaplib"):
        verbose = source(imap_mailbox)
        assert len(poll(verbose, FakeSeen())) == 2
        assert verbose._client._imap.debug == 5
        verbose.close()
    assert any("FETCH" in r.getMessage() for r in caplog.records if r.name == "imapclient.imaplib")


def test_the_next_batch_is_fetched_during_the_hand_over_unless_this_one_is_big(imap_mailbox, monkeypatch):
    import ingest.imap as imap_module
    raws = mails(6)
    imap_mailbox.append(*raws)
    lines: list[bytes] = []
    src = source(imap_mailbox, lines, batch_size=2)
    monkeypatch.setattr(imap_module, "PREFETCH_BYTES", 0)        # every batch counts as big
    sent_when_handed = []
    got = poll(src, FakeSeen(), after_each=lambda n: sent_when_handed.append(len(body_fetches(lines))))
    assert [m.raw for m in got] == raws
    assert sent_when_handed == [1, 1, 2, 2, 3, 3]                 # one batch in memory at a time
    src.close()
    monkeypatch.setattr(imap_module, "PREFETCH_BYTES", 16 * 2**20)
    imap_mailbox.append(*mails(6, "more"))
    lines.clear()
    again = source(imap_mailbox, lines, batch_size=2)
    seen = FakeSeen()
    for message in got:
        seen.mark(message)
    fetched = poll(again, seen)
    assert len(fetched) == 6 and len(body_fetches(lines)) == 3
    again.close()
