"""Nothing stops the intake: every regular expression applied to mail or file text is linear.

The patterns are discovered, not listed: the compiled `re.Pattern` objects in the globals of
every module of `ingest`, `parsers`, `compile` and `store` (also inside tuples, lists and
dicts), the patterns those modules build from the recognition vocabulary (`vocabulary.regex`
globals, compiled for the shipped words and for words a division adds), the literal patterns
passed to `re.sub/search/match/...` anywhere in their source (read with `ast`), string patterns
a function takes from a module-level table (`for pattern, phrase in _REASONS: re.search(pattern,
...)`), and the patterns built at run time from the configuration (unit names, indicator patterns). A call site whose pattern is none of
these must be listed in `DYNAMIC_SITES` with the reason it is safe or where it is covered, so a
new regex cannot slip past.

For each pattern the worst cases are built from the pattern itself: runs of every literal
character and character-class representative it holds, alternations of two of them, its literal
words repeated (also without their last character), and samples of what it matches (one per
alternative, cut short of a match, repeated or with every unbounded repeat stretched to the
input's size). Each input is timed at 10 KB and at 100 KB (best of 3) with the methods the code
uses; linear growth is about 10x, and a ratio of MAX_RATIO or more fails, unless the 100 KB run
took under FLOOR seconds (too small to measure honestly). A single run is cut off after CAP
seconds (SIGALRM; the regex engine checks for signals), which counts as super-linear when the
10 KB run was fast enough for the cut-off to prove the ratio.

A ratio test, not a timing target: it holds on a slow or busy machine.
"""
from __future__ import annotations

import ast
import collections
import datetime as dt
import importlib
import itertools
import pkgutil
import re
import re._constants as C
import re._parser as sre_parse
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from parsers import vocabulary

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ingest", "parsers", "compile", "store")
SMALL, BIG = 10_000, 100_000
MAX_RATIO = 35.0          # linear is about 10; quadratic about 100
FLOOR = 0.002             # seconds at the big size under which a case always passes
CAP = 1.0                 # seconds one run may take before it is cut off
MAX_FAILURES = 3          # per pattern: enough to name the worst input, without waiting on all of them

# Modules whose super-linear patterns are known and being fixed elsewhere, with a note the
# failure message carries (they still fail: nothing here is skipped). Empty: none is pending.
PENDING: dict[str, str] = {}

# Call sites whose pattern is not a literal, a module global or a module-level table, with what
# makes them safe or where their patterns are checked. Keyed by (module, function, re function).
DYNAMIC_SITES = {
    ("ingest.units", "_pattern", "compile"): "unit patterns built from the configuration: CONFIGURED (units)",
    ("parsers.vocabulary", "__call__", "compile"): "patterns built from the vocabulary: module globals, checked "
                                                   "as such (VOCABULARY cases)",
    ("parsers.narrative", "extract", "finditer"): "indicator patterns of the configuration: CONFIGURED (indicators)",
    ("parsers.numbers", "_mixed", "fullmatch"): "f-string over the two separators: CONFIGURED (numbers)",
    ("parsers.detect", "_scan_names", "finditer"): "re.escape of a fixed needle: a literal, linear by construction",
    ("parsers.legacy", "<module>", "compile"): "_VNI_TOKEN / _VNI_WEIRD_PAIR, module globals: checked as such",
    ("store.config", "_indicator", "compile"): "validates a configured pattern, applied to no text",
}

RE_FUNCS = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "findall": 2, "finditer": 2,
            "split": 3, "sub": 4, "subn": 4}          # function -> position of its flags argument
SCANNING = {"findall", "finditer", "sub", "subn", "split"}


# ---------------------------------------------------------------- discovery

@dataclass
class Case:
    where: str                      # "parsers.mime:FORWARD_MARKER", "parsers.pdf:_split_line:281"
    module: str
    pattern: re.Pattern
    methods: set[str] = field(default_factory=set)     # search | match | fullmatch | findall (a full scan)
    sites: list[str] = field(default_factory=list)      # every place the same pattern is applied

    @property
    def pending(self) -> str | None:
        """Why this case is expected to fail for now: every site of the pattern is in code owned
        elsewhere (PENDING); None when any site is in the files this test's author fixes."""
        whys = [next((why for prefix, why in PENDING.items() if site.startswith(prefix)), None)
                for site in self.sites or [self.module]]
        return whys[0] if whys and all(whys) else None


def _modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        names.append(pkg)
        for info in pkgutil.walk_packages([str(ROOT / pkg)], prefix=f"{pkg}."):
            names.append(info.name)
    return names


