"""The fault harness: a realistic Maildir, a throw-away configuration, the CLI in its own session,
faults (SIGKILL by time or at a code point, a full disk, a read-only or locked store) and the
invariants checked once a run has completed.

The tree under test is `BAOCAO_TREE` (or `tree=` / `--tree`), by default the repository this file
lives in; its `scheduler.py` runs in a subprocess with that tree first on PYTHONPATH, so the
figures of an older checkout can be taken with the mails and checks of this one. Nothing here
imports the code under test: the checks read the store with plain `sqlite3` and the archive with
`hashlib`, so a broken tree cannot hide its own faults.

Used by tests/faults/test_*.py (short, seeded) and bench/faults.py (the long run).
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

REPO = Path(__file__).resolve().parents[2]
HOOK_DIR = Path(__file__).resolve().parent / "sitecustomize_kill"
NOW = "2024-07-05T08:00"
TZ = dt.timezone(dt.timedelta(hours=7))
HOOK_PREFIX = "baocao-faults:"

# The code points the lead keeps stable (module:qualname).
KILL_POINTS = ("ingest.archive:store", "store.messages:insert_message", "store.messages:begin_attempt",
               "store.messages:save_outcome", "store.messages:save_warnings", "store.incidents:queue_alert",
               "store.messages:StoreSeen.mark", "compile.outbox:deliver")
COMMANDS = {"poll": ("poll",), "run": ("run", "--once")}

GRACE_S = 10.0          # how long the killed group may take to die by itself
RUN_GUARD_S = 240.0     # hang guard of one CLI run (never an assertion on speed)
MAX_RESTARTS = 4        # restarts without a kill after the last kill, before "did not recover"


def table(rows: dict[str, dict[str, int]], total: dict[str, int], columns: Iterable[str],
          min_width: int = 0) -> list[str]:
    """The lines of a fault run's table: a row per kind of fault, then the total, every column
    right-aligned (bench/faults.py, bench/imap_faults.py)."""
    columns = tuple(columns)
    width = max([len(k) for k in rows] + [len("total"), min_width])
    col = max(len(c) for c in columns) + 2

    def line(label: str, row: dict[str, int]) -> str:
        return label.ljust(width) + "".join(str(row[c]).rjust(col) for c in columns)
    return ["kind".ljust(width) + "".join(c.rjust(col) for c in columns),
            *(line(label, row) for label, row in rows.items()), line("total", total)]


def tree_path(tree: str | os.PathLike[str] | None = None) -> Path:
    return Path(tree or os.environ.get("BAOCAO_TREE") or REPO).resolve()


# ---------------------------------------------------------------- the mails

@dataclass(frozen=True)
class Mail:
    name: str          # the Maildir file name
    sub: str           # "cur" or "new"
    raw: bytes
    kind: str          # what it is meant to be: report, incident, ignored, unplaced, garbage, copy, resend


def _units() -> list[dict[str, str]]:
    with open(REPO / "units.example.csv", encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["code"].startswith("THPT-")]


def _when(day: int, month: int = 6, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=TZ)


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 6, 1, 0, 0, 0)), data)
    return buf.getvalue()


@functools.lru_cache(maxsize=4)
def corpus(size: int = 30, tree: str | None = None) -> tuple[Mail, ...]:
    """~30 realistic mails: xlsx / docx / zipped reports from schools, incidents (one follow-up in
    the same thread), other business, an auto-reply, a bounce, a newsletter, an unknown sender,
    undecodable bytes, byte-identical copies and same-Message-ID resends. Built once per process
    (the generated files carry build times, so the bytes differ between processes, never within).

    Built in a subprocess with the tree under test first on the path (its form template, its
    tests/mails.py and tests/reportfiles.py), so this process never imports the code under test
    and a tree that is half-way through an edit cannot break the harness itself."""
    t = tree_path(tree)
    with tempfile.TemporaryDirectory(prefix="baocao-faults-corpus-") as tmp:
        out = Path(tmp) / "corpus.json"
        env = child_env(t)
        env["PYTHONPATH"] = os.pathsep.join([str(t), str(REPO)])
        r = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--corpus", str(size), str(out)],
                           cwd=t, env=env, capture_output=True, text=True, timeout=300)
        if r.returncode:
            raise RuntimeError(f"building the mails with {t} failed:\n{r.stderr[-3000:]}")
        data = json.loads(out.read_text())
    return tuple(Mail(d["name"], d["sub"], base64.b64decode(d["raw"]), d["kind"]) for d in data)


def _build_corpus(size: int) -> list[Mail]:
    from tests.mails import XLSX, build
    from tests import reportfiles as rf

    units = _units()
    mails: list[tuple[str, bytes]] = []
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    n_reports = max(4, size * 12 // 30)
    for i, u in enumerate(units[:n_reports]):
        values = {k: v + i for k, v in rf.SAMPLE.items()}
        xlsx = rf.filled_xlsx(values, unit_code=u["code"])
        mails.append(("report", build(
            subject=f"Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - {u['name']}",
            sender=f"{u['name']} <{u['emails'].split(';')[0]}>",
            body=f"Kính gửi Phòng Giáo dục Trung học,\n{u['name']} gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024.",
            when=_when(10 + i % 18, hour=8 + i % 9), files=[(xlsx, f"BaoCao_CTTE_{u['code']}.xlsx", XLSX)],
            message_id=f"<faults-report-{i}@binhphuoc.edu.vn>")))
    rest = units[n_reports:]
    for j, u in enumerate(rest[:2]):
        mails.append(("report", build(
            subject=f"V/v báo cáo công tác bảo vệ, chăm sóc trẻ em 6 tháng đầu năm 2024 ({u['name']})",
            sender=f"{u['name']} <{u['emails'].split(';')[0]}>", body="Đơn vị gửi báo cáo (file Word đính kèm).",
            when=_when(26 + j, hour=15), files=[(rf.docx_report({k: v + 30 + j for k, v in rf.SAMPLE.items()}, padding=2),
                                                 "Bao cao CTTE.docx", DOCX)],
            message_id=f"<faults-docx-{j}@binhphuoc.edu.vn>")))
    if len(rest) > 2:
        u = rest[2]
        inner = rf.filled_xlsx({k: v + 50 for k, v in rf.SAMPLE.items()}, unit_code=u["code"])
        mails.append(("report", build(
            subject=f"Báo cáo CTTE 6 tháng 2024 - {u['name']}", sender=f"Văn thư <{u['emails'].split(';')[0]}>",
            body="Gửi kèm file nén báo cáo.", when=_when(29, hour=16),
            files=[(_zip([(f"{u['code']}/BaoCao.xlsx", inner)]), "baocao.zip", "application/zip")],
            message_id="<faults-zip-0@binhphuoc.edu.vn>")))
    pgd = "Phòng GDĐT Lộc Ninh <pgdlocninh@binhphuoc.edu.vn>"
    mails.append(("incident", build(
        subject="Báo cáo nhanh vụ việc học sinh bị đuối nước tại xã Lộc Thái", sender=pgd,
        body=("Kính gửi: Sở Giáo dục và Đào tạo\n\nVào khoảng 16 giờ ngày 12/5/2024, em N.V.A, học sinh lớp 7 "
              "Trường THCS Lộc Thái, đi tắm suối cùng bạn và bị đuối nước. Em đã được cứu kịp thời."),
        when=_when(12, 5, 19), message_id="<faults-incident-0@binhphuoc.edu.vn>")))
    mails.append(("incident", build(
        subject="Re: Báo cáo nhanh vụ việc học sinh bị đuối nước tại xã Lộc Thái", sender=pgd,
        body="Phòng GDĐT báo cáo bổ sung: sức khỏe em N.V.A đã ổn định, đã ra viện ngày 14/5/2024.",
        when=_when(14, 5, 10), message_id="<faults-incident-1@binhphuoc.edu.vn>",
        headers={"In-Reply-To": "<faults-incident-0@binhphuoc.edu.vn>",
                 "References": "<faults-incident-0@binhphuoc.edu.vn>"})))
    u = units[1]
    mails.append(("incident", build(
        subject="Báo cáo đột xuất: học sinh bị tai nạn giao thông", sender=f"{u['name']} <{u['emails']}>",
        body="Sáng ngày 03/6/2024, một học sinh lớp 10 của trường bị tai nạn giao thông trên đường đến trường.",
        when=_when(3, 6, 11), message_id="<faults-incident-2@binhphuoc.edu.vn>")))
    mails.append(("ignored", build(
        subject="Giấy mời họp giao ban công tác học sinh, sinh viên tháng 7/2024",
        sender="Văn phòng Sở GDĐT <vanphong@binhphuoc.edu.vn>",
        body="Trân trọng kính mời lãnh đạo các đơn vị dự họp giao ban vào 8 giờ ngày 10/7/2024.",
        when=_when(1, 7, 8), message_id="<faults-ignored-0@binhphuoc.edu.vn>")))
    mails.append(("ignored", build(
        subject="Trả lời tự động: Nhắc nộp báo cáo công tác trẻ em", sender="Trần Thị Mai <maitt@binhphuoc.edu.vn>",
        body="Tôi đang nghỉ phép đến ngày 01/7/2024.", when=_when(25, 6, 7),
        message_id="<faults-ignored-1@binhphuoc.edu.vn>", headers={"Auto-Submitted": "auto-replied"})))
    mails.append(("ignored", build(
        subject="Bản tin Giáo dục Bình Phước số 6/2024", sender="Bản tin <bantin@binhphuoc.edu.vn>",
        body="Bản tin tháng 6 năm 2024 của ngành giáo dục tỉnh Bình Phước.", when=_when(30, 6, 6),
        message_id="<faults-ignored-2@binhphuoc.edu.vn>",
        headers={"List-Id": "Ban tin <bantin.binhphuoc.edu.vn>", "Precedence": "list"})))
    mails.append(("ignored", (
        "From: Mail Delivery System <MAILER-DAEMON@binhphuoc.edu.vn>\r\nTo: trunghoc@binhphuoc.edu.vn\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nDate: Mon, 24 Jun 2024 07:00:00 +0700\r\n"
        "Message-ID: <faults-bounce-0@binhphuoc.edu.vn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe address thptxyz@binhphuoc.edu.vn was not found.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; binhphuoc.edu.vn\r\n\r\n"
        "Final-Recipient: rfc822; thptxyz@binhphuoc.edu.vn\r\nAction: failed\r\nStatus: 5.1.1\r\n--b1--\r\n").encode()))
    mails.append(("ignored", build(
        subject="Đăng ký tham dự hội thi giáo viên dạy giỏi cấp tỉnh", sender=f"{units[2]['name']} <{units[2]['emails']}>",
        body="Trường gửi danh sách giáo viên đăng ký dự thi.", when=_when(20, 6, 14),
        message_id="<faults-ignored-3@binhphuoc.edu.vn>")))
    mails.append(("unplaced", build(
        subject="báo cáo công tác trẻ em", sender="Cô Lan <lan.nguyen1985@gmail.com>", body="Em gửi báo cáo ạ.",
        when=_when(27, 6, 21), files=[(rf.filled_xlsx(unit_code=None), "bc.xlsx", XLSX)],
        message_id="<faults-unplaced-0@gmail.com>")))
    mails.append(("garbage", b"\x00\xff not a mail at all \xfe" * 40))
    # same Message-ID, different bytes (another Received header): a second delivery
    originals = [raw for kind, raw in mails if kind == "report"]
    for k, raw in enumerate(originals[1:3]):
        mails.append(("resend", f"Received: from relay{k}.binhphuoc.edu.vn by mx; Mon, 1 Jul 2024 08:0{k}:00 +0700\r\n"
                      .encode() + raw))
    # byte-identical copies under other names (one in new/)
    for wanted in ("report", "ignored", "incident"):
        mails.append(("copy", next(r for k, r in mails if k == wanted)))
    mails = mails[:max(size, 8)]
    out = []
    for i, (kind, raw) in enumerate(mails):
        base = f"{1718000000 + i * 60}.M{i}P4242.faults.binhphuoc.edu.vn"
        if i % 7 == 3:
            out.append(Mail(base, "new", raw, kind))
        else:
            out.append(Mail(base + ":2,S", "cur", raw, kind))
    return out


def nth_recorded(mails: Iterable[Mail], kind: str) -> int:
    """The 1-based position, among the distinct messages in fetch order (Maildir name order), of
    the first mail of `kind`: the call number of a per-message function (insert, save) for it."""
    seen: list[str] = []
    for m in sorted(mails, key=lambda m: m.name):
        sha = hashlib.sha256(m.raw).hexdigest()
        if sha in seen:
            continue
        seen.append(sha)
        if m.kind == kind:
            return len(seen)
    raise ValueError(f"no {kind} mail in the corpus")


def write_maildir(folder: Path, mails: Iterable[Mail]) -> None:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for m in mails:
        (folder / m.sub / m.name).write_bytes(m.raw)


def maildir_snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def header_ids(raw: bytes) -> list[str]:
    """The Message-ID as the store records it (the header value, stripped), if the mail has one."""
    from email import message_from_bytes, policy
    try:
        msg = message_from_bytes(raw, policy=policy.compat32)
        value = msg.get("Message-ID")
    except Exception:  # noqa: BLE001 - garbage has none
        return []
    return [str(value).strip()] if value else []


# ---------------------------------------------------------------- the workplace

@dataclass
class Work:
    """One trial's folder: Maildir, config, store, archive, run logs."""
    root: Path
    tree: Path
    config: Path
    maildir: Path
    store: Path
    archive: Path
    mails: tuple[Mail, ...]
    runs: list["Run"] = field(default_factory=list)

    @property
    def lock_file(self) -> Path:
        return Path(f"{self.store}.lock")


