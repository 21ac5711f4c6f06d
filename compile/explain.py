"""`baocao explain MESSAGE`: how one message was read, for the admin who must trust a figure and
the developer who must fix a miss.

The decision (status, report, unit, period and how each was told, supplement or full), then each
attached file: its detected type, what it states (unit, period), how it was read (its notes: the
reading depth, OCR deferred, sheets or pages skipped), every figure it gave with its location and
whether it is the one `v_values` counts, the form's indicators it did not give, and its problems.
Read from the store only: what the intake recorded, nothing re-parsed.
"""
from __future__ import annotations

import json
from typing import Any

from store.config import Config


def text(cfg: Config, found: dict[str, Any]) -> str:
    m = found["message"]
    report = cfg.report(m["report_code"] or "")
    labels = {i.code: i.label for i in report.indicators} if report else {}
    out = [f"message {m['id']}: {m['status']} — {m['status_why'] or ''}",
           f"  from {m['from_addr'] or '?'}: {m['subject'] or ''}",
           f"  received {m['received_at']} ({m['received_how']})"]
    if m["status"] in ("report", "unplaced", "incident"):
        out += [f"  report {m['report_code'] or '-'}, period {m['period'] or '-'} ({m['period_how'] or ''})",
                f"  unit {m['unit_code'] or '-'} ({m['unit_how'] or ''}); sender_known {m['sender_known']}",
                f"  submission {m['submission'] or 'full'}"]
    flags = json.loads(m["flags"] or "[]")
    if flags:
        out.append(f"  flags: {', '.join(flags)}")
    given: set[str] = set()
    for f in found["files"]:
        out.append(f"file {f['filename']} ({f['detected_type'] or 'unknown'}, {f['size']} bytes)")
        if f["stated_unit"] or f["stated_period"]:
            out.append(f"  states: unit {f['stated_unit'] or '-'}; period {f['stated_period'] or '-'}")
        for note in (f["notes"] or "").splitlines():
            out.append(f"  note: {note}")
        for v in f["values"]:
            mid, source = found["counted"].get(v["indicator"], (None, None))
            counts = mid == m["id"] and source == v["source"]
            why = ("" if counts else f"; mail {mid} counts for it" if mid not in (None, m["id"])
                   else "; another file or reading of this mail counts" if mid == m["id"] else "; not counted")
            given.add(v["indicator"])
            shown = "blank" if v["value"] is None else f"{v['value']:g}"
            out.append(f"  {'*' if counts else ' '} {v['indicator']:<24} {shown:>10}  raw {v['raw']!r}  at {v['source']}"
                       f"  ({v['method']}{why})")
        if report and f["values"]:
            missing = [i.code for i in report.indicators if i.code not in {v["indicator"] for v in f["values"]}]
            if missing:
                out.append(f"  not in this file: {', '.join(missing)}")
    for x in found["failures"]:
        state = "resolved" if x["resolved_at"] else "open"
        out.append(f"failure ({x['stage']}, {state}): {x['reason']} — {x['detail'] or ''}")
    if report and m["status"] == "report":
        never = [c for c in labels if c not in given]
        out.append(f"indicators no file gave: {', '.join(never) if never else 'none'}")
    out.append("(* = the figure v_values counts for this mail)")
    return "\n".join(out)
