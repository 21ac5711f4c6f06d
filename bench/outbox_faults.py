"""The outbox under SMTP faults: N reminders through a real aiosmtpd with faults of every kind
injected at random (seeded), then delivery runs until nothing is pending or sending.

    python3 bench/outbox_faults.py [--mails 300] [--seed 1] [--rate 0.3]

Faults, each mail drawn at most one of the per-mail kinds with probability --rate:
  drop_after_data   the server stores the mail, then closes without replying   -> uncertain
  drop_unstored     the server closes at the end of the data, not storing it    -> uncertain
  stall_after_data  the server stores it and replies after the client's timeout -> uncertain
  451_at_rcpt       a 4xx to RCPT, once                                          -> retried, sent
  550_at_rcpt       a 5xx to RCPT                                                -> failed
  crash_before_data the process dies after the claim, before the transaction   -> uncertain
  crash_after_data  the process dies after the server took the mail            -> uncertain
                    (both before the first run; the next run finds the claim stale)
and per SMTP command or run:
  421_at_mail       a 421 to a MAIL command (drawn by the command's number)      -> retried, sent
  unreachable       a whole run against a port nobody listens on                 -> all wait
  login_refused     a whole run with a login the server refuses                  -> all wait
                    (runs 2 and 3, one each, then at random from run 4 on)

Printed: faults injected by kind, the Message-IDs the server stored more than once (must be 0),
the rows by final status, uncertain rows split by whether the server has the mail, sent rows the
server does not have (must be 0) and rows that are not `sent` without an open failure row
(invisible, must be 0). Figures, not assertions.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import logging
import random
import smtplib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compile import mail, outbox  # noqa: E402
from compile.common import iso  # noqa: E402
from store import outbox as rows  # noqa: E402
from tests import smtpserver  # noqa: E402
from tests.storefill import at, fresh_store  # noqa: E402

PER_MAIL = ("drop_after_data", "drop_unstored", "stall_after_data", "451_at_rcpt", "550_at_rcpt",
            "crash_before_data", "crash_after_data")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--mails", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=float, default=0.3, help="probability that a mail gets a per-mail fault")
    ap.add_argument("--timeout", type=float, default=0.5, help="the client's SMTP timeout, seconds")
    args = ap.parse_args(argv)
    logging.disable(logging.CRITICAL)
    rng = random.Random(args.seed)
    server = smtpserver.start()
    h = server.handler
    h.stall_seconds = args.timeout * 2
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="baocao-outbox-faults-") as tmp:
            base, _ = fresh_store(Path(tmp) / "base")
            ob = base.outbox._replace(kind="smtp", host=server.host, port=server.port, tls="none",
                                      timeout=args.timeout, username="", max_attempts=8)
            cfg, db = fresh_store(Path(tmp) / "s", outbox=ob)
            now = at("2024-07-03 07:30")
            injected: collections.Counter[str] = collections.Counter()
            crashes: dict[int, str] = {}
            for i in range(args.mails):
                address = f"u{i:04d}@binhphuoc.edu.vn"
                msg = mail.build(cfg, mail.Letter(to=(address,), subject=f"[Báo cáo công tác trẻ em] Nhắc {i}",
                                                  text="Kính gửi: đơn vị\n"), now)
                row = outbox.add(db, cfg, "reminder", f"reminder:cttre:2024S1:U{i:04d}:after-1", msg, now)
                assert row is not None
                if rng.random() >= args.rate:
                    continue
                kind = rng.choice(PER_MAIL)
                injected[kind] += 1
                if kind in h.ADDRESS_FAULTS:
                    h.inject(kind, address)
                else:
                    crashes[row] = kind
            for n in rng.sample(range(1, int(args.mails * 1.2)), max(1, args.mails // 30)):
                h.mail_replies[n] = "421 4.3.2 Service shutting down"
                injected["421_at_mail"] += 1

            runs = 0
            outages = dict(zip((2, 3), rng.sample(["unreachable", "login_refused"], 2)))   # the retries wait
            while rows.any_pending(db) or db.execute("SELECT 1 FROM outbox WHERE status = 'sending'").fetchone():
                runs += 1
                if runs > 60:
                    print("gave up after 60 runs")
                    break
                if runs == 1:
                    _crash(db, cfg, server, crashes, now)
                run_cfg = cfg
                outage = outages.get(runs) or (rng.choice(["unreachable", "login_refused"])
                                               if runs > 3 and rng.random() < 0.2 else "")
                if outage == "unreachable":
                    injected["unreachable"] += 1
                    run_cfg = cfg._replace(outbox=cfg.outbox._replace(port=smtpserver.free_port()))
                elif outage == "login_refused":
                    injected["login_refused"] += 1   # AUTH against a server that offers none: refused
                    run_cfg = cfg._replace(outbox=cfg.outbox._replace(
                        username="trunghoc", password_env="BAOCAO_BENCH_NO_SUCH_PASSWORD"))
                outbox.deliver(db, run_cfg, now)
                now += dt.timedelta(hours=7)          # every backoff over, every claim stale
            outbox.deliver(db, cfg, now)              # the last stale claims become uncertain

            copies = h.copies()
            twice = {mid: n for mid, n in copies.items() if n > 1}
            status = collections.Counter(s for (s,) in db.execute("SELECT status FROM outbox"))
            by_row = db.execute("SELECT id, status, header_message_id FROM outbox").fetchall()
            uncertain_had = sum(1 for _, s, mid in by_row if s == "uncertain" and copies.get(mid))
            uncertain_not = sum(1 for _, s, mid in by_row if s == "uncertain" and not copies.get(mid))
            sent_missing = sum(1 for _, s, mid in by_row if s == "sent" and not copies.get(mid))
            invisible = db.execute(
                "SELECT COUNT(*) FROM v_outbox o WHERE o.status != 'sent' AND NOT EXISTS"
                " (SELECT 1 FROM v_failures f WHERE f.outbox_id = o.outbox_id AND f.resolved_at IS NULL)"
            ).fetchone()[0]
            in_failures_cmd = _listed_by_failures(db, [r for r, s, _ in by_row if s != "sent"])
    finally:
        server.controller.stop()

    print(f"outbox faults: {args.mails} reminders, seed {args.seed}, rate {args.rate}, "
          f"{runs} delivery runs, {time.monotonic() - started:.1f} s, "
          f"{h.connections} SMTP connections, {h.rsets} RSET")
    print("faults injected:")
    for kind in (*PER_MAIL, "421_at_mail", "unreachable", "login_refused"):
        print(f"  {kind:18} {injected[kind]:4}")
    print(f"  {'total':18} {sum(injected.values()):4}")
    print(f"mails the server stored twice for one dedupe key: {len(twice)}")
    print("rows by final status: " + ", ".join(f"{s} {n}" for s, n in sorted(status.items())))
    print(f"uncertain rows: {uncertain_had} the server has, {uncertain_not} it does not (an admin asks, "
          f"then `baocao resend`)")
    print(f"sent rows the server does not have: {sent_missing}")
    print(f"rows not sent and invisible in v_failures: {invisible}; "
          f"not listed by `baocao failures`: {in_failures_cmd}")
    return 0


def _crash(db, cfg, server, crashes: dict[int, str], now) -> None:
    """Before the first run, the crashes: the row is claimed as a run would, and the process 'dies'
    before (crash_before_data) or after (crash_after_data) the server got the mail."""
    for row_id, kind in crashes.items():
        if not rows.claim(db, row_id, iso(cfg, now)):
            continue
        if kind == "crash_after_data":
            mime, to = db.execute("SELECT mime, recipients FROM outbox WHERE id = ?", [row_id]).fetchone()
            try:   # this mail has no other fault; a 421 drawn for this MAIL means it never got there
                with smtplib.SMTP(server.host, server.port, timeout=5) as s:
                    s.sendmail(cfg.outbox.sender, [to], bytes(mime))
            except smtplib.SMTPException:
                pass


def _listed_by_failures(db, row_ids: list[int]) -> int:
    """How many of these rows `baocao failures` does not show (store.queries.failures)."""
    from store import queries
    listed = {r.get("outbox_id") for r in queries.failures(db)}
    return sum(1 for r in row_ids if r not in listed)


if __name__ == "__main__":
    sys.exit(main())
