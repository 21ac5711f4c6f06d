"""The house's floors, as a test: imports go downward only, and no two modules import each other.

store/ is the ground floor (configuration, domain model, errors, records, schema and all SQL);
parsers/ stands on it; ingest/ and compile/ stand on both and do not know each other; the CLI
(scheduler.py) and the daemon's life cycle (daemon.py) stand on top. Every import counts, a
lazy one inside a function too: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("store", "parsers", "ingest", "compile")
TOP = ("scheduler", "daemon")
FORBIDDEN = {                       # package -> what it must never import
    "store": {"parsers", "ingest", "compile", *TOP},
    "parsers": {"ingest", "compile", *TOP},
    "ingest": {"compile", *TOP},
    "compile": {"ingest", *TOP},
}


def modules() -> dict[str, Path]:
    out = {name: ROOT / f"{name}.py" for name in TOP}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[dotted.removesuffix(".__init__")] = path
    return out


def imports_of(source: str, module: str, known: set[str]) -> set[str]:
    """The project's modules that `source` (the text of `module`) imports, anywhere in it."""
    found: set[str] = set()
    package = module.rsplit(".", 1)[0] if "." in module else ""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(filter(None, [package.rsplit(".", node.level - 1)[0] if node.level > 1 else package, base]))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: imports_of(p.read_text(encoding="utf-8"), m, known) for m, p in mods.items()}


def wrong_way(edges: dict[str, set[str]]) -> list[str]:
    out = []
    for mod, targets in sorted(edges.items()):
        floor = mod.split(".")[0]
        for target in sorted(targets):
            if target.split(".")[0] in FORBIDDEN.get(floor, set()):
                out.append(f"{mod} -> {target}")
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_upward() -> None:
    assert wrong_way(graph()) == []


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize("source, module, expected", [
    ("from ingest.pipeline import process\n", "store.queries", ["store.queries -> ingest.pipeline"]),
    ("def f():\n    from compile import outbox\n", "ingest.pipeline", ["ingest.pipeline -> compile.outbox"]),
    ("import parsers.text\n", "store.config", ["store.config -> parsers.text"]),
    ("from store import db\n", "compile.digest", []),
])
def test_the_checker_sees_a_planted_wrong_way_import(source, module, expected) -> None:
    known = set(modules())
    assert wrong_way({module: imports_of(source, module, known)}) == expected


def test_the_checker_sees_a_planted_cycle() -> None:
    assert cycles({"parsers.a": {"parsers.b"}, "parsers.b": {"parsers.a"}, "parsers.c": {"parsers.a"}}) == [
        ["parsers.a", "parsers.b"]]
