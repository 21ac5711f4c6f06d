"""Running one parser on one file in a worker process, with a wall-time and a memory limit.

A hostile PDF or spreadsheet can make a parser loop forever or allocate gigabytes; in-process
that would stall the daemon's poll job or get it killed. The worker gets `RLIMIT_AS` (address
space, so a runaway allocation raises MemoryError instead of invoking the OOM killer) and is
killed when the wall time runs out. Whatever happens comes back as a `ParsedReport`, with a
problem naming the limit that was hit.

Workers come from a "forkserver": a clean single-threaded server process started once (it does
not inherit the daemon's threads, locks or SQLite connections, unlike a plain fork from an
APScheduler thread), which preloads the parser modules so each worker starts in a few
milliseconds. Parsers are passed by reference, so they must be module-level functions.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import threading
import time
from typing import Any, Callable

from parsers.types import FileProblem, ParsedReport

Parser = Callable[[str, bytes, Any], ParsedReport]

PRELOAD = ["parsers.types", "parsers.detect", "parsers.legacy", "parsers.registry", "parsers.xlsx",
           "parsers.sheet", "parsers.docx", "parsers.pdf", "parsers.doc", "parsers.narrative",
           "openpyxl", "docx", "pdfplumber", "xlrd", "python_calamine"]

_lock = threading.Lock()
_ctx: Any = None


def context() -> Any:
    """The multiprocessing context for workers: forkserver with preloaded parsers, else fork."""
    global _ctx
    with _lock:
        if _ctx is None:
            try:
                _ctx = multiprocessing.get_context("forkserver")
                _ctx.set_forkserver_preload(PRELOAD)
            except ValueError:   # platforms without forkserver
                _ctx = multiprocessing.get_context("fork")
        return _ctx


def call_parser(parser: Parser, filename: str, data: bytes, report: Any, kind: str = "") -> ParsedReport:
    """`parser(filename, data, report)`, with every exception turned into a recorded problem."""
    try:
        result = parser(filename, data, report)
    except MemoryError:
        raise
    except ImportError as err:
        return problem_report(filename, kind, "format not readable here", f"parser not available: {err}")
    except Exception as err:  # noqa: BLE001 - hostile input must never escape as an exception
        return problem_report(filename, kind, "parser error", f"{type(err).__name__}: {err}"[:500])
    if not isinstance(result, ParsedReport):
        return problem_report(filename, kind, "parser error", f"parser returned {type(result).__name__}")
    return result


def problem_report(filename: str, kind: str, reason: str, detail: str = "") -> ParsedReport:
    return ParsedReport(filename=filename, detected_type=kind, problems=[FileProblem(reason, detail)])


def run(parser: Parser, filename: str, data: bytes, report: Any, *, kind: str = "",
        timeout_s: float = 60.0, memory_mb: int = 1024) -> ParsedReport:
    """`parser(filename, data, report)` in a worker process, within the limits."""
    ctx = context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(sender, parser, filename, data, report, kind, memory_mb),
                       name="baocao-parse", daemon=True)
    try:
        proc.start()
    except OSError as err:
        receiver.close()
        sender.close()
        return problem_report(filename, kind, "parser crashed", f"could not start a worker: {err}")
    sender.close()
    try:
        return _await(proc, receiver, filename, kind, timeout_s, memory_mb)
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        if not proc.is_alive():
            proc.close()


def _await(proc: Any, receiver: Any, filename: str, kind: str, timeout_s: float, memory_mb: int) -> ParsedReport:
    deadline = time.monotonic() + timeout_s
    if not receiver.poll(timeout_s):
        proc.kill()
        return problem_report(filename, kind, f"timeout ({timeout_s:g} s)",
                              f"parsing took longer than {timeout_s:g} s; the worker was stopped")
    try:
        outcome = receiver.recv()
    except (EOFError, OSError):
        proc.join(max(1.0, deadline - time.monotonic()))
        return problem_report(filename, kind, "parser crashed", _exit_detail(proc.exitcode))
    if outcome == "memory":
        return problem_report(filename, kind, f"memory limit ({memory_mb} MB)",
                              f"parsing needed more than {memory_mb} MB; the worker was stopped")
    return outcome  # type: ignore[no-any-return]


def _exit_detail(code: int | None) -> str:
    if code is None:
        return "the worker stopped without an answer"
    if code < 0:
        try:
            return f"the worker was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"the worker was killed by signal {-code}"
    return f"the worker exited with code {code}"


def _worker(sender: Any, parser: Parser, filename: str, data: bytes, report: Any, kind: str,
            memory_mb: int) -> None:
    """Worker body: limit memory, parse, send back the ParsedReport (or "memory")."""
    # A Ctrl-C in the terminal reaches the whole process group: the parent decides when to stop,
    # so the file in hand is finished instead of being recorded as a failed parse.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_memory(memory_mb)
    try:
        outcome: Any = call_parser(parser, filename, data, report, kind)
    except MemoryError:
        outcome = "memory"
    del data
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send("memory")
    except Exception as err:  # noqa: BLE001 - e.g. an unpicklable result
        sender.send(problem_report(filename, kind, "parser error", f"result not transferable: {err}"[:300]))
    finally:
        sender.close()


def limit_memory(memory_mb: int) -> None:
    """Let this process grow by at most `memory_mb` MB of address space over what it maps now.
    Counting from the current size keeps the limit meaningful whatever the preloaded libraries map."""
    allowed = _address_space() + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        allowed = min(allowed, hard)
    resource.setrlimit(resource.RLIMIT_AS, (allowed, hard))


def _address_space() -> int:
    try:
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
