"""The department's IMAP mailbox as a mail source: read-only, cheap to poll, safe to interrupt.

Read-only by construction: the folder is opened with EXAMINE and only `BODY.PEEK[...]`,
INTERNALDATE and RFC822.SIZE are fetched, so no poll ever sets \\Seen; nothing is stored,
moved or expunged (the mailbox is shared with people who read it in their own client).

A poll with no new mail costs one round trip on a kept connection (EXAMINE) and three on a
fresh one (greeting, LOGIN, EXAMINE), whatever the mailbox size: the UIDVALIDITY/UIDNEXT pair in
the EXAMINE answer is compared with what the store recorded at the end of the previous poll.
Only when they differ is the mailbox searched, and then only above the last UID taken.

When UIDVALIDITY changes (folder re-created, server migrated) every UID is re-read by its
Message-ID and size only; a message the store already holds once with both, whose Message-ID no
other message of the folder carries, is re-paired without downloading it. Otherwise (the size
differs, several stored messages or several messages of the folder share the Message-ID) the
message is downloaded and its hash decides (the archive is content-addressed).

A NO or BAD to a FETCH is the server refusing those messages, not a dropped connection: the
batch is fetched one by one, the refused message is a `fetch` failure in the store and is tried
again at later polls, at most `[mailbox] max_fetch_attempts` times; the others are taken.
"""
from __future__ import annotations

import email
import hashlib
import imaplib
import logging
import socket
import ssl
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import CapabilityError, LoginError

from store.errors import SourceError
from ingest.sources import FetchedMessage, SeenIndex
from store.config import MailboxConfig

T = TypeVar("T")

UID_CHUNK = 500          # UIDs per command: far below Dovecot's 64 KB command-line limit
BODY_ITEMS = [b"BODY.PEEK[]", b"INTERNALDATE", b"RFC822.SIZE"]
HEADER_ITEMS = [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]", b"RFC822.SIZE"]
PREFETCH_BYTES = 16 * 2**20   # the next batch is fetched during this one's hand-over below this size
IDLE_ROUND_S = 25 * 60   # RFC 2177: re-issue IDLE before the server's 30-minute autologout
# Everything that means "the connection is gone" rather than "the server said no".
# ssl.SSLError and socket.timeout are OSErrors; imaplib.abort is a subclass of imaplib.error.
DROPPED = (OSError, imaplib.IMAP4.abort)


class _ReconnectFailed(Exception):
    """Reconnecting after a drop failed; retried like the drop itself."""


@dataclass(frozen=True)
class FolderState:
    """What one EXAMINE tells: enough to decide whether anything is new."""
    uidvalidity: int
    uidnext: int | None
    exists: int


def decide(stored_validity: int | None, stored_next: int | None, now: FolderState) -> str:
    """What a poll must do: "full", "nothing", "incremental" or "rescan". Pure, so tested alone.

    UIDNEXT never decreases while UIDVALIDITY stays; if it did, the index was rebuilt and the
    server reused the UIDVALIDITY (Dovecot takes it from the clock), so old UIDs mean nothing.
    """
    if stored_validity is None:
        return "full"
    if stored_validity != now.uidvalidity:
        return "rescan"
    if stored_next is not None and now.uidnext is not None:
        if now.uidnext == stored_next:
            return "nothing"
        if now.uidnext < stored_next:
            return "rescan"
    return "incremental"


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def header_message_id(header_block: bytes) -> str | None:
    """The Message-ID exactly as `parsers.mime.parse_message` records it, so pairing matches."""
    msg = email.message_from_bytes(header_block)
    return str(msg.get("Message-ID", "")).strip() or None


def _body_key(item: dict[bytes, Any], prefix: bytes) -> Any:
    """The value of the first BODY[...] key starting with PREFIX (servers echo the section)."""
    for key, value in item.items():
        if isinstance(key, bytes) and key.startswith(prefix):
            return value
    return None


