"""Reports written in the mail body, and corrections sent after a first version."""
from __future__ import annotations

import datetime as dt

from . import docs
from .clients import Draft
from .common import DOCX, S1, YEAR, Ctx, Item, Truth, report_files, vi_day, when
from .mime import Attachment
from .reports import official, official_address

D = dt.date


def body_report(u, period: str, rng) -> str:
    label = docs.LABEL[period]
    return (f"Kính gửi: Sở Giáo dục và Đào tạo Bình Phước (Phòng GDTrH).\n\n{u.name} báo cáo kết quả thực hiện "
            f"công tác trẻ em {label} như sau:\n"
            f"1. Tổ chức {rng.randint(3, 20)} buổi tuyên truyền với {rng.randint(3, 19)}.{rng.randint(100, 999)} lượt học sinh tham gia.\n"
            f"2. Tổ chức {rng.randint(1, 3)} lớp tập huấn cho {rng.randint(20, 90)} lượt cán bộ, giáo viên, nhân viên.\n"
            f"3. Trong kỳ không có vụ bạo lực học đường, không có học sinh bị đuối nước hay bị xâm hại.\n"
            f"4. {rng.randint(50, 400)} học sinh được học bơi, kỹ năng an toàn trong môi trường nước.\n\nTrân trọng./.")


BODY_ONLY = [  # code, period, client, personal address, subject
    ("THPT_01", S1, "outlook", None, "Báo cáo công tác trẻ em 6 tháng đầu năm 2024"),
    ("THPT_16", YEAR, "iphone", None, "Bao cao cong tac tre em nam 2024 - THPT Bu Dang"),
    ("GDTX_BDG", S1, "zimbra", None, "BC CTTE 6 tháng đầu năm 2024"),
    ("PGDDT_DX", YEAR, "thunderbird", None, "Phòng GDĐT Đồng Xoài báo cáo công tác trẻ em năm 2024"),
    ("THPT_22", YEAR, "gmail", "dongphu.c3.vt@gmail.com", "Báo cáo công tác trẻ em năm 2024 (nội dung trong thư)"),
]


def body_only(ctx: Ctx) -> list[Item]:
    items = []
    for code, period, client, addr, subj in BODY_ONLY:
        u = ctx.units[code]
        t = when(ctx.rng, D(2024, 6, 14), D(2024, 6, 29)) if period == S1 else when(ctx.rng, D(2024, 11, 28), D(2024, 12, 9))
        draft = Draft(u.name, addr or official_address(u, 0), subj, body_report(u, period, ctx.rng), (), client)
        items.append(Item(draft, t, Truth("report", code, period, 0 if addr else 1, "body_only", subj)))
    return items


CORRECTIONS = [  # code, period, subject of the correction, text, days after the first
    ("THPT_25", S1, "Gửi lại báo cáo công tác trẻ em 6 tháng đầu năm 2024 (bản điều chỉnh) - THPT Phú Riềng",
     "Đơn vị gửi lại báo cáo do bản trước nhầm số liệu.", 3),
    ("PGDDT_BDG", YEAR, "Bổ sung báo cáo CTTE năm 2024 - Phòng GDĐT Bù Đăng", "Bổ sung phụ lục số liệu.", 2),
    ("THPT_24", S1, "V/v điều chỉnh số liệu báo cáo công tác trẻ em", "Kính gửi Sở, trường điều chỉnh số liệu mục II.", 4),
    ("DTNT_TINH", YEAR, "Re: Báo cáo công tác trẻ em năm 2024 - Trường PT DTNT THPT tỉnh",
     "Đơn vị gửi lại file do file trước bị lỗi không mở được ạ.", 1),
    ("THPT_11", S1, "GỬI LẠI BC CTTE 6T 2024 - THPT CHU VĂN AN", "", 2),
    ("LC_01", YEAR, "Báo cáo bổ sung công tác trẻ em năm 2024 - THCS&THPT Đăng Hà", "Bổ sung số liệu học bơi.", 5),
    ("GDTX_HQ", S1, "Gửi lại báo cáo CTTE 6 tháng (có chữ ký)", "Gửi bản scan có chữ ký.", 6),
]


def corrections(ctx: Ctx) -> list[Item]:
    """A first version and, some days later, the corrected one (both reports of the same period)."""
    items = []
    for code, period, subj, text, days in CORRECTIONS:
        u = ctx.units[code]
        t0 = when(ctx.rng, D(2024, 6, 18), D(2024, 6, 27)) if period == S1 else when(ctx.rng, D(2024, 12, 1), D(2024, 12, 6))
        first = f"Báo cáo công tác trẻ em {docs.LABEL[period]} - {u.name}"
        items.append(official(ctx, u, period, t0, "correction/first", first, style=1))
        t1 = t0 + dt.timedelta(days=days, hours=2)
        att = (Attachment(f"BC_CTTE_{'6T' if period == S1 else 'NAM'}_2024_dieu_chinh.docx",
                          docs.report_docx(u, period, ctx.rng, vi_day(t1)), DOCX),)
        items.append(official(ctx, u, period, t1, "correction/resend", subj, text=text or "", files=att, style=1))
    return items


def redelivered(ctx: Ctx) -> list[Item]:
    """Report mails the server delivered twice (same Message-ID, later topmost Received)."""
    items = []
    for code, period in (("THPT_02", YEAR), ("PGDDT_PL", S1), ("GDTX_TINH", S1), ("THPT_15", YEAR)):
        u = ctx.units[code]
        t = when(ctx.rng, D(2024, 6, 18), D(2024, 6, 27)) if period == S1 else when(ctx.rng, D(2024, 12, 1), D(2024, 12, 6))
        subj = f"Báo cáo công tác trẻ em {docs.LABEL[period]} - {u.short(0)}"
        item = official(ctx, u, period, t, "redelivered/original", subj, style=2,
                        files=report_files(ctx, u, period, t, 0))
        items.append(Item(item.draft, item.received, item.truth, redeliver_after=dt.timedelta(minutes=47)))
    for code, period in (("THPT_19", YEAR), ("LC_02", YEAR), ("PGDDT_BDG", S1)):
        u = ctx.units[code]
        t = when(ctx.rng, D(2024, 6, 18), D(2024, 6, 27)) if period == S1 else when(ctx.rng, D(2024, 12, 1), D(2024, 12, 6))
        subj = f"Báo cáo CTTE {docs.LABEL[period]} - {u.short(1)}"
        item = official(ctx, u, period, t, "identical_copies", subj, style=3)
        items.append(Item(item.draft, item.received, item.truth, copies=2))
    return items
