"""Reports that arrive the awkward way: forwards, resends, late or period-silent mails, unplaced
ones, spoofs, hostile MIME, and the same mail delivered twice or saved twice."""
from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

from tests.corpus import attachments as A
from tests.corpus.make_corpus import Corpus, at
from tests.corpus.registry import BY_CODE, U, file_token, spoken
from tests.corpus.reports import LABEL, S1, YEAR, body, files, official, person, signature, subject
from tests.corpus.styles import Draft, b_words, gmail

STAFF = [("Trần Quốc Bảo", "baotq.sgd@binhphuoc.edu.vn"), ("Lê Thị Mỹ Dung", "dungltm.sgd@binhphuoc.edu.vn")]


def forward_rfc822(d: Draft, inner: bytes, inner_subject: str) -> bytes:
    """A forward 'as attachment' (Outlook, Thunderbird): the original as message/rfc822."""
    inner = inner.replace(b"\r\n", b"\n")
    head = (f"From: {b_words(d.name)} <{d.addr}>\nTo: {d.to}\nSubject: {b_words(d.subject)}\n"
            f"Date: {format_datetime(d.sent)}\nMessage-ID: {d.msgid}\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/mixed; boundary="fwd-{d.msgid[1:9]}"\n\n')
    text = (f"--fwd-{d.msgid[1:9]}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            f"{d.body}\n\n--fwd-{d.msgid[1:9]}\nContent-Type: message/rfc822\n"
            f'Content-Disposition: attachment; filename="{b_words(inner_subject[:40])}.eml"\n\n')
    return (head + text).encode() + inner + f"\n--fwd-{d.msgid[1:9]}--\n".encode()


def _original(c: Corpus, u: U, p: str, when: dt.datetime, gmail_sender: bool) -> tuple[Draft, bytes]:
    if gmail_sender:
        name, addr = person(c.rng)
        d = Draft(name, addr, subject(c.rng, None, p), "Em gửi báo cáo ạ." + signature(c.rng, u, name), when,
                  c.msgid("mail.gmail.com"), files(c.rng, u, p, unit_in_file=False, name_unit=False))
    else:
        d = official(c, u, p, when)
    return d, gmail(d)


def forwards(c: Corpus, silent: dict[str, list[U]]) -> None:
    """Units that mailed a staff member instead of the shared mailbox; the staff member forwards."""
    rng = c.rng
    plan = [("rfc822", False, S1), ("rfc822", True, S1), ("rfc822", False, YEAR), ("inline", False, YEAR),
            ("inline", False, S1), ("outlook-ct", False, YEAR), ("unit-forwards-staff-gmail", True, S1)]
    for how, from_gmail, p in plan:
        u = silent[p].pop(0)
        sent = at(2024, 6, 20 + rng.randint(0, 8), 10) if p == S1 else at(2024, 12, 2 + rng.randint(0, 6), 14)
        orig, raw = _original(c, u, p, sent, from_gmail)
        later = sent + dt.timedelta(hours=rng.randint(2, 40))
        staff_name, staff_addr = rng.choice(STAFF)
        known = 0 if from_gmail else 1
        if how == "rfc822":
            d = Draft(staff_name, staff_addr, "Fwd: " + orig.subject, "Chuyển hộp thư chung để tổng hợp.", later, c.msgid())
            c.raw(forward_rfc822(d, raw, orig.subject), later, "report", u.code, p, known,
                  "forward-rfc822-by-staff" + ("-orig-gmail" if from_gmail else ""), d.subject, d.msgid, sender=staff_addr)
            continue
        header = ("---------- Forwarded message ---------\n"
                  f"From: {orig.name} <{orig.addr}>\nDate: {format_datetime(orig.sent)}\nSubject: {orig.subject}\n"
                  f"To: <{staff_addr}>\n\n{orig.body}")
        if how == "outlook-ct":
            header = (f"Từ: {orig.name} <{orig.addr}>\nĐã gửi: {orig.sent:%d/%m/%Y %H:%M}\nĐến: {staff_addr}\n"
                      f"Chủ đề: {orig.subject}\n\n{orig.body}")
            d = Draft(staff_name, staff_addr, "CT: " + orig.subject, "Chuyển phòng tổng hợp.\n\n" + header, later,
                      c.msgid(), orig.files)
            c.mail(d, "outlook", later, "report", u.code, p, known, "forward-outlook-ct-by-staff")
        elif how == "inline":
            d = Draft(staff_name, staff_addr, "Fwd: " + orig.subject, header, later, c.msgid(), orig.files)
            c.mail(d, "gmail", later, "report", u.code, p, known, "forward-inline-by-staff")
        else:   # the unit's office forwards what a teacher sent from her Gmail
            d = Draft(spoken(u, rng), u.emails[0], "Fwd: " + orig.subject, header, later, c.msgid(), orig.files)
            c.mail(d, "gmail", later, "report", u.code, p, 1, "unit-forwards-staff-gmail")


def resends(c: Corpus, items: dict) -> None:
    rng = c.rng
    picks = [k for k in sorted(items) if items[k].known == 1][:: 9][:8]
    forms = ["V/v gửi lại báo cáo công tác trẻ em {l} (bản điều chỉnh)", "Gửi bổ sung file báo cáo CTTE {l}",
             "Báo cáo công tác trẻ em {l} (thay thế bản đã gửi)", "Re: Báo cáo công tác trẻ em {l}",
             "Gui lai bao cao cong tac tre em {l}"]
    for n, (code, p) in enumerate(picks):
        u, first = BY_CODE[code], items[(code, p)]
        when = first.received + dt.timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 5))
        d = official(c, u, p, when)
        d.subject = forms[n % len(forms)].format(l=LABEL[p] if "Gui" not in forms[n % len(forms)] else
                                                 ("6 thang dau nam 2024" if p == S1 else "nam 2024"))
        d.body = "Đơn vị xin gửi lại báo cáo do bản trước có sai sót số liệu. Đề nghị sử dụng bản này.\n\nTrân trọng."
        c.mail(d, rng.choice(["smtp", "outlook", "hand"]), when, "report", code, p, 1, "resend-correction")


