"""Plain data: what the project is made of, once loaded and checked. No I/O here."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Optional

from .errors import Mark


# --- quantities and rules -------------------------------------------------------------

@dataclass(frozen=True)
class Quantity:
    """A measured value: `value` is exact (92.5% is 0.925); `text` is how it was written."""

    value: Fraction
    percent: bool
    text: str


Rule = object          # a rule kind's instance: see generator/rules/ (one class per kind)
Result = object        # what a score file's `result:` means under its rule, as the rule kind reads it


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
    quota: Optional[Fraction] = None     # 优秀不超过参评单位总数的15%: at most ⌊quota × n⌋ entities
    quota_text: str = ""                 # the quota as written: 15%


VETO_EFFECTS = ("lowest", "not_top", "down_one", "grade")


@dataclass(frozen=True)
class Veto:
    """一票否决 and its milder forms: the lowest grade (veto: true), not the top grade (否优),
    one grade lower (降一档), or at most a named grade."""

    effect: str = "lowest"
    grade: str = ""


@dataclass(frozen=True)
class AdjustmentItem:
    key: str
    per: Decimal          # signed: −3 for 通报批评每次扣3分, +2 for 表彰每次加2分
    label: str


@dataclass(frozen=True)
class Adjustments:
    """加减分项 outside the indicators, counted per occurrence, each side capped on its own."""

    items: tuple[AdjustmentItem, ...]
    minus_most: Optional[Decimal] = None
    plus_most: Optional[Decimal] = None

    def find(self, key: str) -> Optional[AdjustmentItem]:
        return next((item for item in self.items if item.key == key), None)


@dataclass
class Indicator:
    key: str                    # dot-joined path of ids: "1.2.1"
    id: str
    text: str
    points: Decimal             # the maximum
    method: str
    units: tuple[str, ...]      # unit ids
    rule: Rule
    veto: Optional[Veto] = None
    section_keys: tuple[str, ...] = ()   # enclosing sections, outermost first
    mark: Optional[Mark] = None
    pooled: bool = False                 # inside a section pool: deductions may go below 0
    in_bonus: bool = False               # inside a bonus section (附加分)

    @property
    def is_condition(self) -> bool:
        """A veto condition (points: 0, rule: check): no triggers the veto, nothing is scored."""
        return self.points == 0

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
    pool: bool = False          # its indicators share one floor and cap: 0 … points
    bonus: bool = False         # 附加分: not part of the base; points is a cap

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
    ranking: str = "competition"      # competition (1, 2, 2, 4) | dense (1, 2, 2, 3)
    adjustments: Optional[Adjustments] = None
    unreadable: frozenset = frozenset()   # keys of indicators that failed to load (reported with the rubric)

    @property
    def base_sections(self) -> list["Section"]:
        return [s for s in self.sections if not s.bonus]

    @property
    def bonus_sections(self) -> list["Section"]:
        return [s for s in self.sections if s.bonus]

    def grade_index(self, label: str) -> int:
        return next(n for n, grade in enumerate(self.grades) if grade.label == label)

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
    adjustments: dict[str, int] = field(default_factory=dict)    # adjustment key → how many times


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

    @property
    def period_key(self) -> tuple:
        """The period for ordering, numbers as numbers: 2026-9 comes before 2026-10."""
        return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                     for part in re.findall(r"[0-9]+|[^0-9]+", self.period))


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
    points: Decimal                # what counts: the override when there is one (negative only in a pool)
    computed: Optional[Decimal]    # what the rule gives; None when not assessed / not applicable
    status: str
    explanation: str
    excluded: bool = False         # not applicable under `not_applicable: rescale`: left out of the scale

    @property
    def lost(self) -> Decimal:
        """Points short of the maximum; nothing for an indicator left out of the scale or not
        assessed (未评估 is its own category, not a loss), nor for unearned bonus (附加分)."""
        if self.excluded or self.status == "not_assessed" or self.indicator.in_bonus:
            return Decimal(0)
        return max(self.indicator.points - self.points, Decimal(0))


@dataclass(frozen=True)
class AdjustmentLine:
    """One adjustment as applied: the item, how many times, and the signed amount."""

    item: AdjustmentItem
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Clamp:
    """A section pool's sum kept within 0 … its points: 合计−2，按0计."""

    section: str
    raw: Decimal
    kept: Decimal


@dataclass(frozen=True)
class GradeNote:
    """Why the grade is not the one the total reaches: a veto effect, or a quota."""

    kind: str                     # veto | quota
    from_grade: str
    to_grade: str
    keys: tuple[str, ...] = ()    # the veto indicators that gave it
    effect: str = ""              # the veto effect, or the quota as written (25%)
    places: int = 0               # ⌊quota × n⌋
    entities: int = 0             # n


@dataclass
class EntityResult:
    entity: str
    sheet: ScoreSheet
    scores: dict[str, IndicatorScore]
    sections: dict[str, Decimal]    # every section's points (a pool clamped; a bonus section capped)
    raw_total: Decimal              # the base before rescaling: the sum of the base's sections
    total: Decimal                  # base + bonus + adjustments, never below 0
    applicable_points: Decimal
    grade: str
    vetoed_by: tuple[str, ...] = ()
    rescaled: bool = False          # not-applicable indicators left out, base converted
    section_max: dict[str, Decimal] = field(default_factory=dict)   # each section's applicable points
    rank: int = 0
    tied: bool = False              # shares its rank with another entity (并列)
    base: Decimal = Decimal(0)      # the rubric's points scale: raw_total, or rescaled
    bonus: Decimal = Decimal(0)     # 附加分, each bonus section capped
    bonus_raw: Decimal = Decimal(0)
    adjustments: tuple[AdjustmentLine, ...] = ()
    adjustments_total: Decimal = Decimal(0)
    clamps: tuple[Clamp, ...] = ()
    grade_by_total: str = ""
    grade_notes: tuple[GradeNote, ...] = ()

    @property
    def assessed(self) -> int:
        return sum(score.status != "not_assessed" for score in self.scores.values())

    @property
    def not_assessed(self) -> list[IndicatorScore]:
        return [score for score in self.scores.values() if score.status == "not_assessed"]
