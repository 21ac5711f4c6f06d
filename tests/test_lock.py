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
