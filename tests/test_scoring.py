"""Scoring across a whole assessment, on small fixture projects whose figures are worked out
by hand: rules that compare entities (ranked, proportional, best, mean), section pools,
bonus sections, adjustments, veto effects, grade quotas and ranks."""

from __future__ import annotations

import textwrap
from decimal import Decimal as D
from fractions import Fraction

import pytest

from generator.pipeline import load_project


UNITS = "".join(f"- {{id: c{n}, name: 城市{n}, kind: city}}\n" for n in range(1, 8))


def project(project_dir, rubric: str, sheets: dict[str, str], site: str = "title: 测试站点\n"):
    files = {"content/site.yaml": site, "content/units.yaml": UNITS, "rubrics/mini.yaml": textwrap.dedent(rubric),
             "content/assessments/2026/assessment.yaml": "title: 2026年度测试\nrubric: mini\nperiod: '2026'\n"
                                                          "status: published\n"}
    files.update({f"content/assessments/2026/{entity}.yaml": f"entity: {entity}\n" + textwrap.dedent(body)
                  for entity, body in sheets.items()})
    return project_dir(files, base={})


def results(root) -> dict:
    return {r.entity: r for r in load_project(root).results["2026"]}


FEATURES = """\
    id: mini
    title: 新特性
    points: 20
    grades:
      - {min: 18, label: 优秀, quota: 25%}
      - {min: 15, label: 良好, quota: 50%}
      - {min: 10, label: 合格}
      - {min: 0, label: 不合格}
    adjustments:
      items:
        - {key: criticised, per: -3, label: 受到通报批评（每次）}
        - {key: award, per: 2, label: 获省级以上表彰（每次）}
      minus_most: 5
      plus_most: 3
    sections:
      - id: "1"
        title: 排名与比例
        points: 10
        indicators:
          - {id: "1", text: 收入增长, points: 6, rule: {ranked: {points: [6, 5.5, 5], then_less: 1}}}
          - {id: "2", text: 完成量, points: 4, rule: proportional}
          - {id: "3", text: 未发生重大事故, points: 0, rule: check, veto: {effect: down_one}}
      - id: "2"
        title: 扣分池
        points: 10
        pool: true
        indicators:
          - {id: "1", text: 公开, points: 5, rule: {deduct: {per: 2}}}
          - {id: "2", text: 规范, points: 5, rule: {deduct: {per: 1}}}
      - id: "3"
        title: 附加分
        points: 3
        bonus: true
        indicators:
          - {id: "1", text: 创新, points: 2, rule: {tally: {per: 1}}}
          - {id: "2", text: 示范, points: 2, rule: check}
    """
FEATURE_SHEETS = {
    "c1": """\
    scores:
      1.1: {result: 90}
      1.2: {result: 50}
      1.3: {result: "no"}
      2.1: {result: {missed: 1}}
      2.2: {result: {missed: 0}}
      3.1: {result: {count: 2}}
      3.2: {result: "yes"}
    """,
    "c2": """\
    scores:
      1.1: {result: 80}
      1.2: {result: 100}
      1.3: {result: "yes"}
      2.1: {result: {missed: 4}}
      2.2: {result: {missed: 0}}
    adjustments: {criticised: 2, award: 1}
    """,
    "c3": """\
    scores:
      1.1: {result: 80}
      1.2: {result: 25}
      1.3: {result: "yes"}
      2.1: {result: {missed: 5}}
      2.2: {result: {missed: 6}}
    """,
    "c4": """\
    scores:
      1.1: {result: 70}
      1.2: {result: 0}
      1.3: {result: "yes"}
      2.1: {result: {missed: 0}}
      2.2: {result: {missed: 0}}
      3.2: {result: "yes"}
    """,
    "c5": """\
    scores:
      1.1: {result: n/a, reason: 本年度未统计}
      2.1: {result: {missed: 0}}
      2.2: {result: {missed: 0}}
    adjustments: {award: 2}
    """,
}


@pytest.fixture
def features(project_dir):
    return results(project(project_dir, FEATURES, FEATURE_SHEETS))


