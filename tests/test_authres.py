"""Authentication-Results (RFC 8601) as real receiving servers write them, read strictly and in
linear time; only a trusted authserv-id counts; what the results say about the From address."""
from __future__ import annotations

import time

import pytest

from parsers import authres
from parsers.authres import Result, parse, parse_all, trusted, verdict
from parsers.mime import parse_message

GMAIL = ("mx.google.com;\r\n       dkim=pass header.i=@thptlocninh.edu.vn header.s=20230601 header.b=Xy1+Ab/c;\r\n"
         "       arc=pass (i=1 spf=pass spfdomain=evil.example dkim=pass dkdomain=evil.example);\r\n"
         "       spf=pass (google.com: domain of a@thptlocninh.edu.vn designates 209.85.220.41 as permitted sender) "
         "smtp.mailfrom=a@thptlocninh.edu.vn;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=thptlocninh.edu.vn")
M365 = ("spf=pass (sender IP is 40.107.1.2) smtp.mailfrom=binhphuoc.edu.vn; dkim=pass (signature was verified) "
        "header.d=binhphuoc.edu.vn;dmarc=pass action=none header.from=binhphuoc.edu.vn;compauth=pass reason=100")
RSPAMD = ('mail.binhphuoc.edu.vn;\n\tdkim=none;\n\tspf=fail (mail.binhphuoc.edu.vn: domain of a@binhphuoc.edu.vn '
          'does not designate 203.0.113.9 as permitted sender) smtp.mailfrom=a@binhphuoc.edu.vn;\n\t'
          'dmarc=fail reason="SPF not aligned (relaxed), No valid DKIM" header.from=binhphuoc.edu.vn (policy=reject)')
OPENDKIM = "mail.binhphuoc.edu.vn 1; dkim=pass (2048-bit key; unprotected) header.d=binhphuoc.edu.vn " \
           'header.i=@binhphuoc.edu.vn header.b="AbCd1234"'
OPENDMARC = "mail.binhphuoc.edu.vn; dmarc=pass (p=none dis=none) header.from=binhphuoc.edu.vn"