class ImapSource:
    """One IMAP folder, polled through a connection kept between polls when possible."""

    @classmethod
    def from_config(cls, cfg: MailboxConfig) -> "ImapSource":
        cfg.secret()  # a missing secret is a configuration error, said before any connection
        return cls(cfg)

    def __init__(self, cfg: MailboxConfig, *, log: logging.Logger = logging.getLogger("baocao.imap"),
                 client_class: type[IMAPClient] = IMAPClient, retries: int = 3, backoff_s: float = 0.5,
                 noop_after_s: float = 60.0):
        """`client_class` lets a test or benchmark count what is sent (an IMAPClient subclass)."""
        self.cfg = cfg
        self.log = log
        self.client_class = client_class
        self.retries = retries
        self.backoff_s = backoff_s
        self.noop_after_s = noop_after_s
        self.reconnects = 0
        self._client: IMAPClient | None = None
        self._last_used = 0.0

    @property
    def name(self) -> str:
        return f"imap:{self.cfg.username}@{self.cfg.host}:{self.cfg.port}/{self.cfg.folder}"

    @property
    def _where(self) -> str:
        return f"{self.cfg.host}:{self.cfg.port}"

    # -- connecting ------------------------------------------------------------------------

    def _connect(self) -> IMAPClient:
        """A logged-in client; every failure becomes one readable SourceError line."""
        try:
            # Building a TLS context loads the CA store (~15 ms): only when TLS is used.
            context = ssl.create_default_context() if self.cfg.tls == "ssl" else None
            client = self.client_class(self.cfg.host, self.cfg.port, ssl=self.cfg.tls == "ssl",
                                       ssl_context=context, timeout=self.cfg.timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise self._connection_error(exc) from exc
        _quiet_imaplib(client)
        try:
            self._secure_and_login(client)
        except BaseException:
            self._quietly_shutdown(client)
            raise
        client.normalise_times = False   # keep INTERNALDATE timezone-aware
        return client

    def _secure_and_login(self, client: IMAPClient) -> None:
        try:
            if self.cfg.tls == "starttls":
                client.starttls(ssl.create_default_context())
            secret = self.cfg.secret()
            from store.logs import add_secret
            add_secret(secret)  # an OAuth2 token from a command is known only now: mask it in every log
            if self.cfg.auth == "xoauth2":
                client.oauth2_login(self.cfg.username, secret)
            elif secret.isascii():
                client.login(self.cfg.username, secret)
            else:  # LOGIN cannot carry UTF-8 (imaplib refuses); SASL PLAIN can
                client.plain_login(self.cfg.username, secret)
        except CapabilityError as exc:
            raise SourceError(f"{self._where} does not offer STARTTLS (set mailbox.tls): {exc}") from exc
        except LoginError as exc:
            if isinstance(exc.__context__, DROPPED):  # IMAPClient says LoginError for a connection lost too
                raise self._connection_error(exc.__context__) from exc
            raise SourceError(f"login refused for {self.cfg.username!r} on {self._where}: "
                              f"{_text(exc)}") from exc
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise self._connection_error(exc) from exc
        except imaplib.IMAP4.error as exc:
            raise SourceError(f"login to {self._where} failed: {_text(exc)}") from exc

    def _connection_error(self, exc: BaseException) -> SourceError:
        where = self._where
        if isinstance(exc, ConnectionRefusedError):
            return SourceError(f"cannot connect to {where}: connection refused")
        if isinstance(exc, socket.gaierror):
            return SourceError(f"cannot resolve mail server {self.cfg.host!r}: {exc.strerror}")
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return SourceError(f"no answer from {where} within {self.cfg.timeout:g} s")
        if isinstance(exc, ssl.SSLCertVerificationError):
            return SourceError(f"TLS certificate of {where} rejected: {exc.verify_message}")
        if isinstance(exc, ssl.SSLError):
            return SourceError(f"TLS with {where} failed ({exc.reason or exc}); check mailbox.tls and port")
        if isinstance(exc, (imaplib.IMAP4.abort, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            return SourceError(f"connection to {where} dropped: {_text(exc)}")
        return SourceError(f"cannot talk to {where}: {_text(exc)}")

    def _select(self, client: IMAPClient) -> FolderState:
        """EXAMINE the folder (read-only SELECT). A refused folder is a SourceError."""
        try:
            info = client.select_folder(self.cfg.folder, readonly=True)
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error as exc:
            raise SourceError(f"folder {self.cfg.folder!r} cannot be opened on {self._where}: "
                              f"{_text(exc)}") from exc
        self._last_used = time.monotonic()
        uidnext = info.get(b"UIDNEXT")
        if uidnext is None:  # optional in old servers' SELECT answer; STATUS always has it
            uidnext = client.folder_status(self.cfg.folder, [b"UIDNEXT"]).get(b"UIDNEXT")
        return FolderState(int(info[b"UIDVALIDITY"]), uidnext, int(info.get(b"EXISTS", 0)))

    def _open(self) -> tuple[IMAPClient, FolderState]:
        """Select the folder on the kept connection, or on a new one if that one died idle."""
        if self._client is not None:
            try:
                return self._client, self._select(self._client)
            except DROPPED as exc:
                self.log.info("%s: kept connection was closed (%s); reconnecting", self.name, _text(exc))
                self._drop()
        client = self._connect()
        self._client = client
        try:
            return client, self._select(client)
        except DROPPED as exc:
            self._drop()
            raise self._connection_error(exc) from exc

    def check(self) -> None:
        """Log in and open the folder, or raise SourceError saying why not (health check)."""
        self._open()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                self._quietly_shutdown(client)

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            self._quietly_shutdown(client)

    @staticmethod
    def _quietly_shutdown(client: IMAPClient) -> None:
        try:
            client.shutdown()
        except (OSError, imaplib.IMAP4.error):
            pass

    # -- surviving drops -------------------------------------------------------------------

    def _live_client(self, state: FolderState) -> IMAPClient:
        """The connection for the next command: reconnected if lost, NOOP-checked if idle long."""
        if self._client is None:
            try:
                client, now = self._open()
            except SourceError as exc:  # e.g. refused while the server restarts: worth a retry
                raise _ReconnectFailed(str(exc)) from exc
            if now.uidvalidity != state.uidvalidity:
                raise SourceError(f"UIDVALIDITY of {self.cfg.folder!r} changed during the poll; "
                                  "the next poll re-reads the folder")
            return client
        if time.monotonic() - self._last_used > self.noop_after_s:
            self._client.noop()
        return self._client

    def _retry(self, op: Callable[[IMAPClient], T], state: FolderState) -> T:
        """Run OP, reconnecting after a dropped connection (bounded, with backoff).

        OP must be a read: running it twice is harmless, and nothing was yielded from the first."""
        for attempt in range(self.retries + 1):
            try:
                result = op(self._live_client(state))
                self._last_used = time.monotonic()
                return result
            except (*DROPPED, _ReconnectFailed) as exc:
                self._drop()
                if attempt == self.retries:
                    raise SourceError(f"connection to {self._where} lost {attempt + 1} times in one poll; "
                                      f"last: {_text(exc)}") from exc
                self.reconnects += 1
                self.log.warning("%s: connection lost (%s); reconnecting", self.name, _text(exc))
                time.sleep(self.backoff_s * (2 ** attempt))
        raise AssertionError("unreachable")

    # -- polling ---------------------------------------------------------------------------

    def fetch_new(self, seen: SeenIndex) -> Iterator[FetchedMessage]:
        """Yield unseen messages oldest first; record the folder state only when all were yielded."""
        _, state = self._open()
        plan = decide(seen.uidvalidity(), seen.uidnext(), state)
        self.log.debug("%s: %s (uidvalidity %s, uidnext %s)", self.name, plan, state.uidvalidity, state.uidnext)
        # Same UIDVALIDITY with a lower UIDNEXT: the recorded UIDs belong to another numbering.
        trust_seen = not (plan == "rescan" and seen.uidvalidity() == state.uidvalidity)
        verify: dict[int, set[str]] = {}
        if plan == "rescan":
            uids, verify = self._rescan(seen, state, trust_seen)
        elif plan != "nothing":
            uids = self._uids_above(seen, state)
        else:
            uids = []
        # Messages the server refused at earlier polls: again, until max_fetch_attempts.
        refusals = seen.refusals(state.uidvalidity)
        given_up = {int(u) for u, n in refusals.items() if n >= self.cfg.max_fetch_attempts}
        again = {int(u) for u, n in refusals.items() if n < self.cfg.max_fetch_attempts}
        uids = sorted((set(uids) | again) - given_up)
        yield from self._fetch_bodies(uids, seen, state, trust_seen, verify, refusals)
        seen.set_state(state.uidvalidity, state.uidnext)

    def _uids_above(self, seen: SeenIndex, state: FolderState) -> list[int]:
        last = seen.last_uid(state.uidvalidity)
        found = self._retry(lambda c: c.search([b"UID", f"{last + 1}:*".encode()]), state)
        # "N:*" always matches the highest UID, even when it is below N: filter.
        known = seen.seen_keys(state.uidvalidity) if last else set()
        return sorted(u for u in found if u > last and str(u) not in known)

    def _rescan(self, seen: SeenIndex, state: FolderState, trust_seen: bool
                ) -> tuple[list[int], dict[int, set[str]]]:
        """After a UIDVALIDITY change: pair what the store has, return the UIDs to download and,
        among them, those to pair only if their hash is one of the stored copies'.

        A UID pairs without download when its Message-ID and RFC822.SIZE are those of the one
        stored message with that Message-ID, and no other message of the folder carries that
        Message-ID. When the size differs, or several stored messages or several messages of the
        folder share the Message-ID (mailers with fixed or broken Message-IDs exist; a second
        mail with it may not be taken yet), the body decides."""
        self.log.warning("%s: UIDVALIDITY changed (%s -> %s); re-pairing by Message-ID and size",
                         self.name, seen.uidvalidity(), state.uidvalidity)
        every = sorted(self._retry(lambda c: c.search([b"ALL"]), state))
        if not trust_seen:  # the same UIDVALIDITY numbers other messages now: forget the old UIDs
            seen.forget(state.uidvalidity)
        known = seen.seen_keys(state.uidvalidity) if trust_seen else set()
        todo = [u for u in every if str(u) not in known]
        # Every UID's headers, the paired ones too (a rescan cut short paired some of them).
        looks: dict[int, tuple[str | None, Any]] = {}
        for chunk in chunks(every if todo else [], UID_CHUNK):
            headers, _ = self._fetch_items(chunk, HEADER_ITEMS, state)
            for uid in chunk:
                item = headers.get(uid, {})
                looks[uid] = (header_message_id(_body_key(item, b"BODY[HEADER") or b""), item.get(b"RFC822.SIZE"))
        carried = Counter(mid for mid, _ in looks.values())
        rest: list[int] = []
        verify: dict[int, set[str]] = {}
        paired = 0
        for uid in todo:
            mid, size = looks.get(uid, (None, None))
            copies = seen.copies(mid) if mid else []
            if len(copies) == 1 and carried[mid] == 1 and size is not None and copies[0][0] == size:
                seen.pair(state.uidvalidity, str(uid), copies[0][1])
                paired += 1
                continue
            if copies:
                verify[uid] = {sha for _, sha in copies}
            rest.append(uid)
        self.log.info("%s: %d re-paired, %d to download (%d to compare by hash)",
                      self.name, paired, len(rest), len(verify))
        return rest, verify

    def _fetch_bodies(self, uids: list[int], seen: SeenIndex, state: FolderState, trust_seen: bool = True,
                      verify: dict[int, set[str]] | None = None, refusals: dict[str, int] | None = None,
                      ) -> Iterator[FetchedMessage]:
        """The bodies of UIDS, oldest first, a batch (one FETCH) at a time, the next batch fetched
        in a thread while this one is handed over: the consumer archives and records a batch
        while the server sends the next, and never waits for both. After a batch of more than
        PREFETCH_BYTES (big attachments) the next is asked for only once it is handed over.

        The index is read once, before anything is yielded (after a crash the poll resumes at the
        first message not yet recorded), and the thread touches only the connection: every
        question to the index and every record stays in the consumer's thread. A batch is fetched
        whole before any of it is yielded, so a reconnect inside one poll never re-yields a message."""
        size = max(1, min(self.cfg.batch_size, UID_CHUNK))
        verify, refusals = verify or {}, refusals or {}
        if trust_seen and uids:
            known = seen.seen_keys(state.uidvalidity)
            uids = [u for u in uids if str(u) not in known]
        batches = list(chunks(uids, size))
        if not batches:
            return
        from concurrent.futures import ThreadPoolExecutor   # only when there is mail to fetch
        with ThreadPoolExecutor(1, thread_name_prefix="baocao-imap") as ahead:
            coming = ahead.submit(self._fetch_items, batches[0], BODY_ITEMS, state)
            try:
                for batch, after in zip(batches, [*batches[1:], None]):
                    data, refused = coming.result()
                    # a batch of big mails is handed over before the next is asked for: two in memory at most
                    early = _body_bytes(data) < PREFETCH_BYTES
                    if after is not None and early:
                        coming = ahead.submit(self._fetch_items, after, BODY_ITEMS, state)
                    yield from self._hand_over(batch, data, refused, seen, state, verify, refusals)
                    if after is not None and not early:
                        coming = ahead.submit(self._fetch_items, after, BODY_ITEMS, state)
            finally:
                coming.cancel()   # a consumer that stopped: the batch on its way is not taken
                # (leaving the block waits for a FETCH in progress: the connection is free after)

    def _hand_over(self, batch: list[int], data: dict[int, dict[bytes, Any]], refused: dict[int, str],
                   seen: SeenIndex, state: FolderState, verify: dict[int, set[str]], refusals: dict[str, int],
                   ) -> Iterator[FetchedMessage]:
        for uid in batch:
            if uid in refused:
                self._refused(seen, state, uid, refused[uid])
                continue
            item = data.pop(uid, None)
            message = self._message(uid, item, state) if item is not None else None
            if message is None:
                if str(uid) in refusals:
                    seen.vanished(state.uidvalidity, str(uid))
                continue
            if uid in verify:
                sha = hashlib.sha256(message.raw).hexdigest()
                if sha in verify[uid]:   # the stored message itself: pair it, do not take it again
                    seen.pair(state.uidvalidity, str(uid), sha)
                    continue
            yield message

    def _refused(self, seen: SeenIndex, state: FolderState, uid: int, words: str) -> None:
        limit = self.cfg.max_fetch_attempts
        attempts = seen.refused(state.uidvalidity, str(uid), words, limit)
        if attempts >= limit:
            self.log.error("%s: the server refused UID %s %d times (%s); no more attempts, left to the admin "
                           "(v_failures, stage fetch)", self.name, uid, attempts, words)
        else:
            self.log.error("%s: the server refused UID %s (%s); attempt %d of %d, tried again at the next poll",
                           self.name, uid, words, attempts, limit)

    def _fetch_items(self, batch: list[int], items: list[bytes], state: FolderState
                     ) -> tuple[dict[int, dict[bytes, Any]], dict[int, str]]:
        """ITEMS for a batch, and the UIDs the server refused to send with its words.

        A NO or BAD answer (imaplib's `error`, not its `abort`) is about the messages asked for,
        not the connection: the batch is asked again one message at a time, so one message the
        server cannot serve does not hold back the others. A dropped connection is `_retry`'s."""
        try:
            return self._retry(lambda c: c.fetch(batch, items), state), {}
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error as exc:
            self._discard_partial_answer()
            if len(batch) == 1:
                return {}, {batch[0]: _text(exc)}
            self.log.warning("%s: the server refused a FETCH of %d messages (%s); one at a time",
                             self.name, len(batch), _text(exc))
            data: dict[int, dict[bytes, Any]] = {}
            refused: dict[int, str] = {}
            for uid in batch:
                one, no = self._fetch_items([uid], items, state)
                data.update(one)
                refused.update(no)
            return data, refused

    def _discard_partial_answer(self) -> None:
        """What the server sent for the other messages of a refused FETCH stays in imaplib's
        untagged responses and would be handed back with the next command's: drop it."""
        imap = getattr(self._client, "_imap", None)
        if imap is not None:
            imap.untagged_responses.pop("FETCH", None)

    def _message(self, uid: int, item: dict[bytes, Any], state: FolderState) -> FetchedMessage | None:
        raw = item.get(b"BODY[]")
        if raw is None:  # expunged between SEARCH and FETCH
            self.log.info("%s: UID %s vanished before it could be fetched", self.name, uid)
            return None
        size = item.get(b"RFC822.SIZE")
        if size is not None and size != len(raw):
            self.log.warning("%s: UID %s is %d bytes, server announced %s", self.name, uid, len(raw), size)
        return FetchedMessage(source=self.name, uidvalidity=state.uidvalidity, uid=str(uid), raw=bytes(raw),
                              internaldate=item.get(b"INTERNALDATE"))

    # -- waiting ---------------------------------------------------------------------------

    def wait_for_mail(self, timeout_s: float) -> bool:
        """Block up to TIMEOUT_S until the server announces new mail; True means "poll now".

        Uses IMAP IDLE when offered, else a NOOP every 30 s (which also reports EXISTS).
        A lost connection also answers True: the poll that follows reconnects or reports it."""
        try:
            client, _ = self._open()
            if client.has_capability("IDLE"):
                return self._idle(client, timeout_s)
            return self._noop_wait(client, timeout_s)
        except DROPPED as exc:
            self.log.info("%s: connection lost while waiting (%s)", self.name, _text(exc))
            self._drop()
            return True

    def _idle(self, client: IMAPClient, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            client.idle()
            try:
                responses = client.idle_check(timeout=min(left, IDLE_ROUND_S))
            finally:
                _, tail = client.idle_done()
            self._last_used = time.monotonic()
            if _announces_mail([*responses, *tail]):
                return True
        return False

    def _noop_wait(self, client: IMAPClient, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 30.0))
            _, responses = client.noop()
            self._last_used = time.monotonic()
            if _announces_mail(responses):
                return True
        return False


def _body_bytes(data: dict[int, dict[bytes, Any]]) -> int:
    return sum(len(item.get(b"BODY[]") or b"") for item in data.values())


def _quiet_imaplib(client: IMAPClient) -> None:
    """IMAPClient sets imaplib's debug level to 5 on every connection, so that imaplib logs each
    response through IMAPClient's logger; imaplib then formats every response, the repr of every
    message body included, before that logger drops it: half the processor time of a fetch. The
    level is put back to 0 unless the log would keep those lines (`--verbose`)."""
    imap = getattr(client, "_imap", None)
    if imap is not None and not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
        imap.debug = 0


def _announces_mail(responses: Iterable[Any]) -> bool:
    return any(isinstance(r, tuple) and len(r) >= 2 and r[1] in (b"EXISTS", b"RECENT")
               and isinstance(r[0], int) and r[0] > 0 for r in responses)


def _text(exc: BaseException) -> str:
    """An exception as one short line (imaplib puts bytes and newlines in its messages)."""
    if isinstance(exc, OSError) and exc.strerror:   # "Connection reset by peer", not "104"
        return " ".join(exc.strerror.split())[:300]
    arg = exc.args[0] if exc.args else exc
    text = arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)
    return " ".join(text.split())[:300] or type(exc).__name__
