"""pytest fixtures around a private Dovecot: `dovecot` (one server per session) and
`imap_mailbox` (a fresh, empty folder per test). Enabled by
`pytest_plugins = ["tests.conftest_dovecot"]` in tests/conftest.py.
"""
from __future__ import annotations

import os
from typing import Iterator

import pytest

from tests.dovecot import PASSWORD_ENV, Dovecot, ImapBox, available


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    why = available()
    if why and os.environ.get("BAOCAO_REQUIRE_DOVECOT"):
        pytest.fail(f"Dovecot is required here (BAOCAO_REQUIRE_DOVECOT is set): {why}")
    if why:
        pytest.skip(why)
    server = Dovecot.start()
    previous = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = server.password   # MailboxConfig.secret() reads it by name
    try:
        yield server
    finally:
        server.stop()
        if previous is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = previous


@pytest.fixture
def imap_mailbox(dovecot: Dovecot, request: pytest.FixtureRequest) -> Iterator[ImapBox]:
    folder = dovecot.new_folder_name(request.node.name)
    dovecot.create(folder)
    yield ImapBox(dovecot, folder)
    try:
        dovecot.delete(folder)
    except Exception:  # a test may have deleted it or left the server unusable; not our failure
        pass
