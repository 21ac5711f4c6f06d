"""Benchmark of ImapSource against a private Dovecot on 127.0.0.1.

For each mailbox size it measures the full fetch throughput (messages/s, MB/s) through
`ImapSource.fetch_new` with an in-memory SeenIndex, the no-new-mail poll (fresh connection:
login + EXAMINE + decide; kept connection: EXAMINE + decide) and the peak RSS of the process
doing the fetch (each size is measured in a child process so the peaks do not mix).

    python bench/bench_imap.py                 # 200, 2000, 10000 messages
    python bench/bench_imap.py 200 1000        # other sizes

Needs root and dovecot-imapd (see tests/dovecot.py). Messages look like unit reports: a short
Vietnamese text, a ~20 KB xlsx-like and a ~60 KB PDF-like attachment (random bytes, base64).
"""
from __future__ import annotations

import base64
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.imap import ImapSource  # noqa: E402
from store.config import MailboxConfig  # noqa: E402
from tests.dovecot import PASSWORD_ENV, Dovecot, available  # noqa: E402

SIZES = (200, 2000, 10000)
POOL = 64                     # distinct attachment blobs, reused so generation stays fast


class MemorySeen:
    """The cheapest honest SeenIndex: sets and a tuple."""

    def __init__(self) -> None:
        self.state: tuple[int | None, int | None] = (None, None)
        self.keys: dict[int, set[str]] = {}

    def uidvalidity(self): return self.state[0]
    def uidnext(self): return self.state[1]
    def last_uid(self, v): return max(map(int, self.keys.get(v, ())), default=0)
    def is_seen(self, v, uid): return str(uid) in self.keys.get(v, ())
    def seen_keys(self, v): return set(self.keys.get(v, ()))
    def copies(self, mid): return []
    def pair(self, v, uid, sha): self.keys.setdefault(v, set()).add(uid)
    def refusals(self, v): return {}
    def refused(self, v, uid, words, limit): return 1
    def vanished(self, v, uid): pass
    def set_state(self, v, n): self.state = (v, n)
    def mark(self, v, uid): self.keys.setdefault(v, set()).add(uid)
    def forget(self, v): self.keys.pop(v, None)


def _blob(size: int, rng: random.Random) -> str:
    text = base64.encodebytes(rng.randbytes(size)).decode("ascii")
    return text.replace("\n", "\r\n")


def report_mails(n: int):
    """N multipart report mails, each ~110 KB on the wire."""
    rng = random.Random(n)
    xlsx = [_blob(20_000, rng) for _ in range(POOL)]
    pdf = [_blob(60_000, rng) for _ in range(POOL)]
    for i in range(n):
        yield (
            f"From: Truong THCS {i % 97} <thcs{i % 97}@binhphuoc.edu.vn>\r\n"
            f"To: trunghoc@binhphuoc.edu.vn\r\nSubject: =?utf-8?b?"
            f"{base64.b64encode(f'Báo cáo tháng 6 số {i}'.encode()).decode()}?=\r\n"
            f"Date: Thu, 20 Jun 2024 09:{i % 60:02d}:00 +0700\r\nMessage-ID: <bench-{n}-{i}@x.vn>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
            "--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Kinh gui So GDDT, don vi gui bao cao so {i}.\r\n"
            "--b0\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
            "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"bc.xlsx\"\r\n\r\n"
            f"{xlsx[i % POOL]}"
            "--b0\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=\"bc.pdf\"\r\n\r\n"
            f"{pdf[i % POOL]}--b0--\r\n"
        ).encode("utf-8")


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(cfg: MailboxConfig) -> dict[str, float]:
    """Runs in a child process: full fetch, then the two kinds of no-new-mail poll."""
    seen = MemorySeen()
    src = ImapSource(cfg)
    started, count, size = time.perf_counter(), 0, 0
    for msg in src.fetch_new(seen):
        seen.mark(msg.uidvalidity, msg.uid)
        count, size = count + 1, size + len(msg.raw)
    full_s = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def fresh_poll() -> None:
        one = ImapSource(cfg)
        assert not list(one.fetch_new(seen))
        one.close()

    kept = _median_ms(lambda: list(src.fetch_new(seen)), 50)
    src.close()
    return {"count": count, "msg_s": count / full_s, "mb_s": size / full_s / 1e6, "full_s": full_s,
            "fresh_ms": _median_ms(fresh_poll, 20), "kept_ms": kept, "rss_mb": rss_mb}


def main(sizes: list[int]) -> None:
    why = available()
    if why:
        sys.exit(f"cannot run: {why}")
    server = Dovecot.start()
    os.environ[PASSWORD_ENV] = server.password
    rows = []
    try:
        for n in sizes:
            folder = f"bench{n}"
            started = time.perf_counter()
            server.load_fast(folder, report_mails(n))
            load_s = time.perf_counter() - started
            args = json.dumps(dict(host=server.host, port=server.port, folder=folder))
            out = subprocess.run([sys.executable, __file__, "--measure", args], check=True,
                                 capture_output=True, text=True).stdout
            rows.append((n, load_s, json.loads(out)))
            server.delete(folder)
    finally:
        server.stop()
    print(f"{'messages':>8} {'load s':>7} {'fetch s':>8} {'msg/s':>7} {'MB/s':>6} "
          f"{'poll fresh ms':>13} {'poll kept ms':>12} {'peak RSS MB':>11}")
    for n, load_s, r in rows:
        assert r["count"] == n, r
        print(f"{n:>8} {load_s:>7.1f} {r['full_s']:>8.1f} {r['msg_s']:>7.0f} {r['mb_s']:>6.1f} "
              f"{r['fresh_ms']:>13.1f} {r['kept_ms']:>12.2f} {r['rss_mb']:>11.0f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        spec = json.loads(sys.argv[2])
        cfg = MailboxConfig(kind="imap", host=spec["host"], port=spec["port"], tls="none", username="baocao",
                            password_env=PASSWORD_ENV, folder=spec["folder"], batch_size=50, timeout=30)
        print(json.dumps(measure(cfg)))
    else:
        main([int(a) for a in sys.argv[1:]] or list(SIZES))
