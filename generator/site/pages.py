"""Planning the site: which pages exist, what each one shows, and which source files it
depends on. Every figure a template prints is computed here or in scoring; templates
only display. Two pages with one path are an error.

The dependency map (`Planned.deps`) lets the preview server re-render only the pages
an edited file affects."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable
from urllib.parse import urlsplit

from . import urls
from ..git.history import History
from ..model import Assessment, EntityResult, Indicator, Rubric, Section, Unit
from ..load.project import Project
from ..rules import describe_rule

UNITS_FILE = "content/units.yaml"
SITE_FILE = "content/site.yaml"
# the bar chart's geometry, in SVG viewBox units (16-unit text): each entity's name on one
# line and its bar below, 320 units wide, so that a phone (320 px inside its margins) shows
# the text at 16 px or more
CHART_WIDTH, CHART_BAR_WIDTH, CHART_ROW = 320, 260, 46


@dataclass
class Planned:
    """One page to render: where it goes, with which template and data, and what it reads."""

    url: str
    template: str
    context: dict | Callable[[], dict]   # a callable is called once, when the page is rendered
    deps: frozenset = frozenset()
    draft: bool = False
    # For pages that show a few figures from many score files (an indicator across every
    # entity, a unit's duties): `shows()` returns just those figures, and a change to a
    # score file among `refined` re-renders the page only when they differ.
    shows: Callable[[], tuple] | None = None
    refined: frozenset = frozenset()

    def data(self) -> dict:
        """The template's data, built on first use (a preview pass builds it only for pages it renders)."""
        if callable(self.context):
            self.context = self.context()
        return self.context


class PlanError(Exception):
    """The site cannot be planned, e.g. two pages want one path."""


@dataclass
class Visible:
    """What a build shows: published assessments, and drafts when asked for."""

    project: Project
    drafts: bool
    today: dt.date
    history: History | None = None
    assessments: list[Assessment] = field(default_factory=list)

    def __post_init__(self):
        shown = [a for a in self.project.assessments.values() if self.drafts or not a.is_draft]
        self.assessments = newest_first(shown)
        self.by_entity: dict[str, list[dict]] = {}      # unit id → its own results, newest first
        for assessment in self.assessments:
            shared = tied(self.results(assessment))
            for result in self.results(assessment):
                self.by_entity.setdefault(result.entity, []).append(
                    {"assessment": assessment, "result": result, "tied": result.entity in shared})
        self.groups_of: dict[str, list[Unit]] = {}      # unit id → the groups listing it as a member
        for group in self.project.units.values():
            for member in group.members:
                self.groups_of.setdefault(member, []).append(group)
        self.duties: dict[str, dict[str, list[Indicator]]] = {}   # unit id → rubric id → indicators
        for rubric in self.project.rubrics.values():
            for indicator in rubric.indicators.values():
                for unit_id in indicator.units:
                    self.duties.setdefault(unit_id, {}).setdefault(rubric.id, []).append(indicator)

    def duties_of(self, unit: Unit) -> dict[str, list[Indicator]]:
        """The indicators a unit answers for, by rubric: its own, and its groups'."""
        keys: dict[str, set[str]] = {}
        for answerable in (unit.id, *(g.id for g in self.groups_of.get(unit.id, ()))):
            for rubric_id, indicators in self.duties.get(answerable, {}).items():
                keys.setdefault(rubric_id, set()).update(i.key for i in indicators)
        return {rid: [i for key, i in rubric.indicators.items() if key in keys[rid]]
                for rid, rubric in self.project.rubrics.items() if rid in keys}

    def of_rubric(self, rubric_id: str) -> list[Assessment]:
        return [a for a in self.assessments if a.rubric == rubric_id]

    def results(self, assessment: Assessment) -> list[EntityResult]:
        """Ranked: the highest total first."""
        return self.project.results[assessment.id]


    def sheet_paths(self, assessments) -> frozenset:
        return frozenset(s.path for a in assessments for s in a.sheets.values())


def tied(results: list[EntityResult]) -> frozenset[str]:
    """The entities whose rank another entity shares (并列)."""
    counts = Counter(r.rank for r in results)
    return frozenset(r.entity for r in results if counts[r.rank] > 1)


