"""Word 97-2003 `.doc` files, still common in provincial offices.

No Python library reads the binary Word format well, so this goes through a converter:
LibreOffice (`soffice --convert-to docx`, best: keeps tables) when installed, else antiword
(text, with tables printed as "|"-separated rows). The antiword text is rebuilt as a small
.docx (paragraphs and tables) and handed to the .docx parser, so both paths meet the same table
and narrative engine; without that parser the text goes to the narrative extractor alone.
With neither converter the file is kept with the problem "format not readable here", never
dropped. Antiword needs an explicit `-m UTF-8.txt` (it crashes without a usable locale).
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile

from parsers import legacy
from store.domain import Report
from store.records import FileProblem, ParsedReport
from parsers.isolate import die_with_parent

CONVERT_TIMEOUT_S = 45


KINDS = ("doc",)   # the detected kinds this module reads (parsers.registry.FORMATS)


def parse(filename: str, data: bytes, report: Report) -> ParsedReport:
    """The .doc's values and text, through LibreOffice or antiword."""
    if shutil.which("soffice") or shutil.which("libreoffice"):
        converted = _libreoffice_docx(data)
        if converted is not None:
            return _via_docx(filename, converted, report, "converted by LibreOffice")
    if not shutil.which("antiword"):
        return _problem(filename, "format not readable here", "stored; no .doc converter (LibreOffice or antiword) installed")
    text, problem = antiword_text(data)
    if problem is not None:
        return ParsedReport(filename=filename, detected_type="doc", problems=[problem])
    text = legacy.fix(text)
    if not text.strip():
        return _problem(filename, "no text", "the document holds no text (a scan pasted as a picture?)")
    return _from_text(filename, text, report)


def antiword_text(data: bytes) -> tuple[str, FileProblem | None]:
    """The document's text as antiword prints it (UTF-8), or the reason it could not."""
    with tempfile.TemporaryDirectory(prefix="baocao-doc-") as tmp:
        path = os.path.join(tmp, "input.doc")
        with open(path, "wb") as f:
            f.write(data)
        for _attempt in range(2):    # antiword reads uninitialised memory on odd files: retry a crash once
            try:
                out = subprocess.run(["antiword", "-m", "UTF-8.txt", "-w", "0", path], capture_output=True,
                                     timeout=CONVERT_TIMEOUT_S, check=False, cwd=tmp,
                                     preexec_fn=die_with_parent)
            except subprocess.TimeoutExpired:
                return "", FileProblem(f"timeout ({CONVERT_TIMEOUT_S} s)", "antiword did not finish")
            if out.returncode >= 0:
                break
        # antiword names the file it read: our temporary path, which is neither stable nor the admin's business
        message = out.stderr.decode("utf-8", "replace").replace(path, "the file").strip()
    if out.returncode < 0:
        return "", FileProblem("parser crashed", f"antiword was killed by signal {-out.returncode}")
    if out.returncode != 0:
        if "encrypt" in message.lower():
            return "", FileProblem("encrypted (password-protected)", message[:300])
        return "", FileProblem("corrupt", f"antiword: {message or f'exit code {out.returncode}'}"[:300])
    return out.stdout.decode("utf-8", "replace"), None


def blocks(text: str) -> list[str | list[list[str]]]:
    """Antiword text as paragraphs (str) and tables (rows of cells): consecutive lines that start
    with "|" are one table."""
    out: list[str | list[list[str]]] = []
    paragraph: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            if paragraph:
                out.append(" ".join(paragraph))
                paragraph = []
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if out and isinstance(out[-1], list):
                out[-1].append(cells)
            else:
                out.append([cells])
        elif stripped:
            paragraph.append(stripped)
        elif paragraph:
            out.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        out.append(" ".join(paragraph))
    return out


def as_docx(parts: list[str | list[list[str]]]) -> bytes:
    """A .docx holding the paragraphs and tables, for the .docx parser."""
    import docx

    document = docx.Document()
    for part in parts:
        if isinstance(part, str):
            document.add_paragraph(part)
            continue
        width = max(len(row) for row in part)
        table = document.add_table(rows=len(part), cols=width)
        for r, row in enumerate(part):
            for c, cell in enumerate(row):
                table.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _from_text(filename: str, text: str, report: Report) -> ParsedReport:
    try:
        result = _via_docx(filename, as_docx(blocks(text)), report, "read through antiword")
    except Exception as err:  # noqa: BLE001 - fall back to the narrative reading of the text
        from parsers import narrative
        return ParsedReport(filename=filename, detected_type="doc", text=text,
                            values=list(narrative.extract(text, report, filename)),
                            warnings=[f".doc tables not read: {type(err).__name__}: {err}"[:200]])
    result.text = result.text or text
    return result


def _via_docx(filename: str, docx_bytes: bytes, report: Report, how: str) -> ParsedReport:
    from parsers import docx as docx_parser
    result = docx_parser.parse(filename, docx_bytes, report)
    result.filename = filename
    result.detected_type = "doc"
    result.warnings.append(f".doc {how}")
    return result


def _libreoffice_docx(data: bytes) -> bytes | None:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory(prefix="baocao-lo-") as tmp:
        path = os.path.join(tmp, "input.doc")
        with open(path, "wb") as f:
            f.write(data)
        try:
            subprocess.run([str(binary), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", "docx", "--outdir", tmp, path],
                           capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False, cwd=tmp,
                           preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired:
            return None
        out = os.path.join(tmp, "input.docx")
        if not os.path.exists(out):
            return None
        with open(out, "rb") as f:
            return f.read()


def _problem(filename: str, reason: str, detail: str) -> ParsedReport:
    return ParsedReport(filename=filename, detected_type="doc", problems=[FileProblem(reason, detail)])