def test_ranked_places_share_the_better_place_and_lose_then_less_after_the_list(features):
    points = {e: r.scores["1.1"].points for e, r in features.items()}
    assert points == {"c1": 6, "c2": D("5.5"), "c3": D("5.5"), "c4": 4, "c5": 0}
    assert features["c2"].scores["1.1"].explanation == "80，第2名（并列） → 5.5/6"
    assert features["c4"].scores["1.1"].explanation == "70，第4名：5 − 1 × 1 = 4 → 4/6"
    assert features["c5"].scores["1.1"].status == "not_applicable"           # left out of the places


def test_proportional_quotes_the_best_and_leaves_out_the_unassessed(features):
    points = {e: r.scores["1.2"].points for e, r in features.items()}
    assert points == {"c1": 2, "c2": 4, "c3": 1, "c4": 0, "c5": 0}
    assert features["c1"].scores["1.2"].explanation == "50 ÷ 最高值 100 = 50% × 4 = 2 → 2/4"
    assert features["c5"].scores["1.2"].status == "not_assessed"


def test_a_pool_lets_indicators_go_negative_and_clamps_the_section(features):
    c2, c3 = features["c2"], features["c3"]
    assert (c2.scores["2.1"].points, c2.scores["2.1"].status, c2.sections["2"]) == (D(-3), "zero", D(2))
    assert (c3.scores["2.1"].points, c3.scores["2.2"].points, c3.sections["2"]) == (D(-5), D(-1), D(0))
    assert [(c.section, c.raw, c.kept) for c in c3.clamps] == [("2", D(-6), D(0))]
    assert c2.clamps == ()


def test_bonus_sections_are_capped_added_on_top_and_never_a_loss(features):
    c1 = features["c1"]
    assert (c1.bonus_raw, c1.bonus, c1.base, c1.total) == (D(4), D(3), D(16), D(19))
    assert features["c3"].scores["3.1"].lost == 0           # unearned bonus is not lost points
    assert features["c4"].bonus == 2


def test_adjustments_are_capped_on_each_side(features):
    c2, c5 = features["c2"], features["c5"]
    assert [(line.item.key, line.count, line.amount) for line in c2.adjustments] == [("criticised", 2, D(-6)),
                                                                                     ("award", 1, D(2))]
    assert c2.adjustments_total == D(-3) and c2.total == D("8.5")          # −6 capped at −5, then +2
    assert c5.adjustments_total == 3 and c5.total == 13                      # +4 capped at +3


def test_totals_ranks_grades_and_the_veto_condition(features):
    assert {e: (r.total, r.rank, r.grade) for e, r in features.items()} == {
        "c1": (19, 1, "良好"), "c4": (16, 2, "良好"), "c5": (13, 3, "合格"), "c2": (D("8.5"), 4, "不合格"),
        "c3": (D("6.5"), 5, "不合格")}
    c1 = features["c1"]
    assert c1.vetoed_by == ("1.3",) and c1.grade_by_total == "优秀"
    assert [(n.kind, n.from_grade, n.to_grade, n.effect) for n in c1.grade_notes] == [("veto", "优秀", "良好", "down_one")]
    assert c1.scores["1.3"].status == "zero" and features["c2"].scores["1.3"].status == "full"


def test_a_veto_condition_left_unanswered_does_not_trigger_and_is_warned(project_dir):
    root = project(project_dir, FEATURES, FEATURE_SHEETS)
    project_ = load_project(root)
    c5 = {r.entity: r for r in project_.results["2026"]}["c5"]
    assert c5.vetoed_by == ()
    assert [str(w) for w in project_.warnings] == [
        "content/assessments/2026/c5.yaml:1:1: expected an answer to the veto condition 1.3 (未发生重大事故), got none: "
        "without one it does not trigger the veto\n    hint: write 1.3: {result: yes} or no"]


# --- relative to the best and to the mean ------------------------------------------------------

RELATIVE = """\
    id: mini
    title: 相对
    points: 10
    sections:
      - id: "1"
        title: 相对
        indicators:
          - id: "1"
            text: 高于全市平均得满分
            points: 5
            rule: {thresholds: {relative_to: mean, steps: [{at_least: 0%, points: 3}, {above: 0%, points: 5}]}}
          - id: "2"
            text: 按第1名的比例
            points: 5
            rule: {linear: {relative_to: best, full_at: 100%, per: 10%, deduct: 1}}
    """


