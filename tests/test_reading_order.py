"""Only the work that decides something: a mail's files are read in order of their worth as a
source, a later file whose figures could not change what `v_values` shows is read for its
evidence only, and a scan is OCR'd only when no file gave a figure (`parsers.depth`).

Each test compares with the whole reading (`reprocess --ocr`), so "less work" can never mean
"other values"."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from ingest import pipeline, recording
from tests.mails import build, write_maildir
from tests.reportfiles import SAMPLE, filled_xlsx, pdf_report, report

NOW = dt.datetime(2024, 7, 5, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def every_figure() -> dict[str, object]:
    return {ind.code: SAMPLE.get(ind.code, n) for n, ind in enumerate(report().indicators, 1)}


def scan_pdf() -> bytes:
    """A signed scan: one page that is a picture, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    img = Image.new("L", (800, 400), 255)
    ImageDraw.Draw(img).text((40, 40), "BAO CAO - Tong so tre em: 3250", fill=0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(img), 40, 400, width=500, height=250)
    c.showPage()
    c.save()
    return buf.getvalue()


def poll_one(cfg, db, files) -> tuple[int, dict[str, str], dict[str, object]]:
    write_maildir(Path(cfg.mailbox.path), [build(subject="Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                                                 files=files)])
    assert pipeline.poll(db, cfg, NOW).fetched == 1
    (mid,) = [r["message_id"] for r in db.query("SELECT message_id FROM v_messages")]
    return mid, notes(db, mid), values(db)


def notes(db, mid: int) -> dict[str, str]:
    return {r["filename"]: r["notes"] or "" for r in db.query(
        "SELECT filename, notes FROM attachments WHERE message_id = ?", [mid])}


def values(db) -> dict[str, object]:
    return {r["indicator"]: (r["value"], r["raw"], r["source"]) for r in db.query(
        "SELECT indicator, value, raw, source FROM v_values")}


def test_a_pdf_beside_a_full_spreadsheet_is_read_for_its_evidence_only(cfg, db) -> None:
    mid, read, shown = poll_one(cfg, db, [(pdf_report(every_figure()), "bc.pdf", "application/pdf"),
                                          (filled_xlsx(every_figure()), "bc.xlsx", XLSX)])
    assert "figures not read: bc.xlsx gave every figure of the form" in read["bc.pdf"]
    assert len(shown) == len(report().indicators) and all(".xlsx" in s for _, _, s in shown.values())
    text = db.execute("SELECT text FROM attachments WHERE filename = 'bc.pdf'").fetchone()[0]
    assert "trẻ em" in text                         # its text is still there, for search and evidence
    assert recording.process(db, cfg, mid, NOW, retry=True, read_all=True) == "report"
    assert values(db) == shown                      # the whole reading shows the same values
    assert "figures not read" not in notes(db, mid)["bc.pdf"]


def test_a_pdf_is_read_whole_when_the_spreadsheet_leaves_a_figure_out(cfg, db) -> None:
    partial = every_figure()
    partial.pop("tre_em_tong")
    _, read, shown = poll_one(cfg, db, [(filled_xlsx(partial), "bc.xlsx", XLSX),
                                        (pdf_report(every_figure()), "bc.pdf", "application/pdf")])
    assert "figures not read" not in read["bc.pdf"]
    from_pdf = db.execute('SELECT COUNT(*) FROM "values" v JOIN attachments a ON a.id = v.attachment_id '
                          "WHERE a.filename = 'bc.pdf'").fetchone()[0]
    assert from_pdf >= len(report().indicators) - 1


def test_a_signed_scan_beside_the_soft_file_is_not_ocrd_until_asked(cfg, db) -> None:
    mid, read, shown = poll_one(cfg, db, [(scan_pdf(), "scan.pdf", "application/pdf"),
                                          (filled_xlsx(every_figure()), "bc.xlsx", XLSX)])
    assert "not read by OCR" in read["scan.pdf"] and "reprocess" in read["scan.pdf"]
    assert not db.execute("SELECT COUNT(*) FROM v_failures WHERE resolved_at IS NULL").fetchone()[0]
    recording.process(db, cfg, mid, NOW, retry=True, read_all=True)
    assert "not read by OCR" not in notes(db, mid)["scan.pdf"]
    assert values(db) == shown


def test_a_scan_alone_is_ocrd(cfg, db) -> None:
    _, read, _ = poll_one(cfg, db, [(scan_pdf(), "scan.pdf", "application/pdf")])
    assert "not read by OCR" not in read["scan.pdf"]
    said = read["scan.pdf"] + " ".join(r[0] + r[1] for r in db.execute("SELECT reason, detail FROM v_failures"))
    assert "read by OCR" in said or "OCR read nothing" in said or "no OCR" in said
