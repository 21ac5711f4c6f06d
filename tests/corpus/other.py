"""Everything else the division's mailbox receives: it must all be `ignored`, though much of it
shares the report's words (plans about children, other 6-month reports, replies to reminders)."""
from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

from tests.corpus import attachments as A
from tests.corpus.make_corpus import Corpus, at
from tests.corpus.registry import BY_CODE, file_token, spoken
from tests.corpus.styles import DIVISION, Draft, b_words

SO = ("Văn phòng Sở GDĐT Bình Phước", "vanphong@binhphuoc.edu.vn")
DIV = ("Phòng GDTrH - Sở GDĐT Bình Phước", DIVISION)
UBND = ("Văn thư UBND tỉnh Bình Phước", "vanthu@binhphuoc.gov.vn")
BO = ("Bộ Giáo dục và Đào tạo", "congvan@moet.gov.vn")
LDTBXH = ("Sở Lao động - Thương binh và Xã hội", "sldtbxh@binhphuoc.gov.vn")
REMIND = {"S1": "Nhắc nộp báo cáo công tác trẻ em 6 tháng đầu năm 2024", "Y": "Nhắc nộp báo cáo công tác trẻ em năm 2024"}

LETTERS = [
    (SO, at(2024, 3, 14, 8), "Kế hoạch triển khai công tác trẻ em trong ngành Giáo dục năm 2024",
     "Sở GDĐT gửi Kế hoạch số 512/KH-SGDĐT triển khai công tác trẻ em năm 2024. Đề nghị các đơn vị báo cáo 6 tháng trước "
     "ngày 30/6/2024 và báo cáo năm trước ngày 10/12/2024 về Phòng GDTrH.", "KH 512-SGDDT cong tac tre em 2024.pdf", "dept-plan-cttre"),
    (SO, at(2024, 6, 3, 14), "V/v báo cáo công tác trẻ em 6 tháng đầu năm 2024",
     "Sở GDĐT đề nghị các đơn vị gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024 (theo mẫu đính kèm) trước ngày 30/6/2024.",
     "Mau bao cao CTTE 6 thang 2024.xlsx", "dept-request-s1"),
    (SO, at(2024, 11, 18, 15), "V/v báo cáo công tác trẻ em năm 2024",
     "Đề nghị các đơn vị báo cáo kết quả thực hiện công tác trẻ em năm 2024 trước ngày 10/12/2024.",
     "CV 2871 bao cao CTTE nam 2024.pdf", "dept-request-annual"),
    (UBND, at(2024, 5, 10, 9), "Kế hoạch tổ chức Tháng hành động vì trẻ em năm 2024",
     "UBND tỉnh ban hành Kế hoạch tổ chức Tháng hành động vì trẻ em năm 2024 với chủ đề \"Chung tay xây dựng môi trường "
     "sống an toàn, lành mạnh cho trẻ em\"; phòng, chống đuối nước, xâm hại trẻ em.", "KH thang hanh dong vi tre em 2024.pdf",
     "ubnd-plan-action-month"),
    (SO, at(2024, 4, 2, 10), "Giấy mời dự Hội nghị tập huấn công tác bảo vệ, chăm sóc trẻ em năm 2024",
     "Sở GDĐT trân trọng kính mời đại diện lãnh đạo đơn vị dự Hội nghị tập huấn công tác bảo vệ, chăm sóc trẻ em, "
     "phòng chống xâm hại, bạo lực học đường, vào lúc 7 giờ 30 ngày 10/4/2024.", "Giay moi tap huan.pdf", "dept-invitation-training"),
    (SO, at(2024, 5, 24, 16), "Thông báo tăng cường công tác phòng, chống đuối nước cho học sinh dịp hè 2024",
     "Để phòng ngừa tai nạn đuối nước trong dịp hè, Sở đề nghị các đơn vị tuyên truyền, phối hợp với gia đình quản lý trẻ em.",
     None, "dept-notice-drowning-prevention"),
    (BO, at(2024, 9, 9, 11), "Công văn V/v tăng cường các giải pháp phòng, chống bạo lực học đường",
     "Bộ GDĐT đề nghị các Sở chỉ đạo cơ sở giáo dục tăng cường phòng, chống bạo lực học đường, xâm hại trẻ em.",
     "CV 4512-BGDDT.pdf", "ministry-letter-violence"),
    (SO, at(2024, 2, 20, 9), "Quyết định thành lập Ban Chỉ đạo công tác trẻ em ngành Giáo dục năm 2024",
     "Sở GDĐT gửi Quyết định số 245/QĐ-SGDĐT thành lập Ban Chỉ đạo công tác trẻ em.", "QD 245.pdf", "dept-decision-cttre"),
    (SO, at(2024, 7, 29, 8), "Thông báo về vụ việc đuối nước tại hồ Suối Cam và chỉ đạo tăng cường phòng ngừa",
     "Ngày 27/7/2024 đã xảy ra vụ học sinh đuối nước tại hồ Suối Cam. Giám đốc Sở yêu cầu các đơn vị rút kinh nghiệm.",
     None, "dept-notice-about-an-incident"),
    (UBND, at(2024, 8, 26, 10), "Kế hoạch tổ chức Tết Trung thu cho trẻ em năm 2024",
     "UBND tỉnh ban hành kế hoạch tổ chức các hoạt động vui Tết Trung thu, tặng quà cho trẻ em có hoàn cảnh khó khăn.",
     "KH Trung thu 2024.pdf", "ubnd-plan-mid-autumn"),
    (LDTBXH, at(2024, 10, 1, 14), "V/v rà soát, thống kê số liệu trẻ em có hoàn cảnh đặc biệt năm 2024",
     "Đề nghị Sở GDĐT phối hợp rà soát số liệu trẻ em có hoàn cảnh đặc biệt, trẻ em bị xâm hại, trẻ em lao động trái pháp luật.",
     "Bieu mau ra soat.xlsx", "other-department-request-children-data"),
    (SO, at(2024, 11, 11, 15), "Giấy mời họp trực tuyến về phòng, chống xâm hại trẻ em trên môi trường mạng",
     "Kính mời đại diện Phòng GDTrH và các đơn vị dự họp trực tuyến lúc 14 giờ ngày 15/11/2024.", None, "dept-invitation-online"),
    (SO, at(2024, 5, 6, 7), "Thông báo lịch công tác tuần 19 năm 2024", "Lịch công tác của Ban Giám đốc Sở tuần 19/2024.",
     "Lich tuan 19.docx", "dept-weekly-schedule"),
    (SO, at(2024, 4, 19, 17), "Quyết định công nhận kết quả kỳ thi chọn học sinh giỏi cấp tỉnh năm học 2023-2024",
     "Sở GDĐT gửi Quyết định công nhận kết quả kỳ thi học sinh giỏi lớp 12.", "QD HSG.pdf", "dept-decision-other"),
    (SO, at(2024, 9, 12, 9), "Kế hoạch kiểm tra công tác phổ cập giáo dục, xóa mù chữ năm 2024",
     "Sở GDĐT gửi kế hoạch kiểm tra công tác phổ cập giáo dục tại các huyện, thị xã, thành phố.", "KH kiem tra PCGD.pdf",
     "dept-plan-other"),
    (SO, at(2024, 6, 17, 8), "Công văn hỏa tốc V/v báo cáo thiệt hại do mưa lốc tại các cơ sở giáo dục",
     "Đề nghị các đơn vị báo cáo nhanh thiệt hại về cơ sở vật chất do mưa lốc ngày 16/6/2024 trước 10 giờ ngày 18/6/2024.",
     None, "dept-urgent-letter-bao-cao-nhanh-words"),
    (BO, at(2024, 12, 2, 16), "Hướng dẫn tổ chức các hoạt động hưởng ứng Tháng hành động vì trẻ em năm 2025",
     "Bộ GDĐT hướng dẫn các Sở chuẩn bị hưởng ứng Tháng hành động vì trẻ em năm 2025.", None, "ministry-guidance-next-year"),
    (DIV, at(2024, 6, 23, 7, 30), REMIND["S1"],
     "Kính gửi các đơn vị,\n\nĐến nay Phòng GDTrH chưa nhận được báo cáo công tác trẻ em 6 tháng đầu năm 2024 của đơn vị. "
     "Đề nghị gửi trước ngày 30/6/2024.", "Mau bao cao CTTE.xlsx", "division-own-reminder-copy"),
]

