"""The transports apart from the queue: the `[outbox] kind` registry, the interface `deliver` uses
(one run in a `with` block, one Envelope at a time, errors in the outbox's terms) and the folder
transport on its own. SMTP itself is tests/test_smtp_delivery.py."""
from __future__ import annotations


import pytest

from compile import mail, outbox, transport
from store.errors import ConfigError, ConnectError, PermanentError, TransientError, UncertainError
from tests import smtpserver
from tests.storefill import at, fresh_store

NOW = at("2024-06-27 07:30")


@pytest.fixture
def store(tmp_path):
    return fresh_store(tmp_path)


def _queue(cfg, db, n):
    ids = []
    for i in range(n):
        msg = mail.build(cfg, mail.Letter(to=(f"u{i}@binhphuoc.edu.vn",), subject=f"Thư {i}", text="Kính gửi\n"), NOW)
        ids.append(outbox.add(db, cfg, "reminder", f"reminder:cttre:2024S1:U{i}:due-1", msg, NOW))
    return ids


class Recording(transport.Transport):
    """A transport that answers from a script: row id -> an exception to raise, or refusals."""
    script: dict = {}
    runs: list = []

    def __init__(self, cfg):
        super().__init__(cfg)
        self.sent, self.closed = [], 0
        Recording.runs.append(self)

    def send(self, envelope):
        self.sent.append(envelope)
        answer = self.script.get(envelope.row_id, "")
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        self.closed += 1


@pytest.fixture
def recording(store, monkeypatch):
    cfg, db = store
    monkeypatch.setitem(transport.TRANSPORTS, "recording", Recording)
    monkeypatch.setattr(Recording, "script", {})
    monkeypatch.setattr(Recording, "runs", [])
    return cfg._replace(outbox=cfg.outbox._replace(kind="recording")), db


def test_the_registry_maps_each_kind(store):
    cfg, _ = store
    assert set(transport.TRANSPORTS) == {"smtp", "folder"}
    assert isinstance(transport.for_config(cfg), transport.FolderTransport)
    smtp = cfg._replace(outbox=cfg.outbox._replace(kind="smtp"))
    assert isinstance(transport.for_config(smtp), transport.SmtpTransport)
    odd = cfg._replace(outbox=cfg.outbox._replace(kind="pigeon"))
    with pytest.raises(ConfigError, match="pigeon"):
        transport.for_config(odd)


def test_deliver_uses_one_transport_per_run_and_closes_it(recording):
    cfg, db = recording
    a, b = _queue(cfg, db, 2)
    Recording.script = {b: "x@binhphuoc.edu.vn: 550 no such user"}
    result = outbox.deliver(db, cfg, NOW)
    assert (result.sent, result.failed, result.pending) == (2, 0, 0)
    (run,) = Recording.runs
    assert run.closed == 1
    assert [(e.row_id, e.kind, e.to) for e in run.sent] == [(a, "reminder", ("u0@binhphuoc.edu.vn",)),
                                                            (b, "reminder", ("u1@binhphuoc.edu.vn",))]
    assert run.sent[0].mime == db.execute("SELECT mime FROM outbox WHERE id = ?", [a]).fetchone()[0]
    assert db.execute("SELECT reason FROM v_failures WHERE outbox_id = ?", [b]).fetchone()[0] \
        == "some recipients refused"
    outbox.deliver(db, cfg, NOW)                     # nothing due: a transport is made, never used
    assert Recording.runs[1].sent == [] and Recording.runs[1].closed == 1


def test_errors_in_the_outbox_terms(recording):
    cfg, db = recording
    gone, lost, busy, down, waits = _queue(cfg, db, 5)
    Recording.script = {gone: PermanentError("550 no"), lost: UncertainError("no reply after the end of the data"),
                        busy: TransientError("451 busy"), down: ConnectError("cannot connect")}
    result = outbox.deliver(db, cfg, NOW)
    assert (result.sent, result.failed, result.pending, result.uncertain, result.error) \
        == (0, 1, 3, 1, "cannot connect")
    status = dict(db.execute("SELECT id, status FROM outbox").fetchall())
    assert status == {gone: "failed", lost: "uncertain", busy: "pending", down: "pending", waits: "pending"}
    assert [e.row_id for e in Recording.runs[0].sent] == [gone, lost, busy, down]   # the batch stops at ConnectError
    assert Recording.runs[0].closed == 1


def test_a_bug_in_a_transport_still_closes_it(recording):
    cfg, db = recording
    (row,) = _queue(cfg, db, 1)
    Recording.script = {row: RuntimeError("a bug")}
    with pytest.raises(RuntimeError):
        outbox.deliver(db, cfg, NOW)
    assert Recording.runs[0].closed == 1


def test_folder_transport_on_its_own(tmp_path, store):
    cfg, _ = store
    with transport.for_config(cfg) as t:
        assert t.send(transport.Envelope(7, "digest", ("so@binhphuoc.edu.vn",), b"bytes")) == ""
    assert (tmp_path / "outbox" / "000007-digest.eml").read_bytes() == b"bytes"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    stuck = cfg._replace(outbox=cfg.outbox._replace(path=blocker / "outbox"))
    with pytest.raises(TransientError, match="cannot write"), transport.for_config(stuck) as t:
        t.send(transport.Envelope(8, "digest", (), b"bytes"))


def test_smtp_transport_connects_only_to_send(store):
    cfg, _ = store
    dead = cfg._replace(outbox=cfg.outbox._replace(kind="smtp", host="127.0.0.1",
                                                   port=smtpserver.free_port(), tls="none",
                                                   timeout=2.0))
    with transport.for_config(dead):
        pass                                   # nothing sent: no connection tried, nothing to close
    with pytest.raises(PermanentError, match="no recipient"), transport.for_config(dead) as t:
        t.send(transport.Envelope(1, "reminder", (), b"x"))
    with pytest.raises(ConnectError, match="cannot connect"), transport.for_config(dead) as t:
        t.send(transport.Envelope(1, "reminder", ("a@binhphuoc.edu.vn",), b"x"))
