"""Ad-hoc case reports ("báo cáo nhanh", "đột xuất") and their follow-ups."""
from __future__ import annotations

import datetime as dt

from parsers.legacy import encode
from tests.corpus import attachments as A
from tests.corpus.make_corpus import Corpus, at
from tests.corpus.registry import BY_CODE, spoken
from tests.corpus.reports import person
from tests.corpus.styles import Draft

# (unit, when, subject, what happened, style, trap, follow-up subject or None)
CASES = [
    ("BP05", at(2024, 5, 19, 7, 40), "Báo cáo nhanh vụ việc học sinh bị đuối nước",
     "Khoảng 16 giờ ngày 18/5/2024, em N.V.A (lớp 7, Trường THCS Đoàn Đức) cùng 02 bạn đi tắm suối tại thôn 3, "
     "xã Đức Liễu; em A bị đuối nước, được người dân vớt lên nhưng đã tử vong.", "smtp", "incident-drowning",
     "Re: Báo cáo nhanh vụ việc học sinh bị đuối nước"),
    ("S120", at(2024, 3, 12, 15), "Báo cáo đột xuất vụ việc học sinh đánh nhau gây thương tích",
     "Giờ ra chơi ngày 11/3/2024, 04 học sinh lớp 11 đánh nhau tại sân trường, 01 em bị thương phải khâu 5 mũi.",
     "outlook", "incident-violence", "Báo cáo bổ sung vụ việc học sinh đánh nhau tại Trường THPT Thanh Hòa"),
    ("BP07", at(2024, 4, 8, 10), "BÁO CÁO NHANH VỤ VIỆC HỌC SINH BỊ XÂM HẠI TÌNH DỤC",
     "Ngày 06/4/2024, gia đình em L.T.B (lớp 6) trình báo em bị một người hàng xóm xâm hại tình dục; "
     "Công an huyện đã tiếp nhận, nhà trường phối hợp hỗ trợ tâm lý cho em.", "outlook", "incident-sexual-abuse-uppercase", None),
    ("S112", at(2024, 10, 7, 19), "Bao cao nhanh vu tai nan giao thong lam 01 hoc sinh tu vong",
     "Sang 07/10/2024 tren DT741, em T.V.C lop 10A5 di xe dap dien bi xe tai va cham, tu vong tai cho.",
     "iphone-gmail", "incident-traffic-no-diacritics-principal-gmail", None),
    ("T205", at(2024, 9, 18, 9), "Báo cáo vụ việc trẻ em lao động trái quy định tại cơ sở chế biến hạt điều",
     "Qua kiểm tra, 03 học viên dưới 16 tuổi của Trung tâm bỏ học đi làm tại cơ sở chế biến hạt điều ở xã Tân Khai, "
     "làm ca đêm, công việc nặng nhọc.", "compat32", "incident-child-labour", None),
    ("S101", at(2024, 11, 4, 14), "Báo cáo sự việc học sinh bị bạo lực trên mạng xã hội",
     "Một nhóm học sinh lập nhóm trên mạng xã hội lăng mạ, bêu xấu em N.T.D lớp 11 Văn; em D hoảng loạn, nghỉ học 3 ngày.",
     "hand", "incident-cyber-violence-su-viec", None),
    ("BP09", at(2024, 8, 22, 8), "Báo cáo đột xuất về công tác bảo vệ trẻ em: học sinh lớp 5 bị xâm hại",
     "Ngày 20/8/2024, em H.T.E học sinh lớp 5 Trường Tiểu học Tân Hưng bị người quen xâm hại; vụ việc đã được "
     "trình báo Công an.", "smtp", "incident-with-cttre-keywords", None),
    ("S128", at(2024, 10, 15, 11), "Báo cáo nhanh vụ việc học sinh bị tai nạn thương tích trong giờ ra chơi",
     "Em K'Th (lớp 10) ngã từ cầu thang tầng 2 khu nội trú, gãy tay, đã được đưa đi Bệnh viện tỉnh.",
     "gmail", "incident-injury", None),
    ("BP11", at(2024, 7, 14, 18), "Báo cáo nhanh vụ đuối nước làm 02 học sinh tử vong",
     "Chiều 14/7/2024, 02 em học sinh lớp 8 Trường THCS Phú Trung rủ nhau tắm tại hồ thủy lợi Phú Riềng Đỏ "
     "và bị đuối nước, tử vong.", "outlook", "incident-drowning-summer",
     "TL: Báo cáo nhanh vụ đuối nước làm 02 học sinh tử vong"),
    ("S122", at(2024, 10, 22, 21), "Báo cáo nhanh vụ việc học sinh bị đánh hội đồng, clip lan truyền trên mạng",
     "Tối 21/10/2024 xuất hiện clip 03 nữ sinh lớp 10 đánh một bạn cùng lớp ngoài cổng trường.",
     "gmail-principal", "incident-violence-principal-gmail", "Re: Báo cáo nhanh vụ việc học sinh bị đánh hội đồng, clip lan truyền trên mạng"),
    ("BP03", at(2024, 2, 27, 9), "V/v báo cáo vụ việc giáo viên có hành vi xâm hại học sinh",
     "Phụ huynh phản ánh 01 giáo viên Trường THCS Long Giang có hành vi sàm sỡ học sinh nữ lớp 8; Phòng đã tạm đình chỉ "
     "giảng dạy giáo viên để xác minh.", "compat32", "incident-teacher-abuse-vv", None),
    ("T203", at(2024, 12, 16, 7, 30), "Báo cáo đột xuất: học viên bị tai nạn giao thông trên đường đi học",
     "Sáng 16/12/2024 em P.V.G (học viên lớp 10) bị tai nạn giao thông trên QL13, chấn thương sọ não.",
     "smtp", "incident-traffic-december", None),
    ("S126", at(2024, 9, 30, 16), "Báo cáo nhanh vụ việc học sinh bỏ nhà đi, nghi bị dụ dỗ",
     "Em Đ.T.H (lớp 8) bỏ nhà đi từ ngày 27/9/2024, gia đình nghi em bị đối tượng quen trên mạng dụ dỗ.",
     "hand", "incident-missing-child", None),
    ("BP06", at(2024, 6, 5, 10), "Báo cáo nhanh vụ việc trẻ em bị bạo hành tại nhà",
     "Em T.V.K (lớp 3) bị cha dượng đánh gây nhiều vết bầm tím; nhà trường phát hiện và báo chính quyền xã.",
     "tcvn3", "incident-tcvn3-subject-in-june", None),
    ("S109", at(2024, 1, 23, 16), "Báo cáo nhanh vụ việc",
     "Trường báo cáo nhanh vụ việc học sinh lớp 12 bị nhóm thanh niên ngoài trường chặn đánh (chi tiết trong file).",
     "docx", "incident-short-subject-docx", None),
    ("BP01", at(2024, 7, 27, 19), "Báo cáo vụ việc học sinh bị đuối nước tại hồ Suối Cam",
     "Khoảng 17 giờ ngày 27/7/2024, em L.Q.M (lớp 9) bị đuối nước khi tắm tại hồ Suối Cam, đã được cứu sống.",
     "smtp", "incident-drowning-rescued", "Báo cáo bổ sung vụ việc học sinh đuối nước tại hồ Suối Cam"),
]


