"""The rule kinds that compare a measured value: thresholds (达到80%得1分 … 超过95%得5分;
以下/低于 for lower-is-better), linear (每下降一个百分点扣1分; 每超过一个百分点扣0.5分) and
piecewise (线性内插; 每下降一个百分点扣7.5分、每上升一个百分点加1分).

Each may measure against the entity's baseline or target, or against the other entities
(`relative_to: best` or `mean`, scored in the second pass)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..errors import Mark, Problems
from ..load.schema import Field, boolean, non_negative, number, one_of, positive, quantity, read_map
from ..load.yamlio import Map, describe, mark_of
from ..model import Quantity
from ..numbers import plain
from .base import Kind, Outcome, exact, fields, gap, items_of
from .measures import RELATIVE, measure, read_measured

HIGHER = {"at_least": True, "above": False}       # 以上/达到/不低于 include the bound; 超过 excludes it
LOWER = {"at_most": True, "below": False}         # 以下/不超过/≦ include it; 低于 excludes it


def _bound_text(bound: Quantity, relative_to: str | None, say) -> str:
    """A bound as the method page and explanations show it: 90%, or against a baseline or the
    mean 3个百分点 (and 0), never "3%", which would read as 3% of the baseline."""
    if relative_to in ("baseline", "mean") and bound.percent:
        return "0" if bound.value == 0 else say("points_of_percent", number=bound.text.rstrip("%"))
    return bound.text


def _relative_fields(spec, problems, where, what: str, body: str) -> tuple[dict | None, object]:
    """The mapping form {relative_to, order, <body>}; (settings, the body) or (None, spec)."""
    if not isinstance(spec, Map):
        return {"relative_to": None, "order": "higher"}, spec
    found = read_map(spec, {"relative_to": Field(one_of(*RELATIVE)), "order": Field(one_of("higher", "lower")),
                            body: Field(lambda v: v, required=True)}, problems, what, where)
    if found is None or found.get(body) is None:
        return None, None
    if found.get("order") and found.get("relative_to") != "best":
        problems.add(spec.key_mark("order"), "expected order: only with relative_to: best, got it without",
                     "order says which value is the best among the entities")
    found["order"] = found.get("order") or "higher"
    return found, found[body]


def _check_unit(percent: bool, relative_to: str | None, mark: Mark, problems: Problems) -> None:
    if relative_to in ("target", "best") and not percent:
        problems.add(mark, f"expected percentages for a rule relative_to: {relative_to} (it measures a ratio), "
                     "got plain numbers", "write the bounds as percentages, e.g. 100%")


# --- thresholds ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    bound: Quantity
    inclusive: bool
    points: Decimal


@dataclass(frozen=True)
class Thresholds(Kind):
    """thresholds — the points of the highest step met, else 0. Steps rise in points; their
    bounds rise (at_least/above) or, when lower is better, fall (at_most/below)."""

    steps: tuple[Step, ...] = ()
    relative_to: str | None = None
    lower: bool = False               # the steps are at_most/below
    order: str = "higher"             # with relative_to: best, which value is the best
    name = "thresholds"
    WORDS = {
        "zh-CN": {"at_least": "达到{bound}得{points}分", "above": "超过{bound}得{points}分",
                  "at_most": "不超过{bound}得{points}分", "below": "低于{bound}得{points}分",
                  "rel_at_least": "比{ref}提高不少于{bound}得{points}分", "rel_above": "比{ref}提高超过{bound}得{points}分",
                  "rel_at_most": "比{ref}高出不超过{bound}得{points}分", "rel_below": "比{ref}高出不到{bound}得{points}分",
                  "rel_at_least_zero": "不低于{ref}得{points}分", "rel_above_zero": "高于{ref}得{points}分",
                  "rel_at_most_zero": "不高于{ref}得{points}分", "rel_below_zero": "低于{ref}得{points}分",
                  "ratio_at_least": "{measure}达到{bound}得{points}分", "ratio_above": "{measure}超过{bound}得{points}分",
                  "ratio_at_most": "{measure}不超过{bound}得{points}分", "ratio_below": "{measure}低于{bound}得{points}分",
                  "baseline": "基线", "mean": "全体平均值", "target": "完成率（实际 ÷ 目标）",
                  "best": "与最高值之比", "best_lower": "最低值与本单位之比",
                  "below_lowest": "；未达最低档不得分。", "none_met": "（未达最低档）",
                  "points_of_percent": "{number}个百分点", "sep": "，"},
        "en": {"at_least": "at least {bound}: {points}", "above": "above {bound}: {points}",
               "at_most": "at most {bound}: {points}", "below": "below {bound}: {points}",
               "rel_at_least": "at least {bound} above the {ref}: {points}",
               "rel_above": "more than {bound} above the {ref}: {points}",
               "rel_at_most": "at most {bound} above the {ref}: {points}",
               "rel_below": "less than {bound} above the {ref}: {points}",
               "rel_at_least_zero": "not below the {ref}: {points}", "rel_above_zero": "above the {ref}: {points}",
               "rel_at_most_zero": "not above the {ref}: {points}", "rel_below_zero": "below the {ref}: {points}",
               "ratio_at_least": "{measure} at least {bound}: {points}", "ratio_above": "{measure} above {bound}: {points}",
               "ratio_at_most": "{measure} at most {bound}: {points}", "ratio_below": "{measure} below {bound}: {points}",
               "baseline": "baseline", "mean": "mean of all entities", "target": "completion (value ÷ target)",
               "best": "the ratio to the best", "best_lower": "the ratio of the best (lowest) to the value",
               "below_lowest": "; below the lowest step: 0.", "none_met": " (below the lowest step)",
               "points_of_percent": "{number} percentage points", "sep": "; "},
    }

    @property
    def cross(self) -> bool:
        return self.relative_to in ("best", "mean")

    @property
    def percent(self) -> bool:
        return any(step.bound.percent for step in self.steps)

    @classmethod
    def read(cls, spec, maximum, where, problems):
        settings, body = _relative_fields(spec, problems, where, "a relative thresholds rule", "steps")
        if settings is None:
            return None
        where = mark_of(body, where)
        read = [step for step in (_read_step(item, maximum, where, problems) for item in
                                  items_of(body, where, "steps", "{at_least: 80%, points: 1}")) if step]
        if not read:
            return None
        lower = {direction for _, _, direction in read}
        if len(lower) > 1:
            problems.add(where, "expected every step in one direction, got at_least/above and at_most/below mixed",
                         "higher is better: at_least/above; lower is better: at_most/below")
            return None
        rule = cls(tuple(step for step, _, _ in read), settings["relative_to"], lower.pop(), settings["order"])
        rule._check(read, maximum, where, problems)
        return rule

    def _check(self, read, maximum, where, problems) -> None:
        for (low, _, _), (high, mark, _) in zip(read, read[1:]):
            harder = (high.bound.value, not high.inclusive) > (low.bound.value, not low.inclusive) if not self.lower \
                else (-high.bound.value, not high.inclusive) > (-low.bound.value, not low.inclusive)
            if not harder:
                order = "rising" if not self.lower else "falling (lower is better)"
                first = "at_least X comes before above X" if not self.lower else "at_most X comes before below X"
                problems.add(mark, f"expected steps with {order} bounds, got {high.bound.text} after {low.bound.text}",
                             f"list the easiest step first; {first}")
            elif high.points < low.points:
                problems.add(mark, f"expected a harder step to give at least as many points, got {high.points} "
                             f"after {low.points}")
        if len({step.bound.percent for step in self.steps}) > 1:
            problems.add(where, "expected all bounds as percentages or all as plain numbers, got both",
                         "write 80% rather than 0.8 throughout")
        _check_unit(self.percent, self.relative_to, where, problems)
        if max(step.points for step in self.steps) < maximum:
            problems.add(where, f"expected the highest step to give the full {maximum} points, got "
                         f"{max(step.points for step in self.steps)}")

    def read_result(self, value, maximum):
        return read_measured(value, self.relative_to, self.percent)

    def measure(self, result):
        return (result.value, result.percent) if self.cross else None

    def meets(self, value: Fraction, step: Step) -> bool:
        if self.lower:
            return value <= step.bound.value if step.inclusive else value < step.bound.value
        return value >= step.bound.value if step.inclusive else value > step.bound.value

    def score(self, result, maximum, say, floor=True, ref=None):
        value, shown = measure(result, self.relative_to, ref, self.order == "lower", say.language)
        met = [step for step in self.steps if self.meets(value, step)]
        if not met:
            step = self.steps[0]
            sign = ("<" if step.inclusive else "≤") if not self.lower else (">" if step.inclusive else "≥")
            return Outcome(Fraction(0), f"{shown} {sign} {_bound_text(step.bound, self.relative_to, say)}"
                                        f"{say('none_met')}")
        step = met[-1]
        sign = ("≥" if step.inclusive else ">") if not self.lower else ("≤" if step.inclusive else "<")
        return Outcome(Fraction(step.points), f"{shown} {sign} {_bound_text(step.bound, self.relative_to, say)}")

    def describe(self, maximum, say):
        return say("sep").join(self._step_words(step, say) for step in self.steps) + say("below_lowest")

    def _step_words(self, step: Step, say) -> str:
        kind = ("at_least" if step.inclusive else "above") if not self.lower else ("at_most" if step.inclusive else "below")
        bound = _bound_text(step.bound, self.relative_to, say)
        if self.relative_to in ("baseline", "mean"):
            zero = "_zero" if step.bound.value == 0 else ""
            return say(f"rel_{kind}{zero}", bound=bound, points=plain(step.points), ref=say(self.relative_to))
        if self.relative_to in ("target", "best"):
            which = "best_lower" if self.relative_to == "best" and self.order == "lower" else self.relative_to
            return say(f"ratio_{kind}", measure=say(which), bound=bound, points=plain(step.points))
        return say(kind, bound=bound, points=plain(step.points))

    def written(self, result):
        return result.text

    def stated_points(self):
        return [(f"the step {s.bound.text}", s.points) for s in self.steps]


def _read_step(item, maximum, where, problems):
    if not isinstance(item, Map):
        problems.add(mark_of(item, where), f"expected a step such as {{at_least: 80%, points: 1}}, got {describe(item)}")
        return None
    bounds = [key for key in item if key in HIGHER or key in LOWER]
    found = read_map(item, {**{k: Field(quantity) for k in (*HIGHER, *LOWER)},
                            "points": Field(non_negative(number), required=True)}, problems, "a step", where)
    if len(bounds) != 1:
        problems.add(item.mark, f"expected exactly one of at_least, above, at_most or below in a step, got {len(bounds)}",
                     "达到/以上/不低于 → at_least; 超过 → above; 以下/不超过/≦ → at_most; 低于 → below")
        return None
    bound = found.get(bounds[0]) if found else None
    if bound is None or found.get("points") is None:
        return None
    if found["points"] > maximum:
        problems.add(item.value_mark("points"), f"expected a step's points to be at most the indicator's "
                     f"{maximum}, got {found['points']}")
    inclusive = HIGHER.get(bounds[0], LOWER.get(bounds[0]))
    return Step(bound, inclusive, found["points"]), item.mark, bounds[0] in LOWER


# --- linear -------------------------------------------------------------------------------

LINEAR_FIELDS = {"full_at": Field(quantity), "per": Field(quantity, required=True),
                 "deduct": Field(positive(number), required=True), "direction": Field(one_of("higher", "lower")),
                 "whole_steps": Field(boolean, default=False), "relative_to": Field(one_of(*RELATIVE)),
                 "order": Field(one_of("higher", "lower"))}


@dataclass(frozen=True)
class Linear(Kind):
    """linear — max at full_at or better, else max − deduct × gap ÷ per, never below 0 (unless
    in a section pool). Higher is better by default; `direction: lower` (≦100%计满分，每超过一个
    百分点扣0.5分); `whole_steps: true` counts whole steps only (每低1%扣0.05分)."""

    full_at: Quantity = None
    per: Quantity = None
    deduct: Decimal = Decimal(1)
    lower: bool = False
    whole_steps: bool = False
    relative_to: str | None = None
    order: str = "higher"
    name = "linear"
    lifts_floor = True
    WORDS = {
        "zh-CN": {"rule": "{measure}达到{full}{better}得满分（{max}分），每{worse}{per}扣{deduct}分{whole}，扣完为止。",
                  "better_higher": "及以上", "better_lower": "及以下", "worse_higher": "低", "worse_lower": "超过",
                  "whole": "（不足{per}的部分不扣分）", "drop": "{x} {sign} {full}：差{gap} ÷ {per}{steps} × {deduct} = 扣{amount}分",
                  "full": "{x} {sign} {full}", "whole_steps": " → {n}个整档",
                  "baseline": "较基线的变化", "mean": "与全体平均值之差", "target": "完成率（实际 ÷ 目标）",
                  "best": "与最高值之比", "best_lower": "最低值与本单位之比", "plain": "",
                  "points_of_percent": "{number}个百分点", "floor": "，扣完为止"},
        "en": {"rule": "{measure}{full} or {better}: full marks ({max}); {deduct} less for each {per} {worse}{whole}, not below 0.",
               "better_higher": "above", "better_lower": "below", "worse_higher": "below", "worse_lower": "above",
               "whole": " (whole steps only)", "drop": "{x} {sign} {full}: {gap} off ÷ {per}{steps} × {deduct} = −{amount}",
               "full": "{x} {sign} {full}", "whole_steps": " → {n} whole steps",
               "baseline": "the change from the baseline: ", "mean": "the difference from the mean: ",
               "target": "completion (value ÷ target): ", "best": "the ratio to the best: ",
               "best_lower": "the ratio of the best (lowest) to the value: ", "plain": "",
               "points_of_percent": "{number} percentage points", "floor": ", not below 0"},
    }

    @property
    def cross(self) -> bool:
        return self.relative_to in ("best", "mean")

    @classmethod
    def read(cls, spec, maximum, where, problems):
        found = fields(spec, LINEAR_FIELDS, problems, "a linear rule", where)
        if found is None:
            return None
        relative_to = found.get("relative_to")
        full_at = found.get("full_at")
        if full_at is None:
            if relative_to is None:
                problems.add(spec.mark, "expected the key 'full_at' in a linear rule, got no such key",
                             "e.g. full_at: 80% (满意度达80%以上得满分)")
                return None
            per = found["per"]
            full_at = Quantity(Fraction(0), per.percent, "0%" if per.percent else "0") \
                if relative_to in ("baseline", "mean") else Quantity(Fraction(1), True, "100%")
        if found["per"].value <= 0:
            problems.add(spec.value_mark("per"), f"expected per greater than 0, got {found['per'].text}")
            return None
        if found["per"].percent != full_at.percent:
            problems.add(spec.value_mark("per"), f"expected per in the same unit as full_at ({full_at.text}), "
                         f"got {found['per'].text}", "write both as percentages, e.g. full_at: 80%, per: 1%")
        if found.get("order") and relative_to != "best":
            problems.add(spec.key_mark("order"), "expected order: only with relative_to: best, got it without",
                         "order says which value is the best among the entities")
        _check_unit(full_at.percent, relative_to, spec.value_mark("full_at") if "full_at" in spec else spec.mark, problems)
        return cls(full_at, found["per"], found["deduct"], found.get("direction") == "lower", found["whole_steps"],
                   relative_to, found.get("order") or ("lower" if found.get("direction") == "lower"
                                                      and relative_to == "best" else "higher"))

    @property
    def percent(self) -> bool:
        return self.full_at.percent

    @property
    def measures_lower(self) -> bool:
        """Lower measures are better: a ratio to the best always reads higher-is-better."""
        return self.lower and self.relative_to != "best"

    def read_result(self, value, maximum):
        return read_measured(value, self.relative_to, self.percent)

    def measure(self, result):
        return (result.value, result.percent) if self.cross else None

    def score(self, result, maximum, say, floor=True, ref=None):
        value, shown = measure(result, self.relative_to, ref, self.order == "lower", say.language)
        full = _bound_text(self.full_at, self.relative_to, say)
        lower = self.measures_lower
        if (value <= self.full_at.value) if lower else (value >= self.full_at.value):
            return Outcome(maximum, say("full", x=shown, sign="≤" if lower else "≥", full=full))
        distance = (value - self.full_at.value) if lower else (self.full_at.value - value)
        steps = distance / self.per.value
        counted = Fraction(math.floor(steps)) if self.whole_steps else steps
        deduction = Fraction(self.deduct) * counted
        because = say("drop", x=shown, sign=">" if lower else "<", full=full,
                      gap=gap(distance, self.percent, lambda n: say("points_of_percent", number=n)),
                      per=_bound_text(self.per, self.relative_to if self.relative_to in ("baseline", "mean") else None, say)
                      if self.per.percent and self.relative_to in ("baseline", "mean") else self.per.text,
                      steps=say("whole_steps", n=int(counted)) if self.whole_steps else "",
                      deduct=plain(self.deduct), amount=exact(deduction))
        points = maximum - deduction
        if floor and points < 0:
            because += say("floor")
            points = Fraction(0)
        return Outcome(points, because)

    def describe(self, maximum, say):
        which = "plain" if self.relative_to is None else \
            ("best_lower" if self.relative_to == "best" and self.order == "lower" else self.relative_to)
        lower = self.measures_lower
        return say("rule", measure=say(which), full=_bound_text(self.full_at, self.relative_to, say),
                   better=say("better_lower" if lower else "better_higher"), max=plain(maximum),
                   worse=say("worse_lower" if lower else "worse_higher"), per=_bound_text(self.per, self.relative_to, say)
                   if self.relative_to in ("baseline", "mean") else self.per.text,
                   deduct=plain(self.deduct), whole=say("whole", per=self.per.text) if self.whole_steps else "")

    def written(self, result):
        return result.text


# --- piecewise ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    at: Quantity
    points: Decimal


ANCHOR_FIELDS = {"at": Field(quantity, required=True), "points": Field(non_negative(number), required=True)}


@dataclass(frozen=True)
class Piecewise(Kind):
    """piecewise — points interpolated linearly between anchors (线性内插), clamped at both ends:
    below the first anchor its points apply, above the last the last's. Points above the
    indicator's maximum are 加分."""

    anchors: tuple[Anchor, ...] = ()
    relative_to: str | None = None
    order: str = "higher"
    name = "piecewise"
    WORDS = {
        "zh-CN": {"rule": "{measure}按以下各点线性内插计分：{anchors}；低于首点按首点、高于末点按末点计分。",
                  "anchor": "{at}得{points}分", "sep": "，", "at": "{x} = {anchor}：{points}分",
                  "below": "{x} ≤ {anchor}：按首点{points}分", "above": "{x} ≥ {anchor}：按末点{points}分",
                  "between": "{x} 介于{a}与{b}之间：{pa} + ({x0} − {a}) ÷ ({b} − {a}) × ({pb} − {pa}) = {points}",
                  "baseline": "较基线的变化", "mean": "与全体平均值之差", "target": "完成率（实际 ÷ 目标）",
                  "best": "与最高值之比", "best_lower": "最低值与本单位之比", "plain": "",
                  "points_of_percent": "{number}个百分点"},
        "en": {"rule": "{measure}points interpolated between {anchors}; below the first and above the last, "
                       "their points.", "anchor": "{at}: {points}", "sep": ", ", "at": "{x} = {anchor}: {points}",
               "below": "{x} ≤ {anchor}: the first point's {points}", "above": "{x} ≥ {anchor}: the last point's {points}",
               "between": "{x} between {a} and {b}: {pa} + ({x0} − {a}) ÷ ({b} − {a}) × ({pb} − {pa}) = {points}",
               "baseline": "the change from the baseline: ", "mean": "the difference from the mean: ",
               "target": "completion (value ÷ target): ", "best": "the ratio to the best: ",
               "best_lower": "the ratio of the best (lowest) to the value: ", "plain": "",
               "points_of_percent": "{number} percentage points"},
    }

    @property
    def cross(self) -> bool:
        return self.relative_to in ("best", "mean")

    @property
    def percent(self) -> bool:
        return self.anchors[0].at.percent

    @classmethod
    def read(cls, spec, maximum, where, problems):
        settings, body = _relative_fields(spec, problems, where, "a relative piecewise rule", "anchors")
        if settings is None:
            return None
        where = mark_of(body, where)
        anchors, marks = [], []
        for item in items_of(body, where, "anchors", "{at: 90%, points: 0}"):
            found = fields(item, ANCHOR_FIELDS, problems, "an anchor", where)
            if found:
                anchors.append(Anchor(found["at"], found["points"]))
                marks.append(item.mark)
        if len(body) < 2:
            problems.add(where, f"expected at least two anchors, got {len(body)}",
                         "e.g. [{at: 90%, points: 0}, {at: 100%, points: 15}]")
            return None
        if len(anchors) < len(body):
            return None
        for (low, high, mark) in zip(anchors, anchors[1:], marks[1:]):
            if high.at.value <= low.at.value:
                problems.add(mark, f"expected anchors with strictly rising at:, got {high.at.text} after {low.at.text}",
                             "list the anchors from the lowest value to the highest")
        if len({a.at.percent for a in anchors}) > 1:
            problems.add(where, "expected all anchors as percentages or all as plain numbers, got both")
        if max(a.points for a in anchors) < maximum:
            problems.add(where, f"expected an anchor to give the full {maximum} points, got at most "
                         f"{max(a.points for a in anchors)}", "points above the maximum are 加分; below it, "
                         "no entity could earn full marks")
        _check_unit(anchors[0].at.percent, settings["relative_to"], where, problems)
        return cls(tuple(anchors), settings["relative_to"], settings["order"])

    def read_result(self, value, maximum):
        return read_measured(value, self.relative_to, self.percent)

    def measure(self, result):
        return (result.value, result.percent) if self.cross else None

    def score(self, result, maximum, say, floor=True, ref=None):
        value, shown = measure(result, self.relative_to, ref, self.order == "lower", say.language)
        first, last = self.anchors[0], self.anchors[-1]
        text = lambda q: _bound_text(q, self.relative_to, say)
        if value <= first.at.value:
            key = "at" if value == first.at.value else "below"
            return Outcome(Fraction(first.points), say(key, x=shown, anchor=text(first.at), points=plain(first.points)))
        if value >= last.at.value:
            key = "at" if value == last.at.value else "above"
            return Outcome(Fraction(last.points), say(key, x=shown, anchor=text(last.at), points=plain(last.points)))
        a, b = next((a, b) for a, b in zip(self.anchors, self.anchors[1:]) if a.at.value <= value <= b.at.value)
        for anchor in (a, b):
            if value == anchor.at.value:
                return Outcome(Fraction(anchor.points), say("at", x=shown, anchor=text(anchor.at),
                                                            points=plain(anchor.points)))
        points = Fraction(a.points) + (value - a.at.value) / (b.at.value - a.at.value) * Fraction(b.points - a.points)
        x0 = exact(value * 100) + "%" if self.percent else exact(value)
        return Outcome(points, say("between", x=shown, x0=x0, a=a.at.text, b=b.at.text, pa=plain(a.points),
                                   pb=plain(b.points), points=exact(points)))

    def describe(self, maximum, say):
        which = "plain" if self.relative_to is None else \
            ("best_lower" if self.relative_to == "best" and self.order == "lower" else self.relative_to)
        anchors = say("sep").join(say("anchor", at=_bound_text(a.at, self.relative_to, say), points=plain(a.points))
                                  for a in self.anchors)
        return say("rule", measure=say(which), anchors=anchors)

    def written(self, result):
        return result.text

    def stated_points(self):
        return [(f"the anchor at {a.at.text}", a.points) for a in self.anchors]

    def upper_limit(self, maximum):
        return max(maximum, max(a.points for a in self.anchors))
