"""Importing a rubric table: csv (UTF-8 or GBK), xlsx and docx with merged cells become the same
rubric YAML, whose keys and points are the repository's; rules are inferred from the method's words."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from generator.data.rubric_import import ImportError_, import_rubric, infer_rule, split_number
from generator.errors import Problems
from generator.load.project import UnitResolver
from generator.load.rubrics import read_rubric
from generator.load.yamlio import load_file, load_text
from generator.pipeline import load_project

from conftest import REPO
from seed_tables import SEED, write_csv, write_docx, write_xlsx

pytestmark = pytest.mark.skipif(not SEED.exists(), reason="the seed document is not beside this checkout")


def _rubric(text: str, path: str = "rubrics/x.yaml"):
    value, errors = load_text(text, path)
    problems = Problems()
    rubric = read_rubric(value, path, lambda name: name, problems)
    assert not errors and not problems.errors, problems.errors
    return rubric


@pytest.fixture(scope="module")
def units():
    return UnitResolver(load_project(REPO).units)


@pytest.fixture(scope="module")
def repository_rubric():
    value, _ = load_file(REPO / "rubrics/entrepreneurial-city.yaml", "rubrics/entrepreneurial-city.yaml")
    return read_rubric(value, "rubrics/entrepreneurial-city.yaml", lambda name: name, Problems())


@pytest.mark.parametrize("writer, name", [(write_csv, "附件2.csv"), (write_xlsx, "附件2.xlsx"), (write_docx, "附件2.docx"),
                                          (lambda p: write_csv(p, "gbk"), "附件2-gbk.csv")])
def test_appendix_2_imports_to_the_repository_keys_and_points(tmp_path, units, repository_rubric, writer, name):
    imported = import_rubric(writer(tmp_path / name), "entrepreneurial-city", "国家级创建创业型城市工作绩效考核", units)
    rubric = _rubric(imported.text)
    assert list(rubric.indicators) == list(repository_rubric.indicators)
    assert {k: i.points for k, i in rubric.indicators.items()} == \
        {k: i.points for k, i in repository_rubric.indicators.items()}
    assert rubric.points == 100 and [s.points for s in rubric.sections] == [25, 30, 17, 20, 8]
    # the rules the wording states are the repository's; two are left for review, as they should be
    differ = [k for k in rubric.indicators if rubric.indicators[k].rule != repository_rubric.indicators[k].rule]
    assert differ == ["1.5.2", "3.5.1"]
    assert all(rubric.indicators[k].rule.name == "judged" for k in differ)
    assert imported.text.count("# 请核对") == 2
    # the unit the source wrote without its separator is reported and kept, never dropped
    unknown = [note for note in imported.notes if "unknown unit" in note]
    assert len(unknown) == 1 and "'市总工会团市委'" in unknown[0] and "did you mean '市总工会'" in unknown[0]
    assert "units: [市总工会团市委, 市妇联" in imported.text


def test_the_three_formats_give_the_same_text(tmp_path, units):
    texts = {import_rubric(w(tmp_path / f"a{ext}"), "r", "t", units).text.replace(f"a{ext}", "SOURCE")
             for w, ext in ((write_csv, ".csv"), (write_xlsx, ".xlsx"), (write_docx, ".docx"))}
    assert len(texts) == 1


def test_merged_cells_tell_where_in_the_workbook(tmp_path, units):
    notes = import_rubric(write_xlsx(tmp_path / "a.xlsx"), "r", "t", units).notes
    assert "附件2!F16: unknown unit '市总工会团市委'" in "\n".join(notes)


def test_a_bad_points_cell_is_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("考核内容,评估标准,分值,考评方法\n一、组织,1.甲,两分,得分\n,2.乙,abc,得分\n", encoding="utf-8")
    with pytest.raises(ImportError_) as raised:
        import_rubric(path, "r", "t")
    assert [str(e) for e in raised.value.errors] == [
        "t.csv:2:3: expected the indicator's points (分值) such as 2 or 0.5, got '两分'\n"
        "    hint: write the number of points alone, e.g. 2 or 10分",
        "t.csv:3:3: expected the indicator's points (分值) such as 2 or 0.5, got 'abc'\n"
        "    hint: write the number of points alone, e.g. 2 or 10分"]


def test_a_table_without_the_headers_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportError_) as raised:
        import_rubric(path, "r", "t")
    assert "expected a table whose header row has 评估标准" in str(raised.value)


def test_one_level_of_sections_with_points_in_the_title(tmp_path):
    """附件3's layout: 考核项目（20分） / 考核标准 / 分值 (10分) / 考核办法."""
    path = tmp_path / "a3.csv"
    path.write_text("考核项目,考核标准,分值,考核办法,考核结果\n"
                    "重视程度（20分）,1、召开专门会议研究创建工作,10分,查阅会议记录，走访参会人员，符合标准得分,\n"
                    ",2、制定创建方案，落实责任科室,10分,出台了创建方案，任务分解明确得满分，否则不得分,\n"
                    "日常工作（3分）,1、按时上报各种资料报表,3分,缺一次扣0.5分，扣完为止,\n", encoding="utf-8")
    rubric = _rubric(import_rubric(path, "dept", "部门考核").text)
    assert {k: (i.points, i.rule.name) for k, i in rubric.indicators.items()} == {
        "1.1": (10, "check"), "1.2": (10, "check"), "2.1": (3, "deduct")}
    assert [(s.title, s.declared) for s in rubric.sections] == [("重视程度", 20), ("日常工作", 3)]


