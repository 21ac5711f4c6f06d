"""One daemon per store: an exclusive `flock` on `<store>.lock`, held for the process lifetime.

Two daemons polling one mailbox into one store would not corrupt it (every write is keyed and
idempotent), but they would race on the same messages, send reminders twice as fast as the
outbox dedupes them and make the logs unreadable. `flock` is released by the kernel when the
process dies, even by `kill -9`, so a crash never leaves a stale lock for the admin to remove.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from store.errors import BaocaoError


class StoreLocked(BaocaoError):
    """Another process holds the store's lock. The command line exits 2 with this one line."""

    def __init__(self, store: Path, holder: str):
        who = f"process {holder}" if holder else "another process"
        super().__init__(f"the store {store} is in use by {who} (a baocao daemon is already running); "
                         f"stop it first (e.g. `systemctl stop baocao`) or use another store")
        self.store = store
        self.holder = holder


def lock_path(store: Path) -> Path:
    return Path(f"{store}.lock")


class StoreLock:
    """The held lock; `release()` (or process exit) frees it."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> "StoreLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire(store: Path) -> StoreLock:
    """Take the store's lock without waiting, or raise StoreLocked naming the holder's PID."""
    path = lock_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        raise StoreLocked(store, holder) from None
    # The PID is only for the message above; the lock itself is the flock, not the file's content.
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return StoreLock(path, fd)
