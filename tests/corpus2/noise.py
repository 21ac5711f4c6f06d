"""The division's other mail: other reports sharing period words, plans, invitations, dispatches,
newsletters, automatic replies, bounces, spam and phishing. All of it must be left alone."""
from __future__ import annotations

import datetime as dt

from . import files
from .clients import Draft
from .common import DOCX, Ctx, Item, Truth, when
from .mime import Attachment, Part, multipart, text_part
from .reports import official_address

D = dt.date
UNIT_OTHER = [  # code, subject, file name or None, month range, trap
    ("THPT_03", "Báo cáo sơ kết học kỳ I năm học 2023-2024", "BC so ket HKI.docx", (1, 1), "other_report/so_ket_hk"),
    ("PGDDT_LN", "Báo cáo 6 tháng đầu năm 2024 công tác phòng, chống tham nhũng", "BC PCTN 6T 2024.docx", (6, 6),
     "other_report/6_thang"),
    ("THPT_09", "Báo cáo tổng kết năm học 2023-2024", "BC tong ket nam hoc.docx", (6, 6), "other_report/tong_ket"),
    ("THPT_18", "Báo cáo công tác y tế trường học năm 2024", "BC y te.docx", (12, 12), "other_report/nam_2024"),
    ("PGDDT_CT", "Báo cáo tổng kết năm 2024 công tác phòng, chống tệ nạn xã hội", "BC TNXH 2024.docx", (12, 12),
     "other_report/tong_ket_nam"),
    ("THPT_10", "Báo cáo kết quả công tác phòng, chống đuối nước cho học sinh dịp hè 2024", "BC phong chong duoi nuoc.docx",
     (8, 8), "other_report/incident_words"),
    ("LC_02", "Báo cáo nhanh kết quả thi tốt nghiệp THPT năm 2024", "KQ thi TN.xlsx", (7, 7), "bao_cao_nhanh_not_incident"),
    ("THPT_05", "Báo cáo nhanh số liệu tuyển sinh lớp 10 năm học 2024-2025", None, (7, 7), "bao_cao_nhanh_not_incident"),
    ("GDTX_TINH", "Báo cáo thống kê đầu năm học 2024-2025", "Thong ke EMIS.xlsx", (10, 10), "other_report/thong_ke"),
    ("THPT_26", "Đăng ký tham dự tập huấn công tác tư vấn tâm lý học sinh", None, (9, 9), "other/registration"),
    ("PGDDT_PR", "Kế hoạch thực hiện công tác trẻ em năm 2025", "KH CTTE 2025.docx", (1, 1), "plan_with_keyword"),
    ("THPT_22", "Danh sách học sinh tham gia Diễn đàn trẻ em cấp tỉnh năm 2024", "DS dien dan.xlsx", (5, 5),
     "other/child_words"),
    ("DTNT_TINH", "Báo cáo sơ kết 6 tháng đầu năm 2024 công tác dân tộc", "BC cong tac dan toc.docx", (6, 6),
     "other_report/so_ket_6_thang"),
    ("PGDDT_BDG", "Báo cáo công tác phổ cập giáo dục 6 tháng đầu năm 2024", "BC PCGD.docx", (6, 6), "other_report/6_thang"),
    ("THPT_07", "Báo cáo tổng kết công tác Đoàn năm 2024", "BC Doan 2024.docx", (12, 12), "other_report/tong_ket_nam"),
    ("GDTX_LN", "Báo cáo công tác an ninh trật tự trường học năm 2024", "BC ANTT.docx", (11, 11), "other_report/nam_2024"),
    ("THPT_12", "Hỏi về mẫu báo cáo công tác trẻ em 6 tháng", None, (6, 6), "question_keyword"),
]
OUTSIDE = [  # display name, address, client, subject, text, extra headers, month, trap
    ("Bộ Giáo dục và Đào tạo", "vanthu@moet.gov.vn", "outlook",
     "Hướng dẫn thực hiện công tác bảo vệ, chăm sóc trẻ em năm học 2024-2025",
     "Bộ GDĐT gửi Công văn số 4321/BGDĐT-GDCTHSSV hướng dẫn thực hiện công tác bảo vệ, chăm sóc trẻ em.", (), 9,
     "ministry_guidance_keyword"),
    ("Văn phòng UBND tỉnh", "vanthu@binhphuoc.gov.vn", "outlook", "Giấy mời dự Lễ phát động Tháng hành động vì trẻ em năm 2024",
     "Kính mời lãnh đạo Sở GDĐT dự Lễ phát động Tháng hành động vì trẻ em năm 2024.", (), 5, "invitation"),
    ("Văn phòng UBND tỉnh", "vanthu@binhphuoc.gov.vn", "outlook", "Giấy mời dự Hội nghị tổng kết công tác trẻ em năm 2024",
     "Kính mời đại diện Sở GDĐT dự Hội nghị tổng kết công tác trẻ em năm 2024 vào 8 giờ ngày 20/12/2024.", (), 12,
     "invitation_keyword"),
    ("Sở Lao động - TBXH", "sldtbxh@binhphuoc.gov.vn", "outlook", "V/v cung cấp số liệu trẻ em có hoàn cảnh đặc biệt năm 2024",
     "Đề nghị Sở GDĐT cung cấp số liệu trẻ em có hoàn cảnh đặc biệt trước ngày 15/11/2024.", (), 11, "other_agency_request"),
    ("Trần Minh Tuấn", "tmtuan@binhphuoc.edu.vn", "outlook", "Dự thảo báo cáo công tác trẻ em năm 2024 của Sở",
     "Gửi chị bản dự thảo báo cáo tổng hợp của Sở, chị góp ý giúp em.", (), 12, "department_own_draft"),
    ("Sở Giáo dục và Đào tạo Bình Phước", "trunghoc@binhphuoc.edu.vn", "system",
     "[Báo cáo công tác trẻ em] Nhắc nộp báo cáo 6 tháng đầu năm 2024",
     "Kính gửi: Các đơn vị,\nĐề nghị các đơn vị chưa gửi Báo cáo công tác trẻ em 6 tháng đầu năm 2024 khẩn trương gửi.",
     ("Auto-Submitted: auto-generated",), 6, "own_reminder_copy"),
    ("Văn phòng Sở", "vanphong@binhphuoc.edu.vn", "outlook", "Lịch công tác tuần 26 (từ 24/6 đến 28/6/2024)",
     "Văn phòng gửi lịch công tác tuần của Ban Giám đốc.", (), 6, "other/schedule"),
    ("Văn phòng Sở", "vanphong@binhphuoc.edu.vn", "outlook", "Thông báo lịch nghỉ Tết Nguyên đán Ất Tỵ 2025",
     "Văn phòng thông báo lịch nghỉ Tết.", (), 1, "other/notice"),
    ("Báo Giáo dục & Thời đại", "bantin@giaoducthoidai.vn", "system", "Bản tin Giáo dục & Thời đại ngày 03/6/2024",
     "Tin nổi bật: Tăng cường công tác bảo vệ trẻ em, phòng chống đuối nước dịp hè.",
     ("List-Id: Ban tin GD&TD <bantin.giaoducthoidai.vn>", "List-Unsubscribe: <mailto:unsubscribe@giaoducthoidai.vn>",
      "Precedence: bulk"), 6, "newsletter_keyword"),
    ("Thư viện Pháp luật", "newsletter@thuvienphapluat.vn", "system", "Văn bản mới: Quy định về bảo vệ trẻ em trên môi trường mạng",
     "Văn bản mới trong tuần.", ("List-Id: <vanbanmoi.thuvienphapluat.vn>", "List-Unsubscribe: <https://thuvienphapluat.vn/u>"),
     11, "newsletter_keyword"),
    ("Hệ thống eOffice", "noreply@eoffice.binhphuoc.gov.vn", "system", "Bạn có 03 văn bản đến mới",
     "Có 03 văn bản đến chưa xử lý.", ("Auto-Submitted: auto-generated", "Precedence: bulk"), 4, "system_notification"),
    ("Vay Nhanh 24h", "support@vaynhanh24h.top", "system", "Vay vốn nhanh không thế chấp, giải ngân trong 24h",
     "Lãi suất 0% tháng đầu. Liên hệ Zalo 09xx.", (), 3, "spam"),
    ("Prize Center", "winner@lucky-prize.xyz", "system", "Congratulations! You have won an iPhone 15",
     "Click here to claim your prize.", (), 8, "spam"),
    ("Dịch vụ văn bằng", "lambang.uytin@gmail.com", "gmail", "Nhận làm bằng cấp, chứng chỉ các loại uy tín",
     "Nhận làm bằng đại học, chứng chỉ tin học, ngoại ngữ.", (), 10, "spam"),
    ("Sở Giáo dục và Đào tạo Bình Phước", "admin@binhphuoc-edu.com", "system", "Thông báo: Hộp thư của bạn sắp đầy",
     "Vui lòng xác thực tài khoản tại http://binhphuoc-edu.com/login để tránh bị khóa.", (), 7, "phishing"),
    ("Phòng GDTrH - Sở GDĐT", "trunghoc.binhphuoc@gmail.com", "gmail",
     "Cập nhật báo cáo công tác trẻ em trực tuyến trước 30/6/2024",
     "Các đơn vị đăng nhập http://baocao-binhphuoc.com/cttre bằng tài khoản email công vụ để cập nhật báo cáo.", (), 6,
     "phishing_keyword"),
    ("Microsoft 365", "no-reply@micros0ft-support.com", "system", "Mật khẩu của bạn sẽ hết hạn hôm nay",
     "Giữ mật khẩu hiện tại: http://micros0ft-support.com/keep", (), 9, "phishing"),
    (None, "hoidap.gv@gmail.com", "gmail", "Cho em hỏi hạn nộp báo cáo CTTE năm 2024 là ngày nào ạ",
     "Em chào anh chị, cho em hỏi hạn nộp báo cáo công tác trẻ em năm 2024 ạ. Em cảm ơn.", (), 11, "question_keyword"),
]


