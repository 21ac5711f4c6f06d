#!/usr/bin/env python3
"""The long fuzz run of the intake: hostile mail into `parse_message`, mutated report files into
the parsers, a few of each through the public path, and a table of what broke.

    python3 bench/fuzz.py --inputs 100000 [--seed N] [--target mime|parsers|all] [--save DIR]
    PYTHONPATH=/other/checkout python3 bench/fuzz.py ...   # fuzz another tree (or --tree DIR)
    python3 bench/fuzz.py --replay DIR/F01-....eml         # re-run one saved reproducer

Inputs come from tests/fuzzing/strategies.py (the generators the hypothesis tests use) with a
seeded `random`: input i of seed s is the same bytes on every run, so only (seed, i) travels
between processes and any input can be rebuilt. Targets:

  mime     `parsers.mime.parse_message` in-process, then the first thing the poll does with the
           result (`pipeline.received_at`); a share also goes through `pipeline.poll` on a
           Maildir and a scratch store (the public path, attachments parsed in workers)
  parsers  each leaf parser's module function in-process (`parsers.xlsx.parse`, ...) on files
           unpacked by `registry.leaves_of`; a share through the worker-isolated
           `registry.parse_attachment`

Failures are grouped by kind, exception type and the innermost frame in project code:
  escape   an exception left parse_message / parse_attachment / the poll: the poll stops
  stall    one input ran past --timeout (interrupted where it was: that frame is the slow code)
  hang     no answer even to the interruption (C code looping): the run process was killed
  crash    the run process died (signal, RecursionError in C, ...)
  output   a result that breaks the contract: a str that is not valid UTF-8 (lone
           surrogates), a value without provenance (`source`), a non-finite figure, two parses
           of the same bytes that differ
  caught   a leaf parser or container walk raised; parse_attachment records it as a problem
           ("parser error"), so nothing is lost, but the admin gets a traceback text, not a reason
  limit    an isolated worker hit its time or memory limit, or crashed
  slow     an input took longer than --slow (1 s) but finished: the frame it was in at that
           moment (sampled by a timer, the input is not stopped) is the super-linear code

The work runs in one child process (one heavy process, as this machine is shared); this process
only watches it, kills it when an input hangs, and starts it again after that input.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import json
import math
import multiprocessing as mp
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent          # the checkout holding these generators
UNHANDLED = ("escape", "stall", "hang", "crash")
KINDS = UNHANDLED + ("output", "caught", "limit", "slow")
EXT = {"mime": "eml", "poll": "eml"}


# ---------------------------------------------------------------- the generators, by path

def load_strategies() -> Any:
    """tests/fuzzing/strategies.py of this checkout, whatever `tests` package the fuzzed tree has."""
    name = "baocao_fuzz_strategies"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "tests" / "fuzzing" / "strategies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def find_tree(arg: str | None) -> Path:
    if arg:
        return Path(arg).resolve()
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry and (Path(entry) / "ingest" / "mime.py").is_file():
            return Path(entry).resolve()
    return HERE


def route(seed: int, index: int, target: str, poll_share: float, isolated_share: float) -> str:
    """Which target input `index` goes to: mime, poll, parsers or isolated."""
    import random
    r = random.Random(f"{seed}:{index}:route")
    if target == "all":
        target = "mime" if r.random() < 0.7 else "parsers"
    if target == "mime":
        return "poll" if r.random() < poll_share else "mime"
    return "isolated" if r.random() < isolated_share else "parsers"


def make_input(S: Any, seed: int, index: int, where: str) -> tuple[str, str, bytes, Any]:
    """(kind, file name, bytes, source) of input `index`: the same on every call."""
    src = S.RandomSource(f"{seed}:{index}")
    if where in ("mime", "poll"):
        raw = S.mail(src, S.BENCH, serial=index)
        if where == "poll":  # distinct bytes, or the store rightly keeps one copy
            raw = b"X-Fuzz-Input: %d:%d\r\n" % (seed, index) + raw
        return "mail", "", raw, src
    kind, name, data = S.attachment_input(src, None, S.BENCH)
    return kind, name, data, src


# ---------------------------------------------------------------- failures

class InputTimeout(BaseException):
    """Raised by the alarm inside the slow code; a BaseException, so the project's own
    `except Exception` (call_parser, recording.process) does not swallow it."""


class Alarm:
    """One timer per input: at --slow seconds it notes where the input is (without stopping it:
    that frame is the super-linear code), at --timeout it interrupts it."""
    sample: list[traceback.FrameSummary] | None = None
    rest = 0.0          # seconds left after the sample; 0: the next alarm interrupts

    @classmethod
    def arm(cls, slow: float, timeout: float) -> None:
        cls.sample = None
        cls.rest = timeout - slow if 0 < slow < timeout else 0.0
        signal.setitimer(signal.ITIMER_REAL, slow if cls.rest else timeout)

    @classmethod
    def disarm(cls) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)

    @classmethod
    def fire(cls, signum: int, frame: Any) -> None:
        if cls.rest:
            rest, cls.sample, cls.rest = cls.rest, traceback.extract_stack(frame), 0.0
            signal.setitimer(signal.ITIMER_REAL, rest)
            return
        raise InputTimeout()


def frames_of(exc: BaseException | list[traceback.FrameSummary], tree: Path) -> tuple[str, str]:
    """(innermost frame in project code, innermost frame of all) as 'path:line function', from an
    exception's traceback or a sampled stack."""
    listed = exc if isinstance(exc, list) else traceback.extract_tb(exc.__traceback__)
    frames = [f for f in listed if f.filename != __file__]
    if not frames:
        return "?", ""
    root = str(tree) + os.sep

    def ours(f: traceback.FrameSummary) -> bool:
        return f.filename.startswith(root) and not f.filename.startswith((root + "bench", root + "tests"))

    proj = [f for f in frames if ours(f)]
    inner = proj[-1] if proj else frames[-1]
    where = f"{os.path.relpath(inner.filename, tree) if ours(inner) else Path(inner.filename).name}:{inner.lineno} {inner.name}"
    last = frames[-1]
    via = "" if last is inner else f"{Path(last.filename).name}:{last.lineno} {last.name}"
    return where, via


