"""The child-affairs reports of the corpus: every unit's 6-month and annual report, each written
with one trap (a mail program, a personal address, a legacy subject, a period left unsaid...)."""
from __future__ import annotations

import datetime as dt
import random

from parsers.legacy import encode
from tests.corpus import attachments as A
from tests.corpus.make_corpus import Corpus, at
from tests.corpus.registry import UNITS, U, ascii_token, file_token, spoken
from tests.corpus.styles import Draft

S1, YEAR = "2024S1", "2024"
LABEL = {S1: "6 tháng đầu năm 2024", YEAR: "năm 2024"}
PEOPLE = ["Nguyễn Thị Hoa", "Trần Văn Hùng", "Lê Thị Thu Hà", "Phạm Minh Tuấn", "Hoàng Thị Lan", "Võ Văn Dũng",
          "Đặng Thị Mai", "Bùi Quang Vinh", "Đỗ Thị Ngọc Ánh", "Huỳnh Văn Lợi", "Ngô Thị Phương", "Dương Văn Toàn",
          "Lý Thị Kim Yến", "Phan Thanh Sơn", "Trịnh Thị Hồng Nhung", "Điểu Thị Hương", "Thị Bích Liên"]
ROLES = ["Văn thư", "Phó Hiệu trưởng", "Thư ký", "Chuyên viên", "Tổng phụ trách Đội", "Nhân viên văn phòng"]
TOPICS = ["công tác trẻ em", "công tác trẻ em", "công tác trẻ em", "công tác bảo vệ, chăm sóc trẻ em",
          "thực hiện công tác trẻ em", "công tác trẻ em trong ngành giáo dục"]
SUBJECTS = {
    S1: ["Báo cáo {t} 6 tháng đầu năm 2024", "Báo cáo {t} 6 tháng đầu năm 2024 - {u}",
         "V/v báo cáo {t} 6 tháng đầu năm 2024", "{u} báo cáo {t} 6 tháng đầu năm 2024",
         "Báo cáo sơ kết {t} 6 tháng đầu năm 2024", "Báo cáo kết quả {t} 6 tháng đầu năm 2024 ({u})",
         "BC {t} 6 tháng năm 2024 - {u}", "Báo cáo {t} 06 tháng đầu năm 2024"],
    YEAR: ["Báo cáo {t} năm 2024", "Báo cáo {t} năm 2024 - {u}", "V/v báo cáo tổng kết {t} năm 2024",
           "{u} báo cáo {t} năm 2024", "Báo cáo tổng kết {t} năm 2024", "Báo cáo kết quả {t} năm 2024 ({u})",
           "BC {t} cả năm 2024 - {u}"],
}
REFS = {
    S1: ["Thực hiện Công văn số 1120/SGDĐT-GDTrH ngày 03/6/2024 của Sở GDĐT về việc báo cáo công tác trẻ em 6 tháng đầu năm 2024,",
         "Căn cứ Kế hoạch số 512/KH-SGDĐT ngày 12/3/2024 của Sở GDĐT về triển khai công tác trẻ em trong ngành Giáo dục năm 2024,",
         ""],
    YEAR: ["Thực hiện Công văn số 2871/SGDĐT-GDTrH ngày 18/11/2024 của Sở GDĐT về việc báo cáo công tác trẻ em năm 2024,", ""],
}
PTOK = {S1: ["6T", "6thang", "SoKet6T", "6T2024"], YEAR: ["Nam2024", "TK2024", "CaNam2024", "2024"]}


def person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(PEOPLE)
    parts = ascii_token(name).lower()
    return name, f"{parts[-8:]}{rng.choice(['', '.', '_'])}{rng.randint(70, 99)}@gmail.com"


def signature(rng: random.Random, u: U, name: str) -> str:
    return f"\n\n--\n{name}\n{rng.choice(ROLES)} - {spoken(u, rng)}\nĐT: 0{rng.randint(900000000, 989999999)}"


def subject(rng: random.Random, u: U | None, p: str) -> str:
    tpl = rng.choice([s for s in SUBJECTS[p] if u or "{u}" not in s])
    return tpl.format(t=rng.choice(TOPICS), u=spoken(u, rng) if u else "")


def body(rng: random.Random, u: U | None, p: str | None, who: str | None = None) -> str:
    greet = rng.choice(["Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT Bình Phước.",
                        "Kính gửi Sở Giáo dục và Đào tạo Bình Phước,", "Kính gửi Phòng GDTrH,"])
    ref = rng.choice(REFS[p]) if p else ""
    who = who or (spoken(u, rng) if u and rng.random() < 0.5 else rng.choice(["đơn vị", "nhà trường"]))
    what = f"báo cáo {rng.choice(TOPICS)} {LABEL[p]}" if p else "báo cáo công tác trẻ em"
    text = f"{greet}\n\n{ref} {who} gửi {what} (có file đính kèm).\n\nTrân trọng."
    return text.replace("\n\n ", "\n\n").replace(" ,", ",")