def _month(ctx: Ctx, m: int) -> dt.datetime:
    year = 2025 if m == 1 and ctx.rng.random() < 0.5 else 2024
    end = D(year, m, 28)
    return when(ctx.rng, D(year, m, 2), end)


def unit_other(ctx: Ctx) -> list[Item]:
    items = []
    for code, subj, fname, (m, _), trap in UNIT_OTHER:
        u = ctx.units[code]
        att = (Attachment(fname, files.docx([*u.letterhead(), "BÁO CÁO", subj]), DOCX),) if fname else ()
        text = f"Kính gửi Sở GDĐT,\n{u.name} gửi văn bản: {subj}.\nTrân trọng."
        if trap == "question_keyword":
            text = "Kính gửi Phòng GDTrH, cho trường hỏi mẫu báo cáo công tác trẻ em 6 tháng đầu năm 2024 lấy ở đâu ạ? Trường cảm ơn."
        items.append(Item(Draft(u.name, official_address(u, 0), subj, text, att, ctx.rng.choice(["outlook", "zimbra"])),
                          _month(ctx, m), Truth("ignored", None, None, None, trap, subj)))
    return items


def outside(ctx: Ctx) -> list[Item]:
    return [Item(Draft(name, addr, subj, text, (), client, extra), _month(ctx, m), Truth("ignored", None, None, None, trap, subj))
            for name, addr, client, subj, text, extra, m, trap in OUTSIDE]


