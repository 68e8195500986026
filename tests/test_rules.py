"""Scoring rules as tables: rule, result, maximum → points and explanation. No files."""

from decimal import Decimal as D
from fractions import Fraction as F

import pytest

from generator.model import (Change, Check, Deduct, Judged, Level, Levels, Linear, Missed, Quantity,
                             Ratio, Share, Step, Tally, Thresholds)
from generator.numbers import format_number, plain, round_half_up
from generator.score.rules import score
from generator.load.schema import quantity
from generator.load.yamlio import Scalar
from generator.errors import Mark


def q(text: str) -> Quantity:
    return quantity(Scalar(text, Mark("t")))


def steps(*pairs):
    """('>=80%', 1) → Step(80%, inclusive, 1); '>' marks 超过 (above)."""
    return tuple(Step(q(b.lstrip(">=")), b.startswith(">="), D(p)) for b, p in pairs)


LOAN = Thresholds(steps((">=80%", 1), (">=85%", 2), (">=90%", 3), (">=95%", 4), (">95%", 5)))
FEES = Thresholds(steps((">=90%", 1), (">=95%", 2), (">95%", 3)))
PARTICIPATION = Thresholds(steps((">=50%", 3)))
TRAINING = Thresholds(steps((">=0%", 1), (">0%", 2), (">3%", 3)), relative_to="baseline")
COUNTS = Thresholds(steps((">=3", 1), (">5", 2)))


def points(rule, result, maximum):
    return round_half_up(score(rule, result, D(maximum)).points, 2)


@pytest.mark.parametrize("rule, result, maximum, expected", [
    # 达到 includes the bound, 超过 excludes it; 95% exactly is 达到95% (4), not 超过95% (5)
    (LOAN, q("79.99%"), 5, "0"),
    (LOAN, q("80%"), 5, "1"),
    (LOAN, q("84.9%"), 5, "1"),
    (LOAN, q("85%"), 5, "2"),
    (LOAN, q("92.5%"), 5, "3"),
    (LOAN, q("95%"), 5, "4"),
    (LOAN, q("95.01%"), 5, "5"),
    (LOAN, q("100%"), 5, "5"),
    (FEES, q("95%"), 3, "2"),
    (FEES, q("96%"), 3, "3"),
    (FEES, q("89.999%"), 3, "0"),
    # {count, of} compares as the exact fraction: 3/6 is 50% exactly, 以上 includes it
    (PARTICIPATION, Ratio(3, 6), 3, "3"),
    (PARTICIPATION, Ratio(2, 6), 3, "0"),
    (PARTICIPATION, Ratio(4, 6), 3, "3"),
    (LOAN, Ratio(19, 20), 5, "4"),
    (LOAN, Ratio(95, 100), 5, "4"),
    (LOAN, Ratio(96, 100), 5, "5"),
    # relative to a baseline: 93% − 90% is exactly 3 points (never 0.030000000000000027): 之内 → 2
    (TRAINING, Change(q("93%"), q("90%")), 3, "2"),
    (TRAINING, Change(q("90%"), q("90%")), 3, "1"),
    (TRAINING, Change(q("89.9%"), q("90%")), 3, "0"),
    (TRAINING, Change(q("93.01%"), q("90%")), 3, "3"),
    (TRAINING, Change(q("0.93%"), q("0.90%")), 3, "2"),
    # plain numbers
    (COUNTS, q("3"), 2, "1"),
    (COUNTS, q("5"), 2, "1"),
    (COUNTS, q("5.5"), 2, "2"),
])
def test_thresholds(rule, result, maximum, expected):
    assert points(rule, result, maximum) == D(expected)


def test_threshold_above_excludes_bound():
    assert points(LOAN, q("95%"), 5) == 4
    assert points(LOAN, q("95.0001%"), 5) == 5


@pytest.mark.parametrize("result, expected, because", [
    (q("92.5%"), "3", "92.5% ≥ 90% → 3/5"),
    (q("96%"), "5", "96% > 95% → 5/5"),
    (q("70%"), "0", "70% < 80%（未达最低档） → 0/5"),
    (Ratio(4, 6), "3", None),
])
def test_threshold_explanations(result, expected, because):
    from generator.score.scoring import score_indicator
    from generator.model import Entry, Indicator
    rule = LOAN if because else PARTICIPATION
    maximum = D(5) if because else D(3)
    indicator = Indicator("2.3.2", "2", "t", maximum, "", (), rule)
    scored = score_indicator(indicator, Entry("2.3.2", result), 2)
    assert scored.points == D(expected)
    assert scored.explanation == (because or "4/6 = ≈66.67% ≥ 50% → 3/3")


@pytest.mark.parametrize("result, language, because", [
    # a change against a baseline is in percentage points, never "3%" (which reads as 3% of 90%)
    (Change(q("93%"), q("90%")), "zh-CN", "93% − 90% = 3个百分点 > 0"),
    (Change(q("94%"), q("90%")), "zh-CN", "94% − 90% = 4个百分点 > 3个百分点"),
    (Change(q("90%"), q("90%")), "zh-CN", "90% − 90% = 0个百分点 ≥ 0"),
    (Change(q("89.5%"), q("90%")), "zh-CN", "89.5% − 90% = -0.5个百分点 < 0（未达最低档）"),
    (Change(q("93%"), q("90%")), "en", "93% − 90% = 3 percentage points > 0"),
])
def test_relative_threshold_explanations_speak_in_percentage_points(result, language, because):
    assert score(TRAINING, result, D(3), language).because == because


LEVELS = Levels((Level("full", D(2), "符合评估标准"), Level("partial", D(1), "虽成立但未达标"),
                 Level("none", D(0), "未成立")))


