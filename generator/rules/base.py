"""What every rule kind shares: the base class, outcomes, the reference the other entities
give (for rules scored across the assessment), words, and small reading helpers.

A rule kind is one class in one module of this package: how it is read from a rubric
(`read`), how a result is read from a score file (`read_result`), how it scores
(`score`, pure: Fractions in, exact points out) and how it is said in words
(`describe`, and the explanation in `score`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from ..errors import Invalid, Mark, Problems, suggest
from ..load.schema import Field, read_map
from ..load.yamlio import Map, Scalar, Seq, describe, mark_of
from ..numbers import format_number, plain, round_half_up


@dataclass(frozen=True)
class Outcome:
    """Exact points before rounding, and why, in a few symbols and words."""

    points: Fraction
    because: str


@dataclass(frozen=True)
class Reference:
    """What the other entities assessed on one indicator say, for one entity (the second pass)."""

    best: Fraction | None = None        # the best value (highest, or lowest with order: lower)
    mean: Fraction | None = None        # the mean of every assessed entity's value, its own included
    place: int = 0                      # competition place: 1, 2, 2, 4
    tied: bool = False
    count: int = 0                      # entities compared
    percent: bool = False               # the values are percentages


class Kind:
    """A rule kind. Subclasses are frozen dataclasses holding the rule's settings."""

    name: ClassVar[str] = ""
    cross: ClassVar[bool] = False           # scored in the second pass, against the other entities
    lifts_floor: ClassVar[bool] = False     # inside a section pool, may go below 0 (deduct, linear)
    condition: ClassVar[bool] = False       # may carry points: 0 as a veto condition (check)

    @classmethod
    def read(cls, spec, maximum: Decimal, where: Mark, problems: Problems) -> "Kind | None":
        raise NotImplementedError

    def read_result(self, value, maximum: Decimal) -> Any:
        raise NotImplementedError

    def score(self, result, maximum: Fraction, say: "Words", floor: bool = True,
              ref: Reference | None = None) -> Outcome:
        raise NotImplementedError

    def describe(self, maximum: Decimal, say: "Words") -> str:
        raise NotImplementedError

    def written(self, result) -> str:
        """The result as it would be written in a score file (for history and diff)."""
        return str(result)

    def measure(self, result) -> tuple[Fraction, bool] | None:
        """For rules scored across entities: the value compared, and whether it is a percentage."""
        return None

    def stated_points(self) -> list[tuple[str, Decimal]]:
        """Every number of points the rule states, for the rubric's precision check."""
        return []

    def upper_limit(self, maximum: Decimal) -> Decimal | None:
        """The most points the rule can give (an override may not exceed it); None: no limit."""
        return maximum


class Words:
    """A kind's phrases in the site's language: `say("key", n=2)`."""

    def __init__(self, table: dict[str, dict[str, str]], language: str):
        self.table = table.get(language) or table["zh-CN"]
        self.language = language

    def __call__(self, phrase: str, /, **values) -> str:
        text = self.table[phrase]
        return text.format(**values) if values else text

    @property
    def zh(self) -> bool:
        return self.language != "en"


# --- numbers as explanations show them ---------------------------------------------------

def shown(value: Fraction, percent: bool) -> str:
    """A derived figure (a mean, a ratio, a best value) rounded half-up to 2 decimals: 92.67%, 51.2."""
    return plain(round_half_up(value * 100 if percent else value, 2)) + ("%" if percent else "")


def exact(value: Fraction) -> str:
    """An amount in an explanation: exact when it terminates within 4 decimals, else ≈ rounded."""
    return format_number(value)


def gap(value: Fraction, percent: bool, say_points) -> str:
    """A difference of two measures: in 个百分点 when they are percentages (3个百分点, never 3%)."""
    if not percent:
        return exact(value)
    return say_points(format_number(value * 100, 2))


COMMON = {
    "zh-CN": {"points_of_percent": "{number}个百分点", "floor": "，扣完为止", "sep": "；", "end": "。", "comma": "，"},
    "en": {"points_of_percent": "{number} percentage points", "floor": ", not below 0", "sep": "; ", "end": ".",
           "comma": ", "},
}


# --- reading helpers ----------------------------------------------------------------------

def fields(spec, table: dict[str, Field], problems: Problems, what: str, where: Mark) -> dict | None:
    """read_map, where a missing required field makes the whole rule unusable (None)."""
    found = read_map(spec, table, problems, what, where)
    if found is None or any(f.required and found.get(k) is None for k, f in table.items()):
        return None
    return found


def no_settings(spec, where: Mark, kind: str) -> None:
    if spec is not None and not (isinstance(spec, Scalar) and spec.is_null) and spec != {}:
        raise Invalid(f"expected no settings for the {kind} rule, got {describe(spec)}",
                      f"write `rule: {kind}`", where)


def items_of(spec, where: Mark, what: str, example: str) -> list:
    if not isinstance(spec, Seq) or not spec:
        raise Invalid(f"expected a list of {what}, got {describe(spec)}", f"e.g. - {example}", where)
    return list(spec)


def exact_map(value, parsers: dict, example: str, optional: tuple = ()) -> dict:
    """A small result mapping with exactly these keys; the first problem is raised."""
    if not isinstance(value, Map):
        guess = ""
        if isinstance(value, Scalar) and len(parsers) == 1:
            guess = f"did you mean {{{next(iter(parsers))}: {value}}}?"
        raise Invalid(f"expected {example}, got {describe(value)}", guess or f"write it as {example}")
    for key in value:
        if key not in parsers:
            raise Invalid(f"expected the keys {', '.join(parsers)}, got the unknown key {key!r}",
                          suggest(key, parsers, "keys"), value.key_mark(key))
    result = {}
    for key, parse in parsers.items():
        if key not in value:
            if key in optional:
                continue
            raise Invalid(f"expected the key {key!r} in {example}, got no such key", f"write it as {example}",
                          value.mark)
        try:
            result[key] = parse(value[key])
        except Invalid as error:
            raise Invalid(error.message, error.hint, error.mark or value.value_mark(key)) from None
    return result


def word(value) -> str:
    if not isinstance(value, Scalar):
        raise Invalid(f"expected a single word, got {describe(value)}")
    return str(value).strip()


def at(value, fallback: Mark) -> Mark:
    return mark_of(value, fallback)
