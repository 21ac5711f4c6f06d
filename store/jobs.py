"""The job runs: one row per run of a daemon job (`job_runs`), which `health` and an admin read."""
from __future__ import annotations

from store.db import Database, inserted_id


def start(db: Database, job: str, started_at: str) -> int:
    """A run begins; returns its id for `finish`."""
    return inserted_id(db.execute("INSERT INTO job_runs (job, started_at) VALUES (?, ?)", [job, started_at]))


def finish(db: Database, run_id: int, finished_at: str, ok: bool, detail: str | None) -> None:
    """The run ended: when, whether it went well, and the one line saying why not."""
    db.execute("UPDATE job_runs SET finished_at = ?, ok = ?, detail = ? WHERE id = ?",
               [finished_at, int(ok), detail, run_id])
