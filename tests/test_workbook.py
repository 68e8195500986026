"""The fill-in workbook: written from the current results, imported back to unchanged files;
edited cells change only their lines; bad cells are refused with worksheet and cell, all at once,
and nothing is written."""

from __future__ import annotations


import openpyxl
import pytest

from generator.data.workbook import SheetProblems, check_changes, plan_import, write_changes, write_workbook
from generator.pipeline import load_project

from test_cli_failures import scoresite


def _workbook(root, assessment, entities=None, name="评分表.xlsx"):
    project = load_project(root)
    chosen = entities or [u for u in project.units if u in project.assessments[assessment].sheets]
    path = root.parent / name
    write_workbook(project, assessment, chosen, path)
    return path


def _import(root, path, assessment=None):
    project = load_project(root)
    changes = plan_import(path, project, assessment)
    check_changes(project, changes)
    write_changes(root, changes)
    return changes


def _row(sheet, key):
    return next(row for row in sheet.iter_rows() if row[0].value == key)


def _column(sheet, name):
    header = next(row for row in sheet.iter_rows() if row[0].value == "指标编号")
    return next(c.column - 1 for c in header if c.value == name)


@pytest.mark.parametrize("assessment", ["2026-city", "2026-departments", "2026-counties", "2026-county-services",
                                        "2025-city", "2026-city-recheck"])
def test_an_unchanged_workbook_changes_nothing(example_copy, assessment):
    before = {p: p.read_bytes() for p in (example_copy / "content").rglob("*.yaml")}
    assert _import(example_copy, _workbook(example_copy, assessment)) == []
    assert {p: p.read_bytes() for p in (example_copy / "content").rglob("*.yaml")} == before


def test_the_header_row_and_the_formats(example_copy):
    book = openpyxl.load_workbook(_workbook(example_copy, "2026-departments"))
    assert book.sheetnames[0] == "填写说明" and "市财政局" in book.sheetnames
    sheet = book["市财政局"]
    header = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "指标编号")]
    assert header[:5] == ["指标编号", "指标内容", "分值", "计分规则", "评分结果"] and header[-2:] == ["备注", "佐证材料"]
    assert "总数" in header and "超出数" in header
    assert sheet.freeze_panes == "B5"
    result = _column(sheet, "评分结果")
    satisfaction = _row(sheet, "5.1")[result]
    assert satisfaction.value == 0.855 and satisfaction.number_format == "0.0%"
    assert _row(sheet, "3.1")[result].value == 7 and _row(sheet, "3.1")[_column(sheet, "总数")].value == 8
    assert isinstance(_row(sheet, "2.2")[2].value, int)
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert '"是,否"' in lists and '"确属创新且效果更好,虽属创新但效果一般,无创新"' in lists


def test_edited_cells_change_only_their_lines(example_copy):
    path = _workbook(example_copy, "2026-departments")
    book = openpyxl.load_workbook(path)
    sheet = book["市财政局"]
    result, note = _column(sheet, "评分结果"), _column(sheet, "备注")
    _row(sheet, "5.1")[result].value = 0.9                 # 85.5% → 90%
    _row(sheet, "1.2")[result].value = "否"                # yes → no
    _row(sheet, "3.2")[result].value = "确属创新且效果更好"   # partial → full, by its label
    _row(sheet, "4.1")[note].value = "4月未报送"             # a new note
    book.save(path)
    file = example_copy / "content/assessments/2026-departments/finance.yaml"
    before = file.read_text(encoding="utf-8").split("\n")
    [change] = _import(example_copy, path)
    after = file.read_text(encoding="utf-8").split("\n")
    assert (change.results, change.notes) == (3, 1)
    assert [l for l in before if l not in after] == ["  1.2: {result: yes}", "  3.2: {result: partial}",
                                                     "  4.1: {result: {missed: 1}}", "  5.1: {result: 85.5%}"]
    assert [l for l in after if l not in before] == ["  1.2: {result: no}", "  3.2: {result: full}",
                                                     "  4.1: {result: {missed: 1}, note: 4月未报送}", "  5.1: {result: 90%}"]
    assert before[0] == after[0] == "# 示例数据：2026年度朔州市创建工作部门考核"     # comments stay
    assert "    note: 8项职责任务完成7项：35 × 7 ÷ 8 = 30.625，四舍五入为 30.63 分。" in after
    [result] = [r for r in load_project(example_copy).results["2026-departments"] if r.entity == "finance"]
    assert result.scores["5.1"].points == 20 and result.scores["1.2"].points == 0


