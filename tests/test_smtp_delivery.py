"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): partial failures, drops, TLS, AUTH."""
from __future__ import annotations

import datetime as dt

import pytest

from compile import mail, outbox
from tests import smtpserver
from tests.smtpserver import smtp_server  # noqa: F401  (fixture)
from tests.storefill import at, fresh_store

NOW = at("2024-07-03 07:30")


def _store(tmp_path, server, **outbox_changes):
    base, _ = fresh_store(tmp_path / "base")
    ob = base.outbox._replace(kind="smtp", host=server.host, port=server.port, tls="none",
                              **{"timeout": 5.0, **outbox_changes})
    return fresh_store(tmp_path, outbox=ob)


def _queue(cfg, db, *recipients_lists):
    ids = []
    for i, to in enumerate(recipients_lists):
        msg = mail.build(cfg, mail.Letter(to=tuple(to), subject=f"[Báo cáo công tác trẻ em] Thư {i}",
                                          text="Kính gửi: đơn vị\n"), NOW)
        ids.append(outbox.add(db, cfg, "reminder", f"reminder:cttre:2024S1:U{i}:after-1", msg, NOW))
    return ids


def _status(db, row_id):
    return db.execute("SELECT status, attempts, last_error FROM outbox WHERE id = ?", [row_id]).fetchone()


def test_batch_with_refusals_and_a_dropped_connection(tmp_path, smtp_server):
    h = smtp_server.handler
    h.refuse["khongco@binhphuoc.edu.vn"] = "550 5.1.1 Địa chỉ không tồn tại"
    h.refuse["ban@binhphuoc.edu.vn"] = "450 4.2.1 Mailbox busy, try later"
    h.drop_once.add("rot@binhphuoc.edu.vn")
    cfg, db = _store(tmp_path, smtp_server)
    ok1, gone, busy, drop, ok2 = _queue(cfg, db, ["a@binhphuoc.edu.vn"], ["khongco@binhphuoc.edu.vn"],
                                        ["ban@binhphuoc.edu.vn"], ["rot@binhphuoc.edu.vn"],
                                        ["b@binhphuoc.edu.vn"])
    r = outbox.deliver(db, cfg, NOW)
    assert (r.sent, r.failed, r.pending, r.uncertain) == (2, 1, 1, 1)
    assert [m.rcpt_tos for m in h.messages] == [["a@binhphuoc.edu.vn"], ["b@binhphuoc.edu.vn"]]
    assert _status(db, ok1)[0] == _status(db, ok2)[0] == "sent"
    status, _, error = _status(db, gone)
    assert status == "failed" and "550 5.1.1 Địa chỉ không tồn tại" in error
    assert db.execute("SELECT stage, detail FROM v_failures WHERE outbox_id = ?", [gone]).fetchone() \
        == ("send", "khongco@binhphuoc.edu.vn: 550 5.1.1 Địa chỉ không tồn tại")
    assert _status(db, busy)[:2] == ("pending", 1) and "450" in _status(db, busy)[2]
    # the connection vanished after the end of the data: the server may have it, so it is not resent
    status, attempts, error = _status(db, drop)
    assert (status, attempts) == ("uncertain", 1) and "no reply after the end of the data" in error
    assert "354" in error                                   # the server's last words
    assert db.execute("SELECT stage, reason FROM v_failures WHERE outbox_id = ?", [drop]).fetchone() \
        == ("send", outbox.UNCERTAIN)
    # the sent mail is the stored mail: same Message-ID, the robot headers
    stored_id = db.execute("SELECT header_message_id FROM outbox WHERE id = ?", [ok1]).fetchone()[0]
    got = h.messages[0].message
    assert got["Message-ID"] == stored_id and got["Auto-Submitted"] == "auto-generated"
    assert got["From"].addresses[0].display_name == "Sở Giáo dục và Đào tạo Bình Phước"
    # later: the busy one goes through once its backoff is over; the uncertain one stays so
    h.refuse.pop("ban@binhphuoc.edu.vn")
    assert outbox.deliver(db, cfg, NOW + dt.timedelta(minutes=1)).sent == 0   # backoff not over
    r2 = outbox.deliver(db, cfg, NOW + dt.timedelta(minutes=6))
    assert (r2.sent, r2.failed, r2.pending) == (1, 0, 0)
    assert sorted(m.rcpt_tos[0] for m in h.messages) == ["a@binhphuoc.edu.vn", "b@binhphuoc.edu.vn",
                                                         "ban@binhphuoc.edu.vn"]
    assert outbox.deliver(db, cfg, NOW + dt.timedelta(hours=1)).sent == 0
    assert _status(db, drop)[0] == "uncertain"


