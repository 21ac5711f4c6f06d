"""The whole pipeline over a real Dovecot: the command line polls, records, never touches the mailbox."""
from __future__ import annotations

from pathlib import Path

import pytest

from scheduler import main
from tests.conftest import write_config
from tests.dovecot import PASSWORD_ENV
from tests.mails import build

ROOT = Path(__file__).resolve().parent.parent


def imap_config(tmp_path: Path, box) -> Path:
    server = box.server
    return write_config(tmp_path, mailbox=(
        f'[mailbox]\nkind = "imap"\nhost = "{server.host}"\nport = {server.port}\ntls = "none"\n'
        f'username = "{server.user}"\npassword_env = "{PASSWORD_ENV}"\nfolder = "{box.folder}"\nbatch_size = 4'))


def examples() -> list[bytes]:
    return [p.read_bytes() for p in sorted((ROOT / "examples" / "maildir" / "cur").iterdir())]


def test_poll_over_imap_records_everything_and_changes_nothing(tmp_path, imap_mailbox, capsys) -> None:
    imap_mailbox.append(*examples())
    flags_before = imap_mailbox.flags()
    config = str(imap_config(tmp_path, imap_mailbox))
    assert main(["--config", config, "--now", "2024-07-05T08:00", "poll"]) == 0
    assert "13 new message(s)" in capsys.readouterr().out
    assert imap_mailbox.flags() == flags_before      # no \Seen, nothing moved or deleted
    from store.config import load
    from store.db import open_store
    db = open_store(load(config))
    assert db.execute("SELECT COUNT(*) FROM v_messages").fetchone()[0] == 13
    assert db.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == 13
    # received_at is the server's INTERNALDATE for IMAP
    assert db.execute("SELECT COUNT(DISTINCT received_how) FROM messages").fetchone()[0] == 1
    assert main(["--config", config, "--now", "2024-07-05T08:00", "poll"]) == 0
    assert "0 new message(s)" in capsys.readouterr().out
    imap_mailbox.append(build(message_id="<late-1@x>"))
    assert main(["--config", config, "--now", "2024-07-05T08:00", "poll"]) == 0
    assert "1 new message(s)" in capsys.readouterr().out
    assert db.execute("SELECT COUNT(*) FROM v_messages").fetchone()[0] == 14


def test_uidvalidity_change_creates_no_duplicates(tmp_path, imap_mailbox, capsys) -> None:
    mails = examples()[:5]
    imap_mailbox.append(*mails)
    config = str(imap_config(tmp_path, imap_mailbox))
    assert main(["--config", config, "poll"]) == 0
    imap_mailbox.recreate(*mails, build(message_id="<after-rebuild@x>"))
    assert main(["--config", config, "poll"]) == 0
    from store.config import load
    from store.db import open_store
    db = open_store(load(config))
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 6


def test_refused_login_is_one_line_exit_2(tmp_path, imap_mailbox, capsys, monkeypatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong-password")
    config = str(imap_config(tmp_path, imap_mailbox))
    assert main(["--config", config, "poll"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "wrong-password" not in err


def test_missing_folder_is_one_line_exit_2(tmp_path, imap_mailbox, capsys) -> None:
    path = imap_config(tmp_path, imap_mailbox)
    path.write_text(path.read_text().replace(f'folder = "{imap_mailbox.folder}"', 'folder = "NoSuchFolder"'))
    assert main(["--config", str(path), "poll"]) == 2
    err = capsys.readouterr().err
    assert "NoSuchFolder" in err and len(err.strip().splitlines()) == 1
