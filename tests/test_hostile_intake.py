"""Nothing stops the intake: hostile mail through the public path (`scheduler.py poll`).

A Maildir of realistic mails mixed with every trap of tests/hostile/generator.py goes through
one `poll` in a subprocess (the command line, from the repo root). Every file must end up as
exactly one message in v_messages with a contract status, its raw bytes archived; the poll
must exit 0 or 1 without a traceback; the Maildir must be left as it was; a second poll
finds nothing new. Then each trap alone, in its own Maildir and store, must be recorded too.

The subprocess timeouts are hang guards, not performance assertions. BAOCAO_HOSTILE_TREE=PATH
runs the same corpus against another checkout (e.g. a worktree of an older commit).
"""
from __future__ import annotations

import concurrent.futures
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile import (CONTRACT_STATUSES, PollRun, Stored, message_count, run_poll, sha256, snapshot, stored,
                           write_config)
from tests.hostile import generator

ROOT = Path(__file__).resolve().parent.parent
TREE = Path(os.environ.get("BAOCAO_HOSTILE_TREE") or ROOT).resolve()   # the checkout whose poll is run
REALISTIC = 20            # realistic mails mixed with the traps
POLL_TIMEOUT = 240.0      # the whole Maildir, per poll
TRAP_TIMEOUT = 120.0      # one trap alone (a hang guard with room for a loaded machine)
JOBS = 2                  # trap polls at once (the machine may have two cores)

# Alone, in CI: the traps that stopped or stalled the poll at the first score (HEAD before the
# intake rewrite) and the slowest one; every trap is also in the whole Maildir above, and
# `bench/hostile.py` (or BAOCAO_HOSTILE_ALL=1) runs each one alone.
KILLERS_AT_FIRST_SCORE = (
    "mime_nested_multipart_2000", "mime_sibling_parts_20000", "date_year_9999", "received_year_9999",
    "from_colons_5000", "to_colons_5000", "cc_colons_5000", "from_comments_5000", "fwd_body_from_colons",
    "fwd_body_from_comments", "name_surrogate_utf7", "name_surrogate_unicode_escape", "to_encoded_colons",
    "body_dashes_1500", "body_dashes_100k", "subject_rfc2047_1m", "html_unclosed_script_50000",
    "html_unclosed_style_and_tags", "charset_utf7")
ALONE = generator.TRAP_NAMES if os.environ.get("BAOCAO_HOSTILE_ALL") else tuple(
    n for n in generator.TRAP_NAMES if n in KILLERS_AT_FIRST_SCORE)

# the module fixtures run every poll once; their time counts against the first test using them
pytestmark = pytest.mark.timeout(1800)


@dataclass
class Whole:
    names: dict[str, str]            # Maildir file name -> corpus name
    shas: dict[str, str]             # corpus name -> sha256 of its bytes
    traps: set[str]
    before: dict[str, str]
    first: PollRun
    rows: dict[str, list[Stored]]
    after_first: dict[str, str]
    count_first: int
    second: PollRun | None
    rows_second: dict[str, list[Stored]]
    after_second: dict[str, str]
    count_second: int


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Whole:
    folder = tmp_path_factory.mktemp("hostile-whole")
    traps = generator.traps()
    pairs = generator.mixed(REALISTIC)
    names = generator.write_maildir(folder / "maildir", pairs)
    config = write_config(TREE, folder)
    before = snapshot(folder / "maildir")
    first = run_poll(TREE, config, POLL_TIMEOUT)
    rows, count_first, after_first = stored(config), message_count(config), snapshot(folder / "maildir")
    # a poll that hung would hang again: the second poll is only meaningful after a finished one
    second = None if first.timed_out else run_poll(TREE, config, POLL_TIMEOUT)
    return Whole(names=names, shas={n: sha256(b) for n, b in pairs}, traps={n for n, _ in traps}, before=before,
                 first=first, rows=rows, after_first=after_first, count_first=count_first, second=second,
                 rows_second=stored(config), after_second=snapshot(folder / "maildir"),
                 count_second=message_count(config))


def _few(items, n: int = 25) -> str:  # type: ignore[no-untyped-def]
    items = list(items)
    return f"{len(items)}: {items[:n]}" + (" ..." if len(items) > n else "")


def test_the_corpus_is_what_the_test_expects(whole: Whole) -> None:
    """Guards the guard: every trap is in the Maildir, one file per distinct content."""
    assert set(generator.TRAP_NAMES) <= set(whole.names.values())
    assert len(set(whole.shas.values())) == len(whole.shas) == len(whole.names)
    assert sha256(b"") in whole.shas.values()  # the empty file is there


