"""Parser workers: CPU-time, wall-clock and memory limits hit for real, crashes, and calls from threads.

The misbehaving parsers are module-level functions here, injected through the registry hook;
workers import them by reference.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from parsers import isolate, registry
from parsers.archives import Limits
from store.records import ParsedReport, Value

pytestmark = pytest.mark.timeout(120)


def sleeps_forever(filename: str, data: bytes, report: object) -> ParsedReport:
    while True:
        time.sleep(1)


def spins_forever(filename: str, data: bytes, report: object) -> ParsedReport:
    n = 0
    while True:
        n += 1


def balloons(filename: str, data: bytes, report: object) -> ParsedReport:
    hoard = []
    while True:
        hoard.append(bytearray(16 * 1024 * 1024))        # touched pages, as a runaway parser's


def segfaults(filename: str, data: bytes, report: object) -> ParsedReport:
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("unreachable")


def naps_then_answers(filename: str, data: bytes, report: object) -> ParsedReport:
    time.sleep(2.5)
    return echoes(filename, data, report)


def raises(filename: str, data: bytes, report: object) -> ParsedReport:
    raise ValueError("bad cell")


def echoes(filename: str, data: bytes, report: object) -> ParsedReport:
    return ParsedReport(filename=filename, detected_type="text", text=data.decode(),
                        values=[Value("x", float(len(data)), str(len(data)), f"{filename} › pid {os.getpid()}")])


@pytest.fixture
def text_parser():
    """Swap the parser for plain text files, restoring the real one afterwards."""
    previous = registry.parser_for("text")

    def use(parser):
        registry.register("text", parser)
    yield use
    registry.register("text", previous)


def test_a_worker_returns_the_parsers_result_from_another_process():
    result = isolate.run(echoes, "a.txt", b"hello", None, kind="text")
    assert result.text == "hello"
    assert result.values[0].number == 5
    assert not result.values[0].source.endswith(f"pid {os.getpid()}")


def test_cpu_time_limit_is_enforced(text_parser):
    text_parser(spins_forever)
    [result] = registry.parse_attachment("chậm.txt", b"x", None, limits=Limits(timeout_s=1))
    assert result.filename == "chậm.txt"
    assert [p.reason for p in result.problems] == ["timeout (1 s)"]
    assert "CPU time" in result.problems[0].detail


def test_an_idle_hang_is_stopped_by_the_wall_clock_backstop(text_parser):
    text_parser(sleeps_forever)
    [result] = registry.parse_attachment("treo.txt", b"x", None, limits=Limits(timeout_s=1, wall_s=2))
    assert [p.reason for p in result.problems] == ["timeout (1 s)"]
    assert "wall time" in result.problems[0].detail


def test_a_sleeping_parser_is_not_timed_out_by_its_cpu_limit(text_parser):
    """CPU time, not wall time: a slow machine (here: a parser waiting) is not a failure."""
    text_parser(naps_then_answers)
    [result] = registry.parse_attachment("a.txt", b"abc", None, limits=Limits(timeout_s=1, wall_s=30))
    assert result.problems == [] and result.text == "abc"


def test_memory_limit_is_enforced(text_parser):
    text_parser(balloons)
    [result] = registry.parse_attachment("to.txt", b"x", None, limits=Limits(memory_mb=200))
    assert [p.reason for p in result.problems] == ["memory limit (200 MB)"]


def test_a_crashing_worker_is_a_problem_not_a_crash(text_parser):
    text_parser(segfaults)
    [result] = registry.parse_attachment("hỏng.txt", b"x", None)
    assert [p.reason for p in result.problems] == ["parser crashed"]
    assert "SIGSEGV" in result.problems[0].detail


@pytest.mark.parametrize("isolated", [True, False])
def test_parser_exceptions_become_problems(text_parser, isolated):
    text_parser(raises)
    [result] = registry.parse_attachment("a.txt", b"x", None, isolate=isolated)
    assert [p.reason for p in result.problems] == ["parser error"]
    assert "ValueError: bad cell" in result.problems[0].detail


def test_works_from_a_daemon_thread_as_the_scheduler_calls_it(text_parser):
    text_parser(echoes)
    results: list = []
    thread = threading.Thread(target=lambda: results.extend(
        registry.parse_attachment("a.txt", b"abc", None)), daemon=True)
    thread.start()
    thread.join(60)
    assert [r.text for r in results] == ["abc"]


def burns_cpu(seconds: float) -> int:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return os.getpid()


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_worker_serves_call_after_call():
    first = isolate.run(echoes, "a.txt", b"x", None).values[0].source
    again = [isolate.run(echoes, "a.txt", b"x", None).values[0].source for _ in range(5)]
    assert set(again) == {first}        # one long-lived worker, not a process per call


def test_each_call_gets_its_own_cpu_seconds_in_a_long_lived_worker():
    pids = [isolate.call(burns_cpu, (0.7,), cpu_s=1, memory_mb=256) for _ in range(4)]
    assert all(o.ok for o in pids), [o.detail for o in pids]
    assert len({o.value for o in pids}) == 1   # 2.8 s in one worker, none over its 1 s


def test_a_worker_that_hit_a_limit_is_replaced_and_the_next_call_works(text_parser):
    before = isolate.call(pid_after, (0,), cpu_s=5, memory_mb=256).value
    text_parser(balloons)
    assert "memory" in registry.parse_attachment("a.txt", b"x", None, limits=Limits(memory_mb=200))[0].problems[0].reason
    after = isolate.call(pid_after, (0,), cpu_s=5, memory_mb=256)
    assert after.ok and after.value != before


def test_calls_from_two_threads_run_in_two_workers_at_once():
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(isolate.call(pid_after, (1.5,), cpu_s=5, memory_mb=256)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(o.ok for o in results) and len({o.value for o in results}) == 2
