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


# ---------------------------------------------------------------- tables

MAX_CELLS = 200_000      # a hostile page of empty cells stops here
MAX_SPAN = 60            # columns or rows one cell may span (the table engine reads 60 columns)


def tables(markup: str) -> list[list[list[object]]]:
    """The tables of an HTML page (an Excel sheet "saved as web page" and renamed .xls) as grids
    of cell texts, in one linear pass: a colspan/rowspan cell's text at its top-left position and
    blanks where it spans; a cell's `x:num` (Excel's number behind the displayed one) as the
    number; nested tables as tables of their own; script and style dropped."""
    done: list[list[list[object]]] = []
    stack: list[_Table] = []
    lower = markup.lower()
    pos, size, cells = 0, len(markup), 0
    while pos < size:
        lt = markup.find("<", pos)
        if lt < 0:
            lt = size
        if stack and stack[-1].cell is not None:
            stack[-1].cell.append(markup[pos:lt])
        if lt >= size:
            break
        gt = markup.find(">", lt + 1)
        if gt < 0:
            break
        inside = markup[lt + 1:gt]
        closing = inside.startswith("/")
        name = lower[lt + 1 + closing:min(gt, lt + 12)].split(None, 1)[0].rstrip("/") if gt > lt + 1 + closing else ""
        pos = gt + 1
        if name in ("script", "style") and not closing:
            close = lower.find(f"</{name}", pos)
            pos = size if close < 0 else (lower.find(">", close) + 1 or size)
        elif name == "table":
            if closing:
                if stack:
                    done.append(stack.pop().finish())
            else:
                stack.append(_Table())
        elif not stack:
            continue
        elif name == "tr":
            stack[-1].end_cell()
            if not closing:
                stack[-1].new_row()
        elif name in ("td", "th"):
            stack[-1].end_cell()
            if not closing:
                cells += 1
                if cells > MAX_CELLS:
                    break
                stack[-1].new_cell(inside)
        elif name in ("br", "p", "div") and stack[-1].cell is not None and (name == "br" or closing):
            stack[-1].cell.append("\n")
    while stack:
        done.append(stack.pop().finish())
    return [t for t in done if t]


def _attr(tag: str, name: str) -> str | None:
    """An attribute's value in a tag's text (`colspan="2"`, `x:num=36815`), or None."""
    low = tag.lower()
    at = low.find(name + "=")
    while at > 0 and not low[at - 1].isspace():
        at = low.find(name + "=", at + 1)
    if at <= 0:
        return None
    rest = tag[at + len(name) + 1:at + len(name) + 80].lstrip()
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        return rest[1:end if end > 0 else None]
    return rest.split(None, 1)[0].rstrip("/") if rest else ""


def _span(tag: str, name: str) -> int:
    try:
        return max(1, min(MAX_SPAN, int(_attr(tag, name) or 1)))
    except ValueError:
        return 1


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[object]] = []
        self.cell: list[str] | None = None
        self.number: object = None
        self.below: dict[int, int] = {}      # column -> rows still covered by a rowspan above

    def new_row(self) -> None:
        self.rows.append([])
        self.below = {c: n - 1 for c, n in self.below.items() if n > 1}
        self._skip_covered()

    def _skip_covered(self) -> None:
        row = self.rows[-1]
        while len(row) in self.below:
            row.append(None)

    def new_cell(self, tag: str) -> None:
        if not self.rows:
            self.new_row()
        self._skip_covered()
        self.cell, self.number = [], None
        num = _attr(tag, "x:num")
        if num:
            try:
                self.number = float(num)
            except ValueError:
                self.number = None
        self._cols, self._rows = _span(tag, "colspan"), _span(tag, "rowspan")

    def end_cell(self) -> None:
        if self.cell is None:
            return
        text = html.unescape("".join(self.cell)).replace("\xa0", " ")
        text = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
        row = self.rows[-1]
        start = len(row)
        row.append(self.number if self.number is not None else (text or None))
        row.extend([None] * (self._cols - 1))
        if self._rows > 1:
            for c in range(start, start + self._cols):
                self.below[c] = self._rows
        self.cell = None
        self._skip_covered()

    def finish(self) -> list[list[object]]:
        self.end_cell()
        return [r for r in self.rows if any(v not in (None, "") for v in r)]
