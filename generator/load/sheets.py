"""Reading a score file: one entity's results in one assessment, checked against the rubric.

A result that does not fit its rule is an error, never a zero."""

from __future__ import annotations

from typing import Callable

from ..errors import Invalid, Mark, Problems, suggest
from ..model import Entry, Evidence, Override, Rubric, ScoreSheet
from ..numbers import plain
from .rubrics import fits_precision
from .schema import Field, date, ident, integer, list_of, number, raw, read_map, text, url
from .yamlio import Map, Scalar, Seq, describe, mark_of

CheckFile = Callable[[str], tuple[str, str]]   # written path → (path under content/evidence, sha256), or Invalid

SHEET_FIELDS = {
    "entity": Field(ident, required=True, doc="the unit id of the assessed entity, the same as the file name"),
    "assessed_on": Field(date),
    "assessors": Field(list_of(text), default=()),
    "note": Field(text, default=""),
    "scores": Field(raw, required=True, doc="a mapping from indicator keys such as 1.2.1 to results"),
    "adjustments": Field(raw, doc="加减分项: how many times each of the rubric's adjustments happened"),
}
ENTRY_FIELDS = {
    "result": Field(raw, required=True, doc="write the result, or `result: n/a` with a `reason`"),
    "note": Field(text, default=""),
    "evidence": Field(raw),
    "override": Field(raw),
    "reason": Field(text, default=""),
}
EVIDENCE_FIELDS = {"title": Field(text, required=True), "url": Field(url), "file": Field(text)}
OVERRIDE_FIELDS = {"points": Field(number, required=True),
                   "reason": Field(text, required=True, doc="say why the points differ from the rule's")}
NOT_APPLICABLE = "n/a"
NOT_APPLICABLE_LOOKALIKES = {"n/a", "na", "n.a.", "不适用", "无", "/", "-", "—", "不涉及"}


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
        if _blank(key, item, scores.key_mark(key), rubric, problems):
            continue
        entry = _read_entry(key, item, scores.key_mark(key), rubric, check_file, problems)
        if entry is not None:
            key = rubric.indicators[key].key if rubric else str(key)     # one string, not a Scalar per sheet
            entry.key = key
            sheet.entries[key] = entry
    if fields.get("adjustments") is not None:
        sheet.adjustments = _read_adjustments(fields["adjustments"], value.value_mark("adjustments"), rubric, problems)
    if rubric is not None:
        _warn_unanswered_conditions(sheet, rubric, value.mark, problems)
    return sheet


def _blank(key: str, item, mark: Mark, rubric: Rubric | None, problems: Problems) -> bool:
    """`1.2.1:` with nothing, or `1.2.1: {result: }`: written but not assessed yet (what `scoresite
    new` writes, and a workbook's empty 评分结果). Beside a blank result, a note or evidence would not
    be shown, so that is said."""
    if isinstance(item, Scalar) and item.is_null:
        pass
    elif isinstance(item, Map) and "result" in item and isinstance(item["result"], Scalar) and item["result"].is_null:
        others = [k for k in item if k != "result"]
        if others:
            problems.warn(mark, f"expected a result beside {', '.join(others)} of {key}, got a blank result (not "
                          f"assessed): the {' and '.join(others)} will not be shown", "fill in the result, or remove "
                          "the entry while the indicator is not assessed")
    else:
        return False
    if rubric and key not in rubric.indicators and key not in rubric.unreadable:
        problems.add(mark, f"expected an indicator key of rubric {rubric.id!r}, got {key!r}",
                     suggest(key, rubric.indicators, "indicator keys"))
    return True


