"""Vietnamese words for what the software records in English for the admin.

Failure reasons and stages are stored in English (the log and the admin's tools read them);
every mail and workbook speaks to civil servants, so they pass through here first.
"""
from __future__ import annotations

import re

# (pattern on the English reason, Vietnamese phrase); the first match wins.
_REASONS: list[tuple[str, str]] = [
    (r"encrypted|password", "tệp được đặt mật khẩu (mã hóa), hệ thống không mở được"),
    (r"scanned, no text", "bản quét (ảnh) không có lớp chữ, chưa đọc được số liệu"),
    (r"^image|photo", "tệp ảnh (ảnh chụp hoặc bản quét), không đọc được số liệu"),
    (r"empty", "tệp rỗng, không có nội dung"),
    (r"too many pages", "tệp có quá nhiều trang"),
    (r"bomb|too large|too many files|nested too deep|ratio", "tệp nén vượt giới hạn cho phép (quá lớn hoặc quá nhiều tệp)"),
    (r"nothing inside", "tệp nén không có tệp nào bên trong"),
    (r"timeout", "tệp xử lý quá thời gian cho phép (quá lớn hoặc quá phức tạp)"),
    (r"memory", "tệp quá lớn, vượt giới hạn bộ nhớ khi xử lý"),
    (r"format not readable|not readable here", "định dạng tệp hệ thống chưa đọc được"),
    (r"corrupt|truncated|not a", "tệp bị hỏng hoặc không đúng định dạng"),
    (r"could not be decoded", "thư bị lỗi định dạng, không giải mã được"),
    (r"interrupted while sending", "việc gửi thư bị gián đoạn, chưa rõ máy chủ đã nhận hay chưa"),
    (r"server may have it", "thư đã được chuyển đi nhưng máy chủ không xác nhận đã nhận; hệ thống không tự động gửi lại"),
    (r"no (valid )?address|no recipient", "đơn vị chưa có địa chỉ thư điện tử hợp lệ"),
    (r"parser|processing error", "lỗi khi đọc tệp"),
]

STAGES = {"fetch": "nhận thư", "mime": "giải mã thư", "classify": "phân loại thư", "parse": "đọc tệp",
          "validate": "kiểm tra số liệu", "send": "gửi thư"}


def problem(reason: str | None) -> str:
    """'bc.xlsx: encrypted' or 'encrypted' -> the Vietnamese phrase (the file name is shown apart)."""
    text = (reason or "").rsplit(": ", 1)[-1]
    if not text.isascii():  # already written in Vietnamese
        return text
    text = text.lower()
    for pattern, phrase in _REASONS:
        if re.search(pattern, text):
            return phrase
    return "không đọc được tệp"


def stage(name: str | None) -> str:
    return STAGES.get(name or "", name or "")


# The district's level as the issuer block writes it (`parsers/words.toml` [district_level] tells it).
DISTRICT_LEVEL = {"thanh pho": "thành phố", "thi xa": "thị xã", "quan": "quận", "huyen": "huyện"}