def files(rng: random.Random, u: U | None, p: str | None, unit_in_file: bool = True,
          name_unit: bool | None = None) -> list[tuple[str, bytes]]:
    """The report files; `unit_in_file` False: the unit's name is nowhere inside them."""
    name_unit = (rng.random() < 0.5) if name_unit is None else name_unit
    title = f"Kỳ báo cáo: {LABEL[p]}" if p else "BÁO CÁO CÔNG TÁC TRẺ EM"
    unit_title = u.name if (u and unit_in_file) else None
    tag = (file_token(u) + "_") if (u and name_unit) else ""
    ptok = rng.choice(PTOK[p]) if p else ""
    kind = rng.choice(["xlsx", "xlsx", "docx", "pdf+docx", "xlsx+docx"])
    out = []
    if "xlsx" in kind:
        out.append((f"BC_{ptok + '_' if ptok else ''}CTTE_{tag}".rstrip("_") + ".xlsx",
                    A.xlsx_report(rng, unit_title, title, keep_codes=rng.random() < 0.4)))
    if "docx" in kind:
        dname = rng.choice([f"Báo cáo công tác trẻ em {LABEL[p]}.docx" if p else "Báo cáo công tác trẻ em.docx",
                            f"BaoCao_CTTE_{ptok}_{tag}".replace("__", "_").rstrip("_") + ".docx"])
        out.append((dname, A.docx(A.narrative(unit_title, f"Báo cáo công tác trẻ em {LABEL[p] if p else ''}", rng))))
    if "pdf" in kind:
        out.append((f"BC CTTE {ptok} {('- ' + spoken(u, rng)) if (u and name_unit) else ''}".strip() + " (ban ky).pdf",
                    A.blank_pdf()))
    return out


def when_for(rng: random.Random, p: str, late: bool = False) -> dt.datetime:
    if p == S1:
        day = at(2024, 7, 1) + dt.timedelta(days=rng.randint(0, 18)) if late else at(2024, 6, 10) + dt.timedelta(days=rng.randint(0, 20))
    else:
        day = at(2024, 12, 11) + dt.timedelta(days=rng.randint(0, 20)) if late else at(2024, 11, 26) + dt.timedelta(days=rng.randint(0, 14))
    return day.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59))


# ---------------------------------------------------------------- traps: (draft, style, known)

def official(c: Corpus, u: U, p: str, when: dt.datetime, **kw: object) -> Draft:
    rng = c.rng
    d = Draft(rng.choice([u.name, spoken(u, rng), "", "Văn thư " + spoken(u, rng)]), u.emails[0], subject(rng, u, p),
              body(rng, u, p), when - dt.timedelta(minutes=rng.randint(0, 3)), c.msgid(), files(rng, u, p))
    for k, v in kw.items():
        setattr(d, k, v)
    return d


def t_plain(c, u, p, when):
    return official(c, u, p, when), c.rng.choice(["smtp", "compat32", "hand", "gmail"]), 1


def t_no_diacritics(c, u, p, when):
    from parsers.text import strip_diacritics
    d = official(c, u, p, when)
    d.subject = strip_diacritics(d.subject).replace("đ", "d").replace("Đ", "D")
    d.body = strip_diacritics(d.body)
    return d, "smtp", 1


def t_uppercase(c, u, p, when):
    d = official(c, u, p, when)
    d.subject = d.subject.upper()
    return d, "compat32", 1


def t_outlook(c, u, p, when):
    return official(c, u, p, when, name=u.name), "outlook", 1


def t_outlook_1252_winmail(c, u, p, when):
    from parsers.text import strip_diacritics
    d = official(c, u, p, when, name="")
    d.subject, d.body = strip_diacritics(d.subject), strip_diacritics(d.body)
    return d, ("outlook1252", {"winmail": A.opaque(c.rng, b"\x78\x9f\x3e\x22", 900)}), 1


def t_tcvn3_raw(c, u, p, when):
    d = official(c, u, p, when)
    d.raw_subject = encode(d.subject, "tcvn3").encode("cp1252")
    return d, "hand", 1


