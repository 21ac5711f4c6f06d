"""The corpus: ~120 report files as units really send them, each with its ground truth.

`corpus()` is deterministic (one seed per file). Files are assigned to units of
units.example.csv in order; a unit appears once per batch of len(units) files, so that a batch
polled into one store keeps every file as a unit's latest submission (v_values shows only those).
"""
from __future__ import annotations

import random
from dataclasses import replace
from functools import lru_cache

from tests.filecorpus import hostile, model, prose, tables, tmpl, writers
from tests.filecorpus.model import CorpusFile

SEED = 20240705
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {"xlsx": XLSX_MIME, "xls": "application/vnd.ms-excel", "pdf": "application/pdf", "zip": "application/zip",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
NAMES = ("BC CTTE 6 thang 2024", "Báo cáo công tác trẻ em 6 tháng đầu năm 2024", "bao cao tre em 6T",
         "BC_TreEm_6T_2024", "Mau bao cao CTTE", "BC cong tac tre em HK1")

# Template recipes: edits applied to the Department's blank form (see tmpl.py).
TEMPLATE = [
    dict(habit="int"), dict(habit="int"), dict(habit="int", rename="Sheet1"),
    dict(habit="text"), dict(habit="text"), dict(habit="text", rename="BC 6 thang"),
    dict(habit="plain", no_code=True), dict(habit="int", no_code=True), dict(habit="text", no_code=True),
    dict(habit="int", no_code=True, labels="retyped"), dict(habit="text", no_code=True, labels="retyped"),
    dict(habit="int", no_code=True, labels="mixed"),
    dict(habit="int", no_code=True, labels="ascii"), dict(habit="text", no_code=True, labels="ascii"),
    dict(habit="int", rows=True), dict(habit="text", rows=True),
    dict(habit="int", rows=True, no_code=True), dict(habit="text", rows=True, no_code=True, labels="retyped"),
    dict(habit="int", letterhead=True, rename="Trang tính1"), dict(habit="text", letterhead=True),
    dict(habit="int", letterhead=True, no_code=True), dict(habit="text", letterhead=True, no_code=True, labels="mixed"),
    dict(habit="int", merge=True), dict(habit="text", merge=True, no_code=True),
    dict(habit="int", formulas="cached"), dict(habit="int", formulas="cached", no_code=True),
    dict(habit="int", formulas="none"), dict(habit="int", formulas="none", no_code=True),
    dict(habit="int", renumber=("dot", "roman")), dict(habit="text", renumber=("alpha", "roman"), no_code=True),
    dict(habit="int", shift=2), dict(habit="text", shift=2, no_code=True),
    dict(habit="int", extra="est"), dict(habit="int", extra="prev", no_code=True),
    dict(habit="int", extra="plan"), dict(habit="text", extra="plan", no_code=True),
    dict(habit="int", notes=True), dict(habit="text", notes=True, no_code=True),
]
EDIT_POOL = ("rows", "letterhead", "merge", "renumber", "shift", "notes", "no_code", "retyped", "rename")


def _random_recipe(rng: random.Random) -> dict:
    picks = rng.sample(EDIT_POOL, 3)
    r: dict = {"habit": rng.choice(("int", "text", "plain"))}
    for p in picks:
        r.update({"rows": {"rows": True}, "letterhead": {"letterhead": True}, "merge": {"merge": True},
                  "renumber": {"renumber": ("dot", "roman")}, "shift": {"shift": 2}, "notes": {"notes": True},
                  "no_code": {"no_code": True}, "retyped": {"labels": "retyped"},
                  "rename": {"rename": "Sheet1"}}[p])
    return r


def template_file(rng: random.Random, truth: dict, unit, recipe: dict) -> tuple[bytes, dict, frozenset]:
    f = tmpl.blank(unit, with_period=rng.random() < 0.7)
    tmpl.fill(f, rng, truth, recipe["habit"])
    if recipe.get("labels"):
        tmpl.retype_labels(f, rng, recipe["labels"])
    if recipe.get("renumber"):
        tmpl.renumber(f, *recipe["renumber"])
    if recipe.get("notes"):
        tmpl.notes_with_numbers(f, rng)
    if recipe.get("merge"):
        tmpl.merge_cells(f, rng)
    if any(recipe.get(k) for k in ("rows", "extra", "letterhead", "no_code", "shift")):
        tmpl.unprotect(f)
    if recipe.get("rows"):
        tmpl.add_rows(f, rng)
    if recipe.get("extra"):
        tmpl.extra_value_col(f, rng, truth, recipe["extra"])
    if recipe.get("letterhead"):
        tmpl.letterhead(f, unit.name)
    if recipe.get("no_code"):
        tmpl.delete_code_col(f)
    if recipe.get("shift"):
        tmpl.insert_cols(f, 1, recipe["shift"])
    optional: frozenset = frozenset()
    if recipe.get("formulas"):
        cache = recipe["formulas"] == "cached"
        codes = tmpl.formulas(f, truth, cache)
        optional = frozenset() if cache else frozenset(codes)
    if recipe.get("rename"):
        f.ws.title = recipe["rename"]
    return tmpl.save(f), truth, optional


# Own layouts: (columns, build options) for spreadsheets, Word and PDF.
OWN = [
    (("stt", "label", "value"), dict(labels="retyped")),
    (("stt", "label", "unit", "value", "note"), dict(labels="exact")),
    (("stt", "label", "unit", "value", "note"), dict(labels="mixed", numbering="dot", sections="roman")),
    (("label", "value"), dict(labels="retyped", skip_sections=True)),
    (("stt", "code", "label", "unit", "value", "note"), dict(labels="exact")),
    (("stt", "label", "unit", "plan", "done", "pct"), dict(labels="exact", two_level=True)),
    (("stt", "label", "unit", "prev", "cur", "note"), dict(labels="retyped", two_level=True)),
    (("stt", "label", "unit", "value", "note"), dict(labels="retyped", extras=True)),
    (("stt", "label", "value", "note"), dict(labels="exact", numbering="alpha", sections="none")),
    (("stt", "label", "unit", "value"), dict(labels="ascii")),
]
STAFF = tables.Table([["TT", "Họ và tên", "Chức vụ", "Điện thoại", "Số năm công tác"]], [
    ("item", [1, "Nguyễn Văn An", "Hiệu trưởng", "0912.345.678", 22]),
    ("item", [2, "Trần Thị Bích", "Phó Hiệu trưởng", "0983.112.450", 15]),
    ("item", [3, "Lê Thị Thu Hà", "Tổng phụ trách Đội", "0357.890.123", 8]),
    ("item", [4, "Phạm Minh Tuấn", "Giáo viên Tư vấn học đường", "0868.246.135", 4])])


def own_table(rng: random.Random, truth: dict, spec, habit: str) -> tables.Table:
    columns, opts = spec
    return tables.build(rng, truth, columns, habit=habit, **opts)


def word_file(rng: random.Random, truth: dict, unit, i: int) -> tuple[bytes, str]:
    spec = OWN[i % len(OWN)]
    table = own_table(rng, truth, spec, "text")
    lines = writers.title_lines(unit.name, "Sở GDĐT Bình Phước", 40 + i, unit.district)
    mode, tables_, after = i % 5, [table], ["Nơi nhận: - Sở GDĐT (b/c); - Lưu: VT."]
    if mode == 1:                                  # a staff list before the form
        tables_ = [STAFF, table]
    elif mode == 2:                                # split over a page break, header repeated
        k = next(j for j, (kind, c) in enumerate(table.rows) if kind == "section" and j > 8)
        tables_ = [tables.Table(table.header, table.rows[:k], table.header_merges),
                   tables.Table(table.header, table.rows[k:], table.header_merges)]
    elif mode == 3:                                # prose around the table, same figures
        paras, _, _ = prose.paragraphs(rng, truth, unit.name)
        lines, after = lines + paras[:2], paras[2:] + after
    elif mode == 4:
        tables_ = [table, STAFF]
    edits = f"own layout {spec[0]} {spec[1]} mode={mode}"
    return writers.docx(tables_, lines, after=after, merge_sections=rng.random() < 0.7), edits


def pdf_file(rng: random.Random, truth: dict, unit, i: int) -> tuple[bytes, str]:
    spec = OWN[(i * 3) % len(OWN)]
    table = own_table(rng, truth, spec, "text")
    grid = i % 3 != 2
    lines = writers.title_lines(unit.name, "Sở GDĐT Bình Phước", 60 + i, unit.district)
    return writers.pdf([table], lines, grid=grid), f"pdf grid={grid} {spec[0]} {spec[1]}"


def _name(rng: random.Random, unit, ext: str) -> str:
    short = unit.code.split("-", 1)[-1].title()
    return f"{rng.choice(NAMES)} - {short}.{ext}"


@lru_cache(maxsize=1)
def corpus() -> tuple[CorpusFile, ...]:
    """Every file with its truth, in a fixed order, each assigned to a unit."""
    cfg, _ = model.report()
    units = [u for u in cfg.units]
    makers = ([("xlsx", r) for r in TEMPLATE] + [("xlsx", "random")] * 10 + [("xlsx-own", j) for j in range(7)]
              + [("xls", j) for j in range(5)] + [("docx", j) for j in range(30)]
              + [("narrative-docx", j) for j in range(4)] + [("narrative-pdf", 0)]
              + [("pdf", j) for j in range(14)] + [("hostile", j) for j in range(10)])
    out = []
    for n, (maker, arg) in enumerate(makers):
        rng = random.Random(SEED * 1000 + n)
        unit = units[n % len(units)]
        truth = model.true_values(rng, unit.kind == "pgd")
        out.append(replace(_make(rng, maker, arg, truth, unit, n), unit=unit.code))
    return tuple(out)


def _make(rng: random.Random, maker: str, arg, truth: dict, unit, n: int) -> CorpusFile:
    if maker == "xlsx":
        recipe = _random_recipe(rng) if arg == "random" else arg
        data, truth, optional = template_file(rng, truth, unit, recipe)
        return CorpusFile(_name(rng, unit, "xlsx"), data, "xlsx", truth, f"template {recipe}", optional)
    if maker == "xlsx-own":
        spec = OWN[(arg * 7 + 3) % len(OWN)]
        table = own_table(rng, truth, spec, rng.choice(("int", "text")))
        lines = writers.title_lines(unit.name, "Sở GDĐT Bình Phước", 80 + arg, unit.district)
        row0, col0 = (1, 1) if arg % 2 else (3, 2)
        data = writers.xlsx(table, lines, sheet=rng.choice(("Sheet1", "BC", "Báo cáo")), row0=row0, col0=col0)
        return CorpusFile(_name(rng, unit, "xlsx"), data, "xlsx", truth, f"own layout {spec}")
    if maker == "xls":
        spec = OWN[(arg * 3 + 4) % len(OWN)]
        table = own_table(rng, truth, spec, "int" if arg % 2 else "text")
        data = writers.xls(table, writers.title_lines(unit.name, "Sở GDĐT Bình Phước", 90 + arg, unit.district))
        return CorpusFile(_name(rng, unit, "xls"), data, "xls", truth, f"xls {spec}")
    if maker == "docx":
        data, edits = word_file(rng, truth, unit, arg)
        return CorpusFile(_name(rng, unit, "docx"), data, "docx", truth, edits)
    if maker == "pdf":
        data, edits = pdf_file(rng, truth, unit, arg)
        return CorpusFile(_name(rng, unit, "pdf"), data, "pdf", truth, edits)
    if maker.startswith("narrative"):
        paras, said, optional = prose.paragraphs(rng, truth, unit.name)
        lines = writers.title_lines(unit.name, "Sở GDĐT Bình Phước", 30 + n, unit.district)[:6]
        if maker.endswith("docx"):
            data, ext = writers.docx([], lines + paras), "docx"
        else:
            data, ext = writers.pdf([], lines + paras), "pdf"
        return CorpusFile(_name(rng, unit, ext), data, "narrative", said, f"narrative {ext}", frozenset(optional))
    return _hostile(rng, arg, truth, unit)


def _hostile(rng: random.Random, j: int, truth: dict, unit) -> CorpusFile:
    def filled() -> bytes:
        return template_file(rng, dict(truth), unit, {"habit": "int"})[0]

    def paper(password: str | None = None) -> bytes:
        return writers.pdf([own_table(rng, truth, OWN[1], "text")], ["Báo cáo công tác trẻ em"], encrypt=password)

    make, ext, what = [
        (lambda: b"", "xlsx", "0-byte xlsx"), (lambda: b"", "docx", "0-byte docx"),
        (lambda: hostile.truncated(filled(), 0.6), "xlsx", "truncated xlsx"),
        (lambda: hostile.truncated(word_file(rng, truth, unit, 0)[0], 0.5), "docx", "truncated docx"),
        (lambda: hostile.truncated(paper(), 0.4), "pdf", "truncated pdf"),
        (lambda: paper("123456"), "pdf", "encrypted pdf"),
        (hostile.jpeg, "xlsx", "JPEG named .xlsx"),
        (hostile.zip_bomb, "zip", "zip bomb"),
        (lambda: hostile.entity_bomb(filled()), "xlsx", "xlsx with an XML entity bomb"),
        (lambda: hostile.garbage_docx(rng), "docx", "docx with a garbage document.xml"),
    ][j]
    data = make()
    # The entity bomb's cells are the real figures: a parser that ignores the DTD safely may read
    # them (right if stored, never expected); one that expands it must fail within its limits.
    kept = dict(truth) if what.startswith("xlsx with") else {}
    return CorpusFile(f"{what.replace(' ', '_').replace('.', '')} - {unit.code}.{ext}", data, "hostile",
                      kept, what, frozenset(kept))


def mime(name: str) -> str:
    return MIME.get(name.rsplit(".", 1)[-1], "application/octet-stream")