def test_partly_refused_recipients_sent_with_a_failure_row(tmp_path, smtp_server):
    smtp_server.handler.refuse["cu@binhphuoc.edu.vn"] = "550 5.1.1 No such user"
    cfg, db = _store(tmp_path, smtp_server)
    (row,) = _queue(cfg, db, ["moi@binhphuoc.edu.vn", "cu@binhphuoc.edu.vn"])
    assert outbox.deliver(db, cfg, NOW).sent == 1
    assert _status(db, row)[0] == "sent"
    assert db.execute("SELECT reason FROM v_failures WHERE outbox_id = ?", [row]).fetchone()[0] \
        == "some recipients refused"


def test_4xx_until_max_attempts_then_failed(tmp_path, smtp_server):
    smtp_server.handler.refuse["ban@binhphuoc.edu.vn"] = "451 4.3.0 Temporary failure"
    cfg, db = _store(tmp_path, smtp_server, max_attempts=3)
    (row,) = _queue(cfg, db, ["ban@binhphuoc.edu.vn"])
    when = NOW
    for _ in range(3):
        outbox.deliver(db, cfg, when)
        when += dt.timedelta(hours=7)
    assert _status(db, row)[:2] == ("failed", 3)


def test_server_down_leaves_rows_pending_and_says_so(tmp_path):
    base, _ = fresh_store(tmp_path / "base")
    ob = base.outbox._replace(kind="smtp", host="127.0.0.1", port=smtpserver.free_port(),
                              tls="none", timeout=2.0)
    cfg, db = fresh_store(tmp_path, outbox=ob)
    first, second = _queue(cfg, db, ["a@binhphuoc.edu.vn"], ["b@binhphuoc.edu.vn"])
    r = outbox.deliver(db, cfg, NOW)
    assert (r.sent, r.failed, r.pending) == (0, 0, 2) and "cannot connect" in r.error
    assert _status(db, first)[:2] == ("pending", 1)
    assert _status(db, second)[:2] == ("pending", 0)   # not tried against a dead server


def test_auth_login(tmp_path, monkeypatch):
    server = smtpserver.start(auth=("trunghoc", "mat-khau-2024"))
    try:
        monkeypatch.setenv("BAOCAO_SMTP_PASSWORD", "mat-khau-2024")
        cfg, db = _store(tmp_path, server, username="trunghoc", password_env="BAOCAO_SMTP_PASSWORD")
        _queue(cfg, db, ["a@binhphuoc.edu.vn"])
        assert outbox.deliver(db, cfg, NOW).sent == 1
        assert server.handler.logins == ["trunghoc"]
    finally:
        server.controller.stop()


