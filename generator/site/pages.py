"""Planning the site: which pages exist (plans: small values), and what each one shows
(builders: one per kind of page, reading the project through the View, which records
what each page read). Every figure a template prints is computed here or in scoring;
templates only display. Two pages with one path are an error.

A plan is data — url, template, the builder's name and the ids it takes — so it can go to
a worker process or into the cache; the builder runs where the page is rendered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Callable
from urllib.parse import urlsplit

from . import urls
from ..model import Assessment, EntityResult, Indicator, Rubric, Section, Unit
from ..load.project import Project
from ..numbers import round_half_up
from ..rules import describe_rule
from .view import View, tied

# the bar chart's geometry, in SVG viewBox units (16-unit text): each entity's name on one
# line and its bar below, 320 units wide, so that a phone (320 px inside its margins) shows
# the text at 16 px or more
CHART_WIDTH, CHART_BAR_WIDTH, CHART_ROW = 320, 260, 46



@dataclass(frozen=True)
class PagePlan:
    """One page to render: where it goes, its template, and the builder (by name) and ids that
    make its data. Small and picklable."""

    url: str
    template: str
    kind: str
    args: tuple = ()
    draft: bool = False


class PlanError(Exception):
    """The site cannot be planned, e.g. two pages want one path."""


BUILDERS: dict[str, Callable[..., dict]] = {}


def builder(kind: str):
    """Register a page builder: (view, *ids) → the template's data."""
    def register(function):
        BUILDERS[kind] = function
        return function
    return register


def build_context(view: View, plan: PagePlan) -> dict:
    """A page's data, built through the view (which records what it reads)."""
    return BUILDERS[plan.kind](view, *plan.args)


def plan_site(view: View) -> list[PagePlan]:
    """Every page of the site, in a stable order: cheap, from the project's structure alone."""
    project = view.project
    any_draft = any(a.is_draft for a in view.shown)
    plans = [PagePlan(urls.HOME, "home.html", "home", draft=any_draft),
             PagePlan(urls.ASSESSMENTS, "assessments.html", "assessments", draft=any_draft),
             PagePlan(urls.RUBRICS, "rubrics.html", "rubrics"),
             PagePlan(urls.UNITS, "units.html", "units"),
             PagePlan(urls.CHANGES, "changes.html", "changes", draft=any_draft)]
    for assessment in view.shown:
        aid, draft = assessment.id, assessment.is_draft
        plans.append(PagePlan(urls.assessment(aid), "assessment.html", "ranking", (aid,), draft))
        for result in project.results[aid]:
            plans.append(PagePlan(urls.scorecard(aid, result.entity), "scorecard.html", "scorecard",
                                  (aid, result.entity), draft))
            plans.append(PagePlan(urls.print_stylesheet(aid, result.entity), "print.css", "print_stylesheet",
                                  (aid, result.entity), draft))
    drafts = [a for a in view.shown if a.is_draft]       # (a national site shows 1,000 assessments)
    for rubric in project.rubrics.values():
        drafts_of = any(a.rubric == rubric.id for a in drafts)
        plans.append(PagePlan(urls.rubric(rubric.id), "rubric.html", "method", (rubric.id,), drafts_of))
        plans.extend(PagePlan(urls.indicator(rubric.id, key), "indicator.html", "indicator", (rubric.id, key), drafts_of)
                     for key in rubric.indicators)
    for unit in project.units.values():
        plans.append(PagePlan(urls.unit(unit.id), "unit.html", "unit", (unit.id,), _unit_draft(view, unit, drafts)))
    plans.extend(PagePlan(urls.page(page.slug), "page.html", "page", (page.slug,), page.draft)
                 for page in project.pages.values() if view.drafts or not page.draft)
    plans.append(PagePlan(urls.NOT_FOUND, "404.html", "not_found"))
    _check_unique(plans)
    return plans


def _unit_draft(view: View, unit: Unit, drafts: list) -> bool:
    """A unit page shows draft data when a draft assessment (among `drafts`, those shown) is
    among its duties or its own results."""
    if not drafts:
        return False
    answerable = (unit.id, *(g.id for g in view.groups_of.get(unit.id, ())))
    rubrics = {rid for who in answerable for rid in view._duties.get(who, {})}
    return any(a.rubric in rubrics or unit.id in a.sheets for a in drafts)


