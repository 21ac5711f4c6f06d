"""kill -9 at random moments and at chosen code points, then recovery: the short, seeded CI variant.

Each trial runs the real CLI (`poll` or `run --once`) on ~30 realistic mails in its own session,
SIGKILLs the group leader only (its parser workers must die by themselves), restarts until a run
completes and then checks every invariant of `harness.check`: each Maildir message recorded
exactly once and visible, archive == recorded hashes, no temp file, integrity ok, failures
visible, nothing left unprocessed, the same outcome as a clean run, the Maildir untouched, no
process left in any run's group. The long run is `python3 bench/faults.py`.

    BAOCAO_TREE=/path/to/checkout   the tree under test (default: this repository)
    BAOCAO_FAULTS_SEED=N            another seed (default 1)
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults import harness as h

pytestmark = pytest.mark.timeout(600)

SEED = int(os.environ.get("BAOCAO_FAULTS_SEED", "1"))
TIME_TRIALS = 6
# The command in which each point is hit (a clean run's call counts say the others call it too).
POINT_COMMAND = {"ingest.archive:store": "poll", "store.messages:insert_message": "run",
                 "store.messages:begin_attempt": "run", "store.messages:save_outcome": "poll",
                 "store.messages:save_warnings": "poll", "store.incidents:queue_alert": "poll",
                 "store.messages:StoreSeen.mark": "run", "compile.outbox:deliver": "run"}


# The worst moment for one point, rather than a seeded one: right after an incident's processing
# is saved (what follows the save: its case, its alert, must not be lost by a kill there).
FIXED = {"store.messages:save_outcome": ("incident", "after")}


@pytest.fixture(scope="module")
def baselines(tmp_path_factory) -> dict[str, h.Baseline]:
    root = tmp_path_factory.mktemp("faults-baseline")
    return {cmd: h.baseline(root / cmd, cmd) for cmd in h.COMMANDS}


def _assert_sound(trial: h.Trial) -> None:
    assert trial.recovered, f"no run completed after the kill(s):\n{trial.describe()}"
    problems = trial.check.problems()
    # the three the issue is about first, so a failure names them before the rest
    for kind in ("lost", "duplicated", "leftover"):
        assert not problems.get(kind), f"{kind}:\n{trial.describe()}"
    assert not problems, trial.describe()


@pytest.mark.parametrize("n", range(TIME_TRIALS))
def test_kill_by_time_then_recover(baselines, tmp_path: Path, n: int) -> None:
    command = ("poll", "run")[n % 2]
    trial = h.time_kill_trial(tmp_path / "work", command, baselines[command], SEED * 1000 + n, max_kills=2)
    assert trial.kills >= 1, f"no run was killed (every run finished first):\n{trial.describe()}"
    _assert_sound(trial)


@pytest.mark.parametrize("point", h.KILL_POINTS)
def test_kill_at_code_point_then_recover(baselines, tmp_path: Path, point: str) -> None:
    command = POINT_COMMAND[point]
    calls = baselines[command].counts.get(point)
    assert calls, (f"{point} cannot be armed or is never called in a clean `{command}` "
                   f"(calls: {baselines[command].counts}); the kill points are a contract of the tree")
    n = when = None
    if point in FIXED:
        n, when = h.nth_recorded(h.corpus(tree=str(h.tree_path())), FIXED[point][0]), FIXED[point][1]
    trial = h.point_kill_trial(tmp_path / "work", command, baselines[command], point, SEED, n=n, when=when)
    assert trial.kills == 1, f"the kill at {point} did not fire:\n{trial.describe()}"
    _assert_sound(trial)


def test_kill_right_after_a_report_is_saved_loses_nothing_that_follows(baselines, tmp_path: Path) -> None:
    """What the processing of a report queues after its save (its receipt: receipts are on in the
    harness's config) must survive a kill right after the save: the re-fetch finds the message
    processed and does not process it again."""
    n = h.nth_recorded(h.corpus(tree=str(h.tree_path())), "report")
    trial = h.point_kill_trial(tmp_path / "work", "poll", baselines["poll"], "store.messages:save_outcome", SEED,
                               n=n, when="after")
    assert trial.kills == 1, f"the kill did not fire:\n{trial.describe()}"
    _assert_sound(trial)


@pytest.mark.parametrize("spec, says", [
    ("store.messages:no_such_function:1", "has no 'no_such_function'"),
    ("store.messages:StoreSeen.no_such_method:1", "has no 'StoreSeen.no_such_method'"),
    ("baocao_no_such_module:f:1", "never imported baocao_no_such_module"),
    ("store.messages:insert_message:zero", "expected module:function:N"),
])
def test_hook_says_when_it_cannot_arm(tmp_path: Path, spec: str, says: str) -> None:
    """A point the tree does not have is said on stderr, and the run goes on unharmed."""
    work = h.make_work(tmp_path / "work", mails=(), write_mails=False)
    run = h.run_cli(work, ("poll",), env={"BAOCAO_KILL_AT": spec})  # poll imports store.messages
    assert run.returncode is not None and run.returncode >= 0, run.describe()
    lines = run.hook_lines()
    assert len(lines) == 1 and says in lines[0] and "nothing armed" in lines[0], run.describe()
    assert not run.leftover, run.describe()
