"""Opening .zip, .rar, .7z, .gz and .tar attachments, archives inside archives included.

Archives are hostile input: zip bombs, thousands of members, nesting, member names such as
"../../etc/passwd". So members are read into memory in chunks and reading stops at the limits
(the sizes an archive declares are checked first but never trusted), nothing is ever written to
disk under a member's name (the name is for display only), and every refusal is a recorded
`FileProblem` rather than an exception.

Vietnamese Windows zips often store member names in cp1258 (or the OEM code page) without the
UTF-8 flag; `member_name` recovers readable Vietnamese from them.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gzip
import io
import os
import re
import shutil
import struct
import tarfile
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Callable, Iterator, Protocol, Self

from parsers.detect import ARCHIVE_TYPES, detect
from store.records import FileProblem

MB = 1024 * 1024
SEP = " › "
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds on what one attachment may unpack to, and on each parser worker."""
    max_depth: int = 3                  # archive in archive in archive
    max_members: int = 200              # files, over the whole attachment
    max_total_bytes: int = 100 * MB     # uncompressed, over the whole attachment
    max_member_bytes: int = 50 * MB
    max_ratio: float = 100.0            # uncompressed / compressed, past which it is a zip bomb
    ratio_floor_bytes: int = 1 * MB     # small members compress well legitimately
    timeout_s: float = 60.0             # per leaf file, in the worker
    memory_mb: int = 1024               # per leaf file, in the worker
    wall_s: float | None = None         # wall-clock backstop for a worker that hangs idle (None: derived)


DEFAULT_LIMITS = Limits()


@dataclass
class Budget:
    """What is left of the limits while one attachment is being unpacked (shared across levels)."""
    limits: Limits
    members: int = 0
    total_bytes: int = 0
    overflow_reported: bool = False


@dataclass(frozen=True)
class Member:
    name: str                           # display path: "bc.zip › thư mục/a.xlsx"
    data: bytes | None                  # None when the member could not be read
    problem: FileProblem | None = None
    note: FileProblem | None = None     # a problem that did not stop the reading (a name escaping the folder)


class _Refused(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.problem = FileProblem(reason, detail)


class _Stream(Protocol):
    """What `_read` needs of an opened member: zipfile's and tarfile's streams, GzipFile, BytesIO."""

    def read(self, size: int = ..., /) -> bytes: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None, /) -> None: ...


@dataclass
class _Entry:
    """One member as the archive declares it, with a way to stream its content."""
    raw_name: str
    size: int | None = None
    packed: int | None = None
    encrypted: bool = False
    is_dir: bool = False
    open: Callable[[], _Stream] | None = field(default=None, repr=False)


def expand(filename: str, data: bytes, limits: Limits = DEFAULT_LIMITS
           ) -> tuple[list[tuple[str, bytes]], list[FileProblem]]:
    """All leaf files of an archive, nested archives opened, with the problems met on the way.
    Each problem's detail starts with the display name of the member it is about."""
    files, problems = [], []
    for m in members(filename, data, limits):
        if m.problem is None and m.data is not None:
            files.append((m.name, m.data))
        else:
            problem = m.problem or FileProblem("corrupt")
            problems.append(FileProblem(problem.reason, f"{m.name}: {problem.detail}".rstrip(": ")))
    return files, problems


def members(filename: str, data: bytes, limits: Limits = DEFAULT_LIMITS, *, depth: int = 0,
            budget: Budget | None = None) -> list[Member]:
    """Leaf members of the archive `filename` (display name), recursing into nested archives.
    A member that could not be read comes back with `data=None` and its problem."""
    budget = budget or Budget(limits)
    kind = detect(data, filename)
    if depth >= limits.max_depth:
        return [Member(filename, None, FileProblem("nested too deep",
                                                   f"archives nested more than {limits.max_depth} levels"))]
    try:
        with _opened(kind, filename, data, limits) as entries:
            return _unpack(filename, entries, limits, depth, budget)
    except _Refused as err:
        return [Member(filename, None, err.problem)]
    except Exception as err:  # noqa: BLE001 - any library error on hostile bytes is "corrupt"
        return [Member(filename, None, _library_problem(err, kind))]


def _unpack(filename: str, entries: list[_Entry], limits: Limits, depth: int, budget: Budget) -> list[Member]:
    out: list[Member] = []
    for entry in (e for e in entries if not e.is_dir):
        name = f"{filename}{SEP}{clean_name(entry.raw_name)}"
        found = _member(name, entry, limits, depth, budget)
        note = escapes(entry.raw_name)
        if note:    # the bytes are read (never written anywhere); the name is recorded as hostile
            if any(m.name == name for m in found):
                found = [dataclasses.replace(m, note=note) if m.name == name else m for m in found]
            else:           # an archive (its members are read) or a member that gave nothing
                found = found + [Member(name, None, note)]
        out.extend(found)
        if budget.members > limits.max_members:
            if not budget.overflow_reported:
                budget.overflow_reported = True
                out.append(Member(filename, None, FileProblem(
                    "too many files", f"more than {limits.max_members} files; the rest was skipped")))
            break
    if not entries:
        out.append(Member(filename, None, FileProblem("empty archive")))
    return out


