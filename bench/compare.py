"""One benchmark, side by side, in one run: baocao's intake beside mbsync and getmail6 on the same
private Dovecot and the same mailboxes, with the ratios.

    python3 bench/compare.py [--sizes 200,2000,10000] [--parse 300] [--mix 200] [--polls 5]

For each mailbox size (report-like mails of ~100 KB: a ~20 KB xlsx form and a 3-page text PDF):
  - baocao fetch + archive (fsync) + record (`pipeline.take`, the first step of every poll);
  - mbsync (Debian `isync`, fsync per message) pulling the folder into a Maildir;
  - getmail6 retrieving the folder into a Maildir (`read_all`, nothing deleted);
  - the no-new-mail poll: in-process on a kept connection (median of `--polls` ×4), and as a
    whole `baocao poll` process beside a bare IMAPClient process doing login + STATUS.
Then baocao with parsing (`--parse` mails of the same kind), and a realistic mix (`--mix` mails:
soft files — xlsx or docx — with the signed 2-page scan beside them, and plain mail), and the
per-format parser table of `bench/bench_parsers.py`.

Peak RSS: "main" is the measured process's own (wait4's ru_maxrss); "workers" is the largest sum
over baocao's worker processes, sampled every 50 ms (psutil). Figures, not assertions; the
README keeps the latest ones, with the machine they were measured on.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNITS = ["thptlocninh", "pgdlocninh", "thptdongxoai", "pgdbudang", "thptbinhlong"]


# ---------------------------------------------------------------- the mail

def report_files() -> tuple[bytes, bytes]:
    """The bench's report: a ~20 KB xlsx of the form (every figure filled) and a 3-page text PDF."""
    import openpyxl
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    from PIL import Image
    from store.config import load
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BaoCao"
    ws.append(["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"])
    report = load(ROOT / "config.example.toml").reports[0]
    for n, ind in enumerate(report.indicators, 1):
        ws.append([n, ind.code, ind.label, ind.unit, n * 7, ""])
    for n in range(620):  # padding rows to reach a typical ~20 KB file
        ws.append(["", "", f"Ghi chú bổ sung số {n} về công tác bảo vệ, chăm sóc trẻ em", "", "", ""])
    xbuf = io.BytesIO()
    wb.save(xbuf)
    pbuf = io.BytesIO()
    c = canvas.Canvas(pbuf, pagesize=A4)
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


def signed_scan(pages: int = 2) -> bytes:
    """What units attach beside the soft file: the printed, signed and stamped report, scanned
    (pictures only, no text layer), ~150 DPI greyscale."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    rng = random.Random(11)
    for page in range(pages):
        img = Image.new("L", (1240, 1754), 250)
        draw = ImageDraw.Draw(img)
        for line in range(40):
            draw.text((100, 120 + line * 38), f"BAO CAO trang {page + 1} dong {line}: so lieu {rng.randrange(9999)}",
                      fill=20)
        jpeg = io.BytesIO()
        img.save(jpeg, "JPEG", quality=60)
        c.drawImage(ImageReader(io.BytesIO(jpeg.getvalue())), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


def report_mails(n: int) -> list[bytes]:
    from tests.mails import build
    xlsx, pdf = report_files()
    # each mail's PDF differs by a comment after %%EOF: the same files sent again would be duplicates
    return [build(subject=f"Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - lần {i}",
                  sender=f"<{UNITS[i % len(UNITS)]}@binhphuoc.edu.vn>", message_id=f"<bench-{i}@x>",
                  files=[(xlsx, "bc.xlsx", XLSX), (pdf + f"\n%bench {i}\n".encode(), "bc.pdf", "application/pdf")])
            for i in range(n)]


def mixed_mails(n: int) -> list[bytes]:
    """As units send: the soft file (xlsx, or the Word form) with the signed scan beside it;
    a few plain mails without files."""
    from tests.mails import build
    from tests.reportfiles import SAMPLE, docx_report, filled_xlsx
    xlsx, docx, scan = filled_xlsx(SAMPLE), docx_report(SAMPLE), signed_scan()
    out = []
    for i in range(n):
        signed = scan + f"\n%signed {i}\n".encode()      # each unit's own scan: not a resend of another's
        files = [[(xlsx, "bao_cao.xlsx", XLSX), (signed, "bao_cao_ky.pdf", "application/pdf")],
                 [(docx, "bao_cao.docx", DOCX), (signed, "scan.pdf", "application/pdf")],
                 [(xlsx, "bc.xlsx", XLSX), (signed, "bc_scan.pdf", "application/pdf")],
                 []][i % 4]
        out.append(build(subject=f"Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - lần {i}" if files
                         else f"Trao đổi công việc {i}",
                         sender=f"<{UNITS[i % len(UNITS)]}@binhphuoc.edu.vn>", message_id=f"<mix-{i}@x>",
                         files=files))
    return out


# ---------------------------------------------------------------- measuring a process

@dataclass
class Run:
    seconds: float
    main_mb: float
    workers_mb: float
    out: str


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run `cmd`: its wall time, its own peak RSS (VmHWM, sampled every 20 ms: wait4's ru_maxrss
    would count the Python image the child was forked from), and the largest sum of its
    descendants' RSS (baocao's workers)."""
    import psutil
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    peak = {"main": 0.0, "workers": 0.0}
    done = threading.Event()

    def sample() -> None:
        try:
            me = psutil.Process(proc.pid)
            while True:
                peak["main"] = max(peak["main"], _hwm_mb(proc.pid))
                total = 0
                for child in me.children(recursive=True):
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass
                peak["workers"] = max(peak["workers"], total / 2**20)
                if done.wait(0.02):
                    return
        except psutil.Error:
            pass
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    proc.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:3])} … exited {proc.returncode}: {out[-2000:]}")
    return Run(seconds, peak["main"], peak["workers"], out)


