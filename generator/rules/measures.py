"""Measured results: what thresholds, linear, piecewise, ranked and proportional rules compare.

A value is a number (7), a percentage (92.5%), a share `{count: 4, of: 6}` or the mean of
several `{average: [92%, 88.5%, 95%]}`. Measured against a reference it is
`{value, baseline}` (the measure is value − baseline, in 个百分点 for percentages) or
`{value, target}` (value ÷ target, as a percentage: 完成率). Against the other entities
(`relative_to: best` or `mean`) the result is a plain value and the reference comes from
the second pass of scoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..errors import Invalid
from ..load.schema import integer, numeric, quantity
from ..load.yamlio import Map, Scalar, Seq, describe, mark_of
from ..model import Quantity
from ..numbers import plain
from .base import Reference, Words, exact_map, gap, shown

RELATIVE = ("baseline", "target", "best", "mean")


@dataclass(frozen=True)
class Ratio:
    """{count: 4, of: 6}: a share, compared as the exact fraction (a percentage)."""

    count: int
    of: int

    @property
    def value(self) -> Fraction:
        return Fraction(self.count, self.of)

    percent = True

    @property
    def text(self) -> str:
        return f"{self.count}/{self.of}"


@dataclass(frozen=True)
class Average:
    """{average: [92%, 88.5%, 95%]}: the exact mean of several periods' values (月度/季度平均)."""

    items: tuple[Quantity, ...]

    @property
    def value(self) -> Fraction:
        return sum((item.value for item in self.items), Fraction(0)) / len(self.items)

    @property
    def percent(self) -> bool:
        return self.items[0].percent

    @property
    def text(self) -> str:
        return "{average: [" + ", ".join(item.text for item in self.items) + "]}"


@dataclass(frozen=True)
class Relative:
    """{value, baseline} or {value, target}: a value measured against the entity's own reference."""

    value: Quantity | Average
    reference: Quantity | Average
    against: str                      # baseline | target

    @property
    def text(self) -> str:
        return f"{{value: {_written(self.value)}, {self.against}: {_written(self.reference)}}}"


Value = Quantity | Ratio | Average


def _written(value) -> str:
    return value.text


WORDS = {
    "zh-CN": {"mean_of": "平均({items}) = {mean}", "best": "最高值", "best_lower": "最低值", "mean": "平均值",
              "points_of_percent": "{number}个百分点"},
    "en": {"mean_of": "mean({items}) = {mean}", "best": "the best", "best_lower": "the best (lowest)",
           "mean": "the mean", "points_of_percent": "{number} percentage points"},
}


# --- reading ------------------------------------------------------------------------------

def read_value(value, percent: bool | None, ratio: bool = True) -> Value:
    """A number, a percentage, `{count, of}` or `{average: [...]}`, in the unit the rule uses
    (`percent` None: either, for values compared only with each other)."""
    if isinstance(value, Map) and "average" in value:
        return read_average(value, percent)
    if isinstance(value, Map):
        if not ratio:
            raise Invalid(f"expected a number or a percentage, got {describe(value)}")
        if percent is False:
            raise Invalid("expected a plain number (the rule's bounds have no %), got {count, of}",
                          "write the number itself, e.g. result: 6")
        return read_ratio(value)
    if isinstance(value, Scalar):
        numeric(value)            # digits of another script are named as such
    try:
        measured = quantity(value)
    except Invalid as error:
        raise Invalid(f"expected a number, a percentage such as 92.5%, {{count: 4, of: 6}} or "
                      f"{{average: [92%, 95%]}}, got {describe(value)}", error.hint) from None
    same_unit(measured, percent, value)
    return measured


def read_average(value: Map, percent: bool | None) -> Average:
    spec = exact_map(value, {"average": lambda v: v}, "{average: [92%, 88.5%, 95%]}")["average"]
    if not isinstance(spec, Seq) or not spec:
        raise Invalid(f"expected a non-empty list of values to average, got {describe(spec)}",
                      "e.g. {average: [92%, 88.5%, 95%]}", value.value_mark("average"))
    items = []
    for item in spec:
        try:
            measured = quantity(item)
            same_unit(measured, percent if percent is not None else (items[0].percent if items else None), item)
        except Invalid as error:
            raise Invalid(error.message + " in the list to average", error.hint or "write every value alike: "
                          "all percentages or all plain numbers", mark_of(item, value.mark)) from None
        items.append(measured)
    return Average(tuple(items))


def read_ratio(value) -> Ratio:
    fields = exact_map(value, {"count": integer, "of": integer}, "{count: 7, of: 9}")
    if fields["of"] == 0:
        raise Invalid("expected of: to be at least 1, got 0", "of is the number of items counted", value.value_mark("of"))
    if fields["count"] > fields["of"]:
        raise Invalid(f"expected count ≤ of, got {fields['count']} of {fields['of']}",
                      "count is how many of the `of` items were met", value.value_mark("count"))
    return Ratio(fields["count"], fields["of"])