def test_poll_finishes_without_a_traceback(whole: Whole) -> None:
    run = whole.first
    assert not run.timed_out, run.tail()
    assert run.rc in (0, 1), run.tail()
    assert not run.traceback, run.tail()
    assert not run.internal_error, run.tail()


def test_every_file_is_one_message(whole: Whole) -> None:
    missing = sorted(n for n, s in whole.shas.items() if s not in whole.rows)
    assert not missing, f"not in v_messages, {_few(missing)} of {len(whole.shas)}\n{whole.first.tail(1500)}"
    twice = sorted(n for n, s in whole.shas.items() if len(whole.rows[s]) != 1)
    assert not twice, twice
    assert whole.count_first == len(whole.shas)   # and no message that is not a Maildir file


def test_every_message_has_a_contract_status(whole: Whole) -> None:
    statuses = {n: [r.status for r in whole.rows.get(sha, [])] for n, sha in sorted(whole.shas.items())}
    traps = {n: s for n, s in statuses.items() if n in whole.traps and (not s or set(s) - CONTRACT_STATUSES)}
    assert not traps, f"traps without a contract status, {_few(traps.items())}"
    others = {n: s for n, s in statuses.items() if n not in whole.traps and (not s or set(s) - CONTRACT_STATUSES)}
    assert not others, f"realistic mails without a contract status, {_few(others.items())}"
    unexplained = sorted(n for n, sha in whole.shas.items() for r in whole.rows.get(sha, [])
                         if r.status == "failed" and not r.failures)
    assert not unexplained, f"failed without a v_failures row: {unexplained}"


def test_the_archive_holds_the_raw_bytes(whole: Whole) -> None:
    wrong = []
    for name, sha in whole.shas.items():
        for row in whole.rows.get(sha, []):
            path = Path(row.raw_path)
            if not path.is_file() or sha256(path.read_bytes()) != sha:
                wrong.append(name)
    assert whole.rows, "nothing recorded"
    assert not wrong, wrong


def test_the_maildir_is_left_as_it_was(whole: Whole) -> None:
    assert len(whole.before) == len(whole.names)
    assert whole.after_first == whole.before
    assert whole.after_second == whole.before


def test_a_second_poll_records_nothing_new(whole: Whole) -> None:
    assert whole.second is not None, "the first poll did not finish"
    run = whole.second
    assert not run.timed_out and run.rc in (0, 1), run.tail()
    assert not run.traceback and not run.internal_error, run.tail()
    assert "poll: 0 new message(s)" in run.stdout, run.tail()
    assert whole.count_second == whole.count_first
    assert {s: [(r.message_id, r.status) for r in rows] for s, rows in whole.rows_second.items()} == \
           {s: [(r.message_id, r.status) for r in rows] for s, rows in whole.rows.items()}


# ---------------------------------------------------------------- each trap alone

@dataclass
class Alone:
    run: PollRun
    rows: list[Stored]
    sha: str
    before: dict[str, str]
    after: dict[str, str]


def _alone(base: Path, name: str, raw: bytes) -> Alone:
    folder = base / name
    folder.mkdir()
    generator.write_maildir(folder / "maildir", [(name, raw)])
    config = write_config(TREE, folder)
    before = snapshot(folder / "maildir")
    run = run_poll(TREE, config, TRAP_TIMEOUT)
    try:
        rows = stored(config).get(sha256(raw), [])
    except Exception as exc:  # noqa: BLE001 - an unreadable store fails this trap's test, not all of them
        rows = []
        run.stderr += f"\n(test: the store could not be read: {type(exc).__name__}: {exc})"
    return Alone(run=run, rows=rows, sha=sha256(raw), before=before, after=snapshot(folder / "maildir"))


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Alone]:
    base = tmp_path_factory.mktemp("hostile-alone")
    traps = [pair for pair in generator.traps() if pair[0] in ALONE]
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
        results = pool.map(lambda pair: _alone(base, *pair), traps)
        return {name: result for (name, _), result in zip(traps, results)}


def test_the_killers_chosen_for_ci_exist() -> None:
    assert set(KILLERS_AT_FIRST_SCORE) <= set(generator.TRAP_NAMES)


@pytest.mark.parametrize("name", ALONE)
def test_each_trap_alone_is_recorded(alone: dict[str, Alone], name: str) -> None:
    result = alone[name]
    run = result.run
    assert not run.timed_out, run.tail()
    assert run.rc in (0, 1), run.tail()
    assert not run.traceback and not run.internal_error, run.tail()
    assert len(result.rows) == 1, f"not recorded in v_messages\n{run.tail()}"
    row = result.rows[0]
    assert row.status in CONTRACT_STATUSES, row
    if row.status == "failed":
        assert row.failures, "status 'failed' without a v_failures row"
    assert sha256(Path(row.raw_path).read_bytes()) == result.sha
    assert result.after == result.before
