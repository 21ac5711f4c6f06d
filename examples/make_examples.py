"""Writes examples/maildir: a dozen realistic mails to the division, deterministically.

Run `python examples/make_examples.py` after changing it and commit both the script and the
Maildir. The mails cover what domain.md describes: official and personal senders, Excel and
Word reports, a zip, a forward, a resend, an incident, other business, an out-of-office reply,
a bounce, a second delivery of the same mail and one whose unit cannot be told.
"""
from __future__ import annotations

import datetime as dt
import email
import io
import shutil
import sys
import zipfile
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import openpyxl
from docx import Document

ROOT = Path(__file__).resolve().parent
MAILDIR = ROOT / "maildir"
TZ = dt.timezone(dt.timedelta(hours=7))
DIVISION = "trunghoc@binhphuoc.edu.vn"
FIXED = dt.datetime(2024, 1, 1)

sys.path.insert(0, str(ROOT.parent))
from store.config import load  # noqa: E402

REPORT = load(ROOT.parent / "config.example.toml").reports[0]

FIGURES = {
    "tre_em_tong": 1250, "tre_hcdb": 14, "tt_so_buoi": 12, "tt_luot_hs": 3450, "tt_luot_cmhs": 820,
    "th_so_lop": 2, "th_luot_cbgvnv": 96, "bl_so_vu": 0, "xh_so_tre": 1, "xh_tinh_duc": 0,
    "tntt_so_tre": 3, "tntt_duoi_nuoc": 1, "tntt_duoi_nuoc_tu_vong": 0, "tntt_giao_thong": 2,
    "ld_trai_pl": 0, "ht_can_thiep": 4, "hs_hoc_boi": 310, "thd_so_hoat_dong": 5,
    "trung_thu_so_tre": 0, "dd_so_dien_dan": 1, "dd_luot_tre": 150,
}


