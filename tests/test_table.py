"""The shared engine: rows of cells in, values out. Precision first: a wrong number is worse than none."""
import pytest

from parsers import table
from tests import reportfiles as rf

R = rf.report()


def loc(r, c):
    return f"t › r{r + 1}c{c + 1}"


def run(rows, **kw):
    s = table.scan(rows, R, loc, **kw)
    values, warnings = table.resolve(s.candidates)
    return {v.indicator: v.number for v in values}, list(s.warnings) + warnings, values


# Each indicator in three wordings a unit might use instead of the form's label.
VARIANTS = {
    "tre_em_tong": ["Tổng số trẻ em đang theo học", "TONG SO TRE EM (HS DUOI 16 TUOI) DANG THEO HOC",
                    "1. Tổng số học sinh dưới 16 tuổi"],
    "tre_hcdb": ["Trẻ em có hoàn cảnh đặc biệt", "Số trẻ em có HCĐB", "so tre em co hoan canh dac biet"],
    "tt_so_buoi": ["Số buổi tuyên truyền", "Số buổi tuyên truyền, truyền thông về BV, CSTE", "- Số buổi truyền thông"],
    "tt_luot_hs": ["Số lượt HS tham gia tuyên truyền", "Lượt học sinh tham gia", "Số lượt học sinh tham gia"],
    "tt_luot_cmhs": ["Số lượt CMHS tham gia tuyên truyền", "Số lượt phụ huynh tham gia tuyên truyền",
                     "Lượt cha mẹ học sinh tham gia"],
    "th_so_lop": ["Số lớp tập huấn", "Số lớp tập huấn, bồi dưỡng", "Số lớp bồi dưỡng"],
    "th_luot_cbgvnv": ["Số lượt CBQL, GV, NV được tập huấn", "Số lượt cán bộ, giáo viên, nhân viên được tập huấn",
                       "Lượt cán bộ quản lý, giáo viên, nhân viên được tập huấn"],
    "bl_so_vu": ["Số vụ bạo lực học đường", "Bạo lực học đường", "Số vụ BLHĐ"],
    "xh_so_tre": ["Số trẻ bị xâm hại", "Trẻ em bị xâm hại", "2. Số trẻ em bị xâm hại"],
    "xh_tinh_duc": ["Trong đó: xâm hại tình dục", "- Bị xâm hại tình dục", "Trong đó bị xâm hại tình dục"],
    "tntt_so_tre": ["Số trẻ bị TNTT", "Số trẻ em bị tai nạn, thương tích", "Trẻ em bị tai nạn thương tích"],
    "tntt_duoi_nuoc": ["Trong đó: đuối nước", "+ Đuối nước", "- Số trẻ em bị đuối nước"],
    "tntt_duoi_nuoc_tu_vong": ["Trong đó: tử vong do đuối nước", "+ Tử vong do đuối nước",
                               "Số trẻ em tử vong do đuối nước"],
    "tntt_giao_thong": ["Trong đó: TNGT", "+ Tai nạn giao thông", "Trong đó: tai nạn giao thông"],
    "ld_trai_pl": ["Số trẻ em lao động trái quy định", "Trẻ em lao động trái quy định của PL",
                   "Số trẻ em lao động trái quy định của pháp luật"],
    "ht_can_thiep": ["Số trẻ em được hỗ trợ, can thiệp", "Trẻ được hỗ trợ, can thiệp", "Số trẻ được hỗ trợ can thiệp"],
    "hs_hoc_boi": ["Số HS được học bơi", "Số học sinh được học bơi, kỹ năng an toàn dưới nước", "Học sinh được học bơi"],
    "thd_so_hoat_dong": ["Số hoạt động hưởng ứng Tháng hành động vì trẻ em", "Hoạt động hưởng ứng Tháng hành động",
                         "Số hoạt động hưởng ứng tháng hành động vì TE"],
    "trung_thu_so_tre": ["Số trẻ em được tặng quà Trung thu", "Trẻ được tặng quà Tết Trung thu",
                         "Số trẻ được tặng quà Trung thu"],
    "dd_so_dien_dan": ["Số diễn đàn trẻ em", "Số Diễn đàn trẻ em đã tổ chức", "Diễn đàn trẻ em"],
    "dd_luot_tre": ["Số lượt trẻ em tham gia diễn đàn", "Lượt trẻ tham gia diễn đàn", "Số lượt trẻ tham gia diễn đàn"],
}
DISTRACTORS = ["Tổng cộng", "Số trường học", "Số giáo viên", "Số lớp học", "Số vụ tai nạn", "Số học sinh bỏ học",
               "Số trẻ em tử vong", "Số buổi sinh hoạt dưới cờ", "Số lượt giáo viên dự giờ", "Số hoạt động ngoại khóa",
               "Tổng số học sinh toàn trường", "Số lớp học 2 buổi/ngày", "Số vụ việc", "Số trẻ em khuyết tật",
               "Số lượt học sinh tham gia diễn đàn", "Số trẻ em bị tai nạn khác", "Số trẻ em bị bạo lực gia đình",
               "Người lập biểu", "Ghi chú", "Đơn vị tính"]