@pytest.mark.parametrize("password, words", [("sai", "535"), ("mật-khẩu", "not ASCII"), (None, "not set")])
def test_login_problems_are_connection_errors(tmp_path, monkeypatch, password, words):
    server = smtpserver.start(auth=("trunghoc", "dung"))
    try:
        if password is None:
            monkeypatch.delenv("BAOCAO_SMTP_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("BAOCAO_SMTP_PASSWORD", password)
        cfg, db = _store(tmp_path, server, username="trunghoc", password_env="BAOCAO_SMTP_PASSWORD")
        _queue(cfg, db, ["a@binhphuoc.edu.vn"])
        r = outbox.deliver(db, cfg, NOW)
        assert r.sent == 0 and r.pending == 1 and words in r.error
        assert server.handler.messages == []
    finally:
        server.controller.stop()


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_tls(tmp_path, monkeypatch, tls):
    cert, context = smtpserver.self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = smtpserver.start(tls_context=context, implicit_tls=tls == "ssl")
    try:
        cfg, db = _store(tmp_path / "s", server)
        cfg = cfg._replace(outbox=cfg.outbox._replace(tls=tls))
        _queue(cfg, db, ["a@binhphuoc.edu.vn"])
        assert outbox.deliver(db, cfg, NOW).sent == 1
        assert len(server.handler.messages) == 1
    finally:
        server.controller.stop()


# ---------------------------------------------------------------- at most once per dedupe key

def _copies_at_most_once(handler):
    assert all(n == 1 for n in handler.copies().values()), handler.copies()


def _set_fault(h, fault, address):
    if fault == "421_at_mail":
        h.mail_replies[1] = "421 4.3.2 Service shutting down"
        return
    h.inject(fault, address)
    if fault == "stall_after_data":
        h.stall_seconds = 2.5


@pytest.mark.parametrize("fault, first, final, copies", [
    ("drop_after_data", "uncertain", "uncertain", 1),    # the server has it and never said so
    ("drop_unstored", "uncertain", "uncertain", 0),      # the server lost it: still not resent by itself
    ("stall_after_data", "uncertain", "uncertain", 1),   # the reply came after the client's timeout
    ("421_at_mail", "pending", "sent", 1),               # refused before the data: retried
    ("451_at_rcpt", "pending", "sent", 1),
    ("550_at_rcpt", "failed", "failed", 0),
])
def test_each_fault_final_state_and_copies(tmp_path, smtp_server, fault, first, final, copies):
    h = smtp_server.handler
    cfg, db = _store(tmp_path, smtp_server, timeout=1.0)
    (row,) = _queue(cfg, db, ["x@binhphuoc.edu.vn"])
    _set_fault(h, fault, "x@binhphuoc.edu.vn")
    outbox.deliver(db, cfg, NOW)
    assert _status(db, row)[:2] == (first, 1)
    for minutes in (6, 60, 600):                       # later runs, every backoff over
        outbox.deliver(db, cfg, NOW + dt.timedelta(minutes=minutes))
    status, attempts, error = _status(db, row)
    assert status == final
    assert len(h.to("x@binhphuoc.edu.vn")) == copies
    _copies_at_most_once(h)
    if final == "uncertain":
        assert attempts == 1 and "the server's last words: 354" in error
        reason, detail = db.execute("SELECT reason, detail FROM v_failures WHERE outbox_id = ?"
                                    " AND resolved_at IS NULL", [row]).fetchone()
        assert "may have it" in reason and "no reply after the end of the data" in detail
        assert db.execute("SELECT status FROM v_outbox WHERE outbox_id = ?", [row]).fetchone()[0] == "uncertain"


def test_one_connection_per_batch_with_rset_between_mails(tmp_path, smtp_server):
    h = smtp_server.handler
    cfg, db = _store(tmp_path, smtp_server)
    _queue(cfg, db, *[[f"u{i}@binhphuoc.edu.vn"] for i in range(4)])
    assert outbox.deliver(db, cfg, NOW).sent == 4
    assert h.connections == 1 and h.rsets == 3
    assert len({m.peer for m in h.messages}) == 1


def test_a_server_closing_mid_batch_costs_only_the_mail_in_flight(tmp_path, smtp_server):
    h = smtp_server.handler
    h.drop_after_data.add("u1@binhphuoc.edu.vn")
    h.mail_replies[4] = "421 4.3.2 Too many messages, closing"     # u3's first MAIL (u0, u1, u2 before it)
    cfg, db = _store(tmp_path, smtp_server)
    ids = _queue(cfg, db, *[[f"u{i}@binhphuoc.edu.vn"] for i in range(6)])
    r = outbox.deliver(db, cfg, NOW)
    assert (r.sent, r.failed, r.pending, r.uncertain) == (4, 0, 1, 1)
    assert [_status(db, i)[0] for i in ids] == ["sent", "uncertain", "sent", "pending", "sent", "sent"]
    assert h.connections == 3                      # reopened after the drop and after the 421
    _copies_at_most_once(h)
    outbox.deliver(db, cfg, NOW + dt.timedelta(minutes=6))
    assert [_status(db, i)[0] for i in ids] == ["sent", "uncertain", "sent", "sent", "sent", "sent"]
    assert len(h.messages) == 6                    # u1 once (stored before the drop), the rest once
    _copies_at_most_once(h)


def test_a_server_gone_mid_batch_leaves_the_rest_pending(tmp_path, smtp_server):
    h = smtp_server.handler
    cfg, db = _store(tmp_path, smtp_server)
    ids = _queue(cfg, db, *[[f"u{i}@binhphuoc.edu.vn"] for i in range(4)])
    h.drop_after_data.add("u1@binhphuoc.edu.vn")
    original = h.handle_DATA

    async def then_gone(server, session, envelope):
        reply = await original(server, session, envelope)
        if "u1@binhphuoc.edu.vn" in envelope.rcpt_tos:
            smtp_server.controller.server.close()     # no new connection is accepted from now on
        return reply

    h.handle_DATA = then_gone   # type: ignore[method-assign]
    r = outbox.deliver(db, cfg, NOW)
    assert (r.sent, r.uncertain, r.pending) == (1, 1, 2) and "cannot connect" in r.error
    assert [_status(db, i)[:2] for i in ids] == [("sent", 1), ("uncertain", 1), ("pending", 1), ("pending", 0)]
    _copies_at_most_once(h)
