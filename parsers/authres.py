"""Authentication-Results headers (RFC 8601): what the receiving server found about the sender.

A small strict reader of our own, not a library: none is installed here, and the one on PyPI
(`authres`) has not been released since 2019 and parses with a general grammar engine whose cost
on a stranger's 100 KB header is not bounded. This one is one left-to-right pass over a value
already cut to `MAX_VALUE_CHARS`, with no regular expression and no recursion (comments nest to
any depth with a counter), so it is linear by construction, and it never raises: a value it
cannot read gives no results.

Only what the decision needs is kept: the `spf`, `dkim` and `dmarc` results with their
properties (`smtp.mailfrom`, `header.d`, `header.i`, `header.from`), keyed by the header's
authserv-id. The reader does not decide whom to trust: `trusted` keeps the results of the
authserv-ids the configuration names (`[mailbox] authserv_id`), and everything else is a
stranger's claim. Because a sender can write an Authentication-Results header with our server's
name into the mail itself (RFC 8601 section 5 asks the server to remove those, and not every
server does), `verdict` lets a failure outweigh a pass for the same method.

What real servers write, all read here: Gmail (`mx.google.com; dkim=pass header.i=@d ...; spf=pass
(google.com: domain of ...) smtp.mailfrom=...; dmarc=pass (p=NONE ...) header.from=d`), Microsoft
365 (no authserv-id at all: `spf=pass (sender IP is ...) smtp.mailfrom=d; dkim=pass (signature was
verified) header.d=d;dmarc=pass action=none header.from=d` — read with an empty authserv-id,
which no configuration can name, so never trusted), rspamd and OpenDKIM/OpenDMARC behind Postfix
or Dovecot (`reason="..."`, `(policy=reject)`, one header per milter, a version after the id).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from parsers.headers import valid_text

MAX_VALUE_CHARS = 16_000     # one header value is read no further
MAX_HEADERS = 50             # Authentication-Results headers read per mail
MAX_RESULTS = 50             # results kept per header
METHODS = ("spf", "dkim", "dmarc")
PROPERTIES = ("smtp.mailfrom", "header.d", "header.i", "header.from")
FAILED = ("fail", "softfail")  # SPF's "softfail" (~all) is the domain saying "probably not mine"


@dataclass(frozen=True)
class Result:
    """One method's result: `spf=fail smtp.mailfrom=x.vn` is Result("spf", "fail", (("smtp.mailfrom", "x.vn"),))."""
    method: str                              # spf | dkim | dmarc
    result: str                              # pass | fail | softfail | neutral | none | temperror | ...
    properties: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str:
        return next((v for k, v in self.properties if k == name), "")

    def domain(self, name: str) -> str:
        """The domain of a property: `@d`, `user@d` and `d` all give `d`, lower-case."""
        return domain_of(self.get(name))


@dataclass(frozen=True)
class Header:
    authserv_id: str                         # lower-case; "" when the header names none (Microsoft 365)
    results: tuple[Result, ...] = ()


def domain_of(value: str) -> str:
    return value.rsplit("@", 1)[-1].strip().strip(".").lower()


# ---------------------------------------------------------------- reading one value

def _tokens(value: str) -> list[list[str]]:
    """The value as `;`-separated segments of tokens: comments dropped (nested, escapes kept
    out), quoted strings one token without their quotes, `=` a token of its own. One pass."""
    segments: list[list[str]] = [[]]
    word: list[str] = []
    depth, quoted, escaped = 0, False, False

    def end_word() -> None:
        if word:
            segments[-1].append("".join(word))
            word.clear()

    for ch in value[:MAX_VALUE_CHARS]:
        if escaped:
            escaped = False
            if not depth:
                word.append(ch)
        elif ch == "\\":
            escaped = True
        elif quoted:
            if ch == '"':
                quoted = False
                segments[-1].append("".join(word))   # a quoted string, "" included, is one token
                word.clear()
            else:
                word.append(ch)
        elif depth:
            depth += 1 if ch == "(" else -1 if ch == ")" else 0
        elif ch == "(":
            end_word()
            depth = 1
        elif ch == '"':
            end_word()
            quoted = True
        elif ch == ";":
            end_word()
            segments.append([])
        elif ch == "=":
            end_word()
            segments[-1].append("=")
        elif ch.isspace() or ord(ch) < 32:
            end_word()
        else:
            word.append(ch)
    end_word()
    return segments


def _is_method(tokens: list[str]) -> bool:
    return len(tokens) >= 3 and tokens[1] == "=" and tokens[0] != "="


