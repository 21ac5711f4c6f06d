"""Report mails (and the unplaced ones): the traps of unit, period and sender."""
from __future__ import annotations

from tests.corpus3.mailkit import Attachment, Mail, at, excel, opaque, word
from tests.corpus3.make_corpus import Case, unit_email, unit_names

S1, Y = "2024S1", "2024"
T_S1 = "BÁO CÁO\nKết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024"
T_Y = "BÁO CÁO\nTổng kết công tác trẻ em năm 2024"
SIGN = "\n\nTrân trọng./.\n"
NONE_HAPPENED = ("Trong kỳ báo cáo, đơn vị không để xảy ra vụ việc bạo lực học đường, xâm hại trẻ em; "
                 "không có học sinh bị đuối nước hay tai nạn giao thông nghiêm trọng.")


def official(code: str) -> str:
    return f"{unit_names()[code]} <{unit_email(code)}>"


def body(code_or_name: str, what: str, extra: str = "", cases: bool = True) -> str:
    name = unit_names().get(code_or_name, code_or_name)
    return (f"Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT Bình Phước.\n\n{name} gửi {what}.\n"
            f"{NONE_HAPPENED if cases else ''}\n{extra}{SIGN}")


def report(trap: str, code: str, subject: str, when: str, period: str, *, sender: str | None = None,
           text: str | None = None, files: tuple[Attachment, ...] | None = None, known: int = 1, **kw) -> Case:
    """A report mail of `code`; by default from its official address with a Word file."""
    title = T_S1 if period == S1 else T_Y
    if files is None:
        files = (word("Bao cao cong tac tre em.docx", unit_names()[code], title),)
    mail = Mail(sender or official(code), subject, text if text is not None else body(code, "báo cáo như file đính kèm"),
                at(when), attachments=files, **kw)
    return Case(trap, mail, "report", code, period, known)