def test_an_empty_result_means_not_assessed_and_keeps_the_evidence(example_copy):
    path = _workbook(example_copy, "2026-city")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[1]
    _row(sheet, "2.3.2")[_column(sheet, "评分结果")].value = None
    book.save(path)
    _import(example_copy, path)
    text = (example_copy / "content/assessments/2026-city/shuozhou.yaml").read_text(encoding="utf-8")
    assert "  2.3.2:\n    result:\n    note: 符合政策条件的借款申请人" in text and "file: 2026-city/loan-report.pdf" in text
    project = load_project(example_copy)
    assert project.results["2026-city"][0].scores["2.3.2"].status == "not_assessed"


def test_a_new_unit_gets_a_score_file(example_copy):
    path = _workbook(example_copy, "2026-departments", ["hrss", "science", "aic"])
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) == 4
    (example_copy / "content/assessments/2026-departments/science.yaml").unlink()
    assert _import(example_copy, path)[0].old is None
    text = (example_copy / "content/assessments/2026-departments/science.yaml").read_text(encoding="utf-8")
    assert "entity: science" in text and "  5.1:\n    result: " in text and "# 5.1 对各部门进行现场抽样测评（20分）" in text


def test_bad_cells_are_refused_with_worksheet_and_cell_and_nothing_is_written(example_copy):
    path = _workbook(example_copy, "2026-departments")
    book = openpyxl.load_workbook(path)
    sheet = book["市财政局"]
    result, of = _column(sheet, "评分结果"), _column(sheet, "总数")
    _row(sheet, "5.1")[result].value = "abc"
    _row(sheet, "5.1")[result].number_format = "@"
    _row(sheet, "1.1")[result].value = "也许"
    _row(sheet, "3.1")[of].value = None
    _row(sheet, "4.1")[result].value = 2.5
    book["市人社局"].cell(5, 1).value = "9.9"
    book.save(path)
    before = {p: p.read_bytes() for p in (example_copy / "content").rglob("*.yaml")}
    with pytest.raises(SheetProblems) as raised:
        _import(example_copy, path)
    messages = [str(e) for e in raised.value.errors]
    row = lambda key: _row(sheet, key)[0].row
    assert any(m.startswith(f"市财政局!E{row('5.1')}: expected a percentage such as 92.5%, got 'abc'\n    hint: write "
                            "the number alone, without units") for m in messages)
    assert f"市财政局!E{row('1.1')}: expected yes or no (rule: check), got '也许'\n    hint: write yes when the " \
           "indicator is met, no when it is not; 填写：是 或 否" in messages   # the words the sheet asked for
    letter = openpyxl.utils.get_column_letter(of + 1)
    assert any(m.startswith(f"市财政局!{letter}{row('3.1')}: expected the number of items in 总数") for m in messages)
    assert any(m.startswith(f"市财政局!E{row('4.1')}: expected a whole number such as 2, got '2.5'") for m in messages)
    assert any(m.startswith("市人社局!A5: expected an indicator key of rubric 'shuozhou-department', got '9.9'")
               for m in messages)
    assert len(messages) == 5
    assert {p: p.read_bytes() for p in (example_copy / "content").rglob("*.yaml")} == before


