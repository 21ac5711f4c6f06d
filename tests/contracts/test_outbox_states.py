"""The outbox's state machine as a hypothesis property: whatever the order of queueing, delivery
runs, server answers and crashes, the rules of the queue hold.

Rules (compile/outbox.py): one row per dedupe key, queued twice or not; a row is `pending`,
`sending`, `sent` or `failed`; `pending -> sending` is committed before a byte goes out; a mail
the server accepted is `sent` and never handed over again; a refusal (5xx) fails it at once; a
temporary problem (4xx, connection) retries with backoff up to `[outbox] max_attempts`, then
fails; a row left `sending` by a crash becomes `failed` once stale, never resent by itself.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from compile import mail, outbox, transport
from store.errors import ConnectError, PermanentError, TransientError
from tests.storefill import at, fresh_store

KEYS = [f"reminder:cttre:2024S1:U{i}:after-1" for i in range(4)]
ANSWERS = ["accept", "transient", "permanent", "connect", "crash"]
STATES = {"pending", "sending", "sent", "failed"}


class Crash(BaseException):
    """The process dies in the middle of a send (after the claim, before any answer)."""


class Scripted(transport.Transport):
    """A transport whose answers the test chooses, recording what it accepted."""
    answers: list[str] = []
    accepted: list[str] = []

    def send(self, mail: transport.Envelope) -> str:
        answer = Scripted.answers.pop(0) if Scripted.answers else "accept"
        if answer == "crash":
            raise Crash()
        if answer == "transient":
            raise TransientError("451 4.3.0 try again later")
        if answer == "connect":
            raise ConnectError("cannot connect")
        if answer == "permanent":
            raise PermanentError("550 5.1.1 no such user")
        Scripted.accepted.append(mail.mime.decode("utf-8", "replace"))
        return ""


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="baocao-outbox-"))
        base, _ = fresh_store(self.tmp / "base")
        self.cfg, self.db = fresh_store(self.tmp / "s", outbox=dataclasses.replace(base.outbox, kind="scripted",
                                                                                     max_attempts=3))
        self.now = at("2024-07-03 07:30")
        self.sent_once: dict[str, str] = {}
        Scripted.answers, Scripted.accepted = [], []
        transport.TRANSPORTS["scripted"] = Scripted

    def teardown(self) -> None:
        transport.TRANSPORTS.pop("scripted", None)
        self.db.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def rows(self) -> dict[str, tuple[str, int]]:
        return {k: (s, a) for k, s, a in self.db.execute("SELECT dedupe_key, status, attempts FROM outbox")}

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
            if status in ("sent", "failed"):
                assert after[key][0] == status, f"{key}: {status} became {after[key][0]}"

    @rule(minutes=st.sampled_from([1, 11, 60, 400]))
    def time_passes(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)

    @precondition(lambda self: bool(Scripted.accepted))
    @rule()
    def nothing_accepted_twice(self) -> None:
        ids = [m.split("Message-ID: ", 1)[1].split("\n", 1)[0].strip() for m in Scripted.accepted]
        assert len(ids) == len(set(ids)), "a mail was handed over twice"

    @invariant()
    def one_row_per_key_and_known_states(self) -> None:
        rows = list(self.db.execute("SELECT dedupe_key, status, attempts FROM outbox"))
        assert len(rows) == len({k for k, _, _ in rows})
        for _, status, attempts in rows:
            assert status in STATES
            assert attempts <= self.cfg.outbox.max_attempts

    @invariant()
    def sent_rows_were_accepted(self) -> None:
        sent = self.db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
        assert sent == len(Scripted.accepted)


TestOutboxStates = OutboxMachine.TestCase
TestOutboxStates.settings = settings(max_examples=40, stateful_step_count=25, deadline=None, derandomize=True,
                                     suppress_health_check=[HealthCheck.too_slow])
