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
    assert ws["A1"].value == "UBND TỈNH BÌNH PHƯỚC" and not ws["A1"].font.b
    assert ws["A2"].value == "SỞ GIÁO DỤC VÀ ĐÀO TẠO" and ws["A2"].font.b
    assert ws["D1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and ws["D1"].font.b
    assert ws["D2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert ws["A1"].font.name == "Times New Roman"
    assert ws["A4"].value == "BÁO CÁO" and ws["A5"].value == "Công tác trẻ em"
    assert ws["A6"].value == "Đơn vị: Trường THPT Đồng Xoài"
    assert ws["A7"].value == "Kỳ báo cáo: 6 tháng đầu năm 2024"
    assert [c.value for c in ws[10]] == ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]
    assert [ws["A11"].value, ws["C11"].value] == ["A", "Quy mô"]
    assert [c.value for c in ws[12]] == [1, "tre_em_tong", R.indicators[0].label, "người", None, None]
    codes = [ws.cell(r, 2).value for r in range(11, ws.max_row + 1) if ws.cell(r, 2).value]
    assert codes == [i.code for i in R.indicators]
    sections = [ws.cell(r, 3).value for r in range(11, ws.max_row + 1) if ws.cell(r, 1).value in tuple("ABCDE")]
    assert sections == ["Quy mô", "Tuyên truyền", "Tập huấn", "Vụ việc", "Hoạt động"]


def test_blank_unit_and_period_are_dotted_lines():
    ws = sheet(build_template(rf.config(), R, None, None))
    assert ws["A6"].value.startswith("Đơn vị: ....") and ws["A7"].value.startswith("Kỳ báo cáo: ....")


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


def test_round_trip_blank_and_filled():
    blank = xlsx.parse("mau.xlsx", rf.template(), R)
    assert rf.numbers(blank) == {i.code: None for i in R.indicators}
    assert blank.stated_unit is None and blank.stated_period == "6 tháng đầu năm 2024"
    filled = xlsx.parse("bc.xlsx", rf.filled_xlsx(), R)
    assert rf.numbers(filled) == rf.SAMPLE and filled.warnings == []
