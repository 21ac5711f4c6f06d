"""What every mailbox source hands the pipeline, and what the pipeline tells it back.

A source only lists and fetches; the store decides what is new (`SeenIndex`), so the IMAP and
Maildir sources share one pipeline and one test contract.
"""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Iterator, Protocol

from store.config import MailboxConfig

# `[mailbox] kind` -> the class that reads it ("module:Class"); each is built from the typed
# `[mailbox]` section and passes the mail-source contract (tests/contracts/).
KINDS: dict[str, str] = {"maildir": "ingest.maildir:MaildirSource", "imap": "ingest.imap:ImapSource"}


@dataclass(frozen=True)
class FetchedMessage:
    """One message as a source hands it over: its raw bytes and where it came from."""
    source: str                       # "imap:user@host:port/INBOX" or "maildir:/abs/path"
    uidvalidity: int                  # 0 for a Maildir
    uid: str                          # IMAP UID (decimal) or Maildir key
    raw: bytes
    internaldate: dt.datetime | None  # IMAP INTERNALDATE (aware); None for a Maildir


class SeenIndex(Protocol):
    """The store's memory of one source: what was already taken, so nothing is fetched twice."""

    def uidvalidity(self) -> int | None: ...
    def last_uid(self, uidvalidity: int) -> int: ...
    def is_seen(self, uidvalidity: int, uid: str) -> bool: ...
    def seen_keys(self, uidvalidity: int) -> set[str]: ...
    def copies(self, header_message_id: str) -> list[tuple[int | None, str]]:
        """(size, sha256) of every stored message with this Message-ID: what a UID seen under an
        earlier UIDVALIDITY may be paired with."""
    def pair(self, uidvalidity: int, uid: str, sha256: str) -> None:
        """Record that UID is the stored message with this hash (re-paired after a UIDVALIDITY change)."""
    def forget(self, uidvalidity: int) -> None:
        """Drop what was seen under UIDVALIDITY: the server reused the value for a new numbering."""
    def refusals(self, uidvalidity: int) -> dict[str, int]:
        """UID -> how many polls the server refused to send it (FETCH answered NO or BAD)."""
    def refused(self, uidvalidity: int, uid: str, words: str, limit: int) -> int:
        """Record one refusal (the server's words, a `fetch` failure); returns the count so far."""
    def vanished(self, uidvalidity: int, uid: str) -> None:
        """A UID once refused is no longer in the folder."""
    def set_state(self, uidvalidity: int, uidnext: int | None) -> None: ...
    def uidnext(self) -> int | None: ...


class MailSource(Protocol):
    name: str

    def fetch_new(self, seen: SeenIndex) -> Iterator[FetchedMessage]:
        """Yield the messages not yet seen, oldest first, read-only. Whenever the source next
        uses `seen` (a question or a record), the caller has recorded every message yielded so
        far (ignored ones included): a caller may record a batch at a time."""
        ...

    def close(self) -> None: ...


def open_source(cfg: MailboxConfig) -> MailSource:
    """The source for `[mailbox] kind`. A missing secret is a configuration error, said before
    any connection is tried."""
    module, _, name = KINDS[cfg.kind].partition(":")
    return getattr(importlib.import_module(module), name).from_config(cfg)
