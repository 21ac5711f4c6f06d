"""An independent acceptance-style corpus: ~250 realistic mails to the division, with ground truth.

Written as the red team: the mail the division really receives (many mail programs, personal
addresses, forwards, resends, legacy encodings, other business sharing the report words), not mail
shaped to fit the classifier. Deterministic: one seed, same bytes every run.

    python -m tests.corpus.make_corpus OUT_MAILDIR   # writes the Maildir and OUT_MAILDIR.truth.json
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.corpus.styles import STYLES, Draft, deliver

TZ = dt.timezone(dt.timedelta(hours=7))
SEED = 20240630


@dataclass(frozen=True)
class Truth:
    """What a careful human at the division would say about one Maildir file."""
    file: str                 # Maildir path relative to the folder (cur/... or new/...)
    sha256: str               # of the file's bytes: the store's archive is keyed by it
    message_id: str | None
    status: str               # report, incident, ignored, unplaced, duplicate
    unit_code: str | None     # for report / incident (and duplicate of one); None when unplaced
    period: str | None        # "2024S1" / "2024" for reports
    sender_known: int | None  # 1 when the (original) sender address is in units.csv, 0 otherwise
    trap: str
    subject: str
    received: str
    copy_of: str | None = None  # byte-identical copy of this file: the store keeps ONE message


@dataclass
class Item:
    received: dt.datetime
    raw: bytes
    status: str
    unit: str | None
    period: str | None
    known: int | None
    trap: str
    subject: str
    msgid: str | None
    copy_of: int | None = None
    unread: bool = False
    inner: bytes = b""          # the bytes before the division's MX added its headers


@dataclass
class Corpus:
    """Collects mails; the scenario modules call `mail`, `raw`, `redeliver` and `copy`."""
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    items: list[Item] = field(default_factory=list)
    _n: int = 0

    def msgid(self, domain: str = "binhphuoc.edu.vn") -> str:
        self._n += 1
        return f"<{self.rng.getrandbits(48):012x}.{self._n:04d}@{domain}>"

    def mail(self, d: Draft, style: str, received: dt.datetime, status: str, unit: str | None,
             period: str | None, known: int | None, trap: str, **style_kw: object) -> Item:
        writer = STYLES[style]
        raw = writer(d, **style_kw) if style_kw else writer(d)
        return self.raw(raw, received, status, unit, period, known, trap, d.subject, d.msgid, sender=d.addr)

    def raw(self, raw: bytes, received: dt.datetime, status: str, unit: str | None, period: str | None,
            known: int | None, trap: str, subject: str, msgid: str | None, sender: str = "",
            relay: str | None = None) -> Item:
        relay = relay or ("mail-sor-f41.google.com" if sender.endswith("gmail.com") else "webmail.binhphuoc.edu.vn")
        qid = f"4W{self.rng.getrandbits(36):09X}"
        item = Item(received, deliver(raw, received, sender, relay, qid), status, unit, period, known, trap,
                    subject, msgid, inner=raw)
        self.items.append(item)
        return item

    def redeliver(self, item: Item, later: dt.timedelta) -> Item:
        """The same mail delivered again (a second MX hop, a retry): same Message-ID, new Received."""
        when = item.received + later
        qid = f"4X{self.rng.getrandbits(36):09X}"
        again = deliver(item.inner, when, "", "mx02.binhphuoc.edu.vn", qid)
        new = Item(when, again, "duplicate", item.unit, item.period, item.known, "duplicate-" + item.trap,
                   item.subject, item.msgid, inner=item.inner)
        self.items.append(new)
        return new

    def copy(self, item: Item) -> None:
        """Byte-identical copy (a client saved it twice): the store must keep one message."""
        self.items.append(Item(item.received, item.raw, item.status, item.unit, item.period, item.known,
                               "byte-identical-" + item.trap, item.subject, item.msgid,
                               copy_of=self.items.index(item), unread=True))


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def build() -> Corpus:
    from tests.corpus import other, reports
    corpus = Corpus()
    reports.build(corpus)
    other.build(corpus)
    return corpus


def write_maildir(folder: Path) -> list[Truth]:
    """Write the corpus as a Maildir under `folder` (created); return one Truth per file."""
    corpus = build()
    folder = Path(folder)
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    order = sorted(range(len(corpus.items)), key=lambda i: (corpus.items[i].received, i))
    names: dict[int, str] = {}
    truths = []
    for seq, i in enumerate(order):
        it = corpus.items[i]
        stamp = int(it.received.timestamp())
        base = f"{stamp}.M{seq:04d}P{4000 + seq}.mx01.binhphuoc.edu.vn"
        name = f"new/{base}" if it.unread else f"cur/{base}:2,S"
        (folder / name).write_bytes(it.raw)
        names[i] = name
        truths.append((i, name, it))
    return [Truth(name, hashlib.sha256(it.raw).hexdigest(), it.msgid, it.status, it.unit, it.period, it.known,
                  it.trap, it.subject, it.received.isoformat(), names.get(it.copy_of) if it.copy_of is not None else None)
            for i, name, it in truths]


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    truths = write_maildir(out)
    Path(str(out) + ".truth.json").write_text(
        json.dumps([asdict(t) for t in truths], ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(truths)} mails in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
