"""Hostile-intake score: does any mail stop the poll, or slip through unrecorded?

    python3 bench/hostile.py [--tree PATH] [--realistic 100] [--whole-timeout 300] [--trap-timeout 60]
                             [--jobs 2] [--only NAME ...] [--skip-whole] [--skip-traps] [--keep DIR]

The corpus is tests/hostile/generator.py of the checkout this file lives in (realistic mails and
every trap); the code under test is the `--tree` checkout (default: this one), run only through its
command line, `scheduler.py --config CFG --now 2024-07-05T08:00 poll`, from its root.

(a) The whole mixed Maildir through one poll (wall timeout): exit code, traceback or not, Maildir
    files recorded in v_messages, then a second poll: nothing new, the Maildir unchanged (names and
    sha256 of every file before and after).
(b) Each trap alone in its own Maildir and store (timeout each, `--jobs` polls at once): recorded
    or not, status, v_failures rows, exit code, traceback, seconds.

Figures, not assertions (tests/test_hostile_intake.py asserts).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile import (CONTRACT_STATUSES, message_count, run_poll, sha256, snapshot,  # noqa: E402
                           stored, write_config)
from tests.hostile import generator  # noqa: E402


def whole_mailbox(tree: Path, folder: Path, pairs: list[tuple[str, bytes]], timeout: float) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    names = generator.write_maildir(folder / "maildir", pairs)
    config = write_config(tree, folder)
    before = snapshot(folder / "maildir")
    first = run_poll(tree, config, timeout)
    rows1 = stored(config)
    count1 = message_count(config)
    after1 = snapshot(folder / "maildir")
    second = run_poll(tree, config, timeout)
    rows2 = stored(config)
    count2 = message_count(config)
    after2 = snapshot(folder / "maildir")
    by_name = dict(pairs)
    shas = {fname: sha256(by_name[name]) for fname, name in names.items()}
    recorded = {f for f, s in shas.items() if s in rows1}
    return {"files": len(names), "recorded": len(recorded), "rows": count1,
            "settled": sum(1 for s in shas.values() if s in rows1 and rows1[s][0].status in CONTRACT_STATUSES),
            "missing": sorted(names[f] for f in names if f not in recorded),
            "first_missing": next((names[f] for f in sorted(names) if f not in recorded), None), "first": first,
            "second": second, "new_rows_second": count2 - count1,
            "second_zero_new": "0 new message(s)" in second.stdout,
            "unchanged": before == after1 == after2, "rows_after_second": len(rows2)}


def one_trap(tree: Path, base: Path, name: str, raw: bytes, timeout: float) -> dict:
    folder = base / name
    folder.mkdir(parents=True)
    generator.write_maildir(folder / "maildir", [(name, raw)])
    config = write_config(tree, folder)
    run = run_poll(tree, config, timeout)
    try:
        rows = stored(config).get(sha256(raw), [])
    except Exception as exc:  # a store the poll left unreadable is a finding, not a bench crash
        rows = []
        run.stderr += f"\n(bench: store unreadable: {exc})"
    row = rows[0] if rows else None
    return {"name": name, "recorded": row is not None, "status": row.status if row else "-",
            "failures": len(row.failures) if row else 0, "run": run}


def _fmt_rc(run) -> str:  # type: ignore[no-untyped-def]
    return "TIMEOUT" if run.timed_out else str(run.rc)


def print_traps(results: list[dict]) -> None:
    header = ["trap", "recorded", "status", "fail rows", "rc", "traceback", "seconds", "last stderr line"]
    rows = [[r["name"], "yes" if r["recorded"] else "NO", r["status"], str(r["failures"]), _fmt_rc(r["run"]),
             "yes" if r["run"].traceback else "no", f"{r['run'].seconds:.1f}", r["run"].last_error[:70]]
            for r in results]
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    print(line(header))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, default=ROOT, help="the baocao checkout to run (default: this one)")
    ap.add_argument("--realistic", type=int, default=100, help="realistic mails mixed with the traps")
    ap.add_argument("--whole-timeout", type=float, default=300.0)
    ap.add_argument("--trap-timeout", type=float, default=60.0)
    ap.add_argument("--jobs", type=int, default=2, help="trap polls at once (each may use a parser worker)")
    ap.add_argument("--only", nargs="*", help="only these traps (part b)")
    ap.add_argument("--skip-whole", action="store_true")
    ap.add_argument("--skip-traps", action="store_true")
    ap.add_argument("--keep", type=Path, help="work here and keep it (default: a temp folder, removed)")
    args = ap.parse_args(argv)
    tree = args.tree.resolve()
    if not (tree / "scheduler.py").exists():
        ap.error(f"--tree {tree}: no scheduler.py")
    work = args.keep or Path(tempfile.mkdtemp(prefix="baocao-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    traps = generator.traps()
    if args.only:
        wanted = set(args.only)
        unknown = wanted - {n for n, _ in traps}
        if unknown:
            ap.error(f"--only: no such trap {sorted(unknown)}")
        traps = [(n, b) for n, b in traps if n in wanted]
    print(f"tree: {tree}\ncorpus: {len(traps)} traps, {args.realistic} realistic mails "
          f"(generated in {time.monotonic() - started:.1f} s)\n")
    summary = []
    try:
        if not args.skip_traps:
            print(f"(b) each trap alone, timeout {args.trap_timeout:.0f} s, {args.jobs} at once")
            base = work / "alone"
            with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
                results = list(pool.map(lambda p: one_trap(tree, base, p[0], p[1], args.trap_timeout), traps))
            print_traps(results)
            rec = sum(r["recorded"] for r in results)
            settled = sum(r["status"] in CONTRACT_STATUSES for r in results)
            clean = sum(not r["run"].timed_out and r["run"].rc in (0, 1) and not r["run"].traceback for r in results)
            print(f"\ntraps alone: recorded {rec}/{len(results)}, with a contract status {settled}/{len(results)}, "
                  f"clean exit (0/1, no traceback, no timeout) {clean}/{len(results)}, "
                  f"timeouts {sum(r['run'].timed_out for r in results)}\n")
            summary.append(f"traps recorded: {rec}/{len(results)}")
        if not args.skip_whole:
            pairs = generator.realistic(args.realistic) + traps
            import random
            random.Random(generator.SEED + 99).shuffle(pairs)
            print(f"(a) the whole mixed Maildir ({len(pairs)} files), timeout {args.whole_timeout:.0f} s per poll")
            w = whole_mailbox(tree, work / "whole", pairs, args.whole_timeout)
            f, s = w["first"], w["second"]
            print(f"first poll: rc {_fmt_rc(f)}, traceback {'yes' if f.traceback else 'no'}, "
                  f"internal error {'yes' if f.internal_error else 'no'}, {f.seconds:.1f} s")
            print(f"  stdout: {f.stdout.strip().splitlines()[0] if f.stdout.strip() else '(none)'}")
            if f.last_error:
                print(f"  last stderr line: {f.last_error[:200]}")
            print(f"  Maildir files recorded in v_messages: {w['recorded']}/{w['files']} "
                  f"(with a contract status: {w['settled']}; v_messages rows: {w['rows']})")
            if w["missing"]:
                shown = ", ".join(w["missing"][:12]) + (" …" if len(w["missing"]) > 12 else "")
                print(f"  not recorded ({len(w['missing'])}): {shown}")
                print(f"  first file not recorded, in Maildir (arrival) order: {w['first_missing']}")
            print(f"second poll: rc {_fmt_rc(s)}, traceback {'yes' if s.traceback else 'no'}, {s.seconds:.1f} s, "
                  f"new rows {w['new_rows_second']}, prints '0 new': {'yes' if w['second_zero_new'] else 'no'}")
            print(f"  stdout: {s.stdout.strip().splitlines()[0] if s.stdout.strip() else '(none)'}")
            print(f"Maildir unchanged (names and sha256) across both polls: {'yes' if w['unchanged'] else 'NO'}\n")
            summary.append(f"whole mailbox: {w['recorded']}/{w['files']} recorded")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print("; ".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
