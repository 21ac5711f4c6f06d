"""Corpus 4: a mailbox of the division, written without reading the parsers or the classifier.

    python3 -m tests.corpus4.make_corpus OUT_DIR [--seed N]

writes OUT_DIR/maildir (the mails), OUT_DIR/units.csv and OUT_DIR/truth.json (what a careful
human reader of each mail would record). The same seed gives the same bytes; another seed gives
another corpus of the same shape (the same classes and realisations, other units, figures, wording,
layouts and dates).

The classes it aims at (each realised many ways, see TRAITS in the truth file):
legacy encodings inside documents (TCVN3, VNI), two periods in one file, reshaped forms,
supplements and resends, incidents, hostile files, questions that are not reports, units' habits
(pictures, text boxes, merged cells, "x"/"-", ranges, thousands separators, text numbers, formulas,
hidden rows and sheets), and a majority of ordinary reports among the division's other mail.

Truth per value: "req" (a reader takes this number), "opt" (this number or nothing: a picture of a
table, two numbers in one cell), "none" (no number: a blank, "x", a range, a row the unit deleted),
"unk" (a reader would be unsure: not scored).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import random
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import mailer
from .forms import (BY_CODE, CODES, PERIOD_LABEL, Formula, Row, Table, Written, gen_values, other_values,
                    vn_thousands)
from .layout import Layout, Unit, closing, letterhead_blocks, make_table, narrative, period_line, template_title
from .writers import (Grid, P, PageBreak, Pair, Picture, Sheet, TextBox, cfb_encrypted_package, grid_from_table,
                      photo_jpeg, render_png, truncated, write_docx, write_html_xls, write_pdf, write_scanned_pdf,
                      write_xls, write_xlsx, zip_encrypted_looking, zip_of)

HERE = Path(__file__).resolve().parent
TZ = mailer.TZ
NOW = "2025-01-06T08:00:00+07:00"   # the poll's clock: after every mail of the corpus

ORDINARY_HABITS = {"dash": 0.2, "khong": 0.04, "zero_blank": 0.04, "text_number": 0.06,
                   "thousands_dot": 0.15, "leading_zero": 0.3, "with_unit": 0.02}
PERSONS = ["Nguyễn Thị Thu Hà", "Trần Văn Bình", "Lê Thị Hồng Nhung", "Phạm Minh Đức", "Hoàng Thị Lan Anh",
           "Võ Văn Tài", "Đặng Thị Mỹ Linh", "Bùi Quang Huy", "Ngô Thị Kim Oanh", "Huỳnh Văn Lộc",
           "Dương Thị Ngọc Ánh", "Lý Văn Khánh", "Trịnh Thị Thanh Tâm", "Phan Văn Hậu", "Mai Thị Diệu"]


def ascii_fold(s: str) -> str:
    s = s.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFD", s).encode("ascii", "ignore").decode("ascii")


def load_units(path: Path) -> list[Unit]:
    out = []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.append(Unit(r["code"], r["name"], r["kind"], r["district"], r["emails"].split(";")[0],
                            [a for a in r["aliases"].split(";") if a]))
    return out


@dataclass
class MailTruth:
    name: str
    cls: str
    trait: str
    status: str
    unit: str | None = None
    report: str | None = None
    period: str | None = None
    received: str = ""
    subject: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    expect_failure: bool = False
    case: str | None = None
    note: str = ""
    sha256: str = ""
    sender_known: int | None = None


class Corpus:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 4)
        self.units = load_units(HERE / "units.csv")
        self.by_code = {u.code: u for u in self.units}
        self.mails: list[tuple[MailTruth, bytes, dt.datetime]] = []
        # slot "UNIT|PERIOD" -> code -> {kind, value, trait, fmt, cls, mail}
        self.values: dict[str, dict[str, dict[str, Any]]] = {}
        self.decoys: dict[str, dict[str, list[int]]] = {}
        self.slot_cls: dict[str, str] = {}
        self.cases: list[dict[str, Any]] = []
        self.checks: list[dict[str, Any]] = []       # supplement / resend checks
        self.n = 0
        self.figures: dict[str, dict[str, dict[str, int]]] = {}

    # ------------------------------------------------------------ truth helpers
    def set_full(self, u: Unit, period: str, truth: dict[str, Written], fmt: str, cls: str, mail: str,
                 decoys: dict[str, list[int]] | None = None, downgrade: str | None = None) -> None:
        key = f"{u.code}|{period}"
        vals = {}
        for code in CODES:
            w = truth.get(code, Written(None, "none", None, "absent"))
            kind = w.kind
            if downgrade and kind == "req":
                kind = downgrade
            vals[code] = {"kind": kind, "value": w.value, "trait": w.trait, "fmt": fmt, "cls": cls, "mail": mail,
                          "label": w.label, "written": w.cell if isinstance(w.cell, (int, str)) or w.cell is None
                          else f"={getattr(w.cell, 'expr', '')}"}
        self.values[key] = vals
        self.decoys[key] = {k: list(v) for k, v in (decoys or {}).items()}

    def merge(self, u: Unit, period: str, truth: dict[str, Written], fmt: str, cls: str, mail: str) -> None:
        key = f"{u.code}|{period}"
        for code, w in truth.items():
            old = self.values[key][code]
            if old["value"] is not None and old["value"] != w.value:
                self.decoys[key].setdefault(code, []).append(old["value"])
            self.values[key][code] = {"kind": w.kind, "value": w.value, "trait": w.trait, "fmt": fmt,
                                      "cls": cls, "mail": mail, "label": BY_CODE[code][2], "written": w.value}

    # ------------------------------------------------------------ mails
    def add(self, truth: MailTruth, raw: bytes, received: dt.datetime) -> MailTruth:
        truth.received = received.isoformat()
        truth.sha256 = hashlib.sha256(raw).hexdigest()
        self.mails.append((truth, raw, received))
        return truth

    def next_name(self, tag: str) -> str:
        self.n += 1
        return f"c4-{self.n:03d}-{tag}"

    def sender(self, u: Unit, mode: str, rng: random.Random) -> tuple[str | None, str, str, int]:
        """(display name, address, mailer, sender_known)"""
        if mode == "official":
            name = rng.choice([u.name, u.short, ascii_fold(u.short), f"Văn thư {u.short}", None, u.name.upper()])
            return name, u.email, rng.choice(["zimbra", "zimbra", "outlook", "thunderbird"]), 1
        person = rng.choice(PERSONS)
        local = ascii_fold(person).lower().replace(" ", "")[-10:] + ascii_fold(u.short).lower().replace(" ", "")[-6:]
        local = "".join(c for c in local if c.isalnum()) + str(rng.randrange(70, 99))
        domain = rng.choice(["gmail.com", "gmail.com", "gmail.com", "yahoo.com"])
        m = "yahoo" if domain == "yahoo.com" else rng.choice(["gmail", "gmail", "phone"])
        if mode == "personal":
            name = rng.choice([f"{person} - {u.short}", f"{u.short}", f"{ascii_fold(u.short)}",
                               f"{person} ({u.short})"])
        else:
            name = rng.choice([person, ascii_fold(person), None])
        return name, f"{local}@{domain}", m, 0

    def subject(self, u: Unit, period: str | None, rng: random.Random, with_unit: bool, style: str = "any") -> str:
        lab = {"2024S1": "6 tháng đầu năm 2024", "2024": "năm 2024", None: ""}[period]
        short = u.short
        if period == "2024S1":
            forms = ["Báo cáo công tác trẻ em {lab}", "Báo cáo sơ kết công tác trẻ em {lab}",
                     "V/v báo cáo công tác bảo vệ, chăm sóc trẻ em {lab}", "BC công tác trẻ em {lab}",
                     "Gửi báo cáo CTTE {lab}", "Báo cáo kết quả công tác trẻ em {lab}"]
        elif period == "2024":
            forms = ["Báo cáo công tác trẻ em {lab}", "Báo cáo tổng kết công tác trẻ em {lab}",
                     "V/v báo cáo công tác bảo vệ, chăm sóc trẻ em {lab}", "BC công tác trẻ em {lab}",
                     "Gửi báo cáo CTTE {lab}", "Báo cáo công tác trẻ em cả {lab}"]
        else:
            forms = ["Báo cáo công tác trẻ em", "Gửi báo cáo công tác trẻ em", "BC công tác bảo vệ trẻ em"]
        s = rng.choice(forms).format(lab=lab).strip()
        if with_unit:
            forms_u = [f"{s} - {short}", f"{short} - {s}", f"{s} ({short})"]
            if not s.lower().startswith("gửi"):
                forms_u.append(f"{short} gửi {s[0].lower() + s[1:] if s[1:2].islower() else s}")
            s = rng.choice(forms_u)
        st = style if style != "any" else rng.choice(["plain"] * 6 + ["ascii", "upper"])
        if st == "ascii":
            s = ascii_fold(s)
        elif st == "upper":
            s = s.upper()
        return s

    def body(self, u: Unit, period: str | None, rng: random.Random, extra: str = "", ascii_: bool = False) -> str:
        lab = PERIOD_LABEL.get(period or "", "")
        person = rng.choice(PERSONS)
        forms = [
            f"Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT Bình Phước.\n\n{u.name} gửi báo cáo công tác trẻ em "
            f"{lab} (file đính kèm).\n{extra}\nTrân trọng.\n\n--\n{person}\n{u.name}",
            f"Kính gửi quý Sở,\n\n{u.short} xin gửi báo cáo công tác trẻ em {lab}. Kính mong quý Sở tiếp nhận.\n{extra}\n"
            f"Trân trọng cảm ơn.\n{person}",
            f"Dạ em gửi báo cáo công tác trẻ em {lab} của đơn vị ạ.\n{extra}\nEm cảm ơn ạ.\n{person} - {u.short}",
            f"Kính gửi: Sở GDĐT (Phòng GDTrH)\n\nĐơn vị {u.short} gửi báo cáo kèm theo, gồm văn bản và file số liệu.\n"
            f"{extra}\nTrân trọng!\n\n{person}\nĐT: 0271.38{rng.randrange(10000, 99999)}",
        ]
        b = rng.choice(forms)
        return ascii_fold(b) if ascii_ else b

    # ------------------------------------------------------------ files
    def fname(self, u: Unit, period: str, ext: str, rng: random.Random) -> str:
        p = {"2024S1": ["6 tháng đầu năm 2024", "6 thang 2024", "6T_2024", "so ket 2024"],
             "2024": ["năm 2024", "nam 2024", "2024", "tong ket 2024"]}[period]
        base = rng.choice([
            f"Báo cáo công tác trẻ em {p[0]}", f"BC CTTE {p[1]} - {ascii_fold(u.short)}",
            f"BaoCao_CTTE_{p[2]}_{ascii_fold(u.short).replace(' ', '')}", f"bao cao tre em {p[3]}",
            f"Bieu so lieu CTTE {p[1]}", f"{ascii_fold(u.short)} - BC tre em {p[1]}",
        ])
        return f"{base}.{ext}"

    def sheet_doc(self, u: Unit, period: str, when: dt.datetime, grid: Grid, title: str,
                  legacy: str | None, rng: random.Random) -> list[Any]:
        if title == "letterhead":
            head = letterhead_blocks(u, period, when, rng, legacy) + [
                P(f"(Kèm theo Báo cáo số {rng.randrange(10, 200)}/BC-{u.symbol()})", legacy, italic=True,
                  align="center"),
                P(f"Đơn vị: {u.name}", legacy), P(period_line(period, rng), legacy), P("", None)]
        elif title == "template":
            head = template_title(u, period, rng, legacy)
        elif title == "minimal":
            head = [P(f"BIỂU SỐ LIỆU CÔNG TÁC TRẺ EM {PERIOD_LABEL[period].upper()} - {u.name.upper()}",
                      legacy, bold=True)]
        else:
            head = []
        tail = [P("", None), Pair(P("Người lập biểu", legacy, bold=True, align="center"),
                                  P("Thủ trưởng đơn vị", legacy, bold=True, align="center"))]
        return head + [grid] + tail

    def word_doc(self, u: Unit, period: str, when: dt.datetime, grids: list[Any], values: dict[str, int],
                 legacy: str | None, rng: random.Random, figures_in_text: bool = True,
                 between: list[Any] | None = None) -> list[Any]:
        blocks = letterhead_blocks(u, period, when, rng, legacy) + narrative(
            u, period, values, rng, legacy, with_figures=figures_in_text)
        for i, g in enumerate(grids):
            if i and between:
                blocks += between
            blocks.append(g)
        blocks += [P("III. ĐÁNH GIÁ CHUNG", legacy, bold=True),
                   P("Công tác bảo vệ, chăm sóc trẻ em được triển khai đồng bộ, đúng kế hoạch; không có vụ việc "
                     "nghiêm trọng xảy ra trong đơn vị.", legacy, align="justify")]
        return blocks + closing(u, rng, legacy)

    def standard_layout(self, rng: random.Random, fmt: str, code_col: bool | None = None) -> Layout:
        cols = ["stt", "label", "dvt", "val", "note"]
        if code_col or (code_col is None and fmt in ("xlsx", "xls") and rng.random() < 0.45):
            cols = ["stt", "code", "label", "dvt", "val", "note"]
        elif rng.random() < 0.3:
            cols = ["stt", "label", "val", "note"]
        elif rng.random() < 0.2:
            cols = ["stt", "label", "val"]
        lay = Layout(cols=cols, habits=dict(ORDINARY_HABITS))
        lay.headers["label"] = rng.choice(["Chỉ tiêu", "Nội dung", "Nội dung chỉ tiêu", "Chỉ tiêu thống kê"])
        lay.headers["dvt"] = rng.choice(["Đơn vị tính", "ĐVT"])
        lay.section_style = rng.choice(["short", "short", "roman"])
        lay.stt_style = "roman" if lay.section_style == "roman" and rng.random() < 0.7 else "arabic"
        return lay

    def plain_file(self, u: Unit, period: str, when: dt.datetime, vals: dict[str, int], fmt: str,
                   rng: random.Random, lay: Layout | None = None, title: str | None = None,
                   legacy: str | None = None, scope: str = "all", name: str | None = None,
                   sheet: str | None = None) -> tuple[tuple[str, bytes, str], dict[str, Written], dict[str, list[int]]]:
        """One report file of the ordinary kind in the given format."""
        lay = lay or self.standard_layout(rng, fmt)
        table, truth, decoys = make_table(rng, lay, {"val": vals}, fmt)
        grid = grid_from_table(table, legacy, scope, rng)
        tleg = legacy if scope == "all" else None
        if fmt == "xlsx":
            sh = sheet or rng.choice(["BaoCao", "Sheet1", "CTTE", "Biểu mẫu", "So lieu"])
            data = write_xlsx([Sheet(sh, self.sheet_doc(u, period, when, grid, title or rng.choice(
                ["template", "template", "letterhead", "minimal"]), tleg, rng))])
        elif fmt == "xls":
            data = write_xls([Sheet(sheet or "Sheet1", self.sheet_doc(u, period, when, grid, title or rng.choice(
                ["template", "minimal"]), tleg, rng))])
        elif fmt == "docx":
            data = write_docx(self.word_doc(u, period, when, [grid], vals, tleg, rng,
                                            figures_in_text=rng.random() < 0.5))
        elif fmt == "pdf":
            data = write_pdf(self.word_doc(u, period, when, [grid], vals, None, rng,
                                           figures_in_text=rng.random() < 0.5))
        else:
            raise ValueError(fmt)
        return (name or self.fname(u, period, fmt, rng), data, fmt), truth, decoys

    def send_report(self, u: Unit, period: str | None, when: dt.datetime, files: list[tuple[str, bytes, str]],
                    cls: str, trait: str, rng: random.Random, *, status: str = "report",
                    expect_period: str | None = None, mode: str | None = None, subject: str | None = None,
                    body: str | None = None, failure: bool = False, note: str = "",
                    subject_style: str = "any", forwarded: bytes | None = None, name_style: str | None = None,
                    in_reply_to: str | None = None, tag: str = "") -> MailTruth:
        mode = mode or rng.choices(["official", "personal", "anon"], [0.74, 0.21, 0.05])[0]
        fname, faddr, mprog, known = self.sender(u, mode, rng)
        named_in_from = fname is not None and (u.short in fname or ascii_fold(u.short) in fname)
        subj = subject or self.subject(u, period, rng, with_unit=(mode != "official" and not named_in_from)
                                       or rng.random() < 0.5, style=subject_style)
        b = body if body is not None else self.body(u, period, rng, ascii_=rng.random() < 0.08)
        date = when - dt.timedelta(seconds=rng.randrange(5, 90))
        domain = faddr.split("@")[1]
        mid = mailer.msgid(rng, domain)
        raw = mailer.build(from_name=fname, from_addr=faddr, subject=subj, body=b, date=date, received=when,
                           msgid=mid, rng=rng, mailer=mprog, attachments=files,
                           name_style=name_style or rng.choice(["rfc2047", "rfc2047", "rfc2231"]),
                           subject_style="q" if mprog in ("outlook", "zimbra") and rng.random() < 0.5 else "b",
                           forwarded=forwarded, in_reply_to=in_reply_to)
        t = MailTruth(self.next_name(tag or cls), cls, trait, status, u.code, "cttre" if status in (
            "report", "duplicate", "unplaced") else None, expect_period or period, subject=subj,
            files=[{"name": n, "fmt": k} for n, _, k in files], expect_failure=failure, note=note,
            sender_known=known if status in ("report", "duplicate") else None)
        if status == "unplaced":
            t.unit = None
        t.note = t.note or mid
        self.add(t, raw, when)
        t.__dict__["message_id_header"] = mid
        return t


# ==================================================================== the slots' scenarios
def dtl(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def rand_when(rng: random.Random, period: str, late: bool = False) -> dt.datetime:
    if period == "2024S1":
        start, days = (dtl(2024, 7, 1), 12) if late else (dtl(2024, 6, 10), 20)
    else:
        start, days = (dtl(2024, 12, 11), 9) if late else (dtl(2024, 11, 25), 15)
    d = start + dt.timedelta(days=rng.randrange(days))
    return d.replace(hour=rng.randrange(7, 17), minute=rng.randrange(60), second=rng.randrange(60))


def pct(a: int, b: int) -> str | None:
    if not b:
        return None
    return f"{a * 100 / b:.1f}".replace(".", ",")


def signed(a: int, b: int) -> str:
    d = a - b
    return f"+{d}" if d > 0 else (f"{d}" if d < 0 else "0")


class Scenarios(Corpus):
    """One method per realisation; each sends the mail(s) of one unit's slot and records the truth."""

    # ---------------------------------------------------------------- ordinary
    def ordinary(self, u: Unit, period: str, when: dt.datetime, rng: random.Random, trait: str) -> None:
        v = self.figures[u.code][period]
        cls = "ordinary"
        if trait == "xlsx_template":
            lay = self.standard_layout(rng, "xlsx", code_col=True)
            lay.label_style = "canonical"
            lay.headers.update({"label": "Chỉ tiêu", "dvt": "Đơn vị tính"})
            lay.section_style, lay.stt_style = "short", "arabic"
            lay.cols = ["stt", "code", "label", "dvt", "val", "note"]
            f, truth, dec = self.plain_file(u, period, when, v, "xlsx", rng, lay, title="template", sheet="BaoCao")
            files, fmt = [f], "xlsx"
        elif trait in ("xlsx_own", "docx_table", "pdf_text", "xls"):
            fmt = {"xlsx_own": "xlsx", "docx_table": "docx", "pdf_text": "pdf", "xls": "xls"}[trait]
            f, truth, dec = self.plain_file(u, period, when, v, fmt, rng)
            files = [f]
        elif trait in ("docx+xlsx", "zip"):
            lay = self.standard_layout(rng, "xlsx")
            lay.habits["zero_blank"] = 0.0
            fx, truth, dec = self.plain_file(u, period, when, v, "xlsx", rng, lay)
            lay2 = self.standard_layout(rng, "docx")
            lay2.habits["zero_blank"] = 0.0
            fd, _t2, _ = self.plain_file(u, period, when, v, "docx", rng, lay2)
            if trait == "zip":
                files = [(self.fname(u, period, "zip", rng), zip_of([(fx[0], fx[1]), (fd[0], fd[1])]), "zip")]
                fmt = "zip"
            else:
                files, fmt = [fd, fx], "multi"
        elif trait == "docx+scan":
            f, truth, dec = self.plain_file(u, period, when, v, "docx", rng)
            scan = render_png(letterhead_blocks(u, period, when, rng) + [
                P("Kính gửi: Sở Giáo dục và Đào tạo Bình Phước."),
                P(f"{u.name} gửi báo cáo công tác trẻ em {PERIOD_LABEL[period]} (kèm theo biểu số liệu)."),
                P("Trân trọng./.")], noise=0.002, seed=rng.randrange(1 << 30))
            files = [f, (f"Scan_{ascii_fold(u.short).replace(' ', '_')}.pdf", write_scanned_pdf(scan), "pdf")]
            fmt = "docx"
        elif trait == "forwarded":
            f, truth, dec = self.plain_file(u, period, when, v, rng.choice(["xlsx", "docx"]), rng)
            fmt = f[2]
            inner_when = when - dt.timedelta(hours=rng.randrange(2, 30))
            inner = mailer.build(from_name=u.name, from_addr=u.email, subject=self.subject(u, period, rng, True, "plain"),
                                 body=self.body(u, period, rng), date=inner_when, received=inner_when,
                                 msgid=mailer.msgid(rng, "binhphuoc.edu.vn"), rng=rng, mailer="zimbra",
                                 attachments=[f], to=f"{ascii_fold(rng.choice(PERSONS)).lower().replace(' ', '')}@gmail.com")
            person = rng.choice(PERSONS)
            t = self.send_report(u, period, when, [], cls, trait, rng, mode="personal",
                                 subject="Fwd: " + self.subject(u, period, rng, True, "plain"),
                                 body=f"Em chuyển tiếp báo cáo của đơn vị {u.short} ạ.\n{person}",
                                 forwarded=inner)
            t.files = [{"name": f[0], "fmt": fmt}]
            self.set_full(u, period, truth, fmt, cls, t.name, dec)
            return
        else:
            raise ValueError(trait)
        t = self.send_report(u, period, when, files, cls, trait, rng)
        self.set_full(u, period, truth, fmt, cls, t.name, dec)

    # ---------------------------------------------------------------- legacy encodings
    def legacy(self, u: Unit, period: str, when: dt.datetime, rng: random.Random, trait: str) -> None:
        v = self.figures[u.code][period]
        enc = "vni" if trait.startswith("vni") else "tcvn3"
        kw: dict[str, Any] = {}
        fmt = "xlsx" if "xlsx" in trait else ("xls" if "xls" in trait else "docx")
        scope = "all"
        if trait.endswith("_sections"):
            scope = "sections"
        elif trait.endswith("_some"):
            scope = "some"
        elif trait.endswith("_labels"):
            scope = "labels"
        lay = self.standard_layout(rng, fmt)
        if trait == "tcvn3_docx_mixed_runs":
            table, truth, dec = make_table(rng, lay, {"val": v}, "docx")
            for row in table.rows:
                words = row.text.split(" ")
                if row.kind == "ind" and len(words) > 2 and rng.random() < 0.7:
                    k = rng.randrange(1, len(words) - 1)
                    row.text = [(" ".join(words[:k]) + " ", None), (" ".join(words[k:]), "tcvn3")]  # type: ignore
            grid = grid_from_table(table, None, "all", rng)
            data = write_docx(self.word_doc(u, period, when, [grid], v, None, rng, figures_in_text=False))
            files = [(self.fname(u, period, "docx", rng), data, "docx")]
        else:
            f, truth, dec = self.plain_file(u, period, when, v, fmt, rng, lay, legacy=enc, scope=scope,
                                            title="letterhead" if fmt == "xlsx" and rng.random() < 0.4 else None)
            files = [f]
        if trait == "tcvn3_docx_unit_only_in_doc":
            kw = {"mode": "anon", "subject": self.subject(u, period, rng, False, "ascii"),
                  "body": "Em gui bao cao a.\nEm cam on."}
        if trait == "tcvn3_subject":
            kw = {"mode": "official", "subject_style": "plain"}
            t = self.send_report(u, period, when, files, "legacy", trait, rng, **kw)
            # the subject as the TCVN3 keyboard driver typed it
            raw = self.mails[-1][1]
            subj_hdr = mailer.enc_header(t.subject, "q" if "=?utf-8?q?" in raw.decode("ascii", "replace") else "b")
            new_hdr = mailer.enc_header(t.subject, "tcvn3")
            txt = raw.decode("latin-1")
            start = txt.index("\nSubject: ") + 10
            end = txt.index("\nFrom: ", start)
            raw2 = (txt[:start] + new_hdr + txt[end:]).encode("latin-1")
            self.mails.pop()
            _ = subj_hdr
            self.add(t, raw2, when)
        else:
            t = self.send_report(u, period, when, files, "legacy", trait, rng, **kw)
        self.set_full(u, period, truth, fmt, "legacy", t.name, dec)

    # ---------------------------------------------------------------- two periods in one file
    def two_periods(self, u: Unit, period: str, when: dt.datetime, rng: random.Random, trait: str) -> None:
        v = self.figures[u.code][period]
        s1 = self.figures[u.code]["2024S1"]
        prev = other_values(rng, v)
        cls = "two_periods"
        subject = None
        downgrade = None
        if trait in ("sheets_s1_year", "sheets_subject_silent", "sheets_cungky_s1", "xls_sheets"):
            fmt = "xls" if trait == "xls_sheets" else "xlsx"
            if period == "2024":
                pairs = [("6 tháng đầu năm 2024", "2024S1", s1, False), ("Năm 2024", "2024", v, True)]
            else:
                pairs = [("6 tháng đầu năm 2024", "2024S1", v, True), ("6 tháng đầu năm 2023", "2024S1", prev, False)]
            if fmt == "xls":
                pairs = [(ascii_fold(a), b, c, d) for a, b, c, d in pairs]
            if rng.random() < 0.5:
                pairs.reverse()
            sheets = []
            lay = self.standard_layout(rng, fmt)
            truth, dec = {}, {}
            for name, per, vals, exp in pairs:
                table, tr, _ = make_table(random.Random(rng.random()), lay, {"val": vals}, fmt)
                grid = grid_from_table(table)
                blocks = self.sheet_doc(u, per, when, grid, "template", None, rng)
                if name.endswith("2023"):   # last year's sheet says so in its title
                    blocks[2] = P("Kỳ báo cáo: 6 tháng đầu năm 2023 (cùng kỳ)", align="center")
                sheets.append(Sheet(name, blocks))
                if exp:
                    truth = tr
                else:
                    dec = {c: [x] for c, x in vals.items()}
            data = write_xlsx(sheets) if fmt == "xlsx" else write_xls(sheets)
            files = [(self.fname(u, period, fmt, rng), data, fmt)]
            if trait == "sheets_subject_silent":
                subject = self.subject(u, None, rng, True, "plain")
        elif trait == "docx_two_tables":
            fmt = "docx"
            lay = self.standard_layout(rng, "docx")
            t1, _, _ = make_table(random.Random(rng.random()), lay, {"val": s1}, fmt)
            t2, truth, _ = make_table(random.Random(rng.random()), lay, {"val": v}, fmt)
            dec = {c: [x] for c, x in s1.items()}
            blocks = letterhead_blocks(u, period, when, rng) + narrative(u, period, v, rng, with_figures=False)
            blocks += [P("Biểu 1. Số liệu 6 tháng đầu năm 2024", bold=True), grid_from_table(t1),
                       P("Biểu 2. Số liệu cả năm 2024", bold=True), grid_from_table(t2)] + closing(u, rng)
            files = [(self.fname(u, period, "docx", rng), write_docx(blocks), "docx")]
        else:
            fmt = {"cols_s1_year": "xlsx", "cols_cungky": "xlsx", "cols_2023_2024_diff": "xlsx",
                   "docx_cols_s1": "docx", "cols_namhoc": "xlsx", "pdf_cols_year": "pdf",
                   "kynay_cungky": "xlsx"}[trait]
            lay = self.standard_layout(rng, fmt)
            lay.cols = ["stt", "label", "dvt", "v_prev", "val", "note"]
            colvals: dict[str, dict[str, Any]] = {"val": v, "v_prev": prev}
            cur = "Năm 2024" if period == "2024" else "6 tháng đầu năm 2024"
            if trait == "cols_s1_year":
                colvals["v_prev"] = s1
                lay.extra_vals = [("v_prev", "6 tháng đầu năm 2024")]
                lay.headers["val"] = rng.choice(["Năm 2024", "Cả năm 2024"])
            elif trait == "cols_cungky":
                lay.cols = ["stt", "label", "v_prev", "val", "v_cmp"]
                lay.extra_vals = [("v_prev", "Cùng kỳ năm 2023" if period == "2024S1" else "Cùng kỳ năm trước"),
                                  ("v_cmp", "So sánh (%)")]
                colvals["v_cmp"] = {c: pct(v[c], prev[c]) for c in CODES}
                lay.headers["val"] = cur
            elif trait == "cols_2023_2024_diff":
                lay.cols = ["stt", "label", "dvt", "v_prev", "val", "v_diff"]
                lay.extra_vals = [("v_prev", "Năm 2023"), ("v_diff", "Tăng (+), giảm (-)")]
                colvals["v_diff"] = {c: signed(v[c], prev[c]) for c in CODES}
                lay.headers["val"] = "Năm 2024"
            elif trait == "docx_cols_s1":
                lay.cols = ["stt", "label", "v_prev", "val", "note"]
                lay.extra_vals = [("v_prev", "6 tháng đầu năm 2023")]
                lay.headers["val"] = "6 tháng đầu năm 2024"
            elif trait == "cols_namhoc":
                lay.cols = ["stt", "label", "v_prev", "val"]
                lay.extra_vals = [("v_prev", "Năm học 2022-2023")]
                lay.headers["val"] = "Năm học 2023-2024"
                downgrade = "opt"   # a school year is not the half-year: a reader may take it or leave it
            elif trait == "pdf_cols_year":
                lay.cols = ["stt", "label", "v_prev", "val"]
                lay.extra_vals = [("v_prev", "Năm 2023")]
                lay.headers["val"] = "Năm 2024"
            elif trait == "kynay_cungky":
                lay.cols = ["stt", "label", "dvt", "val", "v_prev"]
                lay.extra_vals = [("v_prev", "Cùng kỳ năm trước")]
                lay.headers["val"] = "Kỳ này"
            table, truth, dec = make_table(rng, lay, colvals, fmt)
            grid = grid_from_table(table)
            if fmt == "xlsx":
                data = write_xlsx([Sheet("BaoCao", self.sheet_doc(u, period, when, grid, rng.choice(
                    ["template", "letterhead"]), None, rng))])
            elif fmt == "docx":
                data = write_docx(self.word_doc(u, period, when, [grid], v, None, rng, figures_in_text=False))
            else:
                data = write_pdf(self.word_doc(u, period, when, [grid], v, None, rng, figures_in_text=False))
            files = [(self.fname(u, period, fmt, rng), data, fmt)]
        t = self.send_report(u, period if not subject else None, when, files, cls, trait, rng,
                             subject=subject, expect_period=period,
                             body=self.body(u, None, rng) if subject else None, mode="official" if subject else None)
        self.set_full(u, period, truth, fmt, cls, t.name, dec, downgrade=downgrade)

    # ---------------------------------------------------------------- reshaped forms
    def reshaped(self, u: Unit, period: str, when: dt.datetime, rng: random.Random, trait: str) -> None:
        v = self.figures[u.code][period]
        cls = "reshaped"
        fmt = "docx" if "docx" in trait else ("pdf" if "pdf" in trait else ("xls" if "xls_" in trait else "xlsx"))
        lay = self.standard_layout(rng, fmt, code_col=False)
        title = None
        merge_sections = False
        if trait.startswith("docx_split"):
            lay.cols = ["stt", "label", "dvt", "val", "note"]
            table, truth, dec = make_table(rng, lay, {"val": v}, fmt)
            cut = next(i for i, r in enumerate(table.rows) if r.kind == "sec" and i > 6 and rng.random() < 0.6
                       or (r.kind == "sec" and i > 12))
            first = Table(table.columns, table.rows[:cut])
            rest = Table(table.columns, table.rows[cut:])
            g1 = grid_from_table(first)
            g2 = grid_from_table(rest)
            if trait == "docx_split_no_header":
                g2.cells = g2.cells[1:]
                between = [PageBreak(), P("(tiếp theo)", italic=True, align="right")]
            else:
                between = [PageBreak()]
            data = write_docx(self.word_doc(u, period, when, [g1, g2], v, None, rng, figures_in_text=False,
                                            between=between))
            files = [(self.fname(u, period, "docx", rng), data, "docx")]
        elif trait == "grade_columns_total":
            lay.cols = ["stt", "label", "g10", "g11", "g12", "val"]
            lay.extra_vals = [("g10", "Khối 10"), ("g11", "Khối 11"), ("g12", "Khối 12")]
            lay.headers["val"] = "Tổng cộng"
            g = {"g10": {}, "g11": {}, "g12": {}}
            for c in CODES:
                a = rng.randint(0, v[c])
                b = rng.randint(0, v[c] - a)
                g["g10"][c], g["g11"][c], g["g12"][c] = a, b, v[c] - a - b
            lay.habits = {"dash": 0.2}
            table, truth, dec = make_table(rng, lay, {"val": v, **g}, fmt)
            data = write_xlsx([Sheet("BaoCao", self.sheet_doc(u, period, when, grid_from_table(table), "template",
                                                              None, rng))], col_widths=[6, 50, 10, 10, 10, 12])
            files = [(self.fname(u, period, "xlsx", rng), data, "xlsx")]
        else:
            if trait in ("xlsx_merged_long_sections", "docx_merged_long_sections"):
                lay.section_style = "long"
                lay.stt_style = "none" if rng.random() < 0.5 else "arabic"
                merge_sections = True
            elif trait in ("xlsx_title_block", "xls_title_block"):
                title = "letterhead"
            elif trait.startswith("renamed_value_col"):
                lay.headers["val"] = rng.choice(["Kết quả", "Số lượng", "Thực hiện", "Kết quả thực hiện"])
            elif trait == "dvt_note_numbers":
                lay.cols = ["stt", "label", "dvt", "val", "note"]
                lay.headers["dvt"] = "ĐVT"
                notes = {"tt_so_buoi": f"Tăng {rng.randint(1, 4)} buổi so với cùng kỳ",
                         "tt_luot_hs": f"Trong đó {rng.randint(100, 400)} em nữ",
                         "th_so_lop": f"{rng.randint(1, 3):02d} lớp cấp tỉnh",
                         "hs_hoc_boi": f"Khối 10: {rng.randint(20, 150)} em",
                         "tre_hcdb": f"{rng.randint(1, 9)} em mồ côi",
                         "thd_so_hoat_dong": "Đạt 100% kế hoạch"}
                lay.notes = notes
            elif trait == "roman_stt":
                lay.section_style, lay.stt_style = "roman", "roman"
            elif trait in ("reordered", "reordered_docx"):
                lay.reorder = True
            elif trait == "two_row_header_pct":
                lay.cols = ["stt", "label", "dvt", "val", "v_pct"]
                lay.headers["val"] = "Kết quả thực hiện"
                lay.extra_vals = [("v_pct", "")]
            elif trait == "pdf_borderless":
                pass
            colvals: dict[str, dict[str, Any]] = {"val": v}
            if trait == "two_row_header_pct":
                base = v["tre_em_tong"] or 1
                colvals["v_pct"] = {c: (pct(v[c], base) if c in ("tre_hcdb", "hs_hoc_boi", "trung_thu_so_tre")
                                        else None) for c in CODES}
            table, truth, dec = make_table(rng, lay, colvals, fmt)
            if trait == "two_row_header_pct":
                table.header2 = [None, None, None, "Số lượng", "Tỷ lệ (%)"]
            grid = grid_from_table(table, merge_sections=merge_sections)
            if trait == "pdf_borderless":
                grid.borders = False
            if fmt == "xlsx":
                data = write_xlsx([Sheet(rng.choice(["BaoCao", "Sheet1"]), self.sheet_doc(
                    u, period, when, grid, title or "template", None, rng))])
            elif fmt == "xls":
                data = write_xls([Sheet("Sheet1", self.sheet_doc(u, period, when, grid, title or "template",
                                                                  None, rng))])
            elif fmt == "docx":
                data = write_docx(self.word_doc(u, period, when, [grid], v, None, rng, figures_in_text=False))
            else:
                data = write_pdf(self.word_doc(u, period, when, [grid], v, None, rng, figures_in_text=False))
            files = [(self.fname(u, period, fmt, rng), data, fmt)]
        t = self.send_report(u, period, when, files, cls, trait, rng)
        self.set_full(u, period, truth, fmt, cls, t.name, dec)

    # ---------------------------------------------------------------- supplements and resends
    def _changed(self, rng: random.Random, v: dict[str, int], codes: list[str]) -> dict[str, int]:
        new = {}
        for c in codes:
            x = v[c]
            new[c] = x + rng.choice([-1, 1]) * max(1, int(x * rng.uniform(0.05, 0.3))) if x > 3 else x + rng.randint(1, 3)
        return new

    def _supp_subject(self, u: Unit, period: str, rng: random.Random, kind: str) -> str:
        lab = PERIOD_LABEL[period]
        if kind == "supp":
            s = rng.choice([f"Bổ sung số liệu báo cáo công tác trẻ em {lab}",
                            f"Điều chỉnh số liệu báo cáo công tác trẻ em {lab}",
                            f"V/v điều chỉnh, bổ sung số liệu báo cáo CTTE {lab}",
                            f"Bổ sung, điều chỉnh số liệu báo cáo công tác bảo vệ, chăm sóc trẻ em {lab}"])
        else:
            s = rng.choice([f"Gửi lại báo cáo công tác trẻ em {lab} (bản chỉnh sửa)",
                            f"Báo cáo công tác trẻ em {lab} (thay thế bản đã gửi)",
                            f"V/v gửi lại báo cáo công tác trẻ em {lab}"])
        return f"{s} - {u.short}"

    def supplement(self, u: Unit, period: str, when: dt.datetime, rng: random.Random, trait: str) -> None:
        v = dict(self.figures[u.code][period])
        cls = "supplement"
        pick = [c for c in ("tt_luot_cmhs", "hs_hoc_boi", "th_luot_cbgvnv", "tre_hcdb", "dd_luot_tre",
                            "thd_so_hoat_dong", "tntt_so_tre") if v[c] > 0]
        later = when + dt.timedelta(days=rng.randint(2, 6), hours=rng.randint(1, 5))
        lab = PERIOD_LABEL[period]
        base_fmt = "docx" if trait in ("supp_body_text", "supp_docx_two_rows") else "xlsx"
        lay = self.standard_layout(rng, base_fmt)
        lay.habits["zero_blank"] = 0.0
        if trait == "supp_adds_missing":
            late_codes = ["hs_hoc_boi", "trung_thu_so_tre", "dd_so_dien_dan", "dd_luot_tre"] if period == "2024" \
                else ["hs_hoc_boi", "thd_so_hoat_dong", "dd_so_dien_dan", "dd_luot_tre"]
            table, truth, dec = make_table(rng, lay, {"val": v}, base_fmt)
            for row in table.rows:
                if row.code in late_codes:
                    row.cells["val"] = None
                    row.note = "Đang tổng hợp"
                    truth[row.code] = Written(None, "none", None, "pending")
            data = write_xlsx([Sheet("BaoCao", self.sheet_doc(u, period, when, grid_from_table(table), "template",
                                                              None, rng))])
            f = (self.fname(u, period, "xlsx", rng), data, "xlsx")
        else:
            f, truth, dec = self.plain_file(u, period, when, v, base_fmt, rng, lay)
        base = self.send_report(u, period, when, [f], cls, trait + ":base", rng, mode="official")
        self.set_full(u, period, truth, f[2], cls, base.name, dec)
        mails = [base.name]
        current = dict(v)
        if trait in ("resend_full", "resend_then_supp"):
            new = self._changed(rng, current, rng.sample(pick, min(3, len(pick))))
            current.update(new)
            fmt2 = rng.choice(["xlsx", "docx"])
            f2, truth2, dec2 = self.plain_file(u, period, later, current, fmt2, rng)
            t2 = self.send_report(u, period, later, [f2], cls, trait + ":resend", rng, mode="official",
                                  subject=self._supp_subject(u, period, rng, "resend"),
                                  body=f"Kính gửi Phòng GDTrH,\n\n{u.short} gửi lại báo cáo công tác trẻ em {lab} "
                                       f"(bản đã chỉnh sửa số liệu), đề nghị Phòng sử dụng bản này thay cho bản đã "
                                       f"gửi ngày {when:%d/%m/%Y}.\n\nTrân trọng.")
            self.set_full(u, period, truth2, fmt2, cls, t2.name, dec2)
            mails.append(t2.name)
            later = later + dt.timedelta(days=rng.randint(1, 4))
            if trait == "resend_full":
                self.checks.append({"kind": "replace", "slot": f"{u.code}|{period}", "mails": mails,
                                    "changed": sorted(new)})
                return
        # the supplement itself
        if trait == "supp_adds_missing":
            codes = [c for c, w in truth.items() if w.trait == "pending"]
            new = {c: v[c] for c in codes}
        elif trait == "resend_then_supp":
            new = self._changed(rng, current, [rng.choice(pick)])
        else:
            new = self._changed(rng, current, rng.sample(pick, min(rng.choice([2, 3]), len(pick))))
        sub = self._supp_subject(u, period, rng, "supp")
        files: list[tuple[str, bytes, str]] = []
        body_lines = []
        fmt_s = "text"
        if trait in ("supp_body_text", "resend_then_supp"):
            for c, x in new.items():
                lbl, unit = BY_CODE[c][2], BY_CODE[c][3]
                n_new = vn_thousands(x) if x >= 1000 else str(x)
                n_old = vn_thousands(current[c]) if current[c] >= 1000 else str(current[c])
                body_lines.append(f"- {lbl}: {n_new} {unit} (đã báo cáo {n_old} {unit}).")
            body = (f"Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT.\n\n{u.name} xin điều chỉnh số liệu tại báo "
                    f"cáo công tác trẻ em {lab} đã gửi ngày {when:%d/%m/%Y} như sau:\n" + "\n".join(body_lines) +
                    "\nCác số liệu khác giữ nguyên như báo cáo đã gửi.\n\nTrân trọng.")
        else:
            body = (f"Kính gửi: Phòng GDTrH.\n\n{u.short} gửi bổ sung, điều chỉnh một số số liệu của báo cáo công tác "
                    f"trẻ em {lab} (file đính kèm). Các chỉ tiêu khác giữ nguyên như báo cáo đã gửi.\n\nTrân trọng.")
            if trait == "supp_old_new_xlsx":
                rows = [Row("ind", BY_CODE[c][2], code=c, unit=BY_CODE[c][3], stt=str(i + 1),
                            cells={"v_old": current[c], "val": x}, note="Nhập nhầm số liệu")
                        for i, (c, x) in enumerate(new.items())]
                t = Table([("stt", "STT"), ("label", "Chỉ tiêu"), ("v_old", "Số liệu đã báo cáo"),
                           ("val", "Số liệu điều chỉnh"), ("note", "Lý do")], rows)
                data = write_xlsx([Sheet("DieuChinh", [P(f"Đơn vị: {u.name}", bold=True),
                                                       P(f"ĐIỀU CHỈNH SỐ LIỆU BÁO CÁO CÔNG TÁC TRẺ EM {lab.upper()}",
                                                         bold=True), P(""), grid_from_table(t)])])
                files, fmt_s = [(f"Dieu chinh so lieu CTTE - {ascii_fold(u.short)}.xlsx", data, "xlsx")], "xlsx"
            elif trait == "supp_full_form_partial":
                lay2 = self.standard_layout(rng, "xlsx", code_col=True)
                table, _t, _d = make_table(rng, lay2, {"val": current}, "xlsx")
                for row in table.rows:
                    if row.kind == "ind":
                        row.cells["val"] = new.get(row.code or "")
                        if row.code in new:
                            row.note = "Điều chỉnh"
                data = write_xlsx([Sheet("BaoCao", self.sheet_doc(u, period, later, grid_from_table(table),
                                                                  "template", None, rng))])
                files, fmt_s = [(f"Bo sung so lieu CTTE {ascii_fold(u.short)}.xlsx", data, "xlsx")], "xlsx"
            else:   # a short Word letter with a small table (adds or corrects)
                rows = [Row("ind", BY_CODE[c][2], code=c, unit=BY_CODE[c][3], stt=str(i + 1),
                            cells={"v_old": (current[c] if trait != "supp_adds_missing" else None), "val": x})
                        for i, (c, x) in enumerate(new.items())]
                cols = [("stt", "STT"), ("label", "Nội dung"), ("dvt", "ĐVT")]
                if trait != "supp_adds_missing":
                    cols.append(("v_old", "Số liệu đã báo cáo"))
                    cols.append(("val", "Số liệu điều chỉnh"))
                else:
                    cols.append(("val", "Số liệu bổ sung"))
                t = Table(cols, [Row(r.kind, r.text, r.code, r.unit,
                                     {k: (str(x) if x is not None else None) for k, x in r.cells.items()}, r.stt)
                                 for r in rows])
                blocks = letterhead_blocks(u, period, later, rng)[:3] + [
                    P("V/v bổ sung, điều chỉnh số liệu báo cáo công tác trẻ em", italic=True),
                    P("Kính gửi: Sở Giáo dục và Đào tạo Bình Phước (Phòng GDTrH).", align="center"),
                    P(f"{u.name} xin bổ sung, điều chỉnh số liệu báo cáo công tác trẻ em {lab} như sau:",
                      align="justify"), grid_from_table(t),
                    P("Các số liệu khác giữ nguyên như báo cáo đã gửi."), P("Trân trọng./.")] + closing(u, rng)
                files, fmt_s = [(f"CV bo sung so lieu CTTE {ascii_fold(u.short)}.docx", write_docx(blocks),
                                 "docx")], "docx"
        t3 = self.send_report(u, period, later, files, cls, trait + ":supp", rng, mode="official", subject=sub,
                              body=body)
        self.merge(u, period, {c: Written(x, "req", x, "supplement") for c, x in new.items()}, fmt_s, cls, t3.name)
        mails.append(t3.name)
        self.checks.append({"kind": "merge", "slot": f"{u.code}|{period}", "mails": mails, "changed": sorted(new)})

    # ---------------------------------------------------------------- units' habits
    def habits(self, u: Unit, period: str, when: dt.datetime, rng: random.Random, trait: str) -> None:
        v = self.figures[u.code][period]
        cls = "habits"
        downgrade = None
        fmt = "xlsx"
        lay = self.standard_layout(rng, "xlsx", code_col=False)
        lay.habits = {"dash": 0.3}
        title = "template"
        sheets_before: list[Sheet] = []
        if trait in ("image_docx", "scanned_table_pdf"):
            fmt = "docx" if trait == "image_docx" else "pdf"
            table, truth, dec = make_table(rng, lay, {"val": v}, "docx")
            grid = grid_from_table(table)
            png = render_png([P(f"BIỂU SỐ LIỆU CÔNG TÁC TRẺ EM {PERIOD_LABEL[period].upper()}", bold=True,
                                align="center"), grid], noise=0.001 if fmt == "pdf" else 0.0,
                             seed=rng.randrange(1 << 30))
            if fmt == "docx":
                data = write_docx(self.word_doc(u, period, when, [Picture(png)], v, None, rng, figures_in_text=False))
            else:
                data = write_scanned_pdf(png)
            files = [(self.fname(u, period, fmt, rng), data, fmt)]
            downgrade = "opt"
        elif trait in ("textbox_paras", "textbox_table"):
            fmt = "docx"
            table, truth, dec = make_table(rng, lay, {"val": v}, "docx")
            if trait == "textbox_table":
                box = TextBox([P("BIỂU SỐ LIỆU", bold=True), grid_from_table(table)])
            else:
                lines = [P("SỐ LIỆU CỤ THỂ", bold=True)]
                for row in table.rows:
                    if row.kind == "sec":
                        lines.append(P(row.text, bold=True))
                    else:
                        cell = row.cells["val"]
                        w = truth[row.code or ""]
                        if cell is None:
                            continue
                        tail = f" {BY_CODE[row.code or ''][3]}" if w.trait in ("plain", "leading_zero") else ""
                        lines.append(P(f"{row.stt}. {row.text}: {cell}{tail}"))
                box = TextBox(lines)
            blocks = self.word_doc(u, period, when, [], v, None, rng, figures_in_text=False)
            blocks.insert(len(blocks) - 6, box)
            files = [(self.fname(u, period, "docx", rng), write_docx(blocks), "docx")]
        elif trait == "prose_cells":
            fmt = "docx"
            def n(x: int) -> str:
                return vn_thousands(x) if x >= 1000 else f"{x:02d}" if x < 10 else str(x)
            rows = [
                Row("ind", "Công tác tuyên truyền", cells={"val": f"Tổ chức {n(v['tt_so_buoi'])} buổi, thu hút "
                    f"{n(v['tt_luot_hs'])} lượt học sinh và {n(v['tt_luot_cmhs'])} lượt cha mẹ học sinh tham gia"},
                    stt="1"),
                Row("ind", "Công tác tập huấn", cells={"val": f"{n(v['th_so_lop'])} lớp, {n(v['th_luot_cbgvnv'])} "
                    f"lượt CBQL, GV, NV tham gia"}, stt="2"),
                Row("ind", "Học bơi, kỹ năng an toàn trong môi trường nước",
                    cells={"val": f"{n(v['hs_hoc_boi'])} học sinh được học bơi"}, stt="3"),
                Row("ind", "Tháng hành động vì trẻ em", cells={"val": f"{n(v['thd_so_hoat_dong'])} hoạt động"},
                    stt="4"),
            ]
            t = Table([("stt", "STT"), ("label", "Nội dung"), ("val", "Kết quả")], rows)
            truth = {c: Written(v[c], "opt", v[c], "prose_cell") for c in
                     ("tt_so_buoi", "tt_luot_hs", "tt_luot_cmhs", "th_so_lop", "th_luot_cbgvnv", "hs_hoc_boi",
                      "thd_so_hoat_dong")}
            dec = {}
            data = write_docx(self.word_doc(u, period, when, [grid_from_table(t)], v, None, rng,
                                            figures_in_text=False))
            files = [(self.fname(u, period, "docx", rng), data, "docx")]
        elif trait == "prose_only_docx":
            fmt = "docx"
            def n(x: int) -> str:
                return vn_thousands(x) if x >= 1000 else f"{x:02d}" if x < 10 else str(x)
            lab = PERIOD_LABEL[period]
            sent = [
                ("tt_so_buoi", f"Đơn vị đã tổ chức {n(v['tt_so_buoi'])} buổi tuyên truyền về Luật Trẻ em, phòng, "
                               f"chống xâm hại, bạo lực học đường."),
                ("tt_luot_hs", f"Các buổi tuyên truyền thu hút {n(v['tt_luot_hs'])} lượt học sinh tham gia."),
                ("th_so_lop", f"Tổ chức {n(v['th_so_lop'])} lớp tập huấn kỹ năng tư vấn tâm lý học đường."),
                ("hs_hoc_boi", f"Phối hợp với Trung tâm Văn hóa - Thể thao tổ chức cho {n(v['hs_hoc_boi'])} học sinh "
                               f"được học bơi, kỹ năng an toàn trong môi trường nước."),
                ("thd_so_hoat_dong", f"Hưởng ứng Tháng hành động vì trẻ em, đơn vị tổ chức "
                                     f"{n(v['thd_so_hoat_dong'])} hoạt động hưởng ứng Tháng hành động vì trẻ em."),
            ]
            if v["tre_hcdb"]:
                sent.insert(0, ("tre_hcdb", f"Hiện đơn vị có {n(v['tre_hcdb'])} học sinh có hoàn cảnh đặc biệt, "
                                            f"được theo dõi, hỗ trợ thường xuyên."))
            blocks = letterhead_blocks(u, period, when, rng) + [
                P("Kính gửi: Sở Giáo dục và Đào tạo Bình Phước.", align="center"),
                P(f"{u.name} báo cáo kết quả công tác trẻ em {lab} như sau:", align="justify")]
            blocks += [P(s, align="justify") for _, s in sent]
            blocks += [P("Trong kỳ, đơn vị không để xảy ra vụ việc bạo lực học đường, xâm hại trẻ em.",
                         align="justify")] + closing(u, rng)
            truth = {c: Written(v[c], "req", v[c], "prose") for c, _ in sent}
            truth.update({c: Written(0, "unk", 0, "prose_zero") for c in ("bl_so_vu", "xh_so_tre")})
            dec = {}
            files = [(self.fname(u, period, "docx", rng), write_docx(blocks), "docx")]
        else:
            colvals: dict[str, dict[str, Any]] = {"val": v}
            merges: list[str] = []
            if trait == "merged_two_numbers":
                lay.reorder = False
            elif trait == "thousands_mix":
                lay.habits = {"thousands_space": 0.45, "thousands_comma": 0.35, "thousands_dot": 1.0}
            elif trait == "thousands_docx":
                fmt = "docx"
                lay.habits = {"thousands_space": 0.5, "thousands_comma": 0.4}
            elif trait == "text_numbers":
                lay.habits = {"text_number": 1.0, "thousands_dot": 1.0, "with_unit": 0.15}
            elif trait == "formulas":
                pass
            elif trait == "hidden_rows":
                lay.hidden_stale = set(rng.sample([c for c in CODES if not c.startswith(("xh_t", "tntt_"))], 4))
            elif trait == "hidden_sheet":
                prev = other_values(rng, v)
                t0, _, _ = make_table(random.Random(rng.random()), lay, {"val": prev}, "xlsx")
                sheets_before = [Sheet("Năm 2023", self.sheet_doc(u, period, when, grid_from_table(t0), "template",
                                                                  None, rng), hidden=True)]
            elif trait == "html_xls":
                fmt = "xls"
            table, truth, dec = make_table(rng, lay, colvals, fmt)
            if trait == "hidden_sheet":
                dec = {c: [x] for c, x in prev.items()}
                sheets_before[0].blocks[2] = P("Kỳ báo cáo: năm 2023", align="center")
            rows = table.rows
            idx = {r.code: i for i, r in enumerate(rows) if r.kind == "ind" and not r.hidden}
            if trait == "merged_two_numbers":
                a, b = v["tt_luot_hs"], v["tt_luot_cmhs"]
                rows[idx["tt_luot_hs"]].cells["val"] = f"{vn_thousands(a)} HS; {vn_thousands(b)} CMHS"
                rows[idx["tt_luot_cmhs"]].cells["val"] = None
                table.merges.append((idx["tt_luot_hs"], "val", 2, 1))
                c1, c2 = v["tntt_so_tre"], v["tntt_duoi_nuoc"]
                rows[idx["tntt_so_tre"]].cells["val"] = f"{c1} (đuối nước: {c2})"
                rows[idx["tntt_duoi_nuoc"]].cells["val"] = None
                table.merges.append((idx["tntt_so_tre"], "val", 2, 1))
                for c in ("tt_luot_hs", "tt_luot_cmhs", "tntt_so_tre", "tntt_duoi_nuoc"):
                    truth[c] = Written(v[c], "opt", v[c], "merged_two_numbers")
            elif trait in ("na_x", "na_text"):
                na = [c for c in ("hs_hoc_boi", "trung_thu_so_tre", "dd_so_dien_dan", "dd_luot_tre", "ld_trai_pl",
                                  "thd_so_hoat_dong")]
                for c in rng.sample(na, 4):
                    mark = "x" if trait == "na_x" else rng.choice(["Không áp dụng", "không có số liệu"])
                    rows[idx[c]].cells["val"] = mark
                    truth[c] = Written(mark, "none", None, "not_applicable")
                for c in CODES:
                    if v[c] == 0 and truth[c].kind == "req":
                        rows[idx[c]].cells["val"] = "-"
                        truth[c] = Written("-", "req", 0, "dash")
            elif trait == "ranges":
                cand = [c for c in CODES if v[c] >= 12]
                for c in rng.sample(cand, min(4, len(cand))):
                    lo = int(v[c] * 0.85)
                    if rng.random() < 0.7:
                        mark = rng.choice([f"{lo}-{v[c]}", f"{lo} - {v[c]}", f"{lo} đến {v[c]}"])
                        truth[c] = Written(mark, "none", None, "range")
                    else:
                        mark = rng.choice([f"khoảng {v[c]}", f"trên {lo}"])
                        truth[c] = Written(mark, "unk", None, "approximate")
                    rows[idx[c]].cells["val"] = mark
            elif trait == "formulas":
                keys = [k for k, _ in table.columns]
                col = "ABCDEFGH"[keys.index("val")]
                for c in CODES:
                    x = v[c]
                    if x >= 4 and rng.random() < 0.6:
                        a = rng.randint(1, x - 1)
                        rows[idx[c]].cells["val"] = Formula(f"{a}+{x - a}", x)
                        truth[c] = Written(x, "req", x, "formula")
                # a total that adds up the sheet's own cells: the injuries from the rows of their kinds
                if v["tntt_so_tre"] >= 1:
                    i1, i2, i3 = idx["tntt_duoi_nuoc"], idx["tntt_giao_thong"], idx["tntt_so_tre"]
                    rest = v["tntt_so_tre"] - v["tntt_duoi_nuoc"] - v["tntt_giao_thong"]
                    # rows are laid out from the table's first data row; write_xlsx fills {row} for this cell
                    off1, off2 = i1 - i3, i2 - i3
                    for ii, cc in ((i1, "tntt_duoi_nuoc"), (i2, "tntt_giao_thong")):
                        rows[ii].cells["val"] = v[cc]          # the parts are plain numbers
                        truth[cc] = Written(v[cc], "req", v[cc], "plain")
                    rows[i3].cells["val"] = Formula(
                        f"{col}{{row_plus_{off1}}}+{col}{{row_plus_{off2}}}+{rest}", v["tntt_so_tre"])
                    truth["tntt_so_tre"] = Written(v["tntt_so_tre"], "req", v["tntt_so_tre"], "formula")
            grid = grid_from_table(table)
            if fmt == "xlsx":
                data = write_xlsx(sheets_before + [Sheet("BaoCao", self.sheet_doc(u, period, when, grid, title, None,
                                                                                   rng))])
                name = self.fname(u, period, "xlsx", rng)
            elif trait == "html_xls":
                data = write_html_xls([f"Đơn vị: {u.name}", "BÁO CÁO CÔNG TÁC TRẺ EM",
                                       f"Kỳ báo cáo: {PERIOD_LABEL[period]}"], grid)
                name = self.fname(u, period, "xls", rng)
            else:
                data = write_docx(self.word_doc(u, period, when, [grid], v, None, rng, figures_in_text=False))
                name = self.fname(u, period, "docx", rng)
            files = [(name, data, fmt)]
            _ = merges
        t = self.send_report(u, period, when, files, cls, trait, rng)
        self.set_full(u, period, truth, fmt if trait != "html_xls" else "html-xls", cls, t.name, dec,
                      downgrade=downgrade)

    # ---------------------------------------------------------------- hostile files
    def hostile(self, u: Unit, period: str, when: dt.datetime, rng: random.Random, trait: str) -> None:
        v = self.figures[u.code][period]
        cls = "hostile"
        good, truth, dec = self.plain_file(u, period, when, v, "xlsx", rng)
        gdoc, truth_d, dec_d = self.plain_file(u, period, when, v, "docx", rng)
        name = self.fname(u, period, "xlsx", rng)
        none_truth: dict[str, Written] = {c: Written(None, "none", None, "unreadable") for c in CODES}
        resend = None
        if trait == "jpeg_as_xlsx":
            files = [(name, photo_jpeg(rng.randrange(1 << 30)), "xlsx")]
            resend = good
        elif trait == "cfb_encrypted_xlsx":
            files = [(name, cfb_encrypted_package(rng.randrange(1 << 30)), "xlsx")]
            resend = gdoc
        elif trait in ("zip_slip", "zip_slip_backslash"):
            member = "../../" + good[0] if trait == "zip_slip" else "..\\..\\..\\Windows\\Temp\\" + good[0]
            files = [(self.fname(u, period, "zip", rng), zip_of([(member, good[1])]), "zip")]
            self.hostile_send(u, period, when, files, trait, rng, truth, "zip", downgrade="opt")
            return
        elif trait == "empty_plus_good":
            files = [(name, b"", "xlsx"), gdoc]
            self.hostile_send(u, period, when, files, trait, rng, truth_d, "docx")
            return
        elif trait == "truncated_xlsx":
            files = [(name, truncated(good[1], rng.uniform(0.35, 0.7)), "xlsx")]
        elif trait == "encrypted_pdf_plus_xlsx":
            pdf = write_pdf(self.word_doc(u, period, when, [], v, None, rng), encrypt_password="bgd" + str(rng.randrange(1000)))
            files = [(self.fname(u, period, "pdf", rng), pdf, "pdf"), good]
            self.hostile_send(u, period, when, files, trait, rng, truth, "xlsx")
            return
        elif trait == "zip_encrypted":
            files = [(self.fname(u, period, "zip", rng), zip_encrypted_looking(good[0], len(good[1]), rng.randrange(9999)),
                      "zip")]
        else:
            raise ValueError(trait)
        t = self.send_report(u, period, when, files, cls, trait, rng, failure=True, mode="official")
        self.set_full(u, period, none_truth, files[0][2], cls, t.name)
        if resend is not None:
            later = when + dt.timedelta(hours=rng.randint(3, 40))
            t2 = self.send_report(u, period, later, [resend], cls, trait + ":resend", rng, mode="official",
                                  subject="Gửi lại: " + t.subject,
                                  body=f"Kính gửi Phòng GDTrH,\nFile gửi lúc trước bị lỗi, không mở được. {u.short} "
                                       f"gửi lại báo cáo công tác trẻ em {PERIOD_LABEL[period]} ạ.\nTrân trọng.")
            self.set_full(u, period, truth if resend is good else truth_d, resend[2], cls, t2.name,
                          dec if resend is good else dec_d)

    def hostile_send(self, u: Unit, period: str, when: dt.datetime, files: list[tuple[str, bytes, str]],
                     trait: str, rng: random.Random, truth: dict[str, Written], fmt: str,
                     downgrade: str | None = None) -> None:
        t = self.send_report(u, period, when, files, "hostile", trait, rng, failure=True, mode="official")
        self.set_full(u, period, truth, fmt, "hostile", t.name, downgrade=downgrade)

    # ---------------------------------------------------------------- incidents
    def incident_mail(self, u: Unit | None, when: dt.datetime, subject: str, body: str, rng: random.Random,
                      trait: str, case: str, files: list[tuple[str, bytes, str]] | None = None,
                      mode: str = "official", in_reply_to: str | None = None, sender: tuple[str | None, str] | None = None,
                      forwarded: bytes | None = None, unit_code: str | None = None) -> MailTruth:
        if sender is not None:
            fname, faddr = sender
            mprog = "outlook"
        else:
            assert u is not None
            fname, faddr, mprog, _ = self.sender(u, mode, rng)
        mid = mailer.msgid(rng, faddr.split("@")[1])
        raw = mailer.build(from_name=fname, from_addr=faddr, subject=subject, body=body,
                           date=when - dt.timedelta(seconds=rng.randrange(5, 60)), received=when, msgid=mid,
                           rng=rng, mailer=mprog, attachments=files or [], in_reply_to=in_reply_to,
                           forwarded=forwarded, name_style="rfc2047")
        t = MailTruth(self.next_name("incident"), "incident", trait, "incident", unit_code or (u.code if u else None),
                      subject=subject, case=case, files=[{"name": n, "fmt": k} for n, _, k in files or []])
        t.note = mid
        self.add(t, raw, when)
        return t

    def incident_doc(self, u: Unit, when: dt.datetime, title: str, paras: list[str], rng: random.Random) -> bytes:
        parent, own = u.letterhead()
        blocks = [Pair(P(parent, align="center", size=12), P("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True,
                                                            align="center", size=12)),
                  Pair(P(own, bold=True, align="center", size=12), P("Độc lập - Tự do - Hạnh phúc", bold=True,
                                                                      align="center")),
                  Pair(P(f"Số: {rng.randrange(100, 400)}/BC-{u.symbol()}", align="center"),
                       P(f"{u.district}, ngày {when.day:02d} tháng {when.month} năm {when.year}", italic=True,
                         align="center")),
                  P("BÁO CÁO NHANH", bold=True, align="center", size=14), P(title, bold=True, align="center"),
                  P("Kính gửi: Sở Giáo dục và Đào tạo Bình Phước.", align="center")]
        blocks += [P(x, align="justify") for x in paras] + closing(u, rng)
        return write_docx(blocks)

    def incidents(self, rng: random.Random, pool: list[Unit]) -> None:
        pgd = [u for u in pool if u.kind == "pgd"]
        thpt = [u for u in pool if u.kind == "thpt"]
        tt = [u for u in pool if u.kind == "gdnn-gdtx"]
        rng.shuffle(pgd), rng.shuffle(thpt), rng.shuffle(tt)
        clerk = ("Văn thư Sở GDĐT", "vanthu.sgddt@binhphuoc.edu.vn")
        names = ["N.V.A", "T.T.B", "L.V.C", "P.T.D", "H.M.K", "Đ.T.L", "V.Q.M", "B.T.N"]
        rng.shuffle(names)

        def case(cid: str, unit: Unit, date: str, cat: str, trait: str) -> dict[str, Any]:
            c = {"case": cid, "unit": unit.code, "occurred_on": date, "category": cat, "trait": trait, "mails": []}
            self.cases.append(c)
            return c

        # 1. the date only in the attached document; a follow-up in the same thread
        u = pgd[0]
        d = dtl(2024, 6, rng.randint(2, 9), 8, rng.randrange(60))
        occ = d - dt.timedelta(days=1)
        c = case("I1", u, occ.date().isoformat(), "duoi_nuoc", "date_in_document_only")
        doc = self.incident_doc(u, d, f"Vụ việc học sinh bị đuối nước trên địa bàn {u.district_kind} {u.district}", [
            f"Vào khoảng 16 giờ 30 phút ngày {occ.day:02d}/{occ.month}/{occ.year}, em {names[0]} (sinh năm 2012), "
            f"học sinh lớp 6A Trường THCS {rng.choice(['Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Trãi'])}, trong lúc cùng "
            f"02 bạn đi tắm tại hồ nước gần nhà thì bị đuối nước. Người dân phát hiện, đưa em vào Trung tâm Y tế "
            f"nhưng em đã tử vong.",
            "Ngay sau khi nhận được thông tin, Phòng GDĐT đã chỉ đạo nhà trường phối hợp với chính quyền địa phương "
            "thăm hỏi, động viên gia đình; tăng cường tuyên truyền phòng, chống đuối nước trong dịp hè."], rng)
        t1 = self.incident_mail(u, d, "Báo cáo nhanh vụ việc học sinh bị đuối nước",
                                f"Kính gửi: Sở GDĐT (Phòng GDTrH).\n\n{u.short} gửi báo cáo nhanh vụ việc học sinh "
                                f"bị đuối nước (file đính kèm).\n\nTrân trọng.", rng, c["trait"], "I1",
                                files=[("Bao cao nhanh vu duoi nuoc.docx", doc, "docx")])
        c["mails"].append(t1.name)
        d2 = d + dt.timedelta(days=1, hours=3)
        t = self.incident_mail(u, d2, "Re: Báo cáo nhanh vụ việc học sinh bị đuối nước",
                               f"Kính gửi: Phòng GDTrH.\n\n{u.short} báo cáo bổ sung: sáng ngày {d.day:02d}/{d.month}/2024 "
                               f"nhà trường và Phòng đã đến thăm hỏi, hỗ trợ gia đình em {names[0]} số tiền "
                               f"3.000.000 đồng; tổ chức họp phụ huynh nhắc nhở về an toàn cho trẻ trong dịp hè.\n\n"
                               f"Trân trọng.\n\n> Báo cáo nhanh vụ việc học sinh bị đuối nước", rng,
                               "follow_up_in_thread", "I1", in_reply_to=t1.note)
        c["mails"].append(t.name)

        # 2. a date without its year ("tối 14/8"); a follow-up outside the thread, same kind, days later
        u = thpt[0]
        d = dtl(2024, 8, rng.randint(13, 20), 7, rng.randrange(60))
        occ = d - dt.timedelta(days=1)
        c = case("I2", u, occ.date().isoformat(), "bao_luc", "date_without_year")
        t = self.incident_mail(u, d, f"Báo cáo nhanh vụ việc học sinh bị đánh hội đồng - {u.short}",
                               f"Kính gửi: Phòng Giáo dục Trung học - Sở GDĐT.\n\n{u.name} báo cáo nhanh vụ việc như "
                               f"sau: vào khoảng 20 giờ tối {occ.day}/{occ.month}, tại khu vực gần cổng sau nhà trường, "
                               f"em {names[1]}, học sinh lớp 11A3, bị một nhóm 04 học sinh lớp 11A5 đánh hội đồng, "
                               f"gây thương tích nhẹ ở vùng mặt. Nhà trường đã mời phụ huynh các em làm việc, phối hợp "
                               f"với Công an xã xác minh vụ việc.\n\nTrân trọng.", rng, c["trait"], "I2")
        c["mails"].append(t.name)
        d2 = d + dt.timedelta(days=rng.randint(2, 4), hours=2)
        t = self.incident_mail(u, d2, f"Báo cáo tiếp vụ việc bạo lực học đường - {u.short}",
                               f"Kính gửi: Phòng GDTrH.\n\nTiếp theo báo cáo nhanh ngày {d.day:02d}/{d.month:02d}/2024, "
                               f"nhà trường báo cáo kết quả xử lý vụ việc học sinh bị đánh tối {occ.day}/{occ.month}: "
                               f"Hội đồng kỷ luật đã họp, xử lý kỷ luật 04 học sinh vi phạm; tổ tư vấn tâm lý tiếp tục "
                               f"hỗ trợ em {names[1]}.\n\nTrân trọng.", rng, "follow_up_same_kind", "I2")
        c["mails"].append(t.name)
        # 8. the same school, another kind of case within the week: a separate case
        d3 = d + dt.timedelta(days=rng.randint(3, 5), hours=5)
        occ3 = d3 - dt.timedelta(days=1)
        c = case("I8", u, occ3.date().isoformat(), "duoi_nuoc", "other_kind_same_week")
        t = self.incident_mail(u, d3, f"Báo cáo nhanh vụ việc học sinh đuối nước - {u.short}",
                               f"Kính gửi: Phòng GDTrH.\n\nChiều ngày {occ3.day:02d}/{occ3.month:02d}/{occ3.year}, em "
                               f"{names[2]}, học sinh lớp 10A2 của trường, đi tắm suối cùng bạn và bị đuối nước, được "
                               f"người dân cứu kịp thời, hiện sức khỏe đã ổn định.\n\nTrân trọng.", rng, c["trait"], "I8")
        c["mails"].append(t.name)

        # 3. "ngày 03 tháng 7 năm 2024", in the attached report of a centre
        u = tt[0]
        d = dtl(2024, 7, rng.randint(4, 9), 10, rng.randrange(60))
        occ = d - dt.timedelta(days=2)
        c = case("I3", u, occ.date().isoformat(), "giao_thong", "long_date_form")
        doc = self.incident_doc(u, d, "Vụ việc học viên bị tai nạn giao thông", [
            f"Khoảng 6 giờ 45 phút sáng ngày {occ.day:02d} tháng {occ.month} năm {occ.year}, em {names[3]}, học viên "
            f"lớp 10 hệ giáo dục thường xuyên của Trung tâm, trên đường đi học bằng xe đạp điện thì va chạm với xe "
            f"máy tại ngã ba gần chợ, bị gãy chân, đang điều trị tại Bệnh viện đa khoa tỉnh.",
            "Trung tâm đã cử cán bộ đến thăm hỏi; đề nghị gia đình phối hợp theo dõi, hỗ trợ em trong thời gian điều trị."], rng)
        t = self.incident_mail(u, d, "Báo cáo đột xuất vụ tai nạn giao thông",
                               f"Kính gửi Phòng GDTrH,\n{u.short} gửi báo cáo đột xuất về vụ việc học viên bị tai nạn "
                               f"giao thông, nội dung chi tiết trong file đính kèm.\nTrân trọng.", rng, c["trait"], "I3",
                               files=[("BC dot xuat TNGT.docx", doc, "docx")])
        c["mails"].append(t.name)

        # 4. forwarded by the Department's clerk, the school's mail quoted inline
        u = thpt[1]
        d = dtl(2024, 9, rng.randint(21, 26), 14, rng.randrange(60))
        occ = d - dt.timedelta(days=2)
        c = case("I4", u, occ.date().isoformat(), "xam_hai", "forwarded_by_clerk_inline")
        orig_when = d - dt.timedelta(hours=5)
        body = (f"Chuyển Phòng GDTrH xử lý theo thẩm quyền.\n\n---------- Forwarded message ---------\n"
                f"From: {u.name} <{u.email}>\nDate: {email_date_vi(orig_when)}\n"
                f"Subject: Báo cáo nhanh vụ việc học sinh bị xâm hại\nTo: <sogddt@binhphuoc.edu.vn>\n\n"
                f"Kính gửi: Sở Giáo dục và Đào tạo.\n\n{u.name} báo cáo nhanh: vào tối ngày "
                f"{occ.day:02d}/{occ.month:02d}/{occ.year}, em {names[4]}, học sinh lớp 10A5, bị một đối tượng ngoài "
                f"nhà trường có hành vi xâm hại tình dục. Gia đình đã trình báo Công an huyện; nhà trường đã phân công "
                f"giáo viên chủ nhiệm và tổ tư vấn tâm lý hỗ trợ em.\n\nTrân trọng.")
        t = self.incident_mail(None, d, "Fwd: Báo cáo nhanh vụ việc học sinh bị xâm hại", body, rng, c["trait"], "I4",
                               sender=clerk, unit_code=u.code)
        c["mails"].append(t.name)

        # 5. forwarded by the clerk as an attached message
        u = thpt[2]
        d = dtl(2024, 10, rng.randint(11, 16), 9, rng.randrange(60))
        occ = d - dt.timedelta(days=1)
        c = case("I5", u, occ.date().isoformat(), "tai_nan_khac", "forwarded_by_clerk_attached")
        inner = mailer.build(from_name=u.name, from_addr=u.email,
                             subject="Báo cáo nhanh vụ việc học sinh bị tai nạn thương tích",
                             body=f"Kính gửi: Sở GDĐT Bình Phước.\n\nTrong giờ học thể dục sáng ngày "
                                  f"{occ.day:02d}/{occ.month}/{occ.year}, em {names[5]}, học sinh lớp 12A1, bị ngã khi "
                                  f"nhảy xa, gãy xương tay trái. Nhà trường đã sơ cứu, đưa em đến Trung tâm Y tế và "
                                  f"thông báo cho gia đình.\n\nTrân trọng.\n{u.name}",
                             date=d - dt.timedelta(hours=20), received=d - dt.timedelta(hours=20),
                             msgid=mailer.msgid(rng, "binhphuoc.edu.vn"), rng=rng, mailer="zimbra",
                             to="sogddt@binhphuoc.edu.vn")
        t = self.incident_mail(None, d, "TV: Báo cáo nhanh vụ việc học sinh bị tai nạn thương tích",
                               "Kính chuyển Phòng GDTrH.\nVăn thư Sở.", rng, c["trait"], "I5", sender=clerk,
                               forwarded=inner, unit_code=u.code)
        c["mails"].append(t.name)

        # 6. the date in the subject, "cùng ngày" in the text
        u = pgd[1]
        d = dtl(2024, 11, rng.randint(12, 20), 8, rng.randrange(60))
        occ = d - dt.timedelta(days=1)
        c = case("I6", u, occ.date().isoformat(), "giao_thong", "date_in_subject")
        t = self.incident_mail(u, d, f"Báo cáo nhanh vụ tai nạn giao thông làm 02 học sinh bị thương ngày "
                                     f"{occ.day:02d}/{occ.month}/{occ.year} - {u.short}",
                               f"Kính gửi: Sở GDĐT (Phòng GDTrH).\n\nHồi 17 giờ 15 phút cùng ngày, trên đường đi học về, "
                               f"02 học sinh lớp 8 Trường THCS {rng.choice(['Tân Lợi', 'Thanh Lương', 'Minh Đức'])} đi xe "
                               f"đạp bị xe tải va chạm, bị thương phải nhập viện. Phòng GDĐT đã chỉ đạo nhà trường "
                               f"thăm hỏi, phối hợp với gia đình.\n\nTrân trọng.", rng, c["trait"], "I6")
        c["mails"].append(t.name)

        # 7. illegal child labour found at an inspection
        u = pgd[2]
        d = dtl(2024, 10, rng.randint(7, 12), 15, rng.randrange(60))
        occ = d - dt.timedelta(days=2)
        c = case("I7", u, occ.date().isoformat(), "lao_dong", "labour_inspection")
        doc = self.incident_doc(u, d, "Vụ việc học sinh lao động trái quy định của pháp luật", [
            f"Qua kiểm tra ngày {occ.day:02d}/{occ.month:02d}/{occ.year}, Đoàn kiểm tra liên ngành của huyện phát hiện "
            f"02 em học sinh lớp 7 (13 tuổi) làm việc tại một cơ sở chế biến hạt điều trong giờ học, nghỉ học không "
            f"phép nhiều ngày.",
            "Phòng GDĐT đã chỉ đạo nhà trường phối hợp với địa phương vận động các em trở lại lớp; đề nghị xử lý cơ sở "
            "sử dụng lao động trẻ em theo quy định."], rng)
        t = self.incident_mail(u, d, "Báo cáo đột xuất về việc học sinh lao động trái quy định",
                               f"Kính gửi Phòng GDTrH,\n{u.short} gửi báo cáo đột xuất (đính kèm).\nTrân trọng.", rng,
                               c["trait"], "I7", files=[("BC lao dong tre em.docx", doc, "docx")])
        c["mails"].append(t.name)

        # 9. a teacher from Gmail, no diacritics
        u = thpt[3]
        d = dtl(2024, 4, rng.randint(20, 25), 6, rng.randrange(60))
        occ = d - dt.timedelta(days=1)
        c = case("I9", u, occ.date().isoformat(), "duoi_nuoc", "personal_address_ascii")
        person = rng.choice(PERSONS)
        t = self.incident_mail(u, d, "Bao cao nhanh vu viec hoc sinh bi duoi nuoc",
                               ascii_fold(f"Kính gửi Phòng GDTrH,\nEm là {person}, giáo viên chủ nhiệm lớp 12A1 "
                                          f"{u.name}. Em xin báo cáo nhanh: vào khoảng 15 giờ chiều ngày "
                                          f"{occ.day}/{occ.month}/{occ.year}, em {names[6]}, học sinh lớp 12A1, đi tắm "
                                          f"suối cùng bạn và bị đuối nước, đã tử vong. Nhà trường đang phối hợp với gia "
                                          f"đình lo hậu sự.\nEm cảm ơn."), rng, c["trait"], "I9", mode="personal")
        c["mails"].append(t.name)

        # 10. "tối hôm qua": the date from the mail's own date
        u = pgd[3]
        d = dtl(2024, 5, rng.randint(8, 16), 7, rng.randrange(60))
        occ = d - dt.timedelta(days=1)
        c = case("I10", u, occ.date().isoformat(), "bao_luc", "relative_date")
        t = self.incident_mail(u, d, "Báo cáo nhanh vụ việc bạo lực học đường",
                               f"Kính gửi: Phòng Giáo dục Trung học.\n\n{u.short} báo cáo nhanh: vào khoảng 21 giờ tối "
                               f"hôm qua, một nhóm học sinh Trường THCS {rng.choice(['Phú Nghĩa', 'Lộc Tấn', 'Tân Hưng'])} "
                               f"hẹn nhau đánh nhau, quay video đăng lên mạng xã hội. Phòng đã chỉ đạo nhà trường làm "
                               f"việc với phụ huynh và báo cáo kết quả xử lý.\n\nTrân trọng.", rng, c["trait"], "I10")
        c["mails"].append(t.name)

    # ---------------------------------------------------------------- questions and the division's other mail
    def blank_form(self, u: Unit, period: str, fmt: str, rng: random.Random) -> bytes:
        lay = self.standard_layout(rng, fmt, code_col=fmt == "xlsx")
        lay.label_style = "canonical"
        table, _, _ = make_table(rng, lay, {"val": {c: 0 for c in CODES}}, fmt)
        for row in table.rows:
            row.cells["val"] = None
        grid = grid_from_table(table)
        if fmt == "xlsx":
            return write_xlsx([Sheet("BaoCao", self.sheet_doc(u, period, dtl(2024, 6, 1), grid, "template", None,
                                                              rng))])
        blocks = [P("Đơn vị: ....................................", bold=True),
                  P("BIỂU MẪU BÁO CÁO CÔNG TÁC TRẺ EM", bold=True, align="center"),
                  P(f"Kỳ báo cáo: {PERIOD_LABEL[period]}", align="center"), grid]
        return write_docx(blocks)

    def plain_mail(self, cls: str, trait: str, status: str, fname: str | None, faddr: str, subject: str, body: str,
                   when: dt.datetime, rng: random.Random, files: list[tuple[str, bytes, str]] | None = None,
                   mprog: str = "zimbra", extra_headers: list[tuple[str, str]] | None = None,
                   in_reply_to: str | None = None, unit: str | None = None, period: str | None = None) -> MailTruth:
        mid = mailer.msgid(rng, faddr.split("@")[1])
        raw = mailer.build(from_name=fname, from_addr=faddr, subject=subject, body=body,
                           date=when - dt.timedelta(seconds=rng.randrange(5, 60)), received=when, msgid=mid, rng=rng,
                           mailer=mprog, attachments=files or [], extra_headers=extra_headers,
                           in_reply_to=in_reply_to)
        t = MailTruth(self.next_name(cls), cls, trait, status, unit, None, period, subject=subject,
                      files=[{"name": n, "fmt": k} for n, _, k in files or []])
        t.note = mid
        self.add(t, raw, when)
        return t

    def questions(self, rng: random.Random, pool: list[Unit]) -> None:
        us = list(pool)
        rng.shuffle(us)
        q = "question"

        def off(u: Unit) -> tuple[str, str]:
            return u.short, u.email

        u = us[0]
        self.plain_mail(q, "ask_for_form", "ignored", *off(u), "Hỏi về mẫu báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                        f"Kính gửi Phòng GDTrH,\n\nĐơn vị em chưa nhận được mẫu biểu báo cáo công tác trẻ em 6 tháng "
                        f"đầu năm 2024. Kính nhờ Phòng gửi lại giúp đơn vị mẫu biểu để kịp báo cáo đúng hạn.\n\n"
                        f"Em cảm ơn ạ.\n{rng.choice(PERSONS)} - {u.short}", dtl(2024, 6, 5, 9, 12), rng)
        u = us[1]
        p = rng.choice(PERSONS)
        self.plain_mail(q, "xin_mau_bieu", "ignored", f"{p} - {u.short}",
                        ascii_fold(p).lower().replace(" ", "") + "86@gmail.com",
                        "Xin mẫu biểu báo cáo công tác trẻ em năm 2024",
                        f"Dạ em chào Phòng ạ. Em là cán bộ phụ trách công tác trẻ em của {u.name}, em xin mẫu biểu "
                        f"báo cáo công tác trẻ em năm 2024 (bản Excel) để đơn vị tổng hợp số liệu ạ.\nEm cảm ơn.",
                        dtl(2024, 11, 20, 14, 3), rng, mprog="gmail")
        u = us[2]
        self.plain_mail(q, "cho_em_hoi", "ignored", *off(u), "Cho em hỏi về chỉ tiêu trong báo cáo công tác trẻ em",
                        "Dạ kính gửi Phòng GDTrH,\n\nCho em hỏi chỉ tiêu \"Số trẻ em có hoàn cảnh đặc biệt\" thì có tính "
                        "cả học sinh thuộc hộ nghèo không ạ? Và \"Số lượt cha mẹ học sinh tham gia tuyên truyền\" thì "
                        "tính theo số lượt dự họp phụ huynh được không ạ?\n\nEm cảm ơn Phòng ạ.",
                        dtl(2024, 6, 12, 10, 40), rng)
        u = us[3]
        self.plain_mail(q, "blank_xlsx_attached", "ignored", *off(u), "Hỏi cách điền mẫu báo cáo công tác trẻ em 6 tháng",
                        f"Kính gửi Phòng GDTrH,\n\n{u.short} gửi kèm mẫu biểu đơn vị đang sử dụng, nhờ Phòng xem giúp "
                        f"mẫu này có đúng là mẫu báo cáo 6 tháng đầu năm 2024 không ạ. Đơn vị sẽ gửi báo cáo chính "
                        f"thức sau khi tổng hợp xong.\n\nTrân trọng.", dtl(2024, 6, 8, 15, 20), rng,
                        files=[("Mau bao cao CTTE.xlsx", self.blank_form(u, "2024S1", "xlsx", rng), "xlsx")])
        u = us[4]
        self.plain_mail(q, "blank_docx_attached", "ignored", *off(u), "V/v hỏi về mẫu báo cáo CTTE năm 2024",
                        "Kính gửi Phòng GDTrH,\n\nĐơn vị gửi kèm biểu mẫu báo cáo năm 2024 (chưa điền số liệu), kính "
                        "nhờ Phòng cho ý kiến các chỉ tiêu mục D có cần thống kê theo từng khối lớp không ạ.\n\n"
                        "Trân trọng.", dtl(2024, 11, 18, 8, 55), rng,
                        files=[("Bieu mau CTTE nam 2024 (trong).docx", self.blank_form(u, "2024", "docx", rng), "docx")])
        u = us[5]
        self.plain_mail(q, "deadline_question", "ignored", *off(u), "Hạn nộp báo cáo công tác trẻ em năm 2024",
                        "Dạ cho em hỏi hạn cuối nộp báo cáo công tác trẻ em năm 2024 là ngày nào ạ, đơn vị em đang tổng "
                        "hợp số liệu.\nEm cảm ơn ạ.", dtl(2024, 11, 26, 16, 2), rng, mprog="phone")
        u = us[6]
        p = rng.choice(PERSONS)
        self.plain_mail(q, "ascii_question", "ignored", ascii_fold(p),
                        ascii_fold(p).lower().replace(" ", ".") + "@gmail.com", "hoi ve bao cao cong tac tre em 6 thang",
                        f"cho em hoi bao cao 6 thang nay co can gui ban giay khong a, hay chi gui qua mail thoi a. "
                        f"em o {ascii_fold(u.short)}", dtl(2024, 6, 14, 21, 10), rng, mprog="phone")
        u = us[7]
        self.plain_mail(q, "reply_to_reminder", "ignored", *off(u),
                        "Re: Nhắc gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024",
                        f"Dạ cho em hỏi đơn vị em đã gửi báo cáo qua email ngày 20/6 rồi, không biết Phòng đã nhận được "
                        f"chưa ạ?\n\nVào Th 5, 27 thg 6, 2024 lúc 07:30 Sở Giáo dục và Đào tạo Bình Phước đã viết:\n"
                        f"> Kính gửi: {u.name}\n> Sở GDĐT đề nghị đơn vị gửi báo cáo công tác trẻ em 6 tháng đầu năm "
                        f"2024 trước ngày 30/6/2024.\n", dtl(2024, 6, 28, 9, 5), rng,
                        in_reply_to="<reminder.cttre.2024S1.x@binhphuoc.edu.vn>")

    def other_mail(self, rng: random.Random, pool: list[Unit]) -> None:
        us = list(pool)
        rng.shuffle(us)
        o = "other"
        thpt = [u for u in us if u.kind == "thpt"]
        pgd = [u for u in us if u.kind == "pgd"]

        def doc(title: str, paras: list[str]) -> bytes:
            return write_docx([P(title, bold=True, align="center")] + [P(x, align="justify") for x in paras])

        u = thpt[0]
        self.plain_mail(o, "other_report_semester", "ignored", u.short, u.email,
                        f"Báo cáo sơ kết học kỳ I năm học 2024-2025 - {u.short}",
                        "Kính gửi Sở GDĐT,\nNhà trường gửi báo cáo sơ kết học kỳ I năm học 2024-2025 (đính kèm).\n"
                        "Trân trọng.", dtl(2025, 1, 3, 10, 0), rng,
                        files=[("BC so ket HKI 2024-2025.docx", doc("BÁO CÁO SƠ KẾT HỌC KỲ I NĂM HỌC 2024-2025", [
                            "Tổng số học sinh: 1.245 em, 32 lớp. Tỷ lệ học sinh khá, giỏi đạt 68,5%.",
                            "Tổ chức 05 buổi sinh hoạt chuyên đề cho giáo viên."]), "docx")])
        u = pgd[0]
        legal = write_xlsx([Sheet("PhapChe", [P("BÁO CÁO CÔNG TÁC PHÁP CHẾ 6 THÁNG ĐẦU NĂM 2024", bold=True),
                                              grid_from_table(Table([("stt", "STT"), ("label", "Nội dung"),
                                                                     ("val", "Số lượng")], [
                                                  Row("ind", "Số văn bản quy phạm được rà soát", cells={"val": 14}, stt="1"),
                                                  Row("ind", "Số buổi tuyên truyền, phổ biến pháp luật", cells={"val": 6},
                                                      stt="2"),
                                                  Row("ind", "Số lượt cán bộ, giáo viên tham gia", cells={"val": 420},
                                                      stt="3")]))])])
        self.plain_mail(o, "other_report_same_period", "ignored", u.short, u.email,
                        "Báo cáo công tác pháp chế 6 tháng đầu năm 2024",
                        f"Kính gửi Sở GDĐT,\n{u.short} gửi báo cáo công tác pháp chế 6 tháng đầu năm 2024.\nTrân trọng.",
                        dtl(2024, 6, 20, 14, 30), rng, files=[("BC phap che 6 thang 2024.xlsx", legal, "xlsx")])
        self.plain_mail(o, "plan_other_division", "ignored", "Phòng Giáo dục Thể chất", "gdtc@binhphuoc.edu.vn",
                        "Kế hoạch tổ chức Hội khỏe Phù Đổng cấp tỉnh năm 2024",
                        "Kính gửi các đơn vị,\nPhòng GDTC gửi Kế hoạch tổ chức Hội khỏe Phù Đổng cấp tỉnh năm 2024, đề "
                        "nghị các đơn vị đăng ký trước ngày 15/3/2024.\nTrân trọng.", dtl(2024, 3, 1, 8, 0), rng)
        self.plain_mail(o, "meeting", "ignored", "Văn phòng Sở", "vanphong@binhphuoc.edu.vn",
                        "Thư mời họp giao ban công tác chuyên môn tháng 9/2024",
                        "Kính mời đồng chí Trưởng phòng GDTrH dự họp giao ban lúc 7 giờ 30 ngày 05/9/2024 tại phòng "
                        "họp số 1.", dtl(2024, 9, 3, 16, 0), rng, mprog="outlook")
        self.plain_mail(o, "newsletter", "ignored", "Bản tin Giáo dục Bình Phước", "bantin@binhphuoc.edu.vn",
                        "Bản tin Giáo dục Bình Phước tháng 10/2024",
                        "Bản tin tháng 10: Ngành giáo dục hưởng ứng Tháng hành động vì trẻ em; kết quả kỳ thi học sinh "
                        "giỏi; tuyên truyền phòng, chống đuối nước cho học sinh.\nHủy nhận tin: bantin@binhphuoc.edu.vn",
                        dtl(2024, 10, 2, 6, 0), rng,
                        extra_headers=[("List-Unsubscribe", "<mailto:bantin@binhphuoc.edu.vn?subject=unsubscribe>"),
                                       ("Precedence", "bulk")])
        u = thpt[1]
        self.plain_mail(o, "enrolment_report", "ignored", u.short, u.email,
                        f"Báo cáo kết quả tuyển sinh lớp 10 năm học 2024-2025 - {u.short}",
                        "Kính gửi Phòng GDTrH,\nNhà trường gửi báo cáo kết quả tuyển sinh lớp 10.\nTrân trọng.",
                        dtl(2024, 8, 12, 9, 30), rng,
                        files=[("KQ tuyen sinh 10.xlsx", write_xlsx([Sheet("TS10", [P("KẾT QUẢ TUYỂN SINH LỚP 10"),
                                                                                     grid_from_table(Table(
                                                                                         [("label", "Nội dung"),
                                                                                          ("val", "Số lượng")],
                                                                                         [Row("ind", "Chỉ tiêu được giao", cells={"val": 450}),
                                                                                          Row("ind", "Số học sinh trúng tuyển", cells={"val": 447})]))])]),
                                 "xlsx")])
        u = thpt[2]
        self.plain_mail(o, "drugs_report", "ignored", u.short, u.email,
                        "Báo cáo công tác phòng, chống ma túy trong trường học 6 tháng đầu năm 2024",
                        f"Kính gửi Sở GDĐT,\n{u.short} gửi báo cáo công tác phòng, chống ma túy 6 tháng đầu năm 2024: "
                        f"tổ chức 04 buổi tuyên truyền với 1.120 lượt học sinh tham gia; không phát hiện học sinh "
                        f"sử dụng ma túy.\nTrân trọng.", dtl(2024, 6, 18, 10, 10), rng)
        u = thpt[3]
        self.plain_mail(o, "school_health_report", "ignored", u.short, u.email,
                        "Báo cáo công tác y tế trường học năm học 2023-2024",
                        "Kính gửi Phòng GDTrH,\nNhà trường gửi báo cáo công tác y tế trường học năm học 2023-2024: khám "
                        "sức khỏe định kỳ cho 100% học sinh; phối hợp tuyên truyền phòng, chống dịch bệnh, phòng, "
                        "chống đuối nước trong dịp hè.\nTrân trọng.", dtl(2024, 6, 25, 15, 0), rng)
        u = thpt[4]
        self.plain_mail(o, "training_registration", "ignored", u.short, u.email,
                        "Đăng ký danh sách giáo viên tham gia tập huấn kỹ năng tư vấn tâm lý",
                        "Kính gửi Phòng GDTrH,\nNhà trường đăng ký 03 giáo viên tham gia lớp tập huấn (danh sách đính "
                        "kèm).\nTrân trọng.", dtl(2024, 8, 22, 10, 45), rng,
                        files=[("DS tap huan.xlsx", write_xlsx([Sheet("DS", [grid_from_table(Table(
                            [("stt", "STT"), ("label", "Họ và tên"), ("val", "Năm sinh")],
                            [Row("ind", "Nguyễn Thị Hạnh", cells={"val": 1985}, stt="1"),
                             Row("ind", "Trần Văn Quang", cells={"val": 1990}, stt="2")]))])]), "xlsx")])
        self.plain_mail(o, "security_alert", "ignored", "Google", "no-reply@accounts.google.com",
                        "Cảnh báo bảo mật", "Có người vừa đăng nhập vào tài khoản của bạn từ một thiết bị mới.",
                        dtl(2024, 7, 14, 3, 12), rng, mprog="gmail",
                        extra_headers=[("Auto-Submitted", "auto-generated")])
        u = pgd[1]
        self.plain_mail(o, "emis_statistics", "ignored", u.short, u.email,
                        "Báo cáo thống kê số liệu đầu năm học 2024-2025",
                        f"Kính gửi Sở GDĐT,\n{u.short} gửi số liệu thống kê đầu năm học 2024-2025 trên hệ thống CSDL "
                        f"ngành.\nTrân trọng.", dtl(2024, 10, 15, 9, 0), rng)
        u = pgd[2]
        self.plain_mail(o, "comments_on_next_plan", "ignored", u.short, u.email,
                        "Góp ý dự thảo Kế hoạch triển khai công tác trẻ em năm 2025",
                        f"Kính gửi Phòng GDTrH,\n{u.short} thống nhất với nội dung dự thảo Kế hoạch triển khai công tác "
                        f"trẻ em trong ngành Giáo dục năm 2025; đề nghị bổ sung chỉ tiêu về phòng, chống đuối nước "
                        f"trong mục II.7.\nTrân trọng.", dtl(2024, 12, 20, 10, 0), rng)

    def unplaced(self, rng: random.Random) -> None:
        for period, fmt, when in (("2024S1", "xlsx", dtl(2024, 6, 27, 22, 14)), ("2024", "docx", dtl(2024, 12, 9, 21, 3))):
            v = gen_values(rng, "thpt") if period == "2024S1" else gen_values(rng, "thpt", gen_values(rng, "thpt"))
            lay = self.standard_layout(rng, fmt)
            table, _, _ = make_table(rng, lay, {"val": v}, fmt)
            grid = grid_from_table(table)
            if fmt == "xlsx":
                data = write_xlsx([Sheet("Sheet1", [P("Đơn vị: ……………………………", bold=True),
                                                    P("BÁO CÁO CÔNG TÁC TRẺ EM", bold=True),
                                                    P(f"Kỳ báo cáo: {PERIOD_LABEL[period]}"), grid])])
            else:
                data = write_docx([P("BÁO CÁO CÔNG TÁC TRẺ EM NĂM 2024", bold=True, align="center"), grid])
            p = rng.choice(PERSONS)
            addr = ascii_fold(p).lower().replace(" ", "") + str(rng.randrange(80, 99)) + "@" + rng.choice(
                ["gmail.com", "yahoo.com"])
            mid = mailer.msgid(rng, addr.split("@")[1])
            subj = ("Gửi báo cáo công tác trẻ em 6 tháng đầu năm 2024" if period == "2024S1"
                    else "Bao cao cong tac tre em nam 2024")
            raw = mailer.build(from_name=ascii_fold(p), from_addr=addr, subject=subj, body="Em gửi báo cáo ạ.",
                               date=when, received=when, msgid=mid, rng=rng, mailer="gmail",
                               attachments=[(f"Bao cao.{fmt}", data, fmt)])
            t = MailTruth(self.next_name("unplaced"), "unplaced", "no_unit_anywhere", "unplaced", None, "cttre", period,
                          subject=subj, files=[{"name": f"Bao cao.{fmt}", "fmt": fmt}])
            t.note = mid
            self.add(t, raw, when)