OTHER_REPORTS = [  # (unit, when, subject, trap)
    ("S105", at(2024, 1, 12, 10), "Báo cáo sơ kết học kỳ I năm học 2023-2024", "other-report-semester"),
    ("BP02", at(2024, 1, 15, 14), "Báo cáo sơ kết học kỳ I năm học 2023 - 2024", "other-report-semester"),
    ("S113", at(2024, 6, 12, 9), "Báo cáo 6 tháng đầu năm 2024 công tác an toàn giao thông", "other-report-6-months-traffic-safety"),
    ("BP10", at(2024, 6, 14, 15), "Báo cáo công tác bảo đảm trật tự an toàn giao thông 6 tháng đầu năm 2024", "other-report-6-months-traffic-safety"),
    ("T201", at(2024, 6, 20, 10), "Báo cáo sơ kết 6 tháng đầu năm 2024 công tác phòng, chống ma túy", "other-report-6-months-drugs"),
    ("S117", at(2024, 6, 7, 11), "Báo cáo tổng kết năm học 2023-2024", "other-report-school-year"),
    ("BP05", at(2024, 6, 10, 8), "Báo cáo tổng kết năm học 2023-2024 (cấp THCS)", "other-report-school-year"),
    ("S103", at(2024, 6, 13, 16), "BÁO CÁO TỔNG KẾT NĂM HỌC 2023-2024", "other-report-school-year"),
    ("BP08", at(2024, 11, 22, 9), "Báo cáo công tác phổ cập giáo dục, xóa mù chữ năm 2024", "other-report-universal-education"),
    ("BP04", at(2024, 12, 3, 10), "Báo cáo kết quả phổ cập giáo dục năm 2024", "other-report-universal-education"),
    ("S111", at(2024, 6, 19, 14), "Báo cáo công tác y tế trường học năm học 2023-2024", "other-report-school-health"),
    ("S125", at(2024, 12, 6, 9), "Báo cáo tổng kết công tác thi đua, khen thưởng năm 2024", "other-report-annual-emulation"),
    ("T206", at(2024, 12, 9, 15), "Báo cáo tổng kết năm 2024 và phương hướng nhiệm vụ năm 2025", "other-report-annual-general"),
    ("S121", at(2024, 9, 20, 10), "Báo cáo thống kê đầu năm học 2024-2025", "other-report-start-of-year"),
    ("BP09", at(2024, 6, 21, 9), "Báo cáo kết quả công tác bình đẳng giới 6 tháng đầu năm 2024", "other-report-6-months-gender"),
    ("S114", at(2024, 12, 5, 10), "Báo cáo công tác phòng, chống tham nhũng năm 2024", "other-report-annual-anticorruption"),
    ("S118", at(2024, 7, 8, 10), "Báo cáo kết quả tuyển sinh lớp 10 năm học 2024-2025", "other-report-admissions"),
    ("S129", at(2024, 6, 25, 9), "Báo cáo sơ kết công tác dân tộc 6 tháng đầu năm 2024", "other-report-6-months-ethnic"),
    ("BP07", at(2024, 12, 4, 10), "Báo cáo tổng kết công tác Đội và phong trào thiếu nhi năm 2024", "other-report-annual-youth"),
    ("S124", at(2024, 1, 10, 10), "V/v báo cáo sơ kết HKI năm học 2023-2024", "other-report-semester"),
    ("T204", at(2024, 6, 27, 10), "Bao cao so ket 6 thang dau nam 2024", "other-report-6-months-generic-no-diacritics"),
    ("S107", at(2024, 12, 12, 10), "Báo cáo sơ kết học kỳ I năm học 2024-2025", "other-report-semester"),
]


