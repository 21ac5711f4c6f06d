"""The digest: cadence, content (HTML parsed), escaping of hostile unit strings, MIME shape, dry-run files."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
from html.parser import HTMLParser

import openpyxl
import pytest
from PIL import Image

from compile import chart, completeness, digest, outbox
from tests.storefill import add_failure, add_incident, add_message, add_report, at, fresh_store

NOW = at("2024-07-05 08:00")
SCRIPT = "<script>alert('x')</script>"
LONG = "Trường " + "Ư" * 5000


class Page(HTMLParser):
    """Tags with attributes, and the text under each element id."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text_by_id: dict[str, list[str]] = {}
        self.all_text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag not in ("img", "br", "meta"):
            self.stack.append(a.get("id", ""))

    def handle_endtag(self, tag):
        if tag not in ("img", "br", "meta") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.all_text.append(data)
        for i in self.stack:
            if i:
                self.text_by_id.setdefault(i, []).append(data)

    def items(self, ul_id: str) -> list[str]:
        return [t.strip() for t in self.text_by_id.get(ul_id, []) if t.strip()]


@pytest.fixture
def filled(tmp_path):
    cfg, db = fresh_store(tmp_path)
    add_report(db, "THPT-LOCNINH", "2024-06-20 09:00", {"tre_em_tong": 1250, "bl_so_vu": 2, "tntt_so_tre": 1})
    add_report(db, "THPT-LOCTHAI", "2024-07-02 09:00", {"tre_em_tong": 800, "xh_so_tre": SCRIPT}, method="text",
               warnings=[("xh_tinh_duc<=xh_so_tre", f"{SCRIPT} lớn hơn")])
    add_report(db, "PGD-BUDOP", "2024-06-29 09:00", {"tre_em_tong": 10000, "bl_so_vu": 1})
    add_incident(db, "THPT-LOCNINH", "2024-06-15", summary=f"{SCRIPT} =HYPERLINK(\"http://x\") {LONG}")
    mid = add_message(db, status="unplaced", received_at="2024-06-25 10:00", subject='<img src=x onerror="alert(1)">')
    add_failure(db, mid, reason="encrypted", filename=LONG + ".xlsx")
    return cfg, db


def test_digest_names_exactly_the_missing_units(filled):
    cfg, db = filled
    built = digest.build(db, cfg, "cttre", "2024S1", NOW)
    page = Page(built.html)
    reported = {"THPT-LOCNINH", "THPT-LOCTHAI", "PGD-BUDOP"}
    listed = [t.rstrip(",.") for t in page.items("chua-gui") if t.rstrip(",.") and not t.endswith("):")]
    missing = [u.name for u in cfg.units if u.code not in reported]
    assert len(listed) == len(missing) and all(name.endswith(short) for name, short in zip(missing, listed))
    assert "".join(page.text_by_id["tom-tat"]).startswith("Đã gửi: 3/50 đơn vị")
    assert "(6 %) — đúng hạn: 2, trễ hạn: 1" in " ".join("".join(page.text_by_id["tom-tat"]).split())
    assert built.subject == ("[Báo cáo công tác trẻ em] Tổng hợp báo cáo 6 tháng đầu năm 2024: 3/50 đơn vị"
                             " đã gửi (đến ngày 05/07/2024)")
    text = "".join(page.all_text)
    assert text.lstrip().startswith("Báo cáo công tác trẻ em")   # <title>, then the letter
    assert "Kính gửi:" in text and "Phòng Giáo dục Trung học" in text and "!" not in built.text
    rows = page.items("so-lieu")
    assert rows[rows.index("Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học") + 2] == "12.050"
    cases = page.items("vu-viec")
    assert "Trường THPT Lộc Ninh" in cases and "Phòng Giáo dục và Đào tạo Bù Đốp" in cases
    assert "Trường THPT Lộc Thái" not in cases                  # no case reported there
    assert ("- Trường THPT Lộc Ninh: Số vụ bạo lực học đường: 2; Số trẻ em bị tai nạn thương tích: 1\n"
            in built.text)


def test_chart_series_counts_first_reports_by_day(filled):
    cfg, db = filled
    comp = completeness.compute(db, cfg, "cttre", "2024S1", NOW)
    points = dict(chart.series(comp, *chart.window(comp, NOW.date())))
    assert min(points) == dt.date(2024, 6, 8) and max(points) == dt.date(2024, 7, 5)
    assert (points[dt.date(2024, 6, 19)], points[dt.date(2024, 6, 20)], points[dt.date(2024, 6, 29)],
            points[dt.date(2024, 7, 5)]) == (0, 1, 2, 3)


