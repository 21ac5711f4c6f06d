"""The Vietnamese number rules, as a table."""
import datetime as dt

import pytest

from parsers.numbers import display, parse_number

CASES = [
    # (cell, whole, expected number, ok)
    (None, True, None, True),
    ("", True, None, True),
    ("   ", True, None, True),
    ("........", True, None, True),
    ("…", True, None, True),
    (0, True, 0, True),
    (12, True, 12, True),
    (1234.0, True, 1234, True),
    (2.5, True, 2.5, True),
    (float("nan"), True, None, False),
    (True, True, None, False),
    (dt.datetime(2024, 5, 1), True, None, False),
    ("0", True, 0, True),
    ("12", True, 12, True),
    ("3.250", True, 3250, True),
    ("1.234.567", True, 1234567, True),
    ("2,5", True, 2.5, True),
    ("2,50", True, 2.5, True),
    ("1.234,5", True, 1234.5, True),
    ("1,234.5", True, 1234.5, True),
    ("1,234", True, 1234, True),          # English thousands, count indicator
    ("1,234", False, 1.234, True),        # Vietnamese decimal otherwise
    ("1,234,567", True, 1234567, True),
    ("1,234,567", False, 1234567, True),
    ("1 234", True, 1234, True),
    ("1\u00a0234", True, 1234, True),
    ("1.5", True, 1.5, True),
    ("0.500", True, 0.5, True),
    ("12 em", True, 12, True),
    ("12 (em)", True, 12, True),
    ("12 người", True, 12, True),
    ("3 vụ.", True, 3, True),
    ("(12)", True, 12, True),
    ("12.", True, 12, True),
    ("-", True, 0, True),
    ("–", True, 0, True),
    ("—", True, 0, True),
    ("không", True, 0, True),
    ("Không", True, 0, True),
    ("KHÔNG CÓ", True, 0, True),
    ("không có", True, 0, True),
    ("khong co", True, 0, True),
    ("Không phát sinh", True, 0, True),
    ("-5", True, -5, True),               # kept as written; validation flags it
    ("x", True, None, False),
    ("X", True, None, False),
    ("?", True, None, False),
    ("chưa thống kê", True, None, False),
    ("khoảng 12", True, None, False),
    ("5 nam, 3 nữ", True, None, False),
    ("12/15", True, None, False),
    ("12%", True, None, False),
    ("12.5.2024", True, None, False),
    ("1.2.3", True, None, False),
    ("12 3", True, None, False),
]


@pytest.mark.parametrize("cell,whole,expected,ok", CASES)
def test_parse_number(cell, whole, expected, ok):
    number, good = parse_number(cell, whole=whole)
    assert good is ok
    assert number == expected
    if expected is not None:
        assert type(number) is type(expected)


@pytest.mark.parametrize("cell,text", [
    (None, ""), (1234.0, "1234"), (2.5, "2.5"), ("  3.250 ", "3.250"), (dt.date(2024, 6, 1), "01/06/2024"),
])
def test_display_keeps_what_was_written(cell, text):
    assert display(cell) == text