BULK = [  # other periodic reports every unit sends: (subject, first day, spread in days, trap)
    ("Báo cáo sơ kết học kỳ I năm học 2023-2024", at(2024, 1, 8, 8), 12, "other-report-semester"),
    ("Báo cáo tổng kết năm học 2023-2024", at(2024, 5, 31, 8), 14, "other-report-school-year"),
    ("Báo cáo sơ kết học kỳ I năm học 2024-2025", at(2024, 12, 20, 8), 18, "other-report-semester"),
    ("Báo cáo 6 tháng đầu năm 2024 công tác cải cách hành chính", at(2024, 6, 10, 8), 12, "other-report-6-months-admin-reform"),
    ("Báo cáo công tác chuyển đổi số năm 2024", at(2024, 11, 28, 8), 12, "other-report-annual-digital"),
    ("Báo cáo kết quả kiểm tra nội bộ năm học 2023-2024", at(2024, 5, 20, 8), 20, "other-report-school-year"),
]


def bulk_reports(c: Corpus) -> None:
    rng = c.rng
    for subj, first, spread, trap in BULK:
        units = sorted(u.code for u in BY_CODE.values() if u.active_from <= first.date().isoformat()
                       and (not u.active_to or u.active_to >= first.date().isoformat()))
        for code in rng.sample(units, 5):
            u = BY_CODE[code]
            when = (first + dt.timedelta(days=rng.randint(0, spread))).replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59))
            s = rng.choice([subj, subj + " - " + spoken(u, rng), subj.upper()])
            d = Draft(spoken(u, rng), u.emails[0], s, f"Kính gửi Sở GDĐT,\n\nĐơn vị gửi báo cáo (file đính kèm).\n\nTrân trọng.",
                      when, c.msgid(), [(f"BC_{file_token(u)}.docx", A.docx([u.name, subj.upper(), "I. Kết quả", "II. Phương hướng"]))])
            c.mail(d, rng.choice(["smtp", "outlook", "gmail", "compat32", "hand"]), when, "ignored", None, None, None, trap)


