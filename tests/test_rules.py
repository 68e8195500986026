"""Scoring rules as tables, written as a rubric writes them: rule (YAML), result (YAML),
maximum → points and explanation. No files: each rule kind reads, scores and explains."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction as F

import pytest

from generator.errors import Invalid, Mark, Problems
from generator.load.yamlio import load_text
from generator.numbers import format_number, plain, round_half_up
from generator.rules import describe_rule, read_rule, words


def rule(text: str, maximum) -> object:
    """A rule read from its YAML, which must be valid."""
    value, _ = load_text(text, "rubric.yaml")
    problems = Problems()
    read = read_rule(value, D(maximum), Mark("rubric.yaml"), problems)
    assert not problems.errors, [str(e) for e in problems.errors]
    return read


def scored(rule_text: str, result_text: str, maximum, language="zh-CN", floor=True, ref=None):
    """(points rounded half-up to 2 decimals, explanation) for one result under one rule."""
    read = rule(rule_text, maximum)
    value, _ = load_text("result: " + result_text, "score.yaml")
    result = read.read_result(value["result"], D(maximum))
    outcome = read.score(result, F(D(maximum)), words(read, language), floor=floor, ref=ref)
    return round_half_up(outcome.points, 2), outcome.because


def refused(rule_text: str, result_text: str, maximum) -> Invalid:
    read = rule(rule_text, maximum)
    value, _ = load_text("result: " + result_text, "score.yaml")
    with pytest.raises(Invalid) as error:
        read.read_result(value["result"], D(maximum))
    return error.value


LOAN = ("thresholds: [{at_least: 80%, points: 1}, {at_least: 85%, points: 2}, {at_least: 90%, points: 3}, "
        "{at_least: 95%, points: 4}, {above: 95%, points: 5}]")
FEES = "thresholds: [{at_least: 90%, points: 1}, {at_least: 95%, points: 2}, {above: 95%, points: 3}]"
PARTICIPATION = "thresholds: [{at_least: 50%, points: 3}]"
TRAINING = ("thresholds: {relative_to: baseline, steps: [{at_least: 0%, points: 1}, {above: 0%, points: 2}, "
            "{above: 3%, points: 3}]}")
COUNTS = "thresholds: [{at_least: 3, points: 1}, {above: 5, points: 2}]"


@pytest.mark.parametrize("rule_text, result, maximum, expected", [
    # 达到 includes the bound, 超过 excludes it; 95% exactly is 达到95% (4), not 超过95% (5)
    (LOAN, "79.99%", 5, "0"), (LOAN, "80%", 5, "1"), (LOAN, "84.9%", 5, "1"), (LOAN, "85%", 5, "2"),
    (LOAN, "92.5%", 5, "3"), (LOAN, "95%", 5, "4"), (LOAN, "95.01%", 5, "5"), (LOAN, "100%", 5, "5"),
    (FEES, "95%", 3, "2"), (FEES, "96%", 3, "3"), (FEES, "89.999%", 3, "0"),
    # {count, of} compares as the exact fraction: 3/6 is 50% exactly, 以上 includes it
    (PARTICIPATION, "{count: 3, of: 6}", 3, "3"), (PARTICIPATION, "{count: 2, of: 6}", 3, "0"),
    (LOAN, "{count: 19, of: 20}", 5, "4"), (LOAN, "{count: 96, of: 100}", 5, "5"),
    # relative to a baseline: 93% − 90% is exactly 3 points (never 0.030000000000000027): 之内 → 2
    (TRAINING, "{value: 93%, baseline: 90%}", 3, "2"), (TRAINING, "{value: 90%, baseline: 90%}", 3, "1"),
    (TRAINING, "{value: 89.9%, baseline: 90%}", 3, "0"), (TRAINING, "{value: 93.01%, baseline: 90%}", 3, "3"),
    (TRAINING, "{value: 0.93%, baseline: 0.90%}", 3, "2"),
    # plain numbers
    (COUNTS, "3", 2, "1"), (COUNTS, "5", 2, "1"), (COUNTS, "5.5", 2, "2"),
    # the mean of several periods (月度/季度平均): (92 + 88.5 + 95) ÷ 3 = 91.83% → 3
    (LOAN, "{average: [92%, 88.5%, 95%]}", 5, "3"), (LOAN, "{average: [95%, 95%]}", 5, "4"),
])
def test_thresholds(rule_text, result, maximum, expected):
    assert scored(rule_text, result, maximum)[0] == D(expected)


@pytest.mark.parametrize("rule_text, result, maximum, expected, because", [
    (LOAN, "92.5%", 5, "3", "92.5% ≥ 90%"),
    (LOAN, "96%", 5, "5", "96% > 95%"),
    (LOAN, "70%", 5, "0", "70% < 80%（未达最低档）"),
    (PARTICIPATION, "{count: 4, of: 6}", 3, "3", "4/6 = 66.67% ≥ 50%"),
    (TRAINING, "{value: 93%, baseline: 90%}", 3, "2", "93% − 90% = 3个百分点 > 0"),
    (TRAINING, "{value: 93.5%, baseline: 90%}", 3, "3", "93.5% − 90% = 3.5个百分点 > 3个百分点"),
    (LOAN, "{average: [92%, 88.5%, 95%]}", 5, "3", "平均(92% 88.5% 95%) = 91.83% ≥ 90%"),
])
def test_threshold_explanations(rule_text, result, maximum, expected, because):
    assert scored(rule_text, result, maximum) == (D(expected), because)


# --- lower is better ------------------------------------------------------------------------

ADJUSTMENT_RATE = ("thresholds: [{at_most: 30%, points: 0.5}, {at_most: 20%, points: 1}, {at_most: 10%, points: 2}, "
                   "{at_most: 0%, points: 3}]")           # 预算调整率=0计3分；0-10%(含)计2分 …
BELOW = "thresholds: [{below: 5, points: 1}, {below: 2, points: 2}, {at_most: 0, points: 4}]"
CONTROL = "linear: {full_at: 100%, per: 1%, deduct: 0.5, direction: lower}"   # 控制率≦100%计满分，每超过一个百分点扣0.5分


@pytest.mark.parametrize("rule_text, result, maximum, expected, because", [
    (ADJUSTMENT_RATE, "0%", 3, "3", "0% ≤ 0%"),
    (ADJUSTMENT_RATE, "0.01%", 3, "2", "0.01% ≤ 10%"),
    (ADJUSTMENT_RATE, "10%", 3, "2", "10% ≤ 10%"),
    (ADJUSTMENT_RATE, "10.5%", 3, "1", "10.5% ≤ 20%"),
    (ADJUSTMENT_RATE, "30%", 3, "0.5", "30% ≤ 30%"),
    (ADJUSTMENT_RATE, "30.01%", 3, "0", "30.01% > 30%（未达最低档）"),
    (BELOW, "5", 4, "0", "5 ≥ 5（未达最低档）"),
    (BELOW, "4.99", 4, "1", "4.99 < 5"),
    (BELOW, "2", 4, "1", "2 < 5"),
    (BELOW, "1", 4, "2", "1 < 2"),
    (BELOW, "0", 4, "4", "0 ≤ 0"),
    (CONTROL, "100%", 5, "5", "100% ≤ 100%"),
    (CONTROL, "99%", 5, "5", "99% ≤ 100%"),
    (CONTROL, "103%", 5, "3.5", "103% > 100%：差3个百分点 ÷ 1% × 0.5 = 扣1.5分"),
    (CONTROL, "101.5%", 5, "4.25", "101.5% > 100%：差1.5个百分点 ÷ 1% × 0.5 = 扣0.75分"),
    (CONTROL, "120%", 5, "0", "120% > 100%：差20个百分点 ÷ 1% × 0.5 = 扣10分，扣完为止"),
])
def test_lower_is_better(rule_text, result, maximum, expected, because):
    assert scored(rule_text, result, maximum) == (D(expected), because)


# --- linear: pro rata or whole steps, against a baseline or a target --------------------------------

SATISFACTION = "linear: {full_at: 80%, per: 1%, deduct: 1}"          # 满意度达80%以上得满分，每下降一个百分点扣1分
WHOLE = "linear: {full_at: 100%, per: 1%, deduct: 0.05, whole_steps: true}"
PRO_RATA = "linear: {full_at: 100%, per: 1%, deduct: 0.05}"
FALL = "linear: {relative_to: baseline, per: 1%, deduct: 7.5}"     # 每下降一个百分点扣7.5分
COMPLETION = "linear: {relative_to: target, full_at: 100%, per: 1%, deduct: 0.2}"


@pytest.mark.parametrize("rule_text, result, maximum, expected, because", [
    (SATISFACTION, "80%", 20, "20", "80% ≥ 80%"),
    (SATISFACTION, "78%", 20, "18", "78% < 80%：差2个百分点 ÷ 1% × 1 = 扣2分"),
    (SATISFACTION, "79.5%", 20, "19.5", "79.5% < 80%：差0.5个百分点 ÷ 1% × 1 = 扣0.5分"),
    (SATISFACTION, "50%", 20, "0", "50% < 80%：差30个百分点 ÷ 1% × 1 = 扣30分，扣完为止"),
    (SATISFACTION, "{count: 45, of: 50}", 20, "20", "45/50 = 90% ≥ 80%"),
    (WHOLE, "97.5%", 2, "1.9", "97.5% < 100%：差2.5个百分点 ÷ 1% → 2个整档 × 0.05 = 扣0.1分"),
    (PRO_RATA, "97.5%", 2, "1.88", "97.5% < 100%：差2.5个百分点 ÷ 1% × 0.05 = 扣0.125分"),
    (WHOLE, "99.99%", 2, "2", "99.99% < 100%：差0.01个百分点 ÷ 1% → 0个整档 × 0.05 = 扣0分"),
    (FALL, "{value: 90%, baseline: 90%}", 15, "15", "90% − 90% = 0个百分点 ≥ 0"),
    (FALL, "{value: 91%, baseline: 90%}", 15, "15", "91% − 90% = 1个百分点 ≥ 0"),
    (FALL, "{value: 89.5%, baseline: 90%}", 15, "11.25",
     "89.5% − 90% = -0.5个百分点 < 0：差0.5个百分点 ÷ 1个百分点 × 7.5 = 扣3.75分"),
    (COMPLETION, "{value: 870, target: 1000}", 4, "1.4", "870 ÷ 1000 = 87% < 100%：差13个百分点 ÷ 1% × 0.2 = 扣2.6分"),
    (COMPLETION, "{value: 1200, target: 1000}", 4, "4", "1200 ÷ 1000 = 120% ≥ 100%"),
    (COMPLETION, "{value: {average: [90%, 100%]}, target: 100%}", 4, "3", None),
])
def test_linear(rule_text, result, maximum, expected, because):
    points, said = scored(rule_text, result, maximum)
    assert points == D(expected)
    assert because is None or said == because


# --- piecewise: 线性内插, clamped at both ends -------------------------------------------------------

GROWTH = "piecewise: [{at: 90%, points: 0}, {at: 100%, points: 15}, {at: 110%, points: 25}]"
TWO_SIDED = ("piecewise: {relative_to: baseline, anchors: [{at: -2%, points: 0}, {at: 0%, points: 15}, "
             "{at: 5%, points: 20}]}")                # 每下降一个百分点扣7.5分、每上升一个百分点加1分


@pytest.mark.parametrize("rule_text, result, maximum, expected, because", [
    (GROWTH, "85%", 15, "0", "85% ≤ 90%：按首点0分"),
    (GROWTH, "90%", 15, "0", "90% = 90%：0分"),
    (GROWTH, "95%", 15, "7.5", "95% 介于90%与100%之间：0 + (95% − 90%) ÷ (100% − 90%) × (15 − 0) = 7.5"),
    (GROWTH, "100%", 15, "15", "100% = 100%：15分"),
    (GROWTH, "105%", 15, "20", None),            # above the maximum: 加分
    (GROWTH, "110%", 15, "25", "110% = 110%：25分"),
    (GROWTH, "120%", 15, "25", "120% ≥ 110%：按末点25分"),
    (TWO_SIDED, "{value: 88%, baseline: 90%}", 15, "0", None),
    (TWO_SIDED, "{value: 89%, baseline: 90%}", 15, "7.5", None),
    (TWO_SIDED, "{value: 90%, baseline: 90%}", 15, "15", None),
    (TWO_SIDED, "{value: 92%, baseline: 90%}", 15, "17", None),
    (TWO_SIDED, "{value: 80%, baseline: 90%}", 15, "0", None),
    (TWO_SIDED, "{value: 99%, baseline: 90%}", 15, "20", None),
])
def test_piecewise(rule_text, result, maximum, expected, because):
    points, said = scored(rule_text, result, maximum)
    assert points == D(expected)
    assert because is None or said == because


# --- deductions: one size, or itemised --------------------------------------------------------------

ITEMISED = """deduct:
  items:
    - {key: late, per: 5, label: 公文提前或超期公开}
    - {key: fields, per: 1, label: 要素未规范录入, most: 4}
    - {key: no-plan, once: 0.5, label: 未以政府名义出台工作方案}
    - {key: fire, judged: [5, 15], label: 森林火灾, step: 1}
  most: 8
  bonus_items:
    - {key: national, per: 3, label: 受到国家表彰}
  bonus_most: 10
