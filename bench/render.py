"""What people get on paper: the compiled workbook, the blank form and the drafted report
printed to PDF with LibreOffice headless, with the page count and the smallest printed type size
of each; and the digest's HTML as a 600 px and a 1200 px mail pane show it (headless Chromium):
whether anything is wider than the pane, how tall it is, and a screenshot of each.

    python3 bench/render.py [--soffice PATH] [--keep DIR]

The Quick start is run in a temporary copy of the tree (its Maildir, `--now 2024-07-05T08:00`),
then `digest --dry-run` writes the workbook, `template` the form of one unit and `draft-report`
the Department's report. A second store holds a whole year: all 50 units of the example have
reported both periods (tests/storefill.py), and its workbook is built as the annual digest would
(`--now 2024-12-15`). Each document is converted with `soffice --headless --convert-to pdf`; the
type size is estimated from the word boxes `pdftotext -bbox` reports (a box is about 1.16 times
the font size for the serif fonts used), per page. Page counts per sheet are read from the text
of each page. Figures, not assertions; LibreOffice and poppler-utils must be installed. Where
Times New Roman is not installed LibreOffice prints with a wider substitute (DejaVu Serif), so
the counts here are on the high side.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOX_PER_POINT = 1.164          # DejaVu Serif / Times: ascender + descender per point of size
NOW = "2024-07-05T08:00"


def soffice(explicit: str | None) -> str:
    for candidate in (explicit, shutil.which("soffice"), shutil.which("libreoffice"),
                      "/usr/lib/libreoffice/program/soffice"):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("render: LibreOffice (soffice) is not installed")


def to_pdf(office: str, document: Path) -> Path:
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(document.parent), str(document)],
                   check=True, capture_output=True, timeout=300)
    return document.with_suffix(".pdf")


def measure(pdf: Path) -> tuple[int, list[float]]:
    """(pages, smallest estimated type size per page in points)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    sizes = []
    for page in html.split("<page ")[1:]:
        boxes = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page)]
        sizes.append(round(min(boxes) / BOX_PER_POINT, 1) if boxes else 0.0)
    return len(sizes), sizes


YEAR = """
import random, sys
from pathlib import Path
from compile import workbook
from tests.storefill import add_report, at, fresh_store
cfg, db = fresh_store(Path(sys.argv[1]))
rng = random.Random(7)
inds = [i.code for i in cfg.report("cttre").indicators]
for n, unit in enumerate(cfg.units):
    for period, day in (("2024S1", "2024-06-2%d 09:00" % (n % 9)), ("2024", "2024-12-0%d 09:00" % (n % 9 + 1))):
        scale = 2 if period == "2024" else 1
        add_report(db, unit.code, day, {code: rng.randint(0, 40) * scale * (30 if code == "tre_em_tong" else 1)
                                        for code in inds}, period=period)
Path(sys.argv[2]).write_bytes(workbook.build(db, cfg, "cttre", at("2024-12-15 08:00"), "2024"))
"""


def run(tree: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-m", "scheduler", "--config", "config.example.toml", "--now", NOW, *args],
                   cwd=tree, env=env, check=True, capture_output=True, timeout=600)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--soffice")
    ap.add_argument("--keep", help="keep the documents and PDFs in this folder")
    args = ap.parse_args()
    office = soffice(args.soffice)
    with tempfile.TemporaryDirectory(prefix="baocao-render-") as tmp:
        tree = Path(tmp) / "tree"
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
        for name in files.split():
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
        run(tree, "run", "--once")
        out = Path(args.keep or Path(tmp) / "out").resolve()
        out.mkdir(parents=True, exist_ok=True)
        run(tree, "digest", "--period", "2024S1", "--dry-run", "-o", str(out))
        run(tree, "template", "--report", "cttre", "--unit", "THPT-LOCNINH", "--period", "2024S1",
            "-o", str(out / "Mau-bao-cao-THPT-LOCNINH.xlsx"))
        run(tree, "draft-report", "--report", "cttre", "--period", "2024S1", "-o", str(out / "Bao-cao-2024S1.docx"))
        subprocess.run([sys.executable, "-c", YEAR, str(Path(tmp) / "year"), str(out / "Tong-hop-nam-50-don-vi.xlsx")],
                       cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True, timeout=600)
        print(f"{'document':<44} {'pages':>5}  smallest type per page (pt)")
        for document in sorted([*out.glob("*.xlsx"), *out.glob("*.docx")]):
            pdf = to_pdf(office, document)
            pages, sizes = measure(pdf)
            print(f"{document.name:<44} {pages:>5}  {min(sizes) if sizes else 0:>4}  {sizes}")
            if document.suffix == ".xlsx":
                print(f"{'':<44} {'':>5}  pages per sheet: {sheet_pages(pdf)}")
        browser = chromium()
        if browser is None:
            print("digest HTML: not rendered (no Chromium installed)")
        for html in sorted(out.glob("digest-*.html")) if browser else []:
            for width in (600, 1200):
                w, h, shot = render_html(browser, html, width)
                verdict = "fits" if w <= width else f"WIDER than the pane by {w - width} px"
                print(f"{html.name} at {width} px: content {w} px wide ({verdict}), {h} px tall; {shot.name}")
    return 0


MEASURE_JS = ("<script>window.addEventListener('load', () => { const d = document.documentElement;"
              " document.title = 'size ' + d.scrollWidth + 'x' + d.scrollHeight; });</script>")


def chromium() -> str | None:
    return next((c for c in ("chromium", "chromium-browser", "google-chrome") if shutil.which(c)), None)


def render_html(browser: str, html: Path, width: int) -> tuple[int, int, Path]:
    """The page as a mail pane `width` px wide shows it: (content width, height) in px and a
    screenshot. Content wider than the pane means a sideways scroll (a cut chart or table)."""
    probe = html.with_name(f"{html.stem}-{width}.html")
    probe.write_text(html.read_text(encoding="utf-8").replace("</body>", MEASURE_JS + "</body>"), encoding="utf-8")
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={width},1000"]
    dom = subprocess.run([*common, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120).stdout
    m = re.search(r"<title>size (\d+)x(\d+)</title>", dom)
    w, h = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    shot = html.with_name(f"{html.stem}-{width}.png")
    subprocess.run([*common[:-1], f"--window-size={width},{max(h, 600)}", f"--screenshot={shot}", probe.as_uri()],
                   capture_output=True, timeout=120)
    return w, h, shot


def sheet_pages(pdf: Path) -> dict[str, int]:
    """Printed pages per sheet: a page starts a sheet when it carries the sheet's title line."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    counts: dict[str, int] = {}
    current = "?"
    for page in text.split("\f"):
        if not page.strip():
            continue
        for line in page.splitlines():
            words = " ".join(line.split())
            if words.startswith(("BẢNG TỔNG HỢP", "DANH SÁCH", "TÌNH HÌNH")):
                nxt = page.split(line, 1)[1].strip().splitlines()
                current = f"{words} / {' '.join(nxt[0].split()) if nxt else ''}"[:70]
                break
        counts[current] = counts.get(current, 0) + 1
    return counts


if __name__ == "__main__":
    sys.exit(main())