def project_chain(frames: list[traceback.FrameSummary], tree: Path, n: int = 4) -> str:
    """The innermost project frames of a stack, innermost first: 'a.py:1 f ← b.py:9 g'."""
    root = str(tree) + os.sep
    ours = [f for f in frames if f.filename.startswith(root) and not f.filename.startswith((root + "bench", root + "tests"))]
    return " ← ".join(f"{os.path.relpath(f.filename, tree)}:{f.lineno} {f.name}" for f in reversed(ours[-n:]))


def not_utf8(obj: Any, path: str = "", depth: int = 0) -> list[tuple[str, str]]:
    """(field path, excerpt) of every str in `obj` that cannot be written as UTF-8."""
    out: list[tuple[str, str]] = []
    if depth > 6:
        return out
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError as err:
            out.append((path, repr(obj[max(0, err.start - 15):err.end + 15])))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            out.extend(not_utf8(item, path + "[]", depth + 1))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(not_utf8(v, f"{path}[{k!r}]", depth + 1))
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            out.extend(not_utf8(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name, depth + 1))
    return out


def first_difference(a: Any, b: Any) -> str:
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        for f in dataclasses.fields(a):
            if getattr(a, f.name) != getattr(b, f.name):
                return f.name
    return "?"


# ---------------------------------------------------------------- the run process

