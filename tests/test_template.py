"""The blank form: what it looks like, that it protects the right cells, and that it reads back."""
import io

from openpyxl import load_workbook

from parsers import xlsx
from compile.form import build_template
from tests import reportfiles as rf

R = rf.report()


def sheet(data):
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["BaoCao"]
    return wb["BaoCao"]


def test_header_title_and_table():
    ws = sheet(rf.template("THPT-DONGXOAI", "2024S1"))
    assert ws["A1"].value == "SỞ GD&ĐT BÌNH PHƯỚC" and not ws["A1"].font.b      # the unit's letterhead
    assert ws["A2"].value == "TRƯỜNG THPT ĐỒNG XOÀI" and ws["A2"].font.b
    assert ws["A4"].value == "Số: …/BC-……"
    assert ws["D1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and ws["D1"].font.b
    assert ws["D2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert ws["D4"].value == "………………, ngày …… tháng …… năm ……" and ws["D4"].font.i
    assert ws["A1"].font.name == "Times New Roman"
    assert ws["A6"].value == "BÁO CÁO" and ws["A7"].value == "Công tác trẻ em 6 tháng đầu năm 2024"
    assert ws["A8"].value == "Kính gửi: Sở Giáo dục và Đào tạo tỉnh Bình Phước"
    assert ws["A9"].value == "Đơn vị: Trường THPT Đồng Xoài"
    assert ws["A10"].value == "Kỳ báo cáo: 6 tháng đầu năm 2024"
    assert [c.value for c in ws[13]] == ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]
    assert [ws["A14"].value, ws["C14"].value] == ["A", "Quy mô"]
    assert [c.value for c in ws[15]] == [1, "tre_em_tong", R.indicators[0].label, "người", None, None]
    codes = [ws.cell(r, 2).value for r in range(14, ws.max_row + 1) if ws.cell(r, 2).value]
    assert codes == [i.code for i in R.indicators]
    sections = [ws.cell(r, 3).value for r in range(14, ws.max_row + 1) if ws.cell(r, 1).value in tuple("ABCDE")]
    assert sections == ["Quy mô", "Tuyên truyền", "Tập huấn", "Vụ việc", "Hoạt động"]
    part = rf.row_of(ws, "xh_tinh_duc")                         # "Trong đó: …" rows are indented
    assert ws.cell(part, 3).alignment.indent > 0 and not ws.cell(rf.row_of(ws, "xh_so_tre"), 3).alignment.indent
    below = [c.value for row in ws.iter_rows(min_row=ws.max_row - 6) for c in row if c.value]
    assert "NGƯỜI LẬP BIỂU" in below and "THỦ TRƯỞNG ĐƠN VỊ" in below


def test_the_issuer_is_the_units():
    """A school directly under the Department, a district office under its district, a unit
    whose units file names its parent; without a unit, dotted lines to fill in."""
    import dataclasses
    cfg = rf.config()
    office = sheet(rf.template("PGD-LOCNINH"))
    assert (office["A1"].value, office["A2"].value) == ("UBND HUYỆN LỘC NINH", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO")
    town = sheet(rf.template("PGD-DONGXOAI"))
    assert town["A1"].value == "UBND THÀNH PHỐ ĐỒNG XOÀI"
    centre = cfg.unit("TT-LOCNINH")._replace(parent="UBND huyện Lộc Ninh")
    ws = sheet(build_template(cfg, R, centre, None))
    assert (ws["A1"].value, ws["A2"].value) == ("UBND HUYỆN LỘC NINH", "TRUNG TÂM GDNN-GDTX LỘC NINH")
    blank = sheet(build_template(cfg, R, None, None))
    assert blank["A1"].value.startswith("………") and blank["A2"].value.startswith("………")
    for ref in ("A1", "A2", "A4", "D4"):                       # the unit may correct its heading
        assert not office[ref].protection.locked


def test_blank_unit_and_period_are_dotted_lines():
    ws = sheet(build_template(rf.config(), R, None, None))
    assert ws["A9"].value.startswith("Đơn vị: ....") and ws["A10"].value.startswith("Kỳ báo cáo: ....")


def test_protection_validation_and_print_layout():
    ws = sheet(rf.template())
    assert ws.protection.sheet
    r = rf.row_of(ws, "bl_so_vu")
    assert ws.cell(r, 2).protection.locked and ws.cell(r, 3).protection.locked
    assert not ws.cell(r, 5).protection.locked and not ws.cell(r, 6).protection.locked
    dv = ws.data_validations.dataValidation
    assert len(dv) == 1 and dv[0].type == "whole" and dv[0].operator == "greaterThanOrEqual" and dv[0].formula1 == "0"
    assert f"E{r}" in str(dv[0].sqref) and "C" not in str(dv[0].sqref)
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert 1.1 < ws.page_margins.left < 1.4 and 0.55 < ws.page_margins.right < 0.8
    assert 0.75 < ws.page_margins.top < 1.0
    assert ws.page_setup.fitToHeight == 1 and ws.page_setup.fitToWidth == 1     # one page
    assert ws.column_dimensions["B"].hidden                                    # the codes: not printed


def test_round_trip_blank_and_filled():
    blank = xlsx.parse("mau.xlsx", rf.template(), R)
    assert rf.numbers(blank) == {i.code: None for i in R.indicators}
    assert blank.stated_unit is None and blank.stated_period == "6 tháng đầu năm 2024"
    filled = xlsx.parse("bc.xlsx", rf.filled_xlsx(), R)
    assert rf.numbers(filled) == rf.SAMPLE and filled.warnings == []
