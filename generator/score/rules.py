"""Scoring rules: one pure function per rule kind.

Each takes the rule, the result as read from a score file, and the indicator's
maximum, and returns the exact points (a Fraction, before rounding) with the
reason in a few symbols and words. Nothing here reads files or YAML; every
formula below is the one written in FORMAT.md, and cites the rubric wording it
implements.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..numbers import format_number, format_quantity, plain, round_half_up
from ..model import (Change, Check, Deduct, Judged, Levels, Linear, Missed, Ratio, Rule, Share, Tally,
                    Thresholds)

WORDS = {
    "zh-CN": {
        "yes": "符合", "no": "不符合", "below_lowest": "（未达最低档）",
        "missed": "缺{n}次 × {per} = 扣{amount}分", "none_missed": "无缺项",
        "floor": "，扣完为止", "bonus": "；超出{extra} ÷ {every} → {times} × {points} = 加{amount}分",
        "cap": "，上限{cap}分", "judged": "评定{points}分", "tally_cap": "，最高计{max}分",
        "linear_drop": "{x} < {full}：差{gap} ÷ {per} × {deduct} = 扣{amount}分",
        "percentage_points": "{number}个百分点",
    },
    "en": {
        "yes": "met", "no": "not met", "below_lowest": " (below the lowest step)",
        "missed": "{n} missed × {per} = −{amount}", "none_missed": "none missed",
        "floor": ", not below 0", "bonus": "; extra {extra} ÷ {every} → {times} × {points} = +{amount}",
        "cap": ", capped at {cap}", "judged": "judged {points}", "tally_cap": ", at most {max}",
        "linear_drop": "{x} < {full}: {gap} short ÷ {per} × {deduct} = −{amount}",
        "percentage_points": "{number} percentage points",
    },
}


@dataclass(frozen=True)
class Outcome:
    """Exact points before rounding, and why."""

    points: Fraction
    because: str


def score(rule: Rule, result, maximum: Decimal, language: str = "zh-CN") -> Outcome:
    """Dispatch to the rule kind's function."""
    words = WORDS.get(language, WORDS["zh-CN"])
    return _BY_KIND[rule.kind](rule, result, Fraction(maximum), words)


def score_check(rule: Check, result: bool, maximum: Fraction, words: dict) -> Outcome:
    """得分，否则不得分: yes earns the maximum, no earns 0."""
    return Outcome(maximum if result else Fraction(0), words["yes" if result else "no"])


def score_levels(rule: Levels, result: str, maximum: Fraction, words: dict) -> Outcome:
    """符合评估标准得满分，…得1分，…不得分: the named level's points."""
    level = rule.find(result)
    return Outcome(Fraction(level.points), level.label)


def score_thresholds(rule: Thresholds, result, maximum: Fraction, words: dict) -> Outcome:
    """达到80%得1分 … 超过95%得5分: the points of the highest step met, else 0.

    达到/以上/不低于 include the bound (at_least); 超过 excludes it (above). With
    relative_to, the measure is value − baseline in percentage points (比…提高3个百分点), and
    the explanation says so: 93% − 90% = 3个百分点 > 0, never "3%", which would read as 3% of 90%.
    """
    measure, shown = _measure(result, words)
    relative = isinstance(result, Change)
    met = [step for step in rule.steps if _meets(measure, step)]
    if not met:
        lowest = rule.steps[0]
        return Outcome(Fraction(0), f"{shown} {'<' if lowest.inclusive else '≤'} "
                                    f"{_bound(lowest.bound, relative, words)}{words['below_lowest']}")
    step = met[-1]
    return Outcome(Fraction(step.points), f"{shown} {'≥' if step.inclusive else '>'} {_bound(step.bound, relative, words)}")


def _bound(bound, relative: bool, words: dict) -> str:
    """A step's bound as the explanation shows it: 90%, or against a baseline 3个百分点 (and 0)."""
    if not (relative and bound.percent):
        return bound.text
    return "0" if bound.value == 0 else words["percentage_points"].format(number=bound.text.rstrip("%"))


