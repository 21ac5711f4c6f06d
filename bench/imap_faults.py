"""The IMAP fault run: `baocao poll` over a private Dovecot through a fault-injecting proxy, with new
mail between polls, Dovecot restarted during polls and real UIDVALIDITY changes, then clean polls.

    python3 bench/imap_faults.py --faults 200 --mails 300 --seed 1 [--tree /path/to/checkout]

The faults, the columns and the contract are those of tests/faults/imap_harness.py (its
docstring). Needs root and dovecot-imapd (the private Dovecot of tests/dovecot.py). Figures, not
assertions: exit 0 unless the harness itself fails; the details of every poll with a problem go
to the --details file.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.dovecot import Dovecot, available  # noqa: E402
from tests.faults import harness as h  # noqa: E402
from tests.faults import imap_harness as ih  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--faults", type=int, default=200, help="IMAP faults to inject (default 200)")
    ap.add_argument("--mails", type=int, default=300, help="mails delivered over the run (default 300)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--renumberings", type=int, help="UIDVALIDITY changes (default: faults / 40, at least 4)")
    ap.add_argument("--tree", help="the checkout to test (default: BAOCAO_TREE, else this repository)")
    ap.add_argument("--workdir", help="where the run's store and logs go (default: a new temp folder, "
                                      "removed when nothing went wrong)")
    ap.add_argument("--details", help="file for the problems found (default: in the workdir)")
    args = ap.parse_args(argv)
    why = available()
    if why:
        print(f"imap_faults: {why}", file=sys.stderr)
        return 2
    tree = h.tree_path(args.tree)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="baocao-imap-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    details = Path(args.details or work / "details.txt")
    print(f"imap_faults: tree {tree}, seed {args.seed}, {args.faults} faults, {args.mails} mails, work {work}",
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so the private Dovecot is stopped
    server = Dovecot.start()
    started = time.monotonic()
    try:
        bench = ih.ImapFaults(work / "run", server, faults=args.faults, mails_n=args.mails, seed=args.seed,
                              tree=tree, renumberings=args.renumberings, log=lambda s: print(s, flush=True))
        try:
            result = bench.run()
        finally:
            bench.proxy.close()
    finally:
        server.stop()
    with open(details, "w", encoding="utf-8") as out:
        for p in result.bad_polls():
            out.write(f"poll {p.n} ({', '.join(p.kinds) or 'clean'}): {dict(p.problems)}\n  {p.run.describe()}\n\n")
        for line in result.final:
            out.write(line + "\n")
    print()
    ih.print_table(result)
    t = result.total
    bad = len(result.bad_polls()) + len(result.final)
    print(f"\nUIDVALIDITY: {' -> '.join(map(str, result.uidvalidities))} ({len(result.uidvalidities) - 1} changes)")
    for line in result.final[:20]:
        print(f"at the end: {line}")
    print(f"\nsummary: {'PASS' if bad == 0 else 'FAIL'}: {t['faults']} faults in {t['polls']} polls "
          f"({t['failed']} failed in one line), {len(bench.delivered)} mails delivered: {t['lost']} lost, "
          f"{t['twice']} recorded twice, {t['skipped']} skipped, {t['flags']} flags changed, "
          f"{t['invisible']} invisible failures, {t['contract']} contract breaches; "
          f"{time.monotonic() - started:.0f} s ({details})")
    if not args.workdir and bad == 0:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
