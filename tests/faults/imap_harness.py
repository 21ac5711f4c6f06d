"""IMAP faults for the fault suite: `baocao poll` over a private Dovecot through tests/imap_proxy.py,
with seeded faults, new mail between polls, Dovecot restarted during polls and real UIDVALIDITY
changes, then clean polls; the invariants are checked after every poll and at the end.

Like tests/faults/harness.py this never imports the code under test: the CLI runs in a subprocess
(`harness.run_cli`), the store is read with plain `sqlite3` and the mailbox with our own IMAP
connections (EXAMINE, BODY.PEEK). Used by bench/imap_faults.py (the long run) and
tests/faults/test_imap_faults.py (short, seeded).

What a fault is, per poll (one plan per poll, seeded):
  a connection fault of tests/imap_proxy.py (cut / reset / stall at connect / greeting / login /
      inside a FETCH literal), on the poll's first connection, on a reconnection (the first
      connection cut mid-download first), or on every connection (the poll gives up: one line)
  NO or BAD to one message's FETCH, for 1..max_fetch_attempts-1 polls, then served
  Dovecot restarted while the poll downloads (down 0-3 s)
and between polls: new mail, and (spread over the run) UIDVALIDITY changes, by rebuilding
Dovecot's index or by re-creating the folder with the same messages, flags and dates.

Counted per fault kind (a poll's problems count under every kind that fired in it):
  lost       mails delivered and not in v_messages after the final clean polls (attributed to
             the first completed poll that skipped them, else "final"); the end also checks that
             each UID of the folder is marked seen as the stored mail with its bytes (not mispaired)
  skipped    mails in the folder before a completed poll (exit 0/1), not refused, and not in the
             store after it (taken later or never; each mail counted once, at the first such poll)
  twice      rows in `messages` that are no delivered mail (a second row for one mail, or a
             truncated copy)
  flags      messages whose IMAP flags differ after a poll from before it (by UID, \\Recent
             included: a read-write SELECT would clear it)
  invisible  a refused message with no open `fetch` failure naming it after the poll, or absent
             from `baocao failures`
  contract   polls whose exit or stderr broke the one-line error contract: exit not 0/1/2, a
             traceback, "internal error", exit 2 without exactly one last line "baocao: mailbox:
             ...", a stderr line that is neither a log record nor that line, or a line naming a
             cause that did not happen (login refused, a folder that cannot be opened, a bare errno)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import sqlite3
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from tests.dovecot import PASSWORD_ENV, Dovecot
from tests.faults import harness as h
from tests.imap_proxy import ACTIONS, POINTS, Fault, FaultProxy
from tests.mails import build

RESTART = "Dovecot restarted mid-poll"
REBUILT = "UIDVALIDITY: index rebuilt"
RECREATED = "UIDVALIDITY: folder re-created"
REFUSALS = ("NO to one FETCH", "BAD to one FETCH")
KINDS = tuple(f"{a} at {p}" for p in POINTS for a in ACTIONS) + REFUSALS + (RESTART, REBUILT, RECREATED)
COLUMNS = ("faults", "polls", "failed", "lost", "skipped", "twice", "flags", "invisible", "contract")
FLAG_SETS = ((), (b"\\Seen",), (b"\\Seen", b"\\Answered"), (b"\\Flagged",), (b"\\Seen", b"$Label1"),
             (b"$Forwarded",), (b"\\Seen", b"\\Flagged", b"$Label2"))
_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+\S+: ")
_WRONG_CAUSE = re.compile(r"login refused|cannot be opened|: \d+$|\(\d+\)", re.I)


# ---------------------------------------------------------------- the mails

def mails(n: int, tree: Path, seed: int) -> list[h.Mail]:
    """N report-like mails: the fault harness's ~30 realistic ones, then report resends (a
    school's xlsx again under a new Message-ID), plain mails, byte-identical copies and pairs
    sharing a Message-ID and a size (only the hash tells them apart after a renumbering)."""
    rng = random.Random(f"mails:{seed}")
    base = list(h.corpus(tree=str(tree)))
    reports = [m for m in base if m.kind == "report" and len(m.raw) < 20_000]
    out = base[:n]
    i = 0
    while len(out) < n:
        i += 1
        pick = rng.random()
        if pick < 0.45:
            src = rng.choice(reports)
            raw = re.sub(rb"(?im)^Message-ID: .*$", f"Message-ID: <imap-resend-{i}@binhphuoc.edu.vn>".encode(),
                         src.raw, count=1)
            out.append(h.Mail(f"resend-{i}", "cur", f"X-Resent-Count: {i}\r\n".encode() + raw, "report"))
        elif pick < 0.85:
            out.append(h.Mail(f"plain-{i}", "cur", build(
                subject=f"Công văn số {i}/SGDĐT", message_id=f"<imap-plain-{i}@binhphuoc.edu.vn>",
                sender=rng.choice(("Văn phòng <vanphong@binhphuoc.edu.vn>", "Cô Lan <lan.nguyen1985@gmail.com>")),
                body=f"Nội dung công văn {i}.", when=dt.datetime(2024, 6, 1 + i % 28, 8, i % 60, tzinfo=h.TZ)),
                "plain"))
        elif pick < 0.93:
            out.append(h.Mail(f"copy-{i}", "cur", rng.choice(out).raw, "copy"))
        else:  # same Message-ID, same size, other content
            for variant in ("A", "B"):
                out.append(h.Mail(f"twin-{i}{variant}", "cur", build(
                    subject="Báo cáo bổ sung", message_id=f"<imap-twin-{i}@binhphuoc.edu.vn>",
                    body=f"Bản {variant} của báo cáo bổ sung {i}."), "twin"))
    return out[:n]


@dataclass
class Delivered:
    """One mail as the server holds it."""
    index: int
    sha: str                     # of the bytes the server serves (Dovecot may rewrite some: NUL)
    flags: tuple[bytes, ...]     # as appended


# ---------------------------------------------------------------- the run

@dataclass
class Poll:
    n: int
    kinds: list[str]
    run: h.Run
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Result:
    rows: dict[str, dict[str, int]]
    total: dict[str, int]
    polls: list[Poll]
    uidvalidities: list[int]
    final: list[str]              # problems found at the end (lost, stale failures, unseen UIDs)
    seconds: float

    def bad_polls(self) -> list[Poll]:
        return [p for p in self.polls if p.problems]


class ImapFaults:
    """One seeded run on one folder of SERVER; `run()` returns the figures."""

    def __init__(self, root: Path, server: Dovecot, *, faults: int, mails_n: int, seed: int,
                 tree: Path | None = None, batch_size: int = 8, timeout: float = 1.5,
                 max_fetch_attempts: int = 4, renumberings: int | None = None,
                 log: Callable[[str], None] = lambda text: None):
        self.root, self.server, self.seed, self.log = root, server, seed, log
        self.tree = h.tree_path(tree)
        self.target = faults
        self.rng = random.Random(f"imap-faults:{seed}")
        self.max_attempts = max_fetch_attempts
        self.folder = server.new_folder_name(f"faults_{seed}")
        server.create(self.folder)
        self.proxy = FaultProxy(server)
        self.todo = mails(mails_n, self.tree, seed)
        self.rng.shuffle(self.todo)
        self.delivered: list[Delivered] = []
        self.work = h.make_work(root, self.tree, (), receipts=False, write_mails=False)
        self._imap_config(batch_size, timeout)
        self.env = {PASSWORD_ENV: server.password}
        self.rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
        self.polls: list[Poll] = []
        self.renumberings = renumberings if renumberings is not None else max(4, faults // 40)
        self.uidvalidities = [server.status(self.folder)[b"UIDVALIDITY"]]
        self.first_skip: dict[str, list[str]] = {}  # sha -> the kinds of the first poll that skipped it
        self.pending_change: str | None = None     # a UIDVALIDITY change the next poll meets first
        self.extra_rows: set[int] = set()          # rows already counted as no delivered mail
        self.refusing: dict[str, int] = {}         # sha -> polls still to refuse it
        self.listed: set[str] = set()              # refused mails looked for in `baocao failures`

    def _imap_config(self, batch_size: int, timeout: float) -> None:
        text = self.work.config.read_text(encoding="utf-8")
        start, end = text.index("[mailbox]"), text.index("[store]")
        s = self.server
        section = (f'[mailbox]\nkind = "imap"\nhost = "127.0.0.1"\nport = {self.proxy.port}\ntls = "none"\n'
                   f'username = "{s.user}"\npassword_env = "{PASSWORD_ENV}"\nfolder = "{self.folder}"\n'
                   f"batch_size = {batch_size}\ntimeout = {timeout}\nmax_fetch_attempts = {self.max_attempts}\n\n")
        self.work.config.write_text(text[:start] + section + text[end:], encoding="utf-8")

    # -- the mailbox ------------------------------------------------------------------------

    def deliver(self, count: int) -> None:
        batch, self.todo = self.todo[:count], self.todo[count:]
        if not batch:
            return
        with self.server.client() as c:
            uids = []
            for mail in batch:
                flags = self.rng.choice(FLAG_SETS)
                when = dt.datetime(2024, 7, 1, 8, tzinfo=h.TZ) + dt.timedelta(minutes=len(self.delivered))
                answer = c.append(self.folder, mail.raw, flags=flags, msg_time=when)
                uids.append(int(answer.split(b"]")[0].split()[-1]))
                self.delivered.append(Delivered(len(self.delivered), "", tuple(sorted(flags))))
            c.select_folder(self.folder, readonly=True)
            served = c.fetch(uids, [b"BODY.PEEK[]"])
        for d, uid in zip(self.delivered[-len(batch):], uids):
            d.sha = hashlib.sha256(bytes(served[uid][b"BODY[]"])).hexdigest()

    def folder_now(self) -> tuple[int, dict[int, tuple[tuple[bytes, ...], str]]]:
        """(UIDVALIDITY, UID -> (flags, sha256)) as the server has it now."""
        validity = self.server.status(self.folder)[b"UIDVALIDITY"]
        return validity, {uid: (flags, hashlib.sha256(raw).hexdigest())
                          for uid, (flags, raw) in self.server.messages(self.folder).items()}

    def renumber(self) -> None:
        kind = (REBUILT, RECREATED)[len(self.uidvalidities) % 2]
        old = self.uidvalidities[-1]
        new = self.server.renumber(self.folder) if kind == REBUILT else self.server.recreate_keeping(self.folder)
        if new == old:
            raise RuntimeError("UIDVALIDITY did not change")
        self.uidvalidities.append(new)
        self.rows[kind]["faults"] += 1
        self.pending_change = kind
        self.log(f"  {kind}: UIDVALIDITY {old} -> {new}")

    # -- one poll ---------------------------------------------------------------------------

    def plan(self) -> tuple[list[Fault | None], bool]:
        """This poll's faults: proxy faults per connection or a Dovecot restart; new refusals
        (a mail, by its bytes, refused for 1..max_fetch_attempts-1 polls) go to `self.refusing`."""
        pick = self.rng.random()
        stored = self.stored_shas()
        pending = sorted({d.sha for d in self.delivered} - stored - set(self.refusing))
        # a refusal, a restart mid-download and a fault inside a FETCH need mail to download
        if pick < 0.15 and pending:
            for sha in self.rng.sample(pending, k=min(len(pending), self.rng.choice((1, 1, 2)))):
                self.refusing[sha] = self.rng.randint(1, self.max_attempts - 1)
            return [], False
        if pick < 0.25 and pending:
            return [], True
        if pick < 0.32:
            return [], False
        point = "fetch" if pending and self.rng.random() < 0.5 else self.rng.choice(POINTS[:-1])
        fault = Fault(self.rng.choice(ACTIONS), point, after=self.rng.randint(0, 4000),
                      literal=self.rng.randint(1, 6))
        shape = self.rng.random()
        if shape < 0.45:
            return [fault], False
        if shape < 0.9:
            return [Fault("cut", "fetch", after=self.rng.randint(0, 3000), literal=self.rng.randint(1, 8)), fault], False
        return [fault] * 4, False

    def stored_shas(self) -> set[str]:
        return {r["sha256"] for r in self._store_rows()}

    def _store_rows(self) -> list[dict[str, Any]]:
        if not self.work.store.exists():
            return []
        conn = sqlite3.connect(str(self.work.store), timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(
                "SELECT m.id, m.sha256, m.header_message_id FROM v_messages v JOIN messages m ON m.id = v.message_id")]
        finally:
            conn.close()

    def _open_fetch_failures(self) -> list[str]:
        conn = sqlite3.connect(str(self.work.store), timeout=30)
        try:
            return [r[0] for r in conn.execute(
                "SELECT reason FROM v_failures WHERE stage = 'fetch' AND resolved_at IS NULL")]
        finally:
            conn.close()

    def _restart_when_downloading(self, proc: Any) -> bool:
        """Restart Dovecot once the poll has asked for message bodies (or after 3 s). True when it
        happened while the poll ran."""
        start, deadline = self.proxy.body_fetches, time.monotonic() + 3
        while proc.poll() is None and self.proxy.body_fetches == start and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(self.rng.uniform(0, 0.2))
        if proc.poll() is not None:
            return False
        self.server.restart(down_s=self.rng.uniform(0, 3))
        return True

    def poll_once(self, faults: list[Fault | None], restart: bool, final: bool = False) -> Poll:
        validity, before = self.folder_now()
        self.proxy.refuse = {u for u, (_, sha) in before.items() if self.refusing.get(sha)}
        self.proxy.answer = self.rng.choice((b"NO", b"BAD"))
        refused_before = dict(self.proxy.refused)
        fired_before = len(self.proxy.fired)
        self.proxy.arm(*faults)
        restarted: list[bool] = []
        hook = (lambda proc: restarted.append(self._restart_when_downloading(proc))) if restart else None
        run = h.run_cli(self.work, ("poll",), env=self.env, while_running=hook)
        self.proxy.disarm()
        fired = self.proxy.fired[fired_before:]
        kinds = [f"{f.action} at {f.at}" for f in fired]
        if any(restarted):
            kinds.append(RESTART)
        newly_refused = {u: n - refused_before.get(u, 0) for u, n in self.proxy.refused.items()
                         if n > refused_before.get(u, 0)}
        if newly_refused:
            kinds += [REFUSALS[self.proxy.answer == b"BAD"]] * len(newly_refused)
        if self.pending_change and not final:
            kinds.append(self.pending_change)
        poll = Poll(len(self.polls) + 1, kinds, run)
        self.polls.append(poll)
        for k in kinds:
            if k not in (REBUILT, RECREATED):
                self.rows[k]["faults"] += 1
        self._check(poll, validity, before, newly_refused)
        if h.completed(run):
            self.pending_change = None
        for k in set(kinds):
            row = self.rows[k]
            row["polls"] += 1
            row["failed"] += not h.completed(run)
            for col, items in poll.problems.items():
                row[col] += len(items)
        return poll

    def _check(self, poll: Poll, validity: int, before: dict[int, tuple[tuple[bytes, ...], str]],
               newly_refused: dict[int, int]) -> None:
        run = poll.run
        poll.problems["contract"] += contract_problems(run)
        after_validity, after = self.folder_now()
        if after_validity == validity:
            changed = [u for u in before if u in after and after[u][0] != before[u][0]]
            poll.problems["flags"] += [f"UID {u}: {before[u][0]} -> {after[u][0]}" for u in changed]
        rows = self._store_rows()
        stored = {r["sha256"] for r in rows}
        shas = {d.sha for d in self.delivered}
        for r in rows:
            if r["sha256"] not in shas and r["id"] not in self.extra_rows:
                self.extra_rows.add(r["id"])
                poll.problems["twice"].append(f"row {r['id']} ({r['header_message_id']}) is no delivered mail")
        # refusals: visible while they last, one poll less to go for each mail refused
        failures = self._open_fetch_failures()
        for sha in {before[u][1] for u in newly_refused}:
            self.refusing[sha] = max(0, self.refusing[sha] - 1)
        for uid in newly_refused:
            sha = before[uid][1]
            if not any(f"UID {uid} of" in f and f"(UIDVALIDITY {validity})" in f for f in failures):
                poll.problems["invisible"].append(f"UID {uid} refused, no open fetch failure names it")
            elif sha not in self.listed:     # its first refusal: the admin's command lists it
                self.listed.add(sha)
                listing = h.run_cli(self.work, ("failures",), env=self.env)
                if f"UID {uid} " not in listing.stdout:
                    poll.problems["invisible"].append(f"UID {uid} refused, not in `baocao failures`")
        if h.completed(run):
            refused_now = set(self.proxy.refuse)
            for u, (_, sha) in before.items():
                if sha not in stored and u not in refused_now and sha not in self.first_skip:
                    poll.problems["skipped"].append(f"UID {u} ({sha[:12]}) was in the folder, not taken")
                    self.first_skip[sha] = sorted(set(poll.kinds)) or ["clean poll"]

    # -- the whole run ----------------------------------------------------------------------

    def faults_so_far(self) -> int:
        return sum(row["faults"] for row in self.rows.values())

    def run(self) -> Result:
        started = time.monotonic()
        self.deliver(max(1, len(self.todo) * 3 // 10))
        expected_polls = max(4, int(self.target / 0.9))
        every = max(3, expected_polls // (self.renumberings + 1))
        n = 0
        while self.faults_so_far() < self.target or len(self.uidvalidities) - 1 < self.renumberings:
            n += 1
            if self.todo and self.rng.random() < 0.6:   # new mail all along the run
                self.deliver(max(1, round(len(self.todo) / max(1, 0.6 * (expected_polls - n)))))
            if n % every == 0 and len(self.uidvalidities) - 1 < self.renumberings:
                self.renumber()
            faults, restart = self.plan()
            poll = self.poll_once(faults, restart)
            if n % 10 == 0 or any(poll.problems.values()):
                self.log(f"  poll {n}: {self.faults_so_far()} faults, exit {poll.run.returncode}, "
                         f"{', '.join(poll.kinds) or 'clean'}"
                         + (f"; PROBLEMS {_nonempty(poll.problems)}" if any(poll.problems.values()) else ""))
            if n > self.target * 4:
                raise RuntimeError("the run does not reach its fault count")
        self.deliver(len(self.todo))
        final = self.finish()
        for p in self.polls:
            p.problems = _nonempty(p.problems)
        total = dict.fromkeys(COLUMNS, 0)
        total["faults"] = self.faults_so_far()
        total["polls"] = len(self.polls)
        total["failed"] = sum(not h.completed(p.run) for p in self.polls)
        for col in COLUMNS[3:]:
            total[col] = sum(len(p.problems.get(col, ())) for p in self.polls)
        total["lost"] = sum(1 for line in final if line.startswith("lost"))
        return Result({k: self.rows[k] for k in KINDS if k in self.rows} | {k: v for k, v in self.rows.items() if k not in KINDS},
                      total, self.polls, self.uidvalidities, final, time.monotonic() - started)

    def finish(self) -> list[str]:
        """No more faults: clean polls until one takes nothing, then the end-of-run invariants."""
        self.refusing.clear()
        self.proxy.refuse = set()
        for _ in range(4):
            poll = self.poll_once([], False, final=True)
            if h.completed(poll.run) and "poll: 0 new message(s)" in poll.run.stdout:
                break
        out: list[str] = []
        stored = self.stored_shas()
        lost = {d.sha for d in self.delivered} - stored
        for sha in sorted(lost):
            kinds = self.first_skip.get(sha, ["final"])
            out.append(f"lost {sha[:12]} (first skipped by a poll with: {', '.join(kinds)})")
            for k in kinds:
                self.rows[k]["lost"] += 1
        last = self.polls[-1]
        if not (h.completed(last.run) and "poll: 0 new message(s)" in last.run.stdout):
            out.append(f"the last clean poll still took mail or failed: {last.run.describe()}")
        out += [f"an open fetch failure at the end: {f}" for f in self._open_fetch_failures()]
        validity, now = self.folder_now()
        expected = Counter((d.sha, d.flags) for d in self.delivered)
        found = Counter((sha, tuple(f for f in flags if f != b"\\Recent")) for flags, sha in now.values())
        if expected != found:
            out.append(f"flags or messages differ from what was delivered: {len(expected - found)} missing, "
                       f"{len(found - expected)} unexpected")
        conn = sqlite3.connect(str(self.work.store), timeout=30)
        try:
            seen = dict(conn.execute("SELECT s.uid, m.sha256 FROM seen s LEFT JOIN messages m ON m.id = s.message_id "
                                     "WHERE s.uidvalidity = ?", [validity]).fetchall())
        finally:
            conn.close()
        unseen = sorted(u for u in now if str(u) not in seen)
        if unseen:
            out.append(f"{len(unseen)} UID(s) of the folder not marked seen: {unseen[:10]}")
        # each UID stands for the stored mail with its bytes (re-paired right after a renumbering)
        out += [f"mispaired: UID {u} ({sha[:12]}) is recorded as another mail ({seen[str(u)][:12]})"
                for u, (_, sha) in sorted(now.items()) if seen.get(str(u)) and seen[str(u)] != sha]
        return out


def _nonempty(problems: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: v for k, v in problems.items() if v}


def contract_problems(run: h.Run) -> list[str]:
    """The one-line error contract of a poll (see the module docstring)."""
    out = []
    if run.hung:
        out.append("hung (hang guard hit)")
    if run.returncode not in (0, 1, 2):
        out.append(f"exit {run.returncode}")
    if "Traceback" in run.stderr or "internal error" in run.stderr:
        out.append("a traceback or 'internal error' on stderr: " + " ".join(run.error_lines()[-1:])[:200])
    lines = run.error_lines()
    finals = [ln for ln in lines if ln.startswith("baocao:")]
    if run.returncode == 2 and (len(finals) != 1 or not lines or lines[-1] != finals[0]
                                or not finals[0].startswith("baocao: mailbox: ")):
        out.append(f"exit 2 without one last 'baocao: mailbox:' line: {lines[-1:]}")
    odd = [ln for ln in lines if not _LOG_LINE.match(ln) and not ln.startswith("baocao:")]
    if odd:
        out.append(f"{len(odd)} stderr line(s) neither a log record nor the error line: {odd[0][:160]!r}")
    for ln in finals:
        if _WRONG_CAUSE.search(ln):
            out.append(f"the line names a cause that did not happen: {ln[:200]!r}")
    return out


def print_table(result: Result, out: Callable[[str], None] = print) -> None:
    for line in h.table(result.rows, result.total, COLUMNS):
        out(line)
