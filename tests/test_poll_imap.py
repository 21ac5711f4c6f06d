"""The whole pipeline over a real Dovecot: the command line polls, records, never touches the mailbox."""
from __future__ import annotations

import hashlib
from pathlib import Path


from scheduler import main
from tests.conftest import write_config
from tests.dovecot import PASSWORD_ENV
from tests.imap_proxy import RefusingProxy
from tests.test_imap import body_fetches, recording
from tests.mails import build

ROOT = Path(__file__).resolve().parent.parent


def imap_config(tmp_path: Path, box, port: int | None = None, extra: str = "") -> Path:
    server = box.server
    return write_config(tmp_path, mailbox=(
        f'[mailbox]\nkind = "imap"\nhost = "{server.host}"\nport = {port or server.port}\ntls = "none"\n'
        f'username = "{server.user}"\npassword_env = "{PASSWORD_ENV}"\nfolder = "{box.folder}"\nbatch_size = 4'
        f'\n{extra}'))


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


def _store(config: str):
    from store.config import load
    from store.db import open_store
    return open_store(load(config))


def test_a_message_the_server_refuses_is_a_fetch_failure_retried_then_left_to_the_admin(
        tmp_path, imap_mailbox, capsys) -> None:
    raws = [build(subject=f"Báo cáo {i}", message_id=f"<refuse-{i}@x>", body=f"nội dung {i}") for i in range(6)]
    uids = imap_mailbox.append(*raws)
    bad = uids[2]
    with RefusingProxy(imap_mailbox.server, {bad}) as proxy:
        config = str(imap_config(tmp_path, imap_mailbox, proxy.port, "max_fetch_attempts = 3"))
        assert main(["--config", config, "--now", "2024-07-05T08:00", "poll"]) == 0
        assert "5 new message(s)" in capsys.readouterr().out
        db = _store(config)
        assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 5
        rows = list(db.query("SELECT * FROM v_failures WHERE stage = 'fetch'"))
        assert len(rows) == 1 and rows[0]["message_id"] is None and rows[0]["resolved_at"] is None
        assert f"UID {bad} " in rows[0]["reason"] and "1 of 3 attempts" in rows[0]["reason"]
        assert "SERVERBUG" in rows[0]["detail"]
        assert db.execute("SELECT COUNT(*) FROM seen WHERE uid = ?", [str(bad)]).fetchone()[0] == 0
        for attempt in (2, 3):
            assert main(["--config", config, "--now", "2024-07-05T08:00", "poll"]) == 0
            assert "0 new message(s)" in capsys.readouterr().out
            rows = list(db.query("SELECT * FROM v_failures WHERE stage = 'fetch'"))
            assert len(rows) == 1 and f"{attempt} of 3 attempts" in rows[0]["reason"]
        assert "no more attempts" in rows[0]["detail"]
        assert proxy.refused == {bad: 3}
        # Left to the admin: not asked for again, not marked seen, the failure row stays open.
        proxy.refuse.clear()
        assert main(["--config", config, "--now", "2024-07-05T08:00", "poll"]) == 0
        assert "0 new message(s)" in capsys.readouterr().out
        assert db.execute("SELECT COUNT(*) FROM seen WHERE uid = ?", [str(bad)]).fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM v_failures WHERE stage = 'fetch' AND resolved_at IS NULL"
                          ).fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 5
        capsys.readouterr()
        assert main(["--config", config, "failures"]) == 0
        out = capsys.readouterr().out
        assert f"UID {bad} " in out and "max_fetch_attempts" in out


def test_a_refused_message_served_at_a_later_poll_resolves_its_failure(tmp_path, imap_mailbox, capsys) -> None:
    raws = [build(subject=f"Báo cáo {i}", message_id=f"<later-{i}@x>", body=f"nội dung {i}") for i in range(3)]
    uids = imap_mailbox.append(*raws)
    with RefusingProxy(imap_mailbox.server, {uids[0]}) as proxy:
        config = str(imap_config(tmp_path, imap_mailbox, proxy.port))
        assert main(["--config", config, "--now", "2024-07-05T08:00", "poll"]) == 0
        assert "2 new message(s)" in capsys.readouterr().out
        proxy.refuse.clear()
        assert main(["--config", config, "--now", "2024-07-05T08:05", "poll"]) == 0
        assert "1 new message(s)" in capsys.readouterr().out
    db = _store(config)
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 3
    row = db.execute("SELECT resolved_at, detail FROM v_failures WHERE stage = 'fetch'").fetchone()
    assert row[0] is not None and "taken at a later poll" in row[1]
    assert db.execute("SELECT COUNT(*) FROM fetch_refusals").fetchone()[0] == 0


