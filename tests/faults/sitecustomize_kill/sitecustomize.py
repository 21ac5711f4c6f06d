"""Fault injection for tests/faults: SIGKILL this process at a chosen call.

Python imports `sitecustomize` at start-up from the first folder of `sys.path` that has one; the
fault harness puts this folder first on the child's PYTHONPATH. Without the variables below it
does nothing at all.

    BAOCAO_KILL_AT=module:qualname:N   e.g. store.messages:StoreSeen.mark:3
    BAOCAO_KILL_WHEN=before|after      kill right before (default) or right after the N-th call
    BAOCAO_COUNT_AT=module:qualname,module:qualname,...
    BAOCAO_COUNT_FILE=/path.json       with BAOCAO_COUNT_AT: the number of calls of each point,
                                       written at a normal exit (the harness picks N from it)

The target is wrapped as soon as its module has been executed (an import hook), before any other
module can bind the name with `from module import name`. A point that cannot be armed (no such
module, no such attribute, or a module the run never imported) is said on stderr in one line
starting `baocao-faults:`, and nothing else happens, so a test sees why no kill came. Just before
the kill a line `baocao-faults: SIGKILL at ...` is written to stderr (unbuffered).

The variables are removed from the environment once read, so the processes this one starts (the
parser forkserver and its workers, a `run` job's helpers) are never armed themselves.
"""
from __future__ import annotations

import atexit
import functools
import importlib.abc
import json
import os
import signal
import sys

_PREFIX = "baocao-faults:"


def _say(text: str) -> None:
    try:
        os.write(2, f"{_PREFIX} {text}\n".encode("utf-8", "replace"))
    except OSError:
        pass


class _Point:
    def __init__(self, spec: str, kill_at: int = 0, when: str = "before"):
        self.spec = spec
        parts = spec.split(":")
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(spec)
        self.module, self.qualname = parts[0], parts[1]
        self.kill_at = kill_at
        self.when = when
        self.calls = 0
        self.armed = False
        self.problem = ""

    def label(self) -> str:
        return f"{self.module}:{self.qualname}"


_points: dict[str, list[_Point]] = {}
_count_file = ""


def _die(point: _Point) -> None:
    _say(f"SIGKILL at {point.label()} call {point.calls} ({point.when}) in pid {os.getpid()}")
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(func, point: _Point):  # type: ignore[no-untyped-def]
    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        point.calls += 1
        hit = point.kill_at and point.calls == point.kill_at
        if hit and point.when == "before":
            _die(point)
        result = func(*args, **kwargs)
        if hit and point.when == "after":
            _die(point)
        return result
    wrapper.__baocao_fault_point__ = point.spec  # type: ignore[attr-defined]
    return wrapper


def _arm(module, point: _Point) -> None:  # type: ignore[no-untyped-def]
    owner = module
    names = point.qualname.split(".")
    for name in names[:-1]:
        owner = getattr(owner, name, None)
        if owner is None:
            point.problem = f"{point.module} has no {name!r} (looking for {point.qualname})"
            _say(f"cannot arm {point.spec}: {point.problem}; nothing armed")
            return
    last = names[-1]
    raw = owner.__dict__.get(last) if isinstance(owner, type) else getattr(owner, last, None)
    if raw is None and isinstance(owner, type):
        raw = getattr(owner, last, None)  # inherited from a base class
    if raw is None:
        point.problem = f"{point.module} has no {point.qualname!r}"
        _say(f"cannot arm {point.spec}: {point.problem}; nothing armed")
        return
    if isinstance(raw, (staticmethod, classmethod)):
        wrapped = type(raw)(_wrap(raw.__func__, point))
    elif callable(raw):
        wrapped = _wrap(raw, point)
    else:
        point.problem = f"{point.module}:{point.qualname} is not callable ({type(raw).__name__})"
        _say(f"cannot arm {point.spec}: {point.problem}; nothing armed")
        return
    setattr(owner, last, wrapped)
    point.armed = True


class _Hook(importlib.abc.MetaPathFinder):
    """Finds the target modules with the other finders, then arms them right after they run."""

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname not in _points:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        real_exec = loader.exec_module

        def exec_module(module):  # type: ignore[no-untyped-def]
            real_exec(module)
            for point in _points.get(fullname, ()):
                if not point.armed and not point.problem:
                    _arm(module, point)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _at_exit() -> None:
    for points in _points.values():
        for point in points:
            if not point.armed and not point.problem:
                _say(f"cannot arm {point.spec}: the run never imported {point.module}; nothing armed")
            elif point.armed and point.kill_at and point.calls < point.kill_at:
                _say(f"{point.label()} armed for call {point.kill_at} but called {point.calls} time(s); no kill")
    if _count_file:
        counts = {p.label(): (p.calls if p.armed else None) for ps in _points.values() for p in ps
                  if not p.kill_at}
        try:
            with open(_count_file, "w", encoding="utf-8") as fh:
                json.dump(counts, fh)
        except OSError as exc:
            _say(f"cannot write {_count_file}: {exc}")


def _setup() -> None:
    global _count_file
    kill_at = os.environ.pop("BAOCAO_KILL_AT", "")
    when = os.environ.pop("BAOCAO_KILL_WHEN", "before") or "before"
    count_at = os.environ.pop("BAOCAO_COUNT_AT", "")
    _count_file = os.environ.pop("BAOCAO_COUNT_FILE", "")
    wanted: list[_Point] = []
    if kill_at:
        spec, _, n = kill_at.rpartition(":")
        try:
            point = _Point(spec, int(n), when)
            if point.kill_at < 1 or when not in ("before", "after"):
                raise ValueError
        except ValueError:
            _say(f"BAOCAO_KILL_AT={kill_at!r} BAOCAO_KILL_WHEN={when!r}: expected module:function:N "
                 f"(N >= 1) and before|after; nothing armed")
        else:
            wanted.append(point)
    for spec in filter(None, (s.strip() for s in count_at.split(","))):
        try:
            wanted.append(_Point(spec))
        except ValueError:
            _say(f"BAOCAO_COUNT_AT: {spec!r} is not module:function; ignored")
    if not wanted:
        return
    for point in wanted:
        _points.setdefault(point.module, []).append(point)
        already = sys.modules.get(point.module)
        if already is not None:
            _arm(already, point)
    sys.meta_path.insert(0, _Hook())
    atexit.register(_at_exit)


_setup()
