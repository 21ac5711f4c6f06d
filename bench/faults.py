"""The long fault run: kill -9 by time and at code points over `poll` and `run --once`, plus the
disk and store faults, each followed by the invariants of tests/faults/harness.py.

    python3 bench/faults.py --trials 200 --seed 1 [--tree /path/to/checkout] [--disk-rounds 1]

The kill trials are dealt round-robin over (poll, run --once) x (by time, at a code point); the
code points rotate through those of `harness.KILL_POINTS`, each with a seeded N and side
(before / after the call), and each point has its row: 200 trials kill every point of each
command at least 6 times. The disk and store faults (a full archive disk two ways, a read-only
store, a store locked ~1 s and for the whole poll) run `--disk-rounds` times each; those that
need `mount` are skipped, and said so, where mounting is refused.

Columns, per kind of trial:
  trials      trials run                    kills       runs that died of SIGKILL
  recovered   trials where a later run completed (exit 0/1)
  lost        Maildir mails (or Message-IDs) not in `messages` after recovery
  incidents   incident mails not in the case a clean run gives them (a lost or split case)
  duplicated  extra rows, a Message-ID counted twice, extra outbox mails
  invisible   failed messages with no v_failures row + Maildir mails not in v_messages
  leftover    processes alive in a run's group 10 s after its leader died
  integrity   trials whose `PRAGMA integrity_check` was not ok (or the store unreadable)
  other       trials with any other violation: temp / stray / partial archive files, rows
              never processed, an outcome that differs from a clean run, the Maildir touched
  contract    (disk/store) breaches of the one-line error contract: exit code, lines, traceback
  quarantined (not a violation) messages visibly failed where a clean run succeeds, e.g. after
              repeated kills in the same message; their trial's outbox/incident comparison is skipped

Figures, not assertions (exit 0 unless the harness itself fails); the details of each bad trial
go to the --details file, and the folders of the first bad trials are kept for inspection.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults import harness as h  # noqa: E402

COLUMNS = ("trials", "kills", "recovered", "lost", "incidents", "duplicated", "invisible", "leftover", "integrity",
           "other", "contract", "quarantined")
OTHER = ("unprocessed", "archive", "temp_files", "maildir", "diverged")


def tally(row: dict[str, int], c: h.Check) -> bool:
    row["lost"] += len(c.lost)
    row["incidents"] += sum("not in its incident" in d for d in c.diverged)
    row["duplicated"] += len(c.duplicated)
    row["invisible"] += len(c.invisible)
    row["leftover"] += len(c.leftover)
    row["integrity"] += bool(c.integrity)
    row["other"] += any(getattr(c, k) for k in OTHER)
    row["quarantined"] += len(c.quarantined)
    return not c.ok()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=200, help="kill trials (default 200)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tree", help="the checkout to test (default: BAOCAO_TREE, else this repository)")
    ap.add_argument("--disk-rounds", type=int, default=1, help="rounds of the disk/store faults (0: none)")
    ap.add_argument("--max-kills", type=int, default=3, help="kills in a row per time trial (1..N)")
    ap.add_argument("--workdir", help="where the trials run (default: a new temp folder)")
    ap.add_argument("--keep", type=int, default=10, help="folders of bad trials to keep (default 10)")
    ap.add_argument("--details", help="file for the descriptions of bad trials (default: in the workdir)")
    args = ap.parse_args(argv)

    tree = h.tree_path(args.tree)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="baocao-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    details = Path(args.details or work / "details.txt")
    started = time.monotonic()
    print(f"faults: tree {tree}, seed {args.seed}, {args.trials} kill trial(s), disk rounds {args.disk_rounds}, "
          f"work {work}", flush=True)

    bases = {cmd: h.baseline(work / f"baseline-{cmd}", cmd, tree) for cmd in h.COMMANDS}
    for cmd, b in bases.items():
        points = ", ".join(f"{p.split(':', 1)[1]} {n if n is not None else 'NOT FOUND'}" for p, n in b.counts.items())
        print(f"baseline {cmd}: {b.seconds:.1f} s, {len(b.status)} messages; calls: {points}", flush=True)
        shutil.rmtree(work / f"baseline-{cmd}", ignore_errors=True)

    rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    kept = 0
    bad_total = 0
    with open(details, "w", encoding="utf-8") as out:
        def record(label: str, bad: bool, text: str, folder: Path) -> None:
            nonlocal kept, bad_total
            if bad:
                bad_total += 1
                out.write(text + "\n\n")
                out.flush()
                if kept < args.keep:
                    kept += 1
                    return
            shutil.rmtree(folder, ignore_errors=True)

        combos = [("poll", "time"), ("run", "time"), ("poll", "point"), ("run", "point")]
        point_turn: dict[str, int] = defaultdict(int)
        for i in range(args.trials):
            command, style = combos[i % len(combos)]
            seed = args.seed * 100_000 + i
            folder = work / f"trial-{i:04d}"
            if style == "time":
                trial = h.time_kill_trial(folder, command, bases[command], seed, tree, max_kills=args.max_kills)
                label = f"{'run --once' if command == 'run' else command} / kill by time"
            else:
                usable = [p for p in h.KILL_POINTS if bases[command].counts.get(p)]
                if not usable:
                    print(f"trial {i}: no kill point can be armed in `{command}`", flush=True)
                    continue
                point = usable[point_turn[command] % len(usable)]
                point_turn[command] += 1
                trial = h.point_kill_trial(folder, command, bases[command], point, seed, tree)
                label = f"{'run --once' if command == 'run' else command} / kill at {point.split(':', 1)[1]}"
            row = rows[label]
            row["trials"] += 1
            row["kills"] += trial.kills
            row["recovered"] += trial.recovered
            bad = tally(row, trial.check) or not trial.recovered
            if trial.check.quarantined and not bad:
                out.write("(not a violation) " + trial.describe() + "\n\n")
            record(label, bad, trial.describe(), folder)
            if (i + 1) % 10 == 0 or i + 1 == args.trials:
                print(f"  {i + 1}/{args.trials} kill trials, {bad_total} bad, {time.monotonic() - started:.0f} s",
                      flush=True)

        why_not = h.mount_permitted(work) if args.disk_rounds else ""
        for rnd in range(args.disk_rounds):
            for name in h.DISK_SCENARIOS:
                label = name
                if why_not and not name.startswith("store locked"):
                    rows[label]  # a row that says 0 trials
                    continue
                folder = work / f"disk-{rnd}-{name.replace(' ', '_').replace('(', '').replace(')', '')}"
                try:
                    sc = h.disk_scenario(name, folder, bases["poll"], tree)
                except Exception as exc:  # a setup failure is a figure too
                    rows[label]["trials"] += 1
                    rows[label]["contract"] += 1
                    record(label, True, f"{name}: setup failed: {type(exc).__name__}: {exc}", folder)
                    continue
                row = rows[label]
                row["trials"] += 1
                row["recovered"] += sc.recovered
                row["contract"] += len(sc.contract)
                both = h.Check(**{k: getattr(sc.during, k) + getattr(sc.check, k)
                                  for k in (*h.Check.KINDS, "quarantined")})
                bad = tally(row, both)  # one trial counts once, whether under the fault or after it
                record(label, bool(sc.contract) or bad or not sc.recovered, sc.describe(), folder)
            print(f"  disk/store round {rnd + 1}/{args.disk_rounds} done, {time.monotonic() - started:.0f} s",
                  flush=True)

    total = dict.fromkeys(COLUMNS, 0)
    for row in rows.values():
        for k in COLUMNS:
            total[k] += row[k]
    print()
    print("\n".join(h.table(rows, total, COLUMNS, min_width=24)))
    if why_not:
        print(f"(disk faults skipped: {why_not})")
    verdict = "PASS" if bad_total == 0 else "FAIL"
    print(f"\nsummary: {verdict}: {total['trials']} trials, {total['kills']} kills, {total['recovered']} recovered, "
          f"{total['lost']} lost, {total['duplicated']} duplicated, {total['invisible']} invisible, "
          f"{total['leftover']} leftover processes, {total['integrity']} integrity failures, {bad_total} bad "
          f"trial(s) ({details}), in {time.monotonic() - started:.0f} s, tree {tree}")
    if not args.workdir and kept == 0:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
