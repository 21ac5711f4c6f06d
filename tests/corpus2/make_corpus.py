"""Build the second corpus: ~200 raw mails with their ground truth, deterministic for a seed.

    python -m tests.corpus2.make_corpus OUT_DIR      # writes OUT_DIR/maildir and OUT_DIR/truth.csv

Each `Mail` is one file of the Maildir. Byte-identical copies share one truth record (they are
one message); a second delivery differs only in its topmost Received header and is a duplicate.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from . import incidents, noise, personal, registry, reports, resends
from .clients import compose, message_id
from .common import Ctx, Item, Truth

SEED = 20240630
FAMILIES = [reports.regular, reports.special, personal.personal, personal.forwards, personal.reminder_replies,
            resends.body_only, resends.corrections, resends.redelivered, incidents.incidents, incidents.unplaced,
            noise.unit_other, noise.outside, noise.auto_replies, noise.bounces]


@dataclass(frozen=True)
class Mail:
    name: str            # Maildir file name (sorts by delivery time)
    raw: bytes
    delivered: dt.datetime
    truth: Truth

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def _items(seed: int) -> list[Item]:
    ctx = Ctx(random.Random(seed), registry.load())
    return [item for family in FAMILIES for item in family(ctx)]


def _mails(item: Item, n: int) -> list[tuple[bytes, dt.datetime, Truth]]:
    raw = compose(item.draft, item.received, n).encode("utf-8")
    out = [(raw, item.received, item.truth)] * item.copies
    if item.redeliver_after:
        later = item.received + item.redeliver_after
        again = compose(item.draft, item.received, n, delivered=later,
                        msgid=message_id(item.draft.client, n, item.draft.sender_addr)).encode("utf-8")
        out.append((again, later, replace(item.truth, status="duplicate", trap="redelivered/second")))
    return out


def build(seed: int = SEED) -> list[Mail]:
    """Every Maildir file, in delivery order, named so that a directory listing keeps that order."""
    rows = [m for n, item in enumerate(_items(seed), start=1) for m in _mails(item, n)]
    rows.sort(key=lambda r: r[1])
    return [Mail(f"{int(when.timestamp())}.M{i:04d}P{seed % 1000}.mx01:2,", raw, when, truth)
            for i, (raw, when, truth) in enumerate(rows)]


def truths(mails: list[Mail]) -> dict[str, Truth]:
    """Ground truth per distinct message (sha256 of the raw bytes)."""
    return {m.sha256: m.truth for m in mails}


def write_maildir(folder: Path, mails: list[Mail]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for m in mails:
        (folder / "cur" / m.name).write_bytes(m.raw)
    return folder


def write_truth(path: Path, mails: list[Mail]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sha256", "file", "status", "unit_code", "period", "sender_known", "trap", "subject"])
        seen = set()
        for m in mails:
            if m.sha256 not in seen:
                seen.add(m.sha256)
                t = m.truth
                w.writerow([m.sha256, m.name, t.status, t.unit_code or "", t.period or "",
                            "" if t.sender_known is None else t.sender_known, t.trap, t.subject])


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "corpus2-out")
    mails = build()
    write_maildir(out / "maildir", mails)
    write_truth(out / "truth.csv", mails)
    print(f"{len(mails)} files, {len(truths(mails))} messages -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
