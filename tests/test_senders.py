"""Only from whom it claims: a unit's address counts when the receiving server did not see it
fail (Authentication-Results of a trusted authserv-id), a From: header that readers may read
differently is not trusted, and a reused Message-ID is no duplicate unless the content is the same."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import pipeline
from store import queries
from store.config import load
from store.db import open_store
from store.errors import ConfigError
from tests.conftest import write_config
from tests.mails import XLSX, build, write_maildir

SERVER = "mail.binhphuoc.edu.vn"
UNIT = "thptlocninh@binhphuoc.edu.vn"
FAIL = f"{SERVER}; spf=fail smtp.mailfrom=binhphuoc.edu.vn; dkim=none; dmarc=fail header.from=binhphuoc.edu.vn"
PASS = f"{SERVER}; spf=pass smtp.mailfrom=binhphuoc.edu.vn; dkim=pass header.d=binhphuoc.edu.vn; " \
       "dmarc=pass header.from=binhphuoc.edu.vn"


def _cfg(tmp_path: Path, keys: str = f'authserv_id = "{SERVER}"'):
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "maildir" / sub).mkdir(parents=True, exist_ok=True)
    mailbox = f'[mailbox]\nkind = "maildir"\npath = "{tmp_path / "maildir"}"\n{keys}'
    return load(write_config(tmp_path, mailbox=mailbox))


@pytest.fixture
def trusting(tmp_path: Path):
    cfg = _cfg(tmp_path)
    db = open_store(cfg)
    yield cfg, db
    db.conn.close()


def _poll(cfg, db, now, mails: list[bytes]) -> list[dict]:
    write_maildir(cfg.mailbox.path, mails)
    pipeline.poll(db, cfg, now)
    out = list(db.query("SELECT id, status, unit_code, sender_known, flags, duplicate_of, status_why, unit_how "
                        "FROM messages ORDER BY id"))
    for r in out:
        r["flags"] = json.loads(r["flags"])
    return out


def _with_ar(*values: str, **kw) -> bytes:
    """A mail whose receiving server wrote `values` as Authentication-Results (on top)."""
    raw = build(**kw)
    return b"".join(b"Authentication-Results: " + v.encode() + b"\r\n" for v in values) + raw


# ---------------------------------------------------------------- Authentication-Results

def test_a_forged_unit_address_failing_dmarc_is_flagged_and_shown(trusting, now) -> None:
    cfg, db = trusting
    [row] = _poll(cfg, db, now, [_with_ar(FAIL)])
    assert (row["status"], row["unit_code"], row["sender_known"]) == ("report", "THPT-LOCNINH", 1)
    assert "possible-spoofing" in row["flags"] and "DMARC fail" in row["unit_how"]
    items = [f for f in queries.failures(db) if f["message_id"] == row["id"]]
    assert [f["reason"][:27] for f in items] == ["flagged possible-spoofing: "]
    assert UNIT in items[0]["reason"] and "baocao assign" in items[0]["next"]


def test_a_pass_written_below_the_servers_fail_does_not_help(trusting, now) -> None:
    cfg, db = trusting
    [row] = _poll(cfg, db, now, [_with_ar(FAIL, PASS)])
    assert "possible-spoofing" in row["flags"]


def test_a_unit_address_passing_dmarc_is_plainly_trusted(trusting, now) -> None:
    cfg, db = trusting
    [row] = _poll(cfg, db, now, [_with_ar(PASS)])
    assert (row["status"], row["sender_known"], row["flags"]) == ("report", 1, [])
    assert not [f for f in queries.failures(db) if f["message_id"] == row["id"]]


def test_without_dmarc_an_spf_fail_and_no_aligned_dkim_is_spoofing(trusting, now) -> None:
    cfg, db = trusting
    [row] = _poll(cfg, db, now, [_with_ar(f"{SERVER}; spf=softfail smtp.mailfrom=binhphuoc.edu.vn; dkim=pass "
                                          "header.d=evil.example; dmarc=none header.from=binhphuoc.edu.vn")])
    assert "possible-spoofing" in row["flags"] and row["sender_known"] == 1


def test_results_of_another_server_are_not_checked_results(trusting, now) -> None:
    cfg, db = trusting
    [row] = _poll(cfg, db, now, [_with_ar(PASS.replace(SERVER, "mx.evil.example"))])
    assert row["flags"] == ["not-authenticated"] and row["sender_known"] == 1
    assert "not checked" in row["unit_how"]


def test_no_trusted_server_configured_says_not_authenticated(cfg, db, now) -> None:
    assert cfg.mailbox.authserv_id == ()
    [row] = _poll(cfg, db, now, [_with_ar(FAIL)])
    assert (row["status"], row["sender_known"], row["flags"]) == ("report", 1, ["not-authenticated"])
    assert not [f for f in queries.failures(db) if f["message_id"] == row["id"]]   # not an admin item


def test_dmarc_fail_unplaced_leaves_the_mail_to_the_admin(tmp_path: Path, now) -> None:
    cfg = _cfg(tmp_path, f'authserv_id = ["{SERVER}", "mx2.binhphuoc.edu.vn"]\ndmarc_fail = "unplaced"')
    assert cfg.mailbox.authserv_id == (SERVER, "mx2.binhphuoc.edu.vn") and cfg.mailbox.dmarc_fail == "unplaced"
    db = open_store(cfg)
    [row] = _poll(cfg, db, now, [_with_ar(FAIL)])
    assert (row["status"], row["unit_code"], row["sender_known"]) == ("unplaced", None, 0)
    assert "possible-spoofing" in row["flags"] and "failed authentication" in row["status_why"]
    [item] = [f for f in queries.failures(db) if f["message_id"] == row["id"]]
    assert item["reason"].startswith("unit not confirmed, flagged possible-spoofing")
    db.conn.close()


@pytest.mark.parametrize("keys, message", [
    ('authserv_id = 5', "authserv_id"), ('authserv_id = ["a b"]', "authserv_id"),
    ('authserv_id = ["mail.x.vn", 3]', "authserv_id"), ('dmarc_fail = "reject"', "dmarc_fail")])
def test_the_keys_are_checked(tmp_path: Path, keys: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _cfg(tmp_path, keys)


# ---------------------------------------------------------------- the From: header itself

NAMED = "Kính gửi Sở GDĐT, Trường THPT Lộc Ninh gửi báo cáo."   # the unit named in the text


def _two_froms() -> bytes:
    return b"From: " + UNIT.encode() + b"\r\n" + build(sender="x@evil.example", body=NAMED)


def _bare_cr() -> bytes:
    raw = build(sender="x@evil.example", body=NAMED)
    return raw.replace(b"From: x@evil.example", b"From: x@evil.example\r <" + UNIT.encode() + b">")


@pytest.mark.parametrize("raw", [_two_froms(), _bare_cr(), build(sender=UNIT, body=NAMED).replace(b"From:", b"From:\x00", 1)],
                         ids=["two From headers", "a bare CR", "a NUL"])
def test_a_from_header_readers_may_read_differently_is_not_trusted(cfg, db, now, raw: bytes) -> None:
    [row] = _poll(cfg, db, now, [raw])
    assert (row["status"], row["unit_code"], row["sender_known"]) == ("report", "THPT-LOCNINH", 0)
    assert "suspicious-from" in row["flags"] and row["unit_how"] == "the mail text names the unit"
    [item] = [f for f in queries.failures(db) if f["message_id"] == row["id"]]
    assert "suspicious-from" in item["reason"]


def test_the_bare_cr_hid_the_units_address_from_the_reader(cfg, db, now) -> None:
    from parsers.mime import parse_message
    parsed = parse_message(_bare_cr())
    assert parsed.from_addr == UNIT and parsed.from_problem   # read as the unit's, and not trusted


def test_without_a_unit_named_a_suspicious_from_is_not_placed(cfg, db, now) -> None:
    raw = b"From: " + UNIT.encode() + b"\r\n" + build(sender="x@evil.example")
    [row] = _poll(cfg, db, now, [raw])
    assert (row["status"], row["sender_known"], row["flags"]) == ("ignored", 0, ["suspicious-from"])


def test_a_folded_from_is_no_problem(cfg, db, now) -> None:
    raw = build()
    assert b"From:\r\n " in raw                       # the builder folds the encoded name
    [row] = _poll(cfg, db, now, [raw])
    assert row["sender_known"] == 1 and "suspicious-from" not in row["flags"]


# ---------------------------------------------------------------- duplicates by content

FORM = (b"PK\x03\x04 a form", "bc.xlsx", XLSX)
OTHER_FORM = (b"PK\x03\x04 another form", "bc.xlsx", XLSX)


def test_same_message_id_other_body_is_a_new_mail_flagged(cfg, db, now) -> None:
    a = build(body="Kính gửi Sở, đơn vị gửi báo cáo.")
    b = build(body="Kính gửi Sở, đơn vị gửi báo cáo bổ sung số liệu.")
    first, second = _poll(cfg, db, now, [a, b])
    assert first["status"] == "report" and first["flags"] == ["not-authenticated"]
    assert second["status"] == "report" and second["duplicate_of"] is None
    assert "reused-message-id" in second["flags"] and f"message {first['id']}'s" in second["status_why"]
    assert len(list(db.query("SELECT * FROM v_submissions"))) == 2
    assert any(f["reason"].startswith("flagged reused-message-id") for f in queries.failures(db))


def test_same_message_id_other_file_is_a_new_mail_flagged(cfg, db, now) -> None:
    first, second = _poll(cfg, db, now, [build(files=[FORM]), build(files=[OTHER_FORM])])
    assert second["status"] != "duplicate" and "reused-message-id" in second["flags"]


def test_same_message_id_same_content_is_a_duplicate(cfg, db, now) -> None:
    a = build(files=[FORM], headers={"Received": "from a by b; Thu, 20 Jun 2024 09:00:00 +0700"})
    b = build(files=[FORM], headers={"Received": "from c by b; Thu, 20 Jun 2024 09:02:00 +0700",
                                     "X-Spam-Score": "0.1"})
    first, second = _poll(cfg, db, now, [a, b])
    assert (second["status"], second["duplicate_of"]) == ("duplicate", first["id"])
    assert "reused-message-id" not in second["flags"]


def test_a_copy_of_the_second_mail_is_its_duplicate(cfg, db, now) -> None:
    a = build(body="Lần thứ nhất.")
    b = build(body="Lần thứ hai, khác hẳn.")
    c = build(body="Lần thứ hai, khác hẳn.", headers={"Received": "from c by b; Thu, 20 Jun 2024 09:05:00 +0700"})
    first, second, third = _poll(cfg, db, now, [a, b, c])
    assert "reused-message-id" in second["flags"]
    assert (third["status"], third["duplicate_of"]) == ("duplicate", second["id"])
