"""The store functions compile and the scheduler call, on their own: the outbox rows' transitions,
the planners' history reads, the alert's one transaction, the job runs and what a receipt reads.

The compile tests cover most of this through the rules; these pin what the rules rely on."""
from __future__ import annotations

import pytest

from store import facts, incidents, jobs, outbox
from tests.storefill import add_incident, add_message, add_report, fresh_store

T0 = "2024-06-27T07:30:00+07:00"
T1 = "2024-06-27T08:00:00+07:00"


@pytest.fixture
def db(tmp_path):
    return fresh_store(tmp_path)[1]


def _mail(key: str, kind: str = "reminder", to: str = "a@binhphuoc.edu.vn", created: str = T0,
          status: str = "pending", error: str = "", reason: str = "") -> outbox.NewMail:
    return outbox.NewMail(kind=kind, dedupe_key=key, recipients=to, subject="Thử", header_message_id=f"<{key}@x>",
                          mime=b"Subject: x\r\n\r\nbody\r\n", created_at=created, status=status, error=error,
                          failure_reason=reason)


def _row(db, row_id):
    return db.execute("SELECT status, attempts, next_attempt_at, last_error, sent_at FROM outbox WHERE id = ?",
                      [row_id]).fetchone()


def _failures(db, row_id):
    return db.execute("SELECT stage, reason, detail, created_at, resolved_at FROM failures WHERE outbox_id = ?"
                      " ORDER BY id", [row_id]).fetchall()


# ---------------------------------------------------------------- store.outbox

def test_add_is_idempotent_by_dedupe_key_and_a_failed_mail_gets_its_failure(db):
    row = outbox.add(db, _mail("k1"))
    assert outbox.add(db, _mail("k1", to="other@binhphuoc.edu.vn")) is None
    assert outbox.exists(db, "k1") and not outbox.exists(db, "k2")
    assert _row(db, row) == ("pending", 0, None, None, None) and _failures(db, row) == []
    bad = outbox.add(db, _mail("k2", to="", status="failed", error="no valid address: unit X", reason="no valid address"))
    assert _row(db, bad)[0] == "failed" and _row(db, bad)[3] == "no valid address: unit X"
    assert _failures(db, bad) == [("send", "no valid address", "no valid address: unit X", T0, None)]
    assert outbox.add(db, _mail("k2", status="failed", error="again", reason="again")) is None
    assert len(_failures(db, bad)) == 1   # a second attempt to queue it records nothing


def test_transitions(db):
    row = outbox.add(db, _mail("k1"))
    assert [r.id for r in outbox.pending(db)] == [row] and outbox.any_pending(db) and outbox.count_pending(db) == 1
    assert outbox.claim(db, row, T0) and not outbox.claim(db, row, T0)   # only a pending row is claimed
    assert _row(db, row)[:3] == ("sending", 1, T0) and outbox.sending(db) == [(row, T0)]
    assert outbox.pending(db) == [] and not outbox.any_pending(db)
    outbox.retry_at(db, row, "451 busy", T1)
    assert _row(db, row)[:4] == ("pending", 1, T1, "451 busy") and outbox.attempts(db, row) == 1
    due = outbox.pending(db)[0]
    assert (due.kind, due.dedupe_key, due.recipients, due.attempts, due.next_attempt_at) \
        == ("reminder", "k1", "a@binhphuoc.edu.vn", 1, T1)
    assert outbox.claim(db, row, T1) and outbox.attempts(db, row) == 2
    outbox.record_failure(db, row, "some recipients refused", "b: 550", T1)
    outbox.mark_sent(db, row, T1)
    assert _row(db, row) == ("sent", 2, None, None, T1)
    assert _failures(db, row) == [("send", "some recipients refused", "b: 550", T1, T1)]   # resolved by the send


def test_mark_failed_and_withdraw(db):
    a, b = outbox.add(db, _mail("k1")), outbox.add(db, _mail("k2"))
    outbox.mark_failed(db, a, "refused by the server", "550 no such user", T1)
    assert _row(db, a)[0] == "failed" and _row(db, a)[3] == "refused by the server: 550 no such user"
    assert _failures(db, a) == [("send", "refused by the server", "550 no such user", T1, None)]
    assert outbox.withdraw(db, b, "withdrawn: the report arrived")
    assert _row(db, b)[0] == "failed" and _failures(db, b) == []   # nothing went wrong: no failure row
    assert not outbox.withdraw(db, a, "again")                      # only a pending row is withdrawn
    assert _row(db, a)[3] == "refused by the server: 550 no such user"
    assert outbox.count_failed(db, [a, b]) == 2 and outbox.count_failed(db, [a]) == 1
    assert outbox.count_failed(db, []) == 0