@pytest.mark.parametrize("rule, result, maximum, expected, because", [
    (Check(), True, 1, "1", "符合"),
    (Check(), False, 3, "0", "不符合"),
    (LEVELS, "full", 2, "2", "符合评估标准"),
    (LEVELS, "partial", 2, "1", "虽成立但未达标"),
    (LEVELS, "none", 2, "0", "未成立"),
    # 缺一次扣0.5分，扣完为止
    (Deduct(D("0.5")), Missed(0), 3, "3", "无缺项"),
    (Deduct(D("0.5")), Missed(2), 3, "2", "缺2次 × 0.5 = 扣1分"),
    (Deduct(D("0.5")), Missed(6), 3, "0", "缺6次 × 0.5 = 扣3分"),
    (Deduct(D("0.5")), Missed(7), 3, "0", "缺7次 × 0.5 = 扣3.5分，扣完为止"),
    (Deduct(D(1)), Missed(5), 4, "0", "缺5次 × 1 = 扣5分，扣完为止"),
    # 每超3条加0.5分: ⌊7/3⌋ = 2 bonuses; a bonus may lift it above the maximum (加分)
    (Deduct(D("0.5"), 3, D("0.5")), Missed(0, 7), 3, "4", "无缺项；超出7 ÷ 3 → 2 × 0.5 = 加1分"),
    (Deduct(D("0.5"), 3, D("0.5")), Missed(0, 2), 3, "3", "无缺项；超出2 ÷ 3 → 0 × 0.5 = 加0分"),
    (Deduct(D("0.5"), 3, D("0.5")), Missed(1, 3), 3, "3", "缺1次 × 0.5 = 扣0.5分；超出3 ÷ 3 → 1 × 0.5 = 加0.5分"),
    (Deduct(D("0.5"), 3, D("0.5"), cap=D("3.5")), Missed(0, 9), 3, "3.5",
     "无缺项；超出9 ÷ 3 → 3 × 0.5 = 加1.5分，上限3.5分"),
    # 按职责任务数量平均分值: 35 × 3/8 = 13.125 → 13.13 half-up (banker's would give 13.12)
    (Share(), Ratio(3, 8), 35, "13.13", "35 × 3/8 = 13.125"),
    (Share(), Ratio(7, 8), 35, "30.63", "35 × 7/8 = 30.625"),
    (Share(), Ratio(7, 9), 35, "27.22", "35 × 7/9 = ≈27.2222"),
    (Share(), Ratio(9, 9), 35, "35", "35 × 9/9 = 35"),
    (Share(), Ratio(0, 9), 35, "0", "35 × 0/9 = 0"),
    # 满意度达80%以上得满分，每下降一个百分点扣1分
    (Linear(q("80%"), q("1%"), D(1)), q("80%"), 20, "20", "80% ≥ 80%"),
    (Linear(q("80%"), q("1%"), D(1)), q("78%"), 20, "18", "78% < 80%：差2% ÷ 1% × 1 = 扣2分"),
    (Linear(q("80%"), q("1%"), D(1)), q("79.5%"), 20, "19.5", "79.5% < 80%：差0.5% ÷ 1% × 1 = 扣0.5分"),
    (Linear(q("80%"), q("1%"), D(1)), q("50%"), 20, "0", "50% < 80%：差30% ÷ 1% × 1 = 扣30分，扣完为止"),
    (Linear(q("80%"), q("1%"), D(1)), Ratio(45, 50).as_quantity(), 20, "20", "45/50 ≥ 80%"),
    (Judged(D("0.5")), D("3.5"), 5, "3.5", "评定3.5分"),
    # 每…得0.5分，最高计X分
    (Tally(D("0.5")), 7, 5, "3.5", "7 × 0.5 = 3.5"),
    (Tally(D("0.5")), 12, 5, "5", "12 × 0.5 = 6，最高计5分"),
])
def test_rule(rule, result, maximum, expected, because):
    outcome = score(rule, result, D(maximum))
    assert round_half_up(outcome.points, 2) == D(expected)
    assert outcome.because == because


@pytest.mark.parametrize("value, places, expected", [
    (F(13125, 1000), 2, "13.13"),    # banker's rounding would give 13.12
    (F(13135, 1000), 2, "13.14"),
    (F(5, 2), 0, "3"),               # banker's: 2
    (F(7, 2), 0, "4"),
    (F(2, 3), 2, "0.67"),
    (F(1, 3), 2, "0.33"),
    (F(84375, 1000), 2, "84.38"),
    (F(1, 200), 2, "0.01"),
    (F(1, 201), 2, "0"),
    (F(-5, 2), 0, "-3"),
    (F(12345, 10000), 3, "1.235"),
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


def test_english_explanations():
    outcome = score(Deduct(D("0.5")), Missed(2), D(3), language="en")
    assert outcome.because == "2 missed × 0.5 = −1"
    assert score(Check(), True, D(1), language="en").because == "met"


def _ranked(*totals):
    from types import SimpleNamespace
    from generator.score.scoring import rank
    results = [SimpleNamespace(total=D(t), entity=f"e{n}", rank=0) for n, t in enumerate(totals)]
    return [r.rank for r in rank(results)]


@pytest.mark.parametrize("totals, ranks", [
    (("90", "85", "85", "80"), [1, 2, 2, 4]),          # competition ranking: 1, 2, 2, 4
    (("90", "90", "90"), [1, 1, 1]),
    (("70", "80", "80", "80", "60"), [1, 1, 1, 4, 5]),
    (("100",), [1]),
])
def test_rank_is_competition_ranking(totals, ranks):
    assert _ranked(*totals) == ranks
