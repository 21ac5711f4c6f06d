"""OCR, one way for every format: Tesseract with the Vietnamese model, one page image at a time.

Scanned PDFs (`parsers.pdf`) and pictures (`parsers.registry`'s image reader) both come here, so
a scan reads the same whether it arrives as a PDF or a photo. Tesseract runs as a child that dies
with its worker (`isolate.die_with_parent`); a missing engine or model is `available() == False`,
which the callers turn into a recorded "not read" for the file.
"""
from __future__ import annotations

import shutil
import subprocess

from parsers.isolate import die_with_parent

LANGUAGES = "vie+eng"    # forms are Vietnamese; codes, e-mail addresses and file names are not
PAGE_MODE = "6"          # one uniform block of text: a form page, a table, a photographed sheet


def available() -> bool:
    """Whether Tesseract and its Vietnamese model are installed here."""
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20,
                               preexec_fn=die_with_parent).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "vie" in langs.split()


def read_image(image: bytes | str, timeout: float) -> str:
    """The text of one image (bytes, or the path of an image file). Raises
    subprocess.TimeoutExpired or OSError for the caller to record; '' when nothing was read."""
    source, data = (image, None) if isinstance(image, str) else ("stdin", image)
    run = subprocess.run(["tesseract", source, "stdout", "-l", LANGUAGES, "--psm", PAGE_MODE], input=data,
                         capture_output=True, timeout=timeout, check=False, preexec_fn=die_with_parent)
    return run.stdout.decode("utf-8", "replace") if run.returncode == 0 else ""
