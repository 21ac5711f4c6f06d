"""Running one piece of hostile-input work in a worker process, within a CPU-time and memory limit.

A hostile PDF, spreadsheet or mail can make a parser loop forever, recurse until the C stack
breaks or allocate gigabytes; in-process that would stall the daemon's poll or kill it. The worker
gets `RLIMIT_CPU` (CPU seconds, so a loaded machine does not turn slow reports into failures;
the kernel ends the worker with SIGXCPU past it), `RLIMIT_AS` (a runaway allocation raises
MemoryError instead of invoking the OOM killer), and a generous wall-clock backstop for a worker
that hangs without using CPU. It dies with its parent (`PR_SET_PDEATHSIG`), and so do the
programs it starts (`die_with_parent` as their `preexec_fn`): a `kill -9` of the poll leaves
no parser, tesseract or 7z behind. Whatever happens comes back as a value or a named limit.

Workers come from a "forkserver": a clean single-threaded server process started once (it does
not inherit the daemon's threads, locks or SQLite connections, unlike a plain fork from an
APScheduler thread), which preloads the parser modules; the forkserver exits when the process
that started it dies. A worker is long-lived: it serves one call after another, each with fresh
limits (the soft CPU limit moved to what it has used plus the call's seconds, the address-space
limit to its current size plus the call's megabytes), and is replaced after a limit, after
MAX_TASKS calls, or when it has grown past RETIRE_RSS_MB. Functions are passed by reference, so
they must be module-level functions.
"""
from __future__ import annotations

import atexit
import ctypes
import math
import multiprocessing
import os
import resource
import signal
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from parsers import depth, vocabulary
from store.records import FileProblem, ParsedReport

if TYPE_CHECKING:
    from store.domain import Report

Parser = Callable[[str, bytes, "Report"], ParsedReport]

PRELOAD = ["store.records", "parsers.vocabulary", "parsers.detect", "parsers.legacy", "parsers.registry", "parsers.xlsx",
           "parsers.sheet", "parsers.docx", "parsers.pdf", "parsers.doc", "parsers.narrative",
           "parsers.plaintext", "parsers.image", "parsers.ocr", "parsers.htmlsheet",
           "openpyxl", "docx", "pdfplumber", "xlrd", "python_calamine"]

_lock = threading.Lock()
_ctx: Any = None
_extra_preload: list[str] = []
PR_SET_PDEATHSIG = 1


def preload(*modules: str) -> None:
    """Also preload `modules` in the forkserver (callers that isolate their own work: the MIME
    decoder). Effective when called before the first worker starts."""
    with _lock:
        _extra_preload.extend(m for m in modules if m not in _extra_preload)


def context() -> Any:
    """The multiprocessing context for workers: forkserver with preloaded parsers, else fork."""
    global _ctx
    with _lock:
        if _ctx is None:
            try:
                _ctx = multiprocessing.get_context("forkserver")
                _ctx.set_forkserver_preload(PRELOAD + _extra_preload)
            except ValueError:   # platforms without forkserver
                _ctx = multiprocessing.get_context("fork")
        return _ctx


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; elsewhere nothing).
    Used in workers and as the `preexec_fn` of the programs parsers start."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


@dataclass(frozen=True)
class Outcome:
    """What came back from a worker: a value, or why there is none (`limit` names it for people)."""
    value: Any = None
    limit: str = ""        # "" when `value` is the function's result
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.limit