def _poll_recorded(config: str, box, lines: list[bytes]):
    """One poll through the pipeline with a source that records the commands it sends."""
    import datetime as dt

    from ingest.imap import ImapSource
    from ingest.pipeline import poll
    from store.config import load
    cfg = load(config)
    db = _store(config)
    src = ImapSource(cfg.mailbox, client_class=recording(lines))
    try:
        return db, poll(db, cfg, dt.datetime(2024, 7, 5, 8, 0, tzinfo=dt.timezone.utc), source=src)
    finally:
        src.close()


def test_uidvalidity_change_pairs_by_message_id_and_size_else_downloads(tmp_path, imap_mailbox) -> None:
    kept = build(subject="Báo cáo giữ nguyên", message_id="<kept@x>", body="không đổi")
    old = build(subject="Báo cáo cũ", message_id="<fixed@x>", body="bản đầu")
    imap_mailbox.append(kept, old)
    config = str(imap_config(tmp_path, imap_mailbox))
    db, _ = _poll_recorded(config, imap_mailbox, [])
    ids = dict(db.execute("SELECT header_message_id, id FROM messages").fetchall())
    # Re-created: the same message, and another one with the same (fixed) Message-ID, longer.
    other = build(subject="Báo cáo cũ", message_id="<fixed@x>", body="bản sau, dài hơn bản đầu")
    assert len(other) != len(old)
    imap_mailbox.recreate(kept, other)
    lines: list[bytes] = []
    db, result = _poll_recorded(config, imap_mailbox, lines)
    assert [ln.split()[3] for ln in body_fetches(lines)] == [b"2"]      # only the one that differs
    assert result.fetched == 1
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 3
    validity = imap_mailbox.status()[b"UIDVALIDITY"]
    seen = dict(db.execute("SELECT uid, message_id FROM seen WHERE uidvalidity = ?", [validity]).fetchall())
    assert seen["1"] == ids["<kept@x>"]                                 # re-paired without download
    assert seen["2"] not in ids.values()                               # recorded as a new message
    assert db.execute("SELECT sha256 FROM messages WHERE id = ?", [seen["2"]]).fetchone()[0] \
        == hashlib.sha256(other).hexdigest()


def test_uidvalidity_change_with_a_shared_message_id_lets_the_hash_decide(tmp_path, imap_mailbox) -> None:
    first, second, third = (build(subject=f"Báo cáo bản {i}", message_id="<same-for-all@x>", body=f"nội dung {i}")
                            for i in (1, 2, 3))
    assert len({len(first), len(second), len(third)}) == 1             # the size cannot tell them apart
    imap_mailbox.append(first, second)
    config = str(imap_config(tmp_path, imap_mailbox))
    db, _ = _poll_recorded(config, imap_mailbox, [])
    by_sha = {sha: mid for mid, sha in db.execute("SELECT id, sha256 FROM messages")}
    assert len(by_sha) == 2
    imap_mailbox.recreate(second, third)
    lines: list[bytes] = []
    db, result = _poll_recorded(config, imap_mailbox, lines)
    assert b",".join(ln.split()[3] for ln in body_fetches(lines)) == b"1,2"    # both downloaded
    assert result.fetched == 1                                        # only the third is new
    validity = imap_mailbox.status()[b"UIDVALIDITY"]
    seen = dict(db.execute("SELECT uid, message_id FROM seen WHERE uidvalidity = ?", [validity]).fetchall())
    assert seen["1"] == by_sha[hashlib.sha256(second).hexdigest()]    # paired with the right copy
    assert db.execute("SELECT sha256 FROM messages WHERE id = ?", [seen["2"]]).fetchone()[0] \
        == hashlib.sha256(third).hexdigest()
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 3


def test_uidvalidity_change_with_a_second_mail_of_one_message_id_not_yet_taken(tmp_path, imap_mailbox) -> None:
    """Found by bench/imap_faults.py: one mail taken, a second with its Message-ID and size arrives,
    the folder is renumbered before the next poll. The stored mail is the only one with that
    Message-ID, but the folder has two: both are downloaded and the hash tells them apart."""
    first, second = (build(subject="Báo cáo bổ sung", message_id="<twin@x>", body=f"Bản {v}.") for v in "AB")
    assert len(first) == len(second)
    imap_mailbox.append(first)
    config = str(imap_config(tmp_path, imap_mailbox))
    _poll_recorded(config, imap_mailbox, [])
    imap_mailbox.recreate(first, second)
    lines: list[bytes] = []
    db, result = _poll_recorded(config, imap_mailbox, lines)
    assert b",".join(ln.split()[3] for ln in body_fetches(lines)) == b"1,2"
    assert result.fetched == 1
    assert {r[0] for r in db.execute("SELECT sha256 FROM messages")} == {
        hashlib.sha256(raw).hexdigest() for raw in (first, second)}