def test_relative_to_mean_includes_the_entity_and_leaves_out_the_unassessed(project_dir):
    sheets = {"c1": "scores:\n  1.1: {result: 90%}\n  1.2: {result: 40}\n",
              "c2": "scores:\n  1.1: {result: 80%}\n  1.2: {result: 50}\n",
              "c3": "scores:\n  1.1: {result: 85%}\n  1.2: {result: 25}\n",
              "c4": "scores:\n  1.1: {result: n/a, reason: 不适用}\n"}
    found = results(project(project_dir, RELATIVE, sheets))
    # the mean of 90, 80 and 85 is 85: c3 is at the mean (以上 includes it), c2 below
    assert {e: r.scores["1.1"].points for e, r in found.items()} == {"c1": 5, "c2": 0, "c3": 3, "c4": 0}
    assert found["c1"].scores["1.1"].explanation == "90% − 平均值 85% = 5个百分点 > 0 → 5/5"
    # the best is 50: 40 ÷ 50 = 80% → 2 steps of 10% short → 3; 25 ÷ 50 = 50% → 0
    assert {e: r.scores["1.2"].points for e, r in found.items()} == {"c1": 3, "c2": 5, "c3": 0, "c4": 0}
    assert found["c1"].scores["1.2"].explanation.startswith("40 ÷ 最高值 50 = 80% < 100%")


@pytest.mark.parametrize("values, expected", [
    ({"c1": "0", "c2": "0"}, {"c1": 0, "c2": 0}),            # a best of 0: nobody achieved anything
    ({"c1": "0", "c2": "5"}, {"c1": 0, "c2": 4}),
])
def test_proportional_with_a_best_of_zero(project_dir, values, expected):
    rubric = FEATURES.replace("{id: \"1\", text: 收入增长, points: 6, rule: {ranked: {points: [6, 5.5, 5], then_less: 1}}}",
                              "{id: \"1\", text: 收入增长, points: 6, rule: {judged: {step: 1}}}")
    sheets = {e: f"scores:\n  1.2: {{result: {v}}}\n  1.3: {{result: 'yes'}}\n" for e, v in values.items()}
    found = results(project(project_dir, rubric, sheets))
    assert {e: r.scores["1.2"].points for e, r in found.items()} == expected


def test_lower_is_better_across_entities(project_dir):
    rubric = """\
        id: mini
        title: 低者为优
        points: 6
        sections:
          - id: "1"
            title: 事故
            indicators:
              - {id: "1", text: 事故起数, points: 3, rule: {ranked: {order: lower, points: [3, 2, 1]}}}
              - {id: "2", text: 成本, points: 3, rule: {proportional: {order: lower}}}
        """
    sheets = {"c1": "scores:\n  1.1: {result: 0}\n  1.2: {result: 20}\n",
              "c2": "scores:\n  1.1: {result: 2}\n  1.2: {result: 10}\n",
              "c3": "scores:\n  1.1: {result: 5}\n  1.2: {result: 0}\n"}
    found = results(project(project_dir, rubric, sheets))
    assert {e: r.scores["1.1"].points for e, r in found.items()} == {"c1": 3, "c2": 2, "c3": 1}
    # the lowest cost is 0 (c3): it measures 100%; the others 0 ÷ value = 0%
    assert {e: r.scores["1.2"].points for e, r in found.items()} == {"c1": 0, "c2": 0, "c3": 3}


# --- quotas and veto effects ------------------------------------------------------------------------

def judged_project(project_dir, totals: dict, grades: str, veto: str = "", vetoed: tuple = ()):
    rubric = f"""\
        id: mini
        title: 名额
        points: 100
        grades:
{textwrap.indent(textwrap.dedent(grades), " " * 10)}
        sections:
          - id: "1"
            title: 评定
            indicators:
              - {{id: "1", text: 评定分, points: 100, rule: {{judged: {{step: 1}}}}}}
              - {{id: "2", text: 否决事项, points: 0, rule: check, veto: {veto or 'true'}}}
        """
    sheets = {e: f"scores:\n  1.1: {{result: {t}}}\n  1.2: {{result: {'no' if e in vetoed else 'yes'}}}\n"
              for e, t in totals.items()}
    return results(project(project_dir, rubric, sheets))


GRADES = """\
    - {min: 90, label: 优秀, quota: 25%}
    - {min: 75, label: 良好, quota: 40%}
    - {min: 0, label: 合格}
"""


