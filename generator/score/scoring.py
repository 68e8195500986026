"""Scoring an assessment, in FORMAT.md's order, as pure functions of model values:

1. each indicator on the entity's own result (the first pass);
2. the rules that look across the assessment — ranked, relative to the best or the mean —
   once every entity's own results are known (the second pass);
3. sections (pools clamped to 0 … their points), the base (rescaled when not-applicable
   indicators are left out), bonus sections (capped), adjustments, the total (never below 0);
4. ranks by total; the grade by total; veto effects; grade quotas, in rank order.

Each indicator's points are rounded half-up to the rubric's precision, once; sections and
totals are exact sums of those rounded points, so the printed parts always add up to the
printed total. Measures, means and ratios stay exact; only points are rounded."""

from __future__ import annotations

import copy
import dataclasses
import math
import operator
from decimal import Decimal
from fractions import Fraction
from sys import intern

from ..model import (AdjustmentLine, Clamp, EntityResult, Entry, GradeNote, Indicator, IndicatorScore, Rubric,
                     ScoreSheet, Section)
from ..numbers import canonical, plain, round_half_up
from ..rules import Reference, words

ZERO = Decimal(0)

NOT_ASSESSED = {"zh-CN": "未评估", "en": "not assessed"}
NOT_APPLICABLE = {"zh-CN": "不适用", "en": "not applicable"}


def _say(table: dict, language: str) -> str:
    return table.get(language, table["zh-CN"])


# --- the first pass: each indicator on the entity's own result -------------------------------

def score_indicator(indicator: Indicator, entry: Entry | None, precision: int, language: str = "zh-CN",
                    rescale: bool = False, ref: Reference | None = None) -> IndicatorScore:
    """One indicator's points, status and explanation ("92.5% ≥ 90% → 3/5")."""
    maximum = plain(indicator.points)
    if entry is None:
        return IndicatorScore(indicator, None, ZERO, None, "not_assessed",
                              intern(f"{_say(NOT_ASSESSED, language)} → 0/{maximum}"))
    if entry.not_applicable:
        because = _say(NOT_APPLICABLE, language) + ("：" if language != "en" else ": ") + entry.reason
        return IndicatorScore(indicator, entry, ZERO, None, "not_applicable", intern(because), excluded=rescale)
    rule = indicator.rule
    floor = not (indicator.pooled and rule.lifts_floor)
    outcome = rule.score(entry.result, Fraction(indicator.points), words(rule, language), floor=floor, ref=ref)
    computed = round_half_up(outcome.points, precision)
    points = entry.override.points if entry.override else computed
    # (explanations repeat: a national project's 400,000 scores say some 10,000 different things)
    return IndicatorScore(indicator, entry, points, computed, status_of(indicator, entry, points),
                          intern(f"{outcome.because} → {plain(computed)}/{maximum}"))


def status_of(indicator: Indicator, entry: Entry, points: Decimal) -> str:
    if indicator.is_condition:
        return "full" if entry.result else "zero"
    if points > indicator.points:
        return "bonus"
    if points == indicator.points:
        return "full"
    return "zero" if points <= 0 else "partial"


def score_own(rubric: Rubric, sheet: ScoreSheet, language: str = "zh-CN") -> dict[str, IndicatorScore]:
    """Every indicator an entity's own result decides; rules across entities are left out."""
    rescale = rubric.not_applicable == "rescale"
    return {key: score_indicator(indicator, sheet.entries.get(key), rubric.precision, language, rescale)
            for key, indicator in rubric.indicators.items() if not indicator.rule.cross}


# --- the second pass: rules that look across the assessment -----------------------------------

def references(indicator: Indicator, sheets: list[ScoreSheet]) -> dict[str, Reference]:
    """For each entity assessed on a cross-entity indicator: the best value, the mean and its
    place. Entities not assessed or not applicable on it are left out of all three."""
    rule = indicator.rule
    values = {}
    for sheet in sheets:
        entry = sheet.entries.get(indicator.key)
        if entry is not None and not entry.not_applicable:
            values[sheet.entity] = rule.measure(entry.result)
    if not values:
        return {}
    percent = next(iter(values.values()))[1]
    numbers = {entity: value for entity, (value, _) in values.items()}
    lower = getattr(rule, "order", "higher") == "lower"
    best = min(numbers.values()) if lower else max(numbers.values())
    mean = sum(numbers.values(), Fraction(0)) / len(numbers)
    refs = {}
    for entity, value in numbers.items():
        better = sum(1 for other in numbers.values() if (other < value if lower else other > value))
        tied = sum(1 for other in numbers.values() if other == value) > 1
        refs[entity] = Reference(best, mean, better + 1, tied, len(numbers), percent)
    return refs


