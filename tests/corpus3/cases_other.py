"""Incidents, forwards and threads, hostile MIME, duplicates and everything the division ignores."""
from __future__ import annotations

import re

from tests.corpus3 import mailkit
from tests.corpus3.cases_reports import S1, T_S1, T_Y, Y, body, official, report
from tests.corpus3.mailkit import DIVISION, Attachment, Mail, at, excel, word
from tests.corpus3.make_corpus import Case

REMINDER = ("Kính gửi: Trường THPT Phước Long\n\nSở GDĐT đề nghị đơn vị gửi báo cáo công tác trẻ em 6 tháng "
            "đầu năm 2024 về Phòng Giáo dục Trung học (trunghoc@binhphuoc.edu.vn) trước ngày 30/6/2024.\n"
            "Trân trọng.\nPhòng Giáo dục Trung học - Sở GDĐT Bình Phước")
STAFF = "Nguyễn Văn An <annv.sgd@binhphuoc.edu.vn>"


def incident(trap, code, subject, when, text, *, sender=None, known=1, **kw) -> Case:
    return Case(trap, Mail(sender or official(code), subject, text, at(when), **kw), "incident", code, None, known)


def ignored(trap, sender, subject, when, text="", **kw) -> Case:
    return Case(trap, Mail(sender, subject, text, at(when), **kw), "ignored")


def _incidents() -> list[Case]:
    drown = ("Kính gửi Phòng GDTrH,\nVào khoảng 16 giờ ngày 12/5/2024, em Nguyễn Văn T., học sinh lớp 10A3, "
             "bị đuối nước khi tắm suối tại xã Lộc Thạnh. Nhà trường đã phối hợp chính quyền địa phương xử lý.\n"
             "Trường THPT Lộc Ninh báo cáo nhanh để Sở nắm.")
    return [
        incident("incident-date-in-subject", "thpt.locninh", "Báo cáo nhanh vụ việc học sinh bị đuối nước ngày 12/5/2024",
                 "2024-05-12 19:30", drown),
        incident("incident-follow-up", "thpt.locninh",
                 "Re: Báo cáo nhanh vụ việc học sinh bị đuối nước ngày 12/5/2024 - báo cáo bổ sung", "2024-05-16 08:10",
                 "Nhà trường báo cáo bổ sung: em T. đã được cứu sống, sức khỏe ổn định.\n\n> " + drown.replace("\n", "\n> ")),
        incident("incident-pgd-names-thcs", "pgd.dongphu", "Báo cáo nhanh vụ đuối nước học sinh Trường THCS Tân Lập",
                 "2024-07-20 18:00", "Phòng GDĐT huyện Đồng Phú báo cáo nhanh: ngày 20/7/2024 một học sinh Trường THCS "
                 "Tân Lập bị đuối nước tử vong tại hồ Suối Giai."),
        incident("incident-gmail-display-name", "thpt.dongphu", "V/v báo cáo vụ việc bạo lực học đường", "2024-10-03 11:00",
                 "Kính gửi Phòng GDTrH, nhà trường báo cáo vụ việc học sinh lớp 11 đánh nhau ngoài cổng trường.",
                 sender="Lê Thị Hoa - THPT Đồng Phú <hoalt.dp@gmail.com>", known=0),
        incident("incident-says-cong-tac-bao-ve-tre-em", "thpt.budang",
                 "Báo cáo đột xuất vụ việc học sinh bị xâm hại", "2024-09-10 15:00",
                 "Thực hiện chỉ đạo của Sở về công tác bảo vệ trẻ em, Trường THPT Bù Đăng báo cáo đột xuất vụ việc "
                 "một học sinh nữ lớp 10 bị xâm hại; nhà trường đã báo công an huyện."),
        incident("incident-caps-date", "thpt.chonthanh",
                 "BAO CAO NHANH VU TAI NAN GIAO THONG HOC SINH NGAY 03/10/2024", "2024-10-03 17:00",
                 "Hoc sinh lop 12A1 bi tai nan giao thong tren QL13, dang dieu tri tai benh vien.", subject_style="ascii"),
        incident("incident-follow-up-days-later", "thpt.chonthanh",
                 "Báo cáo bổ sung vụ tai nạn giao thông ngày 03/10/2024", "2024-10-08 09:00",
                 "Trường THPT Chơn Thành báo cáo bổ sung: học sinh đã xuất viện ngày 07/10/2024."),
        incident("incident-child-labour", "gdnn.budang", "Báo cáo vụ việc trẻ em lao động trái quy định",
                 "2024-08-14 10:00", "Trung tâm phát hiện 2 học viên dưới 16 tuổi làm việc tại cơ sở chế biến điều."),
        incident("incident-su-co", "dtnt.tinh", "Báo cáo nhanh sự cố học sinh ngộ độc thực phẩm", "2024-11-05 21:00",
                 "Trường PT DTNT tỉnh báo cáo nhanh: 14 học sinh có biểu hiện ngộ độc sau bữa tối."),
        incident("incident-signature-only-gmail", "thpt.lequydon", "Báo cáo nhanh về vụ việc học sinh tử vong",
                 "2024-08-02 07:00", "Kính gửi Sở GDĐT,\nNhà trường báo cáo nhanh vụ việc em H. lớp 11 tử vong do "
                 "điện giật tại nhà.\n\nHIỆU TRƯỞNG\nĐỗ Văn Hải\nTrường THPT Lê Quý Đôn",
                 sender="Do Van Hai <dovanhai1970@gmail.com>", known=0),
        incident("incident-cp1258-subject", "pgd.bugiamap", "Báo cáo nhanh vụ đuối nước tại xã Đak Ơ", "2024-06-16 18:00",
                 "Phòng GDĐT huyện Bù Gia Mập báo cáo nhanh vụ 2 học sinh tiểu học bị đuối nước.", subject_style="cp1258"),
        incident("incident-redelivered-original", "thcsthpt.vothisau",
                 "Báo cáo vụ việc bạo lực học đường xảy ra ngày 20/11/2024", "2024-11-21 10:00",
                 "Trường THCS và THPT Võ Thị Sáu báo cáo vụ việc học sinh lớp 9 bị bạn đánh.",
                 msgid="<vts-incident-2011@binhphuoc.edu.vn>"),
        Case("duplicate-redelivered-incident", Mail(official("thcsthpt.vothisau"),
             "Báo cáo vụ việc bạo lực học đường xảy ra ngày 20/11/2024",
             "Trường THCS và THPT Võ Thị Sáu báo cáo vụ việc học sinh lớp 9 bị bạn đánh.", at("2024-11-21 10:07"),
             date=at("2024-11-21 09:58"), msgid="<vts-incident-2011@binhphuoc.edu.vn>"), "duplicate"),
    ]


