"""Plain data: what the project is made of, once loaded and checked. No I/O here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Optional, Union

from .errors import Mark


# --- quantities and rules -------------------------------------------------------------

@dataclass(frozen=True)
class Quantity:
    """A measured value: `value` is exact (92.5% is 0.925); `text` is how it was written."""

    value: Fraction
    percent: bool
    text: str


@dataclass(frozen=True)
class Check:
    """rule: check — yes earns the maximum, no earns 0."""

    kind = "check"


@dataclass(frozen=True)
class Level:
    key: str
    points: Decimal
    label: str


@dataclass(frozen=True)
class Levels:
    """rule: levels — the result names a level, which gives its points."""

    levels: tuple[Level, ...]
    kind = "levels"

    def find(self, key: str) -> Optional[Level]:
        return next((level for level in self.levels if level.key == key), None)


@dataclass(frozen=True)
class Step:
    """One step of a thresholds rule: met when the measure is ≥ bound (at_least) or > bound (above)."""

    bound: Quantity
    inclusive: bool
    points: Decimal


@dataclass(frozen=True)
class Thresholds:
    """rule: thresholds — the points of the highest step met, else 0."""

    steps: tuple[Step, ...]
    relative_to: Optional[str] = None
    kind = "thresholds"

    @property
    def percent(self) -> bool:
        return any(step.bound.percent for step in self.steps)


@dataclass(frozen=True)
class Deduct:
    """rule: deduct — max − per × missed, never below 0, plus any bonus, capped at cap."""

    per: Decimal
    bonus_every: Optional[int] = None
    bonus_points: Optional[Decimal] = None
    cap: Optional[Decimal] = None
    kind = "deduct"


@dataclass(frozen=True)
class Share:
    """rule: share — max × count / of."""

    kind = "share"


@dataclass(frozen=True)
class Linear:
    """rule: linear — max at full_at or above, else max − deduct × (full_at − x) / per, never below 0."""

    full_at: Quantity
    per: Quantity
    deduct: Decimal
    kind = "linear"


@dataclass(frozen=True)
class Judged:
    """rule: judged — the assessors give the points directly, in multiples of step."""

    step: Decimal
    kind = "judged"


@dataclass(frozen=True)
class Tally:
    """rule: tally — per × count, at most the maximum."""

    per: Decimal
    kind = "tally"


Rule = Union[Check, Levels, Thresholds, Deduct, Share, Linear, Judged, Tally]
RULE_KINDS = ("check", "levels", "thresholds", "deduct", "share", "linear", "judged", "tally")


# --- results, as read from score files for a given rule --------------------------------

@dataclass(frozen=True)
class Ratio:
    """{count: 7, of: 9}"""

    count: int
    of: int

    def as_quantity(self) -> Quantity:
        return Quantity(Fraction(self.count, self.of), True, f"{self.count}/{self.of}")


@dataclass(frozen=True)
class Change:
    """{value: 93%, baseline: 90%} for thresholds relative to a baseline."""

    value: Quantity
    baseline: Quantity


@dataclass(frozen=True)
class Missed:
    """{missed: 2} or {missed: 0, extra: 7} for deduct rules."""

    missed: int
    extra: int = 0


Result = Union[bool, str, Quantity, Ratio, Change, Missed, Decimal, int]


# --- the registry of units -------------------------------------------------------------

UNIT_KINDS = ("department", "city", "county", "association", "bank", "office", "group")


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    short: str = ""
    aliases: tuple[str, ...] = ()
    kind: str = "department"
    members: tuple[str, ...] = ()
    mark: Optional[Mark] = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """The name people use day to day."""
        return self.short or self.name

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, self.name, *((self.short,) if self.short else ()), *self.aliases)


# --- rubrics ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Grade:
    min: Decimal
    label: str


@dataclass
class Indicator:
    key: str                    # dot-joined path of ids: "1.2.1"
    id: str
    text: str
    points: Decimal             # the maximum
    method: str
    units: tuple[str, ...]      # unit ids
    rule: Rule
    veto: bool = False
    section_keys: tuple[str, ...] = ()   # enclosing sections, outermost first
    mark: Optional[Mark] = None

    @property
    def section_key(self) -> str:
        return self.section_keys[-1]


@dataclass
class Section:
    key: str
    id: str
    title: str
    points: Decimal             # sum of what is below it
    declared: Optional[Decimal]
    sections: list["Section"]
    indicators: list[Indicator]
    depth: int = 1
    mark: Optional[Mark] = None

    def walk(self):
        """This section and every section below it, depth first."""
        yield self
        for child in self.sections:
            yield from child.walk()

    def all_indicators(self):
        for section in self.walk():
            yield from section.indicators


@dataclass
class Rubric:
    id: str
    title: str
    source: str
    points: Decimal
    precision: int
    grades: tuple[Grade, ...]
    sections: list[Section]
    not_applicable: str = "zero"      # zero | rescale
    description: str = ""
    path: str = ""
    indicators: dict[str, Indicator] = field(default_factory=dict)

    def walk_sections(self):
        for section in self.sections:
            yield from section.walk()

    def grade_for(self, total: Decimal) -> str:
        for grade in self.grades:
            if total >= grade.min:
                return grade.label
        return self.grades[-1].label if self.grades else ""

    @property
    def lowest_grade(self) -> str:
        return self.grades[-1].label if self.grades else ""


# --- assessments and score sheets ------------------------------------------------------

@dataclass(frozen=True)
class Notice:
    start: dt.date
    end: dt.date
    contact: str = ""


@dataclass(frozen=True)
class Evidence:
    title: str
    url: str = ""
    file: str = ""            # path under content/evidence/, posix
    sha256: str = ""


@dataclass(frozen=True)
class Override:
    points: Decimal
    reason: str


@dataclass
class Entry:
    """One indicator's entry in a score sheet."""

    key: str
    result: Optional[Result]
    not_applicable: bool = False
    reason: str = ""
    note: str = ""
    evidence: tuple[Evidence, ...] = ()
    override: Optional[Override] = None
    mark: Optional[Mark] = None