def letters(c: Corpus) -> None:
    rng = c.rng
    for (name, addr), when, subj, body, fname, trap in LETTERS:
        fl = []
        if fname:
            fl = [(fname, A.blank_pdf() if fname.endswith(".pdf") else
                   A.xlsx_report(rng, None, "Kỳ báo cáo: 6 tháng đầu năm 2024", True) if fname.endswith(".xlsx") else
                   A.docx([subj]))]
        d = Draft(name, addr, subj, f"Kính gửi: Các đơn vị trực thuộc; Phòng GDĐT các huyện, thị xã, thành phố.\n\n{body}",
                  when, c.msgid(addr.split("@")[1]), fl, to="caccoquan@binhphuoc.edu.vn")
        d.headers = [("Cc", DIVISION)]
        c.mail(d, rng.choice(["smtp", "outlook", "compat32"]), when, "ignored", None, None, None, trap)


def other_reports(c: Corpus) -> None:
    rng = c.rng
    for code, when, subj, trap in OTHER_REPORTS:
        u = BY_CODE[code]
        text = [u.name, subj.upper(), "I. Đặc điểm tình hình", "II. Kết quả thực hiện nhiệm vụ"]
        if "traffic" in trap:
            text.append("Trong kỳ không có học sinh bị tai nạn giao thông nghiêm trọng; tổ chức 5 buổi tuyên truyền "
                        "đội mũ bảo hiểm cho 1.200 lượt học sinh.")
        fl = [(f"BC_{file_token(u)}.docx", A.docx(text))]
        d = Draft(spoken(u, rng), u.emails[0], subj, f"Kính gửi Sở GDĐT,\n\nĐơn vị gửi {subj[0].lower() + subj[1:]}.\n\nTrân trọng.",
                  when, c.msgid(), fl)
        c.mail(d, rng.choice(["smtp", "outlook", "gmail", "compat32"]), when, "ignored", None, None, None, trap)


def auto_replies(c: Corpus) -> None:
    """Out-of-office answers to the division's reminders, from unit addresses, often without headers."""
    cases = [("S108", "Re: " + REMIND["S1"], [("Auto-Submitted", "auto-replied")], at(2024, 6, 23, 7, 31), "ooo-auto-submitted"),
             ("BP04", "Trả lời tự động: " + REMIND["S1"], [], at(2024, 6, 23, 7, 32), "ooo-vi-no-header"),
             ("S116", "Automatic reply: " + REMIND["S1"], [("X-Auto-Response-Suppress", "All")], at(2024, 6, 23, 7, 33), "ooo-en-no-auto-submitted"),
             ("T207", "Out of Office: " + REMIND["Y"], [], at(2024, 12, 4, 7, 31), "ooo-en-no-header"),
             ("S104", REMIND["Y"], [("Auto-Submitted", "auto-replied"), ("Precedence", "bulk")], at(2024, 12, 4, 7, 35), "ooo-gmail-vacation-same-subject"),
             ("BP11", "Trả lời tự động: Re: V/v báo cáo công tác trẻ em năm 2024", [], at(2024, 11, 18, 15, 2), "ooo-vi-no-header")]
    for code, subj, headers, when, trap in cases:
        u = BY_CODE[code]
        d = Draft(spoken(u, c.rng), u.emails[0], subj,
                  "Tôi đang nghỉ phép đến hết ngày 05/7/2024, sẽ trả lời thư khi trở lại. Việc gấp xin liên hệ văn thư nhà trường."
                  if "S1" in trap or when.month < 8 else "Cảm ơn anh/chị đã gửi thư. Tôi đang đi công tác, sẽ phản hồi sau.",
                  when, c.msgid(), headers=headers + [("In-Reply-To", "<remind-2024@binhphuoc.edu.vn>")])
        c.mail(d, "outlook" if "vi" in trap or "en" in trap else "smtp", when, "ignored", None, None, None, trap)


