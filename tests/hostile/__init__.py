"""A red-team corpus of hostile mail (`generator.py`) and the harness that feeds it to a checkout.

The harness only uses the public path: a config written from the tree's own config.example.toml,
`scheduler.py poll` in a subprocess (own process group, killed whole on timeout), then the store
read through the contract's views `v_messages` and `v_failures`. `bench/hostile.py` and
`tests/test_hostile_intake.py` both use it.
"""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

NOW = "2024-07-05T08:00"
CONTRACT_STATUSES = frozenset({"report", "incident", "ignored", "unplaced", "failed", "duplicate"})


def write_config(tree: Path, folder: Path) -> Path:
    """conftest.write_config, for any checkout: its example config, mailbox = folder/maildir,
    store, archive and outbox under folder/var."""
    tree, folder = Path(tree), Path(folder)
    text = (tree / "config.example.toml").read_text(encoding="utf-8")
    needle = 'path = "examples/maildir"'
    if needle not in text:
        raise RuntimeError(f"{tree}/config.example.toml has no {needle!r} to point elsewhere")
    text = text.replace(needle, f'path = "{folder / "maildir"}"')
    (folder / "units.example.csv").write_bytes((tree / "units.example.csv").read_bytes())
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def store_path(config: Path) -> Path:
    with open(config, "rb") as fh:
        data = tomllib.load(fh)
    return (Path(config).parent / data["store"]["path"]).resolve()


@dataclass
class PollRun:
    rc: int | None
    timed_out: bool
    seconds: float
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.output

    @property
    def internal_error(self) -> bool:
        return "internal error" in self.output

    @property
    def last_error(self) -> str:
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def tail(self, n: int = 3000) -> str:
        state = "timed out" if self.timed_out else f"rc={self.rc}"
        return f"[{state}, {self.seconds:.1f} s]\n--- stdout\n{self.stdout[-n:]}\n--- stderr\n{self.stderr[-n:]}"


def run_poll(tree: Path, config: Path, timeout: float, now: str = NOW) -> PollRun:
    """`scheduler.py --config CONFIG --now NOW poll` of `tree`, from the tree's root."""
    tree = Path(tree).resolve()
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(tree / "scheduler.py"), "--config", str(config), "--now", now, "poll"],
                            cwd=tree, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc.pid)
        out, err = proc.communicate()
    finally:
        _kill_group(proc.pid)  # parser workers the poll may have left behind
    return PollRun(None if timed_out else proc.returncode, timed_out, time.monotonic() - started,
                   out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class Stored:
    message_id: int
    status: str
    raw_path: str
    failures: list[tuple[str, str]] = field(default_factory=list)   # (stage, reason)


def stored(config: Path) -> dict[str, list[Stored]]:
    """sha256 of the raw bytes -> the v_messages rows holding it (with their v_failures)."""
    db = store_path(config)
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        failures: dict[int, list[tuple[str, str]]] = {}
        for mid, stage, reason in conn.execute("SELECT message_id, stage, reason FROM v_failures"):
            failures.setdefault(mid, []).append((stage, reason))
        out: dict[str, list[Stored]] = {}
        for sha, mid, status, raw_path in conn.execute(
                "SELECT m.sha256, v.message_id, v.status, v.raw_path FROM v_messages v "
                "JOIN messages m ON m.id = v.message_id"):
            out.setdefault(sha, []).append(Stored(mid, status, raw_path, failures.get(mid, [])))
        return out
    finally:
        conn.close()


def message_count(config: Path) -> int:
    db = store_path(config)
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM v_messages").fetchone()[0]
    finally:
        conn.close()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(maildir: Path) -> dict[str, str]:
    """Every file under the Maildir (relative name -> sha256 of its bytes)."""
    maildir = Path(maildir)
    return {str(p.relative_to(maildir)): sha256(p.read_bytes()) for p in sorted(maildir.rglob("*")) if p.is_file()}
