"""The unit's own account of a case, for the alert: what happened, in the unit's words.

The first paragraphs of the mail, without its greeting and closing; when the mail only says
"báo cáo nhanh … (file đính kèm)", the first paragraphs of the attached report instead, without
its letterhead (the issuer block, "Số: …", the motto, the title, the date line). The text is
kept as written (the alert quotes it; the HTML escapes it); only whitespace is tidied.
"""
from __future__ import annotations

from parsers import vocabulary
from parsers.text import fold

MAX_CHARS = 1200          # the account quoted in the alert
SHORT_CHARS = 160         # a mail this short points to its attachment ("nội dung chi tiết trong file đính kèm")
MIN_WORDS = 8             # a document line shorter than this is a heading, not the account


def account(body: str, documents: list[str]) -> str:
    """The account: from the mail, else from the first attached document that has one."""
    own = _paragraphs(body, min_words=1)
    if len(own) >= SHORT_CHARS or not any(d.strip() for d in documents):
        return own
    for text in documents:
        found = _paragraphs(text, min_words=MIN_WORDS)
        if found:
            return found
    return own


def _paragraphs(text: str, min_words: int) -> str:
    v = vocabulary.active()
    greetings, closings = v.words("greeting"), v.words("closing")
    kept: list[str] = []
    size = 0
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line or line.startswith(">"):
            continue
        folded = fold(line)
        if any(folded == c or folded.startswith(c + " ") for c in closings):
            break
        if any(folded == g or folded.startswith(g + " ") for g in greetings) and len(folded.split()) <= 14:
            continue
        if len(line.split()) < min_words or _shouting(line):
            continue
        kept.append(line)
        size += len(line)
        if size >= MAX_CHARS:
            break
    return "\n".join(kept)[:MAX_CHARS].strip()


def _shouting(line: str) -> bool:
    """A title or letterhead line: mostly capitals ("BÁO CÁO NHANH", "CỘNG HÒA XÃ HỘI …")."""
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) > 0.6 * len(letters)
