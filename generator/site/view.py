"""What a build shows, and what each page read of it.

A `View` is the project as one build sees it (drafts or not, the build's date, the git
history). Page builders get everything through its accessors, and every accessor records
a typed dependency (`ResultOf(assessment, entity)`, `ColumnOf(…)`, `RubricOf(…)`, …) for the
page being built. Nothing is listed by hand: a new page type that reads through the view
is tracked as it reads.

Each dependency has a fingerprint: a digest of exactly what a page can show of it. A page
whose dependencies' fingerprints are all unchanged renders to the same bytes, so the
preview and a warm build skip it; a score file whose edit changes nothing a page shows
(early cutoff) re-renders nothing. Fingerprints are digests of values, stable across
processes, so they can be kept in the persistent cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from ..git.history import History
from ..load.project import Project
from ..model import Assessment, EntityResult, Indicator, IndicatorScore, Rubric, Unit


# --- dependencies: one small frozen type per kind of value a page can read -------------------

def dependency(cls):
    """A Dep subclass as a frozen dataclass whose hash is worked out once per object (a national
    preview looks up 400,000 dependencies a pass)."""
    cls = dataclass(frozen=True)(cls)
    by_fields = cls.__hash__

    def __hash__(self):
        found = self.__dict__.get("_hash")
        if found is None:
            found = by_fields(self)
            object.__setattr__(self, "_hash", found)
        return found
    cls.__hash__ = __hash__
    return cls


class Dep:
    """A value a page read. Subclasses are frozen dataclasses (`@dependency`); `fingerprint`
    digests the value."""

    def __getstate__(self):                 # the hash kept on the object is this process's alone
        state = dict(self.__dict__)
        state.pop("_hash", None)
        return state

    def fingerprint(self, view: "View") -> str:
        raise NotImplementedError

    def inputs(self, view: "View") -> tuple | None:
        """The objects the fingerprint is a pure function of, when there are such: while they are
        the very same objects, a preview's next pass reuses the fingerprint (see View.carry)."""
        return None


@dependency
class Shared(Dep):
    """What every page shows: the site settings, the units' names, the navigation, the footer's
    provenance and the build's date."""

    def fingerprint(self, view):
        project, history = view.project, view.history
        navigation = [(p.slug, p.title, p.nav, p.order, p.draft) for p in project.pages.values()]
        source = (history.head.sha, history.head.committed, bool(history.dirty)) if history else None
        return digest(project.site, sorted(project.units.items()), navigation, source, view.drafts)


@dependency
class AssessmentList(Dep):
    """Which assessments are shown, in which order, and how many entities each has."""

    def fingerprint(self, view):
        return digest([(a.id, a.title, a.period, a.status, a.published_on, a.rubric, view.notice_state(a),
                        len(view.project.results[a.id])) for a in view.shown])


@dependency
class AssessmentOf(Dep):
    assessment: str

    def fingerprint(self, view):
        a = view.project.assessments.get(self.assessment)
        if a is None:
            return "-"
        return digest(a.title, a.rubric, a.period, a.status, a.published_on, a.notice, a.description,
                      view.notice_state(a), len(view.project.results[a.id]))


@dependency
class RankingOf(Dep):
    """Every entity's place in one assessment: totals, ranks, ties, grades and section points."""

    assessment: str

    def fingerprint(self, view):
        return digest([cached(r, lambda: digest(ranking_figures(r)), "_ranking")
                       for r in view.project.results.get(self.assessment, ())])

    def inputs(self, view):
        return (view.project.results.get(self.assessment),)


@dependency
class TiesIn(Dep):
    """Whether any rank in one assessment is shared (a scorecard then explains competition ranks)."""

    assessment: str

    def fingerprint(self, view):
        return digest(any(r.tied for r in view.project.results.get(self.assessment, ())))

    def inputs(self, view):
        return (view.project.results.get(self.assessment),)


@dependency
class ResultOf(Dep):
    """Everything a scorecard shows of one entity's result."""

    assessment: str
    entity: str

    def fingerprint(self, view):
        return result_fingerprint(view.result_object(self.assessment, self.entity))