def score_across(rubric: Rubric, sheets: list[ScoreSheet], language: str = "zh-CN") -> dict[str, dict[str, IndicatorScore]]:
    """The cross-entity indicators' scores, by entity then indicator key."""
    rescale = rubric.not_applicable == "rescale"
    scored: dict[str, dict[str, IndicatorScore]] = {sheet.entity: {} for sheet in sheets}
    for key, indicator in rubric.indicators.items():
        if not indicator.rule.cross:
            continue
        refs = references(indicator, sheets)
        for sheet in sheets:
            scored[sheet.entity][key] = score_indicator(indicator, sheet.entries.get(key), rubric.precision, language,
                                                        rescale, refs.get(sheet.entity))
    return scored


# --- totals -----------------------------------------------------------------------------------

def total_entity(rubric: Rubric, sheet: ScoreSheet, scores: dict[str, IndicatorScore]) -> EntityResult:
    """Sections, base, bonus, adjustments and total for one entity; grades come later."""
    sections: dict[str, Decimal] = {}
    section_max: dict[str, Decimal] = {}
    clamps: list[Clamp] = []
    for top in rubric.sections:
        _total_section(top, scores, sections, section_max, clamps)
    sections = {s.key: sections[s.key] for s in rubric.walk_sections()}          # outermost first, as printed
    section_max = {s.key: section_max[s.key] for s in rubric.walk_sections()}
    base_raw = sum((sections[s.key] for s in rubric.base_sections), Decimal(0))
    applicable = sum((section_max[s.key] for s in rubric.base_sections), Decimal(0))
    rescaled = applicable != rubric.points
    base = base_raw
    if rescaled:
        base = round_half_up(Fraction(base_raw) * Fraction(rubric.points) / Fraction(applicable),
                             rubric.precision) if applicable else Decimal(0)
    bonus_raw = sum((sum((scores[i.key].points for i in s.all_indicators()), Decimal(0))
                     for s in rubric.bonus_sections), Decimal(0))
    bonus = sum((sections[s.key] for s in rubric.bonus_sections), Decimal(0))
    lines, adjusted = _adjustments(rubric, sheet)
    total = max(base + bonus + adjusted, Decimal(0))
    return EntityResult(entity=sheet.entity, sheet=sheet, scores=scores, sections=sections, raw_total=base_raw,
                        total=total, applicable_points=applicable, grade="", rescaled=rescaled,
                        section_max=section_max, base=base, bonus=bonus, bonus_raw=bonus_raw, adjustments=lines,
                        adjustments_total=adjusted, clamps=tuple(clamps))


def _total_section(section: Section, scores, sections, section_max, clamps) -> None:
    """A section's points: the sum below it; a pool kept within 0 … its (applicable) points,
    a bonus section capped at its points."""
    for child in section.sections:
        _total_section(child, scores, sections, section_max, clamps)
    raw = sum((sections[c.key] for c in section.sections), Decimal(0)) + \
        sum((scores[i.key].points for i in section.indicators), Decimal(0))
    applicable = sum((section_max[c.key] for c in section.sections), Decimal(0)) + \
        sum((i.points for i in section.indicators if not scores[i.key].excluded), Decimal(0))
    if section.bonus:
        applicable = section.points
    section_max[section.key] = canonical(applicable)
    kept = raw
    if section.pool or section.bonus:
        kept = min(max(raw, Decimal(0)), applicable)
        if kept != raw:
            clamps.append(Clamp(section.key, raw, kept))
    sections[section.key] = canonical(kept)


def _adjustments(rubric: Rubric, sheet: ScoreSheet) -> tuple[tuple[AdjustmentLine, ...], Decimal]:
    """加减分项: each item per occurrence; the minus side and the plus side capped on their own."""
    if rubric.adjustments is None or not sheet.adjustments:
        return (), Decimal(0)
    lines = tuple(AdjustmentLine(item, sheet.adjustments[item.key], item.per * sheet.adjustments[item.key])
                  for item in rubric.adjustments.items if sheet.adjustments.get(item.key))
    minus = sum((line.amount for line in lines if line.amount < 0), Decimal(0))
    plus = sum((line.amount for line in lines if line.amount > 0), Decimal(0))
    if rubric.adjustments.minus_most is not None:
        minus = max(minus, -rubric.adjustments.minus_most)
    if rubric.adjustments.plus_most is not None:
        plus = min(plus, rubric.adjustments.plus_most)
    return lines, minus + plus


# --- ranks, grades, veto effects, quotas --------------------------------------------------------

