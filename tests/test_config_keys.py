"""Every configuration key is checked at load: a misspelt key or section, or a value of the wrong
type, is one ConfigError naming the full dotted key (with the right name for a misspelt one),
and on the command line one line on stderr with exit status 2, for every command."""
from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any, Iterator

import pytest

from store.config import ConfigError, load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
OPEN_TABLES = {("vocabulary",)}   # tables whose keys are names chosen elsewhere, not configuration keys


def _deployment_keys() -> dict[str, Any]:
    """The configuration snippet of docs/deployment.md (the production keys it documents)."""
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    return tomllib.loads(re.search(r"```toml\n(.*?)```", text, re.S).group(1))


def _full() -> dict[str, Any]:
    """The example with every other documented key set: an IMAP mailbox, an SMTP outbox, the
    daemon's and the log's settings, an extension, a vocabulary table."""
    data = copy.deepcopy(EXAMPLE)
    deployment = _deployment_keys()
    data["mailbox"] = {**deployment["mailbox"], "auth": "login", "oauth2_token_env": "BAOCAO_TOKEN",
                       "oauth2_token_command": "print-token", "folder": "INBOX", "batch_size": 50, "timeout": 60.0}
    data["outbox"] = {"kind": "smtp", "host": "smtp.binhphuoc.edu.vn", "port": 587, "tls": "starttls",
                      "username": "trunghoc@binhphuoc.edu.vn", "password_env": "BAOCAO_SMTP_PASSWORD",
                      "from": "trunghoc@binhphuoc.edu.vn", "from_name": "Sở Giáo dục và Đào tạo",
                      "timeout": 30.0, "max_attempts": 5}
    data["schedule"] = {**data["schedule"], **deployment["schedule"]}
    data["log"] = {**deployment["log"], "redact_env": ["BAOCAO_OTHER_SECRET"]}
    data["incidents"]["recipients"] = ["truc@binhphuoc.edu.vn"]
    data["reports"][0]["periods"][0]["phrases"] = ["sơ kết học kỳ I"]
    data["extensions"] = [{"unit": "THPT-LOCTHAI", "report": "cttre", "period": "2024S1", "due": "2024-07-05"}]
    data["vocabulary"] = {"any_table_name": ["một từ"]}
    return data


FULL = _full()


# ---------------------------------------------------------------- writing TOML

def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)   # a JSON string is a TOML basic string
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def _is_tables(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dump(data: dict[str, Any], prefix: str = "") -> str:
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict) and not _is_tables(v)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines += ["", f"[{prefix}{_key(k)}]", dump(v, f"{prefix}{_key(k)}.")]
        elif _is_tables(v):
            for item in v:
                lines += ["", f"[[{prefix}{_key(k)}]]", dump(item, f"{prefix}{_key(k)}.")]
    return "\n".join(lines)