def served_root(base_url: str) -> str:
    """Where the site's root is on its web server, as a path: the base URL's path (/kaohe/),
    or / when there is no base URL (the site at the root of its host)."""
    path = urlsplit(base_url).path if base_url else "/"
    return path if path.endswith("/") else path + "/"


def _check_unique(plans: list[PagePlan]) -> None:
    seen: dict[str, PagePlan] = {}
    for plan in plans:
        if plan.url in seen:
            raise PlanError(f"two pages want the same path {plan.url}: {seen[plan.url].template} and {plan.template}")
        seen[plan.url] = plan


# --- home and indexes ------------------------------------------------------------------

@builder("home")
def build_home(view: View) -> dict:
    # the top three places, ties included: a 3rd place shared by two shows both
    cards = [{"assessment": a, "rubric": view.rubric_of(a), "top": [r for r in view.results(a) if r.rank <= 3],
              "tied": tied(view.results(a)), "entities": view.entity_count(a)} for a in view.assessments]
    notices = [a for a in view.assessments if view.notice_state(a) == "running"]
    return {"cards": cards, "notices": notices}


@builder("assessments")
def build_assessment_index(view: View) -> dict:
    return {"rows": [{"assessment": a, "rubric": view.rubric_of(a), "entities": view.entity_count(a)}
                     for a in view.assessments]}


@builder("rubrics")
def build_rubric_index(view: View) -> dict:
    return {"rows": [{"rubric": r, "assessments": view.of_rubric(r.id)} for r in view.rubrics]}


@builder("units")
def build_unit_index(view: View) -> dict:
    kinds: dict[str, list[Unit]] = {}
    for unit in view.units().values():
        kinds.setdefault(unit.kind, []).append(unit)
    return {"kinds": kinds}


@builder("not_found")
def build_not_found(view: View) -> dict:
    return {"served_root": served_root(view.project.site.base_url)}


# --- an assessment: its ranking and one scorecard per entity -------------------------

@builder("ranking")
def build_ranking(view: View, assessment_id: str) -> dict:
    assessment = view.assessment(assessment_id)
    rubric = view.rubric_of(assessment)
    results = view.results(assessment)
    scale = max([rubric.points, *(r.total for r in results)])
    bars = [{"result": r, "y": n * CHART_ROW, **_bar(r.total, scale)} for n, r in enumerate(results)]
    chart = {"width": CHART_WIDTH, "height": len(results) * CHART_ROW + 4}
    return {"assessment": assessment, "rubric": rubric, "results": results, "bars": bars, "chart": chart,
            "tied": tied(results), "sections": rubric.sections, "notice_running": view.notice_state(assessment)}


def _bar(value: Decimal, scale: Decimal) -> dict:
    """A bar's length and where its label goes, in the chart's viewBox units."""
    length = max(value, Decimal(0)) * CHART_BAR_WIDTH / scale if scale else Decimal(0)
    return {"length": format(length, ".1f"), "label_x": format(length + 6, ".1f")}


