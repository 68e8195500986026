"""Reading a score file: one entity's results in one assessment, checked against the rubric.

A result that does not fit its rule is an error, never a zero."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from ..errors import Invalid, Mark, Problems, suggest
from ..model import (Change, Entry, Evidence, Missed, Override, Quantity, Ratio, Rubric, ScoreSheet)
from .rubrics import fits_precision
from ..numbers import plain
from .schema import (Field, date, ident, integer, list_of, non_negative, number, numeric, quantity, raw,
                     read_map, scalar, text, url)
from .yamlio import Map, Scalar, Seq, describe, mark_of

CheckFile = Callable[[str], tuple[str, str]]   # written path → (path under content/evidence, sha256), or Invalid

SHEET_FIELDS = {
    "entity": Field(ident, required=True, doc="the unit id of the assessed entity, the same as the file name"),
    "assessed_on": Field(date),
    "assessors": Field(list_of(text), default=()),
    "note": Field(text, default=""),
    "scores": Field(raw, required=True, doc="a mapping from indicator keys such as 1.2.1 to results"),
}
ENTRY_FIELDS = {
    "result": Field(raw, required=True, doc="write the result, or `result: n/a` with a `reason`"),
    "note": Field(text, default=""),
    "evidence": Field(raw),
    "override": Field(raw),
    "reason": Field(text, default=""),
}
EVIDENCE_FIELDS = {"title": Field(text, required=True), "url": Field(url), "file": Field(text)}
OVERRIDE_FIELDS = {"points": Field(non_negative(number), required=True),
                   "reason": Field(text, required=True, doc="say why the points differ from the rule's")}
NOT_APPLICABLE = "n/a"


def read_sheet(value, path: str, rubric: Rubric | None, check_file: CheckFile,
               problems: Problems) -> ScoreSheet | None:
    """A score sheet from a loaded file; with no rubric (it failed to load) only the shape is checked."""
    fields = read_map(value, SHEET_FIELDS, problems, "a score file", Mark(path))
    if fields is None or fields.get("entity") is None:
        return None
    sheet = ScoreSheet(entity=fields["entity"], path=path, assessed_on=fields.get("assessed_on"),
                       assessors=fields.get("assessors") or (), note=fields["note"])
    scores = fields.get("scores")
    if scores is None:
        return sheet
    if not isinstance(scores, Map):
        problems.add(mark_of(scores, value.mark), f"expected scores as a mapping of indicator keys, got {describe(scores)}",
                     "e.g. scores:\n      1.1.1: {result: yes}")
        return sheet
    for key, item in scores.items():
        entry = _read_entry(key, item, scores.key_mark(key), rubric, check_file, problems)
        if entry is not None:
            sheet.entries[key] = entry
    return sheet


def _read_entry(key: str, value, mark: Mark, rubric: Rubric | None, check_file: CheckFile,
                problems: Problems) -> Entry | None:
    indicator = rubric.indicators.get(key) if rubric else None
    if rubric and indicator is None:
        problems.add(mark, f"expected an indicator key of rubric {rubric.id!r}, got {key!r}",
                     suggest(key, rubric.indicators, "indicator keys"))
        return None
    fields = read_map(value, ENTRY_FIELDS, problems, f"the entry for {key}", mark)
    if fields is None or "result" not in fields:
        return None
    entry = Entry(key=key, result=None, note=fields["note"], mark=mark)
    entry.evidence = _read_evidence(fields.get("evidence"), value.value_mark("evidence"), check_file, problems)
    result = fields["result"]
    if isinstance(result, Scalar) and str(result).strip() == NOT_APPLICABLE:
        entry.not_applicable, entry.reason = True, fields["reason"]
        if not entry.reason:
            problems.add(value.value_mark("result"), f"expected a reason beside result: n/a for {key}, got none",
                         "add e.g. reason: 本市无此项工作 — readers are told why it does not apply")
    elif fields["reason"]:
        problems.add(value.key_mark("reason"), "expected reason only beside result: n/a, got it beside a result",
                     "to change the points of a result, use override: {points: …, reason: …}")
    elif indicator is not None:
        try:
            entry.result = read_result(indicator.rule, result, indicator.points)
        except Invalid as error:
            problems.add_invalid(value.value_mark("result"), error)
            return None
    if fields.get("override") is not None and indicator is not None:
        if entry.not_applicable:
            problems.add(value.key_mark("override"), "expected no override beside result: n/a, got one",
                         "an indicator that does not apply has no points to adjust; remove one of the two")
        else:
            entry.override = _read_override(fields["override"], value.value_mark("override"), indicator,
                                            rubric.precision, problems)
    return entry


def _read_override(value, mark: Mark, indicator, precision: int, problems: Problems) -> Override | None:
    fields = read_map(value, OVERRIDE_FIELDS, problems, "an override", mark)
    if not fields or fields.get("points") is None or not fields.get("reason"):
        return None
    if not fits_precision(fields["points"], precision):
        problems.add(value.value_mark("points"), f"expected override points with at most {precision} decimals "
                     f"(the rubric's precision), got {plain(fields['points'])}", "round the points as the rubric does")
        return None
    limit = _upper_limit(indicator)
    if limit is not None and fields["points"] > limit:
        problems.add(value.value_mark("points"), f"expected override points of at most {plain(limit)}, "
                     f"got {plain(fields['points'])}", f"indicator {indicator.key} is worth {plain(indicator.points)}")
        return None
    return Override(fields["points"], fields["reason"])


def _upper_limit(indicator) -> Decimal | None:
    rule = indicator.rule
    if rule.kind == "deduct" and rule.bonus_every:
        return rule.cap
    return indicator.points


def _read_evidence(value, mark: Mark, check_file: CheckFile, problems: Problems) -> tuple[Evidence, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, Seq) else [value]
    found = []
    for item in items:
        fields = read_map(item, EVIDENCE_FIELDS, problems, "an evidence item", mark)
        if not fields or not fields.get("title"):
            continue
        has_url, has_file = "url" in item, "file" in item
        if has_url == has_file:
            problems.add(item.mark, f"expected either url or file in an evidence item, got {'both' if has_url else 'neither'}",
                         "url: for a web page (http, https, mailto); file: for a file under content/evidence/")
        elif has_url and fields.get("url"):
            found.append(Evidence(fields["title"], url=fields["url"]))
        elif has_file and fields.get("file"):
            try:
                file, sha = check_file(fields["file"])
                found.append(Evidence(fields["title"], file=file, sha256=sha))
            except Invalid as error:
                problems.add_invalid(item.value_mark("file"), error)
    return tuple(found)


def written(result) -> str:
    """A result as it would be written in a score file: yes, partial, 92.5%, {count: 7, of: 9}."""
    if isinstance(result, bool):
        return "yes" if result else "no"
    if isinstance(result, Quantity):
        return result.text
    if isinstance(result, Ratio):
        return f"{{count: {result.count}, of: {result.of}}}"
    if isinstance(result, Change):
        return f"{{value: {result.value.text}, baseline: {result.baseline.text}}}"
    if isinstance(result, Missed):
        return f"{{missed: {result.missed}, extra: {result.extra}}}" if result.extra else f"{{missed: {result.missed}}}"
    if isinstance(result, Decimal):
        return plain(result)
    if isinstance(result, int):
        return f"{{count: {result}}}"
    return str(result)


# --- results, one reader per rule kind ------------------------------------------------

def read_result(rule, value, maximum: Decimal):
    """What `result:` means under this rule; Invalid (with a hint) when it does not fit."""
    return _RESULT_READERS[rule.kind](rule, value, maximum)


def _word(value) -> str:
    return str(scalar(value)).strip()


def result_check(rule, value, maximum):
    word = _word(value)
    if word in ("yes", "no"):
        return word == "yes"
    guess = {"是": "yes", "符合": "yes", "true": "yes", "否": "no", "不符合": "no", "false": "no"}.get(word)
    raise Invalid(f"expected yes or no (rule: check), got {describe(value)}",
                  f"did you mean {guess}?" if guess else "write yes when the indicator is met, no when it is not")


def result_levels(rule, value, maximum):
    """A level key; `yes` and `no` also name the highest and the lowest level
    (得满分 / 不得分) unless the levels use those keys themselves."""
    word = _word(value)
    if rule.find(word):
        return word
    if word in ("yes", "no"):
        ordered = sorted(rule.levels, key=lambda level: level.points)
        return (ordered[-1] if word == "yes" else ordered[0]).key
    by_label = next((level.key for level in rule.levels if level.label == word), None)
    keys = [level.key for level in rule.levels]
    hint = (f"{word!r} is the label of level {by_label!r}: write result: {by_label}" if by_label
            else suggest(word, keys, "levels") + "; levels: " + ", ".join(f"{l.key} ({l.label})" for l in rule.levels))
    raise Invalid(f"expected one of the levels {', '.join(keys)}, got {describe(value)}", hint)


def result_thresholds(rule, value, maximum):
    if rule.relative_to:
        fields = _exact_map(value, {"value": quantity, "baseline": quantity},
                            "{value: 93%, baseline: 90%} (the rule compares against a baseline)")
        change = Change(fields["value"], fields["baseline"])
        for part in (change.value, change.baseline):
            _same_unit(part, rule.percent, value)
        return change
    return _measured(value, rule.percent)


def result_linear(rule, value, maximum):
    return _measured(value, rule.full_at.percent)


def _measured(value, percent: bool):
    """A number, a percentage, or {count, of}, in the unit the rule's bounds use."""
    if isinstance(value, Map):
        if not percent:
            raise Invalid("expected a plain number (the rule's bounds have no %), got {count, of}",
                          "write the number itself, e.g. result: 6")
        return _ratio(value).as_quantity()
    measured = _quantity(value)
    _same_unit(measured, percent, value)
    return measured


