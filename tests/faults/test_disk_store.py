"""Operations faults: the archive on a full disk, the store on a read-only mount, the store locked by
another writer. Each must end in ONE line on stderr (`baocao: ...`, no traceback, no "internal
error") with exit 1 or 2, nothing half-recorded, and a full recovery once the cause is gone.

The disk faults mount small tmpfs file systems inside the test's temp folder (root only; skipped
with the reason when `mount` is refused) and always unmount them. The lock tests need no mount.

    BAOCAO_TREE=/path/to/checkout   the tree under test (default: this repository)
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import harness as h

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def can_mount(tmp_path_factory) -> None:
    why = h.mount_permitted(tmp_path_factory.mktemp("mount-probe"))
    if why:
        pytest.skip(f"cannot mount a tmpfs here ({why}); the disk faults need root and mount")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> h.Baseline:
    return h.baseline(tmp_path_factory.mktemp("faults-baseline") / "poll", "poll")


def _assert_scenario(sc: h.Scenario) -> None:
    problems = sc.problems()
    assert not problems, sc.describe()


@pytest.mark.parametrize("variant", ["tiny", "filled"])
def test_archive_on_a_full_disk(can_mount, base, tmp_path: Path, variant: str) -> None:
    """tiny: a tmpfs that holds some of the mails; filled: one filled to the last byte first."""
    sc = h.archive_full(tmp_path / "work", base, variant)
    assert sc.fault_runs and sc.fault_runs[0].returncode != 0, f"the poll did not notice:\n{sc.describe()}"
    _assert_scenario(sc)


def test_store_on_a_read_only_mount(can_mount, base, tmp_path: Path) -> None:
    """poll: one line, exit 2; status, failures, health still answer; rw again: all recorded."""
    sc = h.store_readonly(tmp_path / "work", base)
    _assert_scenario(sc)


def test_store_locked_briefly_the_poll_waits(base, tmp_path: Path) -> None:
    """Another writer holds the store ~1 s (busy_timeout_seconds = 2): the poll waits and succeeds."""
    sc = h.store_locked(tmp_path / "work", base, "short")
    _assert_scenario(sc)


def test_store_locked_throughout_one_line_then_recovery(base, tmp_path: Path) -> None:
    """Held for the whole poll: one line naming the store and the lock, nothing half-recorded;
    released: the next poll records everything."""
    sc = h.store_locked(tmp_path / "work", base, "long")
    assert sc.fault_runs and sc.fault_runs[0].returncode != 0, f"the poll did not notice:\n{sc.describe()}"
    _assert_scenario(sc)
