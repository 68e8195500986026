"""deduct — 缺一次扣0.5分，扣完为止, with 每超…加… as a bonus; or several named items of
different sizes sharing one floor (①超期公开每条扣5分 ②要素不规范每条扣1分 … 扣完为止;
最多扣4分; 每次加3分、最多加10分)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..errors import Invalid, Mark, Problems, suggest
from ..load.schema import Field, ident, integer, number, positive, read_map, text
from ..load.yamlio import Map, Scalar, Seq, describe, mark_of
from ..numbers import plain
from .base import Kind, Outcome, exact, exact_map, fields, items_of, word

DEDUCT_FIELDS = {"per": Field(positive(number)), "bonus": Field(lambda v: v), "cap": Field(positive(number)),
                 "items": Field(lambda v: v), "most": Field(positive(number)), "bonus_items": Field(lambda v: v),
                 "bonus_most": Field(positive(number))}
BONUS_FIELDS = {"every": Field(positive(integer), required=True), "points": Field(positive(number), required=True)}
ITEM_FIELDS = {"key": Field(ident, required=True), "label": Field(text, required=True), "per": Field(positive(number)),
               "once": Field(positive(number)), "judged": Field(lambda v: v), "step": Field(positive(number)),
               "most": Field(positive(number))}


@dataclass(frozen=True)
class Item:
    """One named deduction or bonus: `per` each time, `once` if it happened, or `judged` amounts
    within a range (视面积每次扣5—15分), in multiples of `step`."""

    key: str
    label: str
    per: Decimal | None = None
    once: Decimal | None = None
    judged: tuple[Decimal, Decimal] | None = None
    step: Decimal = Decimal("0.5")
    most: Decimal | None = None

    def amount(self, happened) -> Fraction:
        if self.per is not None:
            total = Fraction(self.per) * happened
        elif self.once is not None:
            total = Fraction(self.once) if happened else Fraction(0)
        else:
            total = sum((Fraction(a) for a in happened), Fraction(0))
        return min(total, Fraction(self.most)) if self.most is not None else total


@dataclass(frozen=True)
class Deduct(Kind):
    """max − per × missed, never below 0, plus bonus × ⌊extra ÷ every⌋, at most `cap` — or with
    items: max − min(most, Σ each item's min(item most, amount)), floored at 0, then plus
    min(bonus_most, Σ bonus items). Inside a section pool the floor is lifted."""

    per: Decimal | None = None
    bonus_every: int | None = None
    bonus_points: Decimal | None = None
    cap: Decimal | None = None
    items: tuple[Item, ...] = ()
    most: Decimal | None = None
    bonus_items: tuple[Item, ...] = ()
    bonus_most: Decimal | None = None
    name = "deduct"
    lifts_floor = True
    WORDS = {
        "zh-CN": {"missed": "缺{n}次 × {per} = 扣{amount}分", "none_missed": "无缺项", "floor": "，扣完为止",
                  "bonus": "；超出{extra} ÷ {every} → {times} × {points} = 加{amount}分", "cap": "，上限{cap}分",
                  "rule": "满分{max}分，每缺一次扣{per}分，扣完为止", "rule_bonus": "；每超{every}项加{points}分",
                  "rule_cap": "，本项最高{cap}分", "end": "。", "sep": "；",
                  "item_per": "{label}{n}×{per}=扣{amount}分", "item_once": "{label}：扣{amount}分",
                  "item_judged": "{label}：扣{amounts}={amount}分", "item_most": "（本项最多扣{most}分）",
                  "none": "无扣分事项", "most": "；合计扣{total}分，最多扣{most}分",
                  "bonus_per": "{label}{n}×{per}=加{amount}分", "bonus_once": "{label}：加{amount}分",
                  "bonus_most": "；加分合计{total}分，最多加{most}分",
                  "rule_items": "满分{max}分，按下列事项扣分，扣完为止：{items}", "rule_items_most": "；最多扣{most}分",
                  "rule_item_per": "{label}每次扣{per}分", "rule_item_once": "{label}扣{once}分",
                  "rule_item_judged": "{label}每次扣{low}—{high}分", "rule_item_most": "（最多扣{most}分）",
                  "rule_bonus_items": "。加分：{items}", "rule_bonus_per": "{label}每次加{per}分",
                  "rule_bonus_once": "{label}加{once}分", "rule_bonus_most": "，最多加{most}分", "list": "；"},
        "en": {"missed": "{n} missed × {per} = −{amount}", "none_missed": "none missed", "floor": ", not below 0",
               "bonus": "; extra {extra} ÷ {every} → {times} × {points} = +{amount}", "cap": ", capped at {cap}",
               "rule": "{max}, minus {per} for each miss, not below 0", "rule_bonus": "; plus {points} for every {every} extra",
               "rule_cap": ", at most {cap}", "end": ".", "sep": "; ",
               "item_per": "{label} {n} × {per} = −{amount}", "item_once": "{label}: −{amount}",
               "item_judged": "{label}: −({amounts}) = −{amount}", "item_most": " (this item at most −{most})",
               "none": "nothing deducted", "most": "; −{total} in all, at most −{most}",
               "bonus_per": "{label} {n} × {per} = +{amount}", "bonus_once": "{label}: +{amount}",
               "bonus_most": "; +{total} in all, at most +{most}",
               "rule_items": "{max}, minus for each of these, not below 0: {items}", "rule_items_most": "; at most −{most} in all",
               "rule_item_per": "{label} −{per} each", "rule_item_once": "{label} −{once}",
               "rule_item_judged": "{label} −{low} to −{high} each", "rule_item_most": " (at most −{most})",
               "rule_bonus_items": ". Bonus: {items}", "rule_bonus_per": "{label} +{per} each",
               "rule_bonus_once": "{label} +{once}", "rule_bonus_most": ", at most +{most}", "list": "; "},
    }

    @classmethod
    def read(cls, spec, maximum, where, problems):
        found = read_map(spec, DEDUCT_FIELDS, problems, "a deduct rule", where)
        if found is None:
            return None
        if found.get("items") is not None:
            return cls._read_items(spec, found, maximum, where, problems)
        if found.get("per") is None:
            problems.add(spec.mark, "expected the key 'per' (or 'items') in a deduct rule, got neither",
                         "缺一次扣0.5分 → deduct: {per: 0.5}; several kinds of miss → deduct: {items: [...]}")
            return None
        for key in ("most", "bonus_items", "bonus_most"):
            if found.get(key) is not None:
                problems.add(spec.key_mark(key), f"expected {key} only with items, got it beside per",
                             "per deducts one size; list items to deduct several")
        every = points = None
        if found.get("bonus") is not None:
            bonus = fields(found["bonus"], BONUS_FIELDS, problems, "a bonus", spec.value_mark("bonus"))
            if bonus is None:
                return None
            every, points = bonus["every"], bonus["points"]
        if found.get("cap") is not None and found["cap"] < maximum:
            problems.add(spec.value_mark("cap"), f"expected a cap of at least the indicator's {maximum}, got {found['cap']}",
                         "cap limits what a bonus can add; it cannot be below the maximum")
        return cls(per=found["per"], bonus_every=every, bonus_points=points, cap=found.get("cap"))

    @classmethod
    def _read_items(cls, spec, found, maximum, where, problems):
        for key in ("per", "bonus", "cap"):
            if found.get(key) is not None:
                problems.add(spec.key_mark(key), f"expected {key} only without items, got it beside items",
                             "with items each item says how much it deducts (per, once or judged)")
        items = _read_items(found["items"], spec.value_mark("items"), problems, bonus=False)
        bonus_items = _read_items(found["bonus_items"], spec.value_mark("bonus_items"), problems, bonus=True) \
            if found.get("bonus_items") is not None else ()
        if found.get("bonus_most") is not None and not bonus_items:
            problems.add(spec.key_mark("bonus_most"), "expected bonus_most only with bonus_items, got it without")
        if items is None or bonus_items is None:
            return None
        keys = [item.key for item in items + bonus_items]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            problems.add(spec.value_mark("items"), f"expected each item key once, got {key!r} twice",
                         "give each item its own key")
            return None
        return cls(items=items, most=found.get("most"), bonus_items=bonus_items, bonus_most=found.get("bonus_most"))

    def read_result(self, value, maximum):
        if self.items:
            return self._read_happened(value)
        parsers = {"missed": integer, "extra": integer} if self.bonus_every else {"missed": integer}
        example = "{missed: 2} or {missed: 0, extra: 7}" if self.bonus_every else "{missed: 2}"
        found = exact_map(value, parsers, example, optional=("extra",))
        return (found["missed"], found.get("extra", 0))

    def _read_happened(self, value) -> tuple:
        every = {item.key: item for item in self.items + self.bonus_items}
        example = "{" + ", ".join(f"{item.key}: {_example(item)}" for item in (self.items + self.bonus_items)[:2]) + "}"
        if isinstance(value, Scalar) and str(value).strip() in ("none", "0", "{}"):
            return ()
        if not isinstance(value, Map):
            raise Invalid(f"expected what happened, item by item, e.g. {example}, got {describe(value)}",
                          "items: " + ", ".join(f"{i.key} ({i.label})" for i in every.values()) + "; write {} when none")
        happened = []
        for key, written in value.items():
            item = every.get(str(key))
            if item is None:
                raise Invalid(f"expected an item of this rule ({', '.join(every)}), got {key!r}",
                              suggest(key, every, "items"), value.key_mark(key))
            try:
                happened.append((item.key, _read_amount(item, written)))
            except Invalid as error:
                raise Invalid(error.message, error.hint, error.mark or value.value_mark(key)) from None
        return tuple(happened)

    def score(self, result, maximum, say, floor=True, ref=None):
        if self.items:
            return self._score_items(dict(result), maximum, say, floor)
        missed, extra = result
        deduction = Fraction(self.per) * missed
        points = maximum - deduction
        because = say("missed", n=missed, per=plain(self.per), amount=exact(deduction)) if missed else say("none_missed")
        if points < 0 and floor:
            because += say("floor")
            points = Fraction(0)
        if self.bonus_every and extra:
            times = extra // self.bonus_every
            bonus = Fraction(self.bonus_points) * times
            points += bonus
            because += say("bonus", extra=extra, every=self.bonus_every, times=times, points=plain(self.bonus_points),
                           amount=exact(bonus))
        if self.cap is not None and points > self.cap:
            points = Fraction(self.cap)
            because += say("cap", cap=plain(self.cap))
        return Outcome(points, because)

    def _score_items(self, happened: dict, maximum, say, floor) -> Outcome:
        clauses, deduction = [], Fraction(0)
        for item in self.items:
            if item.key in happened and _happened(happened[item.key]):
                amount = item.amount(happened[item.key])
                deduction += amount
                clauses.append(_clause(item, happened[item.key], amount, say, "item"))
        because = say("sep").join(clauses) or say("none")
        if self.most is not None and deduction > self.most:
            because += say("most", total=exact(deduction), most=plain(self.most))
            deduction = Fraction(self.most)
        points = maximum - deduction
        if points < 0 and floor:
            because += say("floor")
            points = Fraction(0)
        bonus, bonus_clauses = Fraction(0), []
        for item in self.bonus_items:
            if item.key in happened and _happened(happened[item.key]):
                amount = item.amount(happened[item.key])
                bonus += amount
                bonus_clauses.append(_clause(item, happened[item.key], amount, say, "bonus"))
        if bonus_clauses:
            because += say("sep") + say("sep").join(bonus_clauses)
            if self.bonus_most is not None and bonus > self.bonus_most:
                because += say("bonus_most", total=exact(bonus), most=plain(self.bonus_most))
                bonus = Fraction(self.bonus_most)
        return Outcome(points + bonus, because)

    def describe(self, maximum, say):
        if self.items:
            listed = say("list").join(_rule_item(item, say, "rule_item") for item in self.items)
            text = say("rule_items", max=plain(maximum), items=listed)
            if self.most is not None:
                text += say("rule_items_most", most=plain(self.most))
            if self.bonus_items:
                text += say("rule_bonus_items", items=say("list").join(_rule_item(i, say, "rule_bonus")
                                                                       for i in self.bonus_items))
                if self.bonus_most is not None:
                    text += say("rule_bonus_most", most=plain(self.bonus_most))
            return text + say("end")
        text = say("rule", max=plain(maximum), per=plain(self.per))
        if self.bonus_every:
            text += say("rule_bonus", every=self.bonus_every, points=plain(self.bonus_points))
        if self.cap is not None:
            text += say("rule_cap", cap=plain(self.cap))
        return text + say("end")

    def written(self, result):
        if self.items:
            return "{" + ", ".join(f"{key}: {_written_amount(amount)}" for key, amount in result) + "}"
        missed, extra = result
        return f"{{missed: {missed}, extra: {extra}}}" if extra else f"{{missed: {missed}}}"

    def upper_limit(self, maximum):
        if self.items:
            if not self.bonus_items:
                return maximum
            return maximum + self.bonus_most if self.bonus_most is not None else None
        return self.cap if self.bonus_every else maximum


def _read_items(value, where: Mark, problems: Problems, bonus: bool) -> tuple[Item, ...] | None:
    what = "bonus items" if bonus else "deduction items"
    try:
        listed = items_of(value, where, what, "{key: late, per: 5, label: 公文超期公开（每条）}")
    except Invalid as error:
        problems.add_invalid(where, error)
        return None
    items = []
    for entry in listed:
        found = read_map(entry, ITEM_FIELDS, problems, "an item", where)
        if not found or found.get("key") is None or found.get("label") is None:
            return None
        ways = [k for k in ("per", "once", "judged") if found.get(k) is not None]
        allowed = ("per", "once") if bonus else ("per", "once", "judged")
        if len(ways) != 1 or ways[0] not in allowed:
            problems.add(entry.mark, f"expected exactly one of {', '.join(allowed)} in item {found['key']!r}, "
                         f"got {', '.join(ways) or 'none'}", "per: each time; once: if it happened at all"
                         + ("" if bonus else "; judged: [low, high] amounts decided case by case"))
            return None
        judged = None
        if found.get("judged") is not None:
            judged = _read_range(found["judged"], entry.value_mark("judged"), problems)
            if judged is None:
                return None
        elif found.get("step") is not None:
            problems.add(entry.key_mark("step"), "expected step only with judged, got it beside "
                         + ways[0], "step is the unit of judged amounts")
        items.append(Item(found["key"], found["label"], found.get("per"), found.get("once"), judged,
                          found.get("step") or Decimal("0.5"), found.get("most")))
    return tuple(items)


def _read_range(value, where: Mark, problems: Problems) -> tuple[Decimal, Decimal] | None:
    try:
        if not isinstance(value, Seq) or len(value) != 2:
            raise Invalid(f"expected a range [low, high], got {describe(value)}", "e.g. judged: [5, 15] (每次扣5—15分)")
        low, high = number(value[0]), number(value[1])
    except Invalid as error:
        problems.add_invalid(where, error)
        return None
    if not 0 < low <= high:
        problems.add(where, f"expected 0 < low ≤ high, got [{plain(low)}, {plain(high)}]")
        return None
    return low, high


def _read_amount(item: Item, written):
    if item.per is not None:
        return integer(written)
    if item.once is not None:
        answer = word(written)
        if answer not in ("yes", "no"):
            raise Invalid(f"expected yes or no for {item.key!r} ({item.label}), got {describe(written)}",
                          "write yes when it happened; leave the item out when it did not")
        return answer == "yes"
    amounts = written if isinstance(written, Seq) else [written]
    found = []
    low, high = item.judged
    for amount in amounts:
        value = number(amount)
        if not low <= value <= high:
            raise Invalid(f"expected each amount for {item.key!r} from {plain(low)} to {plain(high)}, got {plain(value)}",
                          f"{item.label}", mark_of(amount, None))
        if value % item.step:
            raise Invalid(f"expected each amount for {item.key!r} in steps of {plain(item.step)}, got {plain(value)}",
                          f"round to a step of {plain(item.step)}", mark_of(amount, None))
        found.append(value)
    return tuple(found)


def _happened(amount) -> bool:
    return bool(amount)


def _clause(item: Item, happened, amount: Fraction, say, prefix: str) -> str:
    if item.per is not None:
        text = say(f"{prefix}_per", label=item.label, n=happened, per=plain(item.per), amount=exact(amount))
    elif item.once is not None:
        text = say(f"{prefix}_once", label=item.label, amount=exact(amount))
    else:
        text = say("item_judged", label=item.label, amounts="+".join(plain(a) for a in happened), amount=exact(amount))
    if item.most is not None and amount == item.most and _raw(item, happened) > item.most:
        text += say("item_most", most=plain(item.most))
    return text


def _raw(item: Item, happened) -> Fraction:
    return Item(item.key, item.label, item.per, item.once, item.judged, item.step).amount(happened)


def _rule_item(item: Item, say, prefix: str) -> str:
    if item.per is not None:
        text = say(f"{prefix}_per", label=item.label, per=plain(item.per))
    elif item.once is not None:
        text = say(f"{prefix}_once", label=item.label, once=plain(item.once))
    else:
        text = say("rule_item_judged", label=item.label, low=plain(item.judged[0]), high=plain(item.judged[1]))
    if item.most is not None and prefix == "rule_item":
        text += say("rule_item_most", most=plain(item.most))
    return text


def _example(item: Item) -> str:
    return "1" if item.per is not None else "yes" if item.once is not None else f"[{plain(item.judged[0])}]"


def _written_amount(amount) -> str:
    if isinstance(amount, bool):
        return "yes" if amount else "no"
    if isinstance(amount, tuple):
        return "[" + ", ".join(plain(a) for a in amount) + "]"
    return str(amount)