def newest_first(assessments) -> list[Assessment]:
    by_id = sorted(assessments, key=lambda a: a.id)
    return sorted(by_id, key=lambda a: (a.period_key, a.published_on or dt.date.min), reverse=True)


def plan_site(project: Project, drafts: bool = False, today: dt.date | None = None,
              history: History | None = None) -> list[Planned]:
    """Every page of the site, in a stable order."""
    view = Visible(project, drafts, today or dt.date.today(), history)
    planned = [plan_home(view), plan_assessment_index(view), plan_rubric_index(view), plan_unit_index(view),
               plan_changes(view)]
    for assessment in view.assessments:
        planned.append(plan_ranking(view, assessment))
        for result in view.results(assessment):
            planned += [plan_scorecard(view, assessment, result), plan_print_stylesheet(view, assessment, result)]
    for rubric in project.rubrics.values():
        planned.append(plan_method(view, rubric))
        planned.extend(plan_indicator(view, rubric, indicator) for indicator in rubric.indicators.values())
    planned.extend(plan_unit(view, unit) for unit in project.units.values())
    planned.extend(plan_page(view, page) for page in project.pages.values() if drafts or not page.draft)
    planned.append(Planned(urls.NOT_FOUND, "404.html", {"served_root": served_root(project.site.base_url)},
                           _common(view)))
    _check_unique(planned)
    return planned


def served_root(base_url: str) -> str:
    """Where the site's root is on its web server, as a path: the base URL's path (/kaohe/),
    or / when there is no base URL (the site at the root of its host)."""
    path = urlsplit(base_url).path if base_url else "/"
    return path if path.endswith("/") else path + "/"


def _check_unique(planned: list[Planned]) -> None:
    seen: dict[str, Planned] = {}
    for page in planned:
        if page.url in seen:
            raise PlanError(f"two pages want the same path {page.url}: {seen[page.url].template} and {page.template}")
        seen[page.url] = page


# --- home and indexes ------------------------------------------------------------------

def plan_home(view: Visible) -> Planned:
    # the top three places, ties included: a 3rd place shared by two shows both
    cards = [{"assessment": a, "rubric": view.project.rubric_of(a), "top": [r for r in view.results(a) if r.rank <= 3],
              "tied": tied(view.results(a)), "entities": len(view.results(a))} for a in view.assessments]
    notices = [a for a in view.assessments if a.notice and a.notice.start <= view.today <= a.notice.end]
    deps = _common(view) | view.sheet_paths(view.assessments) | {a.path for a in view.assessments} | _counts(view)
    deps |= _rubric_paths(view)
    return Planned(urls.HOME, "home.html", {"cards": cards, "notices": notices}, deps,
                   draft=any(a.is_draft for a in view.assessments))


def plan_assessment_index(view: Visible) -> Planned:
    rows = [{"assessment": a, "rubric": view.project.rubric_of(a), "entities": len(view.results(a))}
            for a in view.assessments]
    return Planned(urls.ASSESSMENTS, "assessments.html", {"rows": rows},
                   _common(view) | {a.path for a in view.assessments} | _counts(view) | _rubric_paths(view),
                   draft=any(a.is_draft for a in view.assessments))


def plan_rubric_index(view: Visible) -> Planned:
    rows = [{"rubric": r, "assessments": view.of_rubric(r.id)} for r in view.project.rubrics.values()]
    return Planned(urls.RUBRICS, "rubrics.html", {"rows": rows},
                   _common(view) | {r.path for r in view.project.rubrics.values()})


def plan_unit_index(view: Visible) -> Planned:
    kinds: dict[str, list[Unit]] = {}
    for unit in view.project.units.values():
        kinds.setdefault(unit.kind, []).append(unit)
    return Planned(urls.UNITS, "units.html", {"kinds": kinds}, _common(view))


def _common(view: Visible) -> frozenset:
    """What every page shows: the site settings, unit names, the navigation (page titles) and
    the footer's provenance ('nav' and 'source' are pseudo-dependencies, see standing_keys)."""
    return frozenset({SITE_FILE, UNITS_FILE, "nav", "source"})


def _rubric_paths(view: Visible) -> frozenset:
    return frozenset(view.project.rubric_of(a).path for a in view.assessments)


