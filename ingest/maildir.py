"""A local Maildir as a mail source: read-only, for the embedded default and for back-fills.

Only `new/` and `cur/` files are read, by their unique key (the file name before ':2,'), so a
flag change by a mail client (which renames the file) does not make a message new again.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

from store.config import MailboxConfig
from store.errors import ConfigError, SourceError
from ingest.sources import FetchedMessage, SeenIndex

log = logging.getLogger("baocao.maildir")


def _key(name: str) -> str:
    return name.split(":2,", 1)[0].split("!2,", 1)[0]


class MaildirSource:
    @classmethod
    def from_config(cls, cfg: MailboxConfig) -> "MaildirSource":
        if cfg.path is None:   # the configuration check requires `path` for a maildir mailbox
            raise ConfigError("mailbox.path", "is missing")
        return cls(cfg.path)

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = f"maildir:{self.path.resolve()}"

    def check(self) -> None:
        if not (self.path / "cur").is_dir() and not (self.path / "new").is_dir():
            raise SourceError(f"mailbox.path: {self.path} is not a Maildir (no cur/ or new/ folder)")

    def _files(self) -> list[tuple[str, Path]]:
        files: list[tuple[str, Path]] = []
        for sub in ("new", "cur"):
            folder = self.path / sub
            if folder.is_dir():
                files.extend((_key(p.name), p) for p in folder.iterdir()
                             if p.is_file() and not p.name.startswith("."))
        # Maildir names start with the delivery time: sorting by name is sorting by arrival.
        return sorted(files, key=lambda kp: kp[1].name)

    def fetch_new(self, seen: SeenIndex) -> Iterator[FetchedMessage]:
        self.check()
        known = seen.seen_keys(0)
        for key, file in [(key, file) for key, file in self._files() if key not in known]:
            try:
                raw = file.read_bytes()
            except OSError as exc:  # moved away by a client between listing and reading
                log.warning("maildir file %s could not be read: %s", file.name, exc)
                continue
            yield FetchedMessage(source=self.name, uidvalidity=0, uid=key, raw=raw, internaldate=None)
        seen.set_state(0, None)

    def close(self) -> None:
        pass