def normalized_zip(data: bytes) -> bytes:
    """Re-pack an OOXML file with fixed timestamps so the example files are byte-stable."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def xlsx_form(unit_name: str, period_label: str, figures: dict[str, object], keep_codes: bool = True) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BaoCao"
    ws.append([unit_name.upper()])
    ws.append(["BÁO CÁO CÔNG TÁC TRẺ EM"])
    ws.append([f"Kỳ báo cáo: {period_label}"])
    ws.append([])
    header = ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]
    ws.append(header if keep_codes else [h for h in header if h != "Mã chỉ tiêu"])
    section, n = None, 0
    for ind in REPORT.indicators:
        if ind.section != section:
            section = ind.section
            ws.append([section])
        n += 1
        row = [n, ind.code, ind.label, ind.unit, figures.get(ind.code), ""]
        ws.append(row if keep_codes else [c for i, c in enumerate(row) if i != 1])
    wb.properties.created = wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return normalized_zip(buf.getvalue())


def docx_report(unit_name: str, period_label: str, figures: dict[str, object]) -> bytes:
    doc = Document()
    doc.core_properties.created = doc.core_properties.modified = FIXED
    doc.add_paragraph(unit_name.upper())
    doc.add_paragraph("BÁO CÁO")
    doc.add_paragraph(f"Kết quả thực hiện công tác trẻ em {period_label}")
    doc.add_paragraph("Thực hiện Kế hoạch của Sở GDĐT, đơn vị báo cáo kết quả như sau:")
    table = doc.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ["STT", "Nội dung", "Đơn vị tính", "Số lượng"]):
        cell.text = text
    for n, ind in enumerate(REPORT.indicators, start=1):
        value = figures.get(ind.code)
        cells = table.add_row().cells
        for cell, text in zip(cells, [str(n), ind.label, ind.unit, "" if value is None else f"{value:,}".replace(",", ".")]):
            cell.text = text
    buf = io.BytesIO()
    doc.save(buf)
    return normalized_zip(buf.getvalue())


def mail(n: int, sender: str, subject: str, body: str, when: dt.datetime,
         files: list[tuple[bytes, str, str]] = (), headers: dict[str, str] | None = None) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Received"] = (f"from mail.binhphuoc.edu.vn by mx.binhphuoc.edu.vn with ESMTPS id ex{n:04d}; "
                       f"{format_datetime(when + dt.timedelta(seconds=20))}")
    msg["From"] = sender
    msg["To"] = DIVISION
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<example-{n:04d}@binhphuoc.edu.vn>"
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    for data, name, mime in files:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def build() -> list[tuple[dt.datetime, bytes]]:
    s1 = "6 tháng đầu năm 2024"
    d = lambda day, month, hour=9: dt.datetime(2024, month, day, hour, 15, tzinfo=TZ)  # noqa: E731
    out: list[tuple[dt.datetime, bytes]] = []

    def add(msg: EmailMessage, when: dt.datetime) -> None:
        for i, part in enumerate(msg.walk()):  # fixed boundaries: the same bytes at every run
            if part.is_multipart():
                part.set_boundary(f"==example-{len(out):02d}-{i}==")
        out.append((when, msg.as_bytes(policy=policy.SMTP)))

    locninh = xlsx_form("Trường THPT Lộc Ninh", s1, FIGURES)
    add(mail(1, "Trường THPT Lộc Ninh <thptlocninh@binhphuoc.edu.vn>",
             "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - THPT Lộc Ninh",
             "Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT\n\nTrường THPT Lộc Ninh gửi báo cáo công tác trẻ em "
             "6 tháng đầu năm 2024 (file đính kèm).\n\nTrân trọng.", d(20, 6),
             [(locninh, "BC cong tac tre em 6 thang 2024 - THPT Loc Ninh.xlsx", XLSX)]), d(20, 6))
    add(mail(2, "Phòng GDĐT Đồng Xoài <pgddongxoai@binhphuoc.edu.vn>",
             "V/v báo cáo kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2024",
             "Kính gửi: Sở Giáo dục và Đào tạo\n\nPhòng GDĐT thành phố Đồng Xoài gửi báo cáo (bản mềm) "
             "công tác bảo vệ, chăm sóc trẻ em 6 tháng đầu năm 2024.", d(27, 6),
             [(docx_report("Phòng Giáo dục và Đào tạo Đồng Xoài", s1, FIGURES), "Bao cao CTTE 6 thang.docx", DOCX)]),
        d(27, 6))
    personal = {**FIGURES, "tt_so_buoi": 8, "tt_luot_hs": 2100, "hs_hoc_boi": None}
    add(mail(3, "THPT Chu Van An <chuvanan.thpt.bp@gmail.com>", "Bao cao 6 thang cong tac tre em - THPT Chu Van An",
             "Kinh gui Phong GDTrH,\nTruong THPT Chu Van An gui bao cao cong tac tre em 6 thang dau nam.\nTran trong.",
             d(1, 7, 16), [(xlsx_form("Trường THPT Chu Văn An", s1, personal, keep_codes=False), "baocao.xlsx", XLSX)]),
        d(1, 7, 16))
    inner = mail(4, "Phòng GDĐT huyện Bù Đăng <pgdbudang@binhphuoc.edu.vn>",
                 "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - PGD Bù Đăng", "Gửi báo cáo 6 tháng.", d(28, 6),
                 [(xlsx_form("Phòng Giáo dục và Đào tạo Bù Đăng", s1, {**FIGURES, "tre_em_tong": 15230}),
                   "BaoCao_BuDang.xlsx", XLSX)])
    fwd = EmailMessage(policy=policy.SMTP)
    fwd["From"] = "Nguyễn Văn Hùng <hungnv.sgddt@binhphuoc.edu.vn>"
    fwd["To"] = DIVISION
    fwd["Subject"] = "Fwd: Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - PGD Bù Đăng"
    fwd["Date"] = format_datetime(d(29, 6, 8))
    fwd["Message-ID"] = "<example-0104@binhphuoc.edu.vn>"
    fwd.set_content("Chuyển tiếp báo cáo của Phòng GDĐT Bù Đăng gửi nhầm vào hộp thư cá nhân.")
    fwd.add_attachment(inner)
    add(fwd, d(29, 6, 8))
    add(mail(5, "Phòng GDĐT Lộc Ninh <pgdlocninh@binhphuoc.edu.vn>",
             "Báo cáo nhanh vụ việc học sinh bị đuối nước tại xã Lộc Thái",
             "Kính gửi: Sở Giáo dục và Đào tạo\n\nVào khoảng 16 giờ ngày 12/5/2024, em N.V.A, học sinh lớp 7 Trường "
             "THCS Lộc Thái, đi tắm suối cùng bạn và bị đuối nước. Em đã được cứu và đưa đi cấp cứu kịp thời.\n"
             "Phòng GDĐT sẽ tiếp tục báo cáo diễn biến.", d(12, 5, 19)), d(12, 5, 19))
    add(mail(6, "Văn phòng Sở GDĐT <vanphong@binhphuoc.edu.vn>",
             "Kế hoạch tổ chức Tháng hành động vì trẻ em năm 2024",
             "Sở GDĐT gửi Kế hoạch tổ chức Tháng hành động vì trẻ em năm 2024 để các phòng nghiên cứu.", d(15, 5)),
        d(15, 5))
    add(mail(7, "Trường THPT Đồng Xoài <thptdongxoai@binhphuoc.edu.vn>",
             "Báo cáo sơ kết học kỳ I năm học 2023-2024",
             "Trường THPT Đồng Xoài gửi báo cáo sơ kết học kỳ I năm học 2023-2024.", d(10, 1)), d(10, 1))
    ooo = EmailMessage(policy=policy.SMTP)
    ooo["From"] = "Trần Thị Mai <maitt@binhphuoc.edu.vn>"
    ooo["To"] = DIVISION
    ooo["Subject"] = "Trả lời tự động: Nhắc nộp báo cáo công tác trẻ em"
    ooo["Date"] = format_datetime(d(25, 6, 7))
    ooo["Message-ID"] = "<example-0008@binhphuoc.edu.vn>"
    ooo["Auto-Submitted"] = "auto-replied"
    ooo.set_content("Tôi đang nghỉ phép đến ngày 01/7/2024.")
    add(ooo, d(25, 6, 7))
    bounce = email.message_from_bytes((
        "From: Mail Delivery System <MAILER-DAEMON@binhphuoc.edu.vn>\r\n"
        f"To: {DIVISION}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(d(24, 6, 7))}\r\nMessage-ID: <example-0009@binhphuoc.edu.vn>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host binhphuoc.edu.vn. The address thptxyz@binhphuoc.edu.vn was not found.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; binhphuoc.edu.vn\r\n\r\nFinal-Recipient: rfc822; thptxyz@binhphuoc.edu.vn\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n--b1--\r\n").encode())
    out.append((d(24, 6, 7), bounce.as_bytes()))
    corrected = xlsx_form("Trường THPT Lộc Ninh", s1, {**FIGURES, "tt_so_buoi": 14, "tt_luot_hs": 3610})
    add(mail(10, "Trường THPT Lộc Ninh <thptlocninh@binhphuoc.edu.vn>",
             "V/v gửi lại báo cáo công tác trẻ em 6 tháng đầu năm 2024 (bản điều chỉnh) - THPT Lộc Ninh",
             "Trường gửi lại báo cáo đã điều chỉnh số liệu tuyên truyền. Đề nghị sử dụng bản này.", d(3, 7, 10),
             [(corrected, "BC cong tac tre em 6 thang 2024 - THPT Loc Ninh (dieu chinh).xlsx", XLSX)]), d(3, 7, 10))
    add(mail(11, "Nguyen Thi Lan <lannt1987@gmail.com>", "Gui bao cao cong tac tre em 6 thang",
             "Em gửi báo cáo ạ.", d(2, 7, 21), [(xlsx_form("", s1, FIGURES), "baocao_tre_em.xlsx", XLSX)]),
        d(2, 7, 21))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("Báo cáo năm 2024 - TT GDNN-GDTX Bù Đăng.xlsx", date_time=(2024, 12, 1, 0, 0, 0))
        info.flag_bits |= 0x800
        z.writestr(info, xlsx_form("Trung tâm GDNN-GDTX Bù Đăng", "năm 2024", {**FIGURES, "tre_em_tong": 410}))
    add(mail(12, "TT GDNN-GDTX Bù Đăng <ttgdnngdtxbudang@binhphuoc.edu.vn>",
             "Báo cáo tổng kết công tác trẻ em năm 2024 - TT GDNN-GDTX Bù Đăng",
             "Trung tâm gửi báo cáo năm 2024 (file nén).", d(9, 12, 15),
             [(buf.getvalue(), "Báo cáo năm 2024.zip", "application/zip")]), d(9, 12, 15))
    again = mail(1, "Trường THPT Lộc Ninh <thptlocninh@binhphuoc.edu.vn>",
                 "Báo cáo công tác trẻ em 6 tháng đầu năm 2024 - THPT Lộc Ninh",
                 "Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT\n\nTrường THPT Lộc Ninh gửi báo cáo công tác trẻ em "
                 "6 tháng đầu năm 2024 (file đính kèm).\n\nTrân trọng.", d(20, 6),
                 [(locninh, "BC cong tac tre em 6 thang 2024 - THPT Loc Ninh.xlsx", XLSX)])
    again.replace_header("Received", f"from relay2.binhphuoc.edu.vn by mx.binhphuoc.edu.vn; "
                                     f"{format_datetime(d(20, 6) + dt.timedelta(minutes=3))}")
    add(again, d(20, 6) + dt.timedelta(minutes=3))
    return out


def write(maildir: Path = MAILDIR) -> int:
    if maildir.exists():
        shutil.rmtree(maildir)
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "tmp" / ".keep").write_text("")
    (maildir / "new" / ".keep").write_text("")
    mails = build()
    for n, (when, raw) in enumerate(mails, start=1):
        name = f"{int(when.timestamp())}.M{n:03d}P1.example.binhphuoc.edu.vn:2,S"
        (maildir / "cur" / name).write_bytes(raw)
    return len(mails)


if __name__ == "__main__":
    print(f"wrote {write()} mails to {MAILDIR}")