def _counts(view: Visible) -> frozenset:
    """Pseudo-dependencies on how many entities each assessment has (see standing_keys)."""
    return frozenset(f"count:{a.id}" for a in view.assessments)


def standing_keys(project: Project, history: History | None) -> dict[str, tuple]:
    """What pages depend on besides files, for a preview to compare between passes:
    'rank:<assessment>:<entity>' is one entity's (rank, total, tied) — a changed score moves
    only the entities whose rank, or whether they share it, changed; 'ties:<assessment>' whether
    any rank is shared (a scorecard then explains competition ranks); 'count:<assessment>' is how many entities are ranked;
    'nav' the navigation; 'source' the commit and whether anything is uncommitted;
    'dirty:<path>' whether one score file has uncommitted changes."""
    results = project.results
    keys = {"nav": tuple((p.slug, p.title, p.nav, p.order, p.draft) for p in project.pages.values()),
            "source": (history.head.sha, bool(history.dirty)) if history else (None, False)}
    for path in history.dirty if history else ():
        keys[f"dirty:{path}"] = (True,)
    for assessment_id, ranked in results.items():
        keys[f"count:{assessment_id}"] = (len(ranked),)
        shared = tied(ranked)
        keys[f"ties:{assessment_id}"] = (bool(shared),)
        for result in ranked:
            keys[f"rank:{assessment_id}:{result.entity}"] = (result.rank, result.total, result.entity in shared)
    return keys


# --- an assessment: its ranking and one scorecard per entity -------------------------

def plan_ranking(view: Visible, assessment: Assessment) -> Planned:
    rubric = view.project.rubric_of(assessment)
    results = view.results(assessment)
    scale = max([rubric.points, *(r.total for r in results)])
    bars = [{"result": r, "y": n * CHART_ROW, **_bar(r.total, scale)} for n, r in enumerate(results)]
    chart = {"width": CHART_WIDTH, "height": len(results) * CHART_ROW + 4}
    context = {"assessment": assessment, "rubric": rubric, "results": results, "bars": bars, "chart": chart,
               "tied": tied(results),
               "sections": rubric.sections, "notice_running": _notice_state(assessment, view.today)}
    deps = _common(view) | {assessment.path, rubric.path} | view.sheet_paths([assessment])
    return Planned(urls.assessment(assessment.id), "assessment.html", context, deps, draft=assessment.is_draft)


def _bar(value: Decimal, scale: Decimal) -> dict:
    """A bar's length and where its label goes, in the chart's viewBox units."""
    length = max(value, Decimal(0)) * CHART_BAR_WIDTH / scale if scale else Decimal(0)
    return {"length": format(length, ".1f"), "label_x": format(length + 6, ".1f")}


def _notice_state(assessment: Assessment, today: dt.date) -> str:
    notice = assessment.notice
    if notice is None:
        return ""
    if today < notice.start:
        return "upcoming"
    return "running" if today <= notice.end else "ended"


def plan_scorecard(view: Visible, assessment: Assessment, result: EntityResult) -> Planned:
    rubric = view.project.rubric_of(assessment)
    previous = previous_result(view, assessment, result.entity)
    context = lambda: {
        "assessment": assessment, "rubric": rubric, "result": result, "entity": view.project.units[result.entity],
        "tied": result.entity in tied(view.results(assessment)),
        "any_ties": bool(tied(view.results(assessment))),
        "previous": previous, "changes": _changes(result, previous), "lost_by_section": lost_by_section(rubric, result),
        "lost_by_unit": lost_by_unit(view.project, result), "entities": len(view.results(assessment)),
        "unassessed": [s for s in result.scores.values() if s.status == "not_assessed" and not s.indicator.in_bonus],
        "unassessed_points": sum(map(points_unassessed, result.scores.values()), Decimal(0)),
        "above_max": above_max(rubric, result),
        "total_parts": total_parts(rubric, result),
        "grade_notes": [grade_note(note, rubric, view.project.site.language) for note in result.grade_notes],
        "clamps": {clamp.section: clamp for clamp in result.clamps},
        "jump_sections": [(top.title, f"s-{top.key}") for top in rubric.sections],
        "evidence_files": [{"key": score.indicator.key, "evidence": item} for score in result.scores.values()
                           if score.entry for item in score.entry.evidence if item.file],
        "notice_running": _notice_state(assessment, view.today),
        "print_sections": print_sections(rubric), "print_has_content": any(s.sections for s in rubric.sections),
        "print_has_units": any(i.units for i in rubric.indicators.values()),
        "revisions": list(reversed(view.history.of(result.sheet.path))) if view.history else None,
        "uncommitted": bool(view.history and result.sheet.path in view.history.dirty),
    }
    deps = _common(view) | {assessment.path, rubric.path, result.sheet.path, f"dirty:{result.sheet.path}",
                            f"rank:{assessment.id}:{result.entity}", f"count:{assessment.id}", f"ties:{assessment.id}"}
    deps |= {f"content/evidence/{e.file}" for entry in result.sheet.entries.values() for e in entry.evidence if e.file}
    if previous:
        deps |= {previous["result"].sheet.path, previous["assessment"].path}
    return Planned(urls.scorecard(assessment.id, result.entity), "scorecard.html", context, deps,
                   draft=assessment.is_draft)


