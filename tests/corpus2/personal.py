"""Reports that do not come straight from a unit's official address: personal Gmail/Yahoo,
forwards by the division's staff, replies to the reminder, reports in the body, corrections."""
from __future__ import annotations

import datetime as dt

from . import docs
from .clients import Draft, compose
from .common import DOCX, S1, YEAR, Ctx, Item, Truth, report_files, vi_day, when
from .mime import Attachment
from .reports import official_address

D = dt.date
STAFF = [("Trần Minh Tuấn", "tmtuan@binhphuoc.edu.vn", "outlook"), ("Lê Thị Ngọc Anh", "ngocanh.sgd@gmail.com", "gmail")]
REMINDER = {S1: "[Báo cáo công tác trẻ em] Nhắc nộp báo cáo 6 tháng đầu năm 2024",
            YEAR: "[Báo cáo công tác trẻ em] Nhắc nộp báo cáo năm 2024"}


def window(ctx: Ctx, period: str) -> dt.datetime:
    return when(ctx.rng, D(2024, 6, 14), D(2024, 6, 29)) if period == S1 else when(ctx.rng, D(2024, 11, 28), D(2024, 12, 9))


def _doc(ctx: Ctx, u, period: str, t, name: str) -> tuple[Attachment, ...]:
    return (Attachment(name, docs.report_docx(u, period, ctx.rng, vi_day(t)), DOCX),)


