"""The third acceptance corpus: ~120 mails to the division's mailbox with the truth for each.

`cases()` lists every message with what a careful person would decide about it; `write_maildir`
puts them in a Maildir (deterministic file names and bytes). Run as a script to write one:
`python -m tests.corpus3.make_corpus OUT_DIR`.
"""
from __future__ import annotations

import csv
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.corpus3 import mailkit

HERE = Path(__file__).resolve().parent
UNITS_CSV = HERE / "units.csv"


@dataclass(frozen=True)
class Case:
    """One message and its truth. `unit`/`period`/`known` matter only where the status needs them."""
    trap: str
    mail: mailkit.Mail
    status: str
    unit: str | None = None
    period: str | None = None
    known: int | None = None
    mangle: Callable[[bytes], bytes] | None = None
    copies: int = 1              # byte-identical copies put in the Maildir


@dataclass(frozen=True)
class Built:
    trap: str
    raw: bytes
    sha: str
    subject: str
    status: str
    unit: str | None
    period: str | None
    known: int | None
    copies: int


def unit_names() -> dict[str, str]:
    with UNITS_CSV.open(encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


def unit_email(code: str) -> str:
    with UNITS_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["code"] == code:
                return row["emails"].split(";")[0]
    raise KeyError(code)


def cases() -> list[Case]:
    from tests.corpus3 import cases_other, cases_reports
    return [*cases_reports.cases(), *cases_other.cases()]


def build_all() -> list[Built]:
    out = []
    for n, case in enumerate(cases(), start=1):
        raw = mailkit.build(case.mail, n)
        if case.mangle:
            raw = case.mangle(raw)
        out.append(Built(case.trap, raw, hashlib.sha256(raw).hexdigest(), case.mail.subject, case.status,
                         case.unit, case.period, case.known, case.copies))
    return out


def write_maildir(folder: Path, built: list[Built]) -> list[Path]:
    """Every message (and its byte-identical copies) as a file in `folder/new`."""
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    paths = []
    for n, item in enumerate(built, start=1):
        for c in range(item.copies):
            path = folder / "new" / f"17{n:08d}.C3M{n}P{c}.corpus3"
            path.write_bytes(item.raw)
            paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus3-maildir")
    items = build_all()
    write_maildir(target, items)
    print(f"{len(items)} messages written to {target}")
