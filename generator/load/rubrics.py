"""Reading a rubric file: sections, indicators and the rule each one scores by."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from ..errors import Invalid, Mark, Problems, suggest
from ..model import (RULE_KINDS, Check, Deduct, Grade, Indicator, Judged, Level, Levels, Linear,
                    Rubric, Section, Share, Step, Tally, Thresholds)
from .schema import (Field, boolean, raw, ident, integer, non_negative, number, one_of,
                     positive, quantity, read_map, text)
from .yamlio import Map, Scalar, Seq, describe, mark_of

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
    "sections": Field(raw, required=True),
}
SECTION_FIELDS = {
    "id": Field(ident, required=True),
    "title": Field(text, required=True),
    "points": Field(positive(number)),
    "sections": Field(raw),
    "indicators": Field(raw),
}
INDICATOR_FIELDS = {
    "id": Field(ident, required=True),
    "text": Field(text, required=True),
    "points": Field(positive(number), required=True, doc="the indicator's maximum, e.g. points: 2"),
    "method": Field(text, default=""),
    "units": Field(raw, default=None),
    "rule": Field(raw, required=True, doc="one of: " + ", ".join(RULE_KINDS)),
    "veto": Field(boolean, default=False),
}
GRADE_FIELDS = {"min": Field(non_negative(number), required=True), "label": Field(text, required=True)}
LEVEL_FIELDS = {"key": Field(text, required=True), "points": Field(non_negative(number), required=True),
                "label": Field(text, required=True)}
DEDUCT_FIELDS = {"per": Field(positive(number), required=True), "bonus": Field(raw),
                 "cap": Field(positive(number))}
BONUS_FIELDS = {"every": Field(positive(integer), required=True), "points": Field(positive(number), required=True)}
LINEAR_FIELDS = {"full_at": Field(quantity, required=True), "per": Field(quantity, required=True),
                 "deduct": Field(positive(number), required=True)}
THRESHOLDS_FIELDS = {"relative_to": Field(one_of("baseline"), required=True), "steps": Field(raw, required=True)}
STEP_KEYS = ("at_least", "above")
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
    rubric = Rubric(
        id=fields["id"], title=fields["title"], source=fields["source"], points=fields["points"],
        precision=min(fields["precision"], 6), grades=reader.grades(fields["grades"], value.value_mark("grades")),
        sections=sections, not_applicable=fields["not_applicable"], description=fields["description"],
        path=path, indicators=reader.indicators)
    _check_total(rubric.points, sum((s.points for s in sections), Decimal(0)),
                 value.value_mark("points"), "the rubric's sections", problems)
    for indicator in rubric.indicators.values():
        _check_precision(indicator, rubric.precision, problems)
    return rubric


def fits_precision(number: Decimal, precision: int) -> bool:
    """True when `number` has no more decimals than the rubric keeps."""
    return (number * 10 ** precision) % 1 == 0


def _check_precision(indicator: Indicator, precision: int, problems: Problems) -> None:
    """Points the rubric states must be printable as they are: 19.995 under precision 2 is not."""
    stated = [("the indicator's points", indicator.points)]
    stated += [(f"level {l.key}", l.points) for l in getattr(indicator.rule, "levels", ())]
    stated += [(f"the step {s.bound.text}", s.points) for s in getattr(indicator.rule, "steps", ())]
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

    def items(self, value, mark: Mark, what: str) -> list:
        if isinstance(value, Seq) and value:
            return list(value)
        self.problems.add(mark_of(value, mark), f"expected a list of {what}, got {describe(value)}",
                          f"write each of the {what} on a line starting with '- '")
        return []

    def sections(self, value, mark: Mark, parents: tuple, depth: int) -> list[Section]:
        result, seen = [], {}
        for item in self.items(value, mark, "sections"):
            section = self.section(item, parents, depth)
            if section is None:
                continue
            if section.id in seen:
                self.problems.add(section.mark, f"expected each section id once here, got {section.id!r} again "
                                  f"(first at line {seen[section.id].line})", "number the sections in order")
                continue
            seen[section.id] = section.mark
            result.append(section)
        return result

    def section(self, value, parents: tuple, depth: int) -> Section | None:
        fields = read_map(value, SECTION_FIELDS, self.problems, "a section", Mark(self.path))
        if fields is None or fields.get("id") is None:
            return None
        key = ".".join((*parents, fields["id"]))
        has_sections, has_indicators = fields["sections"] is not None, fields["indicators"] is not None
        if has_sections == has_indicators:
            self.problems.add(value.mark, f"expected a section to hold either 'sections' or 'indicators', got "
                              f"{'both' if has_sections else 'neither'} (section {key})",
                              "a section lists sub-sections, or indicators, not both")
        children = self.sections(fields["sections"], value.value_mark("sections"), (*parents, fields["id"]),
                                 depth + 1) if has_sections else []
        indicators = self.indicator_list(fields["indicators"], value.value_mark("indicators"),
                                         (*parents, fields["id"])) if has_indicators else []
        total = sum((c.points for c in children), Decimal(0)) + sum((i.points for i in indicators), Decimal(0))
        if fields["points"] is not None:
            _check_total(fields["points"], total, value.value_mark("points"), f"the indicators in section {key}",
                         self.problems)
        return Section(key=key, id=fields["id"], title=fields.get("title") or "", points=total,
                       declared=fields["points"], sections=children, indicators=indicators, depth=depth,
                       mark=value.key_mark("id"))

    def indicator_list(self, value, mark: Mark, parents: tuple) -> list[Indicator]:
        result = []
        for item in self.items(value, mark, "indicators"):
            indicator = self.indicator(item, parents)
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

    def indicator(self, value, parents: tuple) -> Indicator | None:
        fields = read_map(value, INDICATOR_FIELDS, self.problems, "an indicator", Mark(self.path))
        if fields is None or fields.get("id") is None:
            return None
        key = ".".join((*parents, fields["id"]))
        if len(key) > MAX_KEY:
            self.problems.add(value.key_mark("id"), f"expected an indicator key of at most {MAX_KEY} characters, "
                              f"got {len(key)} ({key[:20]}…)", "the key becomes a folder name: use short ids")
            return None
        units = self.units(fields["units"], value.value_mark("units")) if fields["units"] is not None else ()
        maximum = fields.get("points")
        rule = None
        if maximum is not None and fields.get("rule") is not None:
            try:
                rule = read_rule(fields["rule"], maximum, value.value_mark("rule"), self.problems)
            except Invalid as error:
                self.problems.add_invalid(value.value_mark("rule"), error)
        if rule is None or fields.get("text") is None:
            return None
        return Indicator(key=key, id=fields["id"], text=fields["text"], points=maximum, method=fields["method"],
                         units=units, rule=rule, veto=fields["veto"], section_keys=_prefixes(parents),
                         mark=value.key_mark("id"))

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
                grades.append((item.mark, Grade(fields["min"], fields["label"])))
        for (_, higher), (where, lower) in zip(grades, grades[1:]):
            if lower.min >= higher.min:
                self.problems.add(where, f"expected grades from highest to lowest, got min {lower.min} "
                                  f"after min {higher.min}", "list the best grade first")
        if grades and grades[-1][1].min != 0:
            self.problems.add(grades[-1][0], f"expected the last grade to start at min: 0, got {grades[-1][1].min}",
                              "every total needs a grade: end with e.g. {min: 0, label: 不合格}")
        return tuple(grade for _, grade in grades)


def _prefixes(parents: tuple) -> tuple[str, ...]:
    return tuple(".".join(parents[:n]) for n in range(1, len(parents) + 1))


# --- rules ---------------------------------------------------------------------------

def read_rule(value, maximum: Decimal, mark: Mark, problems: Problems):
    """A rule from `rule: check` or `rule: {levels: …}`, checked against the indicator's maximum."""
    if isinstance(value, Scalar):
        kind, spec = str(value).strip(), None
        if kind not in ("check", "share"):
            hint = suggest(kind, RULE_KINDS, "rule kinds")
            if kind in RULE_KINDS:
                hint = f"the {kind} rule needs settings: see the rule table in the README"
            raise Invalid(f"expected a rule kind, got {describe(value)}", hint)
    elif isinstance(value, Map) and len(value) == 1:
        kind, spec = next(iter(value.items()))
        if kind not in RULE_KINDS:
            raise Invalid(f"expected a rule kind, got {kind!r}", suggest(kind, RULE_KINDS, "rule kinds"),
                          value.key_mark(kind))
    else:
        raise Invalid(f"expected one rule (check, levels, thresholds, …), got {describe(value)}"
                      + (f" with {len(value)} keys" if isinstance(value, Map) else ""),
                      "an indicator has exactly one rule; kinds: " + ", ".join(RULE_KINDS))
    where = mark_of(spec, mark)
    return _RULE_READERS[kind](spec, maximum, where, problems)