def _meets(measure: Fraction, step) -> bool:
    return measure >= step.bound.value if step.inclusive else measure > step.bound.value


def _measure(result, words: dict) -> tuple[Fraction, str]:
    """The value a threshold compares, and how to show it."""
    if isinstance(result, Change):
        gap = result.value.value - result.baseline.value
        shown = format_quantity(gap, result.value.percent)
        if result.value.percent:
            shown = words["percentage_points"].format(number=shown.removesuffix("%"))
        return gap, f"{result.value.text} − {result.baseline.text} = {shown}"
    if isinstance(result, Ratio):
        value = Fraction(result.count, result.of)
        return value, f"{result.count}/{result.of} = {format_quantity(value, True)}"
    return result.value, result.text


def score_deduct(rule: Deduct, result: Missed, maximum: Fraction, words: dict) -> Outcome:
    """缺一次扣0.5分，扣完为止，每超3条加0.5分: max − per × missed, never below 0,
    plus bonus × ⌊extra / every⌋, capped at cap (a bonus may lift it above the maximum: 加分)."""
    deduction = Fraction(rule.per) * result.missed
    points = max(maximum - deduction, Fraction(0))
    because = (words["missed"].format(n=result.missed, per=plain(rule.per), amount=format_number(deduction))
               if result.missed else words["none_missed"])
    if deduction > maximum:
        because += words["floor"]
    if rule.bonus_every and result.extra:
        times = result.extra // rule.bonus_every
        bonus = Fraction(rule.bonus_points) * times
        points += bonus
        because += words["bonus"].format(extra=result.extra, every=rule.bonus_every, times=times,
                                         points=plain(rule.bonus_points), amount=format_number(bonus))
    if rule.cap is not None and points > rule.cap:
        points = Fraction(rule.cap)
        because += words["cap"].format(cap=plain(rule.cap))
    return Outcome(points, because)


def score_share(rule: Share, result: Ratio, maximum: Fraction, words: dict) -> Outcome:
    """按职责任务数量平均分值，完成一项得一个均分: max × count / of."""
    points = maximum * result.count / result.of
    return Outcome(points, f"{format_number(maximum)} × {result.count}/{result.of} = {format_number(points)}")


def score_linear(rule: Linear, result, maximum: Fraction, words: dict) -> Outcome:
    """满意度达80%以上得满分，每下降一个百分点扣1分:
    max when x ≥ full_at, else max − deduct × (full_at − x) / per, never below 0."""
    measure, shown = _measure(result, words)
    if measure >= rule.full_at.value:
        return Outcome(maximum, f"{shown} ≥ {rule.full_at.text}")
    gap = rule.full_at.value - measure
    deduction = Fraction(rule.deduct) * gap / rule.per.value
    because = words["linear_drop"].format(
        x=shown, full=rule.full_at.text, gap=format_quantity(gap, rule.full_at.percent),
        per=rule.per.text, deduct=plain(rule.deduct), amount=format_number(deduction))
    if deduction > maximum:
        because += words["floor"]
    return Outcome(max(maximum - deduction, Fraction(0)), because)


def score_judged(rule: Judged, result: Decimal, maximum: Fraction, words: dict) -> Outcome:
    """确属创新且效果更好得满分…: the assessors' points, given directly."""
    return Outcome(Fraction(result), words["judged"].format(points=plain(result)))


def score_tally(rule: Tally, result: int, maximum: Fraction, words: dict) -> Outcome:
    """每…得0.5分，最高计X分: per × count, at most the maximum."""
    earned = Fraction(rule.per) * result
    because = f"{result} × {plain(rule.per)} = {format_number(earned)}"
    if earned > maximum:
        because += words["tally_cap"].format(max=format_number(maximum))
    return Outcome(min(earned, maximum), because)


_BY_KIND = {
    "check": score_check, "levels": score_levels, "thresholds": score_thresholds,
    "deduct": score_deduct, "share": score_share, "linear": score_linear,
    "judged": score_judged, "tally": score_tally,
}


# --- rules in words, for the method page -----------------------------------------------