def plan_print_stylesheet(view: Visible, assessment: Assessment, result: EntityResult) -> Planned:
    """The running header of a scorecard's printed sheet: CSS cannot read the entity's name
    from the page, and the pages carry no inline style, so each scorecard links its own."""
    context = {"assessment": assessment, "entity": view.project.units[result.entity]}
    return Planned(urls.print_stylesheet(assessment.id, result.entity), "print.css", context,
                   _common(view) | {assessment.path}, draft=assessment.is_draft)


def plan_changes(view: Visible) -> Planned:
    """Every revision of a published score file, newest first, grouped by commit."""
    where = {sheet.path: (a, entity) for a in view.assessments for entity, sheet in a.sheets.items()}
    by_commit: dict[str, dict] = {}
    for path, (assessment, entity) in where.items():
        for revision in view.history.of(path) if view.history else ():
            group = by_commit.setdefault(revision.commit.sha, {"commit": revision.commit, "files": []})
            group["files"].append({"revision": revision, "assessment": assessment, "entity": entity})
    order = {commit.sha: n for n, commit in enumerate(view.history.commits)} if view.history else {}
    commits = sorted(by_commit.values(), key=lambda g: order.get(g["commit"].sha, -1), reverse=True)
    for group in commits:
        group["files"].sort(key=lambda f: (f["assessment"].id, f["entity"]))
    return Planned(urls.CHANGES, "changes.html", {"commits": commits, "history_available": view.history is not None},
                   _common(view) | view.sheet_paths(view.assessments) | {"history"},
                   draft=any(a.is_draft for a in view.assessments))


def previous_result(view: Visible, assessment: Assessment, entity: str) -> dict | None:
    """The same entity in the latest earlier period under the same rubric, if any."""
    return next((row for row in view.by_entity.get(entity, ())
                 if row["assessment"].rubric == assessment.rubric and row["assessment"].period_key < assessment.period_key), None)


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

def plan_method(view: Visible, rubric: Rubric) -> Planned:
    words = {key: describe_rule(i.rule, i.points, view.project.site.language) for key, i in rubric.indicators.items()}
    context = {"rubric": rubric, "rule_words": words, "assessments": view.of_rubric(rubric.id),
               "jump_sections": [(top.title, f"s-{top.key}") for top in rubric.sections],
               "grades": grade_ranges(rubric), "has_veto": any(i.veto for i in rubric.indicators.values()),
               "has_pool": any(s.pool for s in rubric.walk_sections()),
               "veto_words": {key: veto_words(i, rubric, view.project.site.language)
                              for key, i in rubric.indicators.items() if i.veto}}
    return Planned(urls.rubric(rubric.id), "rubric.html", context,
                   _common(view) | {rubric.path} | {a.path for a in view.of_rubric(rubric.id)},
                   draft=any(a.is_draft for a in view.of_rubric(rubric.id)))


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


