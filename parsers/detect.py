"""What a file really is, decided from its bytes.

Units rename files freely (a photo saved as "bao cao.xlsx", a web page saved as ".doc"), and
mail clients send whatever Content-Type they like, so the type is sniffed from the content, as
paperless does with libmagic. The filename only breaks a tie for plain text ("csv" vs "text").

Old Office files are OLE compound files (CFB); whether one is a workbook, a Word document, an
Outlook message or a password-protected OOXML package is told by the names of its streams, read
by a tiny parser of the CFB directory (olefile is not a dependency) with a raw-bytes fallback.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"   # 0x223E9F78 little-endian
ARCHIVE_TYPES = frozenset({"zip", "rar", "7z", "gzip", "tar"})

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (TNEF_MAGIC, "tnef"),
    (b"{\\rtf", "rtf"),
    (b"\xff\xd8\xff", "image"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]")
_MAIL_HEADERS = (b"from:", b"date:", b"subject:", b"message-id:", b"mime-version:", b"received:",
                 b"return-path:", b"to:", b"content-type:")
# Comments, then a tag. Not "(<!--.*?-->\s*)*": the lazy body can also swallow "--><!--", so a run of
# comments not followed by a tag was tried every way of grouping them (exponential). A run of one
# or more comments is "<!--", anything, "-->", spaces: the same strings, matched in one pass.
_HTML_START = re.compile(rb"^\s*(<!--.*-->\s*)?<(!doctype\s+html|html|head|body|meta|table|div|p)\b",
                         re.IGNORECASE | re.DOTALL)


def detect(data: bytes, filename: str = "") -> str:
    """The file's type from its content: "pdf", "xlsx", "docx", "ods", "odt", "zip", "rar", "7z",
    "gzip", "tar", "xls", "doc", "msg", "encrypted-ooxml", "ole", "tnef", "rtf", "html", "xml",
    "eml", "image", "csv", "text", "empty" or "unknown"."""
    if not data:
        return "empty"
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC):
        return ole_kind(data)
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if _is_image(head):
        return "image"
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar"
    return _text_kind(head, filename)


def _is_image(head: bytes) -> bool:
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return True
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return True
    # BMP: "BM", then a file size and four reserved zero bytes
    return head.startswith(b"BM") and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00"


# ---------------------------------------------------------------- zip-based formats

def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = _zip_mimetype(zf, names)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        # A truncated package still names its parts in the local headers.
        names = {n.decode("cp437") for n in re.findall(rb"PK\x03\x04.{26}([\x20-\x7e]{1,64})", data[:65536],
                                                         re.DOTALL)}
        mimetype = ""
    return _package_kind(names, mimetype)


def _zip_mimetype(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "mimetype" not in names:
        return ""
    try:
        return zf.read("mimetype")[:200].decode("ascii", "replace").strip()
    except Exception:   # noqa: BLE001 - an unreadable mimetype member just means "not ODF"
        return ""


def _package_kind(names: set[str], mimetype: str) -> str:
    if "xl/workbook.xml" in names or any(n.startswith("xl/workbook") and n.endswith(".xml") for n in names):
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names or any(re.fullmatch(r"word/document\d*\.xml", n) for n in names):
        return "docx"
    if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if mimetype.startswith("application/vnd.oasis.opendocument.text"):
        return "odt"
    return "zip"


# ---------------------------------------------------------------- OLE compound files

def ole_kind(data: bytes) -> str:
    """"xls", "doc", "msg", "encrypted-ooxml" or "ole" from the stream names of a CFB file."""
    names = {n.lower() for n in ole_stream_names(data)}
    if "encryptioninfo" in names or "encryptedpackage" in names:
        return "encrypted-ooxml"
    if "workbook" in names or "book" in names:
        return "xls"
    if "worddocument" in names:
        return "doc"
    if any(n.startswith("__substg1.0_") or n.startswith("__properties_version1.0") for n in names):
        return "msg"
    return "ole"


def ole_stream_names(data: bytes) -> list[str]:
    """Names of the entries in a CFB directory; falls back to a raw scan if the FAT is damaged."""
    try:
        return _cfb_directory_names(data)
    except (struct.error, ValueError, IndexError):
        return _scan_names(data)


def _cfb_directory_names(data: bytes) -> list[str]:
    sector_shift, = struct.unpack_from("<H", data, 30)
    if not 7 <= sector_shift <= 16:
        raise ValueError("bad sector size")
    size = 1 << sector_shift
    n_fat, first_dir = struct.unpack_from("<I", data, 44)[0], struct.unpack_from("<I", data, 48)[0]
    difat = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA][:n_fat]
    fat: list[int] = []
    for sector in difat:   # files with more than 109 FAT sectors (>7 MB) fall back to the scan
        fat.extend(struct.unpack_from(f"<{size // 4}I", data, 512 + sector * size))
    names: list[str] = []
    sector, seen = first_dir, set[int]()
    while sector < 0xFFFFFFFA and sector not in seen and len(seen) < 10000:
        seen.add(sector)
        base = 512 + sector * size
        if base + size > len(data):
            raise ValueError("directory beyond end of file")
        for off in range(base, base + size, 128):
            length, kind = struct.unpack_from("<HB", data, off + 64)
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.append(data[off:off + length - 2].decode("utf-16-le", "replace"))
        sector = fat[sector]
    if not names:
        raise ValueError("empty directory")
    return names


def _scan_names(data: bytes) -> list[str]:
    wanted = ("Workbook", "Book", "WordDocument", "EncryptionInfo", "EncryptedPackage",
              "__substg1.0_", "__properties_version1.0")
    # A directory entry name is UTF-16-LE, 128-byte aligned, followed by its length at +64.
    found = []
    for name in wanted:
        needle = name.encode("utf-16-le")
        for m in re.finditer(re.escape(needle), data):
            if m.start() % 128 == 0 and (name.startswith("__") or data[m.end():m.end() + 2] == b"\x00\x00"):
                found.append(name)
                break
    return found


# ---------------------------------------------------------------- text-like formats

def _text_kind(head: bytes, filename: str) -> str:
    text = _as_text(head)
    if text is None:
        return "unknown"
    stripped = text.lstrip("\ufeff \t\r\n")
    if _looks_like_mail(stripped.encode("utf-8", "replace")):
        return "eml"
    if _HTML_START.match(stripped.encode("utf-8", "replace")[:2048]) or "<html" in stripped[:2048].lower():
        return "html"
    if stripped.startswith("<?xml"):
        return "html" if "<html" in stripped[:4096].lower() else "xml"
    if filename.lower().endswith((".csv", ".tsv")):
        return "csv"
    return "text"


def _as_text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start >= len(head) - 4:      # a character cut by the 4 KiB window
            return head[:err.start].decode("utf-8")
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return head.decode("cp1252", "replace") if controls <= len(head) // 100 else None


def _looks_like_mail(head: bytes) -> bool:
    lines = head.split(b"\n", 12)[:10]
    headers = [ln for ln in lines if _HEADER_LINE.match(ln)]
    known = sum(1 for ln in headers if ln.lower().startswith(_MAIL_HEADERS))
    return bool(lines) and bool(_HEADER_LINE.match(lines[0])) and known >= 2