def _hwm_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


# ---------------------------------------------------------------- the tools

def baocao_config(tmp: Path, server, folder: str) -> Path:
    from tests.conftest import write_config
    from tests.dovecot import PASSWORD_ENV
    tmp.mkdir(parents=True, exist_ok=True)
    return write_config(tmp, mailbox=(
        f'[mailbox]\nkind = "imap"\nhost = "{server.host}"\nport = {server.port}\ntls = "none"\n'
        f'username = "{server.user}"\npassword_env = "{PASSWORD_ENV}"\nfolder = "{folder}"\nbatch_size = 100'))


CHILD = r"""
import datetime as dt, json, statistics, sys, time
sys.path.insert(0, {root!r})
from ingest import pipeline
from ingest.imap import ImapSource
from store.config import load
from store.db import open_store
cfg = load({config!r})
db = open_store(cfg)
now = dt.datetime.now(cfg.timezone)
source = ImapSource(cfg.mailbox)
t = time.perf_counter()
if {no_parse!r}:   # the first step of a poll alone: fetch, archive (fsync), record, mark seen
    result = pipeline.take(db, cfg, now, source=source)
    seconds = time.perf_counter() - t
    db.execute("UPDATE messages SET processed_at = created_at, status = 'ignored'")  # as if read: nothing left
else:
    result = pipeline.poll(db, cfg, now, source=source)
    seconds = time.perf_counter() - t
polls = []
for _ in range({polls}):
    t = time.perf_counter()
    pipeline.poll(db, cfg, now, source=source)
    polls.append(time.perf_counter() - t)
source.close()
print(json.dumps({{"fetched": result.fetched, "seconds": seconds, "kept_ms": 1000 * statistics.median(polls),
                  "by_status": result.by_status}}))
"""


def baocao_run(config: Path, no_parse: bool, polls: int) -> tuple[Run, dict]:
    code = CHILD.format(root=str(ROOT), config=str(config), no_parse=no_parse, polls=polls)
    run = measure([sys.executable, "-c", code])
    return run, json.loads(run.out.strip().splitlines()[-1])


def mbsync_run(tmp: Path, server, folder: str) -> Run:
    local = tmp / "mbsync-maildir"
    local.mkdir(parents=True)
    rc = tmp / "mbsyncrc"
    rc.write_text(
        f"IMAPAccount bench\nHost {server.host}\nPort {server.port}\nUser {server.user}\nPass {server.password}\n"
        "SSLType None\nAuthMechs LOGIN\n\nIMAPStore remote\nAccount bench\n\n"
        f"MaildirStore local\nPath {local}/\nInbox {local}/INBOX\nSubFolders Verbatim\n\n"
        f"Channel bench\nFar :remote:{folder}\nNear :local:{folder}\nSync Pull\nCreate Near\nExpunge None\n",
        encoding="utf-8")
    return measure(["mbsync", "-q", "-c", str(rc), "bench"], env={**os.environ, "HOME": str(tmp)})


def getmail_run(tmp: Path, server, folder: str) -> Run:
    home = tmp / "getmail"
    dest = home / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (dest / sub).mkdir(parents=True)
    rc = home / "getmailrc"
    rc.write_text(
        f"[retriever]\ntype = SimpleIMAPRetriever\nserver = {server.host}\nport = {server.port}\n"
        f"username = {server.user}\npassword = {server.password}\nmailboxes = (\"{folder}\",)\n\n"
        f"[destination]\ntype = Maildir\npath = {dest}/\n"
        + ("user = nobody\n" if os.geteuid() == 0 else "") + "\n"   # getmail refuses to deliver as root
        "[options]\nread_all = true\ndelete = false\nverbose = 0\nmessage_log_syslog = false\n", encoding="utf-8")
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody")
        for path in (dest, *dest.iterdir()):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        for path in (tmp.parent, tmp, home):
            os.chmod(path, 0o755)
    return measure(["getmail", "--rcfile", str(rc), "--getmaildir", str(home)])


# What the installed `baocao` command runs (pip's console script): `scheduler` imported as a module,
# from its cached bytecode, not compiled again as a script would be.
ENTRY_POINT = "import sys; from scheduler import cli; sys.exit(cli())"