def test_the_claim_alone_is_committed_with_synchronous_full(db):
    row = outbox.add(db, _mail("k1"))
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1           # NORMAL, the store's setting
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        assert outbox.claim(db, row, T0)
    finally:
        db.conn.set_trace_callback(None)
    update = next(i for i, sql in enumerate(seen) if sql.startswith("UPDATE outbox SET status = 'sending'"))
    assert "PRAGMA synchronous=FULL" in seen[:update]
    assert seen[update + 1:] == ["PRAGMA synchronous=1"]                # put back after the commit
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_mark_uncertain_and_an_admins_requeue(db):
    a, b, c = outbox.add(db, _mail("k1")), outbox.add(db, _mail("k2")), outbox.add(db, _mail("k3"))
    outbox.claim(db, a, T0)
    outbox.mark_uncertain(db, a, "the server may have it", "no reply after the end of the data", T0)
    assert _row(db, a)[:2] == ("uncertain", 1) and outbox.status(db, a) == "uncertain"
    assert outbox.count_uncertain(db) == 1 and not [r for r in outbox.pending(db) if r.id == a]
    assert _failures(db, a) == [("send", "the server may have it", "no reply after the end of the data", T0, None)]
    outbox.mark_sent(db, c, T0)
    assert not outbox.requeue(db, c, "asked", T1) and not outbox.requeue(db, b, "asked", T1)   # sent, pending
    assert not outbox.requeue(db, 999, "asked", T1) and outbox.status(db, 999) is None
    assert outbox.requeue(db, a, "an admin asked to send it again", T1)
    assert _row(db, a) == ("pending", 0, None, "an admin asked to send it again", None)
    assert _failures(db, a) == [("send", "the server may have it",
                                 "no reply after the end of the data; an admin asked to send it again", T0, T1)]
    assert not outbox.requeue(db, a, "twice", T1)                     # pending now


def test_history_reads(db):
    outbox.add(db, _mail("reminder:cttre:2024S1:U1:due-3"))
    sent = outbox.add(db, _mail("reminder:cttre:2024S1:U2:due-3", created=T1))
    outbox.mark_sent(db, sent, T1)
    outbox.add(db, _mail("digest:cttre:2024S1:complete", kind="digest", to="so@binhphuoc.edu.vn"))
    outbox.add(db, _mail("digest:cttre:2024:complete", kind="digest"))
    outbox.add(db, _mail("digest:cttre:2024S2:complete", kind="digest"))
    assert sorted(outbox.queued(db, "reminder")) == [
        ("reminder:cttre:2024S1:U1:due-3", "a@binhphuoc.edu.vn", T0),
        ("reminder:cttre:2024S1:U2:due-3", "a@binhphuoc.edu.vn", T1)]            # any status
    assert [q.dedupe_key for q in outbox.queued(db, "digest", key_prefix="digest:cttre:2024S1:")] \
        == ["digest:cttre:2024S1:complete"]
    assert len(outbox.queued(db, "digest", key_prefix="digest:cttre:2024")) == 3
    assert outbox.queued(db, "receipt") == []
    assert [k for _i, k in outbox.pending_of_kind(db, "reminder")] == ["reminder:cttre:2024S1:U1:due-3"]
    assert outbox.pending_of_kind(db, "alert") == []


# ---------------------------------------------------------------- store.incidents

def test_queue_alert_writes_the_row_and_alerted_at_together(db):
    iid = add_incident(db, "THPT-LOCNINH", "2024-05-12")
    assert [r[0] for r in incidents.listed(db)] == [iid] and incidents.listed(db)[0][7] is None
    row = incidents.queue_alert(db, _mail(f"alert:incident:{iid}", kind="alert"), iid, T0)
    assert row is not None and incidents.listed(db)[0][7] == T0
    # queued before: no second row, alerted_at kept
    assert incidents.queue_alert(db, _mail(f"alert:incident:{iid}", kind="alert"), iid, T1) is None
    assert incidents.listed(db)[0][7] == T0
    assert db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'alert'").fetchone()[0] == 1