@builder("scorecard")
def build_scorecard(view: View, assessment_id: str, entity: str) -> dict:
    assessment = view.assessment(assessment_id)
    rubric = view.rubric_of(assessment)
    result = view.result(assessment, entity)
    previous = previous_result(view, assessment, entity)
    path = result.sheet.path
    return {
        "assessment": assessment, "rubric": rubric, "result": result, "entity": view.units()[entity],
        "tied": result.tied, "any_ties": view.any_ties(assessment),
        "previous": previous, "changes": _changes(result, previous), "lost_by_section": lost_by_section(rubric, result),
        "lost_by_unit": lost_by_unit(view.project, result), "entities": view.entity_count(assessment),
        "unassessed": [s for s in result.scores.values() if s.status == "not_assessed" and not s.indicator.in_bonus],
        "unassessed_points": sum(map(points_unassessed, result.scores.values()), Decimal(0)),
        "above_max": above_max(rubric, result),
        "total_parts": total_parts(rubric, result),
        "grade_notes": [grade_note(note, rubric, view.project.site.language) for note in result.grade_notes],
        "clamps": {clamp.section: clamp for clamp in result.clamps},
        "jump_sections": [(top.title, f"s-{top.key}") for top in rubric.sections],
        "evidence_files": [{"key": score.indicator.key, "evidence": item} for score in result.scores.values()
                           if score.entry for item in score.entry.evidence if item.file],
        "notice_running": view.notice_state(assessment),
        "print_sections": print_sections(rubric), "print_has_content": any(s.sections for s in rubric.sections),
        "print_has_units": any(i.units for i in rubric.indicators.values()),
        "revisions": list(reversed(view.history_of(path))) if view.history else None,
        "uncommitted": view.uncommitted(path),
    }


@builder("print_stylesheet")
def build_print_stylesheet(view: View, assessment_id: str, entity: str) -> dict:
    """The running header of a scorecard's printed sheet: CSS cannot read the entity's name
    from the page, and the pages carry no inline style, so each scorecard links its own."""
    return {"assessment": view.assessment(assessment_id), "entity": view.units()[entity]}


@builder("changes")
def build_changes(view: View) -> dict:
    """Every revision of a published score file, newest first, grouped by commit."""
    history = view.whole_history()
    where = {sheet.path: (a, entity) for a in view.assessments for entity, sheet in a.sheets.items()}
    by_commit: dict[str, dict] = {}
    for path, (assessment, entity) in where.items():
        for revision in history.of(path) if history else ():
            group = by_commit.setdefault(revision.commit.sha, {"commit": revision.commit, "files": []})
            group["files"].append({"revision": revision, "assessment": assessment, "entity": entity})
    order = {commit.sha: n for n, commit in enumerate(history.commits)} if history else {}
    commits = sorted(by_commit.values(), key=lambda g: order.get(g["commit"].sha, -1), reverse=True)
    for group in commits:
        group["files"].sort(key=lambda f: (f["assessment"].id, f["entity"]))
    return {"commits": commits, "history_available": history is not None}


def previous_result(view: View, assessment: Assessment, entity: str) -> dict | None:
    """The same entity in the latest earlier period under the same rubric, if any."""
    for earlier, result in view._own.get(entity, ()):
        if earlier.rubric == assessment.rubric and earlier.period_key < assessment.period_key:
            return {"assessment": view.assessment(earlier.id), "result": view.result(earlier, entity)}
    return None


def _changes(result: EntityResult, previous: dict | None) -> dict:
    """Points now minus points before, by indicator and section key, and for the total."""
    if previous is None:
        return {}
    before: EntityResult = previous["result"]
    changes = {key: score.points - before.scores[key].points for key, score in result.scores.items()
               if key in before.scores}
    changes.update({key: total - before.sections[key] for key, total in result.sections.items()
                    if key in before.sections})
    changes["total"] = result.total - before.total
    return changes


def print_sections(rubric: Rubric) -> list[dict]:
    """The printed score sheet, one table per top-level section (一级指标), whose heading
    repeats on every page the section runs onto; within it, one group of rows per
    second-level section (二级指标), named on its first row and kept on one page if it fits."""
    return [{"top": top, "groups": [{"section": group if group is not top else None, "indicators": group.indicators}
                                    for group in top.walk() if group.indicators]}
            for top in rubric.sections]


def points_lost(score) -> Decimal:
    """Points an assessed indicator fell short by. An indicator not assessed counts 0 in the
    total, but nobody lost those points: they are shown as 未评估, never as a loss
    (IndicatorScore.lost already leaves them out, and unearned bonus too)."""
    return score.lost


def points_unassessed(score) -> Decimal:
    """The points of an indicator not assessed (0 for every other, and for a bonus indicator)."""
    if score.status != "not_assessed" or score.excluded or score.indicator.in_bonus:
        return Decimal(0)
    return score.indicator.points