def _quantity(value) -> Quantity:
    if isinstance(value, Scalar):
        numeric(value)              # digits of another script are named as such, not as "not a number"
    try:
        return quantity(value)
    except Invalid:
        raise Invalid(f"expected a number, a percentage such as 92.5%, or {{count: 4, of: 6}}, got {describe(value)}")


def _same_unit(measured: Quantity, percent: bool, value) -> None:
    if percent and not measured.percent:
        shown = plain(Decimal(measured.text) * 100) if measured.value <= 1 else measured.text
        raise Invalid(f"expected a percentage such as 92.5%, got the plain number {measured.text}",
                      f"did you mean {shown}%?", mark_of(value, None))
    if not percent and measured.percent:
        raise Invalid(f"expected a plain number (the rule's bounds have no %), got {measured.text}",
                      f"did you mean {measured.text[:-1]}?", mark_of(value, None))


def result_deduct(rule, value, maximum):
    parsers = {"missed": integer, "extra": integer} if rule.bonus_every else {"missed": integer}
    example = "{missed: 2} or {missed: 0, extra: 7}" if rule.bonus_every else "{missed: 2}"
    fields = _exact_map(value, parsers, example, optional=("extra",))
    return Missed(fields["missed"], fields.get("extra", 0))


def result_share(rule, value, maximum):
    return _ratio(value)