@dependency
class ColumnOf(Dep):
    """Every entity's score on one indicator of one assessment, in the order of units.yaml: not
    their ranks, so a rank that moves does not touch pages that show one indicator across entities."""

    assessment: str
    key: str

    def fingerprint(self, view):
        return digest([(r.entity, score_fingerprint(r.scores[self.key]))
                       for r in view.column_objects(self.assessment) if self.key in r.scores])

    def inputs(self, view):
        key = self.key
        return (view.project.units, *[scores.get(key) for scores in view.column_scores(self.assessment)])


@dependency
class RubricOf(Dep):
    rubric: str

    def fingerprint(self, view):
        rubric = view.project.rubrics.get(self.rubric)
        return cached(rubric, lambda: digest(rubric)) if rubric else "-"


@dependency
class RubricList(Dep):
    def fingerprint(self, view):
        return digest([(r.id, r.title, r.points, len(r.indicators)) for r in view.project.rubrics.values()])


@dependency
class PageOf(Dep):
    slug: str

    def fingerprint(self, view):
        return digest(view.project.pages.get(self.slug))


@dependency
class HistoryOf(Dep):
    """One file's revisions, and whether it has uncommitted changes."""

    path: str

    def fingerprint(self, view):
        history = view.history
        if history is None:
            return "-"
        return digest(history.of(self.path), self.path in history.dirty, history.last_change.get(self.path))


@dependency
class WholeHistory(Dep):
    def fingerprint(self, view):
        history = view.history
        return digest(history.commits, sorted(history.revisions.items())) if history else "-"


# --- fingerprints ------------------------------------------------------------------------------

def digest(*values) -> str:
    """A stable digest of plain values (dataclasses, decimals, text, dates, containers)."""
    return hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def cached(obj, compute, name: str = "_fingerprint") -> str:
    """A fingerprint kept on the object itself: values are never changed once scored, and an
    unchanged file's objects are reused from one preview pass to the next (ScoreMemo)."""
    found = getattr(obj, name, None)
    if found is None:
        found = compute()
        object.__setattr__(obj, name, found)
    return found


def score_fingerprint(score: IndicatorScore) -> str:
    """What a page shows of one indicator score (the indicator itself belongs to the rubric)."""
    entry = score.entry
    return cached(score, lambda: digest(score.points, score.computed, score.status, score.explanation,
                                        score.excluded, entry and (entry.note, entry.reason, entry.override,
                                                                   entry.evidence, entry.not_applicable)))


def result_fingerprint(result: EntityResult | None) -> str:
    if result is None:
        return "-"
    return cached(result, lambda: digest(
        ranking_figures(result), result.sheet.path, result.sheet.assessed_on, result.sheet.assessors,
        result.sheet.note, result.section_max, result.raw_total, result.applicable_points, result.rescaled,
        result.bonus_raw, result.adjustments, result.adjustments_total, result.clamps, result.grade_notes,
        result.vetoed_by, result.grade_by_total, [score_fingerprint(s) for s in result.scores.values()]))


def ranking_figures(result: EntityResult) -> tuple:
    return (result.entity, result.total, result.rank, result.tied, result.grade, result.base, result.bonus,
            result.assessed, tuple(result.sections.items()))


# --- the view --------------------------------------------------------------------------------