AUTO = [  # code, subject, extra headers, text, trap
    ("THPT_09", "Trả lời tự động: [Báo cáo công tác trẻ em] Nhắc nộp báo cáo 6 tháng đầu năm 2024",
     ("Auto-Submitted: auto-replied", "X-Autoreply: yes"), "Tôi đang đi công tác đến ngày 05/7/2024.", "auto_reply/headers"),
    ("PGDDT_CT", "Automatic reply: [Báo cáo công tác trẻ em] Nhắc nộp báo cáo năm 2024",
     ("Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All"), "Tôi đang nghỉ phép.", "auto_reply/outlook"),
    ("THPT_25", "Re: [Báo cáo công tác trẻ em] Nhắc nộp báo cáo năm 2024",
     ("Auto-Submitted: auto-replied (zimbra; vacation)",), "Tôi vắng mặt đến 16/12. Việc gấp liên hệ 0271 3888 999.",
     "auto_reply/zimbra_vacation"),
    ("THPT_21", "Trả lời tự động: Báo cáo công tác trẻ em", (),
     "Tôi đang nghỉ phép đến hết ngày 08/7/2024. Việc gấp xin liên hệ đồng chí Hiệu phó.", "auto_reply/no_headers"),
    ("GDTX_DP", "Thư trả lời tự động - Re: [Báo cáo công tác trẻ em] Nhắc nộp báo cáo năm 2024", (),
     "Cảm ơn bạn đã gửi thư. Thư đã được chuyển đến bộ phận văn thư. (Thư trả lời tự động)", "auto_reply/no_headers"),
]


