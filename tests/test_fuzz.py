"""Fuzzing as a habit: hostile mail and damaged report files never stop the intake.

Inputs come from tests/fuzzing/strategies.py (deep MIME nesting, broken RFC 2047 words, lying
charsets and transfer encodings, colon-and-comment addresses, year-9999 dates, truncated and
mutated xlsx/docx/pdf/zip files, ...). The budget is small and the run derandomized, so CI sees
the same inputs every time; `BAOCAO_FUZZ_EXAMPLES=10 python3 -m pytest tests/test_fuzz.py` runs
ten times as many (BAOCAO_FUZZ_SHRINK=1 also shrinks a failing input), and `bench/fuzz.py` is the
long run. No assertion here is about time: slow inputs are the bench's business.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import write_config
from tests.fuzzing import strategies as S
from tests.mails import write_maildir

SCALE = float(os.environ.get("BAOCAO_FUZZ_EXAMPLES", "1") or 1)
# Shrinking a failure re-runs the generators hundreds of times (minutes on bad code); the failing
# input is shown as drawn, with the list of hostile features in it. BAOCAO_FUZZ_SHRINK=1 shrinks.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate) + ((Phase.shrink,) if os.environ.get("BAOCAO_FUZZ_SHRINK") else ())
NOW = dt.datetime(2024, 7, 5, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
KINDS = sorted(S.seed_files())
LIMITS_TIMEOUT_S = 20.0   # a worker limit, so one stuck parser cannot stall CI; not an assertion


def fuzz(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, derandomize=True, database=None,
                    print_blob=True, phases=PHASES, suppress_health_check=[
                        HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                        HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from store.config import load
    folder = tmp_path_factory.mktemp("fuzzcfg")
    for sub in ("cur", "new", "tmp"):
        (folder / "maildir" / sub).mkdir(parents=True)
    return load(write_config(folder)).reports[0]


@pytest.fixture(scope="module")
def limits():
    from parsers.archives import DEFAULT_LIMITS
    return dataclasses.replace(DEFAULT_LIMITS, timeout_s=LIMITS_TIMEOUT_S)


# ---------------------------------------------------------------- what every result must be

def not_utf8(obj, path: str = "") -> list[str]:
    """Paths of the strs in `obj` (dataclasses, lists, tuples) that cannot be written as UTF-8."""
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError as err:
            return [f"{path}: {obj[max(0, err.start - 20):err.end + 20]!r}"]
        return []
    if isinstance(obj, (list, tuple)):
        return [p for item in obj for p in not_utf8(item, path + "[]")]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [p for f in dataclasses.fields(obj) for p in not_utf8(getattr(obj, f.name), f"{path}.{f.name}")]
    return []


def check_message(parsed) -> None:
    from parsers.mime import ParsedMessage
    assert isinstance(parsed, ParsedMessage)
    assert not_utf8(parsed) == []
    for when in (parsed.date, parsed.received_date):
        assert when is None or (isinstance(when, dt.datetime) and when.tzinfo is not None)
    for att in parsed.attachments:
        assert isinstance(att.data, bytes)
        assert att.safe_name and "/" not in att.safe_name and "\\" not in att.safe_name
        assert not att.safe_name.startswith(".")


def check_reports(results, report) -> None:
    from store.records import ParsedReport
    assert isinstance(results, list) and results, "one ParsedReport per file at least"
    codes = {i.code for i in report.indicators}
    for r in results:
        assert isinstance(r, ParsedReport)
        assert not_utf8(r) == []
        for v in r.values:
            assert isinstance(v.source, str) and v.source.strip(), f"a value without provenance: {v}"
            assert v.indicator in codes, v
            assert v.number is None or finite(v.number), f"a non-finite figure: {v}"


def finite(number) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an int past float range: no SQLite column takes it either
        return False


def projection(results) -> list:
    return [(r.filename, r.detected_type, [(v.indicator, repr(v.number), v.raw, v.source, v.method) for v in r.values],
             sorted(p.reason for p in r.problems)) for r in results]


def hit_a_limit(results) -> bool:
    return any(p.reason.startswith(("timeout", "memory limit", "parser crashed")) for r in results for p in r.problems)


def test_the_checks_bite(report) -> None:
    """The property checks fail on the defects they exist for (else the properties prove nothing)."""
    from parsers.mime import ParsedMessage
    from store.records import ParsedReport, Value
    code = report.indicators[0].code
    check_message(ParsedMessage(subject="Báo cáo"))
    check_reports([ParsedReport("a.xlsx", "xlsx", values=[Value(code, 3.0, "3", "a.xlsx › E3")])], report)
    for bad in (ParsedMessage(subject="B\udcc3o c\u00e1o"), ParsedMessage(forwarded_subjects=["\ud800"])):
        with pytest.raises(AssertionError):
            check_message(bad)
    for value in (Value(code, 3.0, "3", ""), Value(code, math.inf, "1e309", "a.xlsx › E3"),
                  Value(code, 10**400, "1" + "0" * 400, "a.xlsx › E3"),
                  Value(code, 3.0, "3\udfff", "a.xlsx › E3"), Value("no_such_code", 3.0, "3", "a.xlsx › E3")):
        with pytest.raises(AssertionError):
            check_reports([ParsedReport("a.xlsx", "xlsx", values=[value])], report)
    with pytest.raises(AssertionError):
        check_reports([], report)


# ---------------------------------------------------------------- the seeds are real reports

def test_seed_files_are_read_as_reports(report) -> None:
    """Unmutated, every seed file gives figures: the mutations start from something a parser
    reads all the way through (a stale seed would make the properties below test little)."""
    from parsers.registry import parse_attachment
    for kind, (name, data) in S.seed_files().items():
        results = parse_attachment(name, data, report, isolate=False)
        values = [v for r in results for v in r.values]
        assert len({v.indicator for v in values}) >= 3, (kind, projection(results))
        check_reports(results, report)


REPRO = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
from tests.fuzzing import strategies as S
h = hashlib.sha256()
for i in range(30):
    h.update(S.mail(S.RandomSource(f"7:{i}")))
    h.update(S.attachment_input(S.RandomSource(f"7:{i}"))[2])
print(h.hexdigest())
"""