def test_label_variants_recall_and_precision():
    """Each wording in its own table (STT | label | ĐVT | Số liệu): >= 95 % found, none wrong."""
    found = wrong = total = 0
    for i in range(3):
        rows = [["STT", "Nội dung", "ĐVT", "Số liệu"]]
        rows += [[str(n), words[i], "người", 100 + n] for n, (code, words) in enumerate(VARIANTS.items())]
        got, _, _ = run(rows)
        for n, code in enumerate(VARIANTS):
            total += 1
            if code in got:
                found += 1
                wrong += got[code] != 100 + n
    assert wrong == 0
    assert found / total >= 0.95


@pytest.mark.parametrize("label", DISTRACTORS)
def test_rows_that_are_not_indicators_give_nothing(label):
    got, _, _ = run([["STT", "Nội dung", "Số liệu"], ["1", label, 5]])
    assert got == {}


@pytest.mark.parametrize("label,code", [
    ("1.1. Số trẻ em có hoàn cảnh đặc biệt", "tre_hcdb"),
    ("a) Bị xâm hại tình dục", "xh_tinh_duc"),
    ("II. Số vụ bạo lực học đường", "bl_so_vu"),
    ("- Số buổi tuyên truyền", "tt_so_buoi"),
    ("+ Đuối nước", "tntt_duoi_nuoc"),
    ("SỐ TRẺ EM BỊ XÂM HẠI", "xh_so_tre"),
    ("So tre em bi xam hai", "xh_so_tre"),
    ("So\u0301 tre\u0309 em bi\u0323 xâm ha\u0323i", "xh_so_tre"),    # NFD
])
def test_numbering_case_and_diacritics_are_ignored(label, code):
    got, _, _ = run([["Chỉ tiêu", "Số liệu"], [label, "7"]])
    assert got == {code: 7}


def test_trong_do_rows_follow_their_parent():
    rows = [["TT", "Chỉ tiêu", "Kết quả"],
            ["4", "Số trẻ em bị tai nạn thương tích", 9],
            ["", "Trong đó: đuối nước", 4],
            ["", "Trong đó: tử vong do đuối nước", 1],
            ["", "Trong đó: tai nạn giao thông", 3],
            ["5", "Số trẻ em bị xâm hại", 2],
            ["", "Trong đó: bị xâm hại tình dục", 1]]
    got, warnings, _ = run(rows)
    assert got == {"tntt_so_tre": 9, "tntt_duoi_nuoc": 4, "tntt_duoi_nuoc_tu_vong": 1, "tntt_giao_thong": 3,
                   "xh_so_tre": 2, "xh_tinh_duc": 1}
    assert warnings == []


def test_code_column_wins_over_wording():
    rows = [["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Số liệu"],
            ["1", "bl_so_vu", "Bạo lực (đã sửa tên)", 3],
            ["2", "XH_SO_TRE", "", 2]]
    got, _, values = run(rows)
    assert got == {"bl_so_vu": 3, "xh_so_tre": 2}
    assert values[0].source == "t › r2c4"


def test_code_contradicting_a_clear_label_is_skipped():
    rows = [["Mã", "Chỉ tiêu", "Số liệu"], ["bl_so_vu", "Số lượt cha mẹ học sinh tham gia tuyên truyền", 3]]
    got, warnings, _ = run(rows)
    assert got == {}
    assert any("code bl_so_vu" in w for w in warnings)