def lost_by_section(rubric: Rubric, result: EntityResult) -> list[dict]:
    """Points lost in each top-level section, and in the sections below it; the points of
    indicators not assessed apart."""
    def row(section: Section) -> dict:
        scores = [result.scores[i.key] for i in section.all_indicators()]
        return {"section": section, "points": result.sections[section.key],
                "lost": sum(map(points_lost, scores), Decimal(0)),
                "unassessed": sum(map(points_unassessed, scores), Decimal(0))}
    return [{**row(s), "children": [row(c) for c in s.sections]} for s in rubric.sections]


def total_parts(rubric: Rubric, result: EntityResult) -> dict | None:
    """How the total is made when it is more than the indicators' sum: the base, each bonus
    section (capped), each adjustment (each side capped), adding up to the total."""
    if not rubric.bonus_sections and rubric.adjustments is None:
        return None
    bonus = [{"section": s, "raw": sum((result.scores[i.key].points for i in s.all_indicators()), Decimal(0)),
              "kept": result.sections[s.key]} for s in rubric.bonus_sections]
    lines = list(result.adjustments)
    adjustments = rubric.adjustments
    minus = sum((line.amount for line in lines if line.amount < 0), Decimal(0))
    plus = sum((line.amount for line in lines if line.amount > 0), Decimal(0))
    return {"base": result.base, "bonus": bonus, "lines": lines, "adjusted": result.adjustments_total,
            "minus_capped": adjustments is not None and adjustments.minus_most is not None and -minus > adjustments.minus_most,
            "plus_capped": adjustments is not None and adjustments.plus_most is not None and plus > adjustments.plus_most,
            "minus_most": adjustments.minus_most if adjustments else None,
            "plus_most": adjustments.plus_most if adjustments else None,
            "floored": result.base + result.bonus + result.adjustments_total < 0}


GRADE_NOTES = {
    "zh-CN": {"lowest": "否决事项触发，考核等次确定为最低等次“{to}”，不论总分多少。",
              "not_top": "否决事项触发（否优），不得评为“{top}”，考核等次由“{from_}”调整为“{to}”。",
              "down_one": "否决事项触发（降一档），考核等次由“{from_}”降为“{to}”。",
              "grade": "否决事项触发，考核等次最高为“{cap}”，由“{from_}”调整为“{to}”。",
              "several": "多项否决事项触发，取其中最低的等次：由“{from_}”调整为“{to}”。",
              "unchanged": "否决事项已触发，等次“{to}”不高于其规定，无需调整。",
              "quota": "“{from_}”名额为参评单位数的{quota}：⌊{quota} × {n}⌋ = {places}个，按名次已满，顺延为“{to}”。"},
    "en": {"lowest": "A veto item was triggered: the grade is the lowest, “{to}”, whatever the total.",
           "not_top": "A veto item was triggered (not the top grade): not “{top}”; the grade goes from “{from_}” to “{to}”.",
           "down_one": "A veto item was triggered (one grade lower): from “{from_}” to “{to}”.",
           "grade": "A veto item was triggered: at most “{cap}”; the grade goes from “{from_}” to “{to}”.",
           "several": "Several veto items were triggered; the lowest grade they give applies: from “{from_}” to “{to}”.",
           "unchanged": "A veto item was triggered; the grade “{to}” is already no higher than it allows.",
           "quota": "“{from_}” is limited to {quota} of the entities: ⌊{quota} × {n}⌋ = {places}, already given in "
                    "rank order, so the grade moves down to “{to}”."},
}


def grade_note(note, rubric: Rubric, language: str) -> dict:
    """A grade note in words: why the grade is not the one the total reaches."""
    words = GRADE_NOTES.get(language, GRADE_NOTES["zh-CN"])
    if note.kind == "quota":
        text = words["quota"].format(from_=note.from_grade, to=note.to_grade, quota=note.effect, n=note.entities,
                                     places=note.places)
    elif note.from_grade == note.to_grade:
        text = words["unchanged"].format(to=note.to_grade)
    else:
        effects = note.effect.split(",")
        effect = effects[0] if len(effects) == 1 else "several"
        kind = "grade" if effect.startswith("grade:") else effect
        text = words[kind].format(from_=note.from_grade, to=note.to_grade, top=rubric.grades[0].label,
                                  cap=effect.removeprefix("grade:"))
    return {"kind": note.kind, "text": text, "keys": note.keys}


