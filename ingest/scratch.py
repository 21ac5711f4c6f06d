"""One scratch folder per baocao process, for the temporary files of parsers and their programs.

Parsers unpack archives, convert .doc files and OCR pages in temporary folders; a worker killed
at its limit, or a poll killed with `kill -9`, cannot clean up after itself. So every process
works in `<store folder>/tmp/<pid>/` (TMPDIR is set there before any worker starts, so workers
and the programs they run inherit it), and `claim` removes the folders of processes that are
no longer alive: what a killed poll left is gone at the next start.
"""
from __future__ import annotations

import multiprocessing.util
import os
import shutil
import tempfile
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Scratch:
    """This process's claimed folder and what the temp settings were before it."""

    def __init__(self, folder: Path, env: str | None, tempdir: str | None):
        self.folder, self._env, self._tempdir = folder, env, tempdir

    def release(self) -> None:
        """Remove the folder and put the previous temp settings back (a clean exit, or the end
        of a command run in-process)."""
        if self._env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = self._env
        tempfile.tempdir = self._tempdir
        shutil.rmtree(self.folder, ignore_errors=True)


def claim(root: Path) -> Scratch:
    """Clean the folders of dead processes under `root` and make this process's own the temp dir."""
    # multiprocessing keeps the forkserver's socket in a temp folder of its own, made once per
    # process: made before the switch, it outlives `release` (a command run in-process, tests)
    multiprocessing.util.get_temp_dir()
    root.mkdir(parents=True, exist_ok=True)
    for entry in root.iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid() and not _alive(int(entry.name)):
            shutil.rmtree(entry, ignore_errors=True)
    mine = root / str(os.getpid())
    mine.mkdir(exist_ok=True)
    previous = Scratch(mine, os.environ.get("TMPDIR"), tempfile.tempdir)
    os.environ["TMPDIR"] = str(mine)
    tempfile.tempdir = str(mine)
    return previous