def rank(results: list[EntityResult], ranking: str = "competition") -> list[EntityResult]:
    """Highest total first. Competition ranks (1, 2, 2, 4), the common reading of 第N名, or dense
    (1, 2, 2, 3); tied totals share a rank either way and are marked tied (并列)."""
    ordered = sorted(results, key=lambda r: (-r.total, r.entity))
    counts: dict[Decimal, int] = {}
    for result in ordered:
        counts[result.total] = counts.get(result.total, 0) + 1
    distinct = 0
    for place, result in enumerate(ordered, start=1):
        first_of_tie = place == 1 or ordered[place - 2].total != result.total
        if first_of_tie:
            distinct += 1
            result.rank = place if ranking == "competition" else distinct
        else:
            result.rank = ordered[place - 2].rank
        result.tied = counts[result.total] > 1
    return ordered


def grade(rubric: Rubric, ranked: list[EntityResult]) -> None:
    """The grade by total, then veto effects, then quotas in rank order (FORMAT.md's order)."""
    if not rubric.grades:
        return
    for result in ranked:
        result.grade_by_total = result.grade = rubric.grade_for(result.total)
        _apply_vetoes(rubric, result)
    _apply_quotas(rubric, ranked)


def _apply_vetoes(rubric: Rubric, result: EntityResult) -> None:
    """一票否决 and its milder forms. A scoring veto item triggers on 0 points or when not
    assessed; a condition item (points: 0) on `no`. Several effects: the lowest grade any of
    them gives; down_one applies once."""
    triggered = [(key, score.indicator.veto) for key, score in result.scores.items() if score.indicator.veto
                 and (score.status in ("zero", "not_assessed") if not score.indicator.is_condition
                      else score.entry is not None and score.status == "zero")]
    result.vetoed_by = tuple(key for key, _ in triggered)
    if not triggered:
        return
    lowest = len(rubric.grades) - 1
    now = rubric.grade_index(result.grade)
    outcomes = []
    for key, veto in triggered:
        if veto.effect == "lowest":
            outcomes.append(lowest)
        elif veto.effect == "not_top":
            outcomes.append(min(max(now, 1), lowest))
        elif veto.effect == "down_one":
            outcomes.append(min(now + 1, lowest))
        else:
            outcomes.append(max(now, rubric.grade_index(veto.grade)))
    worst = max(outcomes)
    effects = tuple(dict.fromkeys(veto.effect if veto.effect != "grade" else f"grade:{veto.grade}"
                                  for _, veto in triggered))
    if worst != now:
        result.grade_notes += (GradeNote("veto", result.grade, rubric.grades[worst].label, result.vetoed_by,
                                         ",".join(effects)),)
        result.grade = rubric.grades[worst].label
    elif result.vetoed_by:
        result.grade_notes += (GradeNote("veto", result.grade, result.grade, result.vetoed_by, ",".join(effects)),)


def _apply_quotas(rubric: Rubric, ranked: list[EntityResult]) -> None:
    """优秀不超过总数的15%: in rank order, a grade with a quota goes to at most ⌊quota × n⌋
    entities; those tied at the edge all move down together, to the next grade down, where
    they count toward that grade's quota. A vetoed entity takes no quota place."""
    n = len(ranked)
    for index, level in enumerate(rubric.grades[:-1]):
        if level.quota is None:
            continue
        places = math.floor(level.quota * n)
        holders = [r for r in ranked if r.grade == level.label and not r.vetoed_by]
        if len(holders) <= places:
            continue
        cut = places
        while 0 < cut < len(holders) and holders[cut].total == holders[cut - 1].total:
            cut -= 1                              # tied at the edge: they all move down together
        lower = rubric.grades[index + 1].label
        for result in holders[cut:]:
            result.grade_notes += (GradeNote("quota", level.label, lower, effect=level.quota_text, places=places,
                                             entities=n),)
            result.grade = lower


# --- the whole assessment ------------------------------------------------------------------------

def score_assessment(rubric: Rubric, sheets: list[ScoreSheet], language: str = "zh-CN",
                     own: dict[str, dict[str, IndicatorScore]] | None = None, total=None) -> list[EntityResult]:
    """Every entity of one assessment, scored in both passes, ranked and graded.
    `own` may hold first-pass scores already computed, and `total(sheet, scores)` may give an
    entity's totals from a memo (a preview reuses both); either is an unranked EntityResult of
    the caller's own, which ranking and grading then change."""
    own = own if own is not None else {sheet.entity: score_own(rubric, sheet, language) for sheet in sheets}
    across = score_across(rubric, sheets, language)
    results = []
    for sheet in sheets:
        merged = {**own[sheet.entity], **across[sheet.entity]}
        scores = {key: merged[key] for key in rubric.indicators}          # in the rubric's order
        results.append(total(sheet, scores) if total else total_entity(rubric, sheet, scores))
    ranked = rank(results, rubric.ranking)
    grade(rubric, ranked)
    return ranked


