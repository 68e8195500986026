"""The computed results of the repository's own example, checked by hand from the method texts."""

import csv
import io
import json
import re
import textwrap
from decimal import Decimal as D

import pytest

from generator.data.export import export_csv, export_json
from generator.pipeline import load_project

from conftest import MINIMAL, REPO

MINIMAL_UNITS = textwrap.dedent(MINIMAL["content/units.yaml"])


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


def _result(project, assessment, entity):
    return next(r for r in project.results[assessment] if r.entity == entity)


def test_city_2026_total_is_100_minus_the_points_lost(project):
    # read off content/assessments/2026-city/shuozhou.yaml against the 附件2 method texts
    lost = {
        "1.2.1": 1,   # partial: 虽成立但未达标得1分 of 2
        "1.6.1": 1,   # partial: 虽属创新且效果一般得1分 of 2
        "2.2.3": 1,   # partial of 2
        "2.2.8": 2,   # none: 未出台不得分
        "2.3.2": 2,   # 92.5%: 达到90%得3分 of 5
        "3.1.2": 1,   # partial of 2
        "3.5.1": 1,   # 93% vs 90%: 提高3个百分点之内得2分 of 3
        "3.6.1": 1,   # partial of 2
        "4.1.4": 1,   # partial of 2
        "4.3.2": 1,   # no
        "4.4.1": 2,   # not assessed
        "5.2.2": 1,   # no → 0, overridden to 1 of 2
    }
    result = _result(project, "2026-city", "shuozhou")
    assert result.total == 100 - sum(lost.values()) == 85
    assert {k: s.indicator.points - s.points for k, s in result.scores.items() if s.points != s.indicator.points} == lost
    assert result.grade == "良好" and result.assessed == 57


@pytest.mark.parametrize("entity, total", [
    # 重视程度 20 + 组织领导 10 + 职责任务 (35 × 7/8 = 30.625 → 30.63, partial 2) + 日常工作
    # (3 − 0.5, 4, 3 − 0.5) + 社会评价 (85.5% ≥ 80% → 20)
    ("finance", D("20") + 10 + D("30.63") + 2 + D("2.5") + 4 + D("2.5") + 20),
    # 职责任务 35 × 3/8 = 13.125 → 13.13 (half-up); 会议缺5次 → 0 (扣完为止); 满意度 62.5% → 20 − 17.5
    ("science", D("20") + 10 + D("13.13") + 0 + D("1.5") + 0 + D("1.5") + D("2.5")),
    # 信息超7条: ⌊7/3⌋ × 0.5 = 1 bonus point above the 3-point maximum
    ("hrss", D("20") + 10 + 35 + 5 + 3 + 4 + 4 + 20),
])
def test_department_totals(project, entity, total):
    assert _result(project, "2026-departments", entity).total == total


def test_tied_totals_share_a_competition_rank_by_default(project):
    results = {r.entity: r for r in project.results["2026-departments"]}
    assert results["fgw"].rank == results["education"].rank == 3 and results["aic"].rank == 5
    assert results["fgw"].tied and results["education"].tied and not results["aic"].tied


def test_a_rubric_may_ask_for_dense_ranks(example_copy):
    rubric = example_copy / "rubrics/shuozhou-department.yaml"
    rubric.write_text(rubric.read_text(encoding="utf-8").replace("points: 100\n", "points: 100\nranking: dense\n", 1),
                      encoding="utf-8")
    ranks = {r.entity: r.rank for r in load_project(example_copy).results["2026-departments"]}
    assert ranks["fgw"] == ranks["education"] == 3 and ranks["aic"] == 4


def test_rescaled_total_and_veto(project):
    shuocheng = _result(project, "2026-counties", "shuocheng")
    # 27.5 + 4 × 5 + 20 = 67.5 of 80 applicable points → 67.5 × 100 / 80 = 84.375 → 84.38
    assert (shuocheng.raw_total, shuocheng.applicable_points, shuocheng.total) == (D("67.5"), 80, D("84.38"))
    shanyin = _result(project, "2026-counties", "shanyin")
    assert shanyin.total == 78 and shanyin.vetoed_by == ("2.1",) and shanyin.grade == "不合格"


def test_every_total_is_the_sum_of_its_parts(project):
    for assessment_id, results in project.results.items():
        rubric = project.rubric_of(project.assessments[assessment_id])
        for result in results:
            assert result.raw_total == sum(result.sections[s.key] for s in rubric.base_sections)
            assert result.total == max(result.base + result.bonus + result.adjustments_total, 0)
            for section in rubric.walk_sections():
                parts = sum(result.sections[c.key] for c in section.sections) + \
                    sum(result.scores[i.key].points for i in section.indicators)
                kept = min(max(parts, 0), result.section_max[section.key]) if section.pool or section.bonus else parts
                assert result.sections[section.key] == kept


