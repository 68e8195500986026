"""Rule kinds whose points depend on the other entities, scored in the second pass once every
entity's own results are known: ranked (第1名得6分、其后每降一名扣0.5分) and proportional
(按第1名的比例得分). Entities not assessed, or not applicable, on the indicator are left out
of places and of the best value."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..errors import Invalid
from ..load.schema import Field, list_of, non_negative, number, one_of
from ..numbers import plain
from .base import Kind, Outcome, Words, exact, fields
from .measures import WORDS as VALUE_WORDS, describe_value, measure, read_value

RANKED_FIELDS = {"order": Field(one_of("higher", "lower"), default="higher"),
                 "points": Field(list_of(non_negative(number), allow_single=False), required=True),
                 "then_less": Field(non_negative(number))}


@dataclass(frozen=True)
class Ranked(Kind):
    """ranked — the entity's place among those assessed on this indicator, by its value
    (higher first, or `order: lower`): place n gets points[n-1]; after the list each place
    loses `then_less` more, never below 0. Tied values share the better place (1, 2, 2, 4)."""

    points: tuple[Decimal, ...] = ()
    then_less: Decimal | None = None
    order: str = "higher"
    name = "ranked"
    cross = True
    WORDS = {"zh-CN": {"rule": "按{value}排名（{order}）：{places}{after}。", "higher": "高者在前", "lower": "低者在前",
                       "place": "第{n}名得{points}分", "after": "，其后每降一名扣{less}分，扣完为止", "sep": "，",
                       "value": "结果数值", "because": "{value}，第{n}名{tied}",
                       "because_after": "{value}，第{n}名{tied}：{last} − {less} × {steps} = {points}", "tied": "（并列）"},
             "en": {"rule": "By rank of the value ({order}): {places}{after}.", "higher": "highest first",
                    "lower": "lowest first", "place": "place {n}: {points}", "sep": ", ",
                    "after": "; each place after, {less} less, not below 0", "value": "",
                    "because": "{value}, place {n}{tied}",
                    "because_after": "{value}, place {n}{tied}: {last} − {less} × {steps} = {points}", "tied": " (tied)"}}

    @classmethod
    def read(cls, spec, maximum, where, problems):
        found = fields(spec, RANKED_FIELDS, problems, "a ranked rule", where)
        if found is None:
            return None
        points = found["points"]
        if not points:
            problems.add(spec.value_mark("points"), "expected the points of place 1, 2, …, got an empty list",
                         "e.g. points: [6, 5.5, 5]")
            return None
        if points[0] > maximum:
            problems.add(spec.value_mark("points"), f"expected the first place's points to be at most the "
                         f"indicator's {maximum}, got {plain(points[0])}")
        if any(later > earlier for earlier, later in zip(points, points[1:])):
            problems.add(spec.value_mark("points"), "expected points that fall (or stay) from one place to the next, "
                         f"got {', '.join(plain(p) for p in points)}", "place 1 gets the most")
        return cls(tuple(points), found.get("then_less"), found["order"])

    def read_result(self, value, maximum):
        measured = read_value(value, None)
        if measured.value < 0:
            raise Invalid(f"expected a value ≥ 0 (it is compared with the other entities'), got {measured.text}")
        return measured

    def measure(self, result):
        return result.value, result.percent

    def place_points(self, place: int) -> tuple[Fraction, int]:
        """The points of a place, and how many places after the list it is (0 within it)."""
        if place <= len(self.points):
            return Fraction(self.points[place - 1]), 0
        after = place - len(self.points)
        less = Fraction(self.then_less or 0) * after
        return max(Fraction(self.points[-1]) - less, Fraction(0)), after

    def score(self, result, maximum, say, floor=True, ref=None):
        _, value = describe_value(result, Words(VALUE_WORDS, say.language))
        points, after = self.place_points(ref.place)
        tied = say("tied") if ref.tied else ""
        if after and self.then_less:
            return Outcome(points, say("because_after", value=value, n=ref.place, tied=tied,
                                       last=plain(self.points[-1]), less=plain(self.then_less), steps=after,
                                       points=exact(points)))
        return Outcome(points, say("because", value=value, n=ref.place, tied=tied, points=exact(points)))

    def describe(self, maximum, say):
        places = say("sep").join(say("place", n=n, points=plain(p)) for n, p in enumerate(self.points, 1))
        after = say("after", less=plain(self.then_less)) if self.then_less else ""
        return say("rule", value=say("value"), order=say(self.order), places=places, after=after)

    def written(self, result):
        return result.text

    def stated_points(self):
        return [(f"place {n}", p) for n, p in enumerate(self.points, 1)]


@dataclass(frozen=True)
class Proportional(Kind):
    """proportional — max × value ÷ the best value among the entities (按第1名的比例得分);
    with `order: lower`, max × best ÷ value."""

    order: str = "higher"
    name = "proportional"
    cross = True
    WORDS = {"zh-CN": {"rule": "按与{best}的比例计分：{max}分 × {formula}。", "best": "最高值", "best_lower": "最低值",
                       "higher": "本单位数值 ÷ 最高值", "lower": "最低值 ÷ 本单位数值",
                       "because": "{ratio} × {max} = {points}"},
             "en": {"rule": "In proportion to {best}: {max} × {formula}.", "best": "the best", "best_lower": "the lowest",
                    "higher": "value ÷ the best", "lower": "the lowest ÷ value",
                    "because": "{ratio} × {max} = {points}"}}

    @classmethod
    def read(cls, spec, maximum, where, problems):
        found = fields(spec, {"order": Field(one_of("higher", "lower"), default="higher"),
                              "relative_to": Field(one_of("best"))}, problems, "a proportional rule", where) \
            if spec is not None and not (hasattr(spec, "is_null") and spec.is_null) else {"order": "higher"}
        return cls(found["order"]) if found else None

    def read_result(self, value, maximum):
        measured = read_value(value, None)
        if measured.value < 0:
            raise Invalid(f"expected a value ≥ 0 (it is compared with the other entities'), got {measured.text}")
        return measured

    def measure(self, result):
        return result.value, result.percent

    def score(self, result, maximum, say, floor=True, ref=None):
        ratio, shown_ratio = measure(result, "best", ref, self.order == "lower", say.language)
        points = maximum * ratio
        return Outcome(points, say("because", ratio=shown_ratio, max=exact(maximum), points=exact(points)))

    def describe(self, maximum, say):
        return say("rule", best=say("best_lower" if self.order == "lower" else "best"), max=plain(maximum),
                   formula=say(self.order))

    def written(self, result):
        return result.text