# --- a whole project, remembered between runs of a long-lived process ------------------------------

class ScoreMemo:
    """Scores kept while their inputs are the very same objects, so that a preview re-scores one
    entity after an edit and redoes only the cheap second pass and ranks of its assessment:

    - an entity's own scores while its score file and rubric are unchanged;
    - its totals (before ranks) while its sheet and every one of its scores are;
    - an assessment's results while every own score in it is.

    When something is scored anew, a score or result that comes out exactly as before (every
    field the same object, or the same text) is replaced by the one before, so the pages'
    fingerprints cached on it hold and nothing that reads it counts as changed."""

    def __init__(self):
        self.own: dict[str, tuple] = {}           # sheet path → ((language, sheet, rubric), scores)
        self.totals: dict[tuple, tuple] = {}      # (assessment, entity) → ((rubric, sheet, scores…), unranked)
        self.assessments: dict[str, tuple] = {}   # assessment id → ((language, rubric, sheets…, own…), results)
        self.changed = False                      # anything scored anew since it was made or restored

    def own_scores(self, rubric: Rubric, sheet: ScoreSheet, language: str) -> dict[str, IndicatorScore]:
        inputs = (language, sheet, rubric)
        hit = self.own.get(sheet.path)
        if hit is None or not _same_inputs(hit[0], inputs):
            scores = score_own(rubric, sheet, language)
            if hit is not None and hit[0][0] == language and hit[0][2] is rubric:
                scores = {key: _kept(hit[1].get(key), score) for key, score in scores.items()}
            hit = (inputs, scores)
            self.own[sheet.path] = hit
            self.changed = True
        return hit[1]

    def assessment(self, assessment_id: str, rubric: Rubric, sheets: list[ScoreSheet], language: str):
        own = {sheet.entity: self.own_scores(rubric, sheet, language) for sheet in sheets}
        inputs = (language, rubric, *sheets, *own.values())
        hit = self.assessments.get(assessment_id)
        if hit is None or not _same_inputs(hit[0], inputs):
            before = {r.entity: r for r in hit[1]} if hit is not None else {}
            results = score_assessment(rubric, sheets, language, own,
                                       total=lambda sheet, scores: self._total(assessment_id, rubric, sheet, scores))
            hit = (inputs, [_kept(before.get(r.entity), r) for r in results])
            self.assessments[assessment_id] = hit
            entities = {sheet.entity for sheet in sheets}
            for gone in [key for key in self.totals if key[0] == assessment_id and key[1] not in entities]:
                del self.totals[gone]                   # an entity no longer in the assessment
            self.changed = True
        return hit[1]

    def _total(self, assessment_id: str, rubric: Rubric, sheet: ScoreSheet, scores: dict) -> EntityResult:
        """An entity's totals before ranks: a copy of the memo's, which ranking and grading change."""
        inputs = (rubric, sheet, *scores.values())
        hit = self.totals.get((assessment_id, sheet.entity))
        if hit is None or len(hit[0]) != len(inputs) or not all(map(operator.is_, hit[0], inputs)):
            hit = (inputs, total_entity(rubric, sheet, scores))
            self.totals[(assessment_id, sheet.entity)] = hit
        return copy.copy(hit[1])


def _kept(before, now):
    """`before` when `now` is the same in every field — the very same object, or a small value
    with the same text (so 0.5 never stands in for 0.50) — else `now`."""
    if before is None or type(before) is not type(now):
        return now
    for name in _FIELDS.setdefault(type(now), tuple(f.name for f in dataclasses.fields(now))):
        a, b = getattr(before, name), getattr(now, name)
        if a is not b and not (type(a) is type(b) and _small(a) and repr(a) == repr(b)):
            return now
    return before


_FIELDS: dict[type, tuple[str, ...]] = {}


def _small(value) -> bool:
    """A value compared by its text: a plain value, a score file's entry or a frozen record; never
    a sheet, a rubric's indicator or a mapping (those must be the very same object)."""
    kind = type(value)
    return kind in (str, int, bool, Decimal, tuple, Entry) or getattr(kind, "__dataclass_params__", None) is not None \
        and kind.__dataclass_params__.frozen


def _same_inputs(before: tuple, now: tuple) -> bool:
    """The language equal, every other input the very same object."""
    return len(before) == len(now) and before[0] == now[0] and all(a is b for a, b in zip(before[1:], now[1:]))


def score_project(project, memo: ScoreMemo | None = None) -> dict[str, list[EntityResult]]:
    """Every assessment's results, ranked and graded."""
    memo = memo or ScoreMemo()
    return {aid: memo.assessment(aid, project.rubrics[a.rubric], list(a.sheets.values()), project.site.language)
            for aid, a in project.assessments.items()}
