"""Ad-hoc case reports (báo cáo nhanh / đột xuất) of every category, with follow-ups, and report
mails that cannot be placed with any unit."""
from __future__ import annotations

import datetime as dt

from . import docs, files
from .clients import Draft
from .common import DOCX, S1, YEAR, XLSX, Ctx, Item, Truth, nearest, when
from .mime import Attachment
from .registry import U
from .reports import official_address

D = dt.date
CASES = [  # code, personal (name, addr) or None, client, subject, what happened, follow-up subject or None
    ("THPT_13", None, "zimbra", "Báo cáo nhanh vụ việc học sinh bị đuối nước",
     "Khoảng 16 giờ ngày {d}, em Nguyễn Văn Tài, học sinh lớp 10A3, tắm suối tại xã Lộc Thạnh bị đuối nước, "
     "đã được người dân cứu và đưa đi cấp cứu tại Trung tâm Y tế huyện.", "Re: Báo cáo nhanh vụ việc học sinh bị đuối nước"),
    ("THPT_16", None, "outlook", "Báo cáo đột xuất vụ việc bạo lực học đường tại Trường THPT Bù Đăng",
     "Ngày {d}, tại cổng trường xảy ra vụ 03 học sinh lớp 11 đánh nhau, 01 em bị thương phần mềm.",
     "Báo cáo kết quả xử lý vụ việc bạo lực học đường tại Trường THPT Bù Đăng"),
    ("PGDDT_BDP", None, "outlook", "BÁO CÁO NHANH Vụ việc học sinh bị xâm hại tình dục trên địa bàn huyện Bù Đốp",
     "Ngày {d}, Phòng nhận tin báo 01 học sinh lớp 7 Trường THCS Thanh Bình bị xâm hại tình dục; cơ quan công an đang điều tra.",
     "Báo cáo bổ sung vụ việc học sinh bị xâm hại (lần 2)"),
    ("THPT_24", None, "zimbra", "Báo cáo nhanh tai nạn giao thông làm 01 học sinh tử vong",
     "Khoảng 6 giờ 30 ngày {d}, em Lê Thị Hồng, lớp 12A1, trên đường đến trường bị xe tải va chạm trên ĐT 757, tử vong tại chỗ.",
     "Re: Báo cáo nhanh tai nạn giao thông làm 01 học sinh tử vong"),
    ("GDTX_BGM", None, "thunderbird", "Báo cáo sự việc học viên bị tai nạn thương tích tại Trung tâm",
     "Trong giờ ra chơi ngày {d}, học viên Điểu Thanh ngã từ lan can tầng 2, gãy tay, đã được đưa đi bệnh viện.", None),
    ("LC_01", None, "outlook", "Báo cáo vụ việc học sinh bỏ học đi làm thuê tại cơ sở chế biến hạt điều",
     "Qua kiểm tra ngày {d}, phát hiện 02 học sinh lớp 8 (dưới 15 tuổi) làm việc ca đêm tại cơ sở chế biến hạt điều, "
     "có dấu hiệu sử dụng lao động trẻ em trái pháp luật.", None),
    ("THPT_21", None, "zimbra", "Báo cáo nhanh vụ việc học sinh bỏ nhà đi",
     "Ngày {d}, gia đình em Thị Ngọc, lớp 10A5, báo em bỏ nhà đi từ tối hôm trước, chưa liên lạc được.", None),
    ("PGDDT_DX", None, "outlook", "Báo cáo vụ việc 02 học sinh tiểu học bị đuối nước tại hồ Suối Cam",
     "Chiều ngày {d}, 02 học sinh Trường Tiểu học Tân Xuân đi tắm hồ Suối Cam bị đuối nước, 01 em tử vong.",
     "Báo cáo bổ sung vụ việc 02 học sinh bị đuối nước tại hồ Suối Cam"),
    ("THPT_06", ("Cô Hạnh - GVCN 11A2 THPT Bình Long", "hanh.gv.bl@gmail.com"), "gmail",
     "Báo cáo nhanh vụ học sinh đánh nhau",
     "Kính gửi Sở, em là GVCN lớp 11A2 Trường THPT Bình Long. Ngày {d} hai em lớp em đánh nhau trong giờ ra chơi, "
     "một em bị chấn thương nhẹ; nhà trường đã mời phụ huynh.", None),
    ("THPT_12", None, "outlook", "Báo cáo đột xuất vụ việc học sinh bị xâm hại",
     "Ngày {d}, nhà trường nhận được phản ánh 01 nữ sinh lớp 10 bị người lạ sàm sỡ trên đường về nhà. Nhà trường đã báo "
     "công an xã và tăng cường công tác bảo vệ, chăm sóc trẻ em, giáo dục kỹ năng tự bảo vệ cho học sinh.", None),
    ("DTNT_BGM", None, "iphone", "BC nhanh hs duoi nuoc",
     "Chieu {d} em Dieu Thi Mai lop 9 tam suoi bi duoi nuoc, da cap cuu kip thoi, suc khoe on dinh.",
     "Re: BC nhanh hs duoi nuoc"),
    ("PGDDT_HQ", None, "outlook", "Báo cáo vụ tai nạn giao thông của học sinh trên Quốc lộ 13",
     "Ngày {d}, 03 học sinh Trường THCS Tân Khai đi xe máy va chạm với ô tô trên QL13, 02 em bị thương nặng.", None),
]


