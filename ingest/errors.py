"""The errors a person acts on. `ConfigError` names the key; the CLI prints it on one line and exits 2."""
from __future__ import annotations


class BaocaoError(Exception):
    """Base for errors the command line turns into one readable line."""


class ConfigError(BaocaoError):
    def __init__(self, key: str, problem: str):
        super().__init__(f"config: {key}: {problem}")
        self.key = key
        self.problem = problem


class UsageError(BaocaoError):
    pass


class OperationsError(BaocaoError):
    """The machine is in the way (disk full, store locked or read-only, server down): one line,
    exit 2 for a command, a failed run for a job; never a traceback."""


class SourceError(OperationsError):
    """The mailbox could not be reached or read (login refused, folder missing, connection lost)."""


class ArchiveError(OperationsError):
    """The raw archive cannot be written (disk full, read-only, permissions): nothing was recorded."""