def same_unit(measured: Quantity, percent: bool | None, value) -> None:
    """A bare number against a percentage rule is refused with "did you mean 95%?", never guessed."""
    if percent and not measured.percent:
        guess = plain(Decimal(measured.text) * 100) if measured.value <= 1 else measured.text
        raise Invalid(f"expected a percentage such as 92.5%, got the plain number {measured.text}",
                      f"did you mean {guess}%?", mark_of(value, None))
    if percent is False and measured.percent:
        raise Invalid(f"expected a plain number (the rule's bounds have no %), got {measured.text}",
                      f"did you mean {measured.text[:-1]}?", mark_of(value, None))


def read_measured(value, relative_to: str | None, percent: bool):
    """A result for a rule that measures: plain, or against the entity's baseline or target."""
    if relative_to == "baseline":
        parts = exact_map(value, {"value": lambda v: v, "baseline": lambda v: v},
                          "{value: 93%, baseline: 90%} (the rule compares against a baseline)")
        measured = read_value(parts["value"], percent, ratio=False)
        reference = read_value(parts["baseline"], percent, ratio=False)
        return Relative(measured, reference, "baseline")
    if relative_to == "target":
        parts = exact_map(value, {"value": lambda v: v, "target": lambda v: v},
                          "{value: 870, target: 1000} (the rule measures value ÷ target)")
        measured = read_value(parts["value"], None, ratio=False)
        reference = read_value(parts["target"], measured.percent, ratio=False)
        if reference.value == 0:
            raise Invalid("expected a target other than 0, got 0", "value ÷ target needs a target", value.value_mark("target"))
        return Relative(measured, reference, "target")
    if relative_to in ("best", "mean"):
        measured = read_value(value, None if relative_to == "best" else percent, ratio=relative_to == "mean")
        if measured.value < 0:
            raise Invalid(f"expected a value ≥ 0 (it is compared with the other entities'), got {measured.text}")
        return measured
    return read_value(value, percent)


# --- measuring ----------------------------------------------------------------------------

def describe_value(value: Value, say: Words) -> tuple[Fraction, str]:
    """A value's exact figure and how an explanation shows it."""
    if isinstance(value, Ratio):
        return value.value, f"{value.text} = {shown(value.value, True)}"
    if isinstance(value, Average):
        items = " ".join(item.text for item in value.items) if say.zh else ", ".join(i.text for i in value.items)
        return value.value, say("mean_of", items=items, mean=shown(value.value, value.percent))
    return value.value, value.text


def measure(result, relative_to: str | None, ref: Reference | None, lower: bool, language: str) -> tuple[Fraction, str]:
    """The number a rule compares, and how the explanation shows it."""
    say = Words(WORDS, language)
    if isinstance(result, Relative):
        value, value_shown = describe_value(result.value, say)
        base, base_shown = describe_value(result.reference, say)
        if result.against == "baseline":
            difference = value - base
            return difference, f"{value_shown} − {base_shown} = " + gap(
                difference, result.value.percent, lambda n: say("points_of_percent", number=n))
        ratio = value / base
        return ratio, f"{value_shown} ÷ {base_shown} = {shown(ratio, True)}"
    value, value_shown = describe_value(result, say)
    if relative_to == "best":
        ratio = best_ratio(value, ref.best, lower)
        label = say("best_lower" if lower else "best")
        written_best = shown(ref.best, ref.percent)
        formula = f"{label} {written_best} ÷ {value_shown}" if lower else f"{value_shown} ÷ {label} {written_best}"
        return ratio, f"{formula} = {shown(ratio, True)}"
    if relative_to == "mean":
        difference = value - ref.mean
        return difference, f"{value_shown} − {say('mean')} {shown(ref.mean, ref.percent)} = " + gap(
            difference, ref.percent, lambda n: say("points_of_percent", number=n))
    return value, value_shown


def best_ratio(value: Fraction, best: Fraction, lower: bool) -> Fraction:
    """value ÷ best (best ÷ value when lower is better). An entity at the best value measures
    100%, also when that value is 0 with lower-is-better; with higher-is-better a best of 0
    means nobody achieved anything, and everyone measures 0%."""
    if value == best:
        return Fraction(1) if (best != 0 or lower) else Fraction(0)
    if lower:
        return best / value            # value > best ≥ 0 here
    return value / best                # best > value ≥ 0 here


def measure_value(result) -> tuple[Fraction, bool]:
    """The raw value an entity is compared on (ranked, best, mean), and whether it is a percentage."""
    return result.value, result.percent