def _patterns_in(value: object, path: str, depth: int = 0) -> Iterator[tuple[str, re.Pattern]]:
    if isinstance(value, re.Pattern):
        yield path, value
    elif depth < 4 and isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _patterns_in(item, f"{path}[{i}]", depth + 1)
    elif depth < 4 and isinstance(value, dict):
        for i, (k, v) in enumerate(value.items()):
            yield from _patterns_in(k, f"{path}<key {i}>", depth + 1)
            yield from _patterns_in(v, f"{path}[{k!r}]", depth + 1)


def _flags(node: ast.expr | None) -> int | None:
    """The value of a literal flags expression (re.I | re.S, 0), None when not literal."""
    if node is None:
        return 0
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re":
        return int(getattr(re, node.attr))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _flags(node.left), _flags(node.right)
        return None if left is None or right is None else left | right
    return None


class _Scope(ast.NodeVisitor):
    """Walks one module's source: the re.* call sites, the methods called on module globals, and
    the loops that take a pattern from a module-level table."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.stack: list[str] = ["<module>"]
        self.loops: list[ast.For] = []
        self.calls: list[tuple[str, int, str, ast.Call]] = []      # (function, line, re function, node)
        self.loop_of: dict[int, list[ast.For]] = {}
        self.methods: dict[str, set[str]] = {}                       # global name -> methods called on it

    def _scoped(self, node: ast.AST, name: str) -> None:
        self.stack.append(name)
        saved, self.loops = self.loops, []
        self.generic_visit(node)
        self.loops = saved
        self.stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scoped(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._scoped(node, "<listcomp>")

    def visit_For(self, node: ast.For) -> None:
        self.loops.append(node)
        self.generic_visit(node)
        self.loops.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Subscript):
                owner = owner.value
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name):   # NAME().method(...)
                owner = owner.func
            if isinstance(owner, ast.Attribute):        # module.NAME.method(...)
                owner = ast.Name(id=owner.attr)
            if isinstance(owner, ast.Name):
                if owner.id == "re" and func.attr in RE_FUNCS:
                    self.calls.append((self.stack[-1], node.lineno, func.attr, node))
                    self.loop_of[id(node)] = list(self.loops)
                else:
                    self.methods.setdefault(owner.id, set()).add(func.attr)
        self.generic_visit(node)


def _method_set(called: set[str]) -> set[str]:
    """The ways the code applies a pattern: a full scan (findall, finditer, sub, split), search,
    match, fullmatch; a pattern passed around (a table, a loop variable) gets search and a full
    scan, the costliest uses."""
    out = {"findall"} if called & SCANNING else set()
    out |= called & {"search", "match", "fullmatch"}
    return out or {"search", "findall"}


def _from_table(module: object, scope: _Scope, call: ast.Call, name: str) -> list[str] | None:
    """Patterns reached through `for pattern, x in TABLE:` where TABLE is a module global."""
    for loop in reversed(scope.loop_of[id(call)]):
        target, table = loop.target, loop.iter
        if not isinstance(table, ast.Name) or not hasattr(module, table.id):
            continue
        rows = getattr(module, table.id)
        if isinstance(target, ast.Name) and target.id == name:
            return [r for r in rows if isinstance(r, (str, bytes))]
        if isinstance(target, ast.Tuple):
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Name) and elt.id == name:
                    return [r[i] for r in rows if isinstance(r[i], (str, bytes))]
    return None


@dataclass
class Discovery:
    cases: list[Case]
    dynamic: dict[tuple[str, str, str], list[str]]      # unresolved call sites -> "file:line"


def discover() -> Discovery:
    cases: dict[tuple[object, int], Case] = {}
    dynamic: dict[tuple[str, str, str], list[str]] = {}

    def add(where: str, module: str, pattern: re.Pattern, methods: set[str]) -> None:
        key = (pattern.pattern, pattern.flags)
        if key not in cases:
            cases[key] = Case(where, module, pattern, set())
        cases[key].methods |= methods
        cases[key].sites.append(where)

    scopes: dict[str, tuple[object, _Scope]] = {}
    used: dict[str, set[str]] = {}          # NAME -> methods called on it, in any module (module.NAME.x)
    for name in _modules():
        module = importlib.import_module(name)
        scope = _Scope(name)
        scope.visit(ast.parse(Path(module.__file__).read_text(encoding="utf-8")))
        scopes[name] = (module, scope)
        for gname, methods in scope.methods.items():
            used.setdefault(gname, set()).update(methods)
    for name, (module, scope) in scopes.items():
        for gname, value in list(vars(module).items()):
            if isinstance(value, vocabulary.Built) and value.where == name:
                for label, vocab in VOCABULARIES.items():
                    add(f"{name}:{gname}{label}", name, value(vocab), _method_set(used.get(gname, set())))
                continue
            if gname.startswith("__") or isinstance(value, type) or callable(value) and not isinstance(value, re.Pattern):
                continue
            for path, pat in _patterns_in(value, gname):
                add(f"{name}:{path}", name, pat, _method_set(used.get(gname, set())))
        for func, line, refunc, call in scope.calls:
            where = f"{name}:{func}:{line}"
            if refunc != "compile":
                methods = _method_set({refunc})
            elif func == "<module>":   # NAME = re.compile(...): the methods called on NAME say how it is used
                methods = set()
            else:
                methods = _method_set(set())
            first = call.args[0] if call.args else None
            flags_node = next((k.value for k in call.keywords if k.arg == "flags"), None)
            pos = RE_FUNCS[refunc]
            if flags_node is None and len(call.args) > pos:
                flags_node = call.args[pos]
            flags = _flags(flags_node)
            if isinstance(first, ast.Constant) and isinstance(first.value, (str, bytes)) and flags is not None:
                add(where, name, re.compile(first.value, flags), methods)
                continue
            if isinstance(first, ast.Name) and flags is not None:
                rows = _from_table(module, scope, call, first.id)
                if rows:
                    for i, text in enumerate(rows):
                        add(f"{where}[{i}]", name, re.compile(text, flags), methods)
                    continue
            dynamic.setdefault((name, func, refunc), []).append(f"{name.replace('.', '/')}.py:{line}")
    for case in cases.values():
        case.methods = case.methods or _method_set(set())
    return Discovery(list(cases.values()), dynamic)


def _extended() -> vocabulary.Vocabulary:
    """The shipped words with a division's entries in every table: one word, two words, a word
    that begins an entry already there, a year placeholder."""
    extra: dict[str, list[str]] = {}
    for name, table in vocabulary.base().tables.items():
        if table.form == "domain":
            extra[name] = ["mail.example.vn"]
        elif table.form == "pairs":
            extra[name] = ["xyz: xa yen"]
        else:
            first = table.entries[0].split()[0]
            extra[name] = ["Từ mới", "cụm từ mới khác", f"{first} mới", "mới {year}"]
    return vocabulary.of(extra)


# The vocabularies the built patterns are checked with (a suffix of the case's name -> vocabulary).
VOCABULARIES = {"": vocabulary.base(), "(extended)": _extended()}


def configured_cases() -> list[Case]:
    """Patterns built at run time: from the example configuration (units, indicators) and the
    number separators."""
    from ingest import units as unitfind
    from store.config import load
    from tests.conftest import write_config

    folder = Path(tempfile.mkdtemp(prefix="regex-linear-"))
    for sub in ("cur", "new", "tmp"):
        (folder / "maildir" / sub).mkdir(parents=True)
    cfg = load(write_config(folder))
    out: dict[tuple[str, int], Case] = {}
    for report in cfg.reports:
        for ind in report.indicators:
            for i, text in enumerate(ind.patterns):
                pat = re.compile(text, re.I)
                out.setdefault((pat.pattern, pat.flags),
                               Case(f"config:{report.code}.{ind.code}.patterns[{i}]", "config", pat, {"search", "findall"}))
    # Two units of each family: every unit's patterns have one of a few shapes.
    seen: dict[str | None, int] = {}
    for up in unitfind.patterns(cfg.units):
        if seen.get(up.family, 0) >= 2:
            continue
        seen[up.family] = seen.get(up.family, 0) + 1
        for i, pat in enumerate(up.regexes):
            out.setdefault((pat.pattern, pat.flags),
                           Case(f"ingest.units:patterns({up.code})[{i}]", "ingest.units", pat, {"search", "findall"}))
    for sep in ".,":
        pat = re.compile(rf"[1-9]\d{{0,2}}(\{sep}\d{{3}})+")
        out.setdefault((pat.pattern, 0), Case(f"parsers.numbers:_mixed({sep!r})", "parsers.numbers", pat,
                                              {"search", "fullmatch"}))
    return list(out.values())


# ---------------------------------------------------------------- worst cases from the pattern

POOL = (" -\n\t\r:=?<>.,;_@/*\"'()[]#!&%+10azAZxă đĐơưếà\u00a0…·–")
POOL = "".join(dict.fromkeys(POOL))
BASE = " \n-.a1"
EXTRA_UNITS = ("-" * 1500 + "\n", " \n", "\n \n", "\t\n", "\r\n", "=?utf-8?B?YQ==?=", "=?utf-8?q?a?= ", "=?", "?=",
               "a@b.", "a@", "<a@b>", "<", "a, ", ": ", "(", ")(", "2024 ", "ngay ", "1.", "1 ", "1,", "a.",
               "re: ", "fwd: ", "From: ", "> ", "<!-- -->", "\\", "ă ", "đ", "Báo cáo ")


def _category(cat: object, ch: str, is_bytes: bool) -> bool:
    if is_bytes and ord(ch) > 127:
        ascii_only = {C.CATEGORY_DIGIT, C.CATEGORY_SPACE, C.CATEGORY_WORD}
        return cat not in ascii_only
    if cat in (C.CATEGORY_DIGIT, C.CATEGORY_NOT_DIGIT):
        return ch.isdecimal() == (cat is C.CATEGORY_DIGIT)
    if cat in (C.CATEGORY_SPACE, C.CATEGORY_NOT_SPACE):
        return (ch.isspace() or ch in "\x1c\x1d\x1e\x1f") == (cat is C.CATEGORY_SPACE)
    if cat in (C.CATEGORY_WORD, C.CATEGORY_NOT_WORD):
        return (ch.isalnum() or ch == "_") == (cat is C.CATEGORY_WORD)
    return cat in (C.CATEGORY_LINEBREAK,) and ch == "\n"


def _in_set(items: list, ch: str, ignorecase: bool, is_bytes: bool) -> bool:
    negate, hit = False, False
    forms = {ord(ch), ord(ch.lower()), ord(ch.upper())} if ignorecase else {ord(ch)}
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit |= av in forms
        elif op is C.RANGE:
            hit |= any(av[0] <= f <= av[1] for f in forms)
        elif op is C.CATEGORY:
            hit |= _category(av, ch, is_bytes)
    return hit != negate


class Shape:
    """What one pattern is made of: its characters, words and a generator of what it matches."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern
        self.is_bytes = isinstance(pattern.pattern, bytes)
        self.ignorecase = bool(pattern.flags & re.I)
        self.tree = sre_parse.parse(pattern.pattern, pattern.flags)
        self.chars: list[str] = []        # literal characters and class representatives, most telling first
        self.words: list[str] = []
        self.members: dict[int, list[str]] = {}
        self.branch_width = 1
        self._collect(self.tree)
        for c in BASE:
            self._char(c)

    def _char(self, c: str) -> None:
        if self.is_bytes and ord(c) > 255:
            return
        if c not in self.chars:
            self.chars.append(c)

    def _set_members(self, items: list) -> list[str]:
        key = id(items)
        if key not in self.members:
            candidates = list(POOL)
            for op, av in items:
                if op is C.LITERAL:
                    candidates.insert(0, chr(av))
                elif op is C.RANGE:
                    candidates[:0] = [chr(av[0]), chr((av[0] + av[1]) // 2), chr(av[1])]
            found = [c for c in dict.fromkeys(candidates)
                     if (not self.is_bytes or ord(c) < 256) and _in_set(items, c, self.ignorecase, self.is_bytes)]
            self.members[key] = found[:6] or ["a"]
        return self.members[key]

    def _collect(self, sub: object) -> None:
        word: list[str] = []
        for op, av in sub:
            if op is C.LITERAL:
                word.append(chr(av))
                self._char(chr(av))
                continue
            if len(word) >= 2:
                self.words.append("".join(word))
            word = []
            if op is C.IN:
                for c in self._set_members(av)[:4]:
                    self._char(c)
            elif op is C.NOT_LITERAL:
                self._char(chr(av))
            elif op is C.BRANCH:
                self.branch_width = max(self.branch_width, len(av[1]))
                for alt in av[1]:
                    self._collect(alt)
            elif op is C.SUBPATTERN:
                self._collect(av[3])
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                self._collect(av[2])
            elif op in (C.ASSERT, C.ASSERT_NOT):
                self._collect(av[1])
            elif op is C.ATOMIC_GROUP:
                self._collect(av)
            elif op is C.GROUPREF_EXISTS:
                self._collect(av[1])
                if av[2] is not None:
                    self._collect(av[2])
        if len(word) >= 2:
            self.words.append("".join(word))

    def unbounded(self) -> int:
        """How many repeats of the pattern have no (or a large) upper bound."""
        count = 0

        def walk(sub: object) -> None:
            nonlocal count
            for op, av in sub:
                if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                    count += av[1] is C.MAXREPEAT or av[1] > 1000
                    walk(av[2])
                elif op is C.BRANCH:
                    for alt in av[1]:
                        walk(alt)
                elif op is C.SUBPATTERN:
                    walk(av[3])
                elif op is C.ATOMIC_GROUP:
                    walk(av)
                elif op is C.GROUPREF_EXISTS:
                    walk(av[1])
        walk(self.tree)
        return count

    def sample(self, reps: int, choice: int, mixed: bool, stretch: int = -1) -> str:
        """A string the pattern (nearly) matches: branch `choice`, class members cycling when
        `mixed`, the `stretch`-th unbounded repeat taken `reps` times (the others as few times
        as they allow, at least once), bounded repeats to their upper bound."""
        groups: dict[int, str] = {}
        counter = itertools.count()
        repeat_no = itertools.count()

        def gen(sub: object) -> str:
            out = []
            for op, av in sub:
                if op is C.LITERAL:
                    out.append(chr(av))
                elif op is C.NOT_LITERAL:
                    out.append("a" if av != ord("a") else "b")
                elif op is C.ANY:
                    out.append("ab1 "[next(counter) % 4] if mixed else "a")
                elif op is C.IN:
                    members = self._set_members(av)
                    out.append(members[next(counter) % len(members)] if mixed else members[0])
                elif op is C.BRANCH:
                    alts = av[1]
                    out.append(gen(alts[choice % len(alts)]))
                elif op is C.SUBPATTERN:
                    text = gen(av[3])
                    if av[0]:
                        groups[av[0]] = text
                    out.append(text)
                elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                    lo, hi, body = av
                    if hi is C.MAXREPEAT or hi > 1000:
                        n = max(lo, reps) if next(repeat_no) == stretch else max(lo, 1)
                    else:
                        n = hi
                    bodies = [gen(body) for _ in range(min(n, 6))]   # then tiled: quick at any size
                    times, rest = divmod(n, len(bodies)) if bodies else (0, 0)
                    out.append("".join(bodies) * times + "".join(bodies[:rest]))
                elif op is C.AT and av in (C.AT_BOUNDARY, C.AT_UNI_BOUNDARY, C.AT_LOC_BOUNDARY):
                    last = out[-1][-1:] if out and out[-1] else ""
                    if last.isalnum() or last == "_":   # \b after a word: what follows starts a new one
                        out.append(" ")
                elif op is C.GROUPREF:
                    out.append(groups.get(av, ""))
                elif op is C.GROUPREF_EXISTS:
                    out.append(gen(av[1]))
                elif op is C.ATOMIC_GROUP:
                    out.append(gen(av))
            return "".join(out)

        return gen(self.tree)


@dataclass(frozen=True)
class Input:
    label: str
    make: Callable[[int], str]      # size -> the text (about that size)


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def _stretched(shape: Shape, choice: int, mixed: bool, stretch: int, cut: int,
               tail: str) -> Callable[[int], str] | None:
    one, two = shape.sample(1, choice, mixed, stretch), shape.sample(2, choice, mixed, stretch)
    step = len(two) - len(one)
    if step <= 0 or len(one) > 5000:
        return None

    def make(size: int) -> str:
        text = shape.sample(max(2, (size - len(one)) // step + 1), choice, mixed, stretch)
        return (text[:-cut] if cut else text) + tail
    return make


def _show(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def worst_inputs(shape: Shape) -> list[Input]:
    inputs: dict[str, Input] = {}

    def add(label: str, make: Callable[[int], str]) -> None:
        inputs.setdefault(label, Input(label, make))

    chars = shape.chars[:18]
    for c in chars:
        add(f"run of {c!r}", _repeat(c))
    for a, b in itertools.combinations(chars[:11], 2):
        add(f"alternating {a + b!r}", _repeat(a + b))
    for w in dict.fromkeys(shape.words[:10]):
        for unit in (w, w + " ", w + "\n", w[:-1], w[:-1] + " "):
            if unit:
                add(f"repeated {unit!r}", _repeat(unit))
    for choice in range(min(shape.branch_width, 6)):
        for mixed in (False, True):
            short = shape.sample(1, choice, mixed)
            if short:
                for unit in (short, short[:-1], short[:-1] + "\n", short + " ", short + "\n"):
                    if unit:
                        add(f"repeated sample {unit!r}", _repeat(unit))
            for stretch in range(min(shape.unbounded(), 4)):
                for cut, tail in ((0, ""), (1, ""), (0, "\x00"), (0, " "), (0, "\n"), (0, ",")):
                    make = _stretched(shape, choice, mixed, stretch, cut, tail)
                    if make:
                        add(f"stretched sample {_show(make(200))} (branch {choice}, {'mixed' if mixed else 'pure'}, "
                            f"repeat {stretch}, cut {cut}, then {tail!r})", make)
    for unit in EXTRA_UNITS:
        add(f"repeated {_show(unit)}", _repeat(unit))
    return list(inputs.values())


# ---------------------------------------------------------------- timing

class _Cut(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise _Cut()


def _run(fn: Callable[[], object], cap: float) -> float:
    """Seconds one call took; inf when cut off after `cap` seconds."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, cap)
    start = time.perf_counter()
    try:
        fn()
        return time.perf_counter() - start
    except _Cut:
        return float("inf")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _best(fn: Callable[[], object], runs: int = 3, cap: float = CAP) -> float:
    best = float("inf")
    for _ in range(runs):
        t = _run(fn, cap)
        if t == float("inf"):
            return t
        best = min(best, t)
    return best


def _call(pattern: re.Pattern, method: str, text: str | bytes) -> Callable[[], object]:
    if method == "findall":   # every match, as findall/finditer/sub/split walk them (nothing kept)
        return lambda: collections.deque(pattern.finditer(text), maxlen=0)
    return lambda: getattr(pattern, method)(text)


@dataclass(frozen=True)
class Growth:
    ratio: float          # time growth normalised to a tenfold input (linear ~ 10)
    small: float
    big: float
    sizes: tuple[int, int]

    @property
    def cut(self) -> bool:
        return self.big == float("inf")

    def __str__(self) -> str:
        small = "cut off" if self.small == float("inf") else f"{self.small * 1000:.2f} ms"
        big = "cut off" if self.cut else f"{self.big * 1000:.1f} ms"
        return (f"ratio {self.ratio:.0f}{'+' if self.cut else ''} "
                f"({self.sizes[0]:,} chars: {small}, {self.sizes[1]:,} chars: {big})")


def _best_until(fn: Callable[[], object], cap: float, enough: float) -> float:
    """Best of 3 runs, each cut off after `cap`; stops early once a run is over `enough` (the
    answer is plain by then)."""
    best = float("inf")
    for _ in range(3):
        best = min(best, _run(fn, cap))
        if best == float("inf") or best > enough:
            break
    return best


def _proved(measure: Callable[[str | bytes], Callable[[], object]], lo: str | bytes, hi: str | bytes,
            cap: float = CAP) -> Growth:
    """The growth from `lo` to `hi`, best of 3 each; `hi` gets the time a MAX_RATIO growth would
    take, so a cut-off is a proof and a slow but linear case still gets measured."""
    scale = len(hi) / max(len(lo), 1)
    t_lo = _best(measure(lo), cap=cap)
    if t_lo == float("inf"):
        return Growth(float("inf"), t_lo, t_lo, (len(lo), len(hi)))
    t_lo = max(t_lo, 1e-6)
    proof = t_lo * scale * MAX_RATIO / 10          # what `hi` takes at a growth of MAX_RATIO
    cap = max(cap, min(60.0, proof * 1.05))
    t_hi = _best_until(measure(hi), cap, 2 * proof)
    ratio = (cap if t_hi == float("inf") else t_hi) / t_lo * 10 / scale
    return Growth(ratio, t_lo, t_hi, (len(lo), len(hi)))


def growth(measure: Callable[[str | bytes], Callable[[], object]], make: Callable[[int], str | bytes],
           small_size: int = SMALL, big_size: int = BIG, floor: float = FLOOR, cap: float = CAP) -> Growth | None:
    """How the cost grows from `small_size` to the tenfold `big_size` (normalised to exactly
    tenfold); None when the big run is too quick to matter. One run of each first: a case clearly
    linear at one run (below 60% of MAX_RATIO) is not measured again. A case already slow at the
    small size (proving MAX_RATIO at the big size would take over 3 * `cap`) is measured a size
    lower, from a tenth of `small_size` to `small_size`."""
    small = make(small_size)
    t_small = _run(measure(small), cap)
    scale = big_size / small_size
    if t_small == float("inf") or t_small * scale * MAX_RATIO / 10 > 3 * cap:
        return _proved(measure, make(small_size // 10), small, cap)
    big = make(big_size)
    t_big = _run(measure(big), cap)
    if t_big < floor:
        return None
    scale = len(big) / max(len(small), 1)
    if t_big != float("inf") and t_big / max(t_small, 1e-6) * 10 / scale < MAX_RATIO * 0.6:
        return Growth(t_big / max(t_small, 1e-6) * 10 / scale, t_small, t_big, (len(small), len(big)))
    return _proved(measure, small, big, cap)


def superlinear(g: Growth | None) -> bool:
    return g is not None and g.ratio >= MAX_RATIO


def check(case: Case, max_failures: int = MAX_FAILURES) -> list[tuple[str, str, Growth]]:
    """The (method, input, growth) of this pattern's super-linear worst cases (worst first)."""
    shape = Shape(case.pattern)
    encode = (lambda s: s.encode("utf-8")) if shape.is_bytes else (lambda s: s)
    bad: list[tuple[str, str, Growth]] = []
    for inp in worst_inputs(shape):
        cache: dict[int, str | bytes] = {}

        def make(size: int, inp: Input = inp, cache: dict = cache) -> str | bytes:
            if size not in cache:
                cache[size] = encode(inp.make(size))
            return cache[size]
        for method in sorted(case.methods):
            def measure(text: str | bytes, m: str = method) -> Callable[[], object]:
                return _call(case.pattern, m, text)
            g = growth(measure, make)
            if superlinear(g):
                again = g if g.cut else growth(measure, make)   # noise on a busy machine? measured twice
                if superlinear(again):
                    bad.append((method, inp.label, g if g.ratio >= again.ratio else again))
                    break
        if len(bad) >= max_failures:
            break
    return sorted(bad, key=lambda b: -b[2].ratio)


# ---------------------------------------------------------------- the tests

DISCOVERY = discover()
CASES = DISCOVERY.cases + configured_cases()


def _describe(case: Case) -> str:
    text = case.pattern.pattern
    text = text if isinstance(text, str) else text.decode("latin-1")
    return text if len(text) <= 160 else text[:160] + "…"


@pytest.mark.parametrize("case", CASES, ids=[c.where for c in CASES])
def test_pattern_is_linear(case: Case) -> None:
    bad = check(case)
    if bad:
        lines = [f"super-linear regex in {case.where} (module {case.module}): /{_describe(case)}/ "
                 f"flags={case.pattern.flags!r}"]
        if len(case.sites) > 1:
            lines.append(f"  also applied at: {', '.join(case.sites[1:])}")
        lines += [f"  {method}() on {label}: {g}" for method, label, g in bad]
        if case.pending:
            lines.append(f"  NOTE: {case.pending}")
        pytest.fail("\n".join(lines), pytrace=False)


def test_discovery_finds_the_known_patterns() -> None:
    """The discovery itself works: globals, tables, inline literals and loops over tables."""
    where = {c.where.split("[")[0] for c in DISCOVERY.cases}
    texts = {c.pattern.pattern for c in CASES}
    for expected in ("ingest.classify:REPLY_PREFIX", "ingest.classify:NEGATED_CASE", "parsers.narrative:_UNIT_LABEL",
                     "ingest.classify:DATE_WRITTEN", "ingest.classify:DATE_NUMERIC", "parsers.detect:_HTML_START",
                     "compile.common:_ADDRESS", "store.logs:_CREDENTIAL_PATTERNS", "ingest.units:_SPLIT(extended)",
                     "parsers.pdf:_COLUMN_RX", "parsers.periods:_THIS"):
        assert expected in where, f"{expected} not discovered"
    assert r"(?i)\.(gz|tgz)$" in texts                         # parsers/archives.py, inline in a function
    built = {f"{b.where}" for b in vocabulary.registered()}
    assert built <= {c.module for c in DISCOVERY.cases}, "a module's vocabulary pattern was not checked"
    assert r"20\d\d\s+(20\d\d)" in texts                       # ingest/classify.py, inline in a function
    assert r"scanned, no text" in texts                        # compile/wording.py, through its table
    assert any(c.where.startswith("config:") for c in CASES)    # configured indicator patterns
    assert len(CASES) > 80, len(CASES)


def test_every_dynamic_pattern_is_accounted_for() -> None:
    """A call site whose pattern is built at run time must be listed in DYNAMIC_SITES, saying why
    it is safe or where its patterns are checked."""
    unknown = {k: v for k, v in DISCOVERY.dynamic.items() if k not in DYNAMIC_SITES}
    assert not unknown, f"regex call sites with a pattern this test cannot see: {unknown}"
    gone = set(DYNAMIC_SITES) - set(DISCOVERY.dynamic)
    assert not gone, f"DYNAMIC_SITES lists call sites that no longer exist: {gone}"


def test_the_timing_catches_a_quadratic_and_passes_a_linear_pattern() -> None:
    """The measure itself: classic quadratic and exponential patterns fail, linear rewrites pass."""
    for bad in (r"\w+://", r"[a-z]+@", r"^\s*(<!--.*?-->\s*)*<p\b"):
        found = check(Case(f"test:{bad}", "test", re.compile(bad), {"search", "findall"}), max_failures=1)
        assert found and found[0][2].ratio >= MAX_RATIO, (bad, found)
    for good in (r"(?<!\w)\w+://", r"(?<![a-z])[a-z]+@", r"^\s*(<!--.*-->\s*)?<p\b", r"\d{4}-\d{2}"):
        assert check(Case(f"test:{good}", "test", re.compile(good), {"search", "findall"})) == [], good


# ---------------------------------------------------------------- entry points with huge headers

TZ = dt.timezone(dt.timedelta(hours=7))
BIG_HEADER = 1_000_000
ENTRY_CAP = 30.0          # seconds: a whole classification of 1 MB is slow, but must grow linearly
SUBJECT_UNITS = ("Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - THPT Lộc Ninh ", "-", " \n", "Re: ",
                 "THPT Lộc Ninh, THPT chuyên Bình Long ", "Trường THCS ", "năm học 2023 2024, 12/6/2024 ",
                 "không xảy ra vụ việc ", "=?utf-8?B?QsOhbyBjw6Fv?= ")


def _entry_growth(run: Callable[[str], object], unit: str) -> Growth | None:
    make = _repeat(unit)
    return growth(lambda text: (lambda: run(text)), make, BIG_HEADER // 10, BIG_HEADER, floor=FLOOR * 10,
                  cap=ENTRY_CAP)


def _evidence(**kw):
    from ingest.classify import Evidence
    base = dict(subject="Báo cáo", from_addr="someone@gmail.com", from_name="", body="", filenames=("bc.xlsx",),
                received=dt.datetime(2024, 6, 25, 9, tzinfo=TZ))
    base.update(kw)
    return Evidence(**base)


@pytest.mark.parametrize("unit", SUBJECT_UNITS, ids=[repr(u[:20]) for u in SUBJECT_UNITS])
def test_a_1mb_subject_costs_linear_time(cfg, unit: str) -> None:
    from ingest import classify
    entries = {   # decide() runs decide_kind, decide_unit and decide_period on the subject
        "decide": lambda s: classify.decide(cfg, _evidence(subject=s)),
        "decide_kind": lambda s: classify.decide_kind(cfg, _evidence(subject=s, filenames=())),
        "decide_kind (body)": lambda s: classify.decide_kind(cfg, _evidence(subject="Re: gửi anh", body=s,
                                                                             filenames=())),
    }
    bad = []
    for name, run in entries.items():
        g = _entry_growth(run, unit)
        if superlinear(g):
            bad.append(f"classify.{name} with a {BIG_HEADER:,}-char text of repeated {_show(unit)}: {g}")
    assert not bad, "\n".join(bad)


def test_a_10000_address_to_costs_linear_time(cfg) -> None:
    """The address handling outside parsers/mime.py: compile.common.valid_address (a receipt's
    sender), the classifier's address lookups (sender, own addresses, forwarded senders)."""
    from compile.common import valid_address
    from ingest import classify
    addresses = ("thcs.tanphu.bp@binhphuoc.edu.vn, ", '"Trường THPT Lộc Ninh" <thptlocninh@binhphuoc.edu.vn>, ',
                 "a@b.c.", "a@b.", "a@", "x.")
    entries: dict[str, Callable[[str], object]] = {
        "valid_address": valid_address,
        "valid_address(a@…)": lambda s: valid_address("a@" + s),
        "valid_address(a@… )": lambda s: valid_address("a@" + s + " "),
        "valid_address(each)": lambda s: [valid_address(a.strip()) for a in s.split(",")],
        "decide (from)": lambda s: classify.decide(cfg, _evidence(from_addr=s)),
        "decide (forwarded)": lambda s: classify.decide(cfg, _evidence(
            from_addr="", forwarded_from=tuple(("", a.strip()) for a in s.split(",")))),
        "decide (own)": lambda s: classify.decide(cfg, _evidence(
            from_addr="baocao@binhphuoc.edu.vn", own_addresses=tuple(a.strip() for a in s.split(",")))),
    }
    bad = []
    for unit in addresses:
        n_big = 10_000 * len(unit) if "@" in unit and "," in unit else 400_000
        for name, run in entries.items():
            g = growth(lambda text, run=run: (lambda: run(text)), _repeat(unit), n_big // 10, n_big, floor=FLOOR * 5,
                       cap=ENTRY_CAP)
            if superlinear(g):
                bad.append(f"{name} on {n_big:,} chars of repeated {unit!r}: {g}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("unit", ['"a,', ',"', "'a;", "a,b\n", '"x""y",\t'])
def test_a_100kb_csv_costs_linear_time(unit: str) -> None:
    """parsers.plaintext reads a .csv's grid: the delimiter is counted, not sniffed (csv.Sniffer's
    regexes are quadratic on a line of quotes and delimiters), and csv.reader splits once."""
    from parsers.plaintext import _grid
    g = growth(lambda text: (lambda: _grid(text)), _repeat(unit), SMALL, BIG)
    assert not superlinear(g), f"plaintext._grid on repeated {unit!r}: {g}"


def test_the_csv_check_would_catch_the_sniffer() -> None:
    import csv
    g = growth(lambda text: (lambda: csv.Sniffer().sniff(text, delimiters=",;\t")), _repeat(',"'), SMALL // 10,
               SMALL)
    assert superlinear(g), g
