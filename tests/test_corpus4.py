"""Corpus 4: a red-team mailbox written without reading the parsers or the classifier
(tests/corpus4/make_corpus.py), scored through the public contract only: one `poll` of the
command line on a Maildir, then the views v_messages, v_values, v_incidents and v_failures.

Only the hard invariants are asserted (the poll does not crash, every mail has its row, no
traceback). The acceptance targets are in TARGETS and run as non-strict xfails: once a class is
fixed, move its metric to REQUIRED to make it a real assertion. `python3 bench/corpus4.py` prints
the same table (and `--misses` every miss).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.corpus4 import scoring

SEED = 4

# metric -> minimum (fractions). All are measured; those in REQUIRED are asserted.
TARGETS: dict[str, float] = {
    "status": 1.0,
    "unit": 1.0,
    "period": 1.0,
    "value_precision": 1.0,
    "value_recall": 0.95,
    "incidents_found": 1.0,
    "incident_dates": 1.0,
    "followups_joined": 1.0,
    "hostile_failure_rows": 1.0,
    "questions_not_reports": 1.0,
    "supplements_merged": 1.0,
    "resends_replace": 1.0,
}
REQUIRED: set[str] = set(TARGETS)   # every target holds on seeds 4 and 5


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    folder: Path = tmp_path_factory.mktemp("corpus4")
    return scoring.run_all(folder, SEED)


def metric(res: dict[str, Any], name: str) -> float:
    t = res["totals"]
    ov = res["values"]["overall"]
    i = res["incidents"]

    def f(a: int, b: int) -> float:
        return a / b if b else 1.0
    return {
        "status": f(*t["status"]), "unit": f(*t["unit"]), "period": f(*t["period"]),
        "value_precision": ov.precision() if ov.precision() is not None else 1.0,
        "value_recall": ov.recall() if ov.recall() is not None else 1.0,
        "incidents_found": f(i["found"], i["cases"]), "incident_dates": f(i["date_ok"], i["cases"]),
        "followups_joined": f(i["joined"], i["followups"]),
        "hostile_failure_rows": f(*res["hostile"]), "questions_not_reports": f(*res["questions"]),
        "supplements_merged": f(*res["supplements"]["merge"]),
        "resends_replace": f(*res["supplements"]["replace"]),
    }[name]


def test_score_table(scored: Any, capsys: pytest.CaptureFixture[str]) -> None:
    res, rt, _truth = scored
    with capsys.disabled():
        print("\n" + scoring.table(res, rt))
        print(f"(corpus generated in {rt['generate_seconds']:.1f} s)")
        print(scoring.misses_text(res))


def test_poll_does_not_crash(scored: Any) -> None:
    _res, rt, _truth = scored
    assert rt["rc"] in (0, 1), (rt["rc"], rt["stderr"][-2000:])
    assert "Traceback" not in rt["stderr"] and "Traceback" not in rt["stdout"], rt["stderr"][-3000:]


def test_every_mail_has_a_row(scored: Any) -> None:
    res, _rt, _truth = scored
    assert res["no_row"] == []


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_target(scored: Any, name: str, request: pytest.FixtureRequest) -> None:
    if name not in REQUIRED:
        request.applymarker(pytest.mark.xfail(strict=False, reason="acceptance target, not yet required"))
    res, _rt, _truth = scored
    got = metric(res, name)
    assert got >= TARGETS[name], f"{name}: {got:.3f} < {TARGETS[name]}"