def test_generated_input_is_reproducible() -> None:
    """bench/fuzz.py rebuilds input i of seed s from (s, i) alone, in another process (seed
    files included: their timestamps are fixed)."""
    import subprocess
    import sys
    h = hashlib.sha256()
    mails = []
    for i in range(30):
        mails.append(S.mail(S.RandomSource(f"7:{i}")))
        h.update(mails[-1])
        h.update(S.attachment_input(S.RandomSource(f"7:{i}"))[2])
    assert len(set(mails)) == len(mails)
    root = str(Path(__file__).resolve().parent.parent)
    out = subprocess.run([sys.executable, "-c", REPRO, root], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == h.hexdigest()


# ---------------------------------------------------------------- mail

@pytest.mark.parametrize("family", ("any",) + S.FAMILIES)
@fuzz(15)
@given(data=st.data())
def test_parse_message_never_raises(family: str, data) -> None:
    from parsers.mime import parse_message
    profile = S.CI if family == "any" else S.CI.forcing(family)
    raw = data.draw(S.mails(profile), label="raw")
    check_message(parse_message(raw))


@fuzz(30)
@given(raw=S.mails(S.CI))
def test_parse_message_is_deterministic(raw: bytes) -> None:
    from parsers.mime import parse_message
    first = parse_message(raw)
    check_message(first)
    assert parse_message(raw) == first


# ---------------------------------------------------------------- report files

@pytest.mark.parametrize("kind", KINDS)
@fuzz(10)
@given(data=st.data())
def test_parse_attachment_never_raises(kind: str, data, report, limits) -> None:
    from parsers.registry import parse_attachment
    name, blob = data.draw(S.attachments(kind, S.CI), label="file")
    check_reports(parse_attachment(name, blob, report, limits=limits), report)


@pytest.mark.parametrize("kind", KINDS)
@fuzz(5)
@given(data=st.data())
def test_parse_attachment_is_deterministic(kind: str, data, report, limits) -> None:
    from parsers.registry import parse_attachment
    name, blob = data.draw(S.attachments(kind, S.CI), label="file")
    first = parse_attachment(name, blob, report, limits=limits)
    second = parse_attachment(name, blob, report, limits=limits)
    check_reports(first, report)
    if hit_a_limit(first) or hit_a_limit(second):
        return  # a worker killed at its time limit on a busy machine is not the parser's answer
    assert projection(second) == projection(first)


# ---------------------------------------------------------------- the public path

def any_family_mail():
    return st.sampled_from(("any",) + S.FAMILIES).flatmap(
        lambda family: S.mails(S.CI if family == "any" else S.CI.forcing(family)))


@fuzz(8)
@given(mails=st.lists(any_family_mail(), min_size=1, max_size=4))
def test_poll_records_every_file_once(mails: list[bytes]) -> None:
    from ingest import pipeline
    from store.config import load
    from store.db import open_store
    # distinct bytes: a byte-identical copy is rightly one message
    mails = [b"X-Fuzz-Case: %d\r\n" % i + raw for i, raw in enumerate(mails)]
    with tempfile.TemporaryDirectory(prefix="baocao-fuzz-") as tmp:
        folder = Path(tmp)
        for sub in ("cur", "new", "tmp"):
            (folder / "maildir" / sub).mkdir(parents=True)
        cfg = load(write_config(folder))
        db = open_store(cfg)
        try:
            write_maildir(cfg.mailbox.path, mails)
            result = pipeline.poll(db, cfg, NOW)
            assert result.fetched == len(mails)
            rows = {r[0]: r[1] for r in db.execute("SELECT sha256, COUNT(*) FROM messages GROUP BY sha256")}
            assert rows == {hashlib.sha256(raw).hexdigest(): 1 for raw in mails}
            assert db.execute("SELECT COUNT(*) FROM messages WHERE processed_at IS NULL").fetchone()[0] == 0
        finally:
            db.conn.close()