def _threads_and_forwards() -> list[Case]:
    quoted = ("\n\nVào Th 2, 24 thg 6, 2024 lúc 08:00, Phòng Giáo dục Trung học <trunghoc@binhphuoc.edu.vn> đã viết:\n"
              "> Đề nghị các đơn vị gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024.\n"
              "> Vào ngày 20/6/2024, Trường THPT Phú Riềng đã viết:\n>> Dạ cho em hỏi mẫu báo cáo ạ.\n"
              ">>> -----Original Message-----\n>>> Kính gửi các đơn vị, Sở gửi mẫu báo cáo năm 2024.")
    annual_thread = ("Dạ Trung tâm gửi báo cáo tổng kết năm ạ.\n\n-----Original Message-----\nFrom: trunghoc@binhphuoc.edu.vn\n"
                     "Sent: Monday, June 24, 2024 8:00 AM\nSubject: RE: Báo cáo công tác trẻ em 6 tháng đầu năm 2024\n\n"
                     "Phòng đã nhận báo cáo 6 tháng đầu năm của Trung tâm. Đề nghị gửi báo cáo năm trước 10/12.")
    original = mailkit.build(Mail(official("thpt.budang"), "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                                  body("thpt.budang", "báo cáo công tác trẻ em 6 tháng đầu năm 2024"),
                                  at("2024-06-28 10:00"), to="phongtrunghoc.sgd@gmail.com",
                                  attachments=(word("BC CTTE THPT Bu Dang.docx", "Trường THPT Bù Đăng", T_S1),)), 900)
    inline_fwd = ("---------- Forwarded message ---------\nFrom: Trường THCS và THPT Đăng Hà <c2c3dangha@binhphuoc.edu.vn>\n"
                  "Date: Wed, 11 Dec 2024 at 07:40\nSubject: Báo cáo công tác trẻ em năm 2024\n"
                  "To: <annv.sgd@binhphuoc.edu.vn>\n\nKính gửi thầy An, nhà trường gửi báo cáo năm 2024.\n")
    gmail_fwd = ("---------- Forwarded message ---------\nFrom: Hoàng Thị Mai <hoangthimai1985@gmail.com>\n"
                 "Date: Sun, 30 Jun 2024 at 20:00\nSubject: bao cao tre em\nTo: <annv.sgd@binhphuoc.edu.vn>\n\n"
                 "Em gửi báo cáo công tác trẻ em 6 tháng của trường ạ.\nHoàng Thị Mai\nTrường THPT Thống Nhất\n")
    return [
        report("long-thread-re-re-re-fwd", "thpt.dakia", "Re: Re: Re: Fwd: V/v báo cáo công tác trẻ em 6 tháng đầu năm 2024",
               "2024-07-02 09:00", S1, text="Dạ Trường THPT Đa Kia gửi báo cáo ạ." + quoted),
        report("thread-quotes-s1-but-annual", "gdnn.honquan", "RE: RE: RE: Báo cáo công tác trẻ em",
               "2024-12-06 09:00", Y, text=annual_thread,
               files=(word("BC tong ket CTTE 2024.docx", "Trung tâm GDNN-GDTX huyện Hớn Quản", T_Y),)),
        Case("staff-forward-rfc822", Mail(STAFF, "Fwd: Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                                          "Chuyển hộp thư phòng.", at("2024-07-01 08:00"), rfc822=original),
             "report", "thpt.budang", S1, 1),
        report("staff-forward-inline-gmail-style", "thcsthpt.dangha",
               "Fwd: Báo cáo công tác trẻ em năm 2024", "2024-12-11 08:00", Y, sender=STAFF, text=inline_fwd,
               files=(word("BC CTTE 2024 Dang Ha.docx", "Trường THCS và THPT Đăng Hà", T_Y),)),
        report("staff-forward-of-teacher-gmail", "thpt.thongnhat", "Fwd: bao cao tre em", "2024-07-01 08:30", S1,
               sender=STAFF, text=gmail_fwd, known=0, files=(word("baocao.docx", "", T_S1),)),
    ]


def _strip_end(raw: bytes) -> bytes:
    return re.sub(rb"\r\n--[^\r\n]+--\r\n$", b"\r\n", raw)


def _lie_base64(raw: bytes) -> bytes:
    return raw.replace(b"Content-Transfer-Encoding: 8bit", b"Content-Transfer-Encoding: base64", 1)


def _hostile() -> list[Case]:
    broken = report("mime-missing-end-boundary", "thcsthpt.vothisau", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                    "2024-06-21 10:00", S1)
    lying = report("mime-8bit-declared-base64", "thpt.budop", "Báo cáo công tác trẻ em năm 2024 - THPT Thanh Hòa",
                   "2024-12-04 10:00", Y, body_cte="8bit")
    base = report("baseline-copy-in-maildir-twice", "thpt.hungvuong", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                  "2024-06-21 11:00", S1)
    dup = report("duplicate-cc-copy", "thpt.nguyenkhuyen", "Báo cáo công tác trẻ em năm 2024 - THPT Nguyễn Khuyến",
                 "2024-12-09 14:01", Y, cc="Giám đốc Sở <giamdoc@binhphuoc.edu.vn>, phogiamdoc2@binhphuoc.edu.vn",
                 to="trunghoc@binhphuoc.edu.vn, vanphong@binhphuoc.edu.vn", msgid="<nk-annual-2024@binhphuoc.edu.vn>",
                 date=at("2024-12-09 13:58"))
    return [Case(broken.trap, broken.mail, "report", broken.unit, broken.period, 1, mangle=_strip_end),
            Case(lying.trap, lying.mail, "report", lying.unit, lying.period, 1, mangle=_lie_base64),
            Case(base.trap, base.mail, "report", base.unit, base.period, 1, copies=2),
            Case(dup.trap, dup.mail, "duplicate")]


def _bounce(trap: str, sender: str, when: str, multipart: bool) -> Case:
    text = (f"This is the mail system at host mail.binhphuoc.edu.vn.\n\nI'm sorry to have to inform you that your "
            f"message could not be delivered.\n\n<c3phuoclong.old@binhphuoc.edu.vn>: host said: 550 5.1.1 "
            f"User unknown\n\n--- Original message ---\nSubject: Nhắc báo cáo công tác trẻ em 6 tháng đầu năm 2024\n\n{REMINDER}")
    extra = ("Auto-Submitted: auto-replied",) if multipart else ()
    mail = Mail(sender, "Undelivered Mail Returned to Sender", text, at(when), extra_headers=extra, subject_style="ascii")
    if not multipart:
        return Case(trap, mail, "ignored")
    status = Attachment("status.txt", b"Reporting-MTA: dns; mail.binhphuoc.edu.vn\r\nFinal-Recipient: rfc822; "
                        b"c3phuoclong.old@binhphuoc.edu.vn\r\nAction: failed\r\nStatus: 5.1.1\r\n",
                        "message/delivery-status", inline=True)
    return Case(trap, Mail(sender, mail.subject, text, mail.received, extra_headers=extra, subject_style="ascii",
                           attachments=(status,)), "ignored",
                mangle=lambda raw: raw.replace(b"multipart/mixed;", b"multipart/report; report-type=delivery-status;", 1))


def _read_receipt() -> Case:
    """An Outlook read receipt: multipart/report with a message/disposition-notification part."""
    mdn = Attachment("mdn.txt", b"Reporting-UA: Microsoft Outlook\r\nFinal-Recipient: rfc822;c3chuvanan@binhphuoc.edu.vn\r\n"
                     b"Disposition: manual-action/MDN-sent-manually; displayed\r\n", "message/disposition-notification",
                     inline=True)
    mail = Mail(official("thpt.chuvanan"), "Đã đọc: Nhắc báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                "Thư của bạn đã được đọc.", at("2024-06-24 09:00"), subject_style="q", attachments=(mdn,))
    return Case("read-receipt-mdn", mail, "ignored", mangle=lambda raw: raw.replace(
        b"multipart/mixed;", b"multipart/report; report-type=disposition-notification;", 1))


def _more() -> list[Case]:
    """A few more ordinary reports and cases so the rates are not decided by one mail."""
    return [
        report("official-resend-after-vp-gmail", "thpt.lochiep",
               "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - THPT Lộc Hiệp", "2024-07-01 10:30", S1,
               files=(word("BC CTTE 6T - Loc Hiep (ky so).docx", "Trường THPT Lộc Hiệp", T_S1, "Bản có chữ ký số."),)),
        report("annual-vothisau", "thcsthpt.vothisau", "Báo cáo công tác trẻ em năm 2024", "2024-12-06 08:00", Y),
        report("annual-ngoquyen", "thpt.ngoquyen", "Báo cáo tổng kết công tác trẻ em năm 2024", "2024-12-09 10:00", Y),
        report("annual-lochiep-late", "thpt.lochiep", "Báo cáo công tác trẻ em năm 2024 (chậm)", "2024-12-16 09:00", Y),
        report("s1-dongxoai-pgd-annual", "pgd.dongxoai", "Báo cáo công tác trẻ em năm 2024", "2024-12-09 09:00", Y),
        report("annual-tranphu", "thpt.tranphu", "Báo cáo công tác trẻ em năm 2024", "2024-12-04 09:00", Y),
        report("s1-budang-pgd", "pgd.budang", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "2024-06-28 09:00", S1),
        report("s1-chonthanh-pgd", "pgd.chonthanh", "Báo cáo sơ kết công tác trẻ em 6 tháng đầu năm 2024",
               "2024-06-29 09:00", S1),
        incident("incident-xam-hai-gdtx", "gdtx.tinh", "Báo cáo nhanh vụ việc học viên bị xâm hại", "2024-04-02 10:00",
                 "Trung tâm GDTX tỉnh báo cáo nhanh vụ việc một học viên 15 tuổi bị xâm hại."),
        ignored("ministry-circular", "Văn phòng Bộ GDĐT <vanphong@moet.gov.vn>",
                "Công văn hướng dẫn nhiệm vụ năm học 2024-2025", "2024-08-20 10:00", "Bộ GDĐT gửi công văn hướng dẫn."),
    ]


def _ignored() -> list[Case]:
    news = ("BẢN TIN GIÁO DỤC SỐ 24/2024\n\nTháng hành động vì trẻ em: bảo vệ trẻ em, vì quyền trẻ em, chăm sóc trẻ em "
            "toàn diện.\nPhòng, chống đuối nước trẻ em mùa hè; phòng, chống bạo lực học đường, xâm hại trẻ em.\n"
            "Các địa phương tổng kết công tác trẻ em 6 tháng đầu năm 2024.\nĐể hủy nhận bản tin, bấm vào đây.")
    return [
        ignored("da-nhan-echo-reminder", official("thpt.phuoclong"), "Re: Nhắc báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                "2024-06-24 10:30", "Đã nhận. Trân trọng.\n\n> " + REMINDER.replace("\n", "\n> ")),
        ignored("da-nhan-will-send", official("gdnn.locninh"), "RE: Nhắc báo cáo công tác trẻ em năm 2024",
                "2024-12-04 08:00", "Dạ, đơn vị đã nhận được. Sẽ gửi trước ngày 10/12 ạ.\n\n> "
                + REMINDER.replace("6 tháng đầu năm 2024", "năm 2024").replace("\n", "\n> ")),
        _bounce("bounce-multipart-report", "Mail Delivery System <MAILER-DAEMON@binhphuoc.edu.vn>", "2024-06-24 08:01", True),
        _bounce("bounce-plain-text", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "2024-12-03 07:31", False),
        ignored("out-of-office-auto-submitted", official("thpt.hungvuong"), "Tự động trả lời: Nhắc báo cáo công tác trẻ em",
                "2024-06-24 08:02", "Tôi đang đi công tác đến hết ngày 28/6/2024.",
                extra_headers=("Auto-Submitted: auto-replied",)),
        ignored("out-of-office-outlook-no-auto-submitted", official("pgd.binhlong"),
                "Trả lời tự động: Nhắc báo cáo công tác trẻ em năm 2024", "2024-12-03 07:35",
                "Tôi nghỉ phép đến ngày 09/12/2024. Việc gấp xin liên hệ văn thư.",
                extra_headers=("X-Auto-Response-Suppress: All",)),
        ignored("ministry-newsletter-tre-em", "Bộ Giáo dục và Đào tạo <bantin@moet.gov.vn>",
                "Bản tin Giáo dục số 24/2024: Tháng hành động vì trẻ em", "2024-06-10 06:00", news,
                extra_headers=("Precedence: bulk", "List-Unsubscribe: <mailto:unsub@moet.gov.vn>"), html=True),
        ignored("unicef-newsletter", "UNICEF Việt Nam <newsletter@unicef.org>", "Bảo vệ trẻ em trên môi trường mạng",
                "2024-09-01 06:00", "Bảo vệ trẻ em trên môi trường mạng là công tác trẻ em cấp bách.",
                extra_headers=("List-Unsubscribe: <https://unicef.org/unsub>",)),
        ignored("other-report-so-ket-hk1", official("thpt.nguyendu"), "Báo cáo sơ kết học kỳ I năm học 2024-2025",
                "2025-01-10 10:00", body("thpt.nguyendu", "báo cáo sơ kết học kỳ I", cases=False),
                attachments=(word("BC so ket HKI.docx", "Trường THPT Nguyễn Du", "BÁO CÁO sơ kết học kỳ I"),)),
        ignored("other-report-tong-ket-nam-hoc", official("pgd.budang"), "Báo cáo tổng kết năm học 2023-2024",
                "2024-06-15 10:00", body("pgd.budang", "báo cáo tổng kết năm học", cases=False),
                attachments=(word("BC tong ket nam hoc.docx", "Phòng GDĐT huyện Bù Đăng", "BÁO CÁO tổng kết năm học"),)),
        ignored("other-report-ma-tuy-6-thang", official("thpt.hungvuong"),
                "Báo cáo công tác phòng, chống ma túy 6 tháng đầu năm 2024", "2024-06-20 10:00",
                body("thpt.hungvuong", "báo cáo phòng, chống ma túy", cases=False),
                attachments=(word("BC PCMT.docx", "Trường THPT Hùng Vương", "BÁO CÁO phòng, chống ma túy"),)),
        ignored("other-report-y-te-nam-negated-case-words", official("thpt.dongxoai"), "Báo cáo công tác y tế trường học năm 2024",
                "2024-12-05 10:00", body("thpt.dongxoai", "báo cáo y tế trường học"),
                attachments=(excel("BC y te.xlsx", "BÁO CÁO Y TẾ TRƯỜNG HỌC"),)),
        ignored("plan-thang-hanh-dong", official("pgd.phuoclong"), "Kế hoạch tổ chức Tháng hành động vì trẻ em năm 2024",
                "2024-05-10 10:00", "Phòng GDĐT gửi kế hoạch.",
                attachments=(word("KH thang hanh dong.docx", "Phòng GDĐT thị xã Phước Long", "KẾ HOẠCH"),)),
        ignored("division-sent-copy-reminder", "Phòng Giáo dục Trung học <trunghoc@binhphuoc.edu.vn>",
                "Nhắc nộp báo cáo công tác trẻ em 6 tháng đầu năm 2024", "2024-06-24 08:00", REMINDER,
                to="c3phuoclong@binhphuoc.edu.vn, c3locthai@binhphuoc.edu.vn"),
        ignored("department-request-letter", "Văn phòng Sở <vanphong@binhphuoc.edu.vn>",
                "V/v triển khai báo cáo công tác trẻ em năm 2024", "2024-11-15 10:00",
                "Văn phòng chuyển Phòng GDTrH công văn số 1234/SGDĐT-GDTrH.",
                attachments=(word("CV 1234 SGDDT-GDTrH.docx", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "V/v báo cáo công tác trẻ em năm 2024"),)),
        ignored("question-thread-no-file", official("thpt.tranphu"), "Re: Re: Hỏi về mẫu báo cáo công tác trẻ em",
                "2024-06-10 10:00", "Dạ cho em hỏi mục D trong mẫu báo cáo công tác trẻ em ghi số vụ hay số em ạ?"),
        ignored("spam", "Siêu thị điện máy <promo@dienmay-sale.vn>", "Khuyến mãi lớn cuối năm - giảm đến 50%",
                "2024-11-20 09:00", "Mua ngay hôm nay!"),
        ignored("hkpd-registration", official("thpt.phurieng"), "Đăng ký tham dự Hội khỏe Phù Đổng cấp tỉnh",
                "2024-03-12 10:00", "Nhà trường gửi danh sách vận động viên.",
                attachments=(excel("DS HKPD.xlsx", "DANH SÁCH VẬN ĐỘNG VIÊN"),)),
        ignored("school-plan-cong-tac-tre-em", official("thpt.locthai"), "Kế hoạch thực hiện công tác trẻ em năm 2024",
                "2024-02-20 10:00", "Nhà trường gửi kế hoạch thực hiện công tác trẻ em năm 2024.",
                attachments=(word("KH CTTE 2024.docx", "Trường THPT Lộc Thái", "KẾ HOẠCH thực hiện công tác trẻ em năm 2024"),)),
        ignored("meeting-invitation", "Văn phòng Sở <vanphong@binhphuoc.edu.vn>", "Giấy mời họp giao ban tháng 10",
                "2024-10-01 07:00", "Kính mời lãnh đạo Phòng GDTrH dự họp."),
        ignored("generic-so-ket-6-thang", official("thpt.lochiep"), "Báo cáo sơ kết 6 tháng đầu năm 2024",
                "2024-06-25 10:00", body("thpt.lochiep", "báo cáo sơ kết công tác 6 tháng đầu năm 2024 của nhà trường", cases=False),
                attachments=(word("BC so ket 6 thang.docx", "Trường THPT Lộc Hiệp", "BÁO CÁO sơ kết 6 tháng đầu năm"),)),
        _read_receipt(),
        ignored("leadership-reply-all-no-file", "Giám đốc Sở <giamdoc@binhphuoc.edu.vn>",
                "Re: Báo cáo công tác trẻ em năm 2024 - THPT Nguyễn Khuyến", "2024-12-09 16:00",
                "Phòng GDTrH tổng hợp chung.\n\n> Trường THPT Nguyễn Khuyến gửi báo cáo công tác trẻ em năm 2024."),
        ignored("thank-you", official("thpt.chuyenbinhlong"), "Thư cảm ơn", "2024-11-20 10:00",
                "Nhà trường trân trọng cảm ơn Sở nhân ngày Nhà giáo Việt Nam 20/11."),
        ignored("pgd-statistics-start-of-year", official("pgd.honquan"), "Báo cáo số liệu thống kê đầu năm học 2024-2025",
                "2024-10-05 10:00", "Phòng GDĐT gửi số liệu thống kê.",
                attachments=(excel("TK dau nam.xlsx", "THỐNG KÊ ĐẦU NĂM HỌC"),)),
        ignored("training-registration", official("thpt.budang"), "Danh sách giáo viên đăng ký tập huấn chương trình GDPT 2018",
                "2024-07-15 10:00", "Nhà trường gửi danh sách.", attachments=(excel("DS tap huan.xlsx", "DANH SÁCH"),)),
    ]


def cases() -> list[Case]:
    return [*_incidents(), *_threads_and_forwards(), *_hostile(), *_ignored(), *_more()]