def bounces(c: Corpus) -> None:
    rng = c.rng
    for when, addr, dsn, trap in [(at(2024, 6, 23, 7, 31), "c3dakia.cu@binhphuoc.edu.vn", True, "bounce-multipart-report"),
                                  (at(2024, 12, 4, 7, 32), "thcsdako@binhphuoc.edu.vn", False, "bounce-plain-mailer-daemon"),
                                  (at(2024, 12, 4, 7, 40), "lan.thpttranphu@gmail.com", True, "bounce-gmail-dsn"),
                                  (at(2024, 6, 23, 7, 45), "pgd.honquan.cu@binhphuoc.edu.vn", False, "bounce-exchange-vi")]:
        mid = c.msgid("mx01.binhphuoc.edu.vn")
        orig = (f"From: Phòng GDTrH <{DIVISION}>\nTo: {addr}\nSubject: {b_words(REMIND['S1' if when.month == 6 else 'Y'])}\n"
                f"Message-ID: <remind-{rng.getrandbits(32):x}@binhphuoc.edu.vn>\n")
        subj = {"bounce-exchange-vi": "Không gửi được: " + REMIND["S1"], "bounce-gmail-dsn": "Delivery Status Notification (Failure)"}.get(
            trap, "Undelivered Mail Returned to Sender")
        frm = "MAILER-DAEMON@mx01.binhphuoc.edu.vn (Mail Delivery System)" if "gmail" not in trap else "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"
        head = f"From: {frm}\nTo: {DIVISION}\nSubject: {b_words(subj)}\nDate: {format_datetime(when)}\nMessage-ID: {mid}\nMIME-Version: 1.0\n"
        if dsn:
            raw = (head + 'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn1"\n\n'
                   f"--dsn1\nContent-Type: text/plain; charset=us-ascii\n\nThis is the mail system at host mx01.binhphuoc.edu.vn.\n"
                   f"I'm sorry to have to inform you that your message could not be delivered.\n<{addr}>: host said: 550 5.1.1 User unknown\n"
                   f"--dsn1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx01.binhphuoc.edu.vn\n\n"
                   f"Final-Recipient: rfc822; {addr}\nAction: failed\nStatus: 5.1.1\n"
                   f"--dsn1\nContent-Type: text/rfc822-headers\n\n{orig}\n--dsn1--\n")
        else:
            raw = (head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                   f"Không thể chuyển thư tới {addr}: địa chỉ không tồn tại (550 5.1.1).\n\n"
                   f"------ This is a copy of the message, including all the headers. ------\n\n{orig}\n"
                   "Đến nay Phòng GDTrH chưa nhận được báo cáo công tác trẻ em của đơn vị. Đề nghị gửi báo cáo đúng hạn.\n")
        c.raw(raw.encode("utf-8"), when, "ignored", None, None, None, trap, subj, mid, sender="")


NEWSLETTERS = [
    ("Báo Bình Phước điện tử", "bantin@baobinhphuoc.com.vn", "<bantin.baobinhphuoc.com.vn>", at(2024, 6, 1, 6),
     "Bản tin sáng 1/6: Khai mạc Tháng hành động vì trẻ em, phát động phòng chống đuối nước", "newsletter-action-month"),
    ("UNICEF Việt Nam", "news@unicef.org.vn", "<news.unicef.org.vn>", at(2024, 7, 15, 20),
     "Bản tin: Bảo vệ trẻ em khỏi xâm hại và bạo lực trên môi trường mạng", "newsletter-child-protection"),
    ("Tạp chí Giáo dục", "newsletter@tapchigiaoduc.edu.vn", "<tcgd.tapchigiaoduc.edu.vn>", at(2024, 9, 5, 8),
     "Tạp chí Giáo dục số 12/2024: Báo cáo kết quả nghiên cứu về công tác trẻ em trong trường học", "newsletter-with-report-words"),
    ("Cổng thông tin Sở GDĐT", "noreply@binhphuoc.edu.vn", "<tin.binhphuoc.edu.vn>", at(2024, 12, 1, 6),
     "Tin mới: Sở GDĐT tổng kết 6 tháng đầu năm và triển khai nhiệm vụ", "newsletter-dept-portal"),
    ("Viettel Education", "marketing@viettel-edu.vn", "<promo.viettel-edu.vn>", at(2024, 8, 10, 9),
     "Giải pháp sổ liên lạc điện tử cho năm học 2024-2025", "newsletter-vendor"),
]