def _no_settings(spec, where: Mark, kind: str) -> None:
    if spec is not None and not (isinstance(spec, Scalar) and spec.is_null) and spec != {}:
        raise Invalid(f"expected no settings for the {kind} rule, got {describe(spec)}",
                      f"write `rule: {kind}`", where)


def read_check(spec, maximum, where, problems):
    _no_settings(spec, where, "check")
    return Check()


def read_share(spec, maximum, where, problems):
    _no_settings(spec, where, "share")
    return Share()


def read_levels(spec, maximum, where, problems):
    if not isinstance(spec, Seq) or len(spec) < 2:
        raise Invalid(f"expected a list of at least two levels, got {describe(spec)}",
                      "e.g. - {key: full, points: 2, label: 符合评估标准}", where)
    levels, keys = [], set()
    for item in spec:
        fields = read_map(item, LEVEL_FIELDS, problems, "a level", where)
        if not fields or None in (fields.get("key"), fields.get("points"), fields.get("label")):
            continue
        if fields["key"] in keys:
            problems.add(item.value_mark("key"), f"expected each level key once, got {fields['key']!r} again")
        if fields["points"] > maximum:
            problems.add(item.value_mark("points"), f"expected a level's points to be at most the indicator's "
                         f"{maximum}, got {fields['points']}", "raise the indicator's points or lower the level's")
        keys.add(fields["key"])
        levels.append(Level(fields["key"], fields["points"], fields["label"]))
    if levels and max(level.points for level in levels) < maximum:
        problems.add(where, f"expected one level to give the full {maximum} points, got at most "
                     f"{max(level.points for level in levels)}", "the best level earns the indicator's points")
    return Levels(tuple(levels)) if levels else None


