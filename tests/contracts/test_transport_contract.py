"""The outbox-transport contract: what every way of handing a mail over (`compile.transport`,
`[outbox] kind`) promises the outbox queue, run against SMTP (a real aiosmtpd on 127.0.0.1) and
the folder of .eml files.

A new transport joins by adding its class to `compile.transport.TRANSPORTS` and a `Rig` below
(how to build its config, read back what it delivered, make it unreachable); this suite must then
pass for it unchanged.
- nothing is opened before the first mail (a run with nothing due touches nothing);
- an accepted mail arrives byte for byte, once, to its recipients; `send` returns '';
- an unreachable destination raises `TransientError` (retried later), never a silent success;
- a mail handed over whole whose acceptance is never heard raises `UncertainError` (the outbox
  never sends it again by itself), never `TransientError`; the next mail of the run still goes
  (a transport where nothing can be lost after the handing over, like the folder's rename, says
  so with `lose_reply` returning False);
- `close()` is safe twice, and leaving the `with` block closes the transport whatever happened.
"""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from compile import transport
from store.errors import TransientError, UncertainError
from tests import smtpserver
from tests.storefill import fresh_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FolderRig:
    kind = "folder"

    def __init__(self, tmp: Path):
        self.base, _ = fresh_store(tmp / "base")
        self.folder = tmp / "out"

    def config(self, reachable: bool = True):
        target = self.folder if reachable else Path("/proc/baocao-cannot-write-here")
        return self.base._replace(outbox=self.base.outbox._replace(kind="folder", path=target))

    def delivered(self) -> list[tuple[tuple[str, ...], bytes]]:
        return [((), p.read_bytes()) for p in sorted(self.folder.glob("*.eml"))] if self.folder.exists() else []

    def touched(self) -> bool:
        return self.folder.exists()

    def lose_reply(self, address: str) -> bool:
        return False      # the rename is the handing over: nothing comes after it

    def stop(self) -> None:
        pass


class SmtpRig:
    kind = "smtp"

    def __init__(self, tmp: Path):
        self.base, _ = fresh_store(tmp / "base")
        self.server = smtpserver.start()

    def config(self, reachable: bool = True):
        port = self.server.port if reachable else _free_port()
        ob = self.base.outbox._replace(kind="smtp", host="127.0.0.1", port=port, tls="none",
                                       timeout=5.0, username="")
        return self.base._replace(outbox=ob)

    def delivered(self) -> list[tuple[tuple[str, ...], bytes]]:
        return [(tuple(m.rcpt_tos), m.data) for m in self.server.handler.messages]

    def touched(self) -> bool:
        return bool(self.server.handler.messages)

    def lose_reply(self, address: str) -> bool:
        self.server.handler.drop_after_data.add(address)   # stored, then the connection closed unanswered
        return True

    def stop(self) -> None:
        self.server.controller.stop()


@pytest.fixture(params=[FolderRig, SmtpRig], ids=lambda r: r.kind)
def rig(request, tmp_path):
    r = request.param(tmp_path)
    yield r
    r.stop()


def _mail(n: int, to: tuple[str, ...] = ("thptlocninh@binhphuoc.edu.vn",)) -> transport.Envelope:
    body = (f"From: trunghoc@binhphuoc.edu.vn\r\nTo: {', '.join(to)}\r\nSubject: Thư {n}\r\n"
            f"Message-ID: <contract-{n}@baocao>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Kính gửi: đơn vị {n}\r\n").encode()
    return transport.Envelope(row_id=n, kind="reminder", to=to, mime=body)


def test_every_kind_of_the_config_has_a_transport(rig) -> None:
    assert isinstance(transport.for_config(rig.config()), transport.TRANSPORTS[rig.kind])


def test_nothing_is_opened_before_the_first_mail(rig) -> None:
    with transport.for_config(rig.config()):
        pass
    assert not rig.touched()


def test_an_accepted_mail_arrives_whole_and_once(rig) -> None:
    mails = [_mail(1), _mail(2, ("a@binhphuoc.edu.vn", "b@binhphuoc.edu.vn"))]
    with transport.for_config(rig.config()) as t:
        assert [t.send(m) for m in mails] == ["", ""]
    got = rig.delivered()
    assert len(got) == 2
    for (to, data), sent in zip(got, mails):
        assert data.replace(b"\r\n", b"\n").rstrip() == sent.mime.replace(b"\r\n", b"\n").rstrip()
        assert to in ((), sent.to)


def test_an_unreachable_destination_is_transient_not_a_success(rig) -> None:
    t = transport.for_config(rig.config(reachable=False))
    with pytest.raises(TransientError):
        with t:
            t.send(_mail(3))
    assert not rig.delivered()


def test_close_is_safe_twice_and_after_use(rig) -> None:
    t = transport.for_config(rig.config())
    t.close()
    t.send(_mail(4))
    t.close()
    t.close()
    assert len(rig.delivered()) == 1


def test_a_lost_acceptance_is_uncertain_and_the_run_goes_on(rig) -> None:
    if not rig.lose_reply("mat@binhphuoc.edu.vn"):
        pytest.skip(f"{rig.kind}: nothing can be lost after the handing over")
    with transport.for_config(rig.config()) as t:
        with pytest.raises(UncertainError) as caught:
            t.send(_mail(5, ("mat@binhphuoc.edu.vn",)))
        assert not isinstance(caught.value, TransientError)
        assert t.send(_mail(6)) == ""
    assert len(rig.delivered()) == 2          # the server had the first one: it must not go again