def odd_periods(c: Corpus, silent: dict[str, list[U]]) -> None:
    """Period words missing (decided by the date), late ones, and S1 subjects that say 'năm 2024'."""
    rng = c.rng
    s1, yr = list(silent[S1]), list(silent[YEAR])
    cases = [(s1, S1, at(2024, 6, 24, 15), "period-silent-june"), (s1, S1, at(2024, 6, 28, 8), "period-silent-june"),
             (s1, S1, at(2024, 8, 12, 9), "period-silent-august-late"),
             (yr, YEAR, at(2024, 12, 6, 10), "period-silent-december"), (yr, YEAR, at(2024, 12, 9, 16), "period-silent-december"),
             (yr, YEAR, at(2025, 1, 8, 9), "period-silent-january-late")]
    for pool, p, when, label in cases:
        u = pool.pop(0)
        d = Draft(spoken(u, rng), u.emails[0], rng.choice(["Báo cáo công tác trẻ em", f"Báo cáo công tác trẻ em - {spoken(u, rng)}",
                                                          "V/v báo cáo công tác bảo vệ, chăm sóc trẻ em", "Bao cao CTTE"]),
                  body(rng, u, None), when, c.msgid(), files(rng, u, None))
        c.mail(d, rng.choice(["smtp", "gmail", "compat32"]), when, "report", u.code, p, 1, label)
    for pool, p, when, label, subj in [
            (s1, S1, at(2024, 6, 26, 14), "s1-subject-says-nam-2024", "Báo cáo sơ kết 6 tháng công tác trẻ em năm 2024"),
            (yr, YEAR, at(2025, 1, 3, 8), "late-annual-january", "Báo cáo công tác trẻ em năm 2024 (gửi muộn)"),
            (yr, YEAR, at(2025, 1, 14, 10), "late-annual-january", "BÁO CÁO TỔNG KẾT CÔNG TÁC TRẺ EM NĂM 2024")]:
        u = pool.pop(0) if pool else BY_CODE["S121"]
        d = Draft(u.name, u.emails[0], subj, body(rng, u, p), when, c.msgid(), files(rng, u, p))
        c.mail(d, "outlook", when, "report", u.code, p, 1, label)