def read_thresholds(spec, maximum, where, problems):
    relative_to = None
    if isinstance(spec, Map):
        fields = read_map(spec, THRESHOLDS_FIELDS, problems, "a relative thresholds rule", where)
        relative_to, spec = fields.get("relative_to"), fields.get("steps")
        where = mark_of(spec, where)
    if not isinstance(spec, Seq) or not spec:
        raise Invalid(f"expected a list of steps, got {describe(spec)}",
                      "e.g. - {at_least: 80%, points: 1}", where)
    steps = [step for step in (_read_step(item, maximum, where, problems) for item in spec) if step]
    _check_steps(steps, spec, maximum, where, problems)
    return Thresholds(tuple(step for step, _ in steps), relative_to) if steps else None


def _read_step(item, maximum, where, problems):
    if not isinstance(item, Map):
        problems.add(mark_of(item, where), f"expected a step such as {{at_least: 80%, points: 1}}, got {describe(item)}")
        return None
    bounds = [key for key in item if key in STEP_KEYS]
    fields = read_map(item, {"at_least": Field(quantity), "above": Field(quantity),
                             "points": Field(non_negative(number), required=True)}, problems, "a step", where)
    if len(bounds) != 1:
        problems.add(item.mark, f"expected exactly one of at_least or above in a step, got {len(bounds)}",
                     "达到/以上/不低于 → at_least; 超过 → above")
        return None
    bound = fields.get(bounds[0])
    if bound is None or fields.get("points") is None:
        return None
    if fields["points"] > maximum:
        problems.add(item.value_mark("points"), f"expected a step's points to be at most the indicator's "
                     f"{maximum}, got {fields['points']}")
    return Step(bound, bounds[0] == "at_least", fields["points"]), item.mark


