"""The raw archive: every message's bytes, content-addressed, written before anything is parsed.

Content addressing makes a re-fetch after a crash harmless (same bytes, same file), and the
temporary-file + fsync + rename sequence means a crash never leaves a half-written message:
temporary files live in one folder, `<archive>/.tmp/`, emptied at the start of every poll
(`clean_temporary`), so a `kill -9` mid-write leaves nothing behind for long.

A write that fails (disk full, read-only disk, permissions) raises `ArchiveError`, one line
naming the folder and the cause; the message is then not recorded and the poll stops, so the
mail is taken again once the disk is fixed.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

from store.errors import ArchiveError

TMP = ".tmp"
WRITERS = 8          # files written at once by the intake (`ingest.pipeline.Arrivals`)


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def path_for(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / f"{sha256}.eml"


def store(root: Path, raw: bytes) -> tuple[str, Path]:
    """Write `raw` under its hash (idempotent); return (sha256, path)."""
    sha = digest(raw)
    return sha, _write(root, sha, raw)


def _write(root: Path, sha: str, raw: bytes) -> Path:
    final = path_for(root, sha)
    try:
        if final.exists() and final.stat().st_size == len(raw):
            return final
        tmpdir = root / TMP
        tmpdir.mkdir(parents=True, exist_ok=True)
        final.parent.mkdir(parents=True, exist_ok=True)
        # the writer's own temporary file: two writers of the same bytes each rename theirs
        tmp = tmpdir / f"{sha}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                tmp.unlink()
        _fsync_dir(final.parent)
    except OSError as exc:
        raise ArchiveError(f"archive: cannot write to {root}: {exc.strerror or exc}") from None
    return final


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def clean_temporary(root: Path) -> int:
    """Remove what interrupted writes left in `<archive>/.tmp/` (the caller holds the store's
    lock, so no other writer is using it). Returns how many files were removed."""
    tmpdir = root / TMP
    if not tmpdir.is_dir():
        return 0
    count = sum(1 for _ in tmpdir.iterdir())
    shutil.rmtree(tmpdir, ignore_errors=True)
    return count


def load(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ArchiveError(f"archive: cannot read {path}: {exc.strerror or exc}") from None