def email_date_vi(d: dt.datetime) -> str:
    wd = ["Th 2", "Th 3", "Th 4", "Th 5", "Th 6", "Th 7", "CN"][d.weekday()]
    return f"{wd}, {d.day} thg {d.month}, {d.year} lúc {d:%H:%M}"


# ==================================================================== the catalogue and the build
# (class, trait, period: "S1" / "Y" / None, unit kinds or None)
CATALOGUE: list[tuple[str, str, str | None, tuple[str, ...] | None]] = [
    ("legacy", "tcvn3_xlsx_all", None, None), ("legacy", "tcvn3_xlsx_sections", None, None),
    ("legacy", "tcvn3_xlsx_some", None, None), ("legacy", "tcvn3_docx_all", None, None),
    ("legacy", "tcvn3_docx_mixed_runs", None, None), ("legacy", "tcvn3_xls_all", None, None),
    ("legacy", "tcvn3_xls_labels", None, None), ("legacy", "tcvn3_docx_unit_only_in_doc", None, ("thpt",)),
    ("legacy", "tcvn3_subject", None, None), ("legacy", "vni_docx_all", None, None),
    ("legacy", "vni_xlsx_all", None, None), ("legacy", "vni_xls_labels", None, None),
    ("two_periods", "sheets_s1_year", "Y", None), ("two_periods", "sheets_subject_silent", "Y", None),
    ("two_periods", "sheets_cungky_s1", "S1", None), ("two_periods", "xls_sheets", "Y", None),
    ("two_periods", "docx_two_tables", "Y", None), ("two_periods", "cols_s1_year", "Y", None),
    ("two_periods", "cols_cungky", None, None), ("two_periods", "cols_2023_2024_diff", "Y", None),
    ("two_periods", "docx_cols_s1", "S1", None), ("two_periods", "cols_namhoc", "S1", ("thpt", "ptdtnt")),
    ("two_periods", "pdf_cols_year", "Y", None), ("two_periods", "kynay_cungky", None, None),
    ("reshaped", "docx_split_repeat_header", None, None), ("reshaped", "docx_split_no_header", None, None),
    ("reshaped", "xlsx_merged_long_sections", None, None), ("reshaped", "docx_merged_long_sections", None, None),
    ("reshaped", "xlsx_title_block", None, None), ("reshaped", "xls_title_block", None, None),
    ("reshaped", "renamed_value_col", None, None), ("reshaped", "renamed_value_col_docx", None, None),
    ("reshaped", "dvt_note_numbers", None, None), ("reshaped", "roman_stt", None, None),
    ("reshaped", "reordered", None, None), ("reshaped", "reordered_docx", None, None),
    ("reshaped", "two_row_header_pct", None, None), ("reshaped", "pdf_borderless", None, None),
    ("reshaped", "grade_columns_total", None, ("thpt",)),
    ("supplement", "supp_old_new_xlsx", None, None), ("supplement", "supp_body_text", None, None),
    ("supplement", "supp_adds_missing", None, None), ("supplement", "resend_full", None, None),
    ("supplement", "resend_then_supp", None, None), ("supplement", "supp_full_form_partial", None, None),
    ("supplement", "supp_docx_two_rows", None, None),
    ("habits", "image_docx", None, None), ("habits", "scanned_table_pdf", None, None),
    ("habits", "textbox_paras", None, None), ("habits", "textbox_table", None, None),
    ("habits", "prose_cells", None, None), ("habits", "prose_only_docx", None, ("thpt", "gdnn-gdtx")),
    ("habits", "merged_two_numbers", None, None), ("habits", "na_x", None, ("gdnn-gdtx", "thpt")),
    ("habits", "na_text", None, ("gdnn-gdtx", "thpt")), ("habits", "ranges", None, None),
    ("habits", "thousands_mix", None, ("pgd",)), ("habits", "thousands_docx", None, ("pgd",)),
    ("habits", "text_numbers", None, None), ("habits", "formulas", None, None),
    ("habits", "hidden_rows", None, None), ("habits", "hidden_sheet", None, None),
    ("habits", "html_xls", None, None),
    ("hostile", "jpeg_as_xlsx", None, None), ("hostile", "cfb_encrypted_xlsx", None, None),
    ("hostile", "zip_slip", None, None), ("hostile", "zip_slip_backslash", None, None),
    ("hostile", "empty_plus_good", None, None), ("hostile", "truncated_xlsx", None, None),
    ("hostile", "encrypted_pdf_plus_xlsx", None, None), ("hostile", "zip_encrypted", None, None),
]
ORDINARY = [("xlsx_template", 6), ("xlsx_own", 6), ("docx_table", 8), ("pdf_text", 4), ("xls", 2),
            ("docx+xlsx", 2), ("zip", 1), ("forwarded", 1), ("docx+scan", 1)]
