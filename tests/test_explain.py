"""`baocao explain MESSAGE`: how each file was read and which figure counts, from the store."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import scheduler
from tests.mails import build, write_maildir
from tests.reportfiles import SAMPLE, filled_xlsx, pdf_report, report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_explain_names_each_file_each_figure_and_what_counts(config_path: Path, capsys) -> None:
    full = {ind.code: SAMPLE.get(ind.code, n) for n, ind in enumerate(report().indicators, 1)}
    partial = dict(full)
    partial.pop("dd_luot_tre")
    write_maildir(config_path.parent / "maildir", [build(files=[(filled_xlsx(partial), "bc.xlsx", XLSX),
                                                                (pdf_report(full), "bc.pdf", "application/pdf")])])
    assert scheduler.main(["--config", str(config_path), "--now", "2024-07-05T08:00", "poll"]) == 0
    capsys.readouterr()
    assert scheduler.main(["--config", str(config_path), "explain", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("message 1: report — about cttre")
    assert "file bc.xlsx (xlsx" in out and "file bc.pdf (pdf" in out
    assert "* tre_em_tong" in out and "bc.xlsx › " in out                      # the spreadsheet's figure counts
    assert "another file or reading of this mail counts" in out              # the PDF's same figure does not
    assert any("dd_luot_tre" in ln and "blank" in ln for ln in out.splitlines())   # a blank cell, said so
    assert scheduler.main(["--config", str(config_path), "explain", "99"]) == 2
