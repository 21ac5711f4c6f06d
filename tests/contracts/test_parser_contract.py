"""The parser contract: what every file format of `parsers.registry.FORMATS` must do.

Each format is driven through the public entry, `parsers.registry.parse_attachment` (in
process for speed, plus one run in an isolated worker per format, which must give the same
result), on:

- a valid sample, a real file of the format built by tests/reportfiles.py: it is read with no
  problem, detected as its kind, gives values (recall > 0), and every value it gives is the
  figure the sample holds (precision);
- empty bytes: one result with a problem;
- the sample truncated: never read as if whole (a binary format reports a problem; text is
  still text);
- hostile bytes (random bytes under the format's name, and the sample with bytes flipped, a
  few fixed seeds): random bytes give a problem and no value; flipped ones anything the
  properties below allow;
- a password-protected file where the format has one (xlsx, xls, ods, docx, pdf, doc): no
  value, a problem that says encrypted;
- the sample under a name that lies about its type: read from its bytes, the same values;
- a real file of the format that holds no figure: "legitimately empty", that is read without
  a problem and without a value, its words kept in `text`.

More valid files of a format (a scanned PDF, read by OCR) are in `EXTRA_VALID`. What the
contract found wrong when it was written (a 4,300-digit figure that made int() raise, a .csv of
the form read as prose only and recorded as text, antiword's temporary path in a problem) is
fixed; the tests stay as its regression guard.

On every one of them: never raises; a non-empty list of `ParsedReport`, each named by the
attachment (or by its path inside it); every value has provenance (a `source` that names the
file, a `method` in {"table", "text", "ocr"}, an `indicator` of the report, a finite number or
None); a result with no value has a problem, or is legitimately empty with its text kept
(nothing is silent); the same input twice gives equal results.

A new format joins by adding its kind to `SAMPLES` below (a builder for a valid file with the
figures it holds, a lying name, and builders for its password-protected form and a file with no
figure where they exist); `test_every_registered_format_has_a_sample` fails until it does.
Formats read only through OCR are skipped where `parsers.ocr.available()` is False, and so is
`.doc` where no converter (antiword or LibreOffice) is installed.
"""
from __future__ import annotations

import dataclasses
import functools
import io
import math
import random
import shutil
import struct
import zipfile
from dataclasses import dataclass
from typing import Callable

import pytest

from parsers import ocr
from parsers.archives import DEFAULT_LIMITS, SEP
from parsers.detect import detect
from parsers.registry import FORMATS, parse_attachment
from store.records import FileProblem, ParsedReport
from tests import reportfiles as rf
from tests.test_detect import build_cfb
from tests.test_doc import build_word97

METHODS = {"table", "text", "ocr"}
LIMITS = dataclasses.replace(DEFAULT_LIMITS, timeout_s=30.0)   # a stuck parser cannot stall CI
SEEDS = (1, 2, 3)
TEXT_KINDS = {"text", "csv"}      # a cut text file is still a text file


# ---------------------------------------------------------------- builders the report files lack

NOTE = "Kính gửi Sở Giáo dục và Đào tạo. Đơn vị xin gửi kèm công văn và xin báo cáo sau."
ACTIVITIES = ("Các trường đã tổ chức 12 buổi tuyên truyền về bảo vệ, chăm sóc trẻ em.",
              "Phòng đã mở 3 lớp tập huấn cho 156 lượt cán bộ quản lý, giáo viên, nhân viên.")


