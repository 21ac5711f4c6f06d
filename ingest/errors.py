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


class SourceError(BaocaoError):
    """The mailbox could not be reached or read (login refused, folder missing, connection lost)."""