def test_gmail() -> None:
    h = parse(GMAIL)
    assert h is not None and h.authserv_id == "mx.google.com"
    assert [(r.method, r.result) for r in h.results] == [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
    dkim, spf, dmarc = h.results
    assert dkim.get("header.i") == "@thptlocninh.edu.vn" and dkim.domain("header.i") == "thptlocninh.edu.vn"
    assert spf.domain("smtp.mailfrom") == "thptlocninh.edu.vn"
    assert dmarc.get("header.from") == "thptlocninh.edu.vn"


def test_the_results_inside_a_comment_are_no_results() -> None:
    h = parse("mx.example.vn; arc=pass (i=1 spf=pass dkim=pass dmarc=pass); dkim=fail (bad sig; spf=pass) header.d=x.vn")
    assert h is not None and [(r.method, r.result) for r in h.results] == [("dkim", "fail")]


def test_microsoft_365_writes_no_authserv_id() -> None:
    h = parse(M365)
    assert h is not None and h.authserv_id == ""
    assert [(r.method, r.result) for r in h.results] == [("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass")]
    assert h.results[1].get("header.d") == "binhphuoc.edu.vn"
    assert h.results[2].get("header.from") == "binhphuoc.edu.vn"     # `action=none` skipped
    assert trusted([h], [""]) is None and trusted([h], ["protection.outlook.com"]) is None


def test_rspamd_with_a_quoted_reason_and_a_trailing_comment() -> None:
    h = parse(RSPAMD)
    assert h is not None and h.authserv_id == "mail.binhphuoc.edu.vn"
    assert [(r.method, r.result) for r in h.results] == [("dkim", "none"), ("spf", "fail"), ("dmarc", "fail")]
    assert h.results[2].get("header.from") == "binhphuoc.edu.vn"


def test_a_version_after_the_id_and_quoted_values() -> None:
    h = parse(OPENDKIM)
    assert h is not None and h.authserv_id == "mail.binhphuoc.edu.vn"
    assert h.results == (Result("dkim", "pass", (("header.d", "binhphuoc.edu.vn"), ("header.i", "@binhphuoc.edu.vn"))),)


@pytest.mark.parametrize("value", ["mail.binhphuoc.edu.vn; none", "mail.binhphuoc.edu.vn;none"])
def test_no_result(value: str) -> None:
    assert parse(value) == authres.Header("mail.binhphuoc.edu.vn", ())


@pytest.mark.parametrize("value", ["", "   ", "(only a comment)", ";;;", None])
def test_nothing_readable_is_no_header(value) -> None:
    assert parse(value) is None


def test_one_header_per_milter_are_read_together() -> None:
    headers = parse_all([OPENDKIM, OPENDMARC, GMAIL])
    mine = trusted(headers, ("MAIL.binhphuoc.edu.vn",))
    assert mine is not None and [(r.method, r.result) for r in mine] == [("dkim", "pass"), ("dmarc", "pass")]


def test_an_untrusted_authserv_id_is_ignored() -> None:
    headers = parse_all([GMAIL])
    assert trusted(headers, ("mail.binhphuoc.edu.vn",)) is None
    assert trusted(headers, ()) is None                   # none configured: nothing is trusted


def test_from_the_message_itself() -> None:
    raw = (b"Authentication-Results: " + OPENDMARC.encode() + b"\r\nAuthentication-Results: "
           + M365.encode() + b"\r\nFrom: a@binhphuoc.edu.vn\r\nSubject: x\r\n\r\nbody\r\n")
    parsed = parse_message(raw)
    assert [h.authserv_id for h in parsed.authentication] == ["mail.binhphuoc.edu.vn", ""]


# ---------------------------------------------------------------- the verdict

def results(*values: str) -> tuple[Result, ...]:
    out = trusted(parse_all(values), ["mail.binhphuoc.edu.vn"])
    assert out is not None
    return out


def test_dmarc_fail_is_spoofing() -> None:
    v = verdict(results(RSPAMD), "thptlocninh@binhphuoc.edu.vn")
    assert v.spoofed and not v.authenticated and "DMARC" in v.why


def test_a_fail_outweighs_a_pass_written_into_the_mail() -> None:
    v = verdict(results(RSPAMD, OPENDMARC), "thptlocninh@binhphuoc.edu.vn")
    assert v.spoofed


def test_dmarc_pass_is_authenticated() -> None:
    v = verdict(results(OPENDMARC), "thptlocninh@binhphuoc.edu.vn")
    assert v.authenticated and not v.spoofed


def test_dmarc_for_another_domain_says_nothing_about_this_one() -> None:
    v = verdict(results("mail.binhphuoc.edu.vn; dmarc=fail header.from=other.vn"), "a@binhphuoc.edu.vn")
    assert not v.spoofed and not v.authenticated


@pytest.mark.parametrize("spf", ["fail", "softfail"])
def test_without_dmarc_spf_fail_and_no_aligned_dkim_is_spoofing(spf: str) -> None:
    v = verdict(results(f"mail.binhphuoc.edu.vn; spf={spf} smtp.mailfrom=binhphuoc.edu.vn; "
                        "dkim=pass header.d=evil.example"), "a@binhphuoc.edu.vn")
    assert v.spoofed and spf in v.why


def test_without_dmarc_an_aligned_dkim_pass_saves_an_spf_fail() -> None:
    v = verdict(results("mail.binhphuoc.edu.vn; spf=fail smtp.mailfrom=binhphuoc.edu.vn; "
                        "dkim=pass header.d=binhphuoc.edu.vn"), "a@mail.binhphuoc.edu.vn")
    assert not v.spoofed and v.authenticated


def test_an_spf_pass_for_a_strangers_envelope_authenticates_nothing() -> None:
    v = verdict(results("mail.binhphuoc.edu.vn; spf=pass smtp.mailfrom=evil.example; dkim=none"),
                "thptlocninh@binhphuoc.edu.vn")
    assert not v.spoofed and not v.authenticated


def test_alignment() -> None:
    assert authres.aligned("binhphuoc.edu.vn", "mail.binhphuoc.edu.vn")
    assert authres.aligned("mail.binhphuoc.edu.vn", "binhphuoc.edu.vn")
    assert not authres.aligned("phuoc.edu.vn", "binhphuoc.edu.vn")
    assert not authres.aligned("", "binhphuoc.edu.vn")


# ---------------------------------------------------------------- hostile input

HOSTILE = ["(" * 100_000, ")" * 100_000, '"' * 100_000, "\\" * 100_000, ";" * 100_000, "=" * 100_000,
           "a=" * 50_000, "spf=pass " * 11_000, "x; " + "dkim=pass header.d=a.vn; " * 4_000,
           "x; spf=pass " + "header.d=" * 11_000, "x; " + "(" * 50_000 + ")" * 50_000 + "; spf=fail"]


@pytest.mark.parametrize("value", HOSTILE, ids=[v[:12] for v in HOSTILE])
def test_hostile_values_cost_what_they_weigh(value: str) -> None:
    def cost(text: str) -> float:
        best = 1e9
        for _ in range(3):
            start = time.perf_counter()
            parse(text)
            best = min(best, time.perf_counter() - start)
        return best
    small, big = cost(value[:10_000]), cost(value)
    assert big < 0.5 and (big < 0.005 or big / max(small, 1e-6) < 35)
    header = parse(value)
    assert header is None or len(header.results) <= authres.MAX_RESULTS


def test_many_headers_are_bounded() -> None:
    headers = parse_all([OPENDMARC] * 1_000)
    assert len(headers) == authres.MAX_HEADERS


def test_eight_bit_bytes_come_back_as_valid_text() -> None:
    raw = b"Authentication-Results: m\xe1il.vn; dkim=pass header.d=\xff.vn\r\nFrom: a@b.vn\r\n\r\nx\r\n"
    [h] = parse_message(raw).authentication
    h.authserv_id.encode("utf-8")
    h.results[0].get("header.d").encode("utf-8")
