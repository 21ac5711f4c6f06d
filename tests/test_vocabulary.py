"""The recognition vocabulary (parsers/words.toml): stored folded, the only place words are
listed, extended by a division's `[vocabulary]` without a code change, in workers too."""
from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from parsers import isolate, vocabulary
from parsers.text import fold
from store.config import load
from store.errors import ConfigError
from tests.conftest import write_config

ROOT = Path(__file__).resolve().parent.parent
TZ = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def shipped_words():
    """Every test starts and ends with the shipped vocabulary active."""
    vocabulary.use(None)
    yield
    vocabulary.use(None)


# ---------------------------------------------------------------- (a) the file

def test_every_entry_is_stored_as_matching_sees_it() -> None:
    for name, table in vocabulary.base().tables.items():
        assert table.entries, f"[{name}] is empty"
        assert len(set(table.entries)) == len(table.entries), f"[{name}] lists an entry twice"
        if table.form == "domain":    # domain names as written: lower-case, one word, a dot
            for e in table.entries:
                assert e == e.strip().lower() and " " not in e and "." in e, (name, e)
            continue
        entries = table.entries + table.tail
        if table.form == "pairs":
            entries = tuple(side.strip() for e in entries for side in e.split(":"))
            assert all(e.count(":") == 1 for e in table.entries), name
        for e in entries:
            assert fold(e.replace("{year}", "2024").replace("{n}", "6")) == \
                e.replace("{year}", "2024").replace("{n}", "6"), f"[{name}] {e!r} is not folded"


def test_the_tables_the_code_reads_exist_and_categories_have_labels() -> None:
    from compile.aggregate import CATEGORY_LABELS
    v = vocabulary.base()
    categories = [c for c, _ in v.categories()]
    assert categories[:2] == ["duoi_nuoc", "xam_hai"] and set(categories) <= set(CATEGORY_LABELS)
    assert [k.name for k in v.unit_kinds()][0] == "unit_kind_pgd"
    assert {"report", "report_name", "other_document", "zero_word", "personal_domain"} <= set(v.tables)


def test_pyproject_ships_the_file() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^parsers = \["\*\.toml"\]', text, re.M)


# ---------------------------------------------------------------- (b) no word list in the code

SCANNED = ("store", "parsers", "ingest", "compile", "scheduler.py", "daemon.py")
# What baocao writes (Vietnamese sentences, sheet headers), not what it recognises.
OUTPUT_MODULES = {"compile/wording.py", "compile/workbook.py", "compile/form.py", "compile/draft.py"}
# Collections of strings that are not vocabulary, by (module, first string): why.
ALLOWED: dict[tuple[str, str], str] = {}
REGEX_HINT = re.compile(r"\\[sSbBdDwW]|\(\?[:!=<]")


def _vocabulary_words() -> frozenset[str]:
    words = set()
    for table in vocabulary.base().tables.values():
        if table.form == "domain":
            continue
        for entry in table.entries + table.tail:
            words.update(w for w in entry.replace(":", " ").split() if not w.startswith("{"))
    return frozenset(w for w in words if len(w) >= 2)


VOCABULARY_WORDS = _vocabulary_words()


def _non_ascii_letter(text: str) -> bool:
    return any(ord(c) > 127 and c.isalpha() for c in text)


def _wordy(text: str) -> bool:
    """A string that reads as natural-language words: Vietnamese letters, several words, or a
    word of the vocabulary. Multi-line text and long strings (SQL, prose) are not word lists."""
    s = text.strip()
    if not s or "\n" in s or len(s) > 60:
        return False
    if _non_ascii_letter(s):
        return True
    tokens = s.split()
    if len(tokens) > 1 and all(t.isalpha() for t in tokens):
        return True
    return s.lower() in VOCABULARY_WORDS