def test_two_rows_with_different_numbers_give_neither():
    rows = [["Chỉ tiêu", "Số liệu"], ["Số vụ bạo lực học đường", 3], ["Số vụ bạo lực", 4],
            ["Số trẻ em bị xâm hại", 2]]
    got, warnings, _ = run(rows)
    assert got == {"xh_so_tre": 2}
    assert any(w.startswith("bl_so_vu: different figures") for w in warnings)


def test_table_pasted_twice_with_the_same_numbers_counts_once():
    block = [["Chỉ tiêu", "Số liệu"], ["Số vụ bạo lực học đường", 3], ["Số trẻ em bị xâm hại", 2]]
    got, warnings, values = run(block + [["", ""]] + block)
    assert got == {"bl_so_vu": 3, "xh_so_tre": 2}
    assert [v.source for v in values] == ["t › r2c2", "t › r3c2"]


def test_value_column_by_header_even_with_other_numbers():
    rows = [["STT", "Nội dung", "Kỳ trước", "Thực hiện", "Ghi chú"],
            ["1", "Số vụ bạo lực học đường", 5, 3, "2 vụ đã xử lý"]]
    got, _, _ = run(rows)
    assert got == {"bl_so_vu": 3}


@pytest.mark.parametrize("header", ["Số liệu", "Kết quả", "Số lượng", "Tổng", "Thực hiện", "Tổng số",
                                    "Kết quả thực hiện 6 tháng"])
def test_value_header_names(header):
    rows = [["STT", "Chỉ tiêu", "Ghi chú", header], ["1", "Số vụ bạo lực học đường", "7 vụ năm trước", "3"]]
    got, _, _ = run(rows)
    assert got == {"bl_so_vu": 3}


def test_without_header_the_only_numeric_column_is_used():
    rows = [["1", "Số vụ bạo lực học đường", "vụ", "3"], ["2", "Số trẻ em bị xâm hại", "người", "2"],
            ["3", "Số trẻ em bị tai nạn thương tích", "người", "-"]]
    got, _, _ = run(rows)
    assert got == {"bl_so_vu": 3, "xh_so_tre": 2, "tntt_so_tre": 0}


def test_without_header_two_numeric_columns_are_not_guessed():
    rows = [["Số vụ bạo lực học đường", 5, 3], ["Số trẻ em bị xâm hại", 1, 2]]
    got, warnings, _ = run(rows)
    assert got == {}
    assert any("several columns hold numbers" in w for w in warnings)


def test_blank_text_and_zero_words():
    rows = [["Chỉ tiêu", "Số liệu"], ["Số vụ bạo lực học đường", None], ["Số trẻ em bị xâm hại", "x"],
            ["Số trẻ em bị tai nạn thương tích", "không có"], ["Số lớp tập huấn", "3.250"], ["Số diễn đàn trẻ em", "12 em"]]
    got, warnings, values = run(rows)
    assert got == {"bl_so_vu": None, "xh_so_tre": None, "tntt_so_tre": 0, "th_so_lop": 3250, "dd_so_dien_dan": 12}
    raw = {v.indicator: v.raw for v in values}
    assert raw["xh_so_tre"] == "x" and raw["bl_so_vu"] == "" and raw["tntt_so_tre"] == "không có"
    assert any("'x' is not a number" in w for w in warnings)


def test_scan_stops_after_the_form_and_caps_rows():
    rows = ([["Chỉ tiêu", "Số liệu"], ["Số vụ bạo lực học đường", 3]]
            + [[f"dòng {i}", i] for i in range(10_000)])
    s = table.scan(iter(rows), R, loc, stop_after_gap=50)
    assert s.rows_read < 60 and not s.truncated
    s = table.scan(iter([[f"dòng {i}", i] for i in range(10_000)]), R, loc, max_rows=500)
    assert s.truncated and s.rows_read == 500


