"""Ingest benchmark: a private Dovecot on loopback, report-like mails (a ~20 KB xlsx and a
~60 KB PDF each), the whole pipeline (fetch, archive, record, decode, classify, parse, store).

    python bench/bench_ingest.py [--messages 2000] [--sizes 200,2000,10000]

Prints full-ingest throughput with and without attachment parsing, the in-process no-new-mail
poll at several mailbox sizes, and peak RSS of each run (each run is a fresh subprocess, so
peak memory is the run's own). Figures, not assertions: the README keeps the latest ones.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def attachments() -> tuple[bytes, bytes]:
    import openpyxl
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BaoCao"
    ws.append(["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"])
    from store.config import load
    report = load(ROOT / "config.example.toml").reports[0]
    for n, ind in enumerate(report.indicators, 1):
        ws.append([n, ind.code, ind.label, ind.unit, n * 7, ""])
    for n in range(620):  # padding rows to reach a typical ~20 KB file
        ws.append(["", "", f"Ghi chú bổ sung số {n} về công tác bảo vệ, chăm sóc trẻ em", "", "", ""])
    xbuf = io.BytesIO()
    wb.save(xbuf)
    pbuf = io.BytesIO()
    c = canvas.Canvas(pbuf, pagesize=A4)
    import random
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    rng = random.Random(7)  # a scanned stamp and signature: the bytes that make a real PDF ~60 KB
    stamp = Image.frombytes("L", (200, 200), bytes(rng.randrange(256) for _ in range(40000)))
    for page in range(3):  # a typical 3-page text report, ~45 lines of ~90 characters a page
        c.setFont("Helvetica", 11)
        for line in range(45):
            c.drawString(50, 790 - line * 16, f"Trang {page + 1} dong {line}: bao cao cong tac tre em 6 thang "
                                             f"dau nam 2024, so lieu cua don vi {line * 37}")
        if page == 2:
            c.drawImage(ImageReader(stamp), 350, 60, width=120, height=120)
        c.showPage()
    c.save()
    return xbuf.getvalue(), pbuf.getvalue()


def mails(n: int) -> list[bytes]:
    from tests.mails import build
    xlsx, pdf = attachments()
    units = ["thptlocninh", "pgdlocninh", "thptdongxoai", "pgdbudang", "thptbinhlong"]
    out = []
    for i in range(n):
        out.append(build(subject=f"Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - lần {i}",
                         sender=f"<{units[i % len(units)]}@binhphuoc.edu.vn>", message_id=f"<bench-{i}@x>",
                         files=[(xlsx, "bc.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                (pdf, "bc.pdf", "application/pdf")]))
    return out


def child(args: argparse.Namespace) -> None:
    """One measured run in this process: prints a JSON line."""
    from ingest import pipeline
    from ingest.imap import ImapSource
    from store.config import load
    from store.db import open_store
    cfg = load(args.config)
    db = open_store(cfg)
    if args.no_parse:
        pipeline._parse_one = lambda filename, data, report: []  # measure fetch+archive+record+classify only
    from ingest.sources import FetchedMessage  # noqa: F401  (import cost outside the timing)
    import datetime as dt
    now = dt.datetime.now(cfg.timezone)
    source = ImapSource(cfg.mailbox)
    started = time.perf_counter()
    result = pipeline.poll(db, cfg, now, source=source)
    first = time.perf_counter() - started
    polls = []
    for _ in range(5):  # the no-new-mail poll on a kept connection, then with a fresh one
        t = time.perf_counter()
        pipeline.poll(db, cfg, now, source=source)
        polls.append(time.perf_counter() - t)
    source.close()
    fresh = ImapSource(cfg.mailbox)
    t = time.perf_counter()
    pipeline.poll(db, cfg, now, source=fresh)
    fresh_poll = time.perf_counter() - t
    fresh.close()
    print(json.dumps({"fetched": result.fetched, "seconds": first, "kept_poll_ms": 1000 * min(polls),
                      "fresh_poll_ms": 1000 * fresh_poll,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_child(config: Path, no_parse: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", "--config", str(config)] + (["--no-parse"] if no_parse else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env={**os.environ})
    return json.loads(out.stdout.strip().splitlines()[-1])


def config_for(tmp: Path, server, folder: str) -> Path:
    from tests.conftest import write_config
    from tests.dovecot import PASSWORD_ENV
    tmp.mkdir(parents=True, exist_ok=True)
    return write_config(tmp, mailbox=(
        f'[mailbox]\nkind = "imap"\nhost = "{server.host}"\nport = {server.port}\ntls = "none"\n'
        f'username = "{server.user}"\npassword_env = "{PASSWORD_ENV}"\nfolder = "{folder}"\nbatch_size = 100'))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--parse-messages", type=int, default=300,
                    help="messages for the run with parsing (PDF parsing dominates; throughput is per message)")
    ap.add_argument("--sizes", default="200,2000,10000")
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--config")
    ap.add_argument("--no-parse", action="store_true")
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    from tests.dovecot import PASSWORD_ENV, Dovecot
    server = Dovecot.start()
    os.environ[PASSWORD_ENV] = server.password
    try:
        with tempfile.TemporaryDirectory(prefix="baocao-bench-", dir="/tmp") as tmpdir:
            tmp = Path(tmpdir)
            raws = mails(args.messages)
            size_kb = sum(map(len, raws)) / len(raws) / 1024
            print(f"{args.messages} messages of ~{size_kb:.0f} KB (~20 KB xlsx + ~60 KB PDF), Dovecot on 127.0.0.1\n")
            print("| run | messages | seconds | messages/s | no-new-mail poll, kept connection | fresh connection | peak RSS |")
            print("|---|---|---|---|---|---|---|")
            for label, no_parse in (("full ingest, with parsing", False), ("full ingest, without parsing", True)):
                folder = f"bench{int(no_parse)}"
                server.load_fast(folder, raws if no_parse else raws[:args.parse_messages])
                r = run_child(config_for(tmp / folder, server, folder), no_parse)
                print(f"| {label} | {r['fetched']} | {r['seconds']:.1f} | {r['fetched'] / r['seconds']:.1f} | "
                      f"{r['kept_poll_ms']:.1f} ms | {r['fresh_poll_ms']:.1f} ms | {r['peak_rss_mb']:.0f} MB |")
            print("\n| mailbox size | no-new-mail poll, kept connection | fresh connection (login+select+decide) | peak RSS |")
            print("|---|---|---|---|")
            small = mails(1)[0]
            for size in (int(s) for s in args.sizes.split(",")):
                folder = f"size{size}"
                server.load_fast(folder, (small.replace(b"<bench-0@x>", f"<s{size}-{i}@x>".encode()) for i in range(size)))
                r = run_child(config_for(tmp / folder, server, folder), True)
                print(f"| {size} | {r['kept_poll_ms']:.1f} ms | {r['fresh_poll_ms']:.1f} ms | {r['peak_rss_mb']:.0f} MB |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
