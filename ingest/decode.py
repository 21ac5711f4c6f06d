"""Decoding a message where it cannot hurt the poll: in a worker, within CPU-time and memory limits.

`parsers.mime.parse_message` bounds what it hands the standard library, but the stdlib's parser,
the charset codecs and the legacy-encoding repair are still large code running on a stranger's
bytes. A `RecursionError`, a C-level crash, an allocation of gigabytes or a pathological regex
there must cost one message, not the daemon: the decode runs in a worker (`parsers.isolate`),
and whatever happens comes back as a `ParsedMessage` or a `DecodeFailed` naming the limit.
"""
from __future__ import annotations

from dataclasses import dataclass

from parsers.bounds import Limits
from parsers.mime import ParsedMessage, parse_message
from store.errors import DecodeFailed
from parsers import isolate

isolate.preload("parsers.mime", "parsers.bounds", "parsers.headers")


@dataclass(frozen=True)
class DecodeLimits:
    mime: Limits = Limits()
    cpu_seconds: float = 20.0
    memory_mb: int = 1024


_REASONS = {
    "time": "decoding took more than the CPU-time limit",
    "memory": "decoding needed more than the memory limit",
    "crashed": "the decoder crashed on this message",
    "error": "the message could not be decoded",
}


def decode(raw: bytes, limits: DecodeLimits = DecodeLimits(), isolated: bool = True) -> ParsedMessage:
    """The decoded message, or `DecodeFailed`. `isolated=False` decodes in this process (tests
    and tools that want a traceback); the poll always isolates."""
    if not isolated:
        return parse_message(raw, limits.mime)
    outcome = isolate.call(parse_message, (raw, limits.mime), cpu_s=limits.cpu_seconds,
                           memory_mb=limits.memory_mb, name="baocao-decode")
    if outcome.ok and isinstance(outcome.value, ParsedMessage):
        return outcome.value
    if outcome.ok:
        raise DecodeFailed(_REASONS["error"], f"the decoder returned {type(outcome.value).__name__}")
    raise DecodeFailed(_REASONS.get(outcome.limit, _REASONS["error"]), outcome.detail)
