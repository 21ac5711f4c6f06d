"""IMAP faults, the short seeded CI variant of `python3 bench/imap_faults.py`.

`baocao poll` over the private Dovecot through tests/imap_proxy.py: connections cut, reset and
stalled at connect, greeting, login and mid-FETCH, NO/BAD to single messages, Dovecot restarted
during a poll, real UIDVALIDITY changes (index rebuilt, folder re-created), new mail between
polls, then clean polls. Every mail must be recorded once, no flag may change, every refusal
must be visible while it lasts, every failed poll one line (tests/faults/imap_harness.py).

    BAOCAO_TREE=/path/to/checkout   the tree under test (default: this repository)
    BAOCAO_FAULTS_SEED=N            another seed (default 1)
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dovecot import Dovecot
from tests.faults import imap_harness as ih

pytestmark = pytest.mark.timeout(300)

SEED = int(os.environ.get("BAOCAO_FAULTS_SEED", "1"))


def test_imap_faults_lose_nothing_record_nothing_twice_and_touch_no_flag(dovecot: Dovecot, tmp_path: Path) -> None:
    bench = ih.ImapFaults(tmp_path / "run", dovecot, faults=16, mails_n=30, seed=SEED, renumberings=2,
                          timeout=1.0)
    try:
        result = bench.run()
    finally:
        bench.proxy.close()
    bad = "\n".join(f"poll {p.n} ({', '.join(p.kinds) or 'clean'}): {p.problems}\n  {p.run.describe()}"
                    for p in result.bad_polls())
    total = result.total
    assert total["faults"] >= 16 and len(result.uidvalidities) == 3, result.rows
    # the three the issue is about first, so a failure names them before the rest
    assert total["lost"] == 0, f"{result.final}\n{bad}"
    assert total["twice"] == 0, bad
    assert total["flags"] == 0, bad
    assert not result.final, result.final
    assert not bad, bad