def png(lines: tuple[str, ...]) -> bytes:
    """A photographed note: black text on white, large enough for OCR."""
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("L", (1700, 120 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(rf.font_path(), 36) if rf.font_path() else ImageFont.load_default()
    for i, line in enumerate(lines):
        draw.text((40, 60 + 90 * i), line, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def prose_pdf() -> bytes:
    """A letter exported to PDF: words, no figure of the form."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    style = ParagraphStyle("vi", fontName=rf._pdf_font(), fontSize=11, leading=15)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build([Paragraph(NOTE, style)] * 3)
    return buf.getvalue()


def csv_activities() -> bytes:
    """A unit's log of activities saved as .csv: sentences in a column."""
    rows = ["Ngày,Hoạt động"] + [f'{d},"{s}"' for d, s in zip(("15/03/2024", "02/04/2024"), ACTIVITIES)]
    return "\r\n".join(rows).encode("utf-8")


def csv_form() -> bytes:
    """The form's table exported from Excel as .csv (comma-separated, Vietnamese figures)."""
    import csv
    buf = io.StringIO()
    csv.writer(buf).writerows(rf.form_rows())
    return buf.getvalue().encode("utf-8")


def encrypted_ooxml() -> bytes:
    """A password-protected .xlsx or .docx: an OLE container with the encryption streams."""
    return build_cfb({"EncryptionInfo": struct.pack("<HHI", 4, 4, 0x40), "EncryptedPackage": bytes(512)})


def encrypted_xls() -> bytes:
    """A real .xls whose workbook globals carry a FILEPASS record (RC4 encryption), written in
    place of the WRITEACCESS record of the same size so every stream offset stays right."""
    data = bytearray(rf.xls_bytes(rf.form_with_title()))
    pos = data.index(b"\x09\x08\x10\x00\x00\x06\x05\x00")           # BOF of the workbook globals
    while True:
        rtype, length = struct.unpack_from("<HH", data, pos)
        if rtype == 0x005C:                                          # WRITEACCESS
            break
        pos += 4 + length
    filepass = struct.pack("<HHH", 1, 1, 1) + bytes(range(48))        # RC4, version 1.1, salt+verifier
    data[pos:pos + 4 + length] = struct.pack("<HH", 0x002F, length) + filepass.ljust(length, b"\0")
    return bytes(data)


def encrypted_ods() -> bytes:
    """What LibreOffice writes with a password: the manifest names the cipher, content.xml is
    ciphertext."""
    ns = 'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {ns} manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="4000">'
        '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
        'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
        'manifest:initialisation-vector="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" '
        'manifest:iteration-count="100000" manifest:salt="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        "</manifest:encryption-data></manifest:file-entry></manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", random.Random(0).randbytes(1200))
        z.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def encrypted_doc() -> bytes:
    """A Word 97 document with fEncrypted set in its FIB."""
    data = bytearray(build_word97(rf.NARRATIVE))
    fib = data.index(struct.pack("<HH", 0xA5EC, 0xC1))
    flags, = struct.unpack_from("<H", data, fib + 0x0A)
    struct.pack_into("<H", data, fib + 0x0A, flags | 0x0100)
    return bytes(data)


def no_doc_converter() -> str | None:
    if shutil.which("antiword") or shutil.which("soffice") or shutil.which("libreoffice"):
        return None
    return "no .doc converter (antiword or LibreOffice) installed"


def no_ocr() -> str | None:
    return None if ocr.available() else "no OCR engine (tesseract with the Vietnamese model) installed"


# ---------------------------------------------------------------- one sample per format

@dataclass(frozen=True)
class Sample:
    name: str                                   # what a unit would call the file
    build: Callable[[], bytes]                  # a valid file of the format
    holds: dict[str, float]                     # the figures in it, by indicator
    liar: str                                   # a name claiming another type
    encrypted: Callable[[], bytes] | None = None    # its password-protected form, if it has one
    no_figures: Callable[[], bytes] | None = None   # a real file of the format without a figure
    needs: Callable[[], str | None] = lambda: None  # why reading it cannot work here, or None


SAMPLES: dict[str, Sample] = {
    "xlsx": Sample("Báo cáo.xlsx", rf.filled_xlsx, rf.SAMPLE, "Báo cáo.pdf", encrypted_ooxml,
                   lambda: rf.plain_grid_xlsx([["Ghi chú"], [NOTE]])),
    "xls": Sample("Báo cáo.xls", lambda: rf.xls_bytes(rf.form_with_title()), rf.SAMPLE, "Báo cáo.xlsx",
                  encrypted_xls, lambda: rf.xls_bytes([["Ghi chú"], [NOTE]])),
    "ods": Sample("Báo cáo.ods", lambda: rf.ods_bytes(rf.form_with_title()), rf.SAMPLE, "Báo cáo.xls",
                  encrypted_ods, lambda: rf.ods_bytes([["Ghi chú"], [NOTE]])),
    "docx": Sample("Báo cáo.docx", rf.docx_report, rf.SAMPLE, "Báo cáo.doc", encrypted_ooxml,
                   lambda: rf.narrative_docx(NOTE)),
    "pdf": Sample("Báo cáo.pdf", rf.pdf_report, rf.SAMPLE, "Báo cáo.docx", lambda: rf.pdf_pages(2, encrypt="pw"),
                  prose_pdf),
    "doc": Sample("Báo cáo.doc", lambda: build_word97(rf.NARRATIVE), rf.NARRATIVE_VALUES, "Báo cáo.docx",
                  encrypted_doc, lambda: build_word97(NOTE), needs=no_doc_converter),
    "text": Sample("ghi chú.txt", lambda: rf.NARRATIVE.encode("utf-8"), rf.NARRATIVE_VALUES, "Báo cáo.xlsx",
                   None, lambda: NOTE.encode("utf-8")),
    "csv": Sample("hoạt động.csv", csv_activities, rf.NARRATIVE_VALUES, "hoạt động.txt",
                  None, lambda: f"Đơn vị;Ghi chú\r\nTHPT Đồng Xoài;{NOTE}\r\n".encode("utf-8")),
    "html": Sample("Báo cáo.xls", lambda: rf.html_table_bytes(rf.form_with_title()), rf.SAMPLE, "Báo cáo.pdf",
                   None, lambda: rf.html_table_bytes([["Ghi chú"], [NOTE]])),
    "image": Sample("ảnh chụp.png", lambda: png(ACTIVITIES), rf.NARRATIVE_VALUES, "Báo cáo.xlsx",
                    None, lambda: png((NOTE[:45], NOTE[45:])), needs=no_ocr),
}
# More valid files read by one of the formats above, checked like their kind's sample.
EXTRA_VALID: dict[str, tuple[str, Sample]] = {
    "pdf-scanned": ("pdf", Sample("bản quét.pdf", rf.scanned_pdf, rf.SAMPLE, "bản quét.docx", needs=no_ocr)),
}
KINDS = sorted(SAMPLES)


@functools.cache
def build(kind: str, what: str = "build") -> bytes:
    sample = SAMPLES[kind] if kind in SAMPLES else EXTRA_VALID[kind][1]
    data = getattr(sample, what)()
    if data is None:
        pytest.skip(f"no {kind} file can be written here")
    return data


def flipped(data: bytes, seed: int) -> bytes:
    """The sample with a few bytes flipped at random places, as a broken transfer leaves it."""
    rnd = random.Random(seed)
    out = bytearray(data)
    for _ in range(max(4, len(out) // 2000)):
        out[rnd.randrange(len(out))] ^= rnd.randrange(1, 256)
    return bytes(out)


CASES: dict[str, Callable[[str], tuple[str, bytes]]] = {
    "valid": lambda k: (SAMPLES[k].name, build(k)),
    "empty": lambda k: (SAMPLES[k].name, b""),
    "truncated": lambda k: (SAMPLES[k].name, build(k)[:len(build(k)) // 2]),
    **{f"random-{s}": (lambda s: lambda k: (SAMPLES[k].name, random.Random(s).randbytes(3000)))(s) for s in SEEDS},
    **{f"flipped-{s}": (lambda s: lambda k: (SAMPLES[k].name, flipped(build(k), s)))(s) for s in SEEDS},
    "encrypted": lambda k: (SAMPLES[k].name, build(k, "encrypted")),
    "liar": lambda k: (SAMPLES[k].liar, build(k)),
    "no-figures": lambda k: (SAMPLES[k].name, build(k, "no_figures")),
}


def case_ids() -> list[str]:
    ids = []
    for kind in KINDS:
        for case in CASES:
            if case == "encrypted" and SAMPLES[kind].encrypted is None:
                continue                 # text, csv and pictures have no password
            ids.append(f"{kind}:{case}")
    return ids


def parse(name: str, data: bytes, *, isolate: bool = False) -> list[ParsedReport]:
    return parse_attachment(name, data, rf.report(), isolate=isolate, limits=LIMITS)


@functools.cache
def first_run(case_id: str) -> tuple[str, bytes, list[ParsedReport]]:
    kind, case = case_id.split(":")
    name, data = CASES[case](kind)
    return name, data, parse(name, data)


# ---------------------------------------------------------------- what every result must be

def is_named_by(source: str, filename: str) -> bool:
    return source == filename or source.startswith(filename + SEP)


def check_contract(name: str, results: object) -> None:
    codes = {ind.code for ind in rf.report().indicators}
    assert isinstance(results, list) and results, results
    for r in results:
        assert isinstance(r, ParsedReport), r
        assert is_named_by(r.filename, name), (r.filename, name)
        assert isinstance(r.detected_type, str) and r.detected_type, r
        assert all(isinstance(p, FileProblem) and p.reason.strip() for p in r.problems), r.problems
        for v in r.values:
            assert is_named_by(v.source, r.filename), (v.source, r.filename)
            assert v.method in METHODS, v
            assert v.indicator in codes, v
            assert isinstance(v.raw, str), v
            assert v.number is None or (isinstance(v.number, (int, float)) and math.isfinite(v.number)
                                        and abs(v.number) < 1e15), v
        # Nothing is silent: no value means a problem, or a file read whole that holds none.
        assert r.values or r.problems or r.text.strip(), f"{r.filename}: no value, no problem, no text"


def legitimately_empty(r: ParsedReport) -> bool:
    """Read without a problem, its words kept, no figure of the form in it."""
    return not r.values and not r.problems and bool(r.text.strip())


def skip_unless_readable(sample: Sample) -> None:
    why = sample.needs()
    if why:
        pytest.skip(why)


def value_rows(results: list[ParsedReport], name: str) -> list[tuple]:
    """The values, with the attachment's name taken out of their source."""
    return [(v.indicator, v.number, v.raw, v.method, v.source[len(name):]) for r in results for v in r.values]


# ---------------------------------------------------------------- the registry and the samples agree

def test_every_registered_format_has_a_sample():
    assert set(SAMPLES) == set(FORMATS)
    assert all(kind in SAMPLES for kind, _ in EXTRA_VALID.values())


@pytest.mark.parametrize("kind", KINDS + sorted(EXTRA_VALID))
def test_the_sample_is_detected_as_its_kind(kind):
    sample_kind = EXTRA_VALID[kind][0] if kind in EXTRA_VALID else kind
    sample = SAMPLES[kind] if kind in SAMPLES else EXTRA_VALID[kind][1]
    assert detect(build(kind), sample.name) == sample_kind


# ---------------------------------------------------------------- the valid sample

def valid_run(kind: str) -> list[ParsedReport]:
    if kind in SAMPLES:
        return first_run(f"{kind}:valid")[2]
    return parse(EXTRA_VALID[kind][1].name, build(kind))


@pytest.mark.parametrize("kind", KINDS + sorted(EXTRA_VALID))
def test_the_valid_sample_is_read_with_its_figures(kind):
    sample = SAMPLES[kind] if kind in SAMPLES else EXTRA_VALID[kind][1]
    skip_unless_readable(sample)
    results = valid_run(kind)
    check_contract(sample.name, results)
    [result] = results
    assert result.problems == []
    assert result.values, "recall: the valid sample gives no value"
    read = {v.indicator: v.number for v in result.values if v.number is not None}
    wrong = {code: (n, sample.holds.get(code)) for code, n in read.items() if sample.holds.get(code) != n}
    assert wrong == {}, "precision: values the sample does not hold (read, held)"
    assert len({v.indicator for v in result.values}) == len(result.values), "one value per indicator"


@pytest.mark.parametrize("kind", KINDS)
def test_the_result_names_the_detected_kind(kind):
    [result] = valid_run(kind)
    assert result.detected_type == kind


@pytest.mark.parametrize("kind", KINDS)
def test_an_isolated_worker_gives_the_same_result(kind):
    name, data, in_process = first_run(f"{kind}:valid")
    assert parse(name, data, isolate=True) == in_process


# ---------------------------------------------------------------- every case

@pytest.mark.parametrize("case_id", case_ids())
def test_contract(case_id):
    kind, case = case_id.split(":")
    sample = SAMPLES[kind]
    name, data, results = first_run(case_id)
    check_contract(name, results)
    values = [v for r in results for v in r.values]
    if case == "empty":
        [r] = results
        assert r.problems and not r.values and r.detected_type == "empty"
    elif case == "truncated" and kind not in TEXT_KINDS:
        assert any(r.problems for r in results), "a cut file was read as if whole"
    elif case.startswith("random"):
        assert not values and all(r.problems for r in results)
    elif case == "encrypted":
        skip_unless_readable(sample)    # without a converter a .doc is "not readable here"
        assert not values
        reasons = " ".join(f"{p.reason} {p.detail}" for r in results for p in r.problems).lower()
        assert "encrypt" in reasons or "password" in reasons, reasons
    elif case == "liar":
        skip_unless_readable(sample)
        honest = parse(sample.name, data)
        assert [r.detected_type for r in results] == [r.detected_type for r in honest]
        assert FORMATS[detect(data, name)] == FORMATS[kind]
        assert value_rows(results, name) == value_rows(honest, sample.name) != []
    elif case == "no-figures":
        skip_unless_readable(sample)
        [r] = results
        assert legitimately_empty(r), r


@pytest.mark.parametrize("case_id", case_ids())
def test_the_same_input_gives_the_same_result(case_id):
    name, data, results = first_run(case_id)
    assert parse(name, data) == results


# ---------------------------------------------------------------- findings kept as contracts

ABSURD = "9" * 5000      # a pasted run of digits: more than Python reads as one int
ABSURD_FILES: dict[str, Callable[[], tuple[str, bytes]]] = {
    "xlsx": lambda: ("bc.xlsx", rf.filled_xlsx(dict(rf.SAMPLE, bl_so_vu=ABSURD))),
    "xls": lambda: ("bc.xls", rf.xls_bytes(rf.form_with_title(dict(rf.SAMPLE, bl_so_vu=ABSURD)))),
    "ods": lambda: ("bc.ods", rf.ods_bytes(rf.form_with_title(dict(rf.SAMPLE, bl_so_vu=ABSURD)))),
    "docx": lambda: ("bc.docx", rf.docx_report(dict(rf.SAMPLE, bl_so_vu=ABSURD))),
    "pdf": lambda: ("bc.pdf", rf.pdf_report(dict(rf.SAMPLE, bl_so_vu=ABSURD))),
    "doc": lambda: ("bc.doc", build_word97(rf.NARRATIVE.replace("12 buổi", ABSURD + " buổi"))),
    "text": lambda: ("bc.txt", rf.NARRATIVE.replace("12 buổi", ABSURD + " buổi").encode("utf-8")),
    "csv": lambda: ("bc.csv", csv_activities().replace(b"12 bu", ABSURD.encode() + b" bu")),
}
ABSURD_CODE = {"doc": "tt_so_buoi", "text": "tt_so_buoi", "csv": "tt_so_buoi"}   # else "bl_so_vu"


@pytest.mark.parametrize("kind", sorted(ABSURD_FILES))
def test_one_absurd_figure_costs_no_other_value(kind):
    if kind == "doc":
        skip_unless_readable(SAMPLES["doc"])
    name, data = ABSURD_FILES[kind]()
    results = parse(name, data)
    check_contract(name, results)
    assert [r.problems for r in results] == [[]]
    absurd = ABSURD_CODE.get(kind, "bl_so_vu")
    others = {(v.indicator, v.number) for v in valid_run(kind)[0].values if v.indicator != absurd}
    assert others and others <= {(v.indicator, v.number) for v in results[0].values}


def test_a_csv_of_the_form_table_is_read_or_reported():
    results = parse("Báo cáo.csv", csv_form())
    check_contract("Báo cáo.csv", results)
    [r] = results
    assert r.values or r.problems or r.warnings


# ---------------------------------------------------------------- the checks themselves can fail

@pytest.mark.parametrize("bad", [
    "not a list", "no result", "silent", "unnamed value", "other file", "guessed", "unknown indicator", "infinite",
])
def test_the_contract_rejects_what_it_forbids(bad):
    from store.records import Value
    good = Value("tt_so_buoi", 12, "12", "bc.xlsx › BaoCao › E14", "table")
    report = ParsedReport("bc.xlsx", "xlsx", values=[good])
    check_contract("bc.xlsx", [report])
    broken: object = {
        "not a list": report,
        "no result": [],
        "silent": [ParsedReport("bc.xlsx", "xlsx")],
        "unnamed value": [dataclasses.replace(report, values=[dataclasses.replace(good, source="")])],
        "other file": [dataclasses.replace(report, values=[dataclasses.replace(good, source="khác.xlsx › E14")])],
        "guessed": [dataclasses.replace(report, values=[dataclasses.replace(good, method="guess")])],
        "unknown indicator": [dataclasses.replace(report, values=[dataclasses.replace(good, indicator="x")])],
        "infinite": [dataclasses.replace(report, values=[dataclasses.replace(good, number=math.inf)])],
    }[bad]
    with pytest.raises(AssertionError):
        check_contract("bc.xlsx", broken)