RULE_WORDS = {
    "zh-CN": {
        "check": "符合要求得{max}分，否则不得分。",
        "level": "{label}得{points}分",
        "at_least": "达到{bound}得{points}分", "above": "超过{bound}得{points}分",
        "relative_at_least": "比基线提高不少于{bound}得{points}分", "relative_above": "比基线提高超过{bound}得{points}分",
        "points_of_percent": "{number}个百分点",
        "relative_at_least_zero": "不低于基线得{points}分", "relative_above_zero": "高于基线得{points}分",
        "below": "；低于最低档不得分。",
        "deduct": "满分{max}分，每缺一次扣{per}分，扣完为止", "bonus": "；每超{every}项加{points}分",
        "cap": "，本项最高{cap}分", "share": "按完成项数占总项数的比例计分：{max}分 × 完成数 ÷ 总数。",
        "linear": "达到{full}及以上得满分（{max}分），每低{per}扣{deduct}分，扣完为止。",
        "judged": "由考核组直接评定，0至{max}分，以{step}分为单位。",
        "tally": "每项得{per}分，最高计{max}分。",
        "veto": "一票否决：本项不得分时，考核等次为最低等次。",
        "sep": "，", "end": "。",
    },
    "en": {
        "check": "{max} if met, otherwise 0.",
        "level": "{label}: {points}",
        "at_least": "at least {bound}: {points}", "above": "above {bound}: {points}",
        "relative_at_least": "at least {bound} above the baseline: {points}",
        "relative_above": "more than {bound} above the baseline: {points}",
        "points_of_percent": "{number} percentage points",
        "relative_at_least_zero": "not below the baseline: {points}", "relative_above_zero": "above the baseline: {points}",
        "below": "; below the lowest step: 0.",
        "deduct": "{max}, minus {per} for each miss, not below 0", "bonus": "; plus {points} for every {every} extra",
        "cap": ", at most {cap}", "share": "In proportion to the items completed: {max} × completed ÷ total.",
        "linear": "{max} at {full} or above; {deduct} less for each {per} below, not below 0.",
        "judged": "Points given by the assessors, from 0 to {max} in steps of {step}.",
        "tally": "{per} for each item, at most {max}.",
        "veto": "Veto: when this indicator scores 0, the grade is the lowest whatever the total.",
        "sep": "; ", "end": ".",
    },
}


def describe_rule(rule: Rule, maximum: Decimal, language: str = "zh-CN") -> str:
    """The rule in the words of a rubric: 达到80%得1分，…，超过95%得5分。"""
    w = RULE_WORDS.get(language, RULE_WORDS["zh-CN"])
    top = plain(maximum)
    if rule.kind == "check":
        return w["check"].format(max=top)
    if rule.kind == "levels":
        return w["sep"].join(w["level"].format(label=l.label, points=plain(l.points)) for l in rule.levels) + w["end"]
    if rule.kind == "thresholds":
        return w["sep"].join(_describe_step(step, rule.relative_to, w) for step in rule.steps) + w["below"]
    if rule.kind == "deduct":
        text = w["deduct"].format(max=top, per=plain(rule.per))
        if rule.bonus_every:
            text += w["bonus"].format(every=rule.bonus_every, points=plain(rule.bonus_points))
        if rule.cap is not None:
            text += w["cap"].format(cap=plain(rule.cap))
        return text + w["end"]
    if rule.kind == "share":
        return w["share"].format(max=top)
    if rule.kind == "linear":
        return w["linear"].format(max=top, full=rule.full_at.text, per=rule.per.text, deduct=plain(rule.deduct))
    if rule.kind == "judged":
        return w["judged"].format(max=top, step=plain(rule.step))
    return w["tally"].format(per=plain(rule.per), max=top)


def _describe_step(step, relative_to, w: dict) -> str:
    kind = "at_least" if step.inclusive else "above"
    bound = step.bound.text
    if relative_to:
        kind = f"relative_{kind}" + ("_zero" if step.bound.value == 0 else "")
        if step.bound.percent:
            bound = w["points_of_percent"].format(number=bound.rstrip("%"))
    return w[kind].format(bound=bound, points=plain(step.points))