def _set_keys(text: str, section: str, lines: str) -> str:
    """Set `key = value` lines in `[section]`: replace the key where the file has it, else add it."""
    start = text.index(f"[{section}]\n") + len(f"[{section}]\n")
    nxt = re.search(r"^\[", text[start:], re.M)
    end = start + nxt.start() if nxt else len(text)
    body = text[start:end]
    for line in filter(None, (ln.strip() for ln in lines.splitlines())):
        key = line.split("=", 1)[0].strip()
        pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.M)
        body = pattern.sub(lambda _: line, body, count=1) if pattern.search(body) else line + "\n" + body
    return text[:start] + body + text[end:]


def make_work(root: Path, tree: Path | None = None, mails: Iterable[Mail] | None = None, *,
              store: Path | None = None, archive: Path | None = None, store_extra: str = "",
              receipts: bool = True, write_mails: bool = True) -> Work:
    """A config like tests/conftest.py's `write_config` (the tree's config.example.toml with every
    path in `root`), optionally with the store or archive elsewhere and extra `[store]` keys."""
    tree = tree_path(tree)
    root.mkdir(parents=True, exist_ok=True)
    maildir = root / "maildir"
    store = store or root / "var" / "baocao.sqlite"
    archive = archive or root / "var" / "archive"
    text = (tree / "config.example.toml").read_text(encoding="utf-8")
    replacements = [('path = "examples/maildir"', f'path = "{maildir}"'),
                    ('path = "var/baocao.sqlite"', f'path = "{store}"'),
                    ('path = "var/archive"', f'path = "{archive}"'),
                    ('path = "var/outbox"', f'path = "{root / "outbox"}"')]
    for old, new in replacements:
        if old not in text:
            raise RuntimeError(f"{tree}/config.example.toml has no {old!r}: the harness needs updating")
        text = text.replace(old, new, 1)
    text = _set_keys(text, "store", store_extra)
    if receipts:
        text = re.sub(r"(\[receipts\]\s*\n)enabled = false", r"\1enabled = true", text, count=1)
    shutil.copy(tree / "units.example.csv", root / "units.example.csv")
    config = root / "config.toml"
    config.write_text(text, encoding="utf-8")
    mails = tuple(corpus(tree=str(tree)) if mails is None else mails)
    work = Work(root=root, tree=tree, config=config, maildir=maildir, store=store, archive=archive, mails=mails)
    if write_mails:
        write_maildir(maildir, mails)
    else:
        write_maildir(maildir, ())
    return work


