"""Old .xls and .ods workbooks (python-calamine, xlrd fallback), detected from the bytes."""
import pytest

from parsers import sheet
from tests import reportfiles as rf

R = rf.report()


def test_detect_from_bytes():
    assert sheet.detect(rf.ods_bytes([["a"]])) == "ods"
    assert sheet.detect(rf.ole_container()) == "xls"
    assert sheet.detect(rf.filled_xlsx()) is None
    assert sheet.detect(b"") is None


def test_ods_form():
    p = sheet.parse("bc.ods", rf.ods_bytes(rf.form_with_title()), R)
    assert p.detected_type == "ods" and p.problems == []
    assert rf.numbers(p) == rf.SAMPLE
    assert p.stated_unit == "Phòng GDĐT Lộc Ninh"
    assert p.stated_period == "BÁO CÁO CÔNG TÁC TRẺ EM 6 THÁNG ĐẦU NĂM 2024"
    v = next(v for v in p.values if v.indicator == "tre_em_tong")
    assert v.source == "bc.ods › BaoCao › D9" and v.raw == "3.250"


def test_real_xls_form():
    data = rf.xls_bytes(rf.form_with_title())
    if data is None:
        pytest.skip("xlwt (only used to write a test .xls) is not installed")
    p = sheet.parse("bc.xls", data, R)
    assert p.detected_type == "xls" and p.problems == []
    assert rf.numbers(p) == rf.SAMPLE


def test_xls_fallback_reader_gives_the_same_grid():
    data = rf.xls_bytes(rf.form_with_title())
    if data is None:
        pytest.skip("xlwt (only used to write a test .xls) is not installed")
    grids, problem = sheet._xlrd_grids(data, "bc.xls", None)
    assert problem is None
    out = sheet.finish(sheet.ParsedReport("bc.xls", "xls"), grids, R)
    assert rf.numbers(out) == rf.SAMPLE


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (rf.ole_container(), "encrypted"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 3000, "encrypted or not a spreadsheet"),
    (rf.ods_bytes(rf.form_rows())[:300], "corrupt"),
    (b"hello", "corrupt"),
])
def test_bad_files(data, reason):
    p = sheet.parse("x.xls", data, R)
    assert [pr.reason for pr in p.problems] == [reason]
    assert p.values == []


def test_xlsx_parser_hands_ole_files_to_sheet():
    from parsers import xlsx
    p = xlsx.parse("bc.xlsx", rf.ole_container(), R)
    assert [pr.reason for pr in p.problems] == ["encrypted"]