def call(fn: Callable[..., Any], args: tuple[Any, ...], *, cpu_s: float, memory_mb: int,
         wall_s: float | None = None, name: str = "baocao-worker") -> Outcome:
    """`fn(*args)` in a worker process within the limits. An exception inside `fn` comes back as
    `limit="error"` with its type and text; a worker killed or out of time or memory, likewise
    named. Never raises for what the worker did. The worker reads the same vocabulary as this
    process (`parsers.vocabulary.active()`, with the configuration's `[vocabulary]`).

    The worker is a long-lived one from the pool (`_POOL`): a process per call cost ~16 ms of
    start-up, more than most files take to read. Calls from several threads run at once, each
    in its own worker, which is how the poll uses both cores."""
    worker = _POOL.take(name)
    if worker is None:
        return Outcome(limit="crashed", detail="could not start a worker")
    words = vocabulary.active().extension
    backstop = wall_s if wall_s is not None else max(4 * cpu_s, cpu_s + 60)
    try:
        worker.conn.send((fn, args, cpu_s, memory_mb, words))
    except Exception as err:  # noqa: BLE001 - a dead worker (BrokenPipe) or an unpicklable task
        _POOL.discard(worker)
        if isinstance(err, (OSError, EOFError)):
            return Outcome(limit="crashed", detail=f"the worker could not take the work: {err}")
        return Outcome(limit="error", detail=f"the work could not be sent to a worker: {err}"[:300])
    try:
        if not worker.conn.poll(backstop):
            _POOL.discard(worker)
            return Outcome(limit="time", detail=f"no answer after {backstop:g} s of wall time; the worker was stopped")
        kind, payload, retiring = worker.conn.recv()
    except (EOFError, OSError):
        code = _POOL.discard(worker)
        if code == -signal.SIGXCPU:
            return Outcome(limit="time", detail=f"more than {cpu_s:g} s of CPU time; the worker was stopped")
        return Outcome(limit="crashed", detail=_exit_detail(code))
    except MemoryError:
        _POOL.discard(worker)
        return Outcome(limit="memory", detail="the result was too large to receive")
    except BaseException:
        _POOL.discard(worker)     # an interrupted wait: the worker's answer would be read by the next call
        raise
    _POOL.give_back(worker, retiring or kind == "memory")
    if kind == "ok":
        return Outcome(value=payload)
    if kind == "memory":
        return Outcome(limit="memory", detail=f"more than {memory_mb} MB; the worker was stopped")
    return Outcome(limit="error", detail=str(payload)[:1000])


@dataclass
class _Worker:
    proc: Any
    conn: Any
    tasks: int = 0