def above_max(rubric: Rubric, result: EntityResult) -> dict | None:
    """A total above the rubric's maximum (加分): by how much, and the indicators that added it."""
    if result.total <= rubric.points:
        return None
    bonus = [{"score": s, "extra": s.points - s.indicator.points} for s in result.scores.values() if s.status == "bonus"]
    return {"over": result.total - rubric.points, "bonus": bonus}


def lost_by_unit(project: Project, result: EntityResult) -> list[dict]:
    """Points lost on the indicators each responsible unit answers for, most first.
    An indicator with several units counts in full for each of them; an indicator not
    assessed is no unit's loss."""
    lost: dict[str, dict] = {}
    for score in result.scores.values():
        if score.status == "not_assessed":
            continue
        for unit_id in score.indicator.units:
            row = lost.setdefault(unit_id, {"unit": project.units[unit_id], "lost": Decimal(0), "keys": []})
            row["lost"] += score.lost
            if score.lost:
                row["keys"].append(score.indicator.key)
    return sorted((r for r in lost.values() if r["lost"]), key=lambda r: (-r["lost"], r["unit"].id))


# --- rubrics: the method, and one page per indicator -----------------------------------

# --- rubrics: the method, and one page per indicator -----------------------------------

@builder("method")
def build_method(view: View, rubric_id: str) -> dict:
    rubric = view.rubric(rubric_id)
    language = view.project.site.language
    return {"rubric": rubric, "assessments": view.of_rubric(rubric.id),
            "rule_words": {key: describe_rule(i.rule, i.points, language) for key, i in rubric.indicators.items()},
            "jump_sections": [(top.title, f"s-{top.key}") for top in rubric.sections],
            "grades": grade_ranges(rubric), "has_veto": any(i.veto for i in rubric.indicators.values()),
            "has_pool": any(s.pool for s in rubric.walk_sections()),
            "veto_words": {key: veto_words(i, rubric, language) for key, i in rubric.indicators.items() if i.veto}}


VETO_WORDS = {
    "zh-CN": {"lowest": "一票否决：{when}，考核等次为最低等次，不论总分多少。",
              "not_top": "否优：{when}，不得评为“{top}”。",
              "down_one": "降一档：{when}，考核等次降低一档。",
              "grade": "一票否决：{when}，考核等次最高为“{cap}”。",
              "scored": "本项不得分或未评估时", "condition": "本项结果为“不符合”时（条件项，不计分；未填写不触发）"},
    "en": {"lowest": "Veto: {when}, the grade is the lowest whatever the total.",
           "not_top": "Not the top grade: {when}, never “{top}”.",
           "down_one": "One grade lower: {when}, the grade drops one step.",
           "grade": "Veto: {when}, the grade is at most “{cap}”.",
           "scored": "when this indicator scores 0 or is not assessed",
           "condition": "when this condition is not met (no points; no answer does not trigger it)"},
}


def veto_words(indicator: Indicator, rubric: Rubric, language: str) -> str:
    """What a veto indicator does to the grade, in words."""
    words = VETO_WORDS.get(language, VETO_WORDS["zh-CN"])
    when = words["condition" if indicator.is_condition else "scored"]
    return words[indicator.veto.effect].format(when=when, top=rubric.grades[0].label if rubric.grades else "",
                                               cap=indicator.veto.grade)


def grade_ranges(rubric: Rubric) -> list[dict]:
    """Each grade with the totals it covers: from its min up to (not including) the next
    grade's min. The lowest grade reads 低于60分, never 不低于0分."""
    ranges = []
    for n, grade in enumerate(rubric.grades):
        below = rubric.grades[n - 1].min if n else None
        ranges.append({"label": grade.label, "min": grade.min if grade.min or below is None else None, "below": below,
                       "quota": grade.quota_text})
    return ranges


ROWS_AT_MOST = 100      # entities listed one by one on a page about many; above it, a summary