def placed(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A copy with every path absolute: the store, archive, outbox and log in `folder`, the
    units file and the Maildir those of the repository (only read)."""
    data = copy.deepcopy(data)
    data["mailbox"]["path"] = str(ROOT / "examples" / "maildir")
    data["store"]["path"] = str(folder / "var" / "baocao.sqlite")
    data["archive"]["path"] = str(folder / "var" / "archive")
    data["outbox"]["path"] = str(folder / "var" / "outbox")
    data["units"]["file"] = str(ROOT / "units.example.csv")
    if "log" in data:
        data["log"]["file"] = str(folder / "var" / "baocao.log.jsonl")
    return data


def write(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "bad.toml"
    path.write_text(dump(data), encoding="utf-8")
    return path


# ---------------------------------------------------------------- walking the keys

Path_ = tuple[Any, ...]


def keys(data: Any, at: Path_ = ()) -> Iterator[Path_]:
    """Every key, depth first, arrays of tables by index."""
    if at in OPEN_TABLES:
        return
    for name, value in data.items():
        yield at + (name,)
        if isinstance(value, dict):
            yield from keys(value, at + (name,))
        elif _is_tables(value):
            for i, item in enumerate(value):
                yield from keys(item, at + (name, i))


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def table_at(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def misspelt(name: str, known: set[str]) -> list[str]:
    """One letter dropped, and two neighbours swapped, where that gives a name not valid here."""
    mid = len(name) // 2
    out = [name[:mid] + name[mid + 1:]]
    if len(name) >= 2:
        i = max(mid - 1, 0)
        out.append(name[:i] + name[i + 1] + name[i] + name[i + 2:])
    return [m for m in dict.fromkeys(out) if m and m != name and m not in known]


def _cases() -> list[tuple[str, Path_, str]]:
    cases, seen = [], set()
    for base_name, base in (("example", EXAMPLE), ("full", FULL)):
        for path in keys(base):
            if path in seen:
                continue
            seen.add(path)
            known = set(table_at(base, path[:-1]))
            for wrong in misspelt(path[-1], known):
                cases.append((base_name, path, wrong))
    return cases


CASES = _cases()
BASES = {"example": EXAMPLE, "full": FULL}


def test_both_bases_load(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, placed(EXAMPLE, tmp_path)))
    assert cfg.mailbox.kind == "maildir" and cfg.outbox.kind == "folder"
    cfg = load(write(tmp_path, placed(FULL, tmp_path)))
    assert cfg.mailbox.kind == "imap" and cfg.mailbox.idle is True and cfg.outbox.kind == "smtp"
    assert cfg.schedule.reminders_at == dt.time(7, 30) and cfg.schedule.max_backoff_seconds == 900
    assert cfg.log.file == tmp_path / "var" / "baocao.log.jsonl" and cfg.log.redact_env == ("BAOCAO_OTHER_SECRET",)
    assert cfg.incidents.recipients == ("truc@binhphuoc.edu.vn",)
    assert cfg.extensions[0].due == dt.date(2024, 7, 5)
    assert cfg.vocabulary == {"any_table_name": ("một từ",)}


def test_the_walk_covers_every_section_and_nested_table() -> None:
    names = {dotted(p) for _, p, _ in CASES}
    for key in ("timezone", "mailbox", "mailbox.oauth2_token_command", "store.busy_timeout_seconds",
                "intake.quarantine_after", "outbox.max_attempts", "units.file", "organisation.contact",
                "schedule.repeat_log_minutes", "digest.recipients", "reminders.days_before",
                "receipts.max_per_address_per_day", "incidents.recipients", "log.redact_env", "vocabulary",
                "reports[0].annual_not_below_sections", "reports[0].periods[0].phrases",
                "reports[0].indicators[19].patterns", "reports[0].indicators[20].synonyms", "reports[0].rules[4].upper", "extensions[0].due"):
        assert key in names, key


@pytest.mark.parametrize("base, path, wrong", CASES, ids=[f"{dotted(p)}->{w}" for _, p, w in CASES])
def test_a_misspelt_key_is_named_with_the_right_one(tmp_path: Path, base: str, path: Path_, wrong: str) -> None:
    data = placed(BASES[base], tmp_path)
    parent = table_at(data, path[:-1])
    renamed = {(wrong if k == path[-1] else k): v for k, v in parent.items()}
    parent.clear()
    parent.update(renamed)
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, data))
    section = len(path) == 1 and (isinstance(renamed[wrong], dict) or _is_tables(renamed[wrong]))
    assert str(caught.value) == (f"config: {dotted(path[:-1] + (wrong,))}: unknown {'section' if section else 'key'}"
                                 f" (did you mean `{path[-1]}`?)")


def _wrong_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "often"
    return 12


LEAVES = [(b, p) for b, p in dict.fromkeys((b, p) for b, p, _ in CASES)
          if not isinstance(table_at(BASES[b], p), dict) and not _is_tables(table_at(BASES[b], p))]


@pytest.mark.parametrize("base, path", LEAVES, ids=[dotted(p) for _, p in LEAVES])
def test_a_value_of_the_wrong_type_names_the_key(tmp_path: Path, base: str, path: Path_) -> None:
    data = placed(BASES[base], tmp_path)
    parent = table_at(data, path[:-1])
    parent[path[-1]] = _wrong_type(parent[path[-1]])
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, data))
    assert str(caught.value).startswith(f"config: {dotted(path)}: "), str(caught.value)


def test_the_digest_recipients_typo_that_once_stopped_every_alert(tmp_path: Path) -> None:
    data = placed(EXAMPLE, tmp_path)
    data["digest"] = {("recipents" if k == "recipients" else k): v for k, v in data["digest"].items()}
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, data))
    assert str(caught.value) == "config: digest.recipents: unknown key (did you mean `recipients`?)"


def test_an_unknown_section_far_from_any_name_lists_the_valid_ones(tmp_path: Path) -> None:
    data = {**placed(EXAMPLE, tmp_path), "zzz": {"a": 1}}
    with pytest.raises(ConfigError, match=r"^config: zzz: unknown section \(valid: timezone, mailbox, "):
        load(write(tmp_path, data))


def _set(path: Path_, value: Any):
    def edit(data: dict[str, Any]) -> None:
        table_at(data, path[:-1])[path[-1]] = value
    return edit


@pytest.mark.parametrize("edit, key, words", [
    (_set(("schedule", "reminders_at"), "7h30"), "schedule.reminders_at", "time of day"),
    (_set(("schedule", "digest_at"), "25:00"), "schedule.digest_at", "time of day"),
    (_set(("schedule", "poll_seconds"), 3), "schedule.poll_seconds", "at least 5"),
    (_set(("schedule", "health_max_age_minutes"), 0), "schedule.health_max_age_minutes", "at least 1"),
    (_set(("digest", "recipients"), ["trunghoc"]), "digest.recipients", "e-mail address"),
    (_set(("digest", "weekly_on"), "someday"), "digest.weekly_on", "day of the week"),
    (_set(("digest", "after_due_days"), -1), "digest.after_due_days", "0 or more"),
    (_set(("digest", "cases_section"), "D. Vu viec"), "digest.cases_section", "section"),
    (_set(("reminders", "days_before"), [7, "3"]), "reminders.days_before", "whole numbers"),
    (_set(("reminders", "every_days_after"), 0), "reminders.every_days_after", "at least 1"),
    (_set(("receipts", "max_per_address_per_day"), 0), "receipts.max_per_address_per_day", "at least 1"),
    (_set(("incidents", "recipients"), ["@binhphuoc.edu.vn"]), "incidents.recipients", "e-mail address"),
    (_set(("log", "level"), "LOUD"), "log.level", "INFO"),
    (_set(("log", "backups"), -1), "log.backups", "at least 0"),
    (_set(("outbox", "from"), "trunghoc"), "outbox.from", "e-mail address"),
    (_set(("mailbox", "port"), 99999), "mailbox.port", "between 1 and 65535"),
    (_set(("intake", "max_parts"), 0), "intake.max_parts", "greater than 0"),
    (_set(("extensions", 0, "report"), "nope"), "extensions[0].report", "[[reports]]"),
    (_set(("extensions", 0, "period"), "2023"), "extensions[0].period", "not a period"),
    (_set(("extensions", 0, "due"), dt.datetime(2024, 7, 5, 8, 0)), "extensions[0].due", "must be"),
    (_set(("reports", 0, "annual_not_below_sections"), ["B. Tuyen truyen"]), "reports[0].annual_not_below_sections[0]",
     "section"),
    (_set(("reports", 0, "periods", 1, "id"), "2024S1"), "reports[0].periods", "unique"),
])
def test_a_wrong_value_names_the_key(tmp_path: Path, edit, key: str, words: str) -> None:
    data = placed(FULL, tmp_path)
    edit(data)
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, data))
    assert str(caught.value).startswith(f"config: {key}: ") and words in str(caught.value), str(caught.value)


def test_a_toml_local_time_is_a_time_of_day(tmp_path: Path) -> None:
    data = placed(EXAMPLE, tmp_path)
    data["schedule"]["reminders_at"] = dt.time(6, 45)
    data["digest"]["weekly_on"] = "Friday"
    data["digest"]["after_due_days"] = False
    cfg = load(write(tmp_path, data))
    assert cfg.schedule.reminders_at == dt.time(6, 45)
    assert cfg.digest.weekly_on == "fri" and cfg.digest.after_due_days is None


# ---------------------------------------------------------------- on the command line

@pytest.mark.parametrize("command", [["status"], ["failures"], ["health"], ["run", "--once"]])
def test_every_command_stops_on_a_bad_key_with_one_line_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    data = placed(EXAMPLE, tmp_path)
    data["digest"] = {("recipents" if k == "recipients" else k): v for k, v in data["digest"].items()}
    bad = write(tmp_path, data)
    out = subprocess.run([sys.executable, "-m", "scheduler", "--config", str(bad), *command],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 2, out.stderr
    assert out.stderr.splitlines() == ["baocao: config: digest.recipents: unknown key (did you mean `recipients`?)"]
    assert not (tmp_path / "var").exists()   # nothing was opened or written


def test_a_string_for_a_number_on_the_command_line(tmp_path: Path) -> None:
    data = placed(EXAMPLE, tmp_path)
    data["reminders"]["max_after"] = "three"
    out = subprocess.run([sys.executable, "-m", "scheduler", "--config", str(write(tmp_path, data)), "status"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 2
    assert out.stderr.splitlines() == ["baocao: config: reminders.max_after: must be a whole number, not 'three'"]
