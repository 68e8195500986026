"""The computed results as data: JSON (FORMAT.md "Computed output") and CSV for Excel.

Numbers are written as the decimal literals they were rounded to — 27.22, never
27.219999999999999 — so the JSON is written by hand rather than through floats.

The JSON is the stable machine format: English keys and status codes, whatever the site's
language. The CSV is for people opening it in Excel: its headers and words are in the
site's language (满分, 部分得分 … in a zh-CN site), from the same catalogue as the pages."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from ..model import Assessment, EntityResult
from ..load.project import Project
from ..load.theme import catalogue
from ..numbers import plain

# the CSV's columns; each header is the UI string csv_<column> in the site's language
CSV_COLUMNS = ("assessment", "title", "period", "entity", "name", "rank", "tied", "total", "base", "bonus", "adjustments",
               "grade", "indicator", "section", "text", "max", "points", "computed", "status", "explanation",
               "override_reason", "units")


def assessment_data(project: Project, assessment: Assessment) -> dict:
    """One assessment and its ranked results as plain data."""
    rubric = project.rubric_of(assessment)
    return {
        "id": assessment.id, "title": assessment.title, "rubric": rubric.id, "period": assessment.period,
        "status": assessment.status, "max_points": rubric.points,
        "results": [result_data(project, result) for result in project.results[assessment.id]],
    }


def result_data(project: Project, result: EntityResult) -> dict:
    data = {
        "entity": result.entity, "name": project.units[result.entity].name, "total": result.total,
        "base": result.base, "bonus": result.bonus, "adjustments": [
            {"key": line.item.key, "label": line.item.label, "count": line.count, "amount": line.amount}
            for line in result.adjustments],
        "grade": result.grade, "rank": result.rank, "tied": result.tied, "assessed": result.assessed,
        "indicators_total": len(result.scores), "sections": result.sections,
        "indicators": {key: _indicator_data(score) for key, score in result.scores.items()},
    }
    if result.adjustments:
        data["adjustments_total"] = result.adjustments_total
    if result.rescaled:
        data.update(raw_total=result.raw_total, applicable_points=result.applicable_points)
    if result.vetoed_by:
        data["vetoed_by"] = list(result.vetoed_by)
    if result.grade_notes:
        data["grade_by_total"] = result.grade_by_total
    return data


def _indicator_data(score) -> dict:
    data = {"points": score.points, "max": score.indicator.points, "status": score.status,
            "explanation": score.explanation}
    if score.entry and score.entry.override:
        data.update(computed=score.computed, override={"points": score.entry.override.points,
                                                       "reason": score.entry.override.reason})
    return data


def strings(project: Project) -> dict[str, str]:
    """The interface strings of the project's site: the built-in catalogue, and its theme's own."""
    return {**catalogue(project.site.language), **(project.theme.strings if project.theme else {})}


def export_json(project: Project, assessments: list[Assessment]) -> str:
    """{"assessments": […]} as FORMAT.md shows it."""
    return to_json({"assessments": [assessment_data(project, a) for a in assessments]}) + "\n"


def export_csv(project: Project, assessments: list[Assessment]) -> str:
    """One row per entity × indicator, with headers and words in the site's language.
    The caller writes it as UTF-8 with a byte-order mark."""
    words = strings(project)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(cells(words[f"csv_{column}"] for column in CSV_COLUMNS))
    for assessment in assessments:
        for row in result_rows(project, assessment, words):
            writer.writerow(cells(row))
    return out.getvalue()


def result_rows(project: Project, assessment: Assessment, words: dict[str, str]):
    """The values of CSV_COLUMNS, one row per entity × indicator, ranked (for every tabular export)."""
    rubric = project.rubric_of(assessment)
    sections = {s.key: s for s in rubric.walk_sections()}
    paths = {key: words["csv_section_separator"].join(sections[k].title for k in indicator.section_keys)
             for key, indicator in rubric.indicators.items()}
    duties = {key: "、".join(project.units[u].label for u in indicator.units)
              for key, indicator in rubric.indicators.items()}
    for result in project.results[assessment.id]:
        for key, score in result.scores.items():
            indicator, entry = score.indicator, score.entry
            yield (assessment.id, assessment.title, assessment.period, result.entity,
                   project.units[result.entity].name, result.rank,
                   words["csv_tied_yes"] if result.tied else "", result.total, result.base, result.bonus,
                   result.adjustments_total, result.grade, key, paths[key], indicator.text, indicator.points,
                   score.points, score.computed, words[f"status_{score.status}"], score.explanation,
                   entry.override.reason if entry and entry.override else "",
                   duties[key])


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def cell(text: str) -> str:
    """Text for a spreadsheet cell: one that starts like a formula (= + - @, also full-width, or a
    tab or line break before one) would be run by Excel or WPS, so it is kept as text with a '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cells(values) -> list[str]:
    """One row of any tabular output: every text neutralised, numbers as the decimals they are."""
    return [_CELLS.get(type(value), _text)(value) for value in values]


def _text(value) -> str:
    return cell(str(value))


_CELLS = {type(None): lambda value: "", Decimal: plain, int: str, str: cell}    # anything else: as text


def to_json(value, indent: int = 1, level: int = 0) -> str:
    """JSON with Decimals as exact literals; two-space indented, keys in the order given."""
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{inner}{_quoted(str(k))}: {to_json(v, indent, level + 1)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + to_json(v, indent, level + 1) for v in value) + f"\n{pad}]"
    if isinstance(value, Decimal):
        return plain(value)
    if value is None or isinstance(value, (bool, int)):
        return "null" if value is None else "true" if value is True else "false" if value is False else str(value)
    return json.dumps(value, ensure_ascii=False)


_quoted = json.encoder.encode_basestring      # what json.dumps(text, ensure_ascii=False) writes, in C