def test_hostile_strings_are_escaped(filled):
    cfg, db = filled
    built = digest.build(db, cfg, "cttre", "2024S1", NOW)
    page = Page(built.html)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags
    imgs = [a for t, a in page.tags if t == "img"]
    assert imgs == [imgs[0]] and imgs[0]["src"] == f"cid:{digest.CHART_CID}" and "onerror" not in imgs[0]
    admin = digest.build_admin(db, cfg, NOW)                             # the admin's list is its own mail
    text = "".join(page.all_text) + "".join(Page(admin.html).all_text)
    assert "script" not in [t for t, _ in Page(admin.html).tags]
    assert SCRIPT in text and '<img src=x onerror="alert(1)">' in text and '=HYPERLINK("http://x")' in text
    assert "&lt;script&gt;" in built.html
    assert len(built.html) < 60_000                                       # very long strings are cut
    assert SCRIPT in built.text and "&lt;" not in built.text              # plain text is not HTML-escaped


def test_queued_mime_shape(filled, tmp_path):
    cfg, db = filled
    row = digest.queue(db, cfg, "cttre", "2024S1", NOW, "after_due")
    assert row is not None and digest.queue(db, cfg, "cttre", "2024S1", NOW, "after_due") is None
    assert outbox.deliver(db, cfg, NOW).sent == 2                      # the head's digest and the admin's
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in (tmp_path / "outbox").glob("*-digest.eml")]
    (admin,) = [m for m in mails if m["Subject"].startswith("[Quản trị]")]
    assert not list(admin.iter_attachments()) and "Lệnh: baocao" in admin.get_body(("plain",)).get_content()
    (msg,) = [m for m in mails if m is not admin]
    assert msg["To"] == "trunghoc@binhphuoc.edu.vn" and msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/mixed"
    assert msg.get_body(("plain",)).get_content().startswith("Kính gửi: Lãnh đạo Phòng Giáo dục Trung học")
    html = msg.get_body(("html",)).get_content()
    png = next(p for p in msg.walk() if p.get_content_type() == "image/png")
    assert png["Content-ID"] == f"<{digest.CHART_CID}>" and f"cid:{digest.CHART_CID}" in html
    assert Image.open(io.BytesIO(png.get_content())).size == (640, 260)
    (xlsx,) = list(msg.iter_attachments())
    assert xlsx.get_filename() == "Tong-hop-cttre-2024S1-20240705.xlsx"
    assert "2024S1" in openpyxl.load_workbook(io.BytesIO(xlsx.get_content())).sheetnames


@pytest.mark.parametrize("now, expect", [
    ("2024-06-24 08:00", [("cttre", "2024S1", "weekly")]),      # Monday, period open
    ("2024-06-25 08:00", [("cttre", "2024S1", "weekly")]),      # caught up later in the week
    ("2024-05-27 08:00", []),                                   # Monday, but more than 30 days before due
    ("2024-07-01 08:00", [("cttre", "2024S1", "after_due")]),
    ("2024-07-06 08:00", [("cttre", "2024S1", "after_due")]),   # the daemon was down on 01/07
    ("2024-07-09 08:00", []),
    ("2024-11-11 08:00", [("cttre", "2024", "weekly")]),
])
def test_cadence(tmp_path, now, expect):
    cfg, db = fresh_store(tmp_path)
    assert digest.due(db, cfg, at(now)) == expect


def test_cadence_once_each(tmp_path):
    cfg, db = fresh_store(tmp_path)
    monday = at("2024-06-24 08:00")
    for r, p, reason in digest.due(db, cfg, monday):
        assert digest.queue(db, cfg, r, p, monday, reason) is not None
    assert digest.due(db, cfg, monday) == [] and digest.due(db, cfg, at("2024-06-26 08:00")) == []
    assert digest.due(db, cfg, at("2024-07-01 08:00")) == [("cttre", "2024S1", "after_due")]


def test_when_the_last_unit_reports(tmp_path):
    cfg, db = fresh_store(tmp_path)
    for u in cfg.units[:-1]:
        add_report(db, u.code, "2024-06-20 09:00", {"tre_em_tong": 10})
    friday = at("2024-06-21 08:00")
    assert digest.due(db, cfg, friday) == [("cttre", "2024S1", "weekly")]    # one missing: this week's digest
    digest.queue(db, cfg, "cttre", "2024S1", friday, "weekly")
    add_report(db, cfg.units[-1].code, "2024-06-21 09:00", {"tre_em_tong": 10})
    now = at("2024-06-21 10:00")
    assert digest.due(db, cfg, now) == [("cttre", "2024S1", "complete")]
    digest.queue(db, cfg, "cttre", "2024S1", now, "complete")
    assert digest.due(db, cfg, now) == [] and digest.due(db, cfg, at("2024-06-24 08:00")) == []
    built = digest.build(db, cfg, "cttre", "2024S1", now)
    assert Page(built.html).items("du") == ["Tất cả các đơn vị đã gửi báo cáo."]


