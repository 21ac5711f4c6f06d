"""A private Dovecot on 127.0.0.1 for tests and benchmarks: real IMAP, no mocks.

Runs as root beside (never touching) the distribution's own Dovecot service: its own
`instance_name`, `base_dir`, `state_dir` and log, a free port, a passwd-file user, and mail owned
by a numeric uid without a passwd entry (Dovecot refuses to touch mail as uid 0). The temp dir
lives under /tmp because Dovecot's unprivileged processes must traverse every parent directory
(see /work/shared/notes/dovecot-and-anchors.md).

    server = Dovecot.start()
    server.append("INBOX", raw_bytes)
    server.stop()
"""
from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from imapclient import IMAPClient

from store.config import MailboxConfig

MAIL_UID = 64143            # no passwd entry on purpose: Dovecot only needs a numeric, non-root uid
PASSWORD_ENV = "BAOCAO_TEST_IMAP_PASSWORD"

_CONF = """\
instance_name = {instance}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {uid}
last_valid_gid = {uid}
mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {{
  inbox = yes
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={root}/home/%u
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> str | None:
    """Why a private Dovecot cannot run here, or None when it can."""
    if shutil.which("dovecot") is None or shutil.which("doveadm") is None:
        return "dovecot-imapd is not installed (apt-get install dovecot-imapd)"
    if os.geteuid() != 0:
        return "a private Dovecot needs root (it switches to its own users)"
    return None


def _terminate(pid: int, grace_s: float = 10.0) -> None:
    """SIGTERM the master (it stops its children), SIGKILL it if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@dataclass
