"""The mail-source contract: what every mailbox kind of `ingest.sources.KINDS` must do.

One suite, run against each kind, every source built the way the daemon builds it, through
`ingest.sources.open_source(MailboxConfig)`, and read through the store's own `SeenIndex`
(`store.messages.StoreSeen`), the consumer recording each message before taking the next, as
`ingest.pipeline` does:

- `fetch_new(seen)` yields each delivered message once, oldest first, its bytes identical to
  what was delivered (8-bit headers, a large attachment, a mail without Message-ID, two mails
  sharing one Message-ID: all distinct deliveries); an empty mailbox yields nothing;
- once recorded, a second fetch yields nothing, on the same source and on a new one;
- mail delivered later is yielded by the next fetch, and only that mail;
- a fetch the consumer leaves half-way resumes at the first message it did not record;
- the mailbox is not modified: Maildir files are neither renamed, moved nor rewritten, IMAP
  flags are unchanged (`\\Seen` never set), no message added or removed;
- a person reading or flagging mail in their own client makes no message new again;
- a mailbox that cannot be opened raises `SourceError` (one line), it does not yield;
- `name` is stable for one configuration (the seen index is keyed by it) and distinct for two
  mailboxes; `close()` is idempotent, also before any fetch.

IMAP runs on the project's private Dovecot (tests/dovecot.py), skipped where it cannot run
unless BAOCAO_REQUIRE_DOVECOT is set. A new mailbox kind joins by adding a `Box` for it to
`BOXES` (deliver mail the way its server does, take a snapshot of everything a poll must not
change, act as a person's mail client); `test_every_mailbox_kind_has_a_box` fails until it does.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import os
from pathlib import Path
from typing import Callable

import pytest

from ingest.sources import KINDS, FetchedMessage, MailSource, open_source
from store.config import MailboxConfig
from store.errors import SourceError
from store.messages import StoreSeen
from tests.mails import XLSX, build

# ---------------------------------------------------------------- what is delivered


def mails(n: int, tag: str) -> list[bytes]:
    return [build(subject=f"Báo cáo số {i} ({tag})", message_id=f"<{tag}-{i}@truong.edu.vn>",
                  body=f"Nội dung báo cáo {i}.", when=dt.datetime(2024, 6, 20, 9, i, tzinfo=dt.timezone.utc))
            for i in range(n)]


def odd_mails() -> list[bytes]:
    """Distinct deliveries a source must hand over untouched."""
    eight_bit = ("From: Trường Tiểu học Hưng Phước <th@x.vn>\r\nSubject: Báo cáo tháng 6 (8-bit thô)\r\n"
                 "To: so@x.vn\r\n\r\nThân gửi.\r\n").encode("utf-8")
    latin = b"Subject: =?windows-1258?Q?B=E1o_c=E1o?=\r\nFrom: \xe9\xe8 <a@b.vn>\r\n\r\nb\r\n"
    large = build(subject="Báo cáo kèm tệp lớn", message_id="<large@x.vn>",
                  files=[(bytes(range(256)) * 1200, "Báo cáo.xlsx", XLSX)])
    no_id = build(subject="Không có Message-ID", message_id=None)
    same_id = [build(subject=f"bản {i}", message_id="<same@x.vn>") for i in (1, 2)]
    return [eight_bit, latin, large, no_id, *same_id]


# ---------------------------------------------------------------- one box per mailbox kind

class Box:
    """A mailbox of one kind, seen from outside the source under test."""
    kind: str

    def config(self) -> MailboxConfig: ...
    def broken_config(self) -> MailboxConfig: ...
    def other_config(self) -> MailboxConfig: ...
    def deliver(self, *raws: bytes, read: bool = False) -> None: ...
    def snapshot(self) -> object: ...
    def read_by_a_person(self) -> None: ...


class MaildirBox(Box):
    """Delivery as a local MDA does it: write in tmp/, rename into new/ under a name that starts
    with the delivery time. Mail already read by a person sits in cur/ with its flags."""
    kind = "maildir"
    _clock = itertools.count(1718000000)

    def __init__(self, root: Path):
        self.root = root
        for sub in ("tmp", "new", "cur"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def config(self) -> MailboxConfig:
        return MailboxConfig(kind="maildir", path=self.root)

    def broken_config(self) -> MailboxConfig:
        return MailboxConfig(kind="maildir", path=self.root.parent / "không-có-maildir")

    def other_config(self) -> MailboxConfig:
        other = MaildirBox(self.root.parent / "other-maildir")
        return other.config()

    def deliver(self, *raws: bytes, read: bool = False) -> None:
        for raw in raws:
            name = f"{next(self._clock)}.M{os.getpid()}P1.contract"
            tmp = self.root / "tmp" / name
            tmp.write_bytes(raw)
            tmp.rename(self.root / "cur" / f"{name}:2,S" if read else self.root / "new" / name)

    def snapshot(self) -> object:
        return sorted((p.parent.name, p.name, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
                      for sub in ("tmp", "new", "cur") for p in (self.root / sub).iterdir())

    def read_by_a_person(self) -> None:
        """What a mail client does: new/ moves to cur/, flags are added by renaming."""
        for p in (self.root / "new").iterdir():
            p.rename(self.root / "cur" / f"{p.name}:2,S")
        for p in (self.root / "cur").iterdir():
            key, _, flags = p.name.partition(":2,")
            p.rename(p.with_name(f"{key}:2,{''.join(sorted(set(flags + 'FS')))}"))


class ImapBox(Box):
    """A fresh folder on the private Dovecot; delivery is APPEND, read mail carries \\Seen."""
    kind = "imap"

    def __init__(self, box):
        self.box = box

    def config(self) -> MailboxConfig:
        return self.box.config(batch_size=2)       # small batches: a fetch spans several

    def broken_config(self) -> MailboxConfig:
        return self.box.config(folder="Không-tồn-tại")

    def other_config(self) -> MailboxConfig:
        return self.box.config(folder="INBOX")

    def deliver(self, *raws: bytes, read: bool = False) -> None:
        self.box.append(*raws, flags=(b"\\Seen",) if read else ())

    def snapshot(self) -> object:
        flags = {uid: tuple(f for f in fl if f != b"\\Recent") for uid, fl in self.box.flags().items()}
        status = self.box.status()
        return flags, status[b"MESSAGES"], status[b"UIDNEXT"], status[b"UIDVALIDITY"]

    def read_by_a_person(self) -> None:
        with self.box.server.client() as c:
            c.select_folder(self.box.folder)
            uids = c.search(["ALL"])
            if uids:
                c.add_flags(uids, [b"\\Seen", b"\\Flagged"])


BOXES: dict[str, Callable[[pytest.FixtureRequest, Path], Box]] = {
    "maildir": lambda request, tmp: MaildirBox(tmp / "maildir-box"),
    "imap": lambda request, tmp: ImapBox(request.getfixturevalue("imap_mailbox")),
}


@pytest.fixture(params=sorted(BOXES))
def box(request, tmp_path) -> Box:
    return BOXES[request.param](request, tmp_path)


@pytest.fixture
def sources(box):
    """open_source(box.config()), every source it built closed at the end."""
    opened: list[MailSource] = []

    def make(cfg: MailboxConfig | None = None) -> MailSource:
        src = open_source(cfg or box.config())
        opened.append(src)
        return src
    yield make
    for src in opened:
        src.close()


def poll(source: MailSource, db, now: dt.datetime, stop_after: int | None = None) -> list[FetchedMessage]:
    """What the pipeline does: a fresh StoreSeen per poll, each message recorded before the next."""
    seen = StoreSeen(db, source.name, now)
    got: list[FetchedMessage] = []
    with contextlib.closing(source.fetch_new(seen)) as messages:
        for message in messages:
            seen.mark(message.uidvalidity, message.uid, None)
            got.append(message)
            if stop_after is not None and len(got) == stop_after:
                break
    return got


def check_messages(source: MailSource, got: list[FetchedMessage]) -> None:
    assert all(isinstance(m, FetchedMessage) for m in got)
    assert all(m.source == source.name for m in got)
    assert all(isinstance(m.uid, str) and m.uid and isinstance(m.uidvalidity, int) for m in got)
    assert len({(m.uidvalidity, m.uid) for m in got}) == len(got), "a message yielded twice in one fetch"
    assert all(isinstance(m.raw, bytes) for m in got)


# ---------------------------------------------------------------- the contract

def test_every_mailbox_kind_has_a_box():
    assert set(BOXES) == set(KINDS)


def test_each_message_once_oldest_first_bytes_identical(box, sources, db, now):
    src = sources()
    assert poll(src, db, now) == []                                  # an empty mailbox
    raws = mails(3, "first") + odd_mails()
    box.deliver(*raws[:2], read=True)                                 # some already read by a person
    box.deliver(*raws[2:])
    got = poll(src, db, now)
    check_messages(src, got)
    assert [m.raw for m in got] == raws
    assert poll(src, db, now) == []                                   # recorded: nothing again
    assert poll(sources(), db, now) == []                             # nor on a new connection


def test_mail_delivered_later_is_yielded_next_time(box, sources, db, now):
    src = sources()
    box.deliver(*mails(3, "old"))
    assert len(poll(src, db, now)) == 3
    later = mails(2, "later")
    box.deliver(*later)
    got = poll(src, db, now)
    check_messages(src, got)
    assert [m.raw for m in got] == later
    assert poll(src, db, now) == []
    again = mails(1, "again")
    box.deliver(*again)
    assert [m.raw for m in poll(sources(), db, now)] == again


def test_a_fetch_left_half_way_resumes_at_the_first_unrecorded(box, sources, db, now):
    raws = mails(5, "resume")
    box.deliver(*raws)
    src = sources()
    assert [m.raw for m in poll(src, db, now, stop_after=2)] == raws[:2]
    assert [m.raw for m in poll(src, db, now)] == raws[2:]
    assert poll(sources(), db, now) == []


def test_the_mailbox_is_not_modified(box, sources, db, now):
    box.deliver(*mails(2, "read"), read=True)
    box.deliver(*mails(3, "unread"))
    before = box.snapshot()
    src = sources()
    assert len(poll(src, db, now)) == 5
    assert poll(src, db, now) == []
    src.close()
    assert box.snapshot() == before
    if isinstance(box, ImapBox):
        flags = before[0]
        assert sum(b"\\Seen" in f for f in flags.values()) == 2        # only the two read by a person


def test_a_person_reading_mail_makes_nothing_new(box, sources, db, now):
    box.deliver(*mails(3, "person"))
    src = sources()
    assert len(poll(src, db, now)) == 3
    box.read_by_a_person()
    assert poll(src, db, now) == []
    assert poll(sources(), db, now) == []


def test_a_mailbox_that_cannot_be_opened_is_a_source_error(box, sources, db, now):
    src = sources(box.broken_config())
    with pytest.raises(SourceError) as err:
        poll(src, db, now)
    assert str(err.value).strip() and "\n" not in str(err.value)


def test_the_name_is_stable_and_tells_mailboxes_apart(box, sources):
    a, b = sources(), sources()
    assert isinstance(a.name, str) and a.name
    assert a.name == b.name
    assert sources(box.other_config()).name != a.name
    assert a.name.startswith(f"{box.kind}:")


def test_close_is_idempotent(box, sources, db, now):
    never_used = sources()
    never_used.close()
    never_used.close()
    box.deliver(*mails(1, "close"))
    src = sources()
    assert len(poll(src, db, now)) == 1
    src.close()
    src.close()


def test_the_boxes_can_see_a_modification():
    """The snapshot must be able to fail: a renamed Maildir file changes it."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        box = MaildirBox(Path(tmp) / "m")
        box.deliver(*mails(2, "snap"))
        before = box.snapshot()
        box.read_by_a_person()
        assert box.snapshot() != before

