"""Every error baocao raises on purpose, in one hierarchy, with the context a person needs.

The command line turns a `BaocaoError` into one line (never a traceback) and an exit status:
`ConfigError` and `UsageError` are the user's to fix (exit 2), `OperationsError` is the machine's
(disk full, store locked, server down: exit 2 for a command, a failed run for a job). Errors about
one mail or one file carry it (`message`, `unit`, `file`, `stage`), so the log line and the
failure row name what to open; `context()` gives them to the log as structured fields.

Bad input is not an exception that leaves the per-message boundary: it is a failure row. The
classes below that describe input (`DecodeFailed`) exist to be turned into such a row.
"""
from __future__ import annotations

from typing import Any


class BaocaoError(Exception):
    """Base for errors the command line turns into one readable line."""

    def __init__(self, text: str = "", *, message: int | None = None, unit: str | None = None,
                 file: str | None = None, stage: str | None = None):
        super().__init__(text)
        self.message_id = message
        self.unit = unit
        self.file = file
        self.stage = stage

    def context(self) -> dict[str, Any]:
        """The declared context, for a structured log line (absent fields left out)."""
        pairs = {"message_id": self.message_id, "unit": self.unit, "file": self.file, "stage": self.stage}
        return {k: v for k, v in pairs.items() if v is not None}


class ConfigError(BaocaoError):
    """A key of the configuration (or the units file) is missing, mistyped or wrong: exit 2."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"config: {key}: {problem}")
        self.key = key
        self.problem = problem


class UsageError(BaocaoError):
    """The command line asks for something that does not exist (a report, period, message): exit 2."""


class OperationsError(BaocaoError):
    """The machine is in the way (disk full, store locked or read-only, server down): one line,
    exit 2 for a command, a failed run for a job; never a traceback."""


class SourceError(OperationsError):
    """The mailbox could not be reached or read (login refused, folder missing, connection lost)."""


class ArchiveError(OperationsError):
    """The raw archive cannot be written (disk full, read-only, permissions): nothing was recorded."""


class StoreError(OperationsError):
    """The store cannot be used right now; the text says which file and why, on one line."""


class DecodeFailed(BaocaoError):
    """A message could not be decoded within the limits; `reason` is said to the admin."""

    def __init__(self, reason: str, detail: str, *, message: int | None = None):
        super().__init__(f"{reason}: {detail}", message=message, stage="mime")
        self.reason = reason
        self.detail = detail


class DeliveryError(BaocaoError):
    """A mail of the outbox could not be handed over; the text is the server's words."""


class TransientError(DeliveryError):
    """Try again later: refused before the end of DATA (a 4xx reply, or a connection problem), so
    the server does not have the mail."""


class ConnectError(TransientError):
    """The server cannot be reached or refused the session: the rest of the batch waits too."""


class PermanentError(DeliveryError):
    """Do not retry: a 5xx reply."""


class UncertainError(DeliveryError):
    """The end of the data was handed over and no reply came back (the connection was lost, the
    reply timed out): the server may have the mail. Never retried automatically; an admin decides
    (`baocao resend`). The text carries the server's last words."""