@pytest.mark.parametrize("written, expected", [
    ("一、组织领导体系", ("1", "组织领导体系")), ("十二、其他", ("12", "其他")), ("2.创建工作领导", ("2", "创建工作领导")),
    ("（三）服务", ("3", "服务")), ("重视程度", ("", "重视程度")), ("3.5提高", ("", "3.5提高"))])
def test_section_numbers(written, expected):
    assert split_number(written) == expected


RULES = [
    # (text, method, max, the rule's YAML under `rule:`)
    ("甲", "地方政府工作报告中有明确表述得分，否则不得分。", 1, "rule: check"),
    ("甲", "查阅会议记录，走访参会人员，符合标准得分", 10, "rule: check"),
    ("甲", "查阅市政府相关文件。符合评估标准得满分，虽成立但未达标得1分，未成立不得分。", 2,
     "rule:\n  levels:\n    - {key: full, points: 2, label: 符合评估标准}\n    - {key: partial, points: 1, label: 虽成立但未达标}\n"
     "    - {key: none, points: 0, label: 未成立}"),
    ("甲", "对创新成果进行调研论证。确属创新且效果更好得满分，虽属创新但效果一般 得2分，无创新不得分", 5,
     "rule:\n  levels:\n    - {key: full, points: 5, label: 确属创新且效果更好}\n"
     "    - {key: partial, points: 2, label: 虽属创新但效果一般}\n    - {key: none, points: 0, label: 无创新}"),
    ("比例达到80%得1分，达到85%得2分，超过85%得3分。", "查阅报表。符合评估标准得分，否则不得分。", 3,
     "rule:\n  thresholds:\n    - {at_least: 80%, points: 1}\n    - {at_least: 85%, points: 2}\n"
     "    - {above: 85%, points: 3}"),
    ("甲", "查阅各相关社团报告。50%以上参与创建得分，否则不得分。", 3, "rule:\n  thresholds:\n    - {at_least: 50%, points: 3}"),
    ("甲", "缺一次扣0.5分，扣完为止", 3, "rule:\n  deduct: {per: 0.5}"),
    ("甲", "缺一条扣0.5分，扣完为止，每超3条加0.5分", 3, "rule:\n  deduct: {per: 0.5, bonus: {every: 3, points: 0.5}}"),
    ("甲", "测评结果满意度达80%以上得满分，每下降一个百分点扣1分", 20, "rule:\n  linear: {full_at: 80%, per: 1%, deduct: 1}"),
    ("甲", "控制率≦100%计满分，每超过一个百分点扣0.5分", 5,
     "rule:\n  linear: {full_at: 100%, per: 1%, deduct: 0.5, direction: lower}"),
    ("甲", "逐项查阅有关文件，按职责任务数量平均分值，完成一项得一个均分", 35, "rule:\n  share: {}"),
    ("甲", "①公文提前或超期公开每条扣5分②要素未规范录入每条扣1分③未以政府名义出台工作方案扣0.5分，最高扣8分", 10,
     "rule:\n  deduct:\n    items:\n      - {key: item-1, per: 5, label: 公文提前或超期公开}\n"
     "      - {key: item-2, per: 1, label: 要素未规范录入}\n      - {key: item-3, once: 0.5, label: 未以政府名义出台工作方案}\n"
     "    most: 8"),
]


@pytest.mark.parametrize("text, method, maximum, expected", RULES, ids=[r[1][:12] for r in RULES])
def test_rule_inferred_from_unambiguous_wording(text, method, maximum, expected):
    inferred = infer_rule(text, method, D(maximum))
    written = "rule: check" if inferred.lines == ["check"] else "rule:\n" + "\n".join("  " + l for l in inferred.lines)
    assert written == expected and not inferred.review
    yaml = ("id: x\ntitle: t\npoints: %s\nsections:\n  - id: \"1\"\n    title: s\n    indicators:\n"
            "      - id: \"1\"\n        text: t\n        points: %s\n        " % (maximum, maximum)
            + written.replace("\n", "\n        ") + "\n")
    assert _rubric(yaml).indicators["1.1"].rule.name


@pytest.mark.parametrize("text, method", [
    ("参训人员培训合格率不低于平均水平得1分，提高3个百分点之内得2分，提高超过3个百分点得3分。", "符合评估标准得分，否则不得分。"),
    ("甲", "查阅主办单位编纂的典型材料和新闻宣传报道材料。"),
    ("甲", "视情况酌情扣分"),
])
def test_unclear_wording_is_left_judged_for_review(text, method):
    inferred = infer_rule(text, method, D(3))
    assert inferred.lines == ["judged: {step: 0.5}"] and inferred.review.startswith("请核对")


def test_the_command_writes_the_rubric_and_reports_unknown_units(tmp_path, example_copy):
    from test_cli_failures import scoresite

    source = write_xlsx(tmp_path / "附件2.xlsx")
    target = example_copy / "rubrics/imported.yaml"
    done = scoresite("-C", str(example_copy), "import", "rubric", str(source), "--id", "imported",
                     "--title", "导入的评分标准", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert "warning: 附件2!F16: unknown unit '市总工会团市委'" in done.stderr
    assert "warning: 附件2!C18: rule left as judged for review" in done.stderr
    text = target.read_text(encoding="utf-8")
    assert "id: imported\ntitle: 导入的评分标准\n" in text
    check = scoresite("-C", str(example_copy), "check")
    assert check.returncode == 1 and "rubrics/imported.yaml" in check.stderr and "'市总工会团市委'" in check.stderr