def test_json_numbers_are_exact_literals(project):
    text = export_json(project, list(project.assessments.values()))
    assert '"total": 91.63' in text and '"points": 30.63' in text and '"points": 13.13' in text
    assert not re.search(r"\d\.\d{5,}", text)                  # never 27.219999999999999
    assert not re.search(r":\s*\d+\.0[,\n]", text)             # 23, not 23.0
    data = json.loads(text)
    assert {a["id"] for a in data["assessments"]} == set(project.assessments)


def _csv_rows(project, assessments):
    return list(csv.DictReader(io.StringIO(export_csv(project, assessments))))


def test_csv_has_one_row_per_entity_and_indicator(project):
    published = [a for a in project.assessments.values() if not a.is_draft]
    rows = _csv_rows(project, published)
    expected = sum(len(a.sheets) * len(project.rubric_of(a).indicators) for a in published)
    assert len(rows) == expected
    row = next(r for r in rows if r["单位编号"] == "finance" and r["指标编号"] == "3.1")
    assert (row["得分"], row["分值"], row["得分情况"]) == ("30.63", "35", "部分得分")
    assert row["计分说明"] == "35 × 7/8 = 30.625 → 30.63/35"


def test_csv_speaks_the_sites_language_in_headers_and_words(project, example_copy):
    rows = _csv_rows(project, [project.assessments["2026-departments"], project.assessments["2026-city"]])
    assert list(rows[0])[:8] == ["考核编号", "考核名称", "考核期", "单位编号", "被考核单位", "名次", "并列", "总分"]
    assert {r["得分情况"] for r in rows} == {"满分", "部分得分", "未得分", "加分", "未评估"}    # never full, partial …
    assert {r["并列"] for r in rows if r["单位编号"] in ("fgw", "education")} == {"并列"}
    assert {r["并列"] for r in rows if r["单位编号"] == "finance"} == {""}
    city = next(r for r in rows if r["指标编号"] == "1.2.1")
    assert city["所属部分"] == "组织领导体系／创建工作领导"
    site_yaml = example_copy / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("language: zh-CN", "language: en"),
                         encoding="utf-8")
    english = load_project(example_copy)
    rows = _csv_rows(english, [english.assessments["2026-city"]])
    assert list(rows[0])[:5] == ["Assessment id", "Assessment", "Period", "Entity id", "Entity"]
    assert {r["Status"] for r in rows} == {"Full marks", "Partly met", "No points", "Not assessed"}


def test_csv_text_cannot_become_a_spreadsheet_formula(example_copy):
    sheet = example_copy / "content/assessments/2026-city/shuozhou.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(
        "reason: 复核后认定部分落实", "reason: '=HYPERLINK(\"http://evil.example\",\"点击\")'"), encoding="utf-8")
    assessment = example_copy / "content/assessments/2026-city/assessment.yaml"
    assessment.write_text(assessment.read_text(encoding="utf-8").replace('period: "2026"', 'period: "@SUM(1+1)"')
                          .replace("title: ", "title: +"), encoding="utf-8")
    project = load_project(example_copy)
    rows = _csv_rows(project, [project.assessments["2026-city"]])
    reason = next(r["人工调整原因"] for r in rows if r["指标编号"] == "5.2.2")
    assert reason == "'=HYPERLINK(\"http://evil.example\",\"点击\")"
    assert {r["考核期"] for r in rows} == {"'@SUM(1+1)"} and rows[0]["考核名称"].startswith("'+")


def test_xlsx_has_a_worksheet_per_assessment_with_numbers_as_numbers(tmp_path):
    import openpyxl

    from generator.data.xlsx_export import export_xlsx

    project = load_project(REPO)
    chosen = [project.assessments["2026-departments"], project.assessments["2026-city"]]
    path = tmp_path / "r.xlsx"
    path.write_bytes(export_xlsx(project, chosen))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["2026-departments", "2026-city"]
    sheet = book["2026-departments"]
    assert sheet["A1"].value.startswith("2026年度朔州市创建国家级创业型城市部门工作考核")
    header = [c.value for c in sheet[2]]
    assert header[:5] == ["单位编号", "被考核单位", "名次", "并列", "总分"] and "计分说明" in header
    assert sheet.freeze_panes == "A3" and sheet.print_title_rows == "$2:$2"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 7 * 10
    finance = [r for r in rows if r[0] == "finance" and r[header.index("指标编号")] == "3.1"][0]
    assert finance[header.index("得分")] == 30.63 and isinstance(finance[header.index("名次")], int)


def test_xlsx_text_cells_are_neutralised(project_dir, tmp_path):
    import openpyxl

    from generator.data.xlsx_export import export_xlsx

    root = project_dir({"content/units.yaml": MINIMAL_UNITS.replace("name: 朔州市\n", "name: \"=HYPERLINK(1)\"\n")})
    project = load_project(root)
    path = tmp_path / "r.xlsx"
    path.write_bytes(export_xlsx(project, list(project.assessments.values())))
    names = {row[1] for row in openpyxl.load_workbook(path).active.iter_rows(min_row=3, values_only=True)}
    assert names == {"'=HYPERLINK(1)"}