def unplaced(c: Corpus) -> None:
    rng = c.rng
    for p, when, subj, fname in [(S1, at(2024, 6, 27, 21), "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "baocao.xlsx"),
                                  (YEAR, at(2024, 12, 8, 22), "Gui bao cao CTTE nam 2024", "BC CTTE.docx"),
                                  (S1, at(2024, 6, 19, 6), "Báo cáo CTTE 6 tháng", "IMG_20240619.pdf")]:
        name, addr = person(rng)
        data = {"xlsx": lambda: A.xlsx_report(rng, None, f"Kỳ báo cáo: {LABEL[p]}", True),
                "docx": lambda: A.docx(A.narrative(None, f"Báo cáo công tác trẻ em {LABEL[p]}", rng)),
                "pdf": A.blank_pdf}[fname.rsplit(".", 1)[1]]()
        d = Draft(name, addr, subj, rng.choice(["Em gửi báo cáo ạ.", "Gửi Phòng báo cáo.", ""]), when,
                  c.msgid("mail.gmail.com"), [(fname, data)])
        c.mail(d, rng.choice(["gmail", "iphone"]), when, "unplaced", None, p, 0, "unplaced-gmail-nothing-names-unit")


def spoofs_and_confusions(c: Corpus) -> None:
    rng = c.rng
    u = BY_CODE["S113"]
    d = official(c, u, S1, at(2024, 6, 21, 11), name="Trường THPT Lộc Ninh", addr="c3locninh@binhphuoc-edu.vn")
    d.subject = "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - Trường THPT Lộc Ninh"
    c.mail(d, "smtp", d.sent, "report", u.code, S1, 0, "spoof-lookalike-domain")
    u = BY_CODE["S115"]
    d = official(c, u, YEAR, at(2024, 12, 4, 3))
    c.raw(gmail(d), d.sent, "report", u.code, YEAR, 1, "spoofed-exact-address-foreign-relay", d.subject, d.msgid,
          sender=d.addr, relay="vps-118-69-22-9.example-hosting.ru")
    # a district office names a high school of the same district in its text
    u = BY_CODE["BP10"]
    name, addr = person(rng)
    d = Draft(name, addr, "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
              "Kính gửi Phòng GDTrH,\n\nPhòng GD&ĐT Lộc Ninh gửi báo cáo tổng hợp của các trường MN, TH, THCS trên địa bàn "
              "(Trường THPT Lộc Ninh và Trường THPT Lộc Thái báo cáo trực tiếp về Sở)." + f"\n\n--\n{name}\nChuyên viên Phòng GD&ĐT huyện Lộc Ninh",
              at(2024, 6, 25, 16), c.msgid("mail.gmail.com"), files(rng, u, S1, unit_in_file=False, name_unit=False))
    c.mail(d, "gmail", d.sent, "report", u.code, S1, 0, "content-names-two-units")
    for code, label in [("S102", "chuyen-vs-plain-same-town"), ("S106", "plain-vs-chuyen-same-town")]:
        u = BY_CODE[code]
        name, addr = person(rng)
        d = Draft(f"{name} ({spoken(u, rng)})", addr, "Báo cáo công tác trẻ em năm 2024", "Em gửi báo cáo ạ.",
                  at(2024, 12, 5, 9), c.msgid("mail.gmail.com"), files(rng, u, YEAR, unit_in_file=False, name_unit=False))
        c.mail(d, "gmail", d.sent, "report", code, YEAR, 0, label)


def hostile(c: Corpus) -> None:
    """Broken MIME that is still, to a human, a unit's report."""
    rng = c.rng
    cases = [("S110", "broken-boundary"), ("S116", "bad-base64"), ("T202", "unknown-charset"),
             ("S119", "path-traversal-filename"), ("BP08", "empty-attachment"), ("S123", "raw-utf8-header"),
             ("S104", "old-doc-unreadable")]
    for code, label in cases:
        u = BY_CODE[code]
        p = S1 if label in ("broken-boundary", "bad-base64", "raw-utf8-header") else YEAR
        when = at(2024, 6, 18 + len(label) % 9, 10) if p == S1 else at(2024, 11, 28 + len(label) % 3, 15)
        subj = f"Báo cáo công tác trẻ em {LABEL[p]} - {spoken(u, rng)}"
        mid = c.msgid()
        head = (f"From: {u.emails[0]}\nTo: trunghoc@binhphuoc.edu.vn\nDate: {format_datetime(when)}\nMessage-ID: {mid}\n"
                f"MIME-Version: 1.0\n")
        subj_h = subj if label == "raw-utf8-header" else b_words(subj)
        xl = A.xlsx_report(rng, u.name, f"Kỳ báo cáo: {LABEL[p]}", True)
        import base64
        b64 = base64.encodebytes(xl).decode()
        fname = f"BC_CTTE_{file_token(u)}.xlsx"
        if label == "broken-boundary":
            raw = head + f'Subject: {subj_h}\nContent-Type: multipart/mixed; boundary="XYZ"\n\n--XYZ\nContent-Type: text/plain; charset=utf-8\n\nGửi báo cáo.\n--XYZ\nContent-Type: application/octet-stream; name="{fname}"\nContent-Transfer-Encoding: base64\n\n{b64[:len(b64) // 2]}'
        elif label == "bad-base64":
            raw = head + f'Subject: {subj_h}\nContent-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nGui bao cao.\n--b1\nContent-Type: application/vnd.ms-excel; name="{fname}"\nContent-Transfer-Encoding: base64\n\n{b64[:300]}!!!***%%%\n{b64[300:600]}\n--b1--\n'
        elif label == "unknown-charset":
            raw = head + f'Subject: {subj_h}\nContent-Type: multipart/mixed; boundary="b2"\n\n--b2\nContent-Type: text/plain; charset="x-viet-vps"\nContent-Transfer-Encoding: 8bit\n\nTrung t\xe2m g\xf6i b\xb8o c\xb8o.\n--b2\nContent-Type: application/octet-stream; name="{fname}"\nContent-Transfer-Encoding: base64\n\n{b64}--b2--\n'
        elif label == "path-traversal-filename":
            raw = head + f'Subject: {subj_h}\nContent-Type: multipart/mixed; boundary="b3"\n\n--b3\nContent-Type: text/plain; charset=utf-8\n\nGửi báo cáo.\n--b3\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="../../../../etc/cron.d/{fname}"\nContent-Transfer-Encoding: base64\n\n{b64}--b3--\n'
        elif label == "empty-attachment":
            raw = head + f'Subject: {subj_h}\nContent-Type: multipart/mixed; boundary="b4"\n\n--b4\nContent-Type: text/plain; charset=utf-8\n\nPhòng GDĐT gửi báo cáo.\n--b4\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name="{fname}"\nContent-Transfer-Encoding: base64\n\n\n--b4--\n'
        elif label == "raw-utf8-header":
            raw = head + f'Subject: {subj_h}\nContent-Type: multipart/mixed; boundary="b5"\n\n--b5\nContent-Type: text/plain\n\nGửi báo cáo ạ.\n--b5\nContent-Type: application/octet-stream; name="Báo cáo CTTE.xlsx"\nContent-Transfer-Encoding: base64\n\n{b64}--b5--\n'
        else:
            doc = A.opaque(rng, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 1500)
            raw = head + f'Subject: {subj_h}\nContent-Type: multipart/mixed; boundary="b6"\n\n--b6\nContent-Type: text/plain; charset=utf-8\n\nGửi báo cáo.\n--b6\nContent-Type: application/msword; name="BC CTTE {file_token(u)}.doc"\nContent-Transfer-Encoding: base64\n\n{base64.encodebytes(doc).decode()}--b6--\n'
        data = raw.encode("latin-1") if label == "unknown-charset" else raw.encode("utf-8")
        c.raw(data, when, "report", code, p, 1, "hostile-" + label, subj, mid, sender=u.emails[0])


def repeats(c: Corpus) -> None:
    """Second deliveries (same Message-ID, new Received) and byte-identical copies."""
    reports = [it for it in c.items if it.status == "report" and it.msgid and not it.trap.startswith("hostile")]
    incidents = [it for it in c.items if it.status == "incident"]
    for it in reports[3::17][:5] + incidents[1::5][:2]:
        c.redeliver(it, dt.timedelta(minutes=c.rng.randint(1, 300)))
    for it in reports[7::23][:3] + incidents[2:3]:
        c.copy(it)


def build(c: Corpus, items: dict, silent: dict[str, list[U]]) -> None:
    forwards(c, silent)
    resends(c, items)
    odd_periods(c, silent)
    unplaced(c)
    spoofs_and_confusions(c)
    hostile(c)
