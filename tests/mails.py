"""Builders of raw test mails with the oddities of real ones."""
from __future__ import annotations

import datetime as dt
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

TZ = dt.timezone(dt.timedelta(hours=7))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build(subject: str = "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", sender: str = "Trường THPT Lộc Ninh <thptlocninh@binhphuoc.edu.vn>",
          body: str = "Kính gửi Sở GDĐT, đơn vị gửi báo cáo.", when: dt.datetime | None = None,
          files: list[tuple[bytes, str, str]] = (), message_id: str | None = "<t-1@example.vn>",
          headers: dict[str, str] | None = None) -> bytes:
    when = when or dt.datetime(2024, 6, 20, 9, 0, tzinfo=TZ)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = "trunghoc@binhphuoc.edu.vn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    if message_id:
        msg["Message-ID"] = message_id
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    for data, name, mime in files:
        main, sub = mime.split("/", 1)
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_bytes()


def write_maildir(folder, mails: list[bytes], start: int = 0) -> list[str]:
    names = []
    for i, raw in enumerate(mails, start=start):
        name = f"{1718000000 + i}.M{i}P1.test:2,S"
        (folder / "cur" / name).write_bytes(raw)
        names.append(name)
    return names