"""
FLOORED = """deduct:
  items:
    - {key: late, per: 5, label: 超期公开}
  bonus_items:
    - {key: praised, once: 2, label: 获通报表扬}
"""


@pytest.mark.parametrize("rule_text, result, maximum, expected, because", [
    ("deduct: {per: 0.5}", "{missed: 0}", 3, "3", "无缺项"),
    ("deduct: {per: 0.5}", "{missed: 2}", 3, "2", "缺2次 × 0.5 = 扣1分"),
    ("deduct: {per: 0.5}", "{missed: 6}", 3, "0", "缺6次 × 0.5 = 扣3分"),
    ("deduct: {per: 0.5}", "{missed: 7}", 3, "0", "缺7次 × 0.5 = 扣3.5分，扣完为止"),
    # 每超3条加0.5分: ⌊7/3⌋ = 2 bonuses; a bonus may lift it above the maximum (加分)
    ("deduct: {per: 0.5, bonus: {every: 3, points: 0.5}}", "{missed: 0, extra: 7}", 3, "4",
     "无缺项；超出7 ÷ 3 → 2 × 0.5 = 加1分"),
    ("deduct: {per: 0.5, bonus: {every: 3, points: 0.5}}", "{missed: 1, extra: 3}", 3, "3",
     "缺1次 × 0.5 = 扣0.5分；超出3 ÷ 3 → 1 × 0.5 = 加0.5分"),
    ("deduct: {per: 0.5, bonus: {every: 3, points: 0.5}, cap: 3.5}", "{missed: 0, extra: 9}", 3, "3.5",
     "无缺项；超出9 ÷ 3 → 3 × 0.5 = 加1.5分，上限3.5分"),
    # itemised: one clause per item, item caps, then the shared cap, then the floor, then the bonus
    (ITEMISED, "{late: 1, fields: 3}", 20, "12", "公文提前或超期公开1×5=扣5分；要素未规范录入3×1=扣3分"),
    (ITEMISED, "{fields: 6}", 20, "16", "要素未规范录入6×1=扣4分（本项最多扣4分）"),
    (ITEMISED, "{late: 2, fields: 3}", 20, "12",
     "公文提前或超期公开2×5=扣10分；要素未规范录入3×1=扣3分；合计扣13分，最多扣8分"),
    (ITEMISED, "{no-plan: yes}", 20, "19.5", "未以政府名义出台工作方案：扣0.5分"),
    (ITEMISED, "{no-plan: no}", 20, "20", "无扣分事项"),
    (ITEMISED, "{fire: [5, 10]}", 20, "12", "森林火灾：扣5+10=15分；合计扣15分，最多扣8分"),
    (ITEMISED, "{}", 20, "20", "无扣分事项"),
    (ITEMISED, "{national: 4}", 20, "30", "无扣分事项；受到国家表彰4×3=加12分；加分合计12分，最多加10分"),
    (ITEMISED, "{late: 5, national: 1}", 20, "15", None),
    (FLOORED, "{late: 3}", 10, "0", "超期公开3×5=扣15分，扣完为止"),
    (FLOORED, "{late: 3, praised: yes}", 10, "2", "超期公开3×5=扣15分，扣完为止；获通报表扬：加2分"),   # floor first
])
def test_deduct(rule_text, result, maximum, expected, because):
    points, said = scored(rule_text, result, maximum)
    assert points == D(expected)
    assert because is None or said == because


def test_a_pool_lifts_the_floor_of_deduct_and_linear():
    assert scored(FLOORED, "{late: 3}", 10, floor=False) == (D(-5), "超期公开3×5=扣15分")
    assert scored("deduct: {per: 2}", "{missed: 4}", 3, floor=False)[0] == D(-5)
    assert scored(SATISFACTION, "50%", 20, floor=False)[0] == D(-10)


@pytest.mark.parametrize("result, message", [
    ("{late: 1.5}", "expected a whole number ≥ 0, got '1.5'"),
    ("{lte: 1}", "expected an item of this rule (late, fields, no-plan, fire, national), got 'lte'"),
    ("{no-plan: 1}", "expected yes or no for 'no-plan' (未以政府名义出台工作方案), got '1'"),
    ("{fire: [4]}", "expected each amount for 'fire' from 5 to 15, got 4"),
    ("{fire: [5.5]}", "expected each amount for 'fire' in steps of 1, got 5.5"),
    ("3", "expected what happened, item by item, e.g. {late: 1, fields: 1}, got '3'"),
])
def test_itemised_results_that_do_not_fit_are_refused(result, message):
    assert refused(ITEMISED, result, 20).message == message


# --- the other kinds -----------------------------------------------------------------------------

BALLOTS = "ballots: [{key: 优秀, score: 100}, {key: 良好, score: 80}, {key: 一般, score: 60}, {key: 较差, score: 0}]"


@pytest.mark.parametrize("rule_text, result, maximum, expected, because", [
    ("check", "yes", 1, "1", "符合"), ("check", "no", 3, "0", "不符合"),
    ("levels: [{key: full, points: 2, label: 符合评估标准}, {key: partial, points: 1, label: 虽成立但未达标}, "
     "{key: none, points: 0, label: 未成立}]", "partial", 2, "1", "虽成立但未达标"),
    # 按职责任务数量平均分值: 35 × 3/8 = 13.125 → 13.13 half-up (banker's would give 13.12)
    ("share", "{count: 3, of: 8}", 35, "13.13", "35 × 3/8 = 13.125"),
    ("share", "{count: 7, of: 8}", 35, "30.63", "35 × 7/8 = 30.625"),
    ("share", "{count: 7, of: 9}", 35, "27.22", "35 × 7/9 = ≈27.2222"),
    ("share", "{count: 0, of: 9}", 35, "0", "35 × 0/9 = 0"),
    ("judged: {step: 0.5}", "3.5", 5, "3.5", "评定3.5分"),
    ("tally: {per: 0.5}", "{count: 7}", 5, "3.5", "7 × 0.5 = 3.5"),
    ("tally: {per: 0.5}", "{count: 12}", 5, "5", "12 × 0.5 = 6，最高计5分"),
    # 每超过500万元奖励1分: a whole multiple counts
    ("tally: {per: 1, every: 500}", "{count: 1234.5}", 5, "2", "1234.5 ÷ 500 → 2 × 1 = 2"),
    ("tally: {per: 1, every: 500}", "{count: 500}", 5, "1", "500 ÷ 500 → 1 × 1 = 1"),
    ("tally: {per: 1, every: 500}", "{count: 499.99}", 5, "0", "499.99 ÷ 500 → 0 × 1 = 0"),
    ("tally: {per: 1, every: 500}", "{count: 5000}", 5, "5", "5000 ÷ 500 → 10 × 1 = 10，最高计5分"),
    # 测评票加权: 10 × (30×100 + 12×80 + 3×60) ÷ (100 × 45) = 9.2
    (BALLOTS, "{优秀: 30, 良好: 12, 一般: 3}", 10, "9.2", None),
    (BALLOTS, "{较差: 5}", 10, "0", None),
    (BALLOTS, "{优秀: 1, 一般: 2}", 10, "7.33", None),
])
def test_rule(rule_text, result, maximum, expected, because):
    points, said = scored(rule_text, result, maximum)
    assert points == D(expected)
    assert because is None or said == because


@pytest.mark.parametrize("rule_text, result, maximum, message", [
    (BALLOTS, "{}", 10, "expected at least one ballot, got none"),
    (BALLOTS, "{优: 3}", 10, "expected a ballot level (优秀, 良好, 一般, 较差), got '优'"),
    ("thresholds: {relative_to: target, steps: [{at_least: 100%, points: 2}]}", "{value: 870, target: 0}", 2,
     "expected a target other than 0, got 0"),
    ("thresholds: {relative_to: target, steps: [{at_least: 100%, points: 2}]}", "{value: 87%, target: 100}", 2,
     "expected a percentage such as 92.5%, got the plain number 100"),
    (LOAN, "{average: []}", 5, "expected a non-empty list of values to average, got a list"),
    (LOAN, "{average: [92%, 88]}", 5, "expected a percentage such as 92.5%, got the plain number 88 in the list to average"),
    (LOAN, "92.5", 5, "expected a percentage such as 92.5%, got the plain number 92.5"),
    ("tally: {per: 1}", "{count: 1.5}", 5, "expected a whole number ≥ 0, got '1.5'"),
])
def test_results_that_do_not_fit_are_refused_never_zero(rule_text, result, maximum, message):
    assert refused(rule_text, result, maximum).message == message


def test_english_explanations():
    assert scored("deduct: {per: 0.5}", "{missed: 2}", 3, language="en") == (D(2), "2 missed × 0.5 = −1")
    assert scored(TRAINING, "{value: 93%, baseline: 90%}", 3, language="en")[1] == \
        "93% − 90% = 3 percentage points > 0"


# --- rules in words ------------------------------------------------------------------------------

@pytest.mark.parametrize("rule_text, maximum, words_", [
    (LOAN, 5, "达到80%得1分，达到85%得2分，达到90%得3分，达到95%得4分，超过95%得5分；未达最低档不得分。"),
    (TRAINING, 3, "不低于基线得1分，高于基线得2分，比基线提高超过3个百分点得3分；未达最低档不得分。"),
    (ADJUSTMENT_RATE, 3, "不超过30%得0.5分，不超过20%得1分，不超过10%得2分，不超过0%得3分；未达最低档不得分。"),
    (CONTROL, 5, "达到100%及以下得满分（5分），每超过1%扣0.5分，扣完为止。"),
    (WHOLE, 2, "达到100%及以上得满分（2分），每低1%扣0.05分（不足1%的部分不扣分），扣完为止。"),
    (ITEMISED, 20, "满分20分，按下列事项扣分，扣完为止：公文提前或超期公开每次扣5分；要素未规范录入每次扣1分（最多扣4分）；"
                   "未以政府名义出台工作方案扣0.5分；森林火灾每次扣5—15分；最多扣8分。加分：受到国家表彰每次加3分，最多加10分。"),
    ("ranked: {points: [6, 5.5, 5], then_less: 0.1}", 6,
     "按结果数值排名（高者在前）：第1名得6分，第2名得5.5分，第3名得5分，其后每降一名扣0.1分，扣完为止。"),
    ("proportional: {}", 6, "按与最高值的比例计分：6分 × 本单位数值 ÷ 最高值。"),
    (BALLOTS, 10, "按测评票加权计分：优秀100、良好80、一般60、较差0；得分 = 10分 × Σ(票数 × 分值) ÷ (100 × 总票数)。"),
    ("tally: {per: 1, every: 500}", 5, "每500得1分，最高计5分。"),
])
def test_every_rule_is_said_in_words(rule_text, maximum, words_):
    assert describe_rule(rule(rule_text, maximum), D(maximum)) == words_


# --- exact rounding -----------------------------------------------------------------------------

@pytest.mark.parametrize("value, places, expected", [
    (F(13125, 1000), 2, "13.13"),    # banker's rounding would give 13.12
    (F(13135, 1000), 2, "13.14"), (F(5, 2), 0, "3"), (F(7, 2), 0, "4"), (F(2, 3), 2, "0.67"),
    (F(1, 3), 2, "0.33"), (F(84375, 1000), 2, "84.38"), (F(1, 200), 2, "0.01"), (F(1, 201), 2, "0"),
    (F(-5, 2), 0, "-3"), (F(12345, 10000), 3, "1.235"),
    (F(-2125, 1000), 2, "-2.13"),    # negative points (in a pool) round half away from zero
])
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == D(expected)


def test_round_half_up_is_not_float_rounding():
    # 1.005 as a float is 1.00499999999999989…; exact decimal arithmetic rounds it up
    assert round_half_up(F(D("1.005")), 2) == D("1.01")
    assert round(1.005, 2) == 1.0


@pytest.mark.parametrize("number, shown", [(D("27.220"), "27.22"), (D("100"), "100"), (D("1E+2"), "100"),
                                           (D("0.50"), "0.5"), (D("0"), "0"), (D("-0"), "0")])
def test_plain_prints_decimals_as_written(number, shown):
    assert plain(number) == shown


def test_format_number_marks_inexact_values():
    assert format_number(F(1, 4)) == "0.25"
    assert format_number(F(2, 3)) == "≈0.6667"


@pytest.mark.parametrize("result, language, because", [
    # a change against a baseline is in percentage points, never "3%" (which reads as 3% of 90%)
    ("{value: 94%, baseline: 90%}", "zh-CN", "94% − 90% = 4个百分点 > 3个百分点"),
    ("{value: 90%, baseline: 90%}", "zh-CN", "90% − 90% = 0个百分点 ≥ 0"),
    ("{value: 89.5%, baseline: 90%}", "zh-CN", "89.5% − 90% = -0.5个百分点 < 0（未达最低档）"),
    ("{value: 93%, baseline: 90%}", "en", "93% − 90% = 3 percentage points > 0"),
])
def test_relative_threshold_explanations_speak_in_percentage_points(result, language, because):
    assert scored(TRAINING, result, 3, language=language)[1] == because


def _ranked(*totals, ranking="competition"):
    from types import SimpleNamespace
    from generator.score.scoring import rank
    results = [SimpleNamespace(total=D(t), entity=f"e{n}", rank=0, tied=False) for n, t in enumerate(totals)]
    return [r.rank for r in rank(results, ranking)]


@pytest.mark.parametrize("totals, competition, dense", [
    (("90", "85", "85", "80"), [1, 2, 2, 4], [1, 2, 2, 3]),
    (("90", "90", "90"), [1, 1, 1], [1, 1, 1]),
    (("70", "80", "80", "80", "60"), [1, 1, 1, 4, 5], [1, 1, 1, 2, 3]),
    (("100",), [1], [1]),
])
def test_ranks_competition_by_default_or_dense(totals, competition, dense):
    assert _ranked(*totals) == competition
    assert _ranked(*totals, ranking="dense") == dense