def _standard() -> list[Case]:
    return [
        report("baseline", "thpt.locninh", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - THPT Lộc Ninh",
               "2024-06-25 09:12", S1),
        report("caps-no-diacritics", "thpt.locthai", "BAO CAO CONG TAC TRE EM 6 THANG DAU NAM 2024 - THPT LOC THAI",
               "2024-06-27 15:40", S1, files=(excel("BC CTTE 6T.xlsx", "BAO CAO CONG TAC TRE EM"),), subject_style="ascii"),
        report("caps-annual-early-dec", "thpt.hungvuong", "BC CTTE NAM 2024 - THPT HUNG VUONG", "2024-12-06 10:05", Y,
               subject_style="ascii"),
        report("annual-late-jan2025", "pgd.budop", "Báo cáo tổng kết công tác trẻ em năm 2024", "2025-01-08 08:30", Y),
        report("s1-early-may", "thpt.binhlong", "Báo cáo sơ kết công tác trẻ em 6 tháng đầu năm 2024",
               "2024-05-20 14:00", S1),
        report("s1-late-july-no-period-in-subject", "gdnn.budang", "V/v báo cáo công tác trẻ em", "2024-07-09 09:00", S1,
               text=body("gdnn.budang", "báo cáo kết quả công tác trẻ em 6 tháng đầu năm 2024 (gửi chậm, mong Quý Phòng thông cảm)")),
        report("resend-corrected", "thpt.locninh",
               "V/v gửi lại báo cáo công tác trẻ em 6 tháng đầu năm 2024 (bản chỉnh sửa)", "2024-06-28 16:20", S1,
               files=(word("Bao cao cong tac tre em (ban sua).docx", "Trường THPT Lộc Ninh", T_S1,
                           "Bản chỉnh sửa: cập nhật số liệu mục A."),),
               text=body("thpt.locninh", "lại báo cáo đã chỉnh sửa số liệu mục A, đề nghị sử dụng bản này")),
        report("bvcste-keyword", "pgd.binhlong", "Báo cáo BVCSTE năm 2024", "2024-12-02 11:11", Y),
        report("long-title", "pgd.phuoclong",
               "Báo cáo kết quả thực hiện công tác bảo vệ, chăm sóc trẻ em 6 tháng đầu năm 2024", "2024-06-18 10:00", S1),
        report("qp-body", "pgd.dongxoai", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "2024-06-26 17:45", S1,
               body_cte="quoted-printable"),
        report("ca-nam", "pgd.chonthanh", "Báo cáo công tác trẻ em cả năm 2024", "2024-12-10 16:59", Y),
        report("tong-ket", "pgd.phurieng", "Báo cáo tổng kết công tác trẻ em năm 2024", "2024-11-28 09:30", Y),
        report("annual-plain", "pgd.budang", "Báo cáo công tác trẻ em năm 2024", "2024-12-09 08:00", Y),
        report("annual-xlsx", "pgd.locninh", "Báo cáo công tác trẻ em năm 2024",
               "2024-12-04 13:00", Y, files=(excel("Bieu mau CTTE 2024.xlsx", "BÁO CÁO CÔNG TÁC TRẺ EM NĂM 2024"),)),
        report("annual-thpt", "thpt.chonthanh", "Báo cáo công tác trẻ em năm 2024", "2024-12-07 10:00", Y),
        report("s1-gdnn", "gdnn.honquan", "Báo cáo CTTE 6 tháng đầu năm 2024", "2024-06-24 08:40", S1),
        report("s1-gdnn-2", "gdnn.locninh", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "2024-06-21 15:00", S1),
        report("annual-chuyen", "thpt.quangtrung", "Báo cáo công tác trẻ em năm 2024", "2024-12-05 09:00", Y),
        report("annual-dakia", "thpt.dakia", "Báo cáo tổng kết công tác trẻ em năm 2024", "2024-12-06 14:10", Y),
        report("annual-late-jan2025-2", "thcsthpt.tantien", "Báo cáo công tác trẻ em năm 2024 (gửi chậm)",
               "2025-01-14 07:55", Y),
        report("annual-dtnt", "dtnt.bugiamap", "Báo cáo công tác trẻ em năm 2024", "2024-12-03 10:30", Y),
        report("annual-gdtx", "gdtx.tinh", "BC công tác trẻ em năm 2024", "2024-12-09 17:00", Y),
        report("html-only-body", "gdnn.dongphu", "Báo cáo công tác trẻ em năm 2024", "2024-12-08 20:15", Y, html=True),
        report("rfc2047-filename", "thpt.thongnhat", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "2024-06-19 09:00", S1,
               files=(word("Báo cáo CTTE 6 tháng 2024.docx", "Trường THPT Thống Nhất", T_S1, style="rfc2047"),)),
        report("s1-nguyenkhuyen", "thpt.nguyenkhuyen", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
               "2024-06-27 09:00", S1),
        report("s1-honquan-pgd", "pgd.honquan", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "2024-06-28 10:00", S1),
    ]