def _read_adjustments(value, mark: Mark, rubric: Rubric | None, problems: Problems) -> dict[str, int]:
    """{criticised: 1, award: 2}: whole counts of the rubric's adjustment items."""
    if rubric is not None and rubric.adjustments is None:
        problems.add(mark, f"expected no adjustments: rubric {rubric.id!r} declares none, got some",
                     "declare them in the rubric under adjustments: items: […], or remove them here")
        return {}
    if not isinstance(value, Map):
        problems.add(mark_of(value, mark), f"expected adjustments as a mapping of item keys to counts, got "
                     f"{describe(value)}", "e.g. adjustments: {criticised: 1}")
        return {}
    counts = {}
    for key, count in value.items():
        if rubric is not None and rubric.adjustments.find(key) is None:
            known = [item.key for item in rubric.adjustments.items]
            problems.add(value.key_mark(key), f"expected an adjustment of rubric {rubric.id!r}, got {key!r}",
                         suggest(key, known, "adjustments") + "; " + ", ".join(
                             f"{i.key} ({i.label})" for i in rubric.adjustments.items))
            continue
        try:
            counts[str(key)] = integer(count)
        except Invalid as error:
            problems.add_invalid(value.value_mark(key), error)
    return counts


def _warn_unanswered_conditions(sheet: ScoreSheet, rubric: Rubric, mark: Mark, problems: Problems) -> None:
    """A veto condition with no entry does not trigger the veto; say so, since it may be forgotten."""
    for key, indicator in rubric.indicators.items():
        if indicator.is_condition and key not in sheet.entries:
            problems.warn(Mark(sheet.path), f"expected an answer to the veto condition {key} ({indicator.text}), got "
                          "none: without one it does not trigger the veto", f"write {key}: {{result: yes}} or no")


def _read_entry(key: str, value, mark: Mark, rubric: Rubric | None, check_file: CheckFile,
                problems: Problems) -> Entry | None:
    indicator = rubric.indicators.get(key) if rubric else None
    if rubric and key in rubric.unreadable:
        return None                      # the rubric's error says why; no second, misleading one here
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
    written = str(result).strip() if isinstance(result, Scalar) else None
    if written is not None and written != NOT_APPLICABLE and written.lower().replace(" ", "") in NOT_APPLICABLE_LOOKALIKES:
        problems.add(value.value_mark("result"), f"expected result: n/a (not applicable), got {describe(result)}",
                     "write n/a exactly, with a reason")
        return None
    if written == NOT_APPLICABLE:
        entry.not_applicable, entry.reason = True, fields["reason"]
        if not entry.reason:
            problems.add(value.value_mark("result"), f"expected a reason beside result: n/a for {key}, got none",
                         "add e.g. reason: 本市无此项工作 — readers are told why it does not apply")
        if indicator is not None and indicator.veto is not None:
            problems.add(value.value_mark("result"), f"expected a result for the veto indicator {key}, got n/a",
                         "a veto cannot be set aside as not applicable: write the result (an item that does not "
                         "apply to the entity is met, e.g. result: yes)")
    elif fields["reason"]:
        problems.add(value.key_mark("reason"), "expected reason only beside result: n/a, got it beside a result",
                     "to change the points of a result, use override: {points: …, reason: …}")
    elif indicator is not None:
        try:
            entry.result = indicator.rule.read_result(result, indicator.points)
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
    limit = indicator.rule.upper_limit(indicator.points)
    if limit is None:
        limit = indicator.points      # a rule whose bonus has no cap: an override adjusts, it never invents 加分
    if fields["points"] > limit:
        problems.add(value.value_mark("points"), f"expected override points of at most {plain(limit)}, "
                     f"got {plain(fields['points'])}", f"indicator {indicator.key} is worth {plain(indicator.points)}")
        return None
    if fields["points"] < 0 and not (indicator.pooled and indicator.rule.lifts_floor):
        problems.add(value.value_mark("points"), f"expected override points ≥ 0, got {plain(fields['points'])}",
                     "only an indicator in a section pool can go below 0")
        return None
    return Override(fields["points"], fields["reason"])


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
            continue
        key = "url" if has_url else "file"
        if fields.get(key) is None:
            if item[key] is None or (isinstance(item[key], Scalar) and item[key].is_null):
                problems.add(item.value_mark(key), f"expected {'an address' if has_url else 'a file path'} in "
                             f"{key}:, got nothing", "write it, or remove the evidence item")
            continue
        if has_url:
            found.append(Evidence(fields["title"], url=fields["url"]))
        else:
            try:
                file, sha = check_file(fields["file"])
                found.append(Evidence(fields["title"], file=file, sha256=sha))
            except Invalid as error:
                problems.add_invalid(item.value_mark("file"), error)
    return tuple(found)
