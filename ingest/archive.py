"""The raw archive: every message's bytes, content-addressed, written before anything is parsed.

Content addressing makes a re-fetch after a crash harmless (same bytes, same file), and the
temporary-file + fsync + rename sequence means a crash never leaves a half-written message.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def path_for(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / f"{sha256}.eml"


def store(root: Path, raw: bytes) -> tuple[str, Path]:
    """Write `raw` under its hash (idempotent); return (sha256, path)."""
    sha = digest(raw)
    final = path_for(root, sha)
    if final.exists() and final.stat().st_size == len(raw):
        return sha, final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    dir_fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return sha, final


def load(path: str | Path) -> bytes:
    return Path(path).read_bytes()