SPAM = [
    ("Sở GD&ĐT Bình Phước", "admin@binhphuoc-edu.com", at(2024, 3, 3, 2), "Thông báo: hộp thư của bạn sắp hết dung lượng, xác nhận tài khoản ngay",
     None, "spam-phishing-dept-name"),
    ("Vay nhanh 24h", "vaytien@mail-fast.top", at(2024, 4, 14, 23), "Vay tiêu dùng không thế chấp, giải ngân trong ngày", None, "spam-loan"),
    ("Lucky Draw", "winner@prize-intl.biz", at(2024, 8, 1, 4), "Congratulations! You have won $500,000", None, "spam-english"),
    ("Kế toán", "ketoan.hd@invoice-vn.net", at(2024, 6, 26, 13), "Re: Báo cáo", "Bao_cao.zip", "spam-re-bao-cao-zip"),
    ("THPT Bù Đốp", "c3budop@binhphuoc.edu.vn", at(2024, 10, 12, 3), "Hóa đơn điện tử tháng 10/2024", "HoaDon_102024.zip",
     "spoofed-unit-address-spam"),
    ("Khóa học online", "khoahoc@edu-sale.vn", at(2024, 11, 20, 11), "Khóa bồi dưỡng kỹ năng bảo vệ trẻ em - giảm 50% học phí",
     None, "spam-course-child-words"),
]


def lists_and_spam(c: Corpus) -> None:
    rng = c.rng
    for name, addr, lid, when, subj, trap in NEWSLETTERS:
        d = Draft(name, addr, subj, f"{subj}\n\nĐọc chi tiết tại website. Hủy đăng ký nhận bản tin tại đây.", when, c.msgid(addr.split("@")[1]),
                  headers=[("List-Id", lid), ("List-Unsubscribe", f"<mailto:unsubscribe@{addr.split('@')[1]}>"), ("Precedence", "list")])
        c.mail(d, "smtp", when, "ignored", None, None, None, trap)
    for name, addr, when, subj, fname, trap in SPAM:
        fl = [(fname, A.zipped([("HoaDon.pdf.exe", A.opaque(rng, b"MZ\x90\x00", 400))]))] if fname else []
        d = Draft(name, addr, subj, "Vui lòng mở tệp đính kèm hoặc bấm vào liên kết: http://bit.ly/xx" if fname or "spam" in trap else subj,
                  when, c.msgid(addr.split("@")[1]), fl)
        c.mail(d, rng.choice(["smtp", "hand"]), when, "ignored", None, None, None, trap)


def chatter(c: Corpus) -> None:
    """Units writing about the report without sending it."""
    rng = c.rng
    for code, when, subj, text, trap in [
            ("S127", at(2024, 11, 25, 10), "Hỏi về mẫu báo cáo công tác trẻ em năm 2024",
             "Kính gửi Phòng GDTrH, trường mới thành lập, xin hỏi mẫu báo cáo công tác trẻ em năm 2024 lấy ở đâu ạ?",
             "question-about-the-form"),
            ("S106", at(2024, 6, 28, 16), "Re: " + REMIND["S1"], "Dạ, trường sẽ gửi báo cáo trong chiều nay ạ.", "reminder-reply-promise-no-file"),
            ("BP02", at(2024, 12, 9, 8), "TL: " + REMIND["Y"], "Phòng GDĐT xin gia hạn nộp báo cáo đến ngày 15/12/2024 do đang tổng hợp số liệu các trường.",
             "reminder-reply-asks-extension")]:
        u = BY_CODE[code]
        d = Draft(spoken(u, rng), u.emails[0], subj, text, when, c.msgid())
        c.mail(d, "outlook" if subj.startswith("TL") else "smtp", when, "ignored", None, None, None, trap)


def build(c: Corpus) -> None:
    letters(c)
    other_reports(c)
    bulk_reports(c)
    auto_replies(c)
    bounces(c)
    lists_and_spam(c)
    chatter(c)
