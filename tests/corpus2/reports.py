"""Report mails from the units' official addresses: every subject style, client and file set."""
from __future__ import annotations

import datetime as dt

from . import docs
from .clients import Draft
from .common import DOCX, S1, YEAR, Ctx, Item, Truth, nearest, report_files, signature, when
from .mime import Attachment
from .registry import U

D = dt.date
S1_SUBJECTS = [
    ("full", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - {name}"),
    ("no_marks", "Bao cao cong tac tre em 6 thang dau nam 2024 - {ashort}"),
    ("abbrev_6T", "BC CTTE 6T 2024 - {short}"),
    ("vv", "V/v báo cáo kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024"),
    ("so_ket", "{short} gửi báo cáo sơ kết công tác bảo vệ, chăm sóc trẻ em 6 tháng đầu năm 2024"),
    ("short", "Gửi BC công tác trẻ em 6 tháng năm 2024 ({short})"),
    ("bracket_no_year", "[{short}] Báo cáo CTTE 6 tháng đầu năm"),
    ("capitals", "BÁO CÁO CÔNG TÁC TRẺ EM 6 THÁNG ĐẦU NĂM 2024"),
    ("bvcste", "Báo cáo công tác BVCSTE 6 tháng đầu năm 2024 - {short}"),
    ("hk_and_6t", "Báo cáo công tác trẻ em HK II năm học 2023-2024 (6 tháng đầu năm 2024)"),
    ("cutoff_dates", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 (số liệu từ 15/12/2023 đến 14/6/2024)"),
]
YEAR_SUBJECTS = [
    ("full", "Báo cáo công tác trẻ em năm 2024 - {name}"),
    ("tong_ket", "BC tổng kết CTTE năm 2024 - {short}"),
    ("no_marks", "Bao cao cong tac tre em nam 2024 {ashort}"),
    ("vv", "V/v báo cáo kết quả thực hiện công tác trẻ em năm 2024"),
    ("bvcste", "{short} báo cáo tổng kết công tác bảo vệ, chăm sóc trẻ em năm 2024"),
    ("abbrev", "BC CTTE Năm 2024"),
    ("ca_nam", "Báo cáo công tác trẻ em cả năm 2024"),
    ("capitals", "BÁO CÁO CÔNG TÁC TRẺ EM NĂM 2024 - {SHORT}"),
    ("cutoff_dates", "Báo cáo tổng kết công tác trẻ em năm 2024 (số liệu từ 15/12/2023 đến 14/12/2024)"),
    ("phu_luc", "Báo cáo CTTE năm 2024 (kèm phụ lục số liệu)"),
]
OFFICIAL_CLIENTS = ["outlook", "outlook", "zimbra", "zimbra", "thunderbird", "iphone"]


def fill(template: str, u: U, style: int) -> str:
    short = u.short(style)
    return template.format(name=u.name, short=short, ashort=u.ascii_short(style), SHORT=short.upper())


def body(u: U, period: str | None, rng, style: int) -> str:
    label = f" {docs.LABEL[period]}" if period else ""
    return [
        f"Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT Bình Phước.\n\n{u.name} gửi Báo cáo kết quả thực hiện "
        f"công tác trẻ em{label} (file đính kèm).\n\nTrân trọng./.\n\n{signature(u, rng)}",
        "Dạ em gửi báo cáo ạ. Em cảm ơn.",
        "",
        f"Kính gửi Sở,\nĐơn vị gửi báo cáo{label} (bản scan có chữ ký và file word).\nTrân trọng.\n{signature(u, rng)}",
    ][style % 4]


def official(ctx: Ctx, u: U, period: str, t: dt.datetime, trap: str, subject: str, *,
             client: str | None = None, text: str | None = None, files=None, style: int | None = None) -> Item:
    rng = ctx.rng
    s = rng.randint(0, 99) if style is None else style
    draft = Draft(u.name if s % 3 else u.short(s).upper(), official_address(u, s),
                  subject, body(u, period, rng, s) if text is None else text,
                  report_files(ctx, u, period, t, s) if files is None else files,
                  client or rng.choice(OFFICIAL_CLIENTS))
    return Item(draft, t, Truth("report", u.code, period, 1, trap, subject))


def official_address(u: U, s: int) -> str:
    """The unit's official (edu.vn) addresses, in turn when it has several."""
    edu = [e for e in u.emails if e.endswith(".edu.vn")]
    return edu[s % len(edu)]


def active(ctx: Ctx, period: str) -> list[str]:
    out = [c for c in sorted(ctx.units) if c not in ("THPT_27", "GDTX_BDP")]
    return out + (["GDTX_BDP"] if period == S1 else ["THPT_27"])


def regular(ctx: Ctx) -> list[Item]:
    """On-time and slightly late reports, one subject style after another."""
    items = []
    for period, subjects, start, end, n in ((S1, S1_SUBJECTS, D(2024, 6, 10), D(2024, 7, 8), 30),
                                            (YEAR, YEAR_SUBJECTS, D(2024, 11, 22), D(2024, 12, 18), 28)):
        codes = ctx.rng.sample(active(ctx, period), n)
        if period == S1 and "GDTX_BDP" not in codes:
            codes[0] = "GDTX_BDP"      # the centre that closed on 31/8 still owed the 6-month report
        if period == YEAR and "THPT_27" not in codes:
            codes[0] = "THPT_27"       # the school opened in August owes the annual one
        for i, code in enumerate(codes):
            key, template = subjects[i % len(subjects)]
            u, t = ctx.units[code], when(ctx.rng, start, end)
            items.append(official(ctx, u, period, t, f"official/{key}", fill(template, u, i), style=i))
    return items


def special(ctx: Ctx) -> list[Item]:
    """Reports whose period or topic must be read from less obvious places."""
    rng, U_ = ctx.rng, ctx.units
    items = []
    for code, subj in (("THPT_19", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 (trễ hạn)"),
                       ("GDTX_HQ", "Bao cao 6 thang cong tac tre em - TTGDNN-GDTX Hon Quan")):
        t = when(rng, D(2024, 8, 5), D(2024, 8, 28))
        items.append(official(ctx, U_[code], S1, t, "late_explicit_s1", subj))
    for code in ("THPT_09", "PGDDT_HQ"):
        t = when(rng, D(2025, 1, 3), D(2025, 1, 15))
        items.append(official(ctx, U_[code], YEAR, t, "late_explicit_year", f"Báo cáo công tác trẻ em năm 2024 - {U_[code].short(1)}"))
    for code, start, end in (("THPT_04", D(2024, 6, 18), D(2024, 7, 6)), ("LC_02", D(2024, 6, 20), D(2024, 7, 4)),
                             ("PGDDT_PL", D(2024, 12, 2), D(2024, 12, 16)), ("THPT_12", D(2024, 12, 28), D(2025, 1, 10)),
                             ("DTNT_BGM", D(2024, 6, 24), D(2024, 7, 2)), ("GDTX_LN", D(2024, 11, 28), D(2024, 12, 12))):
        u, t = U_[code], when(rng, start, end)
        subj = rng.choice([f"Gửi báo cáo công tác trẻ em - {u.short(0)}", "Báo cáo CTTE", f"{u.short(2)} - báo cáo công tác trẻ em"])
        items.append(official(ctx, u, nearest(t), t, "period_silent", subj, text=body(u, None, rng, 0)))
    for code, period, subj, fname in (
            ("THPT_06", S1, "Gửi báo cáo", "BC_CTTE_6T_2024_THPT_BinhLong.docx"),
            ("THPT_24", YEAR, "V/v gửi báo cáo năm 2024", "Bao cao cong tac tre em nam 2024.docx"),
            ("PGDDT_DP", S1, "Phòng GDĐT Đồng Phú gửi báo cáo 6 tháng đầu năm 2024", "BC CTTE 6 thang dau nam 2024.docx"),
            ("LC_03", YEAR, "gui bao cao", "BC_BVCSTE_nam_2024.docx")):
        u = U_[code]
        t = when(rng, D(2024, 6, 15), D(2024, 6, 29)) if period == S1 else when(rng, D(2024, 12, 1), D(2024, 12, 9))
        att = (Attachment(fname, docs.report_docx(u, period, rng), DOCX),)
        items.append(official(ctx, u, period, t, "keyword_in_filename_only", subj, files=att, text=body(u, None, rng, 1)))
    for code, period, subj in (("THPT_16", S1, "V/v gửi báo cáo 6 tháng đầu năm 2024"),
                               ("GDTX_BDG", YEAR, "Gửi báo cáo năm 2024"),
                               ("THPT_22", S1, "Gửi Sở báo cáo 6 tháng")):
        u = U_[code]
        t = when(rng, D(2024, 6, 15), D(2024, 6, 29)) if period == S1 else when(rng, D(2024, 12, 1), D(2024, 12, 9))
        att = (Attachment(rng.choice(["BC.docx", "Bao cao.docx", "1. Bao cao.docx"]), docs.report_docx(u, period, rng), DOCX),)
        items.append(official(ctx, u, period, t, "keyword_in_file_content_only", subj, files=att, text=body(u, None, rng, 1)))
    for code, period, subj in (("THPT_18", S1, "BC TE 6T/2024 - THPT Thống Nhất"),
                               ("PGDDT_BDP", YEAR, "BC cong tac TE nam 2024 - PGD Bu Dop")):
        u = U_[code]
        t = when(rng, D(2024, 6, 15), D(2024, 6, 29)) if period == S1 else when(rng, D(2024, 12, 1), D(2024, 12, 9))
        items.append(official(ctx, u, period, t, "abbrev_TE", subj, style=0))
    for code, period, subj in (("THPT_15", S1, "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - Trường THPT Lộc Thái"),
                               ("PGDDT_LN", YEAR, "Báo cáo công tác trẻ em năm 2024 - Phòng GDĐT Lộc Ninh"),
                               ("GDTX_DP", S1, "Báo cáo sơ kết công tác trẻ em 6 tháng đầu năm 2024")):
        u = U_[code]
        t = when(rng, D(2024, 6, 15), D(2024, 6, 29)) if period == S1 else when(rng, D(2024, 12, 1), D(2024, 12, 9))
        items.append(official(ctx, u, period, t, "tcvn3_subject", subj, client="oe",
                              files=(Attachment("BCTE.docx", docs.report_docx(u, period, rng), DOCX),)))
    return items
