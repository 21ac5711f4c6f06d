"""Contracts: what every implementation of one role must do, whichever it is.

- `test_parser_contract.py`: every file format of `parsers.registry.FORMATS`;
- `test_mail_source_contract.py`: every mailbox kind of `ingest.sources.KINDS`;
- `test_properties.py`: properties of the pure text functions every reader relies on.

Hypothesis runs here the way tests/test_fuzz.py runs it: derandomized, no example database,
a small budget, so CI sees the same inputs every time. `BAOCAO_FUZZ_EXAMPLES=10` multiplies the
budget, as it does for the fuzz tests.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("BAOCAO_FUZZ_EXAMPLES", "1") or 1)


def properties(n: int) -> settings:
    """Hypothesis settings for a property checked on `n` inputs (times the fuzz scale)."""
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, derandomize=True, database=None,
                    print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                            HealthCheck.function_scoped_fixture])