class View:
    """The project as one build shows it, handing out values and recording who read what."""

    def __init__(self, project: Project, drafts: bool, today: dt.date, history: History | None = None,
                 carry: dict | None = None, canon: dict | None = None):
        self.project = project
        self.drafts = drafts
        self.today = today
        self.history = history
        self._reads: set[Dep] | None = None
        self._fingerprints: dict[Dep, str] = {}
        self._canon: dict[Dep, Dep] = canon if canon is not None else {}   # kept by a preview between passes
        self._carried = carry or {}            # dep → (inputs, fingerprint) of the previous pass
        self.carry: dict[Dep, tuple] = {}      # … and of this one, for the next
        self._columns: dict[str, list[EntityResult]] = {}
        self._column_scores: dict[str, list[dict[str, IndicatorScore]]] = {}
        self.shown = newest_first(a for a in project.assessments.values() if drafts or not a.is_draft)
        self._results = {aid: {r.entity: r for r in ranked} for aid, ranked in project.results.items()}
        self._unit_order = {unit_id: n for n, unit_id in enumerate(project.units)}
        self._own: dict[str, list[tuple[Assessment, EntityResult]]] = {}
        for assessment in self.shown:
            for result in project.results[assessment.id]:
                self._own.setdefault(result.entity, []).append((assessment, result))
        self.groups_of: dict[str, list[Unit]] = {}
        for group in project.units.values():
            for member in group.members:
                self.groups_of.setdefault(member, []).append(group)
        self._duties: dict[str, dict[str, list[str]]] = {}
        for rubric in project.rubrics.values():
            for indicator in rubric.indicators.values():
                for unit_id in indicator.units:
                    self._duties.setdefault(unit_id, {}).setdefault(rubric.id, []).append(indicator.key)

    # recording ----------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[set]:
        """Record every dependency read inside the block (one page being built)."""
        outer, self._reads = self._reads, {Shared()}
        try:
            yield self._reads
        finally:
            self._reads = outer

    @contextmanager
    def reading_part(self) -> Iterator[set]:
        """Record what one part of a page reads on its own (a cached fragment, whose reads every
        page that shows it adds with `read_all`); the page being built reads it too."""
        outer, self._reads = self._reads, set()
        try:
            yield self._reads
        finally:
            part, self._reads = self._reads, outer
            if outer is not None:
                outer |= part

    def read(self, dep: Dep) -> None:
        if self._reads is not None:
            self._reads.add(dep)

    def read_all(self, deps) -> None:
        if self._reads is not None:
            self._reads |= deps

    def fingerprint(self, dep: Dep) -> str:
        found = self._fingerprints.get(dep)
        if found is None:
            inputs = dep.inputs(self)
            before = self._carried.get(dep) if inputs is not None else None
            if before is not None and len(before[0]) == len(inputs) and all(map(operator.is_, before[0], inputs)):
                found = before[1]
            else:
                found = dep.fingerprint(self)
            if inputs is not None:
                self.carry[dep] = (inputs, found)
            self._fingerprints[dep] = found
        return found

    def fingerprints(self, deps) -> dict:
        """{dependency: fingerprint} for one page, each dependency the one object every page
        shares (pages rendered by workers arrive with copies of their own: 70,000 pages at
        national scale held 700,000 of them)."""
        canon = self._canon
        return {canon.setdefault(dep, dep): self.fingerprint(dep) for dep in deps}

    # what pages read ----------------------------------------------------------------------

    @property
    def assessments(self) -> list[Assessment]:
        """The assessments shown, newest first."""
        self.read(AssessmentList())
        return self.shown

    def assessment(self, assessment_id: str) -> Assessment:
        self.read(AssessmentOf(assessment_id))
        return self.project.assessments[assessment_id]

    def results(self, assessment: Assessment) -> list[EntityResult]:
        """Ranked, the highest total first."""
        self.read(RankingOf(assessment.id))
        return self.project.results[assessment.id]

    def result(self, assessment: Assessment, entity: str) -> EntityResult:
        self.read(ResultOf(assessment.id, entity))
        return self._results[assessment.id][entity]

    def any_ties(self, assessment: Assessment) -> bool:
        self.read(TiesIn(assessment.id))
        return any(r.tied for r in self.project.results[assessment.id])

    def result_object(self, assessment_id: str, entity: str) -> EntityResult | None:
        """Without recording: for fingerprints."""
        return self._results.get(assessment_id, {}).get(entity)

    def column(self, assessment: Assessment, key: str) -> list[tuple[EntityResult, IndicatorScore]]:
        """Every entity's score on one indicator, in the order of content/units.yaml."""
        self.read(ColumnOf(assessment.id, key))
        return [(r, r.scores[key]) for r in self.column_objects(assessment.id)]

    def column_objects(self, assessment_id: str) -> list[EntityResult]:
        """Without recording: an assessment's results in the order of content/units.yaml (the
        project's own order of its units, which does not move when a rank does)."""
        if assessment_id not in self._columns:
            results = self._results.get(assessment_id, {})
            order = sorted(results, key=lambda e: (self._unit_order.get(e, 1 << 30), e))
            self._columns[assessment_id] = [results[entity] for entity in order]
        return self._columns[assessment_id]

    def column_scores(self, assessment_id: str) -> list[dict[str, IndicatorScore]]:
        """Without recording: each entity's scores, in the order of column_objects."""
        if assessment_id not in self._column_scores:
            self._column_scores[assessment_id] = [r.scores for r in self.column_objects(assessment_id)]
        return self._column_scores[assessment_id]

    def entity_count(self, assessment: Assessment) -> int:
        self.read(AssessmentOf(assessment.id))
        return len(self.project.results[assessment.id])

    def rubric(self, rubric_id: str) -> Rubric:
        self.read(RubricOf(rubric_id))
        return self.project.rubrics[rubric_id]

    def rubric_of(self, assessment: Assessment) -> Rubric:
        return self.rubric(assessment.rubric)

    @property
    def rubrics(self) -> list[Rubric]:
        self.read(RubricList())
        return list(self.project.rubrics.values())

    def of_rubric(self, rubric_id: str) -> list[Assessment]:
        return [a for a in self.assessments if a.rubric == rubric_id]

    def page(self, slug: str):
        self.read(PageOf(slug))
        return self.project.pages[slug]

    def units(self) -> dict[str, Unit]:
        return self.project.units            # every page reads unit names: part of Shared

    def own_results(self, unit_id: str) -> list[dict]:
        """A unit's own results as an assessed entity, newest first."""
        self.read(AssessmentList())          # an assessment added or published may hold the unit
        rows = []
        for assessment, result in self._own.get(unit_id, ()):
            self.read(ResultOf(assessment.id, unit_id))
            self.read(AssessmentOf(assessment.id))
            rows.append({"assessment": assessment, "result": result, "tied": result.tied})
        return rows

    def duties_of(self, unit: Unit) -> dict[str, list[Indicator]]:
        """The indicators a unit answers for, by rubric: its own, and its groups'."""
        keys: dict[str, set[str]] = {}
        for answerable in (unit.id, *(g.id for g in self.groups_of.get(unit.id, ()))):
            for rubric_id, found in self._duties.get(answerable, {}).items():
                keys.setdefault(rubric_id, set()).update(found)
        duties = {}
        for rubric_id in (rid for rid in self.project.rubrics if rid in keys):
            rubric = self.rubric(rubric_id)
            duties[rubric_id] = [i for key, i in rubric.indicators.items() if key in keys[rubric_id]]
        return duties

    def history_of(self, path: str) -> list:
        self.read(HistoryOf(path))
        return self.history.of(path) if self.history else []

    def uncommitted(self, path: str) -> bool:
        self.read(HistoryOf(path))
        return bool(self.history and path in self.history.dirty)

    def whole_history(self) -> History | None:
        self.read(WholeHistory())
        return self.history

    def notice_state(self, assessment: Assessment) -> str:
        notice = assessment.notice
        if notice is None:
            return ""
        if self.today < notice.start:
            return "upcoming"
        return "running" if self.today <= notice.end else "ended"


def newest_first(assessments) -> list[Assessment]:
    by_id = sorted(assessments, key=lambda a: a.id)
    return sorted(by_id, key=lambda a: (a.period_key, a.published_on or dt.date.min), reverse=True)


def tied(results: list[EntityResult]) -> frozenset[str]:
    """The entities whose rank another entity shares (并列)."""
    counts = Counter(r.rank for r in results)
    return frozenset(r.entity for r in results if counts[r.rank] > 1)
