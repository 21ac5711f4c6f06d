"""The documents inside the mails: a unit's signed report, its figures table, an incident note."""
from __future__ import annotations

from . import files
from .registry import U

LABEL = {"2024S1": "6 tháng đầu năm 2024", "2024": "năm 2024"}
HEADS = ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tâm", "Phạm Thị Thu Hương", "Điểu Lâm", "Hoàng Văn Sơn"]


def _date_line(unit: U | None, day: str) -> str:
    return f"{unit.place if unit else '..........'}, ngày {day}"


def report_lines(unit: U | None, period: str, rng, day: str, *, keyword: bool = True) -> list[str]:
    title = f"Kết quả thực hiện công tác trẻ em {LABEL[period]}" if keyword else \
        f"Kết quả thực hiện nhiệm vụ {LABEL[period]}"
    top = list(unit.letterhead()) if unit else ["", ""]
    sign = "TRƯỞNG PHÒNG" if unit and unit.kind == "pgd" else "GIÁM ĐỐC" if unit and unit.kind == "gdnn_gdtx" else "HIỆU TRƯỞNG"
    return [*top, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
            f"Số: {rng.randint(12, 240)}/BC", _date_line(unit, day), "BÁO CÁO", title,
            "Kính gửi: Sở Giáo dục và Đào tạo Bình Phước.",
            "I. ĐẶC ĐIỂM TÌNH HÌNH",
            "Đơn vị triển khai Kế hoạch của Sở GDĐT về công tác trẻ em trong ngành Giáo dục năm 2024.",
            "II. KẾT QUẢ THỰC HIỆN",
            "Tổ chức tuyên truyền Luật Trẻ em 2016, Tổng đài điện thoại quốc gia bảo vệ trẻ em 111.",
            "Trong kỳ không xảy ra trường hợp học sinh bị đuối nước, không có vụ bạo lực học đường nghiêm trọng.",
            "III. SỐ LIỆU (phụ lục kèm theo)", sign, rng.choice(HEADS)]


def report_docx(unit: U | None, period: str, rng, day: str = "25 tháng 6 năm 2024", *, keyword: bool = True) -> bytes:
    table = [["STT", "Chỉ tiêu", "Số liệu"]] + [[str(i), label, files.vi_number(v)]
                                                 for i, (label, v) in enumerate(files.figures(rng), 1)]
    return files.docx(report_lines(unit, period, rng, day, keyword=keyword), table)


def report_xlsx(unit: U | None, period: str, rng) -> bytes:
    rows = [[unit.name.upper() if unit else "TÊN ĐƠN VỊ: ................"],
            ["BÁO CÁO SỐ LIỆU CÔNG TÁC TRẺ EM"], [f"Kỳ báo cáo: {LABEL[period]}"], [],
            ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]]
    rows += [[i, label, "người", v, ""] for i, (label, v) in enumerate(files.figures(rng), 1)]
    return files.xlsx(rows, sheet=rng.choice(["BaoCao", "Sheet1", "Biểu 1"]))


def report_pdf(unit: U | None, period: str, rng, day: str = "25 tháng 6 năm 2024") -> bytes:
    lines = report_lines(unit, period, rng, day)
    lines += [f"{label}: {files.vi_number(v)}" for label, v in files.figures(rng)]
    return files.text_pdf(lines)


def incident_docx(unit: U, what: str, rng, day: str) -> bytes:
    return files.docx([*unit.letterhead(), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f"Số: {rng.randint(3, 90)}/BC",
                       _date_line(unit, day), "BÁO CÁO NHANH", what,
                       "Kính gửi: Sở Giáo dục và Đào tạo Bình Phước.",
                       "Nhà trường đã phối hợp với gia đình và chính quyền địa phương xử lý, sẽ báo cáo bổ sung."])
