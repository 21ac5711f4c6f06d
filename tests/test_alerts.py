"""Incident alerts: one mail per incident, at the next poll, to the division; alerted_at set."""
from __future__ import annotations

import email
import email.policy

from compile import alerts, outbox
from tests.storefill import add_incident, add_message, at, fresh_store

NOW = at("2024-05-12 16:05")


def test_one_alert_per_incident(tmp_path):
    cfg, db = fresh_store(tmp_path)
    first = add_incident(db, "THPT-LOCNINH", "2024-05-12", "duoi_nuoc",
                         summary="Em Nguyễn Văn A, lớp 10A1, bị đuối nước khi tắm suối <b>chiều 12/5</b>")
    add_incident(db, "THPT-BUDOP", "2024-05-01", "bao_luc", alerted_at="2024-05-01T10:00:00+07:00")
    ids = alerts.queue(db, cfg, NOW)
    assert len(ids) == 1 and alerts.queue(db, cfg, NOW) == []
    assert db.execute("SELECT alerted_at FROM v_incidents WHERE incident_id = ?", [first]).fetchone()[0] \
        == "2024-05-12T16:05:00+07:00"
    assert db.execute("SELECT kind, dedupe_key, recipients FROM v_outbox").fetchall() == \
        [("alert", f"alert:incident:{first}", "trunghoc@binhphuoc.edu.vn")]
    outbox.deliver(db, cfg, NOW)
    (eml,) = (tmp_path / "outbox").glob("*-alert.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "[Báo cáo nhanh vụ việc] Đuối nước ngày 12/05/2024 - Trường THPT Lộc Ninh"
    assert msg["Auto-Submitted"] == "auto-generated"
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Kính gửi: Phòng Giáo dục Trung học")
    assert "> Em Nguyễn Văn A, lớp 10A1, bị đuối nước khi tắm suối <b>chiều 12/5</b>" in body and "!" not in body
    html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;chiều 12/5&lt;/b&gt;" in html and "<b>chiều" not in html       # quoted, escaped
    original = db.execute("SELECT header_message_id FROM messages m JOIN incidents i ON i.message_id = m.id "
                          "WHERE i.id = ?", [first]).fetchone()[0]
    assert msg["In-Reply-To"] == original and original in msg["References"]      # threaded to the unit's mail
    assert "thptlocninh@binhphuoc.edu.vn" in body                                  # the unit's contact


def test_follow_up_mail_is_the_same_incident(tmp_path):
    cfg, db = fresh_store(tmp_path)
    iid = add_incident(db, "THPT-LOCNINH", "2024-05-12")
    assert len(alerts.queue(db, cfg, NOW)) == 1
    follow_up = add_message(db, status="incident", unit="THPT-LOCNINH", received_at="2024-05-13 09:00",
                            subject="Bổ sung báo cáo nhanh vụ việc")
    db["incident_messages"].insert({"incident_id": iid, "message_id": follow_up})   # what the core does
    assert alerts.queue(db, cfg, at("2024-05-13 09:05")) == []
    assert db.execute("SELECT mails FROM v_incidents WHERE incident_id = ?", [iid]).fetchone()[0] == 2


def test_no_recipients_is_a_visible_failure(tmp_path):
    cfg, db = fresh_store(tmp_path)
    cfg = cfg._replace(digest=cfg.digest._replace(recipients=()))
    add_incident(db, "THPT-LOCNINH", "2024-05-12")
    (row,) = alerts.queue(db, cfg, NOW)
    assert db.execute("SELECT status FROM v_outbox WHERE outbox_id = ?", [row]).fetchone()[0] == "failed"
    assert db.execute("SELECT reason FROM v_failures WHERE outbox_id = ?", [row]).fetchone()[0] == "no recipients"
    assert alerts.queue(db, cfg, NOW) == []


def test_incident_recipients_override(tmp_path):
    cfg, db = fresh_store(tmp_path)
    cfg = cfg._replace(incidents=cfg.incidents._replace(recipients=("truc@binhphuoc.edu.vn",)))
    add_incident(db, "THPT-LOCNINH", "không rõ")
    alerts.queue(db, cfg, NOW)
    assert db.execute("SELECT recipients, subject FROM v_outbox").fetchone() == \
        ("truc@binhphuoc.edu.vn", "[Báo cáo nhanh vụ việc] Đuối nước ngày chưa rõ - Trường THPT Lộc Ninh")
