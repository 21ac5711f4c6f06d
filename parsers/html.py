"""The visible text of an HTML body: used for mail bodies at intake and for mail attached to mail.

One implementation, linear in the size of the markup (hostile mail carries "<script <script …"
and "<<<<…" by the megabyte): a regex with `.*?` between an opening and its closing tag rescans
to the end from every opening that is never closed.
"""
from __future__ import annotations

import html


def html_text(markup: str) -> str:
    """Visible text of an HTML body, in one linear pass: script and style content dropped, block
    ends made line breaks, tags removed, entities decoded. An unclosed tag ends the text."""
    out: list[str] = []
    pos, size = 0, len(markup)
    lower = markup.lower()
    while pos < size:
        lt = markup.find("<", pos)
        if lt < 0:
            out.append(markup[pos:])
            break
        out.append(markup[pos:lt])
        gt = markup.find(">", lt + 1)
        if gt < 0:
            break
        tag = lower[lt + 1:min(gt, lt + 12)].lstrip("/").split(None, 1)[0] if gt > lt + 1 else ""
        tag = tag.rstrip("/")
        pos = gt + 1
        if tag in ("script", "style") and lower[lt + 1:lt + 2] != "/":
            close = lower.find(f"</{tag}", pos)
            pos = size if close < 0 else (lower.find(">", close) + 1 or size)
            out.append(" ")
        elif tag in ("br", "p", "div", "tr", "li") and (tag == "br" or lower[lt + 1:lt + 2] == "/"):
            out.append("\n")
        else:
            out.append(" ")
    return html.unescape("".join(out))