# ---------------------------------------------------------------- running the CLI

@dataclass
class Run:
    command: tuple[str, ...]
    pid: int
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    killed: bool = False              # we sent SIGKILL and the leader died of it
    hook_killed: bool = False         # the sitecustomize killed it at a code point
    leftover: list[str] = field(default_factory=list)   # "pid cmdline" still alive after the grace
    hung: bool = False
    linger: float = 0.0               # seconds the group outlived its leader

    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.strip() and not ln.startswith(HOOK_PREFIX)]

    def hook_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith(HOOK_PREFIX)]

    def describe(self) -> str:
        err = "\n    ".join(self.stderr.strip().splitlines()[-12:])
        return (f"`{' '.join(self.command)}` pid {self.pid} exit {self.returncode} in {self.seconds:.1f} s"
                f"{' (killed)' if self.killed or self.hook_killed else ''}"
                f"{' HUNG' if self.hung else ''}{' leftover ' + str(self.leftover) if self.leftover else ''}"
                f"{f', group lingered {self.linger:.1f} s' if self.linger >= 0.2 else ''}"
                + (f"\n    stderr: {err}" if err else ""))


def _pycache_prefix(tree: Path) -> str:
    # keeps bytecode of the tree under test out of that tree (e.g. the clean worktree of HEAD)
    tag = hashlib.sha256(str(tree).encode()).hexdigest()[:12]
    return str(Path(tempfile.gettempdir()) / "baocao-faults-pycache" / tag)