def _member(name: str, entry: _Entry, limits: Limits, depth: int, budget: Budget) -> list[Member]:
    budget.members += 1
    if budget.members > limits.max_members:
        return []
    try:
        data = _read(entry, limits, budget)
    except _Refused as err:
        return [Member(name, None, err.problem)]
    except Exception as err:  # noqa: BLE001
        return [Member(name, None, _library_problem(err, "member"))]
    if detect(data, name) in ARCHIVE_TYPES:
        return members(name, data, limits, depth=depth + 1, budget=budget)
    return [Member(name, data)]


def _library_problem(err: Exception, what: str) -> FileProblem:
    text = f"{what}: {type(err).__name__}: {err}"[:300]
    if "password" in text.lower() or "encrypt" in text.lower():
        return FileProblem("encrypted", text)
    return FileProblem("corrupt", text)


def _read(entry: _Entry, limits: Limits, budget: Budget) -> bytes:
    """The member's bytes, read in chunks, refusing as soon as a limit is passed."""
    if entry.encrypted:
        raise _Refused("encrypted", "password-protected member")
    cap = min(limits.max_member_bytes, limits.max_total_bytes - budget.total_bytes)
    _check_ratio(entry.size or 0, entry.packed, limits)
    if entry.size is not None and entry.size > limits.max_member_bytes:
        raise _Refused("too large", f"{entry.size // MB} MB uncompressed (limit {limits.max_member_bytes // MB} MB)")
    if entry.size is not None and entry.size > cap:
        raise _Refused("too large", f"the attachment unpacks to more than {limits.max_total_bytes // MB} MB")
    assert entry.open is not None
    out = bytearray()
    with entry.open() as stream:
        while chunk := stream.read(_CHUNK):
            out += chunk
            _check_ratio(len(out), entry.packed, limits)
            if len(out) > cap:
                raise _Refused("too large", f"more than {cap // MB} MB uncompressed")
    budget.total_bytes += len(out)
    return bytes(out)


def _check_ratio(size: int, packed: int | None, limits: Limits) -> None:
    if packed is not None and size > limits.ratio_floor_bytes and size > limits.max_ratio * max(packed, 1):
        raise _Refused("zip bomb", f"compression ratio over {limits.max_ratio:.0f}:1")


# ---------------------------------------------------------------- member names

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escapes(name: str) -> FileProblem | None:
    """A member name that climbs out of the archive's folder ("../../x.xlsx", "..\\..\\x.xlsx") or
    starts at a root or a drive ("/etc/x", "C:\\x"): an unpacker that trusts it writes outside the
    folder (zip slip). A problem to record; nothing is ever written under a member's name here."""
    parts = name.replace("\\", "/").split("/")
    depth = 0
    for part in parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return FileProblem("unsafe name", f"the member's name {name[:200]!r} escapes the archive's folder")
        elif part not in ("", "."):
            depth += 1
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return FileProblem("unsafe name", f"the member's name {name[:200]!r} is an absolute path")
    return None


def clean_name(name: str) -> str:
    """A member name fit for display: no control characters, no "..", no absolute or drive path,
    and no " › " of its own (that separator tells the nesting depth)."""
    parts = _CONTROL.sub("", name).replace(SEP, " > ").replace("\\", "/").split("/")
    parts = [p for p in parts if p not in ("", ".", "..")]
    if parts and re.fullmatch(r"[A-Za-z]:", parts[0]):
        parts = parts[1:]
    return "/".join(parts) or "(không tên)"


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it: the UTF-8 flag or Info-ZIP unicode field first,
    then undeclared UTF-8, then cp1258 (Vietnamese Windows) if it gives Vietnamese, else cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    unicode_path = _unicode_path_field(info.extra)
    if unicode_path:
        return unicode_path
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    return decode_name(raw)


def decode_name(raw: bytes) -> str:
    """Legacy bytes of a file name to text (see `member_name`)."""
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        vn = unicodedata.normalize("NFC", raw.decode("cp1258"))
        if _vietnamese_score(vn) > 0:
            return vn
    except UnicodeDecodeError:
        pass
    return raw.decode("cp437")


_VN_CHARS = set("ăâđêôơưĂÂĐÊÔƠƯ")


def _vietnamese_score(text: str) -> int:
    return sum(1 for ch in text if ch in _VN_CHARS or "\u1ea0" <= ch <= "\u1ef9"
               or ch in "àáãèéìíòóõùúýÀÁÃÈÉÌÍÒÓÕÙÚÝ")