class Dovecot:
    root: Path
    port: int
    user: str = "baocao"
    password: str = "s3cret-Test-pw"
    host: str = "127.0.0.1"
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def maildir(self) -> Path:
        return self.root / "home" / self.user / "Maildir"

    @classmethod
    def start(cls, root: Path | None = None, user: str = "baocao", password: str = "s3cret-Test-pw") -> "Dovecot":
        """Write a config, start the master process and wait until the IMAP port answers."""
        root = Path(root or tempfile.mkdtemp(prefix="baocao-dovecot-", dir="/tmp"))
        os.chmod(root, 0o755)   # Dovecot's login/auth users must traverse it
        server = cls(root=root, port=free_port(), user=user, password=password)
        server._write_files()
        # The master daemonizes: its children must not inherit our pipes, or run() never returns.
        subprocess.run(["dovecot", "-c", str(server.conf)], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        server._wait_listening()
        return server

    def _write_files(self) -> None:
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(exist_ok=True)
        home = self.root / "home" / self.user
        home.mkdir(exist_ok=True)
        os.chown(home, MAIL_UID, MAIL_UID)
        users = self.root / "users"
        users.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n", encoding="utf-8")
        shutil.chown(users, "root", "dovecot")
        users.chmod(0o640)
        self.conf.write_text(_CONF.format(instance=f"baocao-test-{self.port}", root=self.root,
                                          uid=MAIL_UID, port=self.port), encoding="utf-8")

    def _wait_listening(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"private dovecot did not start; log:\n{self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, remove: bool = True) -> None:
        """Stop this instance only (by the PID in its own base_dir), then remove its files."""
        pidfile = self.root / "run" / "master.pid"
        if pidfile.exists():
            _terminate(int(pidfile.read_text().strip()))
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def restart(self, down_s: float = 0.0) -> None:
        """Stop the master (its sessions die with it), stay down DOWN_S seconds, start it again on
        the same port with the same mail: what a package upgrade or a crash-and-restart does."""
        self.stop(remove=False)
        time.sleep(down_s)
        subprocess.run(["dovecot", "-c", str(self.conf)], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        self._wait_listening()

    # -- talking to it --------------------------------------------------------------------

    def client(self) -> IMAPClient:
        """A logged-in IMAPClient on a connection of the test's own (not the code under test)."""
        c = IMAPClient(self.host, self.port, ssl=False, timeout=30)
        c.login(self.user, self.password)
        return c

    def doveadm(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["doveadm", "-c", str(self.conf), *args], check=True,
                              capture_output=True, text=True, timeout=60)

    def new_folder_name(self, hint: str = "t") -> str:
        clean = "".join(ch if ch.isalnum() else "_" for ch in hint)[:40]
        return f"{clean}_{next(self._names)}"

    def create(self, folder: str) -> None:
        with self.client() as c:
            c.create_folder(folder)

    def delete(self, folder: str) -> None:
        with self.client() as c:
            c.delete_folder(folder)

    def append(self, folder: str, *raws: bytes, flags: tuple[bytes, ...] = ()) -> list[int]:
        """APPEND messages in order; returns their UIDs (Dovecot answers APPENDUID)."""
        uids = []
        with self.client() as c:
            for raw in raws:
                resp = c.append(folder, raw, flags=flags)
                uids.append(int(resp.split(b"]")[0].split()[-1]))
        return uids

    def expunge(self, folder: str, uids: list[int]) -> None:
        with self.client() as c:
            c.select_folder(folder)
            c.delete_messages(uids)
            c.expunge()

    def status(self, folder: str) -> dict[bytes, int]:
        with self.client() as c:
            return c.folder_status(folder, [b"MESSAGES", b"UIDNEXT", b"UIDVALIDITY"])

    def flags(self, folder: str) -> dict[int, tuple[bytes, ...]]:
        """FLAGS of every message, read through EXAMINE so reading them changes nothing."""
        with self.client() as c:
            c.select_folder(folder, readonly=True)
            uids = c.search(["ALL"])
            data = c.fetch(uids, [b"FLAGS"]) if uids else {}
            return {uid: tuple(sorted(v[b"FLAGS"])) for uid, v in data.items()}

    def messages(self, folder: str) -> dict[int, tuple[tuple[bytes, ...], bytes]]:
        """UID -> (FLAGS, raw bytes as served) of every message, read through EXAMINE and BODY.PEEK."""
        with self.client() as c:
            c.select_folder(folder, readonly=True)
            uids = c.search(["ALL"])
            data = c.fetch(uids, [b"FLAGS", b"BODY.PEEK[]"]) if uids else {}
            return {uid: (tuple(sorted(v[b"FLAGS"])), bytes(v[b"BODY[]"])) for uid, v in data.items()}

    def renumber(self, folder: str) -> int:
        """Make Dovecot number FOLDER afresh, keeping its messages and their flags (the index and
        the UID list deleted, as a rebuilt or migrated server does); returns the new UIDVALIDITY.

        Dovecot takes the new UIDVALIDITY from the clock: retried until it really changed."""
        old = self.status(folder)[b"UIDVALIDITY"]
        path = self.folder_path(folder)
        for _ in range(5):
            for name in os.listdir(path):
                if name.startswith("dovecot") and name != "dovecot-keywords":
                    (path / name).unlink()
            new = self.status(folder)[b"UIDVALIDITY"]
            if new != old:
                return new
            time.sleep(1.05)
        raise RuntimeError(f"UIDVALIDITY of {folder} stayed {old}")

    def recreate(self, folder: str, *raws: bytes) -> int:
        """Delete and re-create FOLDER (optionally re-filling it); returns the new UIDVALIDITY.

        Dovecot derives UIDVALIDITY from the clock, so a re-creation within the same second can
        keep the old value: retry until it really changed, or the test would prove nothing.
        """
        old = self.status(folder)[b"UIDVALIDITY"]
        for _ in range(5):
            self.delete(folder)
            self.create(folder)
            new = self.status(folder)[b"UIDVALIDITY"]
            if new != old:
                if raws:
                    self.append(folder, *raws)
                return new
            time.sleep(1.05)
        raise RuntimeError(f"UIDVALIDITY of {folder} stayed {old}")

    def recreate_keeping(self, folder: str) -> int:
        """Delete and re-create FOLDER with the same messages in the same order, each with its
        flags and arrival time (as a migration to a new server does); returns the new UIDVALIDITY."""
        with self.client() as c:
            c.select_folder(folder, readonly=True)
            uids = c.search(["ALL"])
            data = c.fetch(uids, [b"FLAGS", b"INTERNALDATE", b"BODY.PEEK[]"]) if uids else {}
        new = self.recreate(folder)
        with self.client() as c:
            for uid in sorted(data):
                item = data[uid]
                flags = [f for f in item[b"FLAGS"] if f != b"\\Recent"]
                c.append(folder, bytes(item[b"BODY[]"]), flags=flags, msg_time=item[b"INTERNALDATE"])
        return new

    def kick(self) -> bool:
        """Disconnect every IMAP session of the user (as an admin or a crash would).

        True when a session was there to kick (doveadm exits 68 when there was none)."""
        done = subprocess.run(["doveadm", "-c", str(self.conf), "kick", self.user],
                              capture_output=True, text=True, timeout=60)
        if done.returncode not in (0, 68):
            raise RuntimeError(f"doveadm kick failed: {done.stderr.strip()}")
        return done.returncode == 0

    def folder_path(self, folder: str) -> Path:
        """The Maildir++ directory of FOLDER (INBOX is the Maildir root)."""
        return self.maildir if folder.upper() == "INBOX" else self.maildir / f".{folder}"

    def load_fast(self, folder: str, raws: Iterable[bytes]) -> int:
        """Drop messages straight into the folder's Maildir and make Dovecot index them.

        Far faster than APPEND for thousands of messages. File names start with an increasing
        time stamp so Dovecot assigns UIDs in the order given. Returns how many were written.
        """
        path = self.folder_path(folder)
        if not path.exists():
            self.create(folder)
        cur = path / "cur"
        base = int(time.time())
        n = 0
        for n, raw in enumerate(raws, 1):
            name = f"{base}.M{n:07d}P{os.getpid()}.baocao,S={len(raw)}:2,"
            (cur / name).write_bytes(raw)
            os.chown(cur / name, MAIL_UID, MAIL_UID)
        self.doveadm("force-resync", "-u", self.user, folder)
        return n


@dataclass
class ImapBox:
    """One fresh folder on the shared test server, and a `MailboxConfig` pointing at it."""
    server: Dovecot
    folder: str

    def config(self, **overrides: Any) -> MailboxConfig:
        fields: dict[str, Any] = dict(kind="imap", host=self.server.host, port=self.server.port, tls="none",
                                      username=self.server.user, password_env=PASSWORD_ENV,
                                      folder=self.folder, batch_size=50, timeout=10.0)
        fields.update(overrides)
        return MailboxConfig(**fields)

    def append(self, *raws: bytes, flags: tuple[bytes, ...] = ()) -> list[int]:
        return self.server.append(self.folder, *raws, flags=flags)

    def load_fast(self, raws: Iterable[bytes]) -> int:
        return self.server.load_fast(self.folder, raws)

    def flags(self) -> dict[int, tuple[bytes, ...]]:
        return self.server.flags(self.folder)

    def expunge(self, uids: list[int]) -> None:
        self.server.expunge(self.folder, uids)

    def status(self) -> dict[bytes, int]:
        return self.server.status(self.folder)

    def recreate(self, *raws: bytes) -> int:
        return self.server.recreate(self.folder, *raws)
