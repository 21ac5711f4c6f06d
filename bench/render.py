"""What people get on paper: the Quick start's compiled workbook and blank form printed to PDF
with LibreOffice headless, with the page count and the smallest printed type size of each.

    python3 bench/render.py [--soffice PATH] [--keep DIR]

The Quick start is run in a temporary copy of the tree (its Maildir, `--now 2024-07-05T08:00`),
then `digest --dry-run` writes the workbook and `template` the form of one unit. Each is
converted with `soffice --headless --convert-to pdf`; the type size is estimated from the word
boxes `pdftotext -bbox` reports (a box is about 1.16 times the font size for the serif fonts
used), per page. Figures, not assertions; LibreOffice and poppler-utils must be installed.
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
        print(f"{'document':<44} {'pages':>5}  smallest type per page (pt)")
        for document in sorted(out.glob("*.xlsx")):
            pages, sizes = measure(to_pdf(office, document))
            print(f"{document.name:<44} {pages:>5}  {min(sizes) if sizes else 0:>4}  {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