def build(c: Corpus) -> None:
    rng = c.rng
    for code, when, subj, what, style, trap, follow in CASES:
        u = BY_CODE[code]
        body = f"Kính gửi: Sở GDĐT (Phòng GDTrH).\n\n{spoken(u, rng)} báo cáo nhanh như sau:\n{what}\n\nĐơn vị sẽ tiếp tục báo cáo."
        d = Draft(spoken(u, rng), u.emails[0], subj, body, when, c.msgid())
        known, wstyle = 1, style
        if style in ("iphone-gmail", "gmail-principal"):
            name, addr = person(rng)
            d.name, d.addr, d.msgid = name, addr, c.msgid("mail.gmail.com")
            d.body = what + f"\n\n{name}\nHiệu trưởng {u.name}"
            known, wstyle = 0, "iphone" if style == "iphone-gmail" else "gmail"
        elif style == "tcvn3":
            d.raw_subject, wstyle = encode(subj, "tcvn3").encode("cp1252"), "hand"
        elif style == "docx":
            d.files, wstyle = [("BC nhanh vu viec.docx", A.incident_docx(u.name, what))], "compat32"
        if rng.random() < 0.4 and not d.files:
            d.files = [("Bao cao nhanh.docx", A.incident_docx(u.name, what))]
        c.mail(d, wstyle, when, "incident", code, None, known, trap)
        if follow:
            later = at(when.year, when.month, when.day, 9) + dt.timedelta(days=rng.randint(1, 3))
            f = Draft(d.name, d.addr, follow, "Đơn vị báo cáo bổ sung: em học sinh đã được hỗ trợ tâm lý, gia đình ổn định; "
                      "đơn vị đã tổ chức rút kinh nghiệm và tuyên truyền phòng ngừa.\n\n> " + what, later,
                      c.msgid("mail.gmail.com" if known == 0 else "binhphuoc.edu.vn"))
            c.mail(f, "outlook" if follow.startswith("TL:") else "smtp", later, "incident", code, None, known,
                   "incident-followup-" + {"Re:": "re", "TL:": "tl"}.get(follow.split()[0], "bo-sung"))
