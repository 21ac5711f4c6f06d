"""The date of an ad-hoc case, as units write it: in the attached report below the letter's own
date, without its year, in words, relative to the mail ("tối hôm qua"), after a follow-up's
reference to the first report."""
from __future__ import annotations

import datetime as dt

import pytest

from ingest.classify import occurred_on

MAIL = dt.date(2024, 8, 18)


@pytest.mark.parametrize("text,expected", [
    ("vào khoảng 20 giờ tối 17/8, tại khu vực gần cổng sau", dt.date(2024, 8, 17)),
    ("Hớn Quản, ngày 18 tháng 8 năm 2024\nVào khoảng 16 giờ 30 phút ngày 16/8/2024, em N.V.A bị đuối nước",
     dt.date(2024, 8, 16)),
    ("Hớn Quản, ngày 18 tháng 8 năm 2024\nNgày 03 tháng 8 năm 2024 một học sinh bị tai nạn", dt.date(2024, 8, 3)),
    ("Tiếp theo báo cáo nhanh ngày 18/08/2024, nhà trường báo cáo kết quả xử lý vụ việc học sinh bị đánh tối 17/8",
     dt.date(2024, 8, 17)),
    ("Qua kiểm tra ngày 08/08/2024, Đoàn kiểm tra phát hiện 02 em", dt.date(2024, 8, 8)),
    ("vào khoảng 21 giờ tối hôm qua, một nhóm học sinh", dt.date(2024, 8, 17)),
    ("đêm hôm kia có vụ việc", dt.date(2024, 8, 16)),
    ("ngày 25/12 năm ngoái", MAIL),                     # months before the mail: not this case's date
    ("không có ngày tháng nào", MAIL),
    ("số liệu 1/2 số học sinh, ngày 31/2/2024", MAIL),   # not a date (February 31st; January 2nd is too old)
])
def test_the_case_date(text: str, expected: dt.date) -> None:
    assert occurred_on(text, MAIL) == expected