def plan_indicator(view: Visible, rubric: Rubric, indicator: Indicator) -> Planned:
    assessments = view.of_rubric(rubric.id)
    # each assessment's entities by their points on this indicator, best first (ties in rank order)
    blocks = [{"assessment": a, "rows": [{"assessment": a, "result": r, "score": r.scores[indicator.key]}
                                         for r in best_first(view.results(a), lambda r: r.scores[indicator.key].points)]}
              for a in assessments]
    rows = [row for block in blocks for row in block["rows"]]
    context = lambda: {
        "rubric": rubric, "indicator": indicator, "rows": rows, "blocks": blocks,
        "sections": [s for s in rubric.walk_sections() if s.key in indicator.section_keys],
        "rule_words": describe_rule(indicator.rule, indicator.points, view.project.site.language)}
    sheets = view.sheet_paths(assessments)
    deps = _common(view) | {rubric.path} | sheets | {a.path for a in assessments}
    return Planned(urls.indicator(rubric.id, indicator.key), "indicator.html", context, deps,
                   draft=any(a.is_draft for a in assessments), refined=sheets,
                   shows=lambda: tuple((row["assessment"].id, row["result"].entity, *figures(row["score"]))
                                       for row in rows))


def best_first(ranked: list[EntityResult], points: Callable[[EntityResult], Decimal]) -> list[EntityResult]:
    """Entities by the points a page shows, highest first; equal points keep the ranking's order."""
    return sorted(ranked, key=lambda r: -points(r))        # sorted() is stable


def figures(score) -> tuple:
    """What a page shows of one indicator score."""
    override = score.entry.override if score.entry else None
    return (score.points, score.computed, score.status, score.explanation,
            (override.points, override.reason) if override else None)


# --- units -----------------------------------------------------------------------------

def plan_unit(view: Visible, unit: Unit) -> Planned:
    project = view.project
    answers_for = view.duties_of(unit)
    own = view.by_entity.get(unit.id, [])
    on_duty = [a for a in view.assessments if a.rubric in answers_for]
    touched = on_duty + [row["assessment"] for row in own]
    duty_sheets = view.sheet_paths(on_duty)
    deps = _common(view) | {r.path for r in project.rubrics.values()} | duty_sheets | {a.path for a in touched}
    deps |= {row["result"].sheet.path for row in own}
    deps |= {f"rank:{row['assessment'].id}:{unit.id}" for row in own} | {f"count:{row['assessment'].id}" for row in own}

    def context() -> dict:
        duties = [{"rubric": project.rubrics[rid], "indicators": indicators,
                   "assessments": [_duty_results(view, a, indicators) for a in view.of_rubric(rid)]}
                  for rid, indicators in answers_for.items()]
        return {"unit": unit, "groups": view.groups_of.get(unit.id, []), "duties": duties, "own": own,
                "members": [project.units[m] for m in unit.members]}

    page = Planned(urls.unit(unit.id), "unit.html", context, deps, draft=any(a.is_draft for a in touched),
                   refined=duty_sheets)

    def shows() -> tuple:
        rows = [(block["assessment"].id, row["result"].entity, *(figures(s) for s in row["scores"]))
                for duty in page.data()["duties"] for block in duty["assessments"] for row in block["rows"]]
        return tuple(rows) + tuple((r["assessment"].id, r["result"].total, r["result"].grade, r["result"].rank)
                                   for r in own)
    page.shows = shows
    return page


def _duty_results(view: Visible, assessment: Assessment, indicators: list[Indicator]) -> dict:
    """For each entity: the points earned and lost on the indicators a unit answers for,
    the most earned first."""
    rows = []
    keys = [i.key for i in indicators]
    for result in best_first(view.results(assessment), lambda r: sum((r.scores[k].points for k in keys), Decimal(0))):
        scores = [result.scores[i.key] for i in indicators]
        rows.append({"result": result, "scores": scores,
                     "earned": sum((s.points for s in scores), Decimal(0)),
                     "lost": sum(map(points_lost, scores), Decimal(0)),
                     "unassessed": sum(map(points_unassessed, scores), Decimal(0)),
                     "max": sum((s.indicator.points for s in scores if not s.excluded), Decimal(0))})
    return {"assessment": assessment, "rows": rows, "any_unassessed": any(row["unassessed"] for row in rows)}


# --- free pages ------------------------------------------------------------------------

def plan_page(view: Visible, page) -> Planned:
    return Planned(urls.page(page.slug), "page.html", {"page": page}, _common(view) | {page.path}, draft=page.draft)
