"""The outbox's state machine as a hypothesis property: whatever the order of queueing, delivery
runs, server answers, crashes and an admin's resends, the rules of the queue hold.

Rules (compile/outbox.py): one row per dedupe key, queued twice or not; a row is `pending`,
`sending`, `sent`, `failed` or `uncertain`; `pending -> sending` is committed before a byte goes
out; a mail the server accepted is `sent` and never handed over again; a refusal (5xx) fails it at
once; a temporary problem before the mail was handed over whole (4xx, connection) retries with
backoff up to `[outbox] max_attempts`, then fails; a mail handed over whose acceptance was never
heard becomes `uncertain` and is never handed over again by itself; a row left `sending` by a
crash becomes `uncertain` once stale. So no dedupe key is handed over twice, except when an admin
asked (`resend`), once per asking.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from compile import mail, outbox, transport
from store.errors import ConnectError, PermanentError, TransientError, UncertainError, UsageError
from tests.storefill import at, fresh_store

KEYS = [f"reminder:cttre:2024S1:U{i}:after-1" for i in range(4)]
ANSWERS = ["accept", "transient", "permanent", "connect", "crash", "crash-after-data", "reply-lost", "lost"]
STATES = {"pending", "sending", "sent", "failed", "uncertain"}
TERMINAL = ("sent", "failed", "uncertain")   # no delivery run takes a row out of these


class Crash(BaseException):
    """The process dies in the middle of a send (after the claim, before any answer)."""


def message_id(mime: str) -> str:
    return mime.split("Message-ID: ", 1)[1].split("\n", 1)[0].strip()


class Scripted(transport.Transport):
    """A transport whose answers the test chooses, recording what the server got (`handed`: every
    mail handed over whole, whether its acceptance was heard or not) and what it accepted."""
    answers: list[str] = []
    accepted: list[str] = []
    handed: list[str] = []

    def send(self, mail: transport.Envelope) -> str:
        answer = Scripted.answers.pop(0) if Scripted.answers else "accept"
        if answer == "crash-after-data":              # the server has it, the process dies before `sent`
            Scripted.handed.append(mail.mime.decode("utf-8", "replace"))
            raise Crash()
        if answer == "crash":
            raise Crash()
        if answer == "reply-lost":                     # stored by the server, its 250 never heard
            Scripted.handed.append(mail.mime.decode("utf-8", "replace"))
            raise UncertainError("no reply after the end of the data (timed out); the server's last words: 354")
        if answer == "lost":                           # the end of the data sent, the server lost it
            raise UncertainError("no reply after the end of the data (connection lost); last words: 354")
        if answer == "transient":
            raise TransientError("451 4.3.0 try again later")
        if answer == "connect":
            raise ConnectError("cannot connect")
        if answer == "permanent":
            raise PermanentError("550 5.1.1 no such user")
        Scripted.accepted.append(mail.mime.decode("utf-8", "replace"))
        Scripted.handed.append(mail.mime.decode("utf-8", "replace"))
        return ""


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="baocao-outbox-"))
        base, _ = fresh_store(self.tmp / "base")
        self.cfg, self.db = fresh_store(self.tmp / "s", outbox=base.outbox._replace(kind="scripted",
                                                                                    max_attempts=3))
        self.now = at("2024-07-03 07:30")
        self.resent: dict[str, int] = {}     # Message-ID -> times an admin asked to send it again
        Scripted.answers, Scripted.accepted, Scripted.handed = [], [], []
        transport.TRANSPORTS["scripted"] = Scripted

    def teardown(self) -> None:
        transport.TRANSPORTS.pop("scripted", None)
        self.db.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def rows(self) -> dict[str, tuple[str, int]]:
        return {k: (s, a) for k, s, a in self.db.execute("SELECT dedupe_key, status, attempts FROM outbox")}

    @initialize(keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True))
    def some_queued(self, keys: list[str]) -> None:
        """Start with mail in the queue, so that every run's answers meet rows to send."""
        for key in keys:
            self.queue(key)

    @rule(key=st.sampled_from(KEYS))
    def queue(self, key: str) -> None:
        msg = mail.build(self.cfg, mail.Letter(to=("thptlocninh@binhphuoc.edu.vn",), subject=f"Nhắc {key}",
                                               text="Kính gửi: đơn vị\n"), self.now)
        before = self.rows()
        row = outbox.add(self.db, self.cfg, "reminder", key, msg, self.now)
        assert (row is None) == (key in before)

    @rule(answers=st.lists(st.sampled_from(ANSWERS), max_size=5))
    def deliver(self, answers: list[str]) -> None:
        before = self.rows()
        Scripted.answers = list(answers)
        try:
            outbox.deliver(self.db, self.cfg, self.now)
        except Crash:
            pass   # the process died here; the row it was sending stays `sending`
        after = self.rows()
        for key, (status, _) in before.items():
            if status in TERMINAL:
                assert after[key][0] == status, f"{key}: {status} became {after[key][0]}"

    @rule(key=st.sampled_from(KEYS))
    def admin_resends(self, key: str) -> None:
        row = self.db.execute("SELECT id, status, header_message_id FROM outbox WHERE dedupe_key = ?",
                              [key]).fetchone()
        if row is None:
            return
        row_id, status, mid = row
        try:
            outbox.resend(self.db, self.cfg, row_id, self.now)
        except UsageError:
            assert status not in outbox.RESENDABLE
            return
        assert status in outbox.RESENDABLE
        assert self.rows()[key] == ("pending", 0)
        self.resent[mid] = self.resent.get(mid, 0) + 1

    @rule(minutes=st.sampled_from([1, 11, 60, 400]))
    def time_passes(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)

    @invariant()
    def no_dedupe_key_handed_over_twice(self) -> None:
        counts: dict[str, int] = {}
        for mime in Scripted.handed:
            counts[message_id(mime)] = counts.get(message_id(mime), 0) + 1
        for mid, n in counts.items():
            assert n <= 1 + self.resent.get(mid, 0), f"{mid} handed over {n} times, resent {self.resent.get(mid, 0)}"

    @invariant()
    def one_row_per_key_and_known_states(self) -> None:
        rows = list(self.db.execute("SELECT dedupe_key, status, attempts FROM outbox"))
        assert len(rows) == len({k for k, _, _ in rows})
        for _, status, attempts in rows:
            assert status in STATES
            assert attempts <= self.cfg.outbox.max_attempts

    @invariant()
    def sent_rows_were_accepted(self) -> None:
        sent = {r[0] for r in self.db.execute("SELECT header_message_id FROM outbox WHERE status = 'sent'")}
        accepted = [message_id(m) for m in Scripted.accepted]
        assert sent == set(accepted)
        assert len(accepted) <= len(set(accepted)) + sum(self.resent.values())

    @invariant()
    def every_row_out_of_the_queue_is_visible(self) -> None:
        """A failed (unless withdrawn, which this machine never does) or uncertain row has an open failure."""
        hidden = self.db.execute(
            "SELECT COUNT(*) FROM outbox o WHERE o.status IN ('failed', 'uncertain') AND NOT EXISTS"
            " (SELECT 1 FROM failures f WHERE f.outbox_id = o.id AND f.resolved_at IS NULL)").fetchone()[0]
        assert hidden == 0


TestOutboxStates = OutboxMachine.TestCase
TestOutboxStates.settings = settings(max_examples=40, stateful_step_count=25, deadline=None, derandomize=True,
                                     suppress_health_check=[HealthCheck.too_slow])