def _subject_and_period() -> list[Case]:
    return [
        report("empty-subject-filename-tells", "thpt.phuocbinh", "", "2024-06-28 11:00", S1, text="",
               files=(word("BC_CTTE_6thang_2024.docx", "Trường THPT Phước Bình", T_S1),), subject_style="none"),
        report("empty-subject-content-tells", "dtnt.tinh", "", "2024-06-26 09:45", S1, text="",
               files=(word("scan_20240626.docx", "Trường PT DTNT tỉnh Bình Phước",
                           "BÁO CÁO\nCông tác bảo vệ, chăm sóc trẻ em 6 tháng đầu năm 2024"),), subject_style="none"),
        report("no-period-july-nearest", "thpt.chonthanh", "Báo cáo công tác trẻ em", "2024-07-08 10:00", S1,
               files=(word("BaoCao.docx", "Trường THPT Chơn Thành", "BÁO CÁO công tác trẻ em"),),
               text=body("thpt.chonthanh", "báo cáo công tác trẻ em")),
        report("no-period-october-nearest", "thpt.tranphu", "Gửi báo cáo công tác bảo vệ trẻ em", "2024-10-15 10:00", Y,
               files=(word("BaoCao_TranPhu.docx", "Trường THPT Trần Phú", "BÁO CÁO công tác bảo vệ trẻ em"),),
               text=body("thpt.tranphu", "báo cáo công tác bảo vệ trẻ em")),
        report("no-period-march-nearest", "thpt.ngoquyen", "Báo cáo kết quả thực hiện công tác trẻ em",
               "2024-03-05 10:00", S1, files=(word("BC.docx", "Trường THPT Ngô Quyền", "BÁO CÁO công tác trẻ em"),),
               text=body("thpt.ngoquyen", "báo cáo kết quả thực hiện công tác trẻ em")),
        report("wrong-date-header-received-counts", "thpt.lequydon", "Báo cáo công tác trẻ em", "2024-12-05 09:00", Y,
               date=at("2023-12-31 23:50"), files=(word("BC LQD.docx", "Trường THPT Lê Quý Đôn", "BÁO CÁO công tác trẻ em"),),
               text=body("thpt.lequydon", "báo cáo công tác trẻ em")),
        report("midnight-utc-date", "thpt.phuoclong", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
               "2024-07-01 00:31", S1, date=at("2024-07-01 00:30")),
        report("school-year-phrase", "thpt.nguyenhue", "Báo cáo công tác trẻ em năm học 2023-2024",
               "2024-06-22 10:00", S1, files=(word("BC CTTE NH 2023-2024.docx", "Trường THPT Nguyễn Huệ",
                                                     "BÁO CÁO công tác trẻ em năm học 2023-2024"),),
               text=body("thpt.nguyenhue", "báo cáo công tác trẻ em năm học 2023-2024")),
        report("period-only-in-filename-late-sept", "pgd.honquan", "Bao cao cong tac tre em", "2024-09-25 10:00", S1,
               subject_style="ascii", text="Kinh gui Phong GDTrH.\nPGD Hon Quan gui bao cao bo sung.\nTran trong.",
               files=(word("BC_CTTE_6thang_dau_nam_2024.docx", "Phòng GDĐT huyện Hớn Quản", T_S1),)),
        report("cp1258-subject", "thpt.chuyenbinhlong", "Báo cáo công tác trẻ em năm 2024", "2024-12-09 09:20", Y,
               subject_style="cp1258"),
        report("raw-8bit-subject", "thpt.dongxoai", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
               "2024-06-27 08:15", S1, subject_style="raw8bit", body_cte="8bit"),
        report("rar-attachment", "thpt.phurieng", "Báo cáo công tác trẻ em năm 2024", "2024-12-03 15:00", Y,
               files=(Attachment("BaoCao_CTTE_2024.rar", opaque("rar", "phurieng"), "application/x-rar-compressed"),)),
        report("7z-attachment", "thcsthpt.tantien", "Gửi BC công tác trẻ em 6 tháng đầu năm 2024 (file nén)",
               "2024-06-20 10:00", S1, files=(Attachment("BCCTTE_6T.7z", opaque("7z", "tantien")),)),
        report("figures-in-body-no-file", "gdtx.tinh", "Báo cáo số liệu công tác trẻ em 6 tháng đầu năm 2024",
               "2024-06-29 09:00", S1, files=(),
               text=body("gdtx.tinh", "số liệu công tác trẻ em 6 tháng đầu năm 2024 như sau",
                         "- Tổng số trẻ em: 312\n- Số buổi tuyên truyền: 4\n- Số vụ bạo lực học đường: 0\n")),
    ]


