"""Scoring a score sheet against its rubric, then grading and ranking.

Each indicator's points are rounded half-up to the rubric's precision; section
and entity totals are exact sums of those rounded points, so the printed parts
always add up to the printed total."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ..model import EntityResult, Entry, Indicator, IndicatorScore, Rubric, ScoreSheet
from .rules import score
from ..numbers import plain, round_half_up

NOT_ASSESSED = {"zh-CN": "未评估", "en": "not assessed"}
NOT_APPLICABLE = {"zh-CN": "不适用", "en": "not applicable"}


def score_indicator(indicator: Indicator, entry: Entry | None, precision: int,
                    language: str = "zh-CN", rescale: bool = False) -> IndicatorScore:
    """One indicator's points, status and explanation ("92.5% ≥ 90% → 3/5")."""
    maximum = plain(indicator.points)
    if entry is None:
        return IndicatorScore(indicator, None, Decimal(0), None, "not_assessed",
                              f"{_say(NOT_ASSESSED, language)} → 0/{maximum}")
    if entry.not_applicable:
        because = _say(NOT_APPLICABLE, language) + (f"：{entry.reason}" if language != "en" else f": {entry.reason}")
        return IndicatorScore(indicator, entry, Decimal(0), None, "not_applicable", because, excluded=rescale)
    outcome = score(indicator.rule, entry.result, indicator.points, language)
    computed = round_half_up(outcome.points, precision)
    points = entry.override.points if entry.override else computed
    return IndicatorScore(indicator, entry, points, computed, status_of(points, indicator.points),
                          f"{outcome.because} → {plain(computed)}/{maximum}")


def status_of(points: Decimal, maximum: Decimal) -> str:
    if points > maximum:
        return "bonus"
    if points == maximum:
        return "full"
    return "zero" if points == 0 else "partial"


def _say(words: dict, language: str) -> str:
    return words.get(language, words["zh-CN"])


def score_sheet(rubric: Rubric, sheet: ScoreSheet, language: str = "zh-CN") -> EntityResult:
    """Every indicator of the rubric for one entity, with section totals, total and grade."""
    rescale = rubric.not_applicable == "rescale"
    scores = {key: score_indicator(indicator, sheet.entries.get(key), rubric.precision, language, rescale)
              for key, indicator in rubric.indicators.items()}
    sections = {section.key: sum((scores[i.key].points for i in section.all_indicators()), Decimal(0))
                for section in rubric.walk_sections()}
    section_max = {section.key: sum((i.points for i in section.all_indicators() if not scores[i.key].excluded),
                                    Decimal(0)) for section in rubric.walk_sections()}
    raw_total = sum((s.points for s in scores.values()), Decimal(0))
    applicable = sum((s.indicator.points for s in scores.values() if not s.excluded), Decimal(0))
    total = raw_total
    rescaled = applicable != rubric.points
    if rescaled:
        total = round_half_up(Fraction(raw_total) * Fraction(rubric.points) / Fraction(applicable),
                              rubric.precision) if applicable else Decimal(0)
    # 一票否决 when a veto indicator scores 0 — and an indicator not assessed counts 0
    vetoed_by = tuple(key for key, s in scores.items() if s.indicator.veto and s.status in ("zero", "not_assessed"))
    grade = rubric.lowest_grade if vetoed_by else rubric.grade_for(total)
    return EntityResult(entity=sheet.entity, sheet=sheet, scores=scores, sections=sections,
                        raw_total=raw_total, total=total, applicable_points=applicable,
                        grade=grade, vetoed_by=vetoed_by, rescaled=rescaled, section_max=section_max)


def rank(results: list[EntityResult]) -> list[EntityResult]:
    """Highest total first; competition ranks (1, 2, 2, 4), the common reading of 第N名:
    tied totals share a rank, and the next rank counts every entity placed above it."""
    ordered = sorted(results, key=lambda r: (-r.total, r.entity))
    for place, result in enumerate(ordered, start=1):
        tied_above = place > 1 and result.total == ordered[place - 2].total
        result.rank = ordered[place - 2].rank if tied_above else place
    return ordered