def _result(tokens: list[str]) -> Result | None:
    """`method[/version] = result [reason = v] [ptype.property = v ...]`; other `key = v` pairs
    (Microsoft's `action=none`) and stray words are skipped."""
    if not _is_method(tokens):
        return None
    method = tokens[0].split("/", 1)[0].lower()
    if method not in METHODS:
        return None
    props: list[tuple[str, str]] = []
    i = 3
    while i + 2 < len(tokens):
        key, eq, val = tokens[i], tokens[i + 1], tokens[i + 2]
        if eq == "=" and key != "=" and val != "=":
            name = key.lower()
            if name in PROPERTIES and len(props) < len(PROPERTIES):
                props.append((name, val.strip()[:320]))
            i += 3
        else:
            i += 1
    return Result(method, tokens[2].lower()[:40], tuple(props))


def parse(value: object) -> Header | None:
    """One Authentication-Results value, or None when it is no such header (empty, unreadable).
    `authserv-id [version] ; result ; result ...`, or `authserv-id ; none`."""
    try:
        text = "" if value is None else valid_text(str(value)[:MAX_VALUE_CHARS])  # 8-bit bytes: U+FFFD
    except Exception:  # noqa: BLE001 - a header object whose str() fails: nothing to read
        return None
    segments = _tokens(text)
    first = segments[0]
    if not first:
        return None
    if _is_method(first):           # no authserv-id (Microsoft 365): the first segment is a result
        authserv_id, rest = "", segments
    else:
        authserv_id, rest = first[0].lower()[:255], segments[1:]
    results = [r for r in (_result(seg) for seg in rest[:MAX_RESULTS * 4]) if r is not None]
    return Header(authserv_id, tuple(results[:MAX_RESULTS]))


def parse_all(values: Iterable[object]) -> tuple[Header, ...]:
    """Every readable Authentication-Results header, in order, at most MAX_HEADERS."""
    out: list[Header] = []
    for value in values:
        if len(out) >= MAX_HEADERS:
            break
        header = parse(value)
        if header is not None:
            out.append(header)
    return tuple(out)


def trusted(headers: Iterable[Header], authserv_ids: Iterable[str]) -> tuple[Result, ...] | None:
    """The results of the headers whose authserv-id is a trusted one, or None when no such header
    is present (nothing was checked, as far as baocao can know)."""
    ids = {i.strip().lower() for i in authserv_ids if i.strip()}
    mine = [h for h in headers if h.authserv_id and h.authserv_id in ids]
    if not mine:
        return None
    return tuple(r for h in mine for r in h.results)


# ---------------------------------------------------------------- what the results say about From

def aligned(domain: str, from_domain: str) -> bool:
    """DMARC's relaxed alignment, without a public suffix list: the same domain, or one inside the
    other (`mail.x.edu.vn` and `x.edu.vn`). A pass for a parent domain needs that domain's keys
    or DNS, so the approximation is not one a stranger can use."""
    d, f = domain.lower().strip("."), from_domain.lower().strip(".")
    return bool(d and f) and (d == f or d.endswith("." + f) or f.endswith("." + d))


@dataclass(frozen=True)
class Verdict:
    spoofed: bool                  # the From domain's own policy or records say it is not theirs
    authenticated: bool            # something the server checked ties the mail to the From domain
    why: str


def verdict(results: tuple[Result, ...], from_addr: str) -> Verdict:
    """What trusted results say about `from_addr`: DMARC first (a `fail` outweighs a `pass`);
    without a DMARC pass or fail for the From domain, SPF `fail`/`softfail` with no aligned DKIM
    pass is spoofing. Authenticated: a DMARC pass, an aligned DKIM pass, or an SPF pass for an
    aligned (or unnamed) envelope domain."""
    from_domain = domain_of(from_addr) if "@" in from_addr else ""
    dmarc = [r for r in results if r.method == "dmarc"
             and (not r.get("header.from") or aligned(r.domain("header.from"), from_domain))]
    if any(r.result == "fail" for r in dmarc):
        return Verdict(True, False, "DMARC fail")
    dkim_pass = any(r.method == "dkim" and r.result == "pass"
                    and aligned(r.domain("header.d") or r.domain("header.i"), from_domain) for r in results)
    spf = [r for r in results if r.method == "spf"]
    spf_failed = next((r.result for r in spf if r.result in FAILED), None)
    if any(r.result == "pass" for r in dmarc):
        return Verdict(False, True, "DMARC pass")
    if spf_failed and not dkim_pass:
        return Verdict(True, False, f"SPF {spf_failed}, no aligned DKIM pass")
    spf_pass = not spf_failed and any(
        r.result == "pass" and (not r.get("smtp.mailfrom") or aligned(r.domain("smtp.mailfrom"), from_domain))
        for r in spf)
    if dkim_pass:
        return Verdict(False, True, "aligned DKIM pass")
    if spf_pass:
        return Verdict(False, True, "SPF pass")
    return Verdict(False, False, "no SPF, DKIM or DMARC pass for the sender's domain")