def _gmail_and_content() -> list[Case]:
    kinh_gui = ("Kính gửi: Sở Giáo dục và Đào tạo Bình Phước (Phòng Giáo dục Trung học)\n\n"
                "Thực hiện Kế hoạch của Sở GDĐT về công tác trẻ em năm 2024, nhà trường gửi báo cáo "
                "công tác trẻ em 6 tháng đầu năm 2024 (đính kèm).\n\nTrân trọng.\n\nHIỆU TRƯỞNG\n\n(đã ký)\n\n"
                "Nguyễn Thị Lan\nTrường THPT Chu Văn An\nĐT: 0271 3668 123")
    bgm = ("Kính gửi Phòng GDTrH,\nPhòng GDĐT huyện Bù Gia Mập gửi báo cáo công tác trẻ em năm 2024 của "
           "Phòng, kèm số liệu các trường trực thuộc:\n- Trường THCS Đa Kia: 612 học sinh\n"
           "- Trường THCS Phú Nghĩa: 540 học sinh\n- Phối hợp Trường THPT Đa Kia và Trường PT DTNT THCS và "
           "THPT Bù Gia Mập tổ chức 2 buổi tuyên truyền.\n\nVăn thư\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO HUYỆN BÙ GIA MẬP")
    return [
        report("kinh-gui-unit-only-in-signature", "thpt.chuvanan", "Gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024",
               "2024-06-24 16:00", S1, sender="Nguyen Thi Lan <lan.nguyenthi79@gmail.com>", text=kinh_gui, known=0,
               files=(word("Bao cao.docx", "", T_S1),)),
        report("vice-principal-gmail-display-name", "thpt.lochiep", "Báo cáo CTTE 6 tháng",
               "2024-06-29 21:10", S1, sender="PHT THPT Lộc Hiệp - Trần Văn Bình <tranvanbinh.lh@gmail.com>", known=0,
               text="Em gửi báo cáo công tác trẻ em 6 tháng đầu năm ạ.\n\nTrần Văn Bình\nPhó Hiệu trưởng"),
        report("pgd-gmail-lists-member-units", "pgd.bugiamap", "Báo cáo công tác trẻ em năm 2024",
               "2024-12-06 10:00", Y, sender="Văn thư PGD Bù Gia Mập <vanthupgdbgm@gmail.com>", text=bgm, known=0,
               files=(word("BC CTTE 2024 PGD.docx", "Phòng GDĐT huyện Bù Gia Mập", T_Y),)),
        report("alias-chuyen-qt", "thpt.quangtrung", "Báo cáo CTTE 6 tháng - Chuyên Quang Trung", "2024-06-25 20:00", S1,
               sender="Phạm Minh Tuấn <tuanpm.cqt@gmail.com>", known=0,
               text="Kính gửi Phòng GDTrH, em gửi báo cáo ạ.\nTuấn - Chuyên Quang Trung"),
        report("overlap-thpt-binhlong", "thpt.binhlong", "Báo cáo công tác trẻ em năm 2024", "2024-12-08 09:00", Y,
               sender="Văn thư THPT Bình Long <vanthu.thptbl@gmail.com>", known=0,
               text="Trường THPT Bình Long gửi báo cáo công tác trẻ em năm 2024.\nTrân trọng."),
        report("overlap-chuyen-binhlong", "thpt.chuyenbinhlong",
               "BC tre em 6 thang - Truong THPT chuyen Binh Long", "2024-06-26 07:30", S1,
               sender="le.hong.nhung@gmail.com", known=0, subject_style="ascii",
               text="Kinh gui Phong GDTrH,\nTruong THPT chuyen Binh Long gui bao cao cong tac tre em 6 thang.\nNhung"),
        report("overlap-pgd-locninh-caps", "pgd.locninh", "BAO CAO CTTE 6 THANG - PGD LOC NINH", "2024-06-28 09:00", S1,
               sender="Phòng GD&ĐT Lộc Ninh <pgdlocninh.vanthu@gmail.com>", known=0, subject_style="ascii"),
        report("gdnn-dash-spaces", "gdnn.locninh", "Báo cáo công tác trẻ em năm 2024 - Trung tâm GDNN - GDTX Lộc Ninh",
               "2024-12-05 10:00", Y, sender="ketoan.ttln@gmail.com", known=0, text="Gửi Phòng GDTrH báo cáo ạ."),
        report("hoa-tone-placement", "thpt.budop", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - Trường THPT Thanh Hoà",
               "2024-06-23 10:00", S1, sender="thanhhoa.bd@gmail.com", known=0, text="Kính gửi Phòng GDTrH."),
        report("dtnt-vs-pgd-bugiamap", "dtnt.bugiamap",
               "Báo cáo công tác trẻ em 6 tháng - Trường PTDTNT THCS&THPT Bù Gia Mập", "2024-06-27 10:00", S1,
               sender="dtntbgm2024@gmail.com", known=0, text="Kính gửi Phòng GDTrH, nhà trường gửi báo cáo."),
        report("dtnt-tinh-alias", "dtnt.tinh", "Báo cáo công tác trẻ em năm 2024", "2024-12-08 15:00", Y,
               sender="Hà Văn Sơn <sonhv.dtnt@gmail.com>", known=0,
               text="Kính gửi Phòng GDTrH.\nTrường PT DTNT tỉnh gửi báo cáo công tác trẻ em năm 2024.\nSơn"),
        report("unit-only-in-filename", "thpt.ngoquyen", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
               "2024-06-30 22:00", S1, sender="hanh.nt@gmail.com", known=0, text="Em gửi báo cáo ạ.",
               files=(word("BC CTTE 6T2024 - THPT Ngô Quyền.docx", "", T_S1),)),
        report("caps-unit-vs-pgd-gdnn-same-district", "thpt.dongphu", "BC CONG TAC TRE EM NAM 2024 - TRUONG THPT DONG PHU",
               "2024-12-09 11:00", Y, sender="minhquan.dp@gmail.com", known=0, subject_style="ascii", text="Gui bao cao."),
        report("thcs-thpt-dangha-alias", "thcsthpt.dangha", "Báo cáo CTTE 6 tháng đầu năm 2024 - THCS&THPT Đăng Hà",
               "2024-06-25 10:00", S1, sender="dangha.vanthu@yahoo.com.vn", known=0, text="Kính gửi Phòng GDTrH."),
    ]


