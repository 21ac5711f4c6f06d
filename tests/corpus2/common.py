"""Records shared by the scenario modules: ground truth, one planned mail, the build context."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from . import docs, files
from .clients import Draft
from .mime import TZ, Attachment
from .registry import U

S1, YEAR = "2024S1", "2024"
DUE = {S1: dt.date(2024, 6, 30), YEAR: dt.date(2024, 12, 10)}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Truth:
    status: str                 # report, incident, ignored, unplaced, duplicate
    unit_code: str | None
    period: str | None
    sender_known: int | None
    trap: str
    subject: str


@dataclass(frozen=True)
class Item:
    draft: Draft
    received: dt.datetime
    truth: Truth
    redeliver_after: dt.timedelta | None = None   # a second delivery: same bytes, new top Received
    copies: int = 1                                # byte-identical copies in the Maildir


@dataclass
class Ctx:
    rng: random.Random
    units: dict[str, U]
    counter: list[int] = field(default_factory=lambda: [5000])

    def n(self) -> int:
        self.counter[0] += 1
        return self.counter[0]

    def pick(self, codes: list[str] | None = None) -> U:
        return self.units[self.rng.choice(codes or sorted(self.units))]


def when(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    """A working-hours moment between two dates (inclusive)."""
    day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
    return dt.datetime(day.year, day.month, day.day, rng.randint(7, 16), rng.randint(0, 59), rng.randint(0, 59), tzinfo=TZ)


def nearest(received: dt.datetime) -> str:
    d = received.date()
    return min(DUE, key=lambda p: abs((DUE[p] - d).days))


def vi_day(t: dt.datetime) -> str:
    return f"{t.day:02d} tháng {t.month:02d} năm {t.year}"


def signature(u: U, rng) -> str:
    return f"--\nVăn thư - {u.name}\nĐT: 0271 3{rng.randint(100000, 999999)}"


def report_files(ctx: Ctx, u: U | None, period: str, t: dt.datetime, style: int) -> tuple[Attachment, ...]:
    """The attachments of a report, in one of the ways units send them."""
    rng, tag = ctx.rng, "6T" if period == S1 else "NAM"
    doc = Attachment(rng.choice([f"BC_CTTE_{tag}_2024.docx", f"BC cong tac tre em {tag} 2024.docx",
                                 f"Báo cáo CTTE {docs.LABEL[period]}.docx", "Bao cao tre em.docx"]),
                     docs.report_docx(u, period, rng, vi_day(t)), DOCX)
    pdf = Attachment(rng.choice(["Bao cao tre em.pdf", f"BC CTTE {tag} 2024 (ky).pdf"]),
                     docs.report_pdf(u, period, rng, vi_day(t)), "application/pdf")
    scan = Attachment(rng.choice(["scan0001.pdf", "SCAN_20240625_0001.pdf", "IMG_0012.pdf"]),
                      files.scanned_pdf(), "application/pdf")
    sheet = Attachment(rng.choice(["Mau bieu.xlsx", "Phu luc so lieu.xlsx", f"Biểu số liệu CTTE {tag}.xlsx"]),
                       docs.report_xlsx(u, period, rng), XLSX)
    name = u.ascii_short().replace(" ", "_") if u else "DonVi"
    bundle = Attachment(f"{name}_BC_CTTE_{tag}.zip", files.zip_of([(doc.name, doc.data), (pdf.name, pdf.data)]),
                        "application/zip")
    sets = [(doc,), (pdf,), (doc, scan), (doc, sheet), (bundle,), (sheet,), (scan,), (doc, pdf, sheet)]
    return sets[style % len(sets)]