@dataclass
class ScoreSheet:
    entity: str
    path: str
    assessed_on: Optional[dt.date] = None
    assessors: tuple[str, ...] = ()
    note: str = ""
    entries: dict[str, Entry] = field(default_factory=dict)


@dataclass
class Assessment:
    id: str
    title: str
    rubric: str
    period: str
    status: str
    published_on: Optional[dt.date] = None
    notice: Optional[Notice] = None
    description: str = ""
    path: str = ""
    sheets: dict[str, ScoreSheet] = field(default_factory=dict)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class Site:
    title: str
    language: str = "zh-CN"
    base_url: str = ""
    theme: str = "default"
    description: str = ""
    sample_data: bool = False
    footer: str = ""
    sponsor: str = ""           # 主办单位
    organizer: str = ""         # 承办单位
    site_code: str = ""         # 网站标识码
    icp: str = ""               # ICP备案号
    police_record: str = ""     # 公安机关备案号


@dataclass
class Page:
    slug: str
    title: str
    body: str                 # Markdown
    path: str
    nav: bool = True
    order: int = 0
    description: str = ""
    draft: bool = False
    mark: Optional[Mark] = None


# --- scores, as computed ---------------------------------------------------------------

STATUSES = ("full", "partial", "zero", "bonus", "not_assessed", "not_applicable")


@dataclass
class IndicatorScore:
    indicator: Indicator
    entry: Optional[Entry]
    points: Decimal                # what counts: the override when there is one
    computed: Optional[Decimal]    # what the rule gives; None when not assessed / not applicable
    status: str
    explanation: str
    excluded: bool = False         # not applicable under `not_applicable: rescale`: left out of the scale

    @property
    def lost(self) -> Decimal:
        """Points short of the maximum; nothing for an indicator left out of the scale."""
        return Decimal(0) if self.excluded else max(self.indicator.points - self.points, Decimal(0))


@dataclass
class EntityResult:
    entity: str
    sheet: ScoreSheet
    scores: dict[str, IndicatorScore]
    sections: dict[str, Decimal]
    raw_total: Decimal              # the exact sum of the rounded indicator points
    total: Decimal                  # raw_total, or converted to the rubric's scale (按百分制折算)
    applicable_points: Decimal
    grade: str
    vetoed_by: tuple[str, ...] = ()
    rescaled: bool = False          # not-applicable indicators left out, total converted
    section_max: dict[str, Decimal] = field(default_factory=dict)   # each section's applicable points
    rank: int = 0

    @property
    def assessed(self) -> int:
        return sum(score.status != "not_assessed" for score in self.scores.values())