def t_tcvn3_rfc2047(c, u, p, when):
    from tests.corpus.styles import q_word
    d = official(c, u, p, when)
    legacy = encode(d.subject, "tcvn3").encode("cp1252")
    d.raw_subject = "\n ".join(q_word(legacy[i:i + 28], "windows-1252") for i in range(0, len(legacy), 28)).encode()
    return d, "hand", 1


def t_second_address(c, u, p, when):
    d = official(c, u, p, when)
    d.addr = u.emails[-1]
    return d, "smtp", 1


def t_diacritic_filenames(c, u, p, when):
    d = official(c, u, p, when)
    d.files = [(f"Báo cáo công tác trẻ em {LABEL[p]} - {spoken(u, c.rng)}.docx",
                A.docx(A.narrative(u.name, f"Báo cáo công tác trẻ em {LABEL[p]}", c.rng)))]
    return d, c.rng.choice(["hand", "compat32", "gmail"]), 1


def t_iphone(c, u, p, when):
    d = official(c, u, p, when)
    d.body = f"Kính gửi Phòng GDTrH, đơn vị gửi báo cáo {LABEL[p]} ạ.\n\nGửi từ iPhone của tôi"
    return d, "iphone", 1


def t_zip(c, u, p, when):
    d = official(c, u, p, when)
    inner = files(c.rng, u, p)
    d.files = [(f"BC_CTTE_{c.rng.choice(PTOK[p])}_{file_token(u)}.zip", A.zipped(inner, cp437_names=c.rng.random() < 0.5))]
    return d, "smtp", 1


def t_vague_subject(c, u, p, when):
    """Subject 'Gửi báo cáo', everything else in the file name: BC_6T_CTTE_THPT_LocNinh.xlsx."""
    d = official(c, u, p, when, name="")
    d.subject = c.rng.choice(["Gửi báo cáo", "Gui bao cao", "Báo cáo", "gửi file"])
    d.body = c.rng.choice(["Đơn vị gửi báo cáo.", "Kính gửi Phòng GDTrH.", ""])
    d.files = [(f"BC_{c.rng.choice(PTOK[p])}_CTTE_{file_token(u)}.xlsx", A.xlsx_report(c.rng, u.name, f"Kỳ báo cáo: {LABEL[p]}", True))]
    return d, "hand", 1


def t_no_subject(c, u, p, when):
    d = official(c, u, p, when, name="", subject="", body="")
    d.files = [(f"BC_CTTE_{c.rng.choice(PTOK[p])}_{file_token(u)}.docx",
                A.docx(A.narrative(u.name, f"Báo cáo công tác trẻ em {LABEL[p]}", c.rng)))]
    return d, "compat32", 1


def t_figures_in_body(c, u, p, when):
    d = official(c, u, p, when, files=[])
    d.body = (body(c.rng, u, p) .replace(" (có file đính kèm)", " như sau") +
              f"\n\n- Số buổi tuyên truyền: {c.rng.randint(3, 15)} buổi\n- Số lượt học sinh tham gia: {c.rng.randint(300, 2000)}"
              f"\n- Số vụ bạo lực học đường: 0\n- Số trẻ em bị xâm hại: 0\n- Số học sinh được học bơi: {c.rng.randint(50, 400)}"
              f"\n\n{spoken(u, c.rng)}")
    return d, "smtp", 1


def t_no_cases_words(c, u, p, when):
    d = official(c, u, p, when)
    d.body += ("\n\nTrong kỳ báo cáo, đơn vị không xảy ra vụ việc bạo lực học đường, xâm hại trẻ em, "
               "không có học sinh bị đuối nước hay tai nạn giao thông.")
    return d, "hand", 1


def t_reply_request(c, u, p, when):
    d = official(c, u, p, when)
    """A reply, report attached, to the Department's request letter or to the division's reminder."""
    req = c.rng.choice([{S1: "V/v báo cáo công tác trẻ em 6 tháng đầu năm 2024", YEAR: "V/v báo cáo công tác trẻ em năm 2024"}[p],
                        {S1: "Nhắc nộp báo cáo công tác trẻ em 6 tháng đầu năm 2024", YEAR: "Nhắc nộp báo cáo công tác trẻ em năm 2024"}[p]])
    d.subject = c.rng.choice(["Re: ", "RE: ", "TL: "]) + req
    d.body = (f"Dạ, đơn vị gửi báo cáo theo yêu cầu ạ.\n\n-----Original Message-----\nFrom: Phòng GDTrH <{'trunghoc@binhphuoc.edu.vn'}>\n"
              f"Subject: {req}\n\nĐề nghị các đơn vị gửi báo cáo đúng hạn.")
    return d, c.rng.choice(["outlook", "smtp"]), 1


