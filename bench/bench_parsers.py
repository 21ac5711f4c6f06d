"""Parser speed and memory: files/s and peak memory per format, openpyxl read-only vs calamine.

Run: python bench/bench_parsers.py [--big-mb 25]
Each measurement of memory runs in a fresh subprocess: the larger of the growth of ru_maxrss over
the parse (native memory: calamine, pdfium) and the tracemalloc peak (Python heap); imports and the
file's bytes are not counted. Speed is measured in this process.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import reportfiles as rf  # noqa: E402

CHILD = r"""
import resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
from tests import reportfiles as rf
from parsers import xlsx, sheet, docx, pdf
from store.records import ParsedReport
kind, path, warm = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(path, "rb").read()
report = rf.report()
def calamine(name, data, report):
    grids, problem = sheet._calamine_grids(data, name)
    out = ParsedReport(name, "xlsx")
    return sheet.finish(out, grids, report) if not problem else out
fn = {{"openpyxl": xlsx.parse, "calamine": calamine, "docx": docx.parse, "pdf": pdf.parse}}[kind]
fn(warm, open(warm, "rb").read(), report)   # warm up on a small file: imports and caches are not the cost
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t = time.perf_counter()
p = fn(path, data, report)
elapsed = time.perf_counter() - t
heap = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(max(after - before, heap // 1024), elapsed, len([v for v in p.values if v.number is not None]))
"""


def big_xlsx(path: Path, mb: int) -> None:
    """The form at the top of a sheet followed by a long data table (~`mb` MB)."""
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("BaoCao")
    for row in rf.form_rows():
        ws.append(row)
    rows = mb * 24000      # ~1 MB per 24 000 rows of 8 cells
    for i in range(rows):
        ws.append([i, f"Học sinh số {i}", "Lớp 10A", i % 7, i * 3, f"Ghi chú {i % 13}", 1.5 * i, "x"])
    wb.save(path)


def child(kind: str, path: Path, warm: Path) -> tuple[int, float, int]:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), kind, str(path), str(warm)],
                         capture_output=True, text=True, check=True)
    kb, secs, found = out.stdout.split()
    return int(kb), float(secs), int(found)


def rate(fn, data: bytes, seconds: float = 1.5) -> float:
    report = rf.report()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn("f", data, report)
        n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big-mb", type=int, default=25)
    args = ap.parse_args()
    from parsers import docx, pdf, sheet, xlsx
    from store.records import ParsedReport

    def calamine(name, data, report):
        grids, problem = sheet._calamine_grids(data, name)
        return sheet.finish(ParsedReport(name, "xlsx"), grids, report)

    tmp = Path(tempfile.mkdtemp(prefix="baocao-bench-"))
    files = {"xlsx": rf.filled_xlsx(), "docx": rf.docx_report(padding=40), "pdf": rf.pdf_report()}
    for name, data in files.items():
        (tmp / f"typical.{name}").write_bytes(data)
    print(f"{'file':<26}{'parser':<10}{'size':>10}{'files/s':>10}{'peak MB':>10}{'values':>8}")
    for name, kind, fn in (("xlsx", "openpyxl", xlsx.parse), ("xlsx", "calamine", calamine),
                           ("docx", "docx", docx.parse), ("pdf", "pdf", pdf.parse)):
        data = files[name]
        kb, _, found = child(kind, tmp / f"typical.{name}", tmp / f"typical.{name}")
        print(f"{'typical.' + name:<26}{kind:<10}{len(data) / 1024:>8.0f}KB{rate(fn, data):>10.1f}{kb / 1024:>10.1f}{found:>8}")
    big = tmp / "big.xlsx"
    t = time.perf_counter()
    big_xlsx(big, args.big_mb)
    size = big.stat().st_size
    print(f"(generated {big.name}: {size / 1e6:.1f} MB in {time.perf_counter() - t:.0f} s)")
    for kind in ("openpyxl", "calamine"):
        kb, secs, found = child(kind, big, tmp / "typical.xlsx")
        print(f"{'big.xlsx':<26}{kind:<10}{size / 1e6:>8.1f}MB{1 / secs:>10.2f}{kb / 1024:>10.1f}{found:>8}"
              f"   peak/size = {kb * 1024 / size:.1f}x")
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
