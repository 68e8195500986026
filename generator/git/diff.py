"""`scoresite diff`: what changed in the published figures between two revisions.

Both sides are loaded in full (from git through tree.GitTree, or the working tree) and
compared result by result: every indicator whose result, override or points changed,
each entity's total and rank before and after, and indicators a rubric change added or
removed. Nothing is printed for what did not change."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..model import EntityResult
from ..load.project import Project
from ..numbers import plain


@dataclass
class IndicatorDiff:
    key: str
    text: str
    points: tuple
    result: tuple
    override: tuple


@dataclass
class EntityDiff:
    entity: str
    name: str
    status: str                   # changed | added | removed
    total: tuple
    rank: tuple
    indicators: list[IndicatorDiff] = field(default_factory=list)


@dataclass
class AssessmentDiff:
    id: str
    title: str
    status: str                   # changed | added | removed
    entities: list[EntityDiff] = field(default_factory=list)
    indicators_added: list[tuple[str, str]] = field(default_factory=list)
    indicators_removed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.status == "changed" and not (self.entities or self.indicators_added or self.indicators_removed)


def compare(old: Project, new: Project) -> list[AssessmentDiff]:
    """Every assessment that differs, in id order."""
    found = []
    for aid in sorted(set(old.assessments) | set(new.assessments)):
        a, b = old.assessments.get(aid), new.assessments.get(aid)
        if a is None or b is None:
            project, status = (new, "added") if a is None else (old, "removed")
            here = project.assessments[aid]
            diff = AssessmentDiff(aid, here.title, status)
            diff.entities = [_whole(project, r, status) for r in project.results[aid]]
            found.append(diff)
            continue
        diff = AssessmentDiff(aid, b.title, "changed")
        rubric_a, rubric_b = old.rubric_of(a), new.rubric_of(b)
        diff.indicators_added = [(k, i.text) for k, i in rubric_b.indicators.items() if k not in rubric_a.indicators]
        diff.indicators_removed = [(k, i.text) for k, i in rubric_a.indicators.items() if k not in rubric_b.indicators]
        diff.entities = _entities(old, new, aid)
        if not diff.empty:
            found.append(diff)
    return found


def _entities(old: Project, new: Project, aid: str) -> list[EntityDiff]:
    """Entities whose figures moved. An indicator a rubric change added or removed is listed
    once for the assessment, and for an entity only where that entity has a result for it."""
    before = {r.entity: r for r in old.results[aid]}
    after = {r.entity: r for r in new.results[aid]}
    entities = []
    for entity in sorted(set(before) | set(after)):
        a, b = before.get(entity), after.get(entity)
        if a is None or b is None:
            entities.append(_whole(new if a is None else old, b or a, "added" if a is None else "removed"))
            continue
        indicators = [d for d in (_indicator(a, b, key) for key in list(a.scores) + [k for k in b.scores
                                                                                       if k not in a.scores]) if d]
        if indicators or a.total != b.total or a.rank != b.rank:
            entities.append(EntityDiff(entity, new.units[entity].name if entity in new.units else entity,
                                       "changed", (a.total, b.total), (a.rank, b.rank), indicators))
    return entities


def _whole(project: Project, result: EntityResult, status: str) -> EntityDiff:
    values = (None, result.total) if status == "added" else (result.total, None)
    ranks = (None, result.rank) if status == "added" else (result.rank, None)
    name = project.units[result.entity].name if result.entity in project.units else result.entity
    return EntityDiff(result.entity, name, status, values, ranks)


def _indicator(a: EntityResult, b: EntityResult, key: str) -> IndicatorDiff | None:
    sa, sb = a.scores.get(key), b.scores.get(key)
    if (sa is None and sb.entry is None) or (sb is None and sa.entry is None):
        return None
    points = (sa.points if sa else None, sb.points if sb else None)
    results = (_result(sa), _result(sb))
    overrides = (_override(sa), _override(sb))
    if points[0] == points[1] and results[0] == results[1] and overrides[0] == overrides[1]:
        return None
    return IndicatorDiff(key, (sb or sa).indicator.text, points, results, overrides)


def _result(score) -> str | None:
    if score is None or score.entry is None:
        return None
    return "n/a" if score.entry.not_applicable else score.indicator.rule.written(score.entry.result)


def _override(score) -> str | None:
    if score is None or score.entry is None or score.entry.override is None:
        return None
    return f"{plain(score.entry.override.points)} ({score.entry.override.reason})"


# --- printing ------------------------------------------------------------------------

def _n(value) -> str:
    if value is None:
        return "—"
    return plain(value) if isinstance(value, Decimal) else str(value)


def _delta(pair: tuple) -> str:
    if None in pair or pair[0] == pair[1]:
        return ""
    change = pair[1] - pair[0]
    return f" ({'+' if change > 0 else '−'}{plain(abs(change))})"


def as_text(diffs: list[AssessmentDiff], label_a: str, label_b: str) -> str:
    """The diff as people read it in a terminal."""
    if not diffs:
        return f"no changes in the results between {label_a} and {label_b}\n"
    lines = [f"results: {label_a} → {label_b}", ""]
    for diff in diffs:
        lines.append(f"{diff.id}  {diff.title}" + ("" if diff.status == "changed" else f"  [{diff.status}]"))
        for key, text in diff.indicators_added:
            lines.append(f"  + indicator {key} {text}  (added to the rubric)")
        for key, text in diff.indicators_removed:
            lines.append(f"  - indicator {key} {text}  (removed from the rubric)")
        for entity in diff.entities:
            mark = {"added": "+ ", "removed": "- "}.get(entity.status, "")
            lines.append(f"  {mark}{entity.name} ({entity.entity})  total {_n(entity.total[0])} → {_n(entity.total[1])}"
                         f"{_delta(entity.total)}  rank {_n(entity.rank[0])} → {_n(entity.rank[1])}")
            for item in entity.indicators:
                line = f"    {item.key}  {item.text}  {_n(item.points[0])} → {_n(item.points[1])}"
                if item.result[0] != item.result[1]:
                    line += f"  result {_n(item.result[0])} → {_n(item.result[1])}"
                if item.override[0] != item.override[1]:
                    line += f"  override {_n(item.override[0])} → {_n(item.override[1])}"
                lines.append(line)
        lines.append("")
    return "\n".join(lines)


def as_data(diffs: list[AssessmentDiff], side_a: dict, side_b: dict) -> dict:
    """The diff as data, for `--format json`."""
    return {"from": side_a, "to": side_b, "assessments": [{
        "id": d.id, "title": d.title, "status": d.status,
        "indicators_added": [{"key": k, "text": t} for k, t in d.indicators_added],
        "indicators_removed": [{"key": k, "text": t} for k, t in d.indicators_removed],
        "entities": [{
            "entity": e.entity, "name": e.name, "status": e.status,
            "total": {"old": e.total[0], "new": e.total[1]}, "rank": {"old": e.rank[0], "new": e.rank[1]},
            "indicators": [{"key": i.key, "text": i.text,
                            "points": {"old": i.points[0], "new": i.points[1]},
                            "result": {"old": i.result[0], "new": i.result[1]},
                            "override": {"old": i.override[0], "new": i.override[1]}} for i in e.indicators],
        } for e in d.entities],
    } for d in diffs]}