def _gmail(c, u, p, when, display, bodytext, fl):
    rng = c.rng
    name, addr = person(rng)
    d = Draft(display if display is not None else name, addr, subject(rng, None, p), bodytext(name), when,
              c.msgid("mail.gmail.com"), fl)
    return d, rng.choice(["gmail", "gmail", "iphone"]), 0


def t_gmail_display_name(c, u, p, when):
    return _gmail(c, u, p, when, c.rng.choice([spoken(u, c.rng), "Văn thư " + spoken(u, c.rng)]),
                  lambda n: "Em gửi báo cáo ạ.", files(c.rng, u, p, unit_in_file=False, name_unit=False))


def t_gmail_signature(c, u, p, when):
    return _gmail(c, u, p, when, None, lambda n: "Kính gửi Phòng GDTrH, em gửi báo cáo ạ." + signature(c.rng, u, n),
                  files(c.rng, u, p, unit_in_file=False, name_unit=False))


def t_gmail_filename(c, u, p, when):
    return _gmail(c, u, p, when, None, lambda n: "Em gửi báo cáo ạ.",
                  [(f"BC_{c.rng.choice(PTOK[p])}_CTTE_{file_token(u)}.pdf", A.blank_pdf())])


def t_gmail_file_content(c, u, p, when):
    return _gmail(c, u, p, when, None, lambda n: "Gửi anh/chị báo cáo ạ.",
                  [("baocao_ctte.xlsx", A.xlsx_report(c.rng, u.name, f"Kỳ báo cáo: {LABEL[p]}", True))])


def t_staff_edu(c, u, p, when):
    """A teacher's own @binhphuoc.edu.vn address, not in the registry; the unit is in the signature."""
    name = c.rng.choice(PEOPLE)
    d = official(c, u, p, when, name=name, addr=f"{ascii_token(name).lower()}.{u.emails[0].split('@')[0][:6]}@binhphuoc.edu.vn")
    d.subject = subject(c.rng, None, p)
    d.files = files(c.rng, u, p, unit_in_file=False, name_unit=False)
    d.body = "Kính gửi Phòng GDTrH, em gửi báo cáo của trường ạ." + signature(c.rng, u, name)
    return d, "gmail", 0


COMMON = [t_plain, t_plain, t_plain, t_no_diacritics, t_uppercase, t_outlook, t_outlook_1252_winmail, t_tcvn3_raw,
          t_tcvn3_rfc2047, t_second_address, t_diacritic_filenames, t_iphone, t_zip, t_vague_subject, t_no_subject,
          t_figures_in_body, t_no_cases_words, t_reply_request, t_gmail_display_name, t_gmail_signature,
          t_gmail_filename, t_gmail_file_content, t_staff_edu]


def add(c: Corpus, trap, u: U, p: str, when: dt.datetime, label: str | None = None):
    d, style, known = trap(c, u, p, when)
    kw = {}
    if isinstance(style, tuple):
        style, kw = style
    label = label or trap.__name__[2:].replace("_", "-")
    if trap is t_second_address and len(u.emails) == 1:
        label = "plain"
    return c.mail(d, style, when, "report", u.code, p, known, label, **kw)


def regular(c: Corpus) -> tuple[dict[tuple[str, str], object], dict[str, list[U]]]:
    """Each active unit's report for each period; some units stay silent (returned, for the
    special cases to use). Returns ({(unit, period): item}, {period: [silent units]})."""
    rng = c.rng
    items, silent = {}, {S1: [], YEAR: []}
    for p in (S1, YEAR):
        due = "2024-06-30" if p == S1 else "2024-12-10"
        units = [u for u in UNITS if (not u.active_from or u.active_from <= due) and (not u.active_to or u.active_to >= due)]
        rng.shuffle(units)
        traps = (COMMON * 3)[:len(units)]
        rng.shuffle(traps)
        for i, (u, trap) in enumerate(zip(units, traps)):
            if i % 5 == 4 and u.code != "S127":
                silent[p].append(u)
                continue
            if trap is t_second_address and len(u.emails) == 1:
                trap = t_plain
            late = i % 11 == 3
            label = ("late-" if late else "") + trap.__name__[2:].replace("_", "-")
            if u.code == "S127":
                label = "unit-opened-mid-2024-" + label
            items[(u.code, p)] = add(c, trap, u, p, when_for(rng, p, late), label)
    return items, silent


def build(c: Corpus) -> None:
    from tests.corpus import incidents, specials
    items, silent = regular(c)
    specials.build(c, items, silent)
    incidents.build(c)
    specials.repeats(c)