def auto_replies(ctx: Ctx) -> list[Item]:
    items = []
    for code, subj, extra, text, trap in AUTO:
        u = ctx.units[code]
        month = 7 if "6 tháng" in subj or "08/7" in text else 12
        t = when(ctx.rng, D(2024, month, 1), D(2024, month, 12))
        items.append(Item(Draft(u.name, official_address(u, 0), subj, text, (), "zimbra", extra), t,
                          Truth("ignored", None, None, None, trap, subj)))
    return items


REMINDER = "[Báo cáo công tác trẻ em] Nhắc nộp báo cáo 6 tháng đầu năm 2024"


def _dsn(rcpt: str, status: str, diag: str, human: str) -> Part:
    headers = (f"From: trunghoc@binhphuoc.edu.vn\nTo: {rcpt}\nSubject: =?utf-8?B?W0LDoW8gY8OhbyBjw7RuZyB0w6FjIHRy4bq7IGVtXQ==?= "
               "=?utf-8?B?Tmjhuq9jIG7hu5lwIGLDoW8gY8Ohbw==?=\nMessage-ID: <reminder.2024S1.1@binhphuoc.edu.vn>")
    dsn = (f"Reporting-MTA: dns; mx01.binhphuoc.edu.vn\n\nFinal-Recipient: rfc822; {rcpt}\nAction: failed\n"
           f"Status: {status}\nDiagnostic-Code: smtp; {diag}")
    return multipart("report", "DSN.4W9Zq.1719", [text_part(human, cte="8bit"),
                     Part(("Content-Type: message/delivery-status",), dsn),
                     Part(("Content-Type: text/rfc822-headers",), headers)], extra=" report-type=delivery-status;")


BOUNCES = [  # name, address, subject, body part or plain text, trap
    ("Mail Delivery System", "MAILER-DAEMON@mx01.binhphuoc.edu.vn", "Undelivered Mail Returned to Sender",
     lambda: _dsn("c3.lochiep@binhphuoc.edu.vm", "5.1.2", "550 5.1.2 Host not found",
                  "This is the mail system at host mx01.binhphuoc.edu.vn.\nI'm sorry to have to inform you that your "
                  "message could not be delivered."), "bounce/postfix"),
    ("Mail Delivery Subsystem", "mailer-daemon@googlemail.com", "Delivery Status Notification (Failure)",
     lambda: _dsn("thpt.xyz.bp@gmail.com", "5.1.1", "550 5.1.1 The email account that you tried to reach does not exist",
                  "Address not found. Your message wasn't delivered to thpt.xyz.bp@gmail.com."), "bounce/gmail"),
    ("Mail Delivery System", "Mailer-Daemon@mail.phuoclong.net", "Mail delivery failed: returning message to sender",
     "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered:\n"
     "  vanthu@phuoclong.net\n    mailbox is full\n\n------ This is a copy of the message, including all the headers.\n"
     f"Subject: {REMINDER}\n\nKính gửi: Các đơn vị, đề nghị gửi Báo cáo công tác trẻ em 6 tháng đầu năm 2024.",
     "bounce/exim_plain"),
    ("Microsoft Outlook", "postmaster@thpt-online.edu.vn", "Không thể gửi: " + REMINDER,
     lambda: _dsn("hieutruong@thpt-online.edu.vn", "5.4.1", "550 5.4.1 Recipient address rejected: Access denied",
                  "Không thể gửi thư đến những người nhận hoặc nhóm sau đây: hieutruong@thpt-online.edu.vn"),
     "bounce/exchange_vi"),
]


def bounces(ctx: Ctx) -> list[Item]:
    items = []
    for name, addr, subj, body, trap in BOUNCES:
        t = when(ctx.rng, D(2024, 6, 24), D(2024, 6, 28))
        if callable(body):
            draft = Draft(name, addr, subj, "", (), "system", ("Auto-Submitted: auto-replied",), mime=body())
        else:
            draft = Draft(name, addr, subj, body, (), "system", ("Auto-Submitted: auto-replied",))
        items.append(Item(draft, t, Truth("ignored", None, None, None, trap, subj)))
    return items