def column_summary(indicator: Indicator, scored: list) -> dict:
    """How a large assessment did on one indicator: counts by status, the mean, and where the
    points went — for a page that would otherwise list thousands of rows."""
    statuses = Counter(score.status for _, score in scored)
    counted = [score.points for _, score in scored if score.status not in ("not_assessed", "not_applicable")]
    return {"entities": len(scored), "statuses": [(status, statuses[status]) for status in STATUS_ORDER
                                                  if statuses[status]],
            "mean": round_half_up(Fraction(sum(counted, Decimal(0))) / len(counted), 2) if counted else None,
            "lowest": min(counted) if counted else None, "highest": max(counted) if counted else None,
            "lost": sum((points_lost(score) for _, score in scored), Decimal(0)),
            "short": sum(1 for _, score in scored if score.status in ("partial", "zero"))}


STATUS_ORDER = ("full", "bonus", "partial", "zero", "not_assessed", "not_applicable")


@builder("indicator")
def build_indicator(view: View, rubric_id: str, key: str) -> dict:
    rubric = view.rubric(rubric_id)
    indicator = rubric.indicators[key]
    # each assessment's entities by their points on this indicator, best first; equal points in the
    # order of content/units.yaml, so that a rank moving elsewhere does not reorder this page
    blocks = []
    for assessment in view.of_rubric(rubric.id):
        scored = view.column(assessment, key)
        if len(scored) > ROWS_AT_MOST:
            blocks.append({"assessment": assessment, "rows": [], "summary": column_summary(indicator, scored)})
            continue
        ordered = sorted(scored, key=lambda pair: -pair[1].points)        # sorted() is stable
        blocks.append({"assessment": assessment, "summary": None,
                       "rows": [{"assessment": assessment, "result": r, "score": s} for r, s in ordered]})
    return {"rubric": rubric, "indicator": indicator, "rows": [row for b in blocks for row in b["rows"]],
            "blocks": blocks, "sections": [s for s in rubric.walk_sections() if s.key in indicator.section_keys],
            "rule_words": describe_rule(indicator.rule, indicator.points, view.project.site.language)}


# --- units -----------------------------------------------------------------------------

@builder("unit")
def build_unit(view: View, unit_id: str) -> dict:
    unit = view.units()[unit_id]
    duties = [{"rubric": view.rubric(rid), "indicators": indicators,
               "assessments": [_duty_results(view, a, indicators) for a in view.of_rubric(rid)]}
              for rid, indicators in view.duties_of(unit).items()]
    return {"unit": unit, "groups": view.groups_of.get(unit.id, []), "duties": duties,
            "own": view.own_results(unit.id), "members": [view.units()[m] for m in unit.members]}


def _duty_results(view: View, assessment: Assessment, indicators: list[Indicator]) -> dict:
    """For each entity: the points earned and lost on the indicators a unit answers for,
    the most earned first."""
    columns = [view.column(assessment, i.key) for i in indicators]
    if columns and len(columns[0]) > ROWS_AT_MOST:
        return {"assessment": assessment, "rows": [], "any_unassessed": False,
                "summary": [{"indicator": i, **column_summary(i, column)} for i, column in zip(indicators, columns)]}
    rows = []
    for n, (result, _) in enumerate(columns[0]):
        scores = [column[n][1] for column in columns]
        rows.append({"result": result, "scores": scores,
                     "earned": sum((s.points for s in scores), Decimal(0)),
                     "lost": sum(map(points_lost, scores), Decimal(0)),
                     "unassessed": sum(map(points_unassessed, scores), Decimal(0)),
                     "max": sum((s.indicator.points for s in scores if not s.excluded), Decimal(0))})
    rows.sort(key=lambda row: -row["earned"])                     # stable: ties in the order of units.yaml
    return {"assessment": assessment, "rows": rows, "any_unassessed": any(row["unassessed"] for row in rows),
            "summary": None}


# --- free pages ------------------------------------------------------------------------

@builder("page")
def build_page(view: View, slug: str) -> dict:
    return {"page": view.page(slug)}