def _pgd_with_schools() -> list[Case]:
    text = ("Kính gửi: Phòng Giáo dục Trung học.\n\nPhòng GDĐT huyện Đồng Phú gửi báo cáo công tác trẻ em 6 tháng "
            "đầu năm 2024; số liệu của các trường trực thuộc:\n- Trường THCS Tân Phú: 12 buổi tuyên truyền\n"
            "- Trường THCS Tân Lập: 9 buổi tuyên truyền\n- Trường TH Tân Hưng: 6 buổi\n"
            "Ngoài ra Phòng phối hợp Trường THPT Đồng Phú và Trung tâm GDNN-GDTX huyện Đồng Phú tổ chức diễn đàn.\n"
            + NONE_HAPPENED + SIGN)
    return [
        report("pgd-lists-schools-figures", "pgd.dongphu", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
               "2024-06-26 10:00", S1, text=text),
        report("pgd-registered-gmail", "pgd.dongphu", "Báo cáo công tác trẻ em năm 2024", "2024-12-05 10:00", Y,
               sender="PGD Dong Phu <pgddongphu.bp@gmail.com>",
               text=text.replace("6 tháng đầu năm 2024", "năm 2024")),
        report("mentions-other-unit", "thpt.nguyendu", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024",
               "2024-06-27 11:00", S1, text=body("thpt.nguyendu", "báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                                                   "Nhà trường đã học tập mô hình \"Trường học hạnh phúc\" của "
                                                   "Trường THPT chuyên Quang Trung.\n")),
        report("cc-department-leadership", "thpt.nguyenkhuyen", "Báo cáo công tác trẻ em năm 2024 - THPT Nguyễn Khuyến",
               "2024-12-09 14:00", Y, cc="Giám đốc Sở <giamdoc@binhphuoc.edu.vn>, phogiamdoc2@binhphuoc.edu.vn",
               to="trunghoc@binhphuoc.edu.vn, vanphong@binhphuoc.edu.vn", msgid="<nk-annual-2024@binhphuoc.edu.vn>"),
    ]


def _unplaced() -> list[Case]:
    def mail(subject, sender, when, text, files, style="b"):
        return Case("unplaced-" + subject[:12], Mail(sender, subject, text, at(when), attachments=files,
                                                     subject_style=style), "unplaced")
    return [
        mail("Gửi báo cáo công tác trẻ em", "Thu Trang <thutrang.vt@gmail.com>", "2024-06-27 10:00",
             "Em gửi file báo cáo ạ.", (word("baocao.docx", "", T_S1),)),
        mail("Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "hotro.truonghoc@yahoo.com", "2024-06-29 10:00",
             "Kính gửi Sở GDĐT.\nĐơn vị gửi báo cáo.\nTrân trọng.", (word("BC 6 thang.docx", "", T_S1),)),
        mail("BAO CAO CTTE NAM 2024", "user8812@gmail.com", "2024-12-09 23:00", "gui bao cao",
             (excel("BC CTTE.xlsx", "BAO CAO CONG TAC TRE EM NAM 2024"),), "ascii"),
    ]


def cases() -> list[Case]:
    return [*_standard(), *_subject_and_period(), *_gmail_and_content(), *_pgd_with_schools(), *_unplaced()]