def test_manual_and_no_recipients(filled):
    cfg, db = filled
    assert digest.queue(db, cfg, "cttre", "2024S1", NOW) is not None
    assert digest.queue(db, cfg, "cttre", "2024S1", at("2024-07-05 09:00"), "on demand") is not None
    assert digest.queue(db, cfg, "cttre", "2024S1", at("2024-07-05 09:30"), "on demand") is not None
    nobody = cfg._replace(digest=cfg.digest._replace(recipients=()))
    assert digest.queue(db, nobody, "cttre", "2024S1", at("2024-07-05 10:00")) is None


def test_incidents_since_the_last_digest(filled):
    cfg, db = filled
    digest.queue(db, cfg, "cttre", "2024S1", NOW, "after_due")
    add_incident(db, "THPT-BUDOP", "2024-07-06", "bao_luc", summary="Hai học sinh đánh nhau",
                 received_at="2024-07-06 10:00")
    page = Page(digest.build(db, cfg, "cttre", "2024S1", at("2024-07-08 08:00")).html)
    items = page.items("bao-cao-nhanh")
    assert len(items) == 1 and "Hai học sinh đánh nhau" in items[0] and "Bạo lực" in items[0]


def test_dry_run_files(filled, tmp_path):
    cfg, db = filled
    files = digest.write_files(digest.build(db, cfg, "cttre", "2024S1", NOW), tmp_path / "dry")
    assert sorted(f.suffix for f in files) == [".html", ".png", ".txt", ".xlsx"]
    assert all(f.stat().st_size > 0 for f in files)
    assert 'src="digest-cttre-2024S1.png"' in (tmp_path / "dry" / "digest-cttre-2024S1.html").read_text()
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_mid_period_totals_state_their_coverage_and_compare_only_the_same_units(tmp_path):
    """24 of 50 in: the year's total is not compared with the half-year's total over 50 units,
    only over the units that gave the figure in both periods — and it says over how many."""
    cfg, db = fresh_store(tmp_path)
    codes = [u.code for u in cfg.units]
    for n, code in enumerate(codes):                                     # the half-year: everyone
        add_report(db, code, "2024-06-20 09:00", {"tre_em_tong": 1000 + n}, period="2024S1")
    for n, code in enumerate(codes[:24]):                                # the year, so far: 24 units
        add_report(db, code, "2024-11-20 09:00", {"tre_em_tong": 1100 + n} if n else {}, period="2024")
    built = digest.build(db, cfg, "cttre", "2024", at("2024-11-25 08:00"))
    line = next(ln for ln in built.text.splitlines() if ln.startswith("- Tổng số trẻ em"))
    now = sum(1100 + n for n in range(1, 24))
    before = sum(1000 + n for n in range(1, 24))
    assert f"(23/24 đơn vị có số liệu)" in line
    assert f"trên cùng 23 đơn vị: kỳ trước {before:,}".replace(",", ".") in line
    assert f"chênh lệch {now - before:,}".replace(",", ".") in line
    assert "Đã gửi: 24/50 đơn vị (48 %) — đúng hạn: 24, trễ hạn: 0." in built.text
    assert "Theo loại đơn vị:" in built.text and "Theo huyện" in built.text


def test_the_heads_digest_has_no_private_address_and_no_admin_list(filled):
    cfg, db = filled
    add_report(db, "THPT-DONGXOAI", "2024-06-21 09:00", {"tre_em_tong": 5}, from_addr="co.lan.gv@gmail.com",
               warnings=[("x", "Thư của co.lan.gv@gmail.com: số liệu lạ")])
    db.execute("UPDATE messages SET flags = '[\"personal-address\"]' WHERE from_addr = 'co.lan.gv@gmail.com'")
    built = digest.build(db, cfg, "cttre", "2024S1", NOW)
    assert "gmail.com" not in built.text and "gmail.com" not in built.html
    assert "(địa chỉ cá nhân)" in built.text
    assert "quản trị" not in built.text.lower() and "Thư số" not in built.text
    admin = digest.build_admin(db, cfg, NOW)
    assert "co.lan.gv@gmail.com" in admin.text and "địa chỉ cá nhân" in admin.text
    assert "baocao assign" in admin.text and admin.recipients == ("trunghoc@binhphuoc.edu.vn",)


def test_long_lists_are_capped_and_identical_lines_said_once(tmp_path):
    cfg, db = fresh_store(tmp_path)
    for n, u in enumerate(cfg.units[:40]):
        add_report(db, u.code, "2024-06-20 09:00", {"tre_em_tong": n},
                   warnings=[("r", "Số liệu âm"), ("r2", f"Lỗi riêng {n}")])
    built = digest.build(db, cfg, "cttre", "2024S1", NOW)
    block = built.text.split("4. Số liệu cần kiểm tra")[1]
    assert block.count("\n- ") <= digest.MAX_LIST + 2
    assert "cảnh báo khác — xem tệp đính kèm" in block