def test_section_rows_give_context_and_are_not_values():
    rows = [["STT", "Nội dung", "Số liệu"], ["D", "Vụ việc", ""], ["1", "Số vụ bạo lực học đường", 1],
            ["E", "Hoạt động", ""], ["1", "Số diễn đàn trẻ em", 2]]
    got, _, _ = run(rows)
    assert got == {"bl_so_vu": 1, "dd_so_dien_dan": 2}


@pytest.mark.parametrize("header, figure_col", [
    (["Chỉ tiêu", "Kế hoạch năm 2024", "Thực hiện", "Tỷ lệ (%)"], 2),
    (["Chỉ tiêu", "Cùng kỳ năm 2023", "6 tháng đầu năm 2024"], 2),
    (["Chỉ tiêu", "6 tháng đầu năm 2023", "6 tháng đầu năm 2024"], 2),
    (["Chỉ tiêu", "6 tháng đầu năm 2024", "Ước thực hiện cả năm 2024"], 1),
    (["Nội dung", "Số liệu", "Tăng/giảm so với cùng kỳ"], 1),
])
def test_the_figure_column_among_plan_last_year_rate_estimate(header, figure_col):
    """Units add columns next to the figure; the one that is this period's result is chosen."""
    rows = [header, ["Số buổi tuyên truyền"] + [7 + i for i in range(len(header) - 1)],
            ["Số lớp tập huấn"] + [20 + i for i in range(len(header) - 1)]]
    got, _, _ = run(rows)
    assert got == {"tt_so_buoi": 7 + figure_col - 1, "th_so_lop": 20 + figure_col - 1}


def test_two_row_header_merged_over_two_periods():
    """Word's usual layout: "Kết quả thực hiện" merged over "Cùng kỳ 2023 | 6 tháng 2024" (the merged
    cell's copy is blank)."""
    rows = [["TT", "Nội dung", "Kết quả thực hiện", "", "Ghi chú"],
            ["", "", "Cùng kỳ năm 2023", "6 tháng đầu năm 2024", ""],
            ["1", "Số buổi tuyên truyền", "9", "12", ""],
            ["2", "Số lớp tập huấn", "1", "3", ""]]
    got, _, _ = run(rows)
    assert got == {"tt_so_buoi": 12, "th_so_lop": 3}


def test_two_unnamed_figure_columns_give_nothing():
    rows = [["Chỉ tiêu", "Cột A", "Cột B"], ["Số buổi tuyên truyền", 9, 12], ["Số lớp tập huấn", 1, 3]]
    got, warnings, _ = run(rows)
    assert got == {} and any("several columns" in w for w in warnings)


@pytest.mark.parametrize("label,code", [
    ("Số diễn đàn trẻ em đã được tổ chức trong năm", "dd_so_dien_dan"),        # qualifying words added
    ("Số trẻ em lao động trái quy định của pháp luật tại địa phương", "ld_trai_pl"),
    ("Số lượt giáo viên, cán bộ quản lý, nhân viên được tập huấn", "th_luot_cbgvnv"),   # parts reordered
    ("Số lớp bồi dưỡng, tập huấn", "th_so_lop"),
    ("Số học sinh bị tai nạn thương tích", "tntt_so_tre"),                     # "học sinh" for "trẻ em"
    ("Số học sinh được hỗ trợ, can thiệp", "ht_can_thiep"),
])
def test_a_label_with_words_added_reordered_or_equivalent_is_read(label, code):
    got, _, _ = run([["STT", "Nội dung", "Số liệu"], ["1", label, 6]])
    assert got == {code: 6}


@pytest.mark.parametrize("label", [
    "Số học sinh chưa được học bơi",                 # a negation added: another figure
    "Tỷ lệ trẻ em có hoàn cảnh đặc biệt được hỗ trợ",
    "Số trẻ em bị tai nạn thương tích, trong đó đuối nước",   # two indicators' words: ambiguous
    "Số diễn đàn trẻ em được tổ chức và số trẻ em bị xâm hại",
    "Tổng số trẻ em đang theo học và số trẻ em có hoàn cảnh đặc biệt",
    "Số lượt trẻ em tham gia diễn đàn và số lượt cha mẹ học sinh tham gia tuyên truyền",
])
def test_words_added_that_make_another_figure_give_nothing(label):
    got, _, _ = run([["STT", "Nội dung", "Số liệu"], ["1", label, 6]])
    assert got == {}