MISSING_SLOTS = 8


def build(out: Path, seed: int = 4) -> dict[str, Any]:
    c = Scenarios(seed)
    rng = c.rng
    for u in c.units:
        s1 = gen_values(rng, u.kind)
        c.figures[u.code] = {"2024S1": s1, "2024": gen_values(rng, u.kind, s1)}
    slots = [(u, p) for u in c.units for p in ("2024S1", "2024")]
    rng.shuffle(slots)
    taken: dict[tuple[str, str], tuple[str, str]] = {}
    for cls, trait, per, kinds in CATALOGUE:
        want = {"S1": "2024S1", "Y": "2024", None: None}[per]
        for u, p in slots:
            if (u.code, p) in taken or (want and p != want) or (kinds and u.kind not in kinds):
                continue
            taken[(u.code, p)] = (cls, trait)
            break
        else:
            raise RuntimeError(f"no slot for {trait}")
    free = [(u, p) for u, p in slots if (u.code, p) not in taken]
    missing = set((u.code, p) for u, p in free[:MISSING_SLOTS])
    ordinary = free[MISSING_SLOTS:]
    traits = [t for t, w in ORDINARY for _ in range(w)]
    scans = 0
    for i, (u, p) in enumerate(ordinary):
        t = traits[i] if i < len(traits) else rng.choice([t for t, w in ORDINARY for _ in range(w)])
        if t == "docx+scan":
            scans += 1
            if scans > 2:
                t = "docx_table"
        taken[(u.code, p)] = ("ordinary", t)
    for u, p in slots:
        if (u.code, p) in missing:
            continue
        cls, trait = taken[(u.code, p)]
        r = random.Random(f"{seed}:{u.code}:{p}:{trait}")
        when = rand_when(r, p, late=r.random() < 0.12)
        c.slot_cls[f"{u.code}|{p}"] = cls
        getattr(c, cls)(u, p, when, r, trait)
    # two deliveries of one report: the same files sent again with a new mail, and a byte copy
    ords = [m for m in c.mails if m[0].cls == "ordinary" and m[0].trait in ("xlsx_own", "docx_table")]
    dup_src = ords[0]
    dup_raw = dup_src[1]
    t0 = dup_src[0]
    u = c.by_code[t0.unit or ""]
    r = random.Random(f"{seed}:dup")
    when = dt.datetime.fromisoformat(t0.received) + dt.timedelta(days=1, hours=2)
    import email as _email
    parsed = _email.message_from_bytes(dup_raw)
    files = []
    for part in parsed.walk():
        fn = part.get_filename()
        if fn:
            from email.header import decode_header, make_header
            files.append((str(make_header(decode_header(fn))), part.get_payload(decode=True),
                          fn.rsplit(".", 1)[-1].lower().rstrip("?=")))
    c.send_report(u, t0.period, when, files, "ordinary", "same_files_resent", r, status="duplicate",
                  mode="official", body=f"Em gửi lại báo cáo công tác trẻ em {PERIOD_LABEL[t0.period or '2024S1']} "
                                        f"ạ, hôm qua em gửi không biết Phòng đã nhận được chưa.")
    copy_of = ords[1][0]
    c.checks.append({"kind": "byte_copy", "mail": copy_of.name, "sha256": copy_of.sha256})
    c.incidents(random.Random(f"{seed}:incidents"), c.units)
    c.questions(random.Random(f"{seed}:questions"), c.units)
    c.other_mail(random.Random(f"{seed}:other"), c.units)
    c.unplaced(random.Random(f"{seed}:unplaced"))
    # ---------------------------------------------------------------- write
    if out.exists():
        shutil.rmtree(out)
    md = out / "maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    shutil.copy(HERE / "units.csv", out / "units.csv")
    mails_json = []
    c.mails.sort(key=lambda m: (m[2], m[0].name))
    for i, (t, raw, when) in enumerate(c.mails):
        stamp = int(when.timestamp())
        sub = "cur" if i % 3 else "new"
        suffix = ":2,S" if sub == "cur" else ""
        (md / sub / f"{stamp}.M{i:04d}P{4000 + i}.mx.binhphuoc.edu.vn{suffix}").write_bytes(raw)
        if t.name == copy_of.name:
            (md / "new" / f"{stamp + 97}.M{i:04d}Q{5000 + i}.mx.binhphuoc.edu.vn").write_bytes(raw)
        mails_json.append(t.__dict__)
    truth = {"seed": seed, "now": NOW, "mails": mails_json, "values": c.values, "decoys": c.decoys,
             "slot_cls": c.slot_cls, "cases": c.cases, "checks": c.checks,
             "missing_slots": sorted(f"{a}|{b}" for a, b in missing)}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=4)
    a = ap.parse_args(argv)
    t = build(a.out, a.seed)
    from collections import Counter
    print(f"{len(t['mails'])} mails, {len({m['unit'] for m in t['mails'] if m['unit']})} units: "
          + ", ".join(f"{k} {v}" for k, v in sorted(Counter(m['cls'] for m in t['mails']).items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
