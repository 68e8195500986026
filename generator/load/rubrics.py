"""Reading a rubric file: sections, indicators and the rule each one scores by."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from ..errors import Invalid, Mark, Problems, suggest
from ..model import AdjustmentItem, Adjustments, Grade, Indicator, Rubric, Section, Veto, VETO_EFFECTS
from .schema import (Field, boolean, ident, integer, non_negative, number, one_of, positive, quantity, raw,
                     read_map, text)
from .yamlio import Scalar, Seq, describe, mark_of
from ..rules import KINDS, read_rule

ResolveUnit = Callable[[str], str]   # a name as written → unit id, or Invalid

RUBRIC_FIELDS = {
    "id": Field(ident, required=True, doc="the rubric's id, the same as its file name"),
    "title": Field(text, required=True),
    "source": Field(text, default=""),
    "description": Field(text, default=""),
    "points": Field(positive(number), required=True, doc="the declared total, e.g. points: 100"),
    "precision": Field(integer, default=2),
    "grades": Field(raw, default=None),
    "not_applicable": Field(one_of("zero", "rescale"), default="zero"),
    "ranking": Field(one_of("competition", "dense"), default="competition"),
    "adjustments": Field(raw),
    "sections": Field(raw, required=True),
}
SECTION_FIELDS = {
    "id": Field(ident, required=True),
    "title": Field(text, required=True),
    "points": Field(positive(number)),
    "pool": Field(boolean, default=False, doc="二级指标减分可突破自身分值、不可突破一级指标分值"),
    "bonus": Field(boolean, default=False, doc="附加分: not part of the rubric's points; points is its cap"),
    "sections": Field(raw),
    "indicators": Field(raw),
}
INDICATOR_FIELDS = {
    "id": Field(ident, required=True),
    "text": Field(text, required=True),
    "points": Field(non_negative(number), required=True, doc="the indicator's maximum, e.g. points: 2"),
    "method": Field(text, default=""),
    "units": Field(raw, default=None),
    "rule": Field(raw, required=True, doc="one of: " + ", ".join(KINDS)),
    "veto": Field(raw, default=None),
}
GRADE_FIELDS = {"min": Field(non_negative(number), required=True), "label": Field(text, required=True),
                "quota": Field(quantity)}
ADJUSTMENTS_FIELDS = {"items": Field(raw, required=True), "minus_most": Field(positive(number)),
                      "plus_most": Field(positive(number))}
ADJUSTMENT_FIELDS = {"key": Field(ident, required=True), "per": Field(number, required=True),
                     "label": Field(text, required=True)}
VETO_FIELDS = {"effect": Field(one_of(*VETO_EFFECTS[:3])), "grade": Field(text)}
MAX_KEY = 100      # an indicator key is a folder name of the site: rubrics/<id>/<key>/


def read_rubric(value, path: str, resolve_unit: ResolveUnit, problems: Problems) -> Rubric | None:
    """A rubric from a loaded file, or None when it is too broken to use (problems say why)."""
    top = Mark(path)
    fields = read_map(value, RUBRIC_FIELDS, problems, "a rubric", top)
    if fields is None:
        return None
    reader = _RubricReader(path, resolve_unit, problems)
    sections = reader.sections(fields["sections"], value.value_mark("sections"), (), depth=1) \
        if fields.get("sections") is not None else []
    if None in (fields.get("id"), fields.get("title"), fields.get("points")) or fields.get("precision") is None:
        return None
    if fields["precision"] > 6:
        problems.add(value.value_mark("precision"), f"expected a precision of 0 to 6 decimals, got {fields['precision']}")
    grades = reader.grades(fields["grades"], value.value_mark("grades"))
    rubric = Rubric(
        id=fields["id"], title=fields["title"], source=fields["source"], points=fields["points"],
        precision=min(fields["precision"], 6), grades=grades,
        sections=sections, not_applicable=fields["not_applicable"], description=fields["description"],
        path=path, indicators=reader.indicators, ranking=fields["ranking"], unreadable=frozenset(reader.broken),
        adjustments=_read_adjustments(fields["adjustments"], value.value_mark("adjustments"), problems)
        if fields.get("adjustments") is not None else None)
    base = [s for s in sections if not s.bonus]
    below = "the rubric's sections" + (" (bonus sections are not part of it)" if len(base) < len(sections) else "")
    _check_total(rubric.points, sum((s.points for s in base), Decimal(0)), value.value_mark("points"), below, problems)
    for indicator in rubric.indicators.values():
        _check_precision(indicator, rubric.precision, problems)
        _check_veto(indicator, grades, problems)
    _check_grades_reachable(rubric, value.value_mark("grades"), problems)
    return rubric


def _check_grades_reachable(rubric: Rubric, mark: Mark, problems: Problems) -> None:
    """A grade no total can reach, or two grades of one name, is a typo, not a rule."""
    best = rubric.points + sum((s.points for s in rubric.bonus_sections), Decimal(0)) + \
        (rubric.adjustments.plus_most or 0 if rubric.adjustments else 0)
    seen = set()
    for grade in rubric.grades:
        if grade.label in seen:
            problems.add(mark, f"expected each grade label once, got {grade.label!r} twice", "rename one of them")
        seen.add(grade.label)
        if grade.min > best:
            problems.add(mark, f"expected grade {grade.label!r} to be reachable, got min {grade.min} above the highest "
                         f"possible total {best}", "is it a typo (min: 90 on a 100-point rubric)?")


def _read_adjustments(value, mark: Mark, problems: Problems) -> Adjustments | None:
    """加减分项: `items` of {key, per (signed), label}, with `minus_most` and `plus_most`."""
    fields = read_map(value, ADJUSTMENTS_FIELDS, problems, "the adjustments", mark)
    if not fields or fields.get("items") is None:
        return None
    items, keys = [], set()
    listed = fields["items"] if isinstance(fields["items"], Seq) and fields["items"] else None
    if listed is None:
        problems.add(value.value_mark("items"), f"expected a list of adjustment items, got {describe(fields['items'])}",
                     "e.g. - {key: criticised, per: -3, label: 受到通报批评（每次）}")
        return None
    for item in listed:
        found = read_map(item, ADJUSTMENT_FIELDS, problems, "an adjustment item", mark)
        if not found or None in (found.get("key"), found.get("per"), found.get("label")):
            continue
        if found["key"] in keys:
            problems.add(item.value_mark("key"), f"expected each adjustment key once, got {found['key']!r} again")
        elif found["per"] == 0:
            problems.add(item.value_mark("per"), "expected a signed amount per occurrence (−3 or 2), got 0",
                         "minus for 扣分, plus for 加分")
        keys.add(found["key"])
        items.append(AdjustmentItem(found["key"], found["per"], found["label"]))
    return Adjustments(tuple(items), fields.get("minus_most"), fields.get("plus_most")) if items else None


def _check_veto(indicator: Indicator, grades, problems: Problems) -> None:
    """A veto needs grades to act on, and a grade it names must be one of them."""
    veto = indicator.veto
    if veto is None:
        return
    if not grades:
        problems.add(indicator.mark, f"expected grades in a rubric with a veto indicator ({indicator.key}), got none",
                     "a veto acts on the grade: add grades, or remove the veto")
    elif veto.effect == "grade" and veto.grade not in {g.label for g in grades}:
        problems.add(indicator.mark, f"expected veto: {{grade: …}} to name one of the rubric's grades, got "
                     f"{veto.grade!r}", suggest(veto.grade, [g.label for g in grades], "grades"))


def fits_precision(number: Decimal, precision: int) -> bool:
    """True when `number` has no more decimals than the rubric keeps."""
    return (number * 10 ** precision) % 1 == 0


def _check_precision(indicator: Indicator, precision: int, problems: Problems) -> None:
    """Points the rubric states must be printable as they are: 19.995 under precision 2 is not."""
    stated = [("the indicator's points", indicator.points), *indicator.rule.stated_points()]
    for what, points in stated:
        if not fits_precision(points, precision):
            problems.add(indicator.mark, f"expected points with at most {precision} decimals (precision: {precision}), "
                         f"got {points} for {what} of {indicator.key}",
                         "raise the rubric's precision, or round the points")


def _check_total(declared: Decimal, actual: Decimal, mark: Mark, below: str, problems: Problems) -> None:
    if declared != actual:
        problems.add(mark, f"expected points: {declared} to equal the sum of {below}, got a sum of {actual}",
                     "correct the declared points, or the points of the indicators below it")


class _RubricReader:
    """Walks one rubric's sections; collects indicators by key."""

    def __init__(self, path: str, resolve_unit: ResolveUnit, problems: Problems):
        self.path = path
        self.resolve_unit = resolve_unit
        self.problems = problems
        self.indicators: dict[str, Indicator] = {}
        self.unread: dict[tuple, Decimal] = {}    # section path → points of indicators whose rule is broken
        self.broken: set[str] = set()              # keys of indicators reported as broken

    def items(self, value, mark: Mark, what: str) -> list:
        if isinstance(value, Seq) and value:
            return list(value)
        self.problems.add(mark_of(value, mark), f"expected a list of {what}, got {describe(value)}",
                          f"write each of the {what} on a line starting with '- '")
        return []

    def sections(self, value, mark: Mark, parents: tuple, depth: int, pooled: bool = False,
                 in_bonus: bool = False) -> list[Section]:
        result, seen = [], {}
        for item in self.items(value, mark, "sections"):
            section = self.section(item, parents, depth, pooled, in_bonus)
            if section is None:
                continue
            if section.id in seen:
                self.problems.add(section.mark, f"expected each section id once here, got {section.id!r} again "
                                  f"(first at line {seen[section.id].line})", "number the sections in order")
                continue
            seen[section.id] = section.mark
            result.append(section)
        return result

    def section(self, value, parents: tuple, depth: int, pooled: bool = False, in_bonus: bool = False) -> Section | None:
        fields = read_map(value, SECTION_FIELDS, self.problems, "a section", Mark(self.path))
        if fields is None or fields.get("id") is None:
            return None
        key = ".".join((*parents, fields["id"]))
        if fields["bonus"] and depth > 1:
            self.problems.add(value.key_mark("bonus"), f"expected bonus: true only on a top-level section, got it on "
                              f"section {key}", "附加分 is a section of its own beside the others")
        if fields["bonus"] and fields["points"] is None:
            self.problems.add(value.mark, f"expected points: on the bonus section {key} (its cap), got none",
                              "e.g. points: 10 (加分项最高10分)")
        if fields["pool"] and fields["points"] is None:
            self.problems.add(value.mark, f"expected points: on the pool section {key} (its floor and cap are "
                              "0 … points), got none")
        pooled, in_bonus = pooled or fields["pool"], in_bonus or fields["bonus"]
        has_sections, has_indicators = fields["sections"] is not None, fields["indicators"] is not None
        if has_sections == has_indicators:
            self.problems.add(value.mark, f"expected a section to hold either 'sections' or 'indicators', got "
                              f"{'both' if has_sections else 'neither'} (section {key})",
                              "a section lists sub-sections, or indicators, not both")
        children = self.sections(fields["sections"], value.value_mark("sections"), (*parents, fields["id"]),
                                 depth + 1, pooled, in_bonus) if has_sections else []
        indicators = self.indicator_list(fields["indicators"], value.value_mark("indicators"),
                                         (*parents, fields["id"]), pooled, in_bonus) if has_indicators else []
        total = sum((c.points for c in children), Decimal(0)) + sum((i.points for i in indicators), Decimal(0)) \
            + self.unread.get((*parents, fields["id"]), Decimal(0))    # a broken rule is reported once, not as a sum
        if fields["points"] is not None and not fields["bonus"]:
            _check_total(fields["points"], total, value.value_mark("points"), f"the indicators in section {key}",
                         self.problems)
        return Section(key=key, id=fields["id"], title=fields.get("title") or "",
                       points=fields["points"] if fields["bonus"] and fields["points"] is not None else total,
                       declared=fields["points"], sections=children, indicators=indicators, depth=depth,
                       mark=value.key_mark("id"), pool=fields["pool"], bonus=fields["bonus"])

    def indicator_list(self, value, mark: Mark, parents: tuple, pooled: bool = False,
                       in_bonus: bool = False) -> list[Indicator]:
        result = []
        for item in self.items(value, mark, "indicators"):
            indicator = self.indicator(item, parents, pooled, in_bonus)
            if indicator is None:
                continue
            if indicator.key in self.indicators:
                first = self.indicators[indicator.key].mark
                self.problems.add(indicator.mark, f"expected each indicator id once in its section, got "
                                  f"{indicator.key!r} again (first at line {first.line})", "number the indicators in order")
                continue
            self.indicators[indicator.key] = indicator
            result.append(indicator)
        return result

    def indicator(self, value, parents: tuple, pooled: bool = False, in_bonus: bool = False) -> Indicator | None:
        fields = read_map(value, INDICATOR_FIELDS, self.problems, "an indicator", Mark(self.path))
        if fields is None or fields.get("id") is None:
            return None
        key = ".".join((*parents, fields["id"]))
        if len(key) > MAX_KEY:
            self.problems.add(value.key_mark("id"), f"expected an indicator key of at most {MAX_KEY} characters, "
                              f"got {len(key)} ({key[:20]}…)", "the key becomes a folder name: use short ids")
            return None
        units = self.units(fields["units"], value.value_mark("units")) if fields["units"] is not None else ()
        veto = self.veto(fields["veto"], value.value_mark("veto")) if fields["veto"] is not None else None
        maximum = fields.get("points")
        rule = None
        if maximum is not None and fields.get("rule") is not None:
            try:
                rule = read_rule(fields["rule"], maximum, value.value_mark("rule"), self.problems)
            except Invalid as error:
                self.problems.add_invalid(value.value_mark("rule"), error)
        if rule is None or fields.get("text") is None:
            if maximum is not None:
                self.unread[parents] = self.unread.get(parents, Decimal(0)) + maximum
            self.broken.add(key)
            return None
        if maximum == 0 and not (veto and rule.condition):
            self.problems.add(value.value_mark("points"), f"expected the indicator's points to be greater than 0, "
                              f"got 0 ({key})", "only a veto condition (veto plus rule: check) carries points: 0")
            return None
        return Indicator(key=key, id=fields["id"], text=fields["text"], points=maximum, method=fields["method"],
                         units=units, rule=rule, veto=veto, section_keys=_prefixes(parents),
                         mark=value.key_mark("id"), pooled=pooled, in_bonus=in_bonus)

    def veto(self, value, mark: Mark) -> Veto | None:
        """veto: true | false | {effect: not_top | down_one | lowest} | {grade: 合格}."""
        if isinstance(value, Scalar):
            try:
                return Veto() if boolean(value) else None
            except Invalid as error:
                self.problems.add_invalid(mark, Invalid(error.message, "write veto: true, or {effect: not_top}, "
                                                        "{effect: down_one} or {grade: 合格}"))
                return None
        fields = read_map(value, VETO_FIELDS, self.problems, "a veto", mark)
        if not fields:
            return None
        if (fields.get("effect") is None) == (fields.get("grade") is None):
            self.problems.add(mark_of(value, mark), "expected a veto with either effect: or grade:, got "
                              + ("both" if fields.get("effect") else "neither"),
                              "effect: not_top (否优), down_one (降一档), lowest; or grade: 合格 (at most that grade)")
            return None
        return Veto("grade", fields["grade"]) if fields.get("grade") else Veto(fields["effect"])

    def units(self, value, mark: Mark) -> tuple[str, ...]:
        names = value if isinstance(value, Seq) else [value]
        found = []
        for name in names:
            try:
                written = text(name)
                unit = self.resolve_unit(written)
            except Invalid as error:
                self.problems.add_invalid(mark_of(name, mark), error)
                continue
            if unit not in found:
                found.append(unit)
        return tuple(found)

    def grades(self, value, mark: Mark) -> tuple[Grade, ...]:
        if value is None:
            return ()
        grades = []
        for item in self.items(value, mark, "grades"):
            fields = read_map(item, GRADE_FIELDS, self.problems, "a grade", mark)
            if fields and fields.get("min") is not None and fields.get("label"):
                quota = fields.get("quota")
                if quota is not None and (not quota.percent or not 0 <= quota.value <= 1):
                    self.problems.add(item.value_mark("quota"), f"expected a quota as a percentage from 0% to 100%, "
                                      f"got {quota.text}", "e.g. quota: 15% (优秀不超过参评单位总数的15%)")
                    quota = None
                grades.append((item.mark, Grade(fields["min"], fields["label"], quota.value if quota else None,
                                                quota.text if quota else "")))
        for (_, higher), (where, lower) in zip(grades, grades[1:]):
            if lower.min >= higher.min:
                self.problems.add(where, f"expected grades from highest to lowest, got min {lower.min} "
                                  f"after min {higher.min}", "list the best grade first")
        if grades and grades[-1][1].quota is not None:
            self.problems.add(grades[-1][0], "expected no quota on the lowest grade, got one",
                              "entities that miss every quota fall to the lowest grade, so it cannot be limited")
        if grades and grades[-1][1].min != 0:
            self.problems.add(grades[-1][0], f"expected the last grade to start at min: 0, got {grades[-1][1].min}",
                              "every total needs a grade: end with e.g. {min: 0, label: 不合格}")
        return tuple(grade for _, grade in grades)


def _prefixes(parents: tuple) -> tuple[str, ...]:
    return tuple(".".join(parents[:n]) for n in range(1, len(parents) + 1))