def whole_vs_bare(config: Path, server, folder: str, n: int) -> tuple[float, float]:
    """Median wall time (ms) of a whole `baocao poll` process with nothing new and of a bare
    IMAPClient process doing login + STATUS on the same folder, run alternately so that a
    machine that slows down or speeds up during the run weighs on both alike."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    code = (f"from imapclient import IMAPClient\nc = IMAPClient({server.host!r}, port={server.port}, ssl=False)\n"
            f"c.login({server.user!r}, {server.password!r})\nc.folder_status({folder!r}, [b'UIDNEXT'])\nc.logout()\n")
    whole, bare = [], []
    for _ in range(n):
        whole.append(measure([sys.executable, "-c", ENTRY_POINT, "--config", str(config), "poll"], env=env,
                             cwd=config.parent).seconds)
        bare.append(measure([sys.executable, "-c", code]).seconds)
    return 1000 * statistics.median(whole), 1000 * statistics.median(bare)


# ---------------------------------------------------------------- the run

def machine() -> str:
    import psutil
    cpu = platform.processor() or platform.machine()
    try:
        model = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        model = cpu
    return (f"{os.cpu_count()} cores ({model}), {psutil.virtual_memory().total / 2**30:.0f} GB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not installed"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="200,2000,10000")
    ap.add_argument("--parse", type=int, default=300, help="report mails for the run with parsing")
    ap.add_argument("--mix", type=int, default=200, help="mails of the realistic mix with scans")
    ap.add_argument("--polls", type=int, default=5)
    ap.add_argument("--no-parsers", action="store_true", help="skip the per-format parser table")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    from tests.dovecot import PASSWORD_ENV, Dovecot
    server = Dovecot.start()
    os.environ[PASSWORD_ENV] = server.password
    print(f"Machine: {machine()}; {version(['dovecot', '--version'])} (Dovecot) on 127.0.0.1; "
          f"{version(['mbsync', '--version'])}; {version(['getmail', '--version'])}\n")
    try:
        with tempfile.TemporaryDirectory(prefix="baocao-compare-", dir="/tmp") as tmpdir:
            tmp = Path(tmpdir)
            pool = report_mails(max(sizes + [args.parse]))
            kb = sum(map(len, pool[:50])) / 50 / 1024
            print(f"Report-like mails of ~{kb:.0f} KB (a ~20 KB xlsx form and a 3-page text PDF)\n")
            print("| mailbox | tool | msg/s | vs mbsync | peak RSS (main) | workers | no-new-mail poll, kept | "
                  "whole process | bare IMAPClient login+STATUS | ratio |")
            print("|---|---|---|---|---|---|---|---|---|---|")
            for n in sizes:
                folder = f"size{n}"
                server.load_fast(folder, pool[:n])
                mb = mbsync_run(tmp / f"mb{n}", server, folder)
                gm = getmail_run(tmp / f"gm{n}", server, folder)
                config = baocao_config(tmp / f"bc{n}", server, folder)
                run, res = baocao_run(config, no_parse=True, polls=args.polls * 4)
                whole, bare = whole_vs_bare(config, server, folder, args.polls * 3)
                mb_rate = n / mb.seconds
                rate = res["fetched"] / res["seconds"]
                print(f"| {n:,} | baocao fetch+archive+record | {rate:,.0f} | {rate / mb_rate:.2f}× | "
                      f"{run.main_mb:.0f} MB | {run.workers_mb:.0f} MB | {res['kept_ms']:.2f} ms | {whole:.0f} ms | "
                      f"{bare:.0f} ms | {whole / bare:.2f}× |")
                print(f"| {n:,} | mbsync | {mb_rate:,.0f} | 1.00× | {mb.main_mb:.0f} MB | — | | | | |")
                print(f"| {n:,} | getmail6 | {n / gm.seconds:,.0f} | {n / gm.seconds / mb_rate:.2f}× | "
                      f"{gm.main_mb:.0f} MB | — | | | | |", flush=True)
                server.delete(folder)
            print("\n| run | mails | seconds | msg/s | peak RSS (main) | workers | statuses |")
            print("|---|---|---|---|---|---|---|")
            for label, folder, raws in (("with parsing (xlsx + 3-page text PDF)", "parse", pool[:args.parse]),
                                        ("realistic mix: soft file + signed 2-page scan, plain mail", "mix",
                                         mixed_mails(args.mix))):
                server.load_fast(folder, raws)
                run, res = baocao_run(baocao_config(tmp / folder, server, folder), no_parse=False, polls=1)
                print(f"| {label} | {res['fetched']} | {res['seconds']:.1f} | {res['fetched'] / res['seconds']:.1f} | "
                      f"{run.main_mb:.0f} MB | {run.workers_mb:.0f} MB | "
                      f"{', '.join(f'{k} {v}' for k, v in sorted(res['by_status'].items()))} |", flush=True)
                server.delete(folder)
    finally:
        server.stop()
    if not args.no_parsers:
        print()
        sys.stdout.flush()
        subprocess.run([sys.executable, str(ROOT / "bench" / "bench_parsers.py")], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