def test_queue_alert_is_both_or_neither(db):
    iid = add_incident(db, "THPT-LOCNINH", "2024-05-12")
    db.execute("CREATE TEMP TRIGGER no_alert BEFORE UPDATE OF alerted_at ON incidents"
               " BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(Exception, match="disk full"):
        incidents.queue_alert(db, _mail(f"alert:incident:{iid}", kind="alert"), iid, T0)
    assert not outbox.exists(db, f"alert:incident:{iid}") and incidents.listed(db)[0][7] is None
    assert not db.conn.in_transaction
    db.execute("DROP TRIGGER no_alert")
    assert incidents.queue_alert(db, _mail(f"alert:incident:{iid}", kind="alert"), iid, T0) is not None


# ---------------------------------------------------------------- store.jobs

def test_job_runs(db):
    run = jobs.start(db, "poll", T0)
    assert db.execute("SELECT job, started_at, finished_at, ok FROM job_runs WHERE id = ?", [run]).fetchone() \
        == ("poll", T0, None, None)
    jobs.finish(db, run, T1, False, "outbox: server down")
    assert db.execute("SELECT finished_at, ok, detail FROM job_runs WHERE id = ?", [run]).fetchone() \
        == (T1, 0, "outbox: server down")
    other = jobs.start(db, "digest", T1)
    jobs.finish(db, other, T1, True, None)
    assert db.execute("SELECT ok, detail FROM job_runs WHERE id = ?", [other]).fetchone() == (1, None)


# ---------------------------------------------------------------- store.facts

def test_reports_without_receipt(db):
    old = add_report(db, "THPT-LOCNINH", "2024-06-20 09:00")
    new = add_report(db, "THPT-DONGXOAI", "2024-06-26 09:00")
    answered = add_report(db, "THPT-BINHLONG", "2024-06-26 10:00")
    add_message(db, status="ignored", received_at="2024-06-26 11:00")
    outbox.add(db, _mail(f"receipt:{answered}", kind="receipt", status="failed", error="x", reason="x"))
    assert facts.reports_without_receipt(db, "2024-06-25T00:00:00+07:00") == [new]
    assert facts.reports_without_receipt(db, "2024-06-01T00:00:00+07:00") == [old, new]


def test_what_a_receipt_reads_about_one_mail(db):
    mid = add_report(db, "THPT-LOCNINH", "2024-06-20 09:00", {"a": 3.0}, warnings=[("sum", "tổng lệch")],
                     from_addr="thptlocninh@binhphuoc.edu.vn")
    assert facts.sender(db, mid) == ("report", "thptlocninh@binhphuoc.edu.vn", None)
    assert facts.sender(db, 999_999) is None
    assert facts.thread(db, mid)[0] == "thptlocninh@binhphuoc.edu.vn"
    assert facts.placed(db, mid)[:3] == ("THPT-LOCNINH", "cttre", "2024S1")
    assert facts.heading(db, mid)[0] == "thptlocninh@binhphuoc.edu.vn"
    assert facts.files(db, mid) == [("bao-cao.xlsx", "xlsx")]
    assert facts.values(db, mid) == [("a", 3.0, "3.0")]
    assert facts.warnings(db, mid) == [("tổng lệch", "sum")]
    assert facts.unread(db, mid) == []


def test_an_assignment_is_one_transaction(tmp_path):
    """A step that fails (here the sender's address cannot be remembered) leaves the mail as it was."""
    import datetime as dt
    import sqlite3
    from store import queries
    cfg, db = fresh_store(tmp_path)
    mid = add_message(db, status="unplaced", from_addr="canhan@gmail.com")
    db.execute("CREATE TRIGGER no_senders BEFORE INSERT ON unit_senders BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    with pytest.raises(sqlite3.IntegrityError):
        queries.assign(db, cfg, mid, "THPT-LOCNINH", "2024S1", True, "cttre",
                       dt.datetime(2024, 7, 5, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    assert db.execute("SELECT status, unit_code, assigned FROM messages WHERE id = ?", [mid]).fetchone() == ("unplaced", None, 0)


def test_the_warnings_of_a_message_are_replaced_in_one_transaction(db):
    import datetime as dt
    import sqlite3
    from store import messages
    mid = add_report(db, "THPT-LOCNINH", "2024-06-20 09:00", {"tre_em_tong": 5}, warnings=[("old", "kept")])
    db.execute("CREATE TRIGGER no_warnings BEFORE INSERT ON warnings BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    with pytest.raises(sqlite3.IntegrityError):
        messages.save_warnings(db, mid, [("new", "lost")], dt.datetime(2024, 7, 5, 8, 0))
    assert db.execute("SELECT rule, detail FROM warnings WHERE message_id = ?", [mid]).fetchall() == [("old", "kept")]
    assert db.execute("SELECT checked_at FROM messages WHERE id = ?", [mid]).fetchone() == (None,)