def _check_steps(steps, spec, maximum, where, problems) -> None:
    for (low, _), (high, mark) in zip(steps, steps[1:]):
        if (high.bound.value, not high.inclusive) <= (low.bound.value, not low.inclusive):
            problems.add(mark, f"expected steps in rising order, got {high.bound.text} after {low.bound.text}",
                         "list the lowest bound first; at_least X comes before above X")
        elif high.points < low.points:
            problems.add(mark, f"expected a higher step to give at least as many points, got {high.points} "
                         f"after {low.points}")
    if len({step.bound.percent for step, _ in steps}) > 1:
        problems.add(where, "expected all bounds as percentages or all as plain numbers, got both",
                     "write 80% rather than 0.8 throughout")
    if steps and max(step.points for step, _ in steps) < maximum:
        problems.add(where, f"expected the highest step to give the full {maximum} points, got "
                     f"{max(step.points for step, _ in steps)}")


def read_deduct(spec, maximum, where, problems):
    fields = read_map(spec, DEDUCT_FIELDS, problems, "a deduct rule", where)
    if not fields or fields.get("per") is None:
        return None
    every = points = None
    if fields.get("bonus") is not None:
        bonus = read_map(fields["bonus"], BONUS_FIELDS, problems, "a bonus", spec.value_mark("bonus"))
        every, points = (bonus or {}).get("every"), (bonus or {}).get("points")
        if every is None or points is None:
            return None
    if fields.get("cap") is not None and fields["cap"] < maximum:
        problems.add(spec.value_mark("cap"), f"expected a cap of at least the indicator's {maximum}, got {fields['cap']}",
                     "cap limits what a bonus can add; it cannot be below the maximum")
    return Deduct(fields["per"], every, points, fields.get("cap"))


def read_linear(spec, maximum, where, problems):
    fields = read_map(spec, LINEAR_FIELDS, problems, "a linear rule", where)
    if not fields or None in (fields.get("full_at"), fields.get("per"), fields.get("deduct")):
        return None
    if fields["per"].value <= 0:
        problems.add(spec.value_mark("per"), f"expected per greater than 0, got {fields['per'].text}")
        return None
    if fields["per"].percent != fields["full_at"].percent:
        problems.add(spec.value_mark("per"), f"expected per in the same unit as full_at ({fields['full_at'].text}), "
                     f"got {fields['per'].text}", "write both as percentages, e.g. full_at: 80%, per: 1%")
    return Linear(fields["full_at"], fields["per"], fields["deduct"])


def read_judged(spec, maximum, where, problems):
    fields = read_map(spec, {"step": Field(positive(number), required=True)}, problems, "a judged rule", where)
    if not fields or fields.get("step") is None:
        return None
    if maximum % fields["step"]:
        problems.add(spec.value_mark("step"), f"expected a step that divides the maximum {maximum}, got {fields['step']}")
    return Judged(fields["step"])


def read_tally(spec, maximum, where, problems):
    fields = read_map(spec, {"per": Field(positive(number), required=True)}, problems, "a tally rule", where)
    return Tally(fields["per"]) if fields and fields.get("per") is not None else None


_RULE_READERS = {
    "check": read_check, "levels": read_levels, "thresholds": read_thresholds, "deduct": read_deduct,
    "share": read_share, "linear": read_linear, "judged": read_judged, "tally": read_tally,
}