PERSONAL = [  # code, period, display name, address, client, subject, body, file name, trap
    ("THPT_02", S1, "Văn thư Trường THPT Hùng Vương", "hungvuong.vanthu@gmail.com", "gmail",
     "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "Em gửi báo cáo ạ.", "BC_CTTE_6T_2024.docx", "personal/display_name"),
    ("GDTX_DP", YEAR, "TTGDNN-GDTX Đồng Phú", "gdnngdtxdongphu@gmail.com", "gmail",
     "Báo cáo CTTE năm 2024", "", "Bao cao tre em.docx", "personal/display_name"),
    ("THPT_11", S1, "THPT Chu Van An - Chon Thanh", "thptchuvanan.ct@yahoo.com", "yahoo",
     "Bao cao cong tac tre em 6 thang", "Kinh gui So bao cao a", "BCTE.docx", "personal/display_name"),
    ("THPT_14", S1, "Nguyễn Thị Lan", "lannguyen.86@gmail.com", "android",
     "BC CTTE 6T 2024 - trường Lộc Hiệp", "Em gửi báo cáo của trường ạ", "BC CTTE.docx", "personal/subject_short_name"),
    ("THPT_13", S1, "Hoa Pham", "phamhoa1990@gmail.com", "gmail",
     "BC CTTE 6T - C3 Lộc Ninh", "Dạ em gửi ạ", "BC_CTTE_6T.docx", "personal/district_name_school"),
    ("PGDDT_LN", S1, "Thanh Tùng", "tungpgd@gmail.com", "gmail",
     "PGD Lộc Ninh gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024", "", "BC_CTTE_PGD.docx", "personal/district_name_office"),
    ("GDTX_LN", YEAR, "Minh Chau", "minhchau.gdtx@yahoo.com.vn", "yahoo",
     "Bao cao cong tac tre em nam 2024 - TTGDNN-GDTX Loc Ninh", "", "BCTE_2024.docx", "personal/district_name_centre"),
    ("THPT_08", YEAR, "Thu Hà", "thuha.pl@gmail.com", "gmail", "Báo cáo công tác trẻ em năm 2024",
     "Kính gửi Sở GDĐT,\nTrường THPT Phước Long gửi báo cáo công tác trẻ em năm 2024.\nTrân trọng.\n\nHà - văn thư",
     "Bao cao.docx", "personal/body_signature"),
    ("LC_02", S1, "hanh", "hanh.tt@gmail.com", "iphone", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
     "Trường THCS và THPT Tân Tiến gửi báo cáo ạ", "BC.docx", "personal/body_signature"),
    ("DTNT_TINH", YEAR, "Kim Ngân", "kimngan.dtnt@gmail.com", "gmail", "BC tổng kết công tác trẻ em năm 2024",
     "Kính gửi Phòng GDTrH,\nTrường PT DTNT THPT tỉnh gửi báo cáo tổng kết năm 2024.\n\nTrân trọng!", "TongKet_CTTE.docx",
     "personal/body_signature"),
    ("GDTX_BGM", YEAR, "hoang anh", "hoanganh.bgm@gmail.com", "gmail", "gui bao cao cong tac tre em nam 2024", "",
     "BC_CTTE_nam_2024_TTGDNN-GDTX_BuGiaMap.docx", "personal/file_name"),
    ("THPT_26", S1, None, "nhc.vanthu@gmail.com", "gmail", "Báo cáo công tác trẻ em 6 tháng",
     "", "BC CTTE 6 thang - THPT Nguyen Huu Canh.docx", "personal/file_name"),
    ("THPT_10", YEAR, "Lê Văn Bình", "binhle.ct@gmail.com", "gmail", "Báo cáo CTTE năm 2024 - THPT Chơn Thàng",
     "", "BC_CTTE_2024.docx", "personal/misspelt_name"),
    ("PGDDT_PR", S1, "Quang Vinh", "quangvinh.pr@gmail.com", "android",
     "Phòng GD-ĐT Phú Riềng báo cáo công tác trẻ em 6 tháng đầu năm 2024", "", "BCTE_6T.docx", "personal/dash_variant"),
    ("THPT_17", YEAR, "Nguyễn Hữu Phước", "phuocnh.lqd@gmail.com", "gmail",
     "BC CTTE năm 2024 - Trường THPT Lê Quý Đôn (Bù Đăng)", "Em gửi báo cáo ạ", "BC CTTE 2024.docx", "personal/subject_full"),
    ("LC_01", S1, "THCS THPT Dang Ha", "thcsthptdangha@gmail.com", "gmail", "BC cong tac tre em 6 thang nam 2024",
     "", "BC_CTTE_6T_2024.docx", "registered_gmail"),
    ("PGDDT_BGM", YEAR, "PGD Bu Gia Map", "pgdbugiamap@gmail.com", "gmail", "Báo cáo công tác trẻ em năm 2024",
     "Kính gửi Sở, Phòng GDĐT gửi báo cáo.", "BC_CTTE_2024.docx", "registered_gmail"),
    ("THPT_20", S1, "Truong THPT Thanh Hoa", "thpt.thanhhoa.bp@gmail.com", "gmail",
     "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - THPT Thanh Hoà", "", "BCCTTE.docx", "registered_gmail"),
]


def personal(ctx: Ctx) -> list[Item]:
    items = []
    for code, period, name, addr, client, subj, text, fname, trap in PERSONAL:
        u, t = ctx.units[code], window(ctx, period)
        known = int(addr in ctx.units[code].emails)
        items.append(Item(Draft(name, addr, subj, text, _doc(ctx, u, period, t, fname), client), t,
                          Truth("report", code, period, known, trap, subj)))
    return items


def _inline_header(kind: str, sender: str, t: dt.datetime, subject: str) -> str:
    if kind == "gmail":
        return (f"---------- Forwarded message ---------\nFrom: {sender}\nDate: Th {t.isoweekday() + 1}, {t.day} thg {t.month}, "
                f"{t.year} lúc {t:%H:%M}\nSubject: {subject}\nTo: <ngocanh.sgd@gmail.com>\n\n")
    return (f"Từ: {sender}\nĐã gửi: {t.day} tháng {t.month}, {t.year} {t:%H:%M}\nĐến: Trần Minh Tuấn <tmtuan@binhphuoc.edu.vn>"
            f"\nChủ đề: {subject}\n\n")


FORWARDS = [  # code, period, original from (None: official), how, staff index
    ("THPT_10", S1, None, "rfc822", 0), ("THPT_14", S1, None, "inline", 1), ("PGDDT_HQ", YEAR, None, "inline", 0),
    ("THPT_23", S1, ("Đinh Thị Thảo", "thaodinh.dt@gmail.com"), "inline", 1), ("DTNT_TINH", YEAR, None, "rfc822", 0),
    ("GDTX_TINH", YEAR, None, "inline", 1), ("THPT_17", S1, ("Phan Văn Khải", "khaipv_lqd@yahoo.com"), "inline", 0),
    ("THPT_07", YEAR, None, "rfc822", 0),
]


def forwards(ctx: Ctx) -> list[Item]:
    """Units that wrote to a staff member's own mailbox; the staff member forwards to the shared one."""
    items = []
    for code, period, orig, how, staff in FORWARDS:
        u, t0 = ctx.units[code], window(ctx, period)
        t = t0 + dt.timedelta(days=ctx.rng.randint(1, 3), hours=1)
        o_name, o_addr = orig or (u.name, official_address(u, 0))
        subj0 = f"Báo cáo công tác trẻ em {docs.LABEL[period]} - {u.short(1)}"
        files = report_files(ctx, u, period, t0, 0)
        s_name, s_addr, s_client = STAFF[staff]
        prefix = "Fwd: " if s_client == "gmail" else "FW: "
        if how == "rfc822":
            inner = Draft(o_name, o_addr, subj0, f"{u.name} gửi báo cáo.", files, "zimbra", to=s_addr)
            draft = Draft(s_name, s_addr, prefix + subj0, "Chuyển hộp thư chung lưu.", (), s_client,
                          forwarded=(compose(inner, t0, ctx.n()),))
        else:
            sender = f"{o_name} <{o_addr}>"
            draft = Draft(s_name, s_addr, prefix + subj0, "\n\n" + _inline_header(s_client, sender, t0, subj0)
                          + f"Kính gửi chị, {u.short(0)} gửi báo cáo ạ.", files, s_client)
        known = int(o_addr in u.emails)
        items.append(Item(draft, t, Truth("report", code, period, known, f"forward/{how}/{'known' if known else 'personal'}",
                                          draft.subject)))
    return items


def _quote(u, period: str, t: dt.datetime) -> str:
    due = "30/6/2024" if period == S1 else "10/12/2024"
    return (f"\n\nVào {t:%d/%m/%Y} lúc 07:30, trunghoc@binhphuoc.edu.vn đã viết:\n> Kính gửi: {u.name},\n"
            f"> Phòng Giáo dục Trung học, Sở GDĐT Bình Phước đề nghị đơn vị gửi Báo cáo công tác trẻ em "
            f"{docs.LABEL[period]} trước ngày {due}.\n> Trân trọng.")


REPLIES = [  # code, period, with report, personal address or None, text
    ("THPT_03", S1, True, None, "Dạ trường xin gửi báo cáo, xin lỗi vì gửi trễ ạ."),
    ("PGDDT_BL", YEAR, True, None, "Phòng GDĐT Bình Long gửi báo cáo ạ."),
    ("GDTX_HQ", YEAR, True, None, "Gửi Sở báo cáo."),
    ("THPT_25", S1, True, "ngoclan.pr@gmail.com", "Em gửi bc ạ"),
    ("LC_03", YEAR, True, "vts.vanthu@gmail.com", "Dạ em gửi."),
    ("THPT_21", S1, False, None, "Dạ trường đã gửi báo cáo ngày 26/6 qua email này rồi ạ, kính nhờ Sở kiểm tra lại."),
    ("PGDDT_CT", YEAR, False, None, "Dạ Phòng xin gia hạn đến ngày 13/12 do chờ số liệu các trường ạ."),
    ("THPT_05", S1, False, None, "Trường sẽ gửi trong ngày mai ạ."),
    ("DTNT_BGM", YEAR, False, "ngocdtnt@gmail.com", "Đã nhận. Cảm ơn Sở."),
]


def reminder_replies(ctx: Ctx) -> list[Item]:
    items = []
    for code, period, with_report, addr, text in REPLIES:
        u = ctx.units[code]
        t = when(ctx.rng, D(2024, 6, 25), D(2024, 7, 3)) if period == S1 else when(ctx.rng, D(2024, 12, 5), D(2024, 12, 13))
        subj = "Re: " + REMINDER[period]
        files = report_files(ctx, u, period, t, 0) if with_report else ()
        draft = Draft(None if addr else u.name, addr or official_address(u, 0), subj,
                      text + _quote(u, period, t - dt.timedelta(days=2)), files, "gmail" if addr else "zimbra")
        known = int(draft.sender_addr in u.emails)
        truth = Truth("report", code, period, known, "reminder_reply/with_report", subj) if with_report else \
            Truth("ignored", None, None, None, "reminder_reply/no_report", subj)
        items.append(Item(draft, t, truth))
    return items
