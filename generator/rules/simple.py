"""The rule kinds that take one answer: check (得分/不得分), levels (得满分/得1分/不得分),
share (按职责任务数量平均分值), judged (评定), tally (每…得0.5分，最高计X分) and ballots
(测评票加权)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..errors import Invalid, suggest
from ..load.schema import Field, integer, non_negative, number, numeric, positive, text
from ..load.yamlio import Map, Scalar, describe
from ..numbers import plain
from .base import Kind, Outcome, exact, exact_map, fields, items_of, no_settings, word
from .measures import Ratio, read_ratio


# --- check --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check(Kind):
    """rule: check — yes earns the maximum, no earns 0. With `points: 0` and a veto it is a
    condition, not a score (否决事项): no triggers the veto."""

    name = "check"
    condition = True
    WORDS = {"zh-CN": {"yes": "符合", "no": "不符合", "rule": "符合要求得{max}分，否则不得分。",
                       "condition": "条件项（不计分）：不符合时触发一票否决。"},
             "en": {"yes": "met", "no": "not met", "rule": "{max} if met, otherwise 0.",
                    "condition": "A condition (no points): not met triggers the veto."}}

    @classmethod
    def read(cls, spec, maximum, where, problems):
        no_settings(spec, where, "check")
        return cls()

    def read_result(self, value, maximum):
        answer = word(value)
        if answer in ("yes", "no"):
            return answer == "yes"
        guess = {"是": "yes", "符合": "yes", "true": "yes", "否": "no", "不符合": "no", "false": "no"}.get(answer)
        raise Invalid(f"expected yes or no (rule: check), got {describe(value)}",
                      f"did you mean {guess}?" if guess else "write yes when the indicator is met, no when it is not")

    def score(self, result, maximum, say, floor=True, ref=None):
        return Outcome(maximum if result else Fraction(0), say("yes" if result else "no"))

    def describe(self, maximum, say):
        return say("condition") if maximum == 0 else say("rule", max=plain(maximum))

    def written(self, result):
        return "yes" if result else "no"


# --- levels -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Level:
    key: str
    points: Decimal
    label: str


LEVEL_FIELDS = {"key": Field(text, required=True), "points": Field(non_negative(number), required=True),
                "label": Field(text, required=True)}


@dataclass(frozen=True)
class Levels(Kind):
    """rule: levels — the result names a level, which gives its points; `yes`/`no` also name
    the highest and the lowest level (得满分 / 不得分) unless the levels use those keys."""

    levels: tuple[Level, ...] = ()
    name = "levels"
    WORDS = {"zh-CN": {"level": "{label}得{points}分", "sep": "，", "end": "。"},
             "en": {"level": "{label}: {points}", "sep": "; ", "end": "."}}

    def find(self, key: str) -> Level | None:
        return next((level for level in self.levels if level.key == key), None)

    @classmethod
    def read(cls, spec, maximum, where, problems):
        levels, keys = [], set()
        for item in items_of(spec, where, "levels", "{key: full, points: 2, label: 符合评估标准}"):
            found = fields(item, LEVEL_FIELDS, problems, "a level", where)
            if not found:
                continue
            if found["key"] in keys:
                problems.add(item.value_mark("key"), f"expected each level key once, got {found['key']!r} again")
            if found["key"] == "n/a":
                problems.add(item.value_mark("key"), "expected a level key other than n/a, got n/a",
                             "result: n/a means not applicable, so such a level could never be chosen")
            if found["points"] > maximum:
                problems.add(item.value_mark("points"), f"expected a level's points to be at most the indicator's "
                             f"{maximum}, got {found['points']}", "raise the indicator's points or lower the level's")
            keys.add(found["key"])
            levels.append(Level(found["key"], found["points"], found["label"]))
        if len(spec) < 2:
            raise Invalid(f"expected a list of at least two levels, got {len(spec)}",
                          "e.g. - {key: full, points: 2, label: 符合评估标准}", where)
        if levels and max(level.points for level in levels) < maximum:
            problems.add(where, f"expected one level to give the full {maximum} points, got at most "
                         f"{max(level.points for level in levels)}", "the best level earns the indicator's points")
        return cls(tuple(levels)) if levels else None

    def read_result(self, value, maximum):
        answer = word(value)
        if self.find(answer):
            return answer
        if answer in ("yes", "no"):
            ordered = sorted(self.levels, key=lambda level: level.points)
            return (ordered[-1] if answer == "yes" else ordered[0]).key
        by_label = next((level.key for level in self.levels if level.label == answer), None)
        keys = [level.key for level in self.levels]
        hint = (f"{answer!r} is the label of level {by_label!r}: write result: {by_label}" if by_label
                else suggest(answer, keys, "levels") + "; levels: " + ", ".join(f"{l.key} ({l.label})" for l in self.levels))
        raise Invalid(f"expected one of the levels {', '.join(keys)}, got {describe(value)}", hint)

    def score(self, result, maximum, say, floor=True, ref=None):
        level = self.find(result)
        return Outcome(Fraction(level.points), level.label)

    def describe(self, maximum, say):
        return say("sep").join(say("level", label=l.label, points=plain(l.points)) for l in self.levels) + say("end")

    def written(self, result):
        return result

    def stated_points(self):
        return [(f"level {l.key}", l.points) for l in self.levels]


# --- share --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Share(Kind):
    """rule: share — max × count ÷ of (按职责任务数量平均分值，完成一项得一个均分)."""

    name = "share"
    WORDS = {"zh-CN": {"rule": "按完成项数占总项数的比例计分：{max}分 × 完成数 ÷ 总数。"},
             "en": {"rule": "In proportion to the items completed: {max} × completed ÷ total."}}

    @classmethod
    def read(cls, spec, maximum, where, problems):
        no_settings(spec, where, "share")
        return cls()

    def read_result(self, value, maximum):
        return read_ratio(value)

    def score(self, result: Ratio, maximum, say, floor=True, ref=None):
        points = maximum * result.count / result.of
        return Outcome(points, f"{exact(maximum)} × {result.count}/{result.of} = {exact(points)}")

    def describe(self, maximum, say):
        return say("rule", max=plain(maximum))

    def written(self, result):
        return f"{{count: {result.count}, of: {result.of}}}"


# --- judged -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Judged(Kind):
    """rule: judged — the assessors give the points directly, in multiples of `step`."""

    step: Decimal = Decimal(1)
    name = "judged"
    WORDS = {"zh-CN": {"judged": "评定{points}分", "rule": "由考核组直接评定，0至{max}分，以{step}分为单位。"},
             "en": {"judged": "judged {points}", "rule": "Points given by the assessors, from 0 to {max} in steps of {step}."}}

    @classmethod
    def read(cls, spec, maximum, where, problems):
        found = fields(spec, {"step": Field(positive(number), required=True)}, problems, "a judged rule", where)
        if found is None:
            return None
        if maximum % found["step"]:
            problems.add(spec.value_mark("step"), f"expected a step that divides the maximum {maximum}, got {found['step']}")
        return cls(found["step"])

    def read_result(self, value, maximum):
        if isinstance(value, Scalar):
            numeric(value)              # digits of another script are named as such
        try:
            points = number(value)
        except Invalid as error:
            raise Invalid(f"expected the points given, a number from 0 to {plain(maximum)}, got {describe(value)}",
                          error.hint if error.hint.startswith("did you mean") else "") from None
        if not 0 <= points <= maximum:
            raise Invalid(f"expected points from 0 to {plain(maximum)}, got {plain(points)}")
        if points % self.step:
            raise Invalid(f"expected a multiple of {plain(self.step)}, got {plain(points)}",
                          f"round to a step of {plain(self.step)}")
        return points

    def score(self, result, maximum, say, floor=True, ref=None):
        return Outcome(Fraction(result), say("judged", points=plain(result)))

    def describe(self, maximum, say):
        return say("rule", max=plain(maximum), step=plain(self.step))

    def written(self, result):
        return plain(result)


# --- tally --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tally(Kind):
    """rule: tally — per × count, at most the maximum (每…得0.5分，最高计X分); with `every`,
    per × ⌊count ÷ every⌋ (每超过500万元奖励1分), a decimal count allowed."""

    per: Decimal = Decimal(1)
    every: Decimal | None = None
    name = "tally"
    WORDS = {"zh-CN": {"rule": "每项得{per}分，最高计{max}分。", "rule_every": "每{every}得{per}分，最高计{max}分。",
                       "cap": "，最高计{max}分"},
             "en": {"rule": "{per} for each item, at most {max}.", "rule_every": "{per} for every {every}, at most {max}.",
                    "cap": ", at most {max}"}}

    @classmethod
    def read(cls, spec, maximum, where, problems):
        found = fields(spec, {"per": Field(positive(number), required=True), "every": Field(positive(number))},
                       problems, "a tally rule", where)
        return cls(found["per"], found.get("every")) if found else None

    def read_result(self, value, maximum):
        count = exact_map(value, {"count": number if self.every else integer}, "{count: 7}")["count"]
        if count < 0:
            raise Invalid(f"expected a count ≥ 0, got {plain(count)}")
        return count

    def score(self, result, maximum, say, floor=True, ref=None):
        if self.every:
            times = math.floor(Fraction(result) / Fraction(self.every))
            earned = Fraction(self.per) * times
            because = f"{plain(Decimal(result))} ÷ {plain(self.every)} → {times} × {plain(self.per)} = {exact(earned)}"
        else:
            earned = Fraction(self.per) * result
            because = f"{result} × {plain(self.per)} = {exact(earned)}"
        if earned > maximum:
            because += say("cap", max=exact(maximum))
        return Outcome(min(earned, maximum), because)

    def describe(self, maximum, say):
        if self.every:
            return say("rule_every", every=plain(self.every), per=plain(self.per), max=plain(maximum))
        return say("rule", per=plain(self.per), max=plain(maximum))

    def written(self, result):
        return f"{{count: {plain(Decimal(result))}}}"


# --- ballots ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ballot:
    key: str
    score: Decimal


BALLOT_FIELDS = {"key": Field(text, required=True), "score": Field(non_negative(number), required=True)}


@dataclass(frozen=True)
class Ballots(Kind):
    """ballots — 测评票 weighted by level: max × Σ(count × score) ÷ (100 × Σ count)."""

    ballots: tuple[Ballot, ...] = ()
    name = "ballots"
    WORDS = {"zh-CN": {"rule": "按测评票加权计分：{levels}；得分 = {max}分 × Σ(票数 × 分值) ÷ (100 × 总票数)。",
                       "level": "{key}{score}", "sep": "、", "votes": "{key}{count}票",
                       "because": "({terms}) ÷ (100 × {total}票) = {ratio}"},
             "en": {"rule": "Ballots weighted by level ({levels}): {max} × Σ(count × score) ÷ (100 × ballots).",
                    "level": "{key} {score}", "sep": ", ", "votes": "{key} {count}",
                    "because": "({terms}) ÷ (100 × {total} ballots) = {ratio}"}}

    @classmethod
    def read(cls, spec, maximum, where, problems):
        ballots, keys = [], set()
        for item in items_of(spec, where, "ballot levels", "{key: 优秀, score: 100}"):
            found = fields(item, BALLOT_FIELDS, problems, "a ballot level", where)
            if not found:
                continue
            if found["key"] in keys:
                problems.add(item.value_mark("key"), f"expected each ballot level once, got {found['key']!r} again")
            if found["score"] > 100:
                problems.add(item.value_mark("score"), f"expected a score from 0 to 100, got {plain(found['score'])}",
                             "the best level usually scores 100")
            keys.add(found["key"])
            ballots.append(Ballot(found["key"], found["score"]))
        return cls(tuple(ballots)) if ballots else None

    def read_result(self, value, maximum):
        keys = [b.key for b in self.ballots]
        if not isinstance(value, Map):
            raise Invalid(f"expected the ballots counted per level, e.g. {{{keys[0]}: 30, {keys[-1]}: 2}}, "
                          f"got {describe(value)}", "levels: " + ", ".join(keys))
        counts = {}
        for key, count in value.items():
            if key not in keys:
                raise Invalid(f"expected a ballot level ({', '.join(keys)}), got {key!r}", suggest(key, keys, "levels"),
                              value.key_mark(key))
            try:
                counts[str(key)] = integer(count)
            except Invalid as error:
                raise Invalid(error.message, error.hint, value.value_mark(key)) from None
        if not sum(counts.values()):
            raise Invalid("expected at least one ballot, got none", "write result: n/a with a reason when no one voted",
                          value.mark)
        return tuple((key, counts[key]) for key in keys if key in counts)

    def score(self, result, maximum, say, floor=True, ref=None):
        score = {b.key: Fraction(b.score) for b in self.ballots}
        total = sum(count for _, count in result)
        weighted = sum(count * score[key] for key, count in result)
        ratio = weighted / (100 * total)
        terms = " + ".join(f"{count} × {plain(Decimal(score[key].numerator) / score[key].denominator)}"
                           for key, count in result)
        return Outcome(maximum * ratio, say("because", terms=terms, total=total, ratio=exact(ratio * 100) + "%")
                       + f" × {exact(maximum)}")

    def describe(self, maximum, say):
        levels = say("sep").join(say("level", key=b.key, score=plain(b.score)) for b in self.ballots)
        return say("rule", levels=levels, max=plain(maximum))

    def written(self, result):
        return "{" + ", ".join(f"{key}: {count}" for key, count in result) + "}"