def child_env(tree: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BAOCAO_KILL_", "BAOCAO_COUNT_")) and k not in ("PYTHONSTARTUP",)}
    env["PYTHONPATH"] = os.pathsep.join([str(HOOK_DIR), str(tree)])
    env["PYTHONPYCACHEPREFIX"] = _pycache_prefix(tree)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # with the prefix above, a warm cache saves ~1 s a run
    env.pop("BAOCAO_IMAP_PASSWORD", None)
    env.update(extra or {})
    return env


def start(work: Work, command: Iterable[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, Path, Path]:
    n = len(work.runs)
    logs = work.root / "runs"
    logs.mkdir(exist_ok=True)
    out_path, err_path = logs / f"{n:02d}.out", logs / f"{n:02d}.err"
    args = [sys.executable, str(work.tree / "scheduler.py"), "--config", str(work.config), "--now", NOW, *command]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(args, cwd=work.tree, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=child_env(work.tree, env), start_new_session=True)
    return proc, out_path, err_path


def _group_members(pgid: int) -> list[str]:
    """Live (not zombie) processes of a process group, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            state, pgrp = fields[0], int(fields[2])
            if pgrp != pgid or state in ("Z", "X"):
                continue
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, ValueError, IndexError):
            continue
        found.append(f"{entry} {cmd[:160]}")
    return found


def group_alive(pgid: int) -> list[str]:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return []
    except PermissionError:
        pass
    return _group_members(pgid)


def await_group_gone(pgid: int, grace: float = GRACE_S) -> list[str]:
    """Wait up to `grace` s for every process of the group to be gone; return what is left (and
    then kill it: these are processes this harness started, found by their group id)."""
    deadline = time.monotonic() + grace
    while True:
        alive = group_alive(pgid)
        if not alive:
            return []
        if time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    end = time.monotonic() + 5
    while group_alive(pgid) and time.monotonic() < end:
        time.sleep(0.05)
    return alive


def run_cli(work: Work, command: Iterable[str], *, kill_after: float | None = None,
            env: dict[str, str] | None = None, while_running: Any = None, guard: float = RUN_GUARD_S) -> Run:
    """Run one CLI command to its end (or SIGKILL its leader after `kill_after` s), then wait
    for its process group to be gone. `while_running(proc)` is called once after the start."""
    command = tuple(command)
    started = time.monotonic()
    proc, out_path, err_path = start(work, command, env)
    pgid = proc.pid  # start_new_session: the leader's pid is the group's id
    killed = hung = False
    try:
        if while_running is not None:
            while_running(proc)
        if kill_after is not None:
            try:
                proc.wait(timeout=max(0.0, kill_after))
            except subprocess.TimeoutExpired:
                try:
                    os.kill(proc.pid, signal.SIGKILL)  # the leader only: its children must die by themselves
                except ProcessLookupError:
                    pass
        try:
            proc.wait(timeout=guard)
        except subprocess.TimeoutExpired:
            hung = True
            os.killpg(pgid, signal.SIGKILL)
            proc.wait(timeout=30)
    finally:
        if proc.returncode is None:  # an exception in while_running
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)
    seconds = time.monotonic() - started
    killed = kill_after is not None and proc.returncode == -signal.SIGKILL
    leader_gone = time.monotonic()
    leftover = await_group_gone(pgid)
    linger = time.monotonic() - leader_gone
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    run = Run(command=command, pid=proc.pid, returncode=proc.returncode,
              stdout=out_path.read_text(encoding="utf-8", errors="replace"), stderr=stderr, seconds=seconds,
              killed=killed, hook_killed=proc.returncode == -signal.SIGKILL and f"{HOOK_PREFIX} SIGKILL at" in stderr,
              leftover=leftover, hung=hung, linger=linger)
    work.runs.append(run)
    return run


def completed(run: Run) -> bool:
    return run.returncode in (0, 1) and not run.hung


# ---------------------------------------------------------------- the invariants

def _connect(store: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(f"file:{store}?immutable=1", uri=True)
    return sqlite3.connect(str(store), timeout=30)


def archive_path_for(root: Path, sha: str) -> Path:
    return root / sha[:2] / sha[2:4] / f"{sha}.eml"


def is_temp_name(name: str) -> bool:
    return name.startswith(".") or name.endswith(".tmp")


@dataclass
class State:
    """What the store and the archive hold, read without the code under test."""
    rows: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    v_messages_shas: set[str] | None
    incidents: dict[str, tuple]          # sha -> (unit, category, occurred_on) of its case
    outbox: Counter
    integrity: str
    archive_files: dict[str, Path]       # sha (from the name) -> path, for *.eml at their place
    archive_other: list[Path]            # every other file under the archive (temp, misplaced)
    error: str = ""


def read_state(work: Work, readonly: bool = False) -> State:
    archive_files: dict[str, Path] = {}
    other: list[Path] = []
    if work.archive.exists():
        for p in sorted(work.archive.rglob("*")):
            if not p.is_file():
                continue
            sha = p.name[:-4] if p.name.endswith(".eml") else ""
            if re.fullmatch(r"[0-9a-f]{64}", sha) and p == archive_path_for(work.archive, sha):
                archive_files[sha] = p
            else:
                other.append(p)
    if not work.store.exists():
        return State([], [], set(), {}, Counter(), "ok (no store)", archive_files, other)
    try:
        conn = _connect(work.store, readonly)
        conn.row_factory = sqlite3.Row
        try:
            integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
            rows = [dict(r) for r in conn.execute("SELECT * FROM messages ORDER BY id")]
            failures = [dict(r) for r in conn.execute("SELECT * FROM failures ORDER BY id")]
            try:
                vshas = {r[0] for r in conn.execute(
                    "SELECT m.sha256 FROM v_messages v JOIN messages m ON m.id = v.message_id")}
            except sqlite3.Error:
                vshas = None
            by_id = {r["id"]: r["sha256"] for r in rows}
            incidents = {}
            for mid, unit, cat, on in conn.execute(
                    "SELECT im.message_id, i.unit_code, i.category, i.occurred_on FROM incident_messages im "
                    "JOIN incidents i ON i.id = im.incident_id"):
                incidents[by_id.get(mid, f"?{mid}")] = (unit, cat, on)
            outbox = Counter((k, r, s) for k, r, s in conn.execute("SELECT kind, recipients, subject FROM outbox"))
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return State([], [], None, {}, Counter(), f"cannot read the store: {exc}", archive_files, other,
                      error=f"{type(exc).__name__}: {exc}")
    return State(rows, failures, vshas, incidents, outbox, integrity, archive_files, other)


@dataclass
class Check:
    """Violations, by kind; empty lists everywhere = all invariants hold."""
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    invisible: list[str] = field(default_factory=list)
    unprocessed: list[str] = field(default_factory=list)
    archive: list[str] = field(default_factory=list)
    temp_files: list[str] = field(default_factory=list)
    integrity: list[str] = field(default_factory=list)
    maildir: list[str] = field(default_factory=list)
    diverged: list[str] = field(default_factory=list)
    leftover: list[str] = field(default_factory=list)
    # not violations: messages failed (visibly) where a clean run succeeds, e.g. quarantined after
    # repeated kills, and the comparisons skipped because of them
    quarantined: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)

    KINDS = ("lost", "duplicated", "invisible", "unprocessed", "archive", "temp_files", "integrity",
             "maildir", "diverged", "leftover")

    def problems(self) -> dict[str, list[str]]:
        return {k: getattr(self, k) for k in self.KINDS if getattr(self, k)}

    def ok(self) -> bool:
        return not self.problems()

    def summary(self) -> str:
        probs = self.problems()
        text = "; ".join(f"{k} ({len(v)}): " + " | ".join(v[:4]) + (" ..." if len(v) > 4 else "")
                         for k, v in probs.items()) or "all invariants hold"
        if self.quarantined or self.info:
            text += " [" + "; ".join(self.quarantined + self.info) + "]"
        return text


@dataclass
class Baseline:
    """A clean run of one command on the same mails: what the faults must not change."""
    command: str
    seconds: float
    status: dict[str, str]          # sha -> status
    incidents: dict[str, tuple]
    outbox: Counter
    counts: dict[str, int | None]   # code point -> calls in the run (None: could not be armed)


def _file_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc}"


def check_recorded(work: Work, state: State) -> Check:
    """What must hold at any moment, also right after a failed run: every row has its archive
    file with the right bytes, nothing is left half-processed, the store is sound, no temp file."""
    c = Check()
    if state.error:
        c.integrity.append(state.error)
    elif state.integrity != "ok":
        c.integrity.append(state.integrity[:300])
    for r in state.rows:
        sha = r["sha256"]
        f = state.archive_files.get(sha)
        if f is None:
            c.archive.append(f"message {r['id']} ({sha[:12]}) has no archive file")
        elif _file_sha(f) != sha:
            c.archive.append(f"archive file {f.name[:12]}... does not hash to its name (partial write?)")
        if r.get("raw_path") and Path(r["raw_path"]) != archive_path_for(work.archive, sha):
            if not Path(r["raw_path"]).exists():
                c.archive.append(f"message {r['id']}: raw_path {r['raw_path']} does not exist")
        if r.get("processed_at") is None or r.get("status") in (None, "new"):
            c.unprocessed.append(f"message {r['id']} ({sha[:12]}) status {r.get('status')!r}, never processed")
    failed_ids = {f["message_id"] for f in state.failures}
    for r in state.rows:
        if r.get("status") == "failed" and r["id"] not in failed_ids:
            c.invisible.append(f"message {r['id']} is failed with no v_failures row")
    c.temp_files = [str(p.relative_to(work.archive)) for p in state.archive_other if is_temp_name(p.name)]
    c.archive += [f"unexpected file {p.relative_to(work.archive)}" for p in state.archive_other
                  if not is_temp_name(p.name)]
    return c


def check(work: Work, baseline: Baseline | None = None, maildir_before: dict[str, str] | None = None,
          readonly: bool = False) -> Check:
    """Every invariant, after a run completed: each Maildir message recorded exactly once (by raw
    hash) and visible in v_messages, each Message-ID present, archive == recorded hashes, no temp
    file, integrity ok, failures visible, nothing unprocessed, the Maildir unchanged, the same
    outcome as a clean run (`baseline`), and no process left by any run of this workplace."""
    state = read_state(work, readonly)
    c = check_recorded(work, state)
    wanted = {hashlib.sha256(m.raw).hexdigest(): m for m in work.mails}
    recorded = Counter(r["sha256"] for r in state.rows)
    visible = state.v_messages_shas if state.v_messages_shas is not None else set()
    for sha, m in wanted.items():
        if sha not in recorded:
            c.lost.append(f"{m.sub}/{m.name} ({m.kind}, {sha[:12]}) not in messages")
        if sha not in visible:  # a lost mail is an invisible failure too: nobody is told
            c.invisible.append(f"{m.sub}/{m.name} ({m.kind}) not in v_messages")
    if state.v_messages_shas is None and state.rows:
        c.invisible.append("v_messages cannot be read")
    ids: dict[str, list[str]] = {}
    for m in work.mails:
        for i in header_ids(m.raw):
            ids.setdefault(i, []).append(hashlib.sha256(m.raw).hexdigest())
    have_ids = Counter(r["header_message_id"] for r in state.rows)
    not_dup = Counter(r["header_message_id"] for r in state.rows if r.get("status") != "duplicate")
    for i, shas in sorted(ids.items()):
        if not have_ids[i]:
            if all(sha in recorded for sha in shas):  # else already counted as a lost mail
                c.lost.append(f"Message-ID {i} not in messages (its mails are, under another id)")
        elif not_dup[i] > 1:
            c.duplicated.append(f"Message-ID {i}: {not_dup[i]} rows not marked duplicate")
    for sha, n in recorded.items():
        if n > 1:
            c.duplicated.append(f"{sha[:12]} recorded {n} times")
        if sha not in wanted:
            c.duplicated.append(f"{sha[:12]}: a row for no Maildir message")
    archived = set(state.archive_files)
    for sha in sorted(archived - set(recorded)):
        c.archive.append(f"archive file {sha[:12]}... for no recorded message")
    if maildir_before is not None:
        after = maildir_snapshot(work.maildir)
        for name in sorted(set(maildir_before) | set(after)):
            if maildir_before.get(name) != after.get(name):
                c.maildir.append(f"{name}: {'changed' if name in after and name in maildir_before else 'gone' if name in maildir_before else 'appeared'}")
    if baseline is not None:
        failed_visible = {r["sha256"] for r in state.rows if r.get("status") == "failed"
                          and any(f["message_id"] == r["id"] and not f.get("resolved_at") for f in state.failures)}
        for r in state.rows:
            want = baseline.status.get(r["sha256"])
            kind = wanted[r["sha256"]].kind if r["sha256"] in wanted else "?"
            if want is None or r.get("status") == want:
                continue
            if r["sha256"] in failed_visible:
                c.quarantined.append(f"message {r['id']} ({kind}) failed visibly: {str(r.get('status_why'))[:80]}")
            else:
                c.diverged.append(f"message {r['id']} ({kind}) is {r.get('status')!r}, a clean run says {want!r}")
        if c.quarantined:
            # what follows from a message that is (visibly) failed here and fine in the clean run
            # differs by design: its case, its receipt, the reminders to its unit, the digest
            c.info.append("incidents and outbox not compared with the clean run")
            return _add_leftover(c, work)
        for sha, case in baseline.incidents.items():
            if sha in recorded and state.incidents.get(sha) != case and sha not in failed_visible:
                c.diverged.append(f"{sha[:12]} not in its incident {case} (has {state.incidents.get(sha)})")
        extra = {k: n for k, n in (state.outbox - baseline.outbox).items()}
        missing = {k: n for k, n in (baseline.outbox - state.outbox).items()}
        for (kind, to, subj), n in extra.items():
            c.duplicated.append(f"outbox: {n} extra {kind} to {to}: {subj[:50]}")
        for (kind, to, subj), n in missing.items():
            c.diverged.append(f"outbox: {n} {kind} to {to} missing: {subj[:50]}")
    return _add_leftover(c, work)


def _add_leftover(c: Check, work: Work) -> Check:
    for run in work.runs:
        c.leftover += [f"after `{' '.join(run.command)}` pid {run.pid}: {p}" for p in run.leftover]
    return c


def one_line_problems(run: Run, codes: tuple[int, ...], needles: Iterable[str] = ()) -> list[str]:
    """The operations-error contract: exit in `codes`, ONE stderr line `baocao: ...` containing each
    needle (a regex, case-insensitive), no traceback, no "internal error"."""
    out = []
    if run.returncode not in codes:
        out.append(f"exit {run.returncode}, expected {' or '.join(map(str, codes))}")
    lines = run.error_lines()
    if "Traceback" in run.stderr:
        out.append("a traceback on stderr")
    if "internal error" in run.stderr:
        out.append("'internal error' on stderr")
    if len(lines) != 1:
        out.append(f"{len(lines)} stderr lines, expected one")
    if lines and not lines[-1].startswith("baocao:"):
        out.append(f"the line does not start with 'baocao:': {lines[-1][:120]!r}")
    last = next((ln for ln in reversed(lines) if ln.startswith("baocao:")), lines[-1] if lines else "")
    for needle in needles:
        if not re.search(needle, last, re.I):
            out.append(f"the line does not say /{needle}/: {last[:200]!r}")
    if run.hung:
        out.append("hung (hang guard hit)")
    return out


def works_problems(run: Run) -> list[str]:
    """A read command on a damaged store: exit 0 or 1, no traceback, something on stdout."""
    out = []
    if run.returncode not in (0, 1):
        out.append(f"exit {run.returncode}")
    if "Traceback" in run.stderr or "internal error" in run.stderr:
        out.append("traceback / internal error: " + " ".join(run.error_lines()[-1:])[:200])
    if not run.stdout.strip():
        out.append("printed nothing on stdout")
    return out


# ---------------------------------------------------------------- baselines

def baseline(root: Path, command: str, tree: Path | None = None) -> Baseline:
    """A clean run (no fault), counting the calls of every kill point; raises if it breaks an
    invariant by itself (then the faults prove nothing)."""
    work = make_work(root, tree)
    before = maildir_snapshot(work.maildir)
    counts_file = root / "counts.json"
    run = run_cli(work, COMMANDS[command], env={"BAOCAO_COUNT_AT": ",".join(KILL_POINTS),
                                                "BAOCAO_COUNT_FILE": str(counts_file)})
    if not completed(run):
        raise RuntimeError(f"the clean {command} did not complete: {run.describe()}")
    state = read_state(work)
    c = check(work, None, before)
    if not c.ok():
        raise RuntimeError(f"the clean {command} breaks the invariants by itself: {c.summary()}")
    counts = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    return Baseline(command=command, seconds=run.seconds, status={r["sha256"]: r["status"] for r in state.rows},
                    incidents=state.incidents, outbox=state.outbox, counts=counts)


# ---------------------------------------------------------------- kill trials

@dataclass
class Trial:
    name: str
    work: Work
    kills: int = 0                   # runs that died of a SIGKILL (by time or at the code point)
    recovered: bool = False          # a later run completed (exit 0/1)
    check: Check = field(default_factory=Check)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        runs = "\n  ".join(r.describe() for r in self.work.runs)
        notes = ("\n  notes: " + "; ".join(self.notes)) if self.notes else ""
        return (f"{self.name}: kills {self.kills}, recovered {self.recovered}: {self.check.summary()}{notes}"
                f"\n  folder {self.work.root}\n  {runs}")


def _recover(trial: Trial, command: str) -> Run | None:
    for _ in range(MAX_RESTARTS):
        run = run_cli(trial.work, COMMANDS[command])
        if completed(run):
            trial.recovered = True
            return run
        trial.notes.append(f"restart ended with exit {run.returncode}: {' '.join(run.error_lines()[-1:])[:200]}")
    return None


def time_kill_trial(root: Path, command: str, base: Baseline, seed: int, tree: Path | None = None,
                    max_kills: int = 3, ensure_kill: bool = True) -> Trial:
    """SIGKILL the leader of `command` after a seeded random delay, 1..max_kills times in a row,
    then restart until a run completes; check everything. With `ensure_kill`, a first run that
    finished before its kill (a faster machine than the baseline's) is started over on a fresh
    workplace with half the delay, so the trial always kills something."""
    rng = random.Random(f"time:{command}:{seed}")
    wanted = rng.randint(1, max_kills)
    top = max(0.3, base.seconds * 1.05)
    delays = [rng.uniform(0.05, top) for _ in range(wanted)]
    notes: list[str] = []
    for attempt in range(4 if ensure_kill else 1):
        if root.exists():
            shutil.rmtree(root)
        work = make_work(root, tree)
        before = maildir_snapshot(work.maildir)
        trial = Trial(f"time {command} seed {seed}", work, notes=notes)
        for delay in delays:
            run = run_cli(work, COMMANDS[command], kill_after=delay)
            if run.killed:
                trial.kills += 1
                notes.append(f"killed at {delay:.2f} s")
            elif completed(run):
                trial.recovered = True
                notes.append(f"finished before the kill at {delay:.2f} s")
                break
            else:
                notes.append(f"run ended with exit {run.returncode} before the kill at {delay:.2f} s: "
                             f"{' '.join(run.error_lines()[-1:])[:200]}")
        if trial.kills or not ensure_kill:
            break
        delays = [d / 2 for d in delays]
    if not (work.runs and completed(work.runs[-1])):
        _recover(trial, command)
    trial.check = check(work, base, before)
    return trial


def point_kill_trial(root: Path, command: str, base: Baseline, point: str, seed: int,
                     tree: Path | None = None, n: int | None = None, when: str | None = None) -> Trial:
    """Kill `command` by the sitecustomize at the N-th call of `point` (before or after the real
    call; N and the side seeded unless given), then restart without the hook; check everything."""
    rng = random.Random(f"point:{command}:{point}:{seed}")
    calls = base.counts.get(point)
    work = make_work(root, tree)
    before = maildir_snapshot(work.maildir)
    n = n or rng.randint(1, max(1, calls or 1))
    when = when or rng.choice(("before", "after"))
    trial = Trial(f"point {point} #{n} {when} in {command} seed {seed}", work)
    run = run_cli(work, COMMANDS[command], env={"BAOCAO_KILL_AT": f"{point}:{n}", "BAOCAO_KILL_WHEN": when})
    if run.hook_killed:
        trial.kills += 1
    else:
        trial.notes.append(f"the kill point did not fire ({calls} call(s) in the clean run): "
                           + (" | ".join(run.hook_lines()) or "no word from the hook"))
        if completed(run):
            trial.recovered = True
    if not completed(run):
        _recover(trial, command)
    trial.check = check(work, base, before)
    return trial


# ---------------------------------------------------------------- mounts (disk / store faults)

def _sh(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60)


def mount_tmpfs(where: Path, size: int) -> None:
    where.mkdir(parents=True, exist_ok=True)
    r = _sh("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
    if r.returncode:
        raise PermissionError(f"mount -t tmpfs {where}: {(r.stderr or r.stdout).strip()}")


def remount(where: Path, options: str) -> None:
    r = _sh("mount", "-o", f"remount,{options}", str(where))
    if r.returncode:
        raise RuntimeError(f"mount -o remount,{options} {where}: {(r.stderr or r.stdout).strip()}")


def umount(where: Path) -> None:
    if not os.path.ismount(where):
        return
    r = _sh("umount", str(where))
    if r.returncode:
        _sh("umount", "-l", str(where))


def mount_permitted(scratch: Path) -> str:
    """'' when this process may mount a tmpfs (and remount it), else why not."""
    probe = scratch / "mount-probe"
    try:
        mount_tmpfs(probe, 64 * 1024)
    except (PermissionError, OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    try:
        remount(probe, "size=128k")
        remount(probe, "ro")
    except RuntimeError as exc:
        return str(exc)
    finally:
        umount(probe)
        try:
            probe.rmdir()
        except OSError:
            pass
    return ""


def fill(where: Path) -> Path:
    """Fill a (small) file system to the last byte; returns the filler file."""
    filler = where / "filler.bin"
    chunk = b"\0" * 4096
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(chunk)
        except OSError:
            pass
    with open(filler, "ab", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0")
        except OSError:
            pass
    return filler


# ---------------------------------------------------------------- disk / store scenarios

@dataclass
class Scenario:
    """A disk or store fault: the run under the fault, the checks then, the recovery."""
    name: str
    work: Work
    fault_runs: list[Run] = field(default_factory=list)
    contract: list[str] = field(default_factory=list)    # one-line / exit-code breaches under the fault
    during: Check = field(default_factory=Check)         # half-recorded state under the fault
    recovered: bool = False
    check: Check = field(default_factory=Check)          # after recovery
    notes: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        out = {}
        if self.contract:
            out["contract"] = self.contract
        for k, v in self.during.problems().items():
            out[f"under the fault: {k}"] = v
        if not self.recovered:
            out["recovery"] = ["no run completed once the cause was gone"]
        for k, v in self.check.problems().items():
            out[f"after recovery: {k}"] = v
        return out

    def describe(self) -> str:
        probs = self.problems()
        text = "; ".join(f"{k}: " + " | ".join(v[:6]) for k, v in probs.items()) or "all good"
        runs = "\n  ".join(r.describe() for r in self.work.runs)
        notes = ("\n  notes: " + "; ".join(self.notes)) if self.notes else ""
        return f"{self.name}: {text}{notes}\n  folder {self.work.root}\n  {runs}"


def _split(mails: tuple[Mail, ...]) -> tuple[tuple[Mail, ...], tuple[Mail, ...]]:
    ordered = sorted(mails, key=lambda m: m.name)
    half = len(ordered) // 2
    return tuple(ordered[:half]), tuple(ordered[half:])


def _during(work: Work, readonly: bool = False, rows_before: int | None = None) -> Check:
    state = read_state(work, readonly)
    c = check_recorded(work, state)
    if rows_before is not None and len(state.rows) != rows_before:
        c.unprocessed.append(f"{len(state.rows) - rows_before} row(s) written through the fault")
    for run in work.runs:
        c.leftover += [f"after `{' '.join(run.command)}` pid {run.pid}: {p}" for p in run.leftover]
    return c


def archive_full(root: Path, base: Baseline, variant: str = "tiny", tree: Path | None = None) -> Scenario:
    """The archive on a tmpfs the mails do not fit in ("tiny": some fit; "filled": none fits),
    poll, then make room and poll again."""
    mnt = root / "archive-mnt"
    mails = corpus(tree=str(tree_path(tree)))
    total = sum(len(m.raw) for m in mails)
    size = max(16 * 1024, (total * 2 // 5) // 4096 * 4096) if variant == "tiny" else 1024 * 1024
    mount_tmpfs(mnt, size)
    try:
        work = make_work(root, tree, mails, archive=mnt / "archive")
        sc = Scenario(f"archive full ({variant}, tmpfs {size // 1024} KiB, mails {total // 1024} KiB)", work)
        filler = fill(mnt) if variant == "filled" else None
        before = maildir_snapshot(work.maildir)
        run = run_cli(work, COMMANDS["poll"])
        sc.fault_runs.append(run)
        sc.contract = one_line_problems(run, (1, 2), [re.escape(str(work.archive)),
                                                      r"no space|disk full|\bfull\b|ENOSPC|errno 28"])
        sc.during = _during(work)
        if filler is not None:
            filler.unlink()
        else:
            remount(mnt, f"size={64 * 1024 * 1024}")
        sc.recovered = completed(run_cli(work, COMMANDS["poll"]))
        sc.check = check(work, base, before)
        return sc
    finally:
        umount(mnt)


def store_readonly(root: Path, base: Baseline, tree: Path | None = None) -> Scenario:
    """A store with half the mails, its file system remounted read-only, the other half in the
    Maildir: poll fails in one line with exit 2; status, failures, health still answer; rw again:
    the next poll records everything."""
    mnt = root / "store-mnt"
    mount_tmpfs(mnt, 64 * 1024 * 1024)
    try:
        first, second = _split(corpus(tree=str(tree_path(tree))))
        work = make_work(root, tree, first, store=mnt / "baocao.sqlite")
        sc = Scenario("store read-only", work)
        rows_before, before = _first_half_recorded(work, first, second)
        remount(mnt, "ro")
        try:
            run = run_cli(work, COMMANDS["poll"])
            sc.fault_runs.append(run)
            # the line must name the store (its path or folder) or the cause
            sc.contract = one_line_problems(run, (2,), [rf"{re.escape(str(work.store.parent))}|read.only|readonly|"
                                                        r"EROFS|errno 30"])
            for cmd in (("status",), ("failures",), ("health",)):
                r = run_cli(work, cmd)
                sc.fault_runs.append(r)
                sc.contract += [f"`{cmd[0]}` on the read-only store: {p}" for p in works_problems(r)]
            sc.during = _during(work, readonly=True, rows_before=rows_before)
        finally:
            remount(mnt, "rw")
        sc.recovered = completed(run_cli(work, COMMANDS["poll"]))
        sc.check = check(work, base, before)
        return sc
    finally:
        umount(mnt)


def _first_half_recorded(work: Work, first: tuple[Mail, ...], second: tuple[Mail, ...]) -> tuple[int, dict[str, str]]:
    """A clean poll records `first`; then `second` arrives. Returns (rows recorded, the Maildir's
    snapshot with both): what a store fault's scenario starts from."""
    setup = run_cli(work, COMMANDS["poll"])
    if not completed(setup):
        raise RuntimeError(f"setup poll failed: {setup.describe()}")
    rows_before = len(read_state(work).rows)
    write_maildir(work.maildir, second)
    work.mails = first + second
    return rows_before, maildir_snapshot(work.maildir)


def _wait_for_lock_holder(work: Work, proc: subprocess.Popen, limit: float = 20.0) -> bool:
    """True once the poll holds the store's flock (its pid in `<store>.lock`), i.e. it is about to
    open the store; a hang guard, not a measurement."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if work.lock_file.read_text().strip() == str(proc.pid):
                return True
        except OSError:
            pass
        time.sleep(0.02)
    return False


def store_locked(root: Path, base: Baseline, hold: str = "short", tree: Path | None = None) -> Scenario:
    """Another writer holds `BEGIN EXCLUSIVE` on the store ([store] busy_timeout_seconds = 2):
    "short" releases ~1 s after the poll reached the store (the poll must wait and succeed);
    "long" holds for the whole poll (one line naming the store and the lock, nothing
    half-recorded), then releases (the next poll records everything)."""
    first, second = _split(corpus(tree=str(tree_path(tree))))
    work = make_work(root, tree, first, store_extra="busy_timeout_seconds = 2")
    sc = Scenario(f"store locked ({hold})", work)
    rows_before, before = _first_half_recorded(work, first, second)
    locker = sqlite3.connect(str(work.store), timeout=5, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        if hold == "short":
            def release_soon(proc: subprocess.Popen) -> None:
                if not _wait_for_lock_holder(work, proc):
                    sc.notes.append("the poll's pid never showed in the lock file; released after 1 s anyway")
                time.sleep(1.0)
                locker.execute("ROLLBACK")
            run = run_cli(work, COMMANDS["poll"], while_running=release_soon)
            sc.fault_runs.append(run)
            if not completed(run):
                sc.contract.append(f"the poll did not wait for a 1 s lock: exit {run.returncode}: "
                                   + " ".join(run.error_lines()[-1:])[:200])
            elif "Traceback" in run.stderr:
                sc.contract.append("a traceback on stderr")
            sc.recovered = completed(run) or completed(run_cli(work, COMMANDS["poll"]))
        else:
            run = run_cli(work, COMMANDS["poll"])
            sc.fault_runs.append(run)
            sc.contract = one_line_problems(run, (1, 2), [re.escape(str(work.store)), r"lock|busy"])
            locker.execute("ROLLBACK")
            sc.during = _during(work, rows_before=rows_before)
            sc.recovered = completed(run_cli(work, COMMANDS["poll"]))
    finally:
        if locker.in_transaction:
            locker.execute("ROLLBACK")
        locker.close()
    sc.check = check(work, base, before)
    return sc


DISK_SCENARIOS = ("archive full (tiny)", "archive full (filled)", "store read-only", "store locked (short)",
                  "store locked (long)")


def disk_scenario(name: str, root: Path, base: Baseline, tree: Path | None = None) -> Scenario:
    if name == "archive full (tiny)":
        return archive_full(root, base, "tiny", tree)
    if name == "archive full (filled)":
        return archive_full(root, base, "filled", tree)
    if name == "store read-only":
        return store_readonly(root, base, tree)
    if name == "store locked (short)":
        return store_locked(root, base, "short", tree)
    if name == "store locked (long)":
        return store_locked(root, base, "long", tree)
    raise ValueError(name)


if __name__ == "__main__":  # the corpus builder (see `corpus`)
    if len(sys.argv) == 4 and sys.argv[1] == "--corpus":
        mails = _build_corpus(int(sys.argv[2]))
        Path(sys.argv[3]).write_text(json.dumps(
            [{"name": m.name, "sub": m.sub, "kind": m.kind, "raw": base64.b64encode(m.raw).decode()} for m in mails]))
    else:
        sys.exit("usage: harness.py --corpus SIZE OUT.json (the harness is a library: see bench/faults.py)")