def test_not_applicable_takes_its_reason_from_the_note(example_copy):
    path = _workbook(example_copy, "2026-departments", ["finance"])
    book = openpyxl.load_workbook(path)
    sheet = book["市财政局"]
    _row(sheet, "1.2")[_column(sheet, "评分结果")].value = "不适用"
    book.save(path)
    with pytest.raises(SheetProblems) as raised:
        _import(example_copy, path)
    assert "expected the reason in 备注 beside n/a" in str(raised.value)
    _row(sheet, "1.2")[_column(sheet, "备注")].value = "本单位无此项工作"
    book.save(path)
    _import(example_copy, path)
    text = (example_copy / "content/assessments/2026-departments/finance.yaml").read_text(encoding="utf-8")
    assert "  1.2: {result: n/a, reason: 本单位无此项工作}" in text
    assert _import(example_copy, _workbook(example_copy, "2026-departments", ["finance"], "again.xlsx")) == []


def test_the_commands_through_the_real_process(example_copy, tmp_path):
    out = tmp_path / "表.xlsx"
    done = scoresite("-C", str(example_copy), "sheet", "2026-departments", "finance", "hrss", "-o", str(out))
    assert done.returncode == 0, done.stderr
    again = scoresite("-C", str(example_copy), "sheet", "2026-departments", "-o", str(out))
    assert again.returncode == 2 and "exists already" in again.stderr
    same = scoresite("-C", str(example_copy), "import", "scores", str(out))
    assert same.returncode == 0 and "nothing changed" in same.stdout, same.stderr
    book = openpyxl.load_workbook(out)
    sheet = book["市财政局"]
    _row(sheet, "5.1")[_column(sheet, "评分结果")].value = "abc"
    book.save(out)
    bad = scoresite("-C", str(example_copy), "import", "scores", str(out))
    assert bad.returncode == 1 and f"市财政局!E{_row(sheet, '5.1')[0].row}: expected a percentage such as 92.5%, " \
        "got 'abc'" in bad.stderr and "nothing written" in bad.stderr and "Traceback" not in bad.stderr


def test_a_key_typed_as_a_number_is_refused_when_it_could_be_two(example_copy):
    rubric = example_copy / "rubrics/shuozhou-department.yaml"
    text = rubric.read_text(encoding="utf-8")
    rubric.write_text(text.replace('      - id: "3"\n        text: 每月至少报送一条创建工作信息',
                                   '      - id: "10"\n        text: 每月至少报送一条创建工作信息'), encoding="utf-8")
    for sheet_file in (example_copy / "content/assessments/2026-departments").glob("*.yaml"):
        sheet_file.write_text(sheet_file.read_text(encoding="utf-8").replace("  4.3:", "  4.10:"), encoding="utf-8")
    path = _workbook(example_copy, "2026-departments", ["finance"])
    book = openpyxl.load_workbook(path)
    sheet = book["市财政局"]
    _row(sheet, "4.1")[0].value = 4.1            # another tool wrote the key as a number: 4.1 or 4.10?
    _row(sheet, "4.2")[0].value = 4.2            # unambiguous
    book.save(path)
    with pytest.raises(SheetProblems) as raised:
        _import(example_copy, path)
    [message] = [str(e) for e in raised.value.errors]
    assert message.startswith("市财政局!A11: expected the 指标编号 as text, got the number 4.1 (it could be 4.1 or 4.10)")


def test_full_width_digits_are_written_as_ascii(example_copy):
    path = _workbook(example_copy, "2026-departments", ["finance"])
    book = openpyxl.load_workbook(path)
    sheet = book["市财政局"]
    _row(sheet, "5.1")[_column(sheet, "评分结果")].value = "９２．５％"
    book.save(path)
    _import(example_copy, path)
    assert "  5.1: {result: 92.5%}" in (example_copy / "content/assessments/2026-departments/finance.yaml").read_text(
        encoding="utf-8")