@pytest.mark.parametrize("totals, expected", [
    # n = 5: 优秀 ⌊25% × 5⌋ = 1 place, 良好 ⌊40% × 5⌋ = 2 places
    ({"c1": 95, "c2": 92, "c3": 92, "c4": 80, "c5": 70},
     {"c1": "优秀", "c2": "良好", "c3": "良好", "c4": "合格", "c5": "合格"}),
    # tied at the edge: both move down together, and count toward 良好's places
    ({"c1": 95, "c2": 95, "c3": 92, "c4": 60, "c5": 50},
     {"c1": "良好", "c2": "良好", "c3": "合格", "c4": "合格", "c5": "合格"}),
    # within the quota nothing moves
    ({"c1": 95, "c2": 80, "c3": 70, "c4": 60, "c5": 50},
     {"c1": "优秀", "c2": "良好", "c3": "合格", "c4": "合格", "c5": "合格"}),
])
def test_grade_quotas_in_rank_order(project_dir, totals, expected):
    found = judged_project(project_dir, totals, GRADES)
    assert {e: r.grade for e, r in found.items()} == expected


def test_a_quota_note_says_why(project_dir):
    found = judged_project(project_dir, {"c1": 95, "c2": 92, "c3": 92, "c4": 80, "c5": 70}, GRADES)
    [note] = found["c2"].grade_notes
    assert (note.kind, note.from_grade, note.to_grade, note.effect, note.places, note.entities) == \
        ("quota", "优秀", "良好", "25%", 1, 5)


def test_a_quota_of_no_places_gives_the_grade_to_nobody(project_dir):
    grades = "- {min: 90, label: 优秀, quota: 10%}\n- {min: 0, label: 合格}\n"
    found = judged_project(project_dir, {"c1": 99, "c2": 50}, grades)        # ⌊10% × 2⌋ = 0
    assert {e: r.grade for e, r in found.items()} == {"c1": "合格", "c2": "合格"}


def test_a_vetoed_entity_takes_no_quota_place(project_dir):
    found = judged_project(project_dir, {"c1": 99, "c2": 95, "c3": 50, "c4": 40}, GRADES,
                           veto="{effect: not_top}", vetoed=("c1",))
    # c1 may not be 优秀 (否优), so the one 优秀 place goes to c2
    assert {e: r.grade for e, r in found.items()} == {"c1": "良好", "c2": "优秀", "c3": "合格", "c4": "合格"}


@pytest.mark.parametrize("veto, total, expected", [
    ("true", 95, "合格"),                          # the lowest grade, as before
    ("{effect: not_top}", 95, "良好"), ("{effect: not_top}", 80, "良好"),
    ("{effect: down_one}", 95, "良好"), ("{effect: down_one}", 50, "合格"),     # at the lowest nothing changes
    ("{grade: 良好}", 95, "良好"), ("{grade: 良好}", 50, "合格"),
])
def test_veto_effects_at_the_highest_and_lowest_grade(project_dir, veto, total, expected):
    grades = "- {min: 90, label: 优秀}\n- {min: 75, label: 良好}\n- {min: 0, label: 合格}\n"
    found = judged_project(project_dir, {"c1": total}, grades, veto=veto, vetoed=("c1",))
    assert found["c1"].grade == expected and found["c1"].vetoed_by == ("1.2",)


# --- every rubric written before gets the points it got ----------------------------------------

def test_every_total_is_base_plus_bonus_plus_adjustments(features):
    for result in features.values():
        assert result.total == max(result.base + result.bonus + result.adjustments_total, 0)
        assert result.raw_total == sum(result.sections[k] for k in ("1", "2"))


def test_equal_decimals_as_written_are_one_object_and_keep_their_exponent():
    from generator.numbers import canonical, round_half_up
    assert canonical(D("2.0")) is canonical(D("2.0"))
    assert [str(canonical(D(text))) for text in ("2.0", "2.00", "2", "-0", "1E+1")] == ["2.0", "2.00", "2", "-0", "1E+1"]
    assert round_half_up(Fraction(13125, 1000), 2) is round_half_up(Fraction(26250, 2000), 2)
    assert str(round_half_up(Fraction(13125, 1000), 2)) == "13.13" and str(round_half_up(Fraction(3), 2)) == "3.00"