def _regex_words(pattern: str) -> list[str]:
    """What a regex literal spells: each character class read as its first character, escapes
    dropped; the words with Vietnamese letters and the vocabulary words (3+ letters) in it."""
    text = re.sub(r"\[\^?\\?(.)[^\]]*\]", r"\1", pattern)
    text = re.sub(r"\\.", " ", text)
    found = [w for w in re.findall(r"[^\W\d_]{2,}", text) if _non_ascii_letter(w)]
    return found + [w for w in re.findall(r"[a-z]{3,}", fold(text)) if w in VOCABULARY_WORDS]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _is_re_call(node: ast.AST) -> bool:
    """re.compile(...), re.search(...) ...: the first argument is a regex."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" \
        and node.func.attr in ("compile", "search", "match", "fullmatch", "findall", "finditer", "split", "sub", "subn")


def _text_parts(node: ast.expr) -> list[ast.Constant]:
    """The literal text of a string expression: a constant, an f-string's literal parts, a sum."""
    if isinstance(node, ast.Constant):
        return [node]
    if isinstance(node, ast.JoinedStr):
        return [v for v in node.values if isinstance(v, ast.Constant)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text_parts(node.left) + _text_parts(node.right)
    return []


def word_lists(source: str, module: str = "<test>") -> list[str]:
    """The word lists and word-bearing regexes a module's source defines: collection literals
    (list, tuple, set, dict keys) of 3+ wordy strings (at least half of their strings), regex literals spelling Vietnamese or
    vocabulary words, and string literals that spell a multi-word vocabulary entry."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    regexes = {id(c) for node in ast.walk(tree) if _is_re_call(node) and node.args for c in _text_parts(node.args[0])}
    entries = {e for t in vocabulary.base().tables.values() if t.form == "folded" for e in t.entries if " " in e}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            elts = node.keys if isinstance(node, ast.Dict) else node.elts
            strings = [e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            wordy = [s for s in strings if _wordy(s)]
            if len(wordy) >= 3 and 2 * len(wordy) >= len(strings) and (module, strings[0]) not in ALLOWED:
                found.append(f"{module}:{node.lineno}: a word list {wordy[:4]}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if (id(node) in regexes or REGEX_HINT.search(node.value)) and _regex_words(node.value):
                found.append(f"{module}:{node.lineno}: a regex with words {_regex_words(node.value)[:4]}: "
                             f"{node.value[:60]!r}")
            elif node.value.strip() in entries:
                found.append(f"{module}:{node.lineno}: the vocabulary entry {node.value!r}")
    return found


def _scanned_modules() -> list[Path]:
    files = []
    for name in SCANNED:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def test_no_module_defines_its_own_word_list() -> None:
    found = []
    for path in _scanned_modules():
        module = path.relative_to(ROOT).as_posix()
        if module not in OUTPUT_MODULES:
            found += word_lists(path.read_text(encoding="utf-8"), module)
    assert not found, "words belong in parsers/words.toml:\n" + "\n".join(found)


def test_the_scan_catches_planted_word_lists() -> None:
    planted = '''
import re
REPORT_WORDS = ("bao cao", "bc", "so lieu")
HEADERS = ["Số liệu", "Kết quả", "Thực hiện"]
KINDS = {"thpt": 1, "thcs": 2, "mam non": 3}
LABEL = re.compile(r"^\\s*k[ỳy]\\s+b[áa]o\\s+c[áa]o\\s*:")
AUTO = re.compile(r"^[ \\t]*(vắng mặt|"
                  r"out of office)", re.I)
NEGATED = re.compile(r"\\bkhong\\s+(?:de\\s+)?(?:xay ra|co)\\b")
def child(text):
    return text.startswith("trong do")
'''
    found = word_lists(planted)
    assert {int(f.split(":")[1]) for f in found} == {3, 4, 5, 6, 7, 9, 11}, found


def test_the_scan_passes_what_is_not_vocabulary() -> None:
    clean = '''
import re
EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif")
TYPES = {"application/pdf", "text/plain", "image/png"}
HEADERS = ("Message-ID", "In-Reply-To", "References")
COLUMNS = ["message_id", "created_at", "status"]
CODE = re.compile(r"[a-z0-9_]+")
ROW = re.compile(r"^\\s*(?:\\d{1,3}|[IVX]{1,4}|[a-zđ])[.)]?\\s")
def f():
    """A docstring may say "trong đó" and "báo cáo"."""
    return "a reply without a report"
'''
    assert word_lists(clean) == []


# ---------------------------------------------------------------- (c) a division's words

def _evidence(subject: str, **kw):
    from ingest.classify import Evidence
    fields = dict(subject=subject, from_addr="thptlocninh@binhphuoc.edu.vn", from_name="", body="",
                  filenames=(), received=dt.datetime(2024, 6, 25, 9, tzinfo=TZ))
    return Evidence(**{**fields, **kw})


def _config(tmp_path: Path, extra: str):
    folder = tmp_path / "extended"
    (folder / "maildir" / "cur").mkdir(parents=True)
    return load(write_config(folder, extra=extra))


def test_a_report_word_of_the_configuration_makes_a_report(cfg, tmp_path: Path) -> None:
    from ingest.classify import decide
    subject = "Tổng hợp công tác trẻ em 6 tháng đầu năm 2024 - THPT Lộc Ninh"
    assert decide(cfg, _evidence(subject)).status == "ignored"
    extended = _config(tmp_path, '[vocabulary]\nreport = ["Tổng Hợp"]\n')
    d = decide(extended, _evidence(subject))
    assert (d.status, d.report_code, d.unit_code, d.period) == ("report", "cttre", "THPT-LOCNINH", "2024S1"), d
    assert vocabulary.of(extended).words("report")[-1] == "tong hop"          # folded on merge
    assert decide(cfg, _evidence(subject)).status == "ignored"                 # the other config is untouched


def test_other_tables_extend_too(cfg, tmp_path: Path) -> None:
    from ingest.classify import decide
    subject = "Biên bản kiểm tra công tác trẻ em năm 2024"
    assert decide(cfg, _evidence(subject, filenames=("bao cao.xlsx",))).status == "report"
    extended = _config(tmp_path, '[vocabulary]\nother_document = ["biên bản"]\nzero_word = ["Chưa có"]\n')
    d = decide(extended, _evidence(subject, filenames=("bao cao.xlsx",)))
    assert (d.status, d.why) == ("ignored", "other business (bien ban), not a unit's report")
    from parsers.numbers import parse_number
    assert parse_number("chưa có") == (None, False)
    vocabulary.use(extended)
    assert parse_number("chưa có") == (0, True)


def _report_words() -> tuple[str, ...]:
    return vocabulary.words("report")


def test_workers_read_the_same_vocabulary(tmp_path: Path) -> None:
    extended = _config(tmp_path, '[vocabulary]\nreport = ["tổng hợp"]\n')
    vocabulary.use(extended)
    outcome = isolate.call(_report_words, (), cpu_s=20, memory_mb=512)
    assert outcome.ok, outcome
    assert outcome.value[-1] == "tong hop"
    vocabulary.use(None)
    assert isolate.call(_report_words, (), cpu_s=20, memory_mb=512).value == vocabulary.base().words("report")


def test_the_command_line_makes_the_configuration_vocabulary_active(tmp_path: Path, capsys) -> None:
    import scheduler
    (tmp_path / "maildir" / "cur").mkdir(parents=True)
    config = write_config(tmp_path, extra='[vocabulary]\nreport = ["tổng hợp"]\n')
    scheduler.main(["--config", str(config), "health"])
    assert vocabulary.active().words("report")[-1] == "tong hop"


# ---------------------------------------------------------------- (d) mistakes in the configuration

def test_an_unknown_table_names_the_nearest(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        vocabulary.of({"reprot": ["tong hop"]})
    assert err.value.key == "vocabulary.reprot"
    assert err.value.problem == "unknown vocabulary table (did you mean `report`?)"
    with pytest.raises(ConfigError, match="did you mean `unit_kind_thpt`"):
        vocabulary.of({"unit_kind_tpht": []})                                  # even with no entry
    extended = _config(tmp_path, '[vocabulary]\nzero_words = ["chua co"]\n')
    with pytest.raises(ConfigError, match=r"vocabulary\.zero_words: unknown vocabulary table \(did you mean `zero_word`\?\)"):
        vocabulary.of(extended)


def test_the_command_line_reports_an_unknown_table_in_one_line(tmp_path: Path, capsys) -> None:
    import scheduler
    (tmp_path / "maildir" / "cur").mkdir(parents=True)
    config = write_config(tmp_path, extra='[vocabulary]\nother_documents = ["bien ban"]\n')
    assert scheduler.main(["--config", str(config), "health"]) == 2
    assert "vocabulary.other_documents: unknown vocabulary table (did you mean `other_document`?)" in \
        capsys.readouterr().err


@pytest.mark.parametrize("table, entry", [("report", "..."), ("personal_domain", "not a domain"),
                                          ("abbreviation", "no colon")])
def test_an_entry_that_cannot_be_matched_is_refused(table: str, entry: str) -> None:
    with pytest.raises(ConfigError) as err:
        vocabulary.of({table: [entry]})
    assert err.value.key == f"vocabulary.{table}"