class Runner:
    """Everything that touches the project: lives in the child process only."""

    def __init__(self, args: argparse.Namespace, tree: Path, conn: Any, beat: Any) -> None:
        self.args, self.tree, self.conn, self.beat = args, tree, conn, beat
        self.S = load_strategies()
        from ingest import pipeline
        from parsers import mime
        from parsers import registry
        from parsers.archives import DEFAULT_LIMITS
        from store.config import load
        self.mime, self.pipeline, self.registry = mime, pipeline, registry
        self.limits = dataclasses.replace(DEFAULT_LIMITS, timeout_s=float(args.timeout))
        self.scratch = Path(tempfile.mkdtemp(prefix="run-", dir=args.scratch))  # removed by the watcher
        self.cfg = load(self._config(self.scratch))
        self.report = self.cfg.reports[0]
        self.codes = {i.code for i in self.report.indicators}
        self.now = dt.datetime(2024, 7, 5, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
        self.db: Any = None
        self.stats: dict[str, dict[str, float]] = {}
        self.S.seed_files()

    def _config(self, folder: Path) -> Path:
        """config.example.toml of the tree with its paths in a scratch folder (as tests' write_config)."""
        for sub in ("cur", "new", "tmp"):
            (folder / "maildir" / sub).mkdir(parents=True, exist_ok=True)
        text = (self.tree / "config.example.toml").read_text(encoding="utf-8")
        text = text.replace('path = "examples/maildir"', f'path = "{folder / "maildir"}"')
        shutil.copy(self.tree / "units.example.csv", folder / "units.example.csv")
        path = folder / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path

    def fail(self, kind: str, typ: str, where: str, via: str, message: str, index: int, target: str,
             size: int, tags: list[str], seconds: float = 0.0) -> None:
        self.conn.send(("fail", {"kind": kind, "type": typ, "where": where, "via": via, "message": message[:300],
                                 "index": index, "target": target, "size": size, "tags": tags, "seconds": seconds}))

    def fail_exc(self, kind: str, exc: BaseException, index: int, target: str, size: int, tags: list[str]) -> None:
        where, via = frames_of(exc, self.tree)
        if isinstance(exc, InputTimeout):
            kind, typ = "stall", f"slower than {self.args.timeout:g} s"
            msg = f"stopped in {project_chain(traceback.extract_tb(exc.__traceback__), self.tree)}"
        elif not isinstance(exc, Exception):
            typ, msg = f"{type(exc).__name__} (a BaseException: passes `except Exception`)", str(exc)
        else:
            typ, msg = type(exc).__name__, str(exc)
        self.fail(kind, typ, where, via, msg, index, target, size, tags)

    def run(self, start: int, end: int) -> None:
        signal.signal(signal.SIGALRM, Alarm.fire)
        last_sent = time.monotonic()
        for index in range(start, end):
            where = route(self.args.seed, index, self.args.target, self.args.poll_share, self.args.isolated_share)
            kind, name, data, src = make_input(self.S, self.args.seed, index, where)
            tags = [re.sub(r"[×(].*", "", t).strip() for t in src.notes]
            self.beat[0], self.beat[1] = index, time.monotonic()
            began = time.perf_counter()
            timeout = self.args.timeout * (3 if where in ("poll", "isolated") else 1)
            Alarm.arm(self.args.slow, timeout)
            try:
                if where == "mime":
                    self.one_mail(index, data, tags)
                elif where == "poll":
                    self.one_poll(index, data, tags)
                elif where == "parsers":
                    self.one_file(index, kind, name, data, tags)
                else:
                    self.one_isolated(index, kind, name, data, tags)
            except InputTimeout as exc:
                self.fail_exc("stall", exc, index, where, len(data), tags)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - MemoryError, PanicException, ...: out of the target
                self.fail_exc("escape", exc, index, where, len(data), tags)
            finally:
                Alarm.disarm()
            took = time.perf_counter() - began
            if Alarm.sample is not None and took < timeout:
                at, via = frames_of(Alarm.sample, self.tree)
                self.fail("slow", f"slower than {self.args.slow:g} s", at, via,
                          f"{took:.2f} s, in {project_chain(Alarm.sample, self.tree)}", index,
                          where if where in ("mime", "poll") else f"{where}:{kind}", len(data), tags)
            self.beat[1] = 0.0
            st = self.stats.setdefault(where, {"n": 0, "seconds": 0.0, "max": 0.0, "max_index": -1, "max_size": 0})
            st["n"] += 1
            st["seconds"] += took
            if took > st["max"]:
                st["max"], st["max_index"], st["max_size"] = took, index, len(data)
            if time.monotonic() - last_sent > 1 or index == end - 1:
                self.conn.send(("stats", {"next": index + 1, "stats": self.stats}))
                last_sent = time.monotonic()
        self.conn.send(("done", {"next": end, "stats": self.stats}))

    # -- mime
    def one_mail(self, index: int, raw: bytes, tags: list[str]) -> None:
        try:
            parsed = self.mime.parse_message(raw)
        except (InputTimeout, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - the finding
            self.fail_exc("escape", exc, index, "mime", len(raw), tags)
            return
        self.check_message(parsed, index, "mime", len(raw), tags)
        if hasattr(self.pipeline, "received_at"):
            from ingest.sources import FetchedMessage
            fetched = FetchedMessage(source="maildir:fuzz", uidvalidity=0, uid=str(index), raw=raw, internaldate=None)
            try:
                self.pipeline.received_at(self.cfg, fetched, parsed, self.now)
            except (InputTimeout, MemoryError):
                raise
            except Exception as exc:  # noqa: BLE001
                self.fail_exc("escape", exc, index, "mime", len(raw), tags)
        if self.args.recheck and index % self.args.recheck == 0:
            again = self.mime.parse_message(raw)
            if again != parsed:
                self.fail("output", "nondeterministic", "parse_message", "", f"field {first_difference(parsed, again)}",
                          index, "mime", len(raw), tags)

    def check_message(self, parsed: Any, index: int, target: str, size: int, tags: list[str]) -> None:
        if not isinstance(parsed, self.mime.ParsedMessage):
            self.fail("output", "not a ParsedMessage", "parse_message", "", type(parsed).__name__, index, target, size, tags)
            return
        seen = set()
        for path, excerpt in not_utf8(parsed):
            if path not in seen:
                seen.add(path)
                self.fail("output", "str not UTF-8 (lone surrogate)", f"ParsedMessage.{path}", "", excerpt,
                          index, target, size, tags)

    # -- the public path
    def one_poll(self, index: int, raw: bytes, tags: list[str]) -> None:
        if self.db is None:
            from store.db import open_store
            self.db = open_store(self.cfg)
        before = self.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        path = Path(self.cfg.mailbox.path) / "cur" / f"{1718000000 + index}.M{index}P1.fuzz:2,S"
        path.write_bytes(raw)
        try:
            result = self.pipeline.poll(self.db, self.cfg, self.now)
        except (InputTimeout, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - the finding: the poll stopped
            self.fail_exc("escape", exc, index, "poll", len(raw), tags)
            return
        finally:
            path.unlink(missing_ok=True)
        after = self.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        if result.fetched != 1 or after != before + 1:
            self.fail("output", "not exactly one message row", "pipeline.poll", "",
                      f"fetched {result.fetched}, rows +{after - before}", index, "poll", len(raw), tags)

    # -- parsers
    def one_file(self, index: int, kind: str, name: str, data: bytes, tags: list[str]) -> None:
        try:
            leaves = list(self.registry.leaves_of(name, data, self.limits))
        except (InputTimeout, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - parse_attachment turns this into a "corrupt" problem
            self.fail_exc("caught", exc, index, f"parsers:{kind}", len(data), tags)
            return
        for leaf in leaves:
            parser = self.registry.parser_for(leaf.kind)
            if leaf.data is None or parser is None or leaf.kind == "image":
                continue
            try:
                result = parser(leaf.name, leaf.data, self.report)
            except (InputTimeout, MemoryError, KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:  # noqa: BLE001 - call_parser records it as "parser error"
                self.fail_exc("caught", exc, index, f"parsers:{leaf.kind}", len(data), tags)
                continue
            except BaseException as exc:  # noqa: BLE001 - e.g. pyo3's PanicException: call_parser records it too
                self.fail_exc("caught", exc, index, f"parsers:{leaf.kind}", len(data), tags)
                continue
            self.check_reports([result], index, f"parsers:{leaf.kind}", len(data), tags)
            if self.args.recheck and index % self.args.recheck == 0:
                again = parser(leaf.name, leaf.data, self.report)
                if projection([again]) != projection([result]):
                    self.fail("output", "nondeterministic", f"{leaf.kind} parser", "", leaf.name, index,
                              f"parsers:{leaf.kind}", len(data), tags)

    def one_isolated(self, index: int, kind: str, name: str, data: bytes, tags: list[str]) -> None:
        try:
            results = self.registry.parse_attachment(name, data, self.report, limits=self.limits)
        except (InputTimeout, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - the finding: a file would stop the poll
            self.fail_exc("escape", exc, index, f"isolated:{kind}", len(data), tags)
            return
        self.check_reports(results, index, f"isolated:{kind}", len(data), tags)
        for r in results if isinstance(results, list) else []:
            for p in getattr(r, "problems", []):
                reason = str(getattr(p, "reason", ""))
                if reason.startswith(("timeout", "memory limit", "parser crashed")):
                    self.fail("limit", reason, f"worker {r.detected_type}", "", str(p.detail), index,
                              f"isolated:{kind}", len(data), tags)

    def check_reports(self, results: Any, index: int, target: str, size: int, tags: list[str]) -> None:
        from store.records import ParsedReport
        if not isinstance(results, list) or not all(isinstance(r, ParsedReport) for r in results):
            self.fail("output", "not a list of ParsedReport", target, "", type(results).__name__, index, target, size, tags)
            return
        found: dict[tuple[str, str], str] = {}
        for r in results:
            for v in r.values:
                if not isinstance(v.source, str) or not v.source.strip():
                    found.setdefault(("value without source", f"{r.detected_type} value"), f"{v.indicator} = {v.raw!r}")
                if v.number is not None and not finite(v.number):
                    found.setdefault(("non-finite figure", f"{r.detected_type} value"), f"{v.indicator} = {v.number!r} from {v.raw!r}")
                if v.indicator not in self.codes:
                    found.setdefault(("unknown indicator", f"{r.detected_type} value"), v.indicator)
            for path, excerpt in not_utf8(r):
                found.setdefault(("str not UTF-8 (lone surrogate)", f"ParsedReport.{path}"), excerpt)
        for (typ, where), msg in found.items():
            self.fail("output", typ, where, "", msg, index, target, size, tags)


def finite(number: Any) -> bool:
    try:
        return isinstance(number, (int, float)) and math.isfinite(number)
    except OverflowError:  # an int past float range (1e400 written out): no SQLite column takes it
        return False


def projection(results: list[Any]) -> list[Any]:
    return [([(v.indicator, repr(v.number), v.raw, v.source, v.method) for v in r.values],
             [p.reason for p in r.problems]) for r in results]


def limit_memory(memory_mb: int) -> None:
    """A runaway allocation fails (MemoryError, or an abort in Rust/C code) instead of calling the
    OOM killer on a shared machine: some 6 KB .xls files ask calamine for 4 GiB."""
    if not memory_mb:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open(f"/proc/{os.getpid()}/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (current + memory_mb * 2**20, hard))
    except (OSError, ValueError):
        pass


def child_main(args: argparse.Namespace, tree: Path, conn: Any, beat: Any, start: int, end: int) -> None:
    sys.path.insert(0, str(tree))
    if args.log:  # libraries write to fd 2 (Rust panics, pdfminer, xlrd): keep the table readable
        fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)  # xlrd's warnings go to stdout
        os.dup2(fd, 2)
        os.close(fd)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
    os.environ.setdefault("RUST_BACKTRACE", "0")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the watcher decides
    limit_memory(args.memory_mb)
    import logging
    import warnings
    logging.disable(logging.CRITICAL)   # the project's log of each hostile input is not the report
    warnings.simplefilter("ignore")
    runner = Runner(args, tree, conn, beat)
    runner.run(start, end)


# ---------------------------------------------------------------- the watcher

class Findings:
    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.order: list[tuple[str, str, str]] = []

    def add(self, rec: dict[str, Any]) -> None:
        key = (rec["kind"], rec["type"], rec["where"])
        f = self.by_key.get(key)
        if f is None:
            f = dict(rec, count=0, first=(rec["target"], rec["index"]), smallest=(rec["size"], rec["target"], rec["index"]),
                     common=set(rec["tags"]))
            self.by_key[key] = f
            self.order.append(key)
        f["count"] += 1
        f["common"] &= set(rec["tags"])
        if rec["size"] < f["smallest"][0]:
            f["smallest"] = (rec["size"], rec["target"], rec["index"])


def watch(args: argparse.Namespace, tree: Path) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    findings = Findings()
    stats_done: dict[str, dict[str, float]] = {}
    started = time.monotonic()
    next_index = 0
    while next_index < args.inputs:
        receiver, sender = ctx.Pipe(duplex=False)
        beat = ctx.Array("d", 2, lock=False)
        # not a daemon: it starts the parser workers of the isolated share
        proc = ctx.Process(target=child_main, args=(args, tree, sender, beat, next_index, args.inputs), daemon=False)
        proc.start()
        sender.close()
        try:
            next_index = _follow(args, findings, proc, receiver, beat, next_index, stats_done, started)
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            receiver.close()
    return {"findings": findings, "stats": stats_done, "seconds": time.monotonic() - started, "inputs": next_index}


def _follow(args: argparse.Namespace, findings: "Findings", proc: Any, receiver: Any, beat: Any, next_index: int,
            stats_done: dict[str, dict[str, float]], started: float) -> int:
    """Read one run process's reports until it finishes, dies or hangs; the next input to run."""
    hard = args.timeout * 3 + 20  # the child's own interruption comes first; this is for C loops
    last_print = time.monotonic()
    first = next_index
    stats_life: dict[str, dict[str, float]] = {}

    def take(what: str, payload: Any) -> bool:
        nonlocal stats_life, next_index
        if what == "fail":
            findings.add(payload)
        elif what in ("stats", "done"):
            stats_life, next_index = payload["stats"], payload["next"]
        return what == "done"

    def lost(index: int, kind: str, typ: str, seconds: float) -> None:
        where = route(args.seed, index, args.target, args.poll_share, args.isolated_share)
        seed_kind, _, data, src = make_input(load_strategies(), args.seed, index, where)
        findings.add({"kind": kind, "type": typ, "where": "?", "via": "", "message": "", "index": index,
                      "target": where if where in ("mime", "poll") else f"{where}:{seed_kind}", "size": len(data), "tags": [re.sub(r"[×(].*", "", t).strip() for t in src.notes],
                      "seconds": seconds})
        _count(stats_life, where, seconds, index)

    while True:
        try:
            ready = receiver.poll(0.5)
            if ready and take(*receiver.recv()):
                break
        except (EOFError, OSError):
            ready = False
        if ready:
            if not args.quiet and time.monotonic() - last_print > 30:
                last_print = time.monotonic()
                print(f"  … {next_index}/{args.inputs} inputs, {len(findings.order)} distinct findings, "
                      f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
            continue
        if not proc.is_alive():
            done = False
            try:
                while receiver.poll(0):  # what it said before dying
                    done = take(*receiver.recv()) or done
            except (EOFError, OSError):
                pass
            if done:
                break
            if not stats_life and not beat[1] and int(beat[0]) == first and next_index == first:
                print("the run process died before its first input:", file=sys.stderr)
                if args.log and os.path.exists(args.log):
                    print(Path(args.log).read_text(errors="replace")[-3000:], file=sys.stderr)
                sys.exit(2)
            index = int(beat[0]) if beat[1] else next_index
            lost(index, "crash", f"run process died ({_exit(proc.exitcode)})", 0.0)
            next_index = index + 1
            break
        if beat[1] and time.monotonic() - beat[1] > hard:
            index = int(beat[0])
            proc.kill()
            proc.join(5)
            lost(index, "hang", f"no answer in {hard:g} s (killed)", hard)
            next_index = index + 1
            break
    _merge(stats_done, stats_life)
    return next_index


def _exit(code: int | None) -> str:
    if code is None:
        return "no exit code"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit {code}"


def _count(stats: dict[str, dict[str, float]], where: str, seconds: float, index: int) -> None:
    st = stats.setdefault(where, {"n": 0, "seconds": 0.0, "max": 0.0, "max_index": -1, "max_size": 0})
    st["n"] += 1
    st["seconds"] += seconds
    if seconds > st["max"]:
        st["max"], st["max_index"] = seconds, index


def _merge(into: dict[str, dict[str, float]], part: dict[str, dict[str, float]]) -> None:
    for where, st in part.items():
        t = into.setdefault(where, {"n": 0, "seconds": 0.0, "max": 0.0, "max_index": -1, "max_size": 0})
        t["n"] += st["n"]
        t["seconds"] += st["seconds"]
        if st["max"] > t["max"]:
            t["max"], t["max_index"], t["max_size"] = st["max"], st["max_index"], st.get("max_size", 0)


# ---------------------------------------------------------------- report

def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:40]


def report(args: argparse.Namespace, tree: Path, outcome: dict[str, Any]) -> int:
    S = load_strategies()
    findings: Findings = outcome["findings"]
    stats = outcome["stats"]
    total = int(outcome["inputs"])  # every input ran, or was recorded as the one that hung or crashed
    wall = outcome["seconds"]
    print(f"\nbaocao fuzz: tree {tree}, seed {args.seed}, target {args.target}, timeout {args.timeout:g} s"
          + (f", libraries' stderr in {args.log}" if args.log else ""))
    print(f"\n{'target':<10} {'inputs':>8} {'in/s (cpu)':>11} {'mean ms':>8} {'slowest s':>10}  slowest input")
    for where in sorted(stats):
        st = stats[where]
        rate = st["n"] / st["seconds"] if st["seconds"] else 0.0
        print(f"{where:<10} {int(st['n']):>8} {rate:>11.0f} {1000 * st['seconds'] / max(1, st['n']):>8.1f} "
              f"{st['max']:>10.2f}  #{int(st['max_index'])} ({int(st['max_size'])} B)")
    rows = []
    for n, key in enumerate(findings.order, 1):
        f = findings.by_key[key]
        size, target, index = f["smallest"]
        kind, name, data, src = make_input(S, args.seed, index, target.split(":")[0])
        f["description"] = src.describe()
        f["id"] = f"F{n:02d}"
        rows.append(f)
    if rows:
        print(f"\n{'id':<4} {'kind':<7} {'count':>6}  type — where [via]")
        for f in sorted(rows, key=lambda r: (KINDS.index(r["kind"]), -r["count"])):
            via = f" [via {f['via']}]" if f["via"] else ""
            print(f"{f['id']:<4} {f['kind']:<7} {f['count']:>6}  {f['type']} — {f['where']}{via}")
            if f["message"]:
                print(f"{'':20}message: {f['message'][:160]}")
            size, target, index = f["smallest"]
            print(f"{'':20}smallest: {target} #{index} ({size} B): {f['description'][:200]}")
            if f["common"] and f["count"] > 1:
                print(f"{'':20}in every such input: {', '.join(sorted(f['common']))[:200]}")
    unhandled = [f for f in rows if f["kind"] in UNHANDLED]
    slowest = max((s["max"] for s in stats.values()), default=0.0)
    cut = " (cut at the timeout)" if any(f["kind"] in ("stall", "hang") for f in rows) else ""
    print(f"\ninputs: {total}, unhandled exceptions: {len(unhandled)} distinct / {sum(f['count'] for f in unhandled)} total, "
          f"slowest: {slowest:.2f} s{cut}")
    by_kind: dict[str, list[int]] = {}
    for f in rows:
        by_kind.setdefault(f["kind"], [0, 0])
        by_kind[f["kind"]][0] += 1
        by_kind[f["kind"]][1] += f["count"]
    parts = [f"{k} {d}/{m}" for k, (d, m) in sorted(by_kind.items(), key=lambda kv: KINDS.index(kv[0]))]
    print(f"by kind (distinct/total): {', '.join(parts) or 'nothing found'}; "
          f"{total / wall:.0f} inputs/s over {wall:.0f} s wall")
    if args.save:
        save(args, S, Path(args.save), rows, stats)
    if args.json:
        Path(args.json).write_text(json.dumps(_jsonable(args, tree, rows, stats, total, wall), ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return 1 if unhandled else 0


def _jsonable(args: argparse.Namespace, tree: Path, rows: list[dict[str, Any]], stats: Any, total: int, wall: float) -> dict[str, Any]:
    return {"tree": str(tree), "seed": args.seed, "target": args.target, "inputs": total, "seconds": wall, "stats": stats,
            "findings": [{k: (sorted(v) if isinstance(v, set) else v) for k, v in f.items()} for f in rows]}


def save(args: argparse.Namespace, S: Any, folder: Path, rows: list[dict[str, Any]], stats: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for f in rows:
        size, target, idx = f["smallest"]
        kind, name, data, _ = make_input(S, args.seed, idx, target.split(":")[0])
        ext = EXT.get(target, Path(name).suffix.lstrip(".") or "bin")
        path = folder / f"{f['id']}-{target.replace(':', '-')}-{_slug(f['type'])}.{ext}"
        path.write_bytes(data)
        index.append({"file": path.name, "id": f["id"], "kind": f["kind"], "type": f["type"], "where": f["where"],
                      "via": f["via"], "message": f["message"], "count": f["count"], "target": target, "seed": args.seed,
                      "index": idx, "filename": name, "description": f["description"]})
    for where, st in stats.items():
        if st["max_index"] >= 0:
            kind, name, data, _ = make_input(S, args.seed, int(st["max_index"]), where.split(":")[0])
            ext = EXT.get(where, Path(name).suffix.lstrip(".") or "bin")
            (folder / f"slowest-{where}.{ext}").write_bytes(data)
            index.append({"file": f"slowest-{where}.{ext}", "kind": "slowest", "seconds": st["max"], "target": where,
                          "seed": args.seed, "index": int(st["max_index"]), "filename": name})
    (folder / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"reproducers: {folder}/ (index.json; replay one with --replay FILE)")


# ---------------------------------------------------------------- replay

def replay(args: argparse.Namespace, tree: Path) -> int:
    sys.path.insert(0, str(tree))
    limit_memory(args.memory_mb)
    path = Path(args.replay)
    data = path.read_bytes()
    meta: dict[str, Any] = {}
    index_file = path.parent / "index.json"
    if index_file.is_file():
        meta = next((e for e in json.loads(index_file.read_text(encoding="utf-8")) if e.get("file") == path.name), {})
    target = meta.get("target") or ("mime" if path.suffix == ".eml" and "-parsers-" not in path.name else "isolated")
    print(f"replay {path.name} ({len(data)} B) as {target} against {tree}")
    began = time.perf_counter()
    try:
        if target in ("mime", "poll"):
            from parsers.mime import parse_message
            parsed = parse_message(data)
            bad = not_utf8(parsed)
            print(f"parse_message: ok; subject {parsed.subject[:80]!r}, {len(parsed.attachments)} attachments, "
                  f"defects {parsed.defects[:5]}; not UTF-8: {bad[:5] or 'none'}")
        else:
            from parsers.registry import parse_attachment
            from store.config import load
            report = load(tree / "config.example.toml").reports[0]
            results = parse_attachment(meta.get("filename") or path.name, data, report, isolate=target.startswith("isolated"))
            for r in results:
                print(f"{r.filename}: {r.detected_type}, {len(r.values)} values, problems "
                      f"{[(p.reason, p.detail[:120]) for p in r.problems]}")
    except BaseException:  # noqa: BLE001 - show it
        traceback.print_exc(limit=-8)
        return 1
    finally:
        print(f"{time.perf_counter() - began:.3f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target", choices=("mime", "parsers", "all"), default="all")
    ap.add_argument("--save", metavar="DIR", help="write the smallest reproducer of each distinct failure here")
    ap.add_argument("--tree", metavar="DIR", help="the checkout to fuzz (default: PYTHONPATH's, else this one)")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds one input may take (default 5)")
    ap.add_argument("--slow", type=float, default=1.0,
                    help="an input slower than this is reported with the frame it was in at that moment (0: off)")
    ap.add_argument("--poll-share", type=float, default=0.003, help="share of mail inputs run through pipeline.poll")
    ap.add_argument("--isolated-share", type=float, default=0.02, help="share of file inputs run through worker-isolated parse_attachment")
    ap.add_argument("--recheck", type=int, default=25, help="parse every Nth input twice and compare (0: never)")
    ap.add_argument("--memory-mb", type=int, default=3072, help="address space the run process may add (0: no limit)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures and findings as JSON")
    ap.add_argument("--replay", metavar="FILE", help="run one saved reproducer and show what happens")
    ap.add_argument("--log", metavar="FILE", help="where the run process's stderr goes (default: a temp file; '-': the terminal)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.log == "-":
        args.log = None
    elif not args.log:
        args.log = os.path.join(tempfile.gettempdir(), f"baocao-fuzz-{os.getpid()}.log")
    tree = find_tree(args.tree)
    if not (tree / "ingest" / "mime.py").is_file():
        ap.error(f"{tree} is not a baocao checkout")
    if args.replay:
        return replay(args, tree)
    args.scratch = tempfile.mkdtemp(prefix="baocao-fuzz-")  # stores and Maildirs of the run processes
    try:
        outcome = watch(args, tree)
    finally:
        shutil.rmtree(args.scratch, ignore_errors=True)
    return report(args, tree, outcome)


if __name__ == "__main__":
    sys.exit(main())
