"""The Department's report, drafted: Decree 30 parts, the coverage stated, the compiled figures
in sentences and in the table, equal to the sums of v_values."""
from __future__ import annotations

import io

import docx
import pytest

from compile import draft
from compile.common import fmt_number
from scheduler import main
from tests.storefill import add_incident, add_report, at, fresh_store

NOW = at("2024-07-05 08:00")


@pytest.fixture
def store(tmp_path):
    cfg, db = fresh_store(tmp_path)
    add_report(db, "THPT-LOCNINH", "2024-06-20 09:00", {"tre_em_tong": 1250, "xh_so_tre": 1, "xh_tinh_duc": 1})
    add_report(db, "PGD-LOCNINH", "2024-07-02 09:00", {"tre_em_tong": 15230, "xh_so_tre": 2})
    add_incident(db, "THPT-LOCNINH", "2024-06-01")
    return cfg, db


def _text(document) -> list[str]:
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return lines


def test_parts_of_the_report(store):
    cfg, db = store
    d = docx.Document(io.BytesIO(draft.build(db, cfg, "cttre", "2024S1", NOW)))
    lines = _text(d)
    for text in ("UBND TỈNH BÌNH PHƯỚC", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: …/BC-SGDĐT",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Bình Phước, ngày 05 tháng 7 năm 2024", "BÁO CÁO", "Công tác trẻ em 6 tháng đầu năm 2024",
                 "Kính gửi:", "- Bộ Giáo dục và Đào tạo;", "- Ủy ban nhân dân tỉnh Bình Phước.",
                 "Nơi nhận:", "- Lưu: VT, GDTrH.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"):
        assert text in lines, text
    assert any("có 2/50 đơn vị đã gửi báo cáo (1 đơn vị đúng hạn, 1 đơn vị trễ hạn)" in t for t in lines)
    assert any(t.endswith("./.") for t in lines)
    headings = [t for t in lines if t[:2] in ("1.", "2.", "3.", "4.", "5.", "6.")]
    assert headings[:5] == ["1. Quy mô", "2. Tuyên truyền", "3. Tập huấn", "4. Vụ việc", "5. Hoạt động"]
    assert any("báo cáo nhanh 1 vụ việc" in t for t in lines)
    section = d.sections[0]
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15


def test_figures_equal_the_store(store):
    cfg, db = store
    d = docx.Document(io.BytesIO(draft.build(db, cfg, "cttre", "2024S1", NOW)))
    lines = _text(d)
    table = d.tables[-1]
    shown = {row.cells[1].text: row.cells[3].text for row in table.rows[1:]}
    for ind in cfg.report("cttre").indicators:
        total = db.execute("SELECT SUM(value) FROM v_values WHERE period = '2024S1' AND indicator = ?",
                           [ind.code]).fetchone()[0]
        assert shown[ind.label] == (fmt_number(total) if total is not None else "")
        said = next(t for t in lines if t.endswith(".") and ind.label in t and t[:1] in "-+")
        assert said.endswith(f": {fmt_number(total)} {ind.unit}." if total is not None else ": chưa có số liệu.")
    assert shown["Tổng số trẻ em (học sinh dưới 16 tuổi) đang theo học"] == "16.480"


def test_command_line(store, tmp_path, capsys):
    cfg, _ = store
    out = tmp_path / "bc.docx"
    toml = tmp_path / "config.toml"
    text = (cfg.path.read_text(encoding="utf-8")
            .replace('path = "var/baocao.sqlite"', f'path = "{cfg.store_path}"')
            .replace('file = "units.example.csv"', f'file = "{cfg.path.parent / "units.example.csv"}"'))
    toml.write_text(text, encoding="utf-8")
    if f'path = "{cfg.store_path}"' not in text:
        pytest.skip("the example's store path is written differently")
    assert main(["--config", str(toml), "--now", "2024-07-05T08:00", "draft-report", "--report", "cttre",
                 "--period", "2024S1", "-o", str(out)]) == 0
    assert out.stat().st_size > 0 and "draft-report:" in capsys.readouterr().out
    assert main(["--config", str(toml), "draft-report", "--report", "cttre", "--period", "2031",
                 "-o", str(out)]) == 2
