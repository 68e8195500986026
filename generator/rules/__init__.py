"""The rule kinds, one class each: how a rule is read from a rubric, how a result is read
from a score file, how it scores and how it is said in words all sit in the kind's class.
Adding a kind means one class here and one row in the test table.

    check, levels, share, judged, tally, ballots   simple.py
    thresholds, linear, piecewise                  measured.py (also against a baseline, a target,
                                                   the best or the mean)
    deduct                                          deduct.py (one size, or itemised)
    ranked, proportional                            across.py (scored against the other entities)
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import Invalid, Mark, Problems, suggest
from ..load.yamlio import Map, Scalar, describe, mark_of
from .across import Proportional, Ranked
from .base import COMMON, Kind, Outcome, Reference, Words
from .deduct import Deduct
from .measured import Linear, Piecewise, Thresholds
from .simple import Ballots, Check, Judged, Levels, Share, Tally

KINDS: dict[str, type[Kind]] = {kind.name: kind for kind in (
    Check, Levels, Thresholds, Deduct, Share, Linear, Judged, Tally, Piecewise, Ballots, Ranked, Proportional)}
BARE = ("check", "share", "proportional")      # kinds written without settings: `rule: check`


def read_rule(value, maximum: Decimal, mark: Mark, problems: Problems) -> Kind | None:
    """A rule from `rule: check` or `rule: {levels: …}`; problems with it go to `problems`."""
    if isinstance(value, Scalar):
        kind, spec = str(value).strip(), None
        if kind not in BARE:
            hint = suggest(kind, KINDS, "rule kinds")
            if kind in KINDS:
                hint = f"the {kind} rule needs settings: see the rule table in the README"
            raise Invalid(f"expected a rule kind, got {describe(value)}", hint)
    elif isinstance(value, Map) and len(value) == 1:
        kind, spec = next(iter(value.items()))
        if kind not in KINDS:
            raise Invalid(f"expected a rule kind, got {kind!r}", suggest(kind, KINDS, "rule kinds"), value.key_mark(kind))
    else:
        raise Invalid(f"expected one rule (check, levels, thresholds, …), got {describe(value)}"
                      + (f" with {len(value)} keys" if isinstance(value, Map) else ""),
                      "an indicator has exactly one rule; kinds: " + ", ".join(KINDS))
    return KINDS[kind].read(spec, maximum, mark_of(spec, mark), problems)


_WORDS: dict[tuple, Words] = {}


def words(rule: Kind, language: str) -> Words:
    """The rule kind's phrases in `language`, with the phrases every kind shares."""
    key = (type(rule), language)
    if key not in _WORDS:
        table = {lang: {**COMMON.get(lang, {}), **type(rule).WORDS.get(lang, {})} for lang in type(rule).WORDS}
        _WORDS[key] = Words(table, language)
    return _WORDS[key]


def describe_rule(rule: Kind, maximum: Decimal, language: str = "zh-CN") -> str:
    """The rule in the words of a rubric: 达到80%得1分，…，超过95%得5分。"""
    return rule.describe(maximum, words(rule, language))


__all__ = ["KINDS", "Kind", "Outcome", "Reference", "read_rule", "words", "describe_rule"]
