


def _sqlite_utils_without_numpy() -> None:
    """sqlite-utils imports numpy when it is installed (pdfplumber's dependencies bring it) only to
    map numpy scalar types to column types, which the store never passes; numpy's import is most
    of a command's start-up (~80 ms of a `baocao poll` with nothing new). It is hidden while
    sqlite-utils is imported, then visible again to whoever needs it (the parsers' workers)."""
    import sys
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]


_sqlite_utils_without_numpy()

