"""Score a poll of corpus 4 through the public contract only: the command line, a configuration
file, and the read-only views of the store (v_messages, v_values, v_incidents, v_failures).

Mails are matched to store rows by the sha256 of their raw bytes (the archive is content-addressed
and v_messages.raw_path names it)."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def write_config(folder: Path) -> Path:
    """The example configuration with its paths pointed into `folder` (as tests/conftest.py does)."""
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('path = "examples/maildir"', f'path = "{folder / "maildir"}"')
    text = text.replace('file = "units.example.csv"', 'file = "units.csv"')
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_poll(folder: Path, now: str, timeout: float = 600) -> dict[str, Any]:
    cfg = write_config(folder)
    t0 = time.monotonic()
    env = dict(os.environ)
    p = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "--config", str(cfg), "--now", now, "poll"],
                       cwd=str(ROOT), capture_output=True, text=True, timeout=timeout, env=env)
    return {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr, "seconds": time.monotonic() - t0,
            "db": str(folder / "var" / "baocao.sqlite")}


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cur = conn.execute(sql)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def read_store(db: str) -> dict[str, list[dict[str, Any]]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {
            "messages": _rows(conn, "SELECT * FROM v_messages"),
            "values": _rows(conn, "SELECT * FROM v_values"),
            "incidents": _rows(conn, "SELECT * FROM v_incidents"),
            "failures": _rows(conn, "SELECT * FROM v_failures"),
        }
    finally:
        conn.close()


def _sha(raw_path: str | None) -> str:
    return Path(raw_path or "").name.split(".")[0]


def _fmt_of_source(src: str | None) -> str:
    s = (src or "").lower()
    for ext in ("xlsx", "xls", "docx", "pdf", "zip"):
        if f".{ext}" in s:
            return ext
    return "text"


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


class Bucket:
    def __init__(self) -> None:
        self.read = self.correct = self.wrong = self.unscored = 0
        self.req = self.found = 0

    def precision(self) -> float | None:
        n = self.correct + self.wrong
        return self.correct / n if n else None

    def recall(self) -> float | None:
        return self.found / self.req if self.req else None


def pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def score(truth: dict[str, Any], store: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    by_sha: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store["messages"]:
        by_sha[_sha(r["raw_path"])].append(r)
    mails = truth["mails"]
    mail_by_name = {m["name"]: m for m in mails}
    row_of: dict[str, dict[str, Any] | None] = {}
    for m in mails:
        rs = by_sha.get(m["sha256"], [])
        row_of[m["name"]] = rs[0] if rs else None
    truth_by_mid: dict[Any, dict[str, Any]] = {}
    for m in mails:
        r = row_of[m["name"]]
        if r is not None:
            truth_by_mid[r["message_id"]] = m

    misses: dict[str, list[str]] = defaultdict(list)
    # ---------------------------------------------------------------- per mail
    cls_stats: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    tot = defaultdict(lambda: [0, 0])
    no_row = []
    for m in mails:
        r = row_of[m["name"]]
        c = m["cls"]
        if r is None:
            no_row.append(m["name"])
            misses[c].append(f"{m['name']} [{m['trait']}]: no v_messages row")
            continue
        checks = [("status", m["status"], r["status"])]
        if m["status"] in ("report", "duplicate", "incident") and m["unit"]:
            checks.append(("unit", m["unit"], r["unit_code"]))
        if m["status"] == "unplaced":
            checks.append(("unit", None, r["unit_code"]))
        if m["status"] in ("report", "duplicate", "unplaced"):
            checks.append(("period", m["period"], r["period"]))
        for what, exp, got in checks:
            ok = exp == got
            cls_stats[c][what][0] += ok
            cls_stats[c][what][1] += 1
            tot[what][0] += ok
            tot[what][1] += 1
            if not ok:
                why = r.get("status_why") if what == "status" else r.get(f"{what}_how") if what != "period" else r.get("period_how")
                misses[c].append(f"{m['name']} [{m['trait']}]: {what} expected {exp!r}, got {got!r}"
                                 f" (status {r['status']!r}; why: {why or '-'}) subject: {m['subject'][:80]!r}")

    # ---------------------------------------------------------------- values
    by_fmt: dict[str, Bucket] = defaultdict(Bucket)
    by_cls: dict[str, Bucket] = defaultdict(Bucket)
    by_trait: dict[str, Bucket] = defaultdict(Bucket)
    by_real: dict[str, Bucket] = defaultdict(Bucket)   # the slot's realisation (the mail's trait)
    overall = Bucket()
    got: dict[tuple[str, str, str], dict[str, Any]] = {}
    for v in store["values"]:
        got[(v["unit_code"], v["period"], v["indicator"])] = v
    values = truth["values"]
    decoys = truth.get("decoys", {})

    def buckets(t: dict[str, Any]) -> list[Bucket]:
        real = mail_by_name.get(t["mail"], {}).get("trait", "?").split(":")[0]
        return [overall, by_fmt[t["fmt"]], by_cls[t["cls"]], by_trait[t["trait"]], by_real[f"{t['cls']}/{real}"]]

    value_misses: list[tuple[str, str]] = []
    for v in store["values"]:
        x = _num(v["value"])
        if x is None:
            continue
        key = f"{v['unit_code']}|{v['period']}"
        t = values.get(key, {}).get(v["indicator"])
        src = v.get("source") or ""
        if t is None:
            m = truth_by_mid.get(v["message_id"], {})
            t = {"kind": "none", "value": None, "fmt": _fmt_of_source(src), "cls": m.get("cls", "?"),
                 "trait": "misplaced", "mail": m.get("name", "?")}
        for b in buckets(t):
            b.read += 1
        if t["kind"] == "unk":
            for b in buckets(t):
                b.unscored += 1
            continue
        ok = t["kind"] in ("req", "opt") and t["value"] is not None and abs(x - t["value"]) < 1e-9
        for b in buckets(t):
            if ok:
                b.correct += 1
            else:
                b.wrong += 1
        if not ok:
            hint = ""
            if x in [float(d) for d in decoys.get(key, {}).get(v["indicator"], [])]:
                hint = " = a figure of the other column/period/sheet or an older version"
            exp = t["value"] if t["kind"] in ("req", "opt") else "no value"
            value_misses.append((t["cls"], f"WRONG {key} {v['indicator']}: expected {exp}, got {x:g} "
                                           f"(raw {v.get('raw')!r}, {src}){hint} [{t['trait']}; mail {t['mail']} "
                                           f"{mail_by_name.get(t['mail'], {}).get('trait', '')}]"))
    for key, codes in values.items():
        unit, period = key.split("|")
        for code, t in codes.items():
            if t["kind"] != "req":
                continue
            for b in buckets(t):
                b.req += 1
            g = got.get((unit, period, code))
            gx = _num(g["value"]) if g else None
            if gx is not None and abs(gx - t["value"]) < 1e-9:
                for b in buckets(t):
                    b.found += 1
            elif gx is None:
                value_misses.append((t["cls"], f"MISSING {key} {code}: expected {t['value']} "
                                               f"(written {t.get('written')!r} beside {t.get('label', '')!r})"
                                               f"{' (row present, raw ' + repr(g.get('raw')) + ')' if g else ''}"
                                               f" [{t['trait']}; {t['fmt']}; mail {t['mail']} {mail_by_name.get(t['mail'], {}).get('trait', '')}]"))
    for c, line in value_misses:
        misses[c].append(line)

    # ---------------------------------------------------------------- incidents
    inc = store["incidents"]
    inc_by_mid = {i["message_id"]: i for i in inc}
    cases = truth["cases"]
    found = date_ok = cat_ok = joined = joined_n = 0
    for cs in cases:
        rows_ = [row_of[n] for n in cs["mails"]]
        mids = [r["message_id"] for r in rows_ if r]
        hit = [inc_by_mid[mm] for mm in mids if mm in inc_by_mid]
        if not hit:
            # a case row created by an earlier mail of the unit would name that mail: look by unit and date
            hit = [i for i in inc if i["unit_code"] == cs["unit"] and (i["occurred_on"] or "")[:10] == cs["occurred_on"]]
        first = cs["mails"][0]
        if not hit:
            misses["incident"].append(f"{first} [{cs['trait']}]: no incident row for {cs['unit']} "
                                      f"(case of {cs['occurred_on']}, {cs['category']}); incidents of the unit: "
                                      f"{[(i['occurred_on'], i['category'], i['mails']) for i in inc if i['unit_code'] == cs['unit']]}")
            continue
        i0 = hit[0]
        found += 1
        d_ok = (i0["occurred_on"] or "")[:10] == cs["occurred_on"]
        date_ok += d_ok
        cat_ok += i0["category"] == cs["category"]
        if not d_ok:
            misses["incident"].append(f"{first} [{cs['trait']}]: occurred_on expected {cs['occurred_on']}, "
                                      f"got {i0['occurred_on']!r}")
        if i0["category"] != cs["category"]:
            misses["incident"].append(f"{first} [{cs['trait']}]: category expected {cs['category']}, "
                                      f"got {i0['category']!r}")
        if i0["unit_code"] != cs["unit"]:
            misses["incident"].append(f"{first} [{cs['trait']}]: incident unit expected {cs['unit']}, "
                                      f"got {i0['unit_code']!r}")
        if len(cs["mails"]) > 1:
            joined_n += 1
            separate = [mm for mm in mids[1:] if mm in inc_by_mid and inc_by_mid[mm] is not i0]
            ok = i0["mails"] == len(cs["mails"]) and not separate
            joined += ok
            if not ok:
                misses["incident"].append(f"{cs['mails'][1]} [follow-up of {first}]: expected to join its case "
                                          f"({len(cs['mails'])} mails), case row has {i0['mails']} mail(s)"
                                          f"{', and the follow-up opened its own case' if separate else ''}")
    # a case that must stay separate: counted by its own row above (found)

    # ---------------------------------------------------------------- hostile files
    fail_mids = defaultdict(list)
    for f in store["failures"]:
        fail_mids[f["message_id"]].append(f)
    hostile_n = hostile_ok = 0
    for m in mails:
        if not m.get("expect_failure"):
            continue
        hostile_n += 1
        r = row_of[m["name"]]
        if r and fail_mids.get(r["message_id"]):
            hostile_ok += 1
        else:
            misses["hostile"].append(f"{m['name']} [{m['trait']}]: no v_failures row (status "
                                     f"{r['status'] if r else None!r}, files {[f['name'] for f in m['files']]})")

    # ---------------------------------------------------------------- questions
    q_n = q_ok = 0
    for m in mails:
        if m["cls"] != "question":
            continue
        q_n += 1
        r = row_of[m["name"]]
        q_ok += bool(r) and r["status"] not in ("report", "unplaced", "duplicate")

    # ---------------------------------------------------------------- supplements and resends
    sup = {"merge": [0, 0], "replace": [0, 0], "changed": [0, 0], "kept": [0, 0]}
    for ch in truth["checks"]:
        if ch["kind"] not in ("merge", "replace"):
            continue
        unit, period = ch["slot"].split("|")
        bad = []
        for code, t in values[ch["slot"]].items():
            g = got.get((unit, period, code))
            gx = _num(g["value"]) if g else None
            right = t["kind"] != "req" or (gx is not None and abs(gx - t["value"]) < 1e-9)
            if t["kind"] == "req":
                part = "changed" if code in ch["changed"] else "kept"
                sup[part][1] += 1
                sup[part][0] += right
            if not right:
                bad.append(f"{code} expected {t['value']} got {gx}")
            elif t["kind"] == "none" and gx is not None:
                bad.append(f"{code} expected no value got {gx}")
        sup[ch["kind"]][1] += 1
        if not bad:
            sup[ch["kind"]][0] += 1
        else:
            misses["supplement"].append(f"{ch['mails'][-1]} [{ch['kind']} into {ch['mails'][0]}]: {len(bad)} of 21 "
                                        f"indicators off after the {ch['kind']} (changed: {', '.join(ch['changed'])}); "
                                        f"e.g. {'; '.join(bad[:3])}")
    copies = [len(by_sha.get(ch["sha256"], [])) for ch in truth["checks"] if ch["kind"] == "byte_copy"]

    return {
        "mails": len(mails), "no_row": no_row, "totals": {k: v for k, v in tot.items()},
        "classes": {c: {k: v for k, v in d.items()} for c, d in cls_stats.items()},
        "values": {"overall": overall, "fmt": by_fmt, "cls": by_cls, "trait": by_trait, "real": by_real},
        "incidents": {"cases": len(cases), "found": found, "date_ok": date_ok, "category_ok": cat_ok,
                      "followups": joined_n, "joined": joined, "rows": len(inc)},
        "hostile": [hostile_ok, hostile_n], "questions": [q_ok, q_n], "supplements": sup,
        "byte_copies_rows": copies, "misses": misses,
    }


def table(res: dict[str, Any], runtime: dict[str, Any] | None = None) -> str:
    out = []
    t = res["totals"]

    def frac(p: list[int]) -> str:
        return f"{p[0]}/{p[1]} ({pct(p[0] / p[1] if p[1] else None).strip()})"

    ov = res["values"]["overall"]
    out.append(f"corpus 4: {res['mails']} mails; status {frac(t['status'])}; unit {frac(t['unit'])}; "
               f"period {frac(t['period'])}")
    out.append(f"values: precision {pct(ov.precision()).strip()} ({ov.correct} right, {ov.wrong} wrong of "
               f"{ov.correct + ov.wrong} scored reads; {ov.unscored} unscored); recall {pct(ov.recall()).strip()} "
               f"({ov.found}/{ov.req})")
    out.append("")
    out.append(f"{'class':<13}{'mails':>6}{'status':>9}{'unit':>9}{'period':>9}{'read':>7}{'wrong':>7}"
               f"{'precision':>11}{'expected':>10}{'recall':>9}")
    vc = res["values"]["cls"]
    for c in sorted(set(res["classes"]) | set(vc)):
        d = res["classes"].get(c, {})

        def a(k: str) -> str:
            p = d.get(k)
            return pct(p[0] / p[1]) if p and p[1] else "   -  "
        b = vc.get(c)
        n = d.get("status", [0, 0])[1]
        out.append(f"{c:<13}{n:>6}{a('status'):>9}{a('unit'):>9}{a('period'):>9}"
                   f"{(b.read if b else 0):>7}{(b.wrong if b else 0):>7}{pct(b.precision() if b else None):>11}"
                   f"{(b.req if b else 0):>10}{pct(b.recall() if b else None):>9}")
    out.append("")
    out.append(f"{'format':<13}{'read':>7}{'right':>7}{'wrong':>7}{'precision':>11}{'expected':>10}{'found':>7}{'recall':>9}")
    for f, b in sorted(res["values"]["fmt"].items()):
        out.append(f"{f:<13}{b.read:>7}{b.correct:>7}{b.wrong:>7}{pct(b.precision()):>11}{b.req:>10}{b.found:>7}"
                   f"{pct(b.recall()):>9}")
    out.append("")
    out.append(f"{'how the figure was written':<28}{'read':>6}{'wrong':>7}{'precision':>11}{'expected':>10}{'recall':>9}")
    for f, b in sorted(res["values"]["trait"].items()):
        out.append(f"{f:<28}{b.read:>6}{b.wrong:>7}{pct(b.precision()):>11}{b.req:>10}{pct(b.recall()):>9}")
    out.append("")
    out.append(f"{'realisation (class/trait)':<44}{'read':>6}{'wrong':>7}{'precision':>11}{'expected':>10}{'recall':>9}")
    for f, b in sorted(res["values"]["real"].items()):
        if f.startswith("ordinary/"):
            continue
        out.append(f"{f:<44}{b.read:>6}{b.wrong:>7}{pct(b.precision()):>11}{b.req:>10}{pct(b.recall()):>9}")
    ordb = Bucket()
    for f, b in res["values"]["real"].items():
        if f.startswith("ordinary/"):
            for k in ("read", "correct", "wrong", "unscored", "req", "found"):
                setattr(ordb, k, getattr(ordb, k) + getattr(b, k))
    out.append(f"{'ordinary/* (all ordinary reports)':<44}{ordb.read:>6}{ordb.wrong:>7}{pct(ordb.precision()):>11}"
               f"{ordb.req:>10}{pct(ordb.recall()):>9}")
    out.append("")
    i = res["incidents"]
    out.append(f"incidents: {i['found']}/{i['cases']} cases found, {i['date_ok']}/{i['cases']} with the right date, "
               f"{i['category_ok']}/{i['cases']} right category, {i['joined']}/{i['followups']} follow-ups joined "
               f"their case ({i['rows']} incident rows)")
    h, q = res["hostile"], res["questions"]
    out.append(f"hostile files that left a failure row: {h[0]}/{h[1]}")
    out.append(f"questions not taken for reports: {q[0]}/{q[1]}")
    s = res["supplements"]
    out.append(f"supplements merged into the full report: {s['merge'][0]}/{s['merge'][1]}; "
               f"full resends replacing: {s['replace'][0]}/{s['replace'][1]} (all 21 indicators as expected); "
               f"corrected figures in v_values {s['changed'][0]}/{s['changed'][1]}, other figures kept "
               f"{s['kept'][0]}/{s['kept'][1]}")
    out.append(f"byte-identical copy delivered twice -> rows: {res['byte_copies_rows']}")
    if runtime:
        out.append(f"poll: exit {runtime['rc']}, {runtime['seconds']:.1f} s")
    return "\n".join(out)


def misses_text(res: dict[str, Any]) -> str:
    out = []
    for c in sorted(res["misses"]):
        lines = res["misses"][c]
        out.append(f"--- {c}: {len(lines)} miss(es)")
        out.extend("  " + x for x in lines)
    return "\n".join(out)


def run_all(folder: Path, seed: int = 4) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Build the corpus in `folder`, poll it once, score it: (result, runtime, truth)."""
    from .make_corpus import build
    t0 = time.monotonic()
    truth = build(folder, seed)
    gen = time.monotonic() - t0
    rt = run_poll(folder, truth["now"])
    rt["generate_seconds"] = gen
    res = score(truth, read_store(rt["db"]))
    return res, rt, truth


def to_json(res: dict[str, Any]) -> str:
    def enc(o: Any) -> Any:
        if isinstance(o, Bucket):
            return {**o.__dict__, "precision": o.precision(), "recall": o.recall()}
        raise TypeError(type(o))
    return json.dumps(res, default=enc, ensure_ascii=False, indent=1)