class _Pool:
    """Idle long-lived workers, shared by the threads that call `call`. A worker serves one call
    at a time; it is replaced after MAX_TASKS calls, after any limit it hit (its memory may be
    fragmented, its state unknown), or when it grew past RETIRE_RSS_MB. `shutdown` stops the
    idle ones; they also die with this process (`die_with_parent`)."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def take(self, name: str) -> _Worker | None:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.proc.is_alive():
                    return worker
                _close(worker)
        ctx = context()
        mine, theirs = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_serve, args=(theirs,), name=name, daemon=True)
        try:
            proc.start()
        except OSError:
            mine.close()
            theirs.close()
            return None
        theirs.close()
        return _Worker(proc, mine)

    def give_back(self, worker: _Worker, retire: bool) -> None:
        worker.tasks += 1
        if retire or worker.tasks >= MAX_TASKS:
            self.discard(worker)
            return
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(worker)
                return
        self.discard(worker)

    def discard(self, worker: _Worker) -> int | None:
        """Stop the worker; its exit code (negative: the signal that ended it)."""
        try:
            worker.conn.close()
        except OSError:
            pass
        if worker.proc.is_alive():
            worker.proc.join(0.05)
        if worker.proc.is_alive():
            worker.proc.kill()
        worker.proc.join(5)
        code = worker.proc.exitcode
        _close(worker)
        return code

    def shutdown(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            self.discard(worker)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.proc.pid for w in self._idle]


def _close(worker: _Worker) -> None:
    try:
        worker.conn.close()
    except OSError:
        pass
    if not worker.proc.is_alive():
        try:
            worker.proc.close()
        except ValueError:
            pass


MAX_TASKS = 200          # calls a worker serves before it is replaced
MAX_IDLE = 8             # idle workers kept (the pool holds what the concurrent callers used)
RETIRE_RSS_MB = 400      # a worker that grew past this is replaced after its call
_POOL = _Pool()
atexit.register(_POOL.shutdown)


def shutdown() -> None:
    """Stop the idle workers (tests; the daemon's exit)."""
    _POOL.shutdown()


def _serve(conn: Any) -> None:
    """A worker's life: one call at a time, each within its own limits, until the pipe closes.
    The answer is ("ok" | "memory" | "error", payload, retiring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    _quiet_stderr()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        except Exception:  # noqa: BLE001 - a task that cannot be unpickled here
            conn.send(("error", "the work could not be received by the worker", True))
            return
        fn, args, cpu_s, memory_mb, words = task
        del task
        limit_cpu(cpu_s)
        limit_memory(memory_mb)
        try:
            vocabulary.use(words)
            answer: tuple[str, Any] = ("ok", fn(*args))
        except MemoryError:
            answer = ("memory", "")
        except BaseException as err:  # noqa: BLE001 - RecursionError, OverflowError, anything: a named outcome
            answer = ("error", f"{type(err).__name__}: {err}"[:1000])
        del args
        unlimit_memory()
        retiring = answer[0] == "memory" or _resident_mb() > RETIRE_RSS_MB
        try:
            conn.send((*answer, retiring))
        except MemoryError:
            conn.send(("memory", "", True))
            return
        except Exception as err:  # noqa: BLE001 - e.g. an unpicklable result
            conn.send(("error", f"result not transferable: {err}"[:300], retiring))
        del answer
        if retiring:
            return


def _quiet_stderr() -> None:
    """What a library prints while dying (a Rust panic's backtrace, a C library's complaint)
    must not reach the person's terminal: the outcome names what happened, on one line."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def limit_cpu(cpu_s: float) -> None:
    """At most `cpu_s` more seconds of CPU from now (SIGXCPU then ends the process); the programs
    it starts inherit the limit, each for itself. Only the soft limit moves, so a long-lived
    worker can set a fresh one for each call."""
    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    soft = int(math.ceil(used + cpu_s))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def call_parser(parser: Parser, filename: str, data: bytes, report: Report, kind: str = "",
                reading: depth.Reading = depth.FULL) -> ParsedReport:
    """`parser(filename, data, report)` with `reading` in force (`parsers.depth`), every
    exception turned into a recorded problem."""
    try:
        with depth.reading(reading):
            result = parser(filename, data, report)
    except MemoryError:
        raise
    except ImportError as err:
        return problem_report(filename, kind, "format not readable here", f"parser not available: {err}")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as err:  # noqa: BLE001 - hostile input must never escape; Rust panics
        # (calamine's PanicException) derive from BaseException, not Exception
        return problem_report(filename, kind, "parser error", f"{type(err).__name__}: {err}"[:500])
    if not isinstance(result, ParsedReport):
        return problem_report(filename, kind, "parser error", f"parser returned {type(result).__name__}")
    return result


def problem_report(filename: str, kind: str, reason: str, detail: str = "") -> ParsedReport:
    return ParsedReport(filename=filename, detected_type=kind, problems=[FileProblem(reason, detail)])


def run(parser: Parser, filename: str, data: bytes, report: Report, *, kind: str = "",
        timeout_s: float = 60.0, memory_mb: int = 1024, wall_s: float | None = None,
        reading: depth.Reading = depth.FULL) -> ParsedReport:
    """`parser(filename, data, report)` in a worker process, within the limits: `timeout_s` is CPU
    time; a worker that hangs without using CPU is stopped after `wall_s` (default: a generous
    multiple of `timeout_s`)."""
    outcome = call(call_parser, (parser, filename, data, report, kind, reading), cpu_s=timeout_s,
                   memory_mb=memory_mb, wall_s=wall_s, name="baocao-parse")
    if outcome.ok:
        if isinstance(outcome.value, ParsedReport):
            return outcome.value
        return problem_report(filename, kind, "parser error", f"parser returned {type(outcome.value).__name__}")
    if outcome.limit == "time":
        return problem_report(filename, kind, f"timeout ({timeout_s:g} s)", f"parsing: {outcome.detail}")
    if outcome.limit == "memory":
        return problem_report(filename, kind, f"memory limit ({memory_mb} MB)", f"parsing needed {outcome.detail}")
    if outcome.limit == "crashed":
        return problem_report(filename, kind, "parser crashed", outcome.detail)
    return problem_report(filename, kind, "parser error", outcome.detail)


def _exit_detail(code: int | None) -> str:
    if code is None:
        return "the worker stopped without an answer"
    if code < 0:
        try:
            return f"the worker was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"the worker was killed by signal {-code}"
    return f"the worker exited with code {code}"


def limit_memory(memory_mb: int) -> None:
    """Let this process grow by at most `memory_mb` MB of address space over what it maps now.
    Counting from the current size keeps the limit meaningful whatever the preloaded libraries
    (and the earlier calls of a long-lived worker) map."""
    allowed = _address_space() + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        allowed = min(allowed, hard)
    resource.setrlimit(resource.RLIMIT_AS, (allowed, hard))


def unlimit_memory() -> None:
    """Between calls: the soft limit back at the hard one (sending the answer may need room)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _resident_mb() -> float:
    try:
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _address_space() -> int:
    try:
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