def _ratio(value) -> Ratio:
    fields = _exact_map(value, {"count": integer, "of": integer}, "{count: 7, of: 9}")
    if fields["of"] == 0:
        raise Invalid("expected of: to be at least 1, got 0", "of is the number of items counted", value.value_mark("of"))
    if fields["count"] > fields["of"]:
        raise Invalid(f"expected count ≤ of, got {fields['count']} of {fields['of']}",
                      "count is how many of the `of` items were met", value.value_mark("count"))
    return Ratio(fields["count"], fields["of"])


def result_judged(rule, value, maximum):
    try:
        points = number(value)
    except Invalid:
        raise Invalid(f"expected the points given, a number from 0 to {plain(maximum)}, got {describe(value)}")
    if not 0 <= points <= maximum:
        raise Invalid(f"expected points from 0 to {plain(maximum)}, got {plain(points)}")
    if points % rule.step:
        raise Invalid(f"expected a multiple of {plain(rule.step)}, got {plain(points)}",
                      f"round to a step of {plain(rule.step)}")
    return points


def result_tally(rule, value, maximum):
    return _exact_map(value, {"count": integer}, "{count: 7}")["count"]


def _exact_map(value, parsers: dict, example: str, optional: tuple = ()) -> dict:
    """A small result mapping with exactly these keys; the first problem is raised."""
    if not isinstance(value, Map):
        guess = ""
        if isinstance(value, Scalar) and len(parsers) == 1:
            guess = f"did you mean {{{next(iter(parsers))}: {value}}}?"
        raise Invalid(f"expected {example}, got {describe(value)}", guess or f"write it as {example}")
    for key in value:
        if key not in parsers:
            raise Invalid(f"expected the keys {', '.join(parsers)}, got the unknown key {key!r}",
                          suggest(key, parsers, "keys"), value.key_mark(key))
    result = {}
    for key, parse in parsers.items():
        if key not in value:
            if key in optional:
                continue
            raise Invalid(f"expected the key {key!r} in {example}, got no such key", f"write it as {example}", value.mark)
        try:
            result[key] = parse(value[key])
        except Invalid as error:
            raise Invalid(error.message, error.hint, value.value_mark(key)) from None
    return result


_RESULT_READERS = {
    "check": result_check, "levels": result_levels, "thresholds": result_thresholds,
    "deduct": result_deduct, "share": result_share, "linear": result_linear,
    "judged": result_judged, "tally": result_tally,
}
