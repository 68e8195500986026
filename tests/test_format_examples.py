"""Every example in FORMAT.md keeps working: the format may be extended, never broken."""

import json
import shutil
from decimal import Decimal as D

import pytest

from generator.data.export import export_json
from generator.pipeline import load_project

from conftest import FIXTURES, REPO, errors_of

EXAMPLES = FIXTURES / "format-examples"
CONTRACT = REPO.parent / "shared" / "FORMAT.md"


@pytest.mark.skipif(not CONTRACT.exists(), reason="FORMAT.md is not beside this checkout")
@pytest.mark.parametrize("name", ["units.yaml", "rubric.yaml", "assessment.yaml", "shuozhou.yaml", "export.json"])
def test_fixture_copies_are_verbatim(name):
    assert (EXAMPLES / name).read_text(encoding="utf-8") in CONTRACT.read_text(encoding="utf-8")


def test_units_example_loads_and_resolves_aliases(example_copy):
    # the example's group names finance and fgw, which the excerpt itself does not list
    units = (EXAMPLES / "units.yaml").read_text(encoding="utf-8")
    units += "- {id: finance, name: 朔州市财政局}\n- {id: fgw, name: 朔州市发展和改革委员会}\n"
    (example_copy / "content" / "units.yaml").write_text(units, encoding="utf-8")
    for path in (example_copy / "rubrics").glob("*.yaml"):
        path.unlink()
    shutil.rmtree(example_copy / "content" / "assessments")
    project = load_project(example_copy)
    assert project.units["all-members"].members == ("hrss", "finance", "fgw")
    assert project.units["chuangjianban"].aliases == ("创建办", "市创建办")


def test_rubric_example_is_valid_apart_from_being_an_excerpt(example_copy):
    shutil.rmtree(example_copy / "content" / "assessments")
    shutil.copy(EXAMPLES / "rubric.yaml", example_copy / "rubrics" / "entrepreneurial-city.yaml")
    # the excerpt declares 100 and 25 points but shows one 2-point indicator: only the sums differ
    assert [e.split(": expected")[1].split(",")[0] for e in errors_of(example_copy)] == [
        " points: 100 to equal the sum of the rubric's sections",
        " points: 25 to equal the sum of the indicators in section 1"]


def test_rubric_example_indicator_is_the_one_in_the_repository():
    project = load_project(REPO)
    indicator = project.rubrics["entrepreneurial-city"].indicators["1.2.1"]
    assert indicator.text == "成立了市政府领导挂帅、人力资源社会保障部门牵头、有关部门参加的创建工作领导小组。"
    assert indicator.units == ("chuangjianban",)
    assert [(l.key, l.points, l.label) for l in indicator.rule.levels] == [
        ("full", 2, "符合评估标准"), ("partial", 1, "虽成立但未达标"), ("none", 0, "未成立")]


def test_score_sheet_and_assessment_examples_score_as_written(example_copy):
    folder = example_copy / "content" / "assessments" / "2026-city"
    for name in ("assessment.yaml", "shuozhou.yaml"):
        shutil.copy(EXAMPLES / name, folder / name)
    project = load_project(example_copy)
    [result] = project.results["2026-city"]
    points = {key: (s.points, s.status) for key, s in result.scores.items() if s.entry}
    assert points == {
        "1.1.1": (D(1), "full"),             # yes → 1/1
        "1.2.1": (D(1), "partial"),          # partial → 1/2
        "2.3.2": (D(3), "partial"),          # 92.5% ≥ 90% → 3/5
        "3.5.1": (D(2), "partial"),          # 93% − 90% = 3 points, 之内 → 2/3
        "5.2.2": (D(1), "partial"),          # no → 0, override 1
    }
    assert result.scores["5.2.2"].computed == 0
    assert project.assessments["2026-city"].notice.contact == "市创建办公室 0349-0000000"


def test_export_has_the_shape_of_the_example(example_copy):
    example = json.loads((EXAMPLES / "export.json").read_text(encoding="utf-8"))
    project = load_project(REPO)
    ours = json.loads(export_json(project, [project.assessments["2026-city"]]))
    _assert_keys_cover(example, ours)


def _assert_keys_cover(example, ours, where="$"):
    """Every key of the example is in our output at the same place, with the same JSON type."""
    assert type(example) is type(ours) or {type(example), type(ours)} <= {int, float}, where
    if isinstance(example, dict):
        fixed = {k: v for k, v in example.items() if k in ("assessments", "results", "id", "rubric", "period",
                                                           "status", "max_points", "entity", "name", "total",
                                                           "grade", "rank", "assessed", "indicators_total")}
        for key, value in fixed.items():
            assert key in ours, f"{where}.{key}"
            _assert_keys_cover(value, ours[key], f"{where}.{key}")
        for key in ("sections", "indicators"):
            if key in example:
                some = next(iter(example[key].values()))
                for value in ours[key].values():
                    _assert_keys_cover(some, value, f"{where}.{key}.*")
    elif isinstance(example, list):
        for value in ours:
            _assert_keys_cover(example[0], value, f"{where}[]")