def _unicode_path_field(extra: bytes) -> str | None:
    """Info-ZIP Unicode Path Extra Field (0x7075), which zipfile in Python 3.11 ignores."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        if tag == 0x7075 and size >= 5 and extra[pos + 4] == 1:
            try:
                return extra[pos + 9:pos + 4 + size].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos += 4 + size
    return None


# ---------------------------------------------------------------- per-format listings

@contextlib.contextmanager
def _opened(kind: str, filename: str, data: bytes, limits: Limits) -> Iterator[list[_Entry]]:
    """The archive's declared members, valid while the context is open."""
    if kind == "zip":
        yield list(_zip_entries(data))
    elif kind == "7z":
        yield list(_7z_entries(data, limits))
    elif kind == "gzip":
        yield list(_gzip_entries(filename, data))
    elif kind == "tar":
        yield list(_tar_entries(data))
    elif kind == "rar":
        with _rar_entries(data) as entries:
            yield entries
    else:
        raise _Refused("format not readable here", f"not an archive ({kind})")


def _zip_entries(data: bytes) -> Iterator[_Entry]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    for info in zf.infolist():
        yield _Entry(member_name(info), info.file_size, info.compress_size, bool(info.flag_bits & 1),
                     info.is_dir(), functools.partial(zf.open, info))


def _gzip_entries(filename: str, data: bytes) -> Iterator[_Entry]:
    inner = re.sub(r"(?i)\.(gz|tgz)$", "", filename.rsplit(SEP, 1)[-1]) or "data"
    yield _Entry(inner, None, len(data), open=lambda: gzip.GzipFile(fileobj=io.BytesIO(data)))


def _tar_entries(data: bytes) -> Iterator[_Entry]:
    tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    for info in tf.getmembers():
        if info.isreg():
            yield _Entry(info.name, info.size, None, open=functools.partial(_tar_open, tf, info))


def _tar_open(tf: tarfile.TarFile, info: tarfile.TarInfo) -> _Stream:
    stream = tf.extractfile(info)
    if stream is None:   # extractfile gives None only for what is not a file; only regular members are listed
        raise _Refused("corrupt", f"tar member {info.name!r} is not a regular file")
    return stream


def _7z_entries(data: bytes, limits: Limits) -> Iterator[_Entry]:
    import py7zr

    try:
        archive = py7zr.SevenZipFile(io.BytesIO(data))
    except py7zr.PasswordRequired as err:
        raise _Refused("encrypted", "password-protected 7z (names hidden)") from err
    with archive:
        encrypted = archive.needs_password()
        infos = list(archive.list())
    for info in infos:
        yield _Entry(info.filename, info.uncompressed, len(data), encrypted, info.is_directory,
                     functools.partial(_7z_open, data, info.filename, limits.max_member_bytes))


class _CappedIO:
    """A py7zr output that keeps at most `cap` bytes and aborts the extraction past that,
    so a 7z bomb costs no more than `cap` of memory."""

    def __init__(self, cap: int):
        self.buffer = io.BytesIO()
        self.cap = cap

    def write(self, s: bytes | bytearray) -> int:
        if self.buffer.tell() + len(s) > self.cap:
            raise _Refused("too large", f"more than {self.cap // MB} MB uncompressed")
        return self.buffer.write(s)

    def read(self, size: int | None = None) -> bytes:
        return self.buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.buffer.seek(offset, whence)

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.buffer.getbuffer().nbytes

    def close(self) -> None:
        pass


def _7z_open(data: bytes, name: str, cap: int) -> _Stream:
    import py7zr
    from py7zr.io import Py7zIO, WriterFactory

    class Capped(_CappedIO, Py7zIO):   # py7zr's interface, implemented by _CappedIO (py7zr is imported lazily)
        pass

    outputs: dict[str, Capped] = {}

    class Factory(WriterFactory):
        def create(self, filename: str) -> Py7zIO:
            outputs[filename] = Capped(cap)
            return outputs[filename]

    with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
        archive.extract(targets=[name], factory=Factory())
    out = outputs.get(name)
    return io.BytesIO(out.buffer.getvalue() if out else b"")


@contextlib.contextmanager
def _rar_entries(data: bytes) -> Iterator[list[_Entry]]:
    """RAR through rarfile: stored members it reads itself, compressed ones need unrar, unar,
    bsdtar or 7z. The archive goes to a private temp file under a fixed name, removed after."""
    import rarfile

    tmpdir = tempfile.mkdtemp(prefix="baocao-rar-")
    try:
        path = os.path.join(tmpdir, "archive.rar")
        with open(path, "wb") as f:
            f.write(data)
        rf = rarfile.RarFile(path)
        if rf.needs_password():
            raise _Refused("encrypted", "password-protected rar (names hidden)")
        yield [_Entry(info.filename, info.file_size, info.compress_size, bool(info.needs_password()),
                      info.is_dir(), functools.partial(_rar_open, rf, info))
               for info in rf.infolist()]
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _rar_open(rf: Any, info: Any) -> _Stream:
    """`rf` a rarfile.RarFile, `info` one of its RarInfo (rarfile ships no type information)."""
    import rarfile

    try:
        return rf.open(info)
    except rarfile.RarCannotExec as err:
        raise _Refused("format not readable here", "no rar tool (unrar, unar, bsdtar or 7z) installed") from err