def incidents(ctx: Ctx) -> list[Item]:
    items = []
    for i, (code, who, client, subj, what, follow) in enumerate(CASES):
        u = ctx.units[code]
        t = when(ctx.rng, D(2024, 2, 1), D(2024, 11, 30))
        text = "Kính gửi: Sở Giáo dục và Đào tạo Bình Phước.\n\n" + what.format(d=f"{t.day}/{t.month}/{t.year}") + \
            "\n\nĐơn vị sẽ tiếp tục báo cáo diễn biến.\nTrân trọng."
        name, addr = who or (u.name, official_address(u, 0))
        att = (Attachment("BC nhanh.docx", docs.incident_docx(u, subj, ctx.rng, f"{t.day}/{t.month}/{t.year}"), DOCX),) \
            if i % 3 == 0 else ()
        known = int(addr in u.emails)
        items.append(Item(Draft(name, addr, subj, text, att, client), t, Truth("incident", code, None, known, "incident/first", subj)))
        if follow:
            t2 = t + dt.timedelta(days=ctx.rng.randint(1, 4), hours=3)
            text2 = "Báo cáo bổ sung: học sinh đã ổn định sức khỏe; đơn vị phối hợp gia đình theo dõi, hỗ trợ tâm lý.\n\n> " + \
                what.format(d=f"{t.day}/{t.month}/{t.year}")
            items.append(Item(Draft(name, addr, follow, text2, (), client), t2,
                              Truth("incident", code, None, known, "incident/follow_up", follow)))
    return items


THCS = U("X", "Trường THCS Tân Phú", "thcs", "Đồng Phú", ())


def unplaced(ctx: Ctx) -> list[Item]:
    """Reports whose unit cannot be told by anyone: no registered address, no name anywhere."""
    rng = ctx.rng
    blank_sheet = Attachment("Mau bieu.xlsx", docs.report_xlsx(None, S1, rng), XLSX)
    cases = [
        (Draft("Nguyen Thi Hoa", "hoanguyen.88@gmail.com", "Gửi báo cáo công tác trẻ em 6 tháng", "Em gửi báo cáo ạ.",
               (blank_sheet,), "gmail"), when(rng, D(2024, 6, 20), D(2024, 6, 28)), S1, "unplaced/blank_form"),
        (Draft(None, "bichngoc_1987@yahoo.com", "BC CTTE nam 2024", "", (Attachment("scan0001.pdf", files.scanned_pdf(),
               "application/pdf"),), "yahoo"), when(rng, D(2024, 12, 2), D(2024, 12, 9)), YEAR, "unplaced/scan_only"),
        (Draft("Trường THCS Tân Phú", "thcstanphu.dp@gmail.com", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - Trường THCS Tân Phú",
               "Kính gửi Sở, trường THCS Tân Phú (huyện Đồng Phú) gửi báo cáo.",
               (Attachment("BC CTTE.docx", docs.report_docx(THCS, S1, rng), DOCX),), "gmail"),
         when(rng, D(2024, 6, 20), D(2024, 6, 28)), S1, "unplaced/unregistered_school"),
        (Draft(None, "nhung.tran@icloud.com", "Bc ctte", "", (Attachment("IMG_0457.pdf", files.scanned_pdf(), "application/pdf"),),
               "iphone"), when(rng, D(2024, 6, 29), D(2024, 7, 3)), None, "unplaced/phone_scan"),
        (Draft(None, "vanthu.truong@gmail.com", "Re: [Báo cáo công tác trẻ em] Nhắc nộp báo cáo năm 2024",
               "Em gửi ạ\n\n> Kính gửi: Các đơn vị trực thuộc,\n> Đề nghị các đơn vị gửi Báo cáo công tác trẻ em năm 2024.",
               (Attachment("Mau bieu.xlsx", docs.report_xlsx(None, YEAR, rng), XLSX),), "gmail"),
         when(rng, D(2024, 12, 5), D(2024, 12, 9)), YEAR, "unplaced/reply_generic_reminder"),
        (Draft("Van thu", "vanthu.2024@gmail.com", "Báo cáo công tác trẻ em năm 2024", "",
               (Attachment("Bao cao.docx", docs.report_docx(None, YEAR, rng), DOCX),), "gmail"),
         when(rng, D(2024, 12, 2), D(2024, 12, 9)), YEAR, "unplaced/blank_letterhead"),
    ]
    return [Item(d, t, Truth("unplaced", None, p or nearest(t), 0, trap, d.subject)) for d, t, p, trap in cases]
