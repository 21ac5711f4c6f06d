"""The store lock: one daemon per store, released by the kernel even after kill -9."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from store.lock import StoreLocked, acquire, lock_path

ROOT = Path(__file__).resolve().parent.parent


def holder(store: Path) -> subprocess.Popen[str]:
    """Another process holding the lock until its stdin closes: the real case (a second daemon),
    and the holder's PID must be the one the refusal names."""
    code = textwrap.dedent(f"""
        import sys
        from store.lock import acquire
        lock = acquire(__import__("pathlib").Path({str(store)!r}))
        print("held", flush=True)
        sys.stdin.read()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    store = tmp_path / "var" / "baocao.sqlite"
    proc = holder(store)
    try:
        with pytest.raises(StoreLocked) as err:
            acquire(store)
        text = str(err.value)
        assert f"process {proc.pid}" in text and "already running" in text and str(store) in text
    finally:
        proc.communicate("")
    with acquire(store):   # released when the holder exited
        assert lock_path(store).read_text().strip() == str(os.getpid())


def test_kill_9_releases_the_lock(tmp_path: Path) -> None:
    store = tmp_path / "baocao.sqlite"
    proc = holder(store)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    lock = acquire(store)
    lock.release()
    lock.release()   # idempotent


def test_release_lets_the_same_process_take_it_again(tmp_path: Path) -> None:
    store = tmp_path / "baocao.sqlite"
    with acquire(store):
        pass
    with acquire(store) as again:
        assert again.path == lock_path(store)


@pytest.mark.parametrize("command", [["poll"], ["remind"], ["digest", "--period", "2024S1"], ["reprocess", "1"],
                                     ["assign", "1", "--unit", "THPT-LOCNINH"], ["resend", "1"], ["run", "--once"]])
def test_a_command_refused_beside_the_daemon_has_done_nothing(tmp_path: Path, command: list[str]) -> None:
    """The lock is taken before any write: a command that meets the running daemon exits 2 with
    one line and leaves the store exactly as it was (no queued digest, no migration, no row)."""
    import shutil

    from tests.conftest import write_config
    (tmp_path / "maildir").mkdir()
    shutil.copytree(ROOT / "examples" / "maildir", tmp_path / "maildir", dirs_exist_ok=True)
    config = write_config(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run([sys.executable, "-m", "scheduler", "--config", str(config), "--now", "2024-07-05T08:00",
                            "poll"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    store = tmp_path / "var" / "baocao.sqlite"

    def files() -> dict[str, bytes]:   # the database and its write-ahead log: a write lands in one
        return {p.name: p.read_bytes() for p in store.parent.glob("baocao.sqlite*") if p.suffix != ".lock"}
    before = files()
    proc = holder(store)
    try:
        refused = subprocess.run([sys.executable, "-m", "scheduler", "--config", str(config), "--now",
                                  "2024-07-10T08:00", *command], cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=300)
    finally:
        proc.communicate("")
    assert refused.returncode == 2 and "in use" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert files() == before
