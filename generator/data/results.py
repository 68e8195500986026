"""What each rule kind expects as a result, for people who fill it in outside YAML: the hint a
new score file gives beside each key, and how a workbook's cells become the YAML text a score
file holds — and back. Validation is never done here: the cell's YAML goes through the rule's own
`read_result`, the same path as a score file, so the messages are the same.

    kind                      评分结果 (the main cell)          the second cell
    check                     是 / 否 (yes / no)
    levels                    a level's label or key
    thresholds, linear,       92.5% or 6, 92%、95% (averaged)   总数 (of): with a count, {count, of}
    piecewise                 value                             基线值 / 目标值 (relative_to)
    deduct                    how many missed                   超出数 (extra), with a bonus
    deduct with items         late: 1, fields: 3
    share                     how many done (or 7/9)            总数 (of)
    judged                    the points given
    tally                     the count
    ballots                   优秀: 30, 良好: 12
    ranked, proportional      the value
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..load.characters import FULL_WIDTH
from ..model import Quantity
from ..numbers import plain
from ..rules.measures import Average, Ratio, Relative
from .tables import number_text

YES = {"yes", "是", "符合", "√", "✓", "true", "有", "达标"}
NO = {"no", "否", "不符合", "×", "✗", "false", "无", "未达标"}
NOT_APPLICABLE = {"n/a", "不适用"}
EXTRA_COLUMNS = {"of": "总数", "extra": "超出数", "baseline": "基线值", "target": "目标值"}
MEASURED = ("thresholds", "linear", "piecewise")


def percent_rule(rule) -> bool:
    """Results are percentages (92.5%) under this rule."""
    if rule.name in MEASURED and getattr(rule, "relative_to", None) not in ("target", "best"):
        return bool(rule.percent)
    return False


def second(rule) -> str | None:
    """The second number the rule's result may need, as a key of EXTRA_COLUMNS, or None."""
    if rule.name == "share":
        return "of"
    if rule.name in MEASURED:
        relative = getattr(rule, "relative_to", None)
        return relative if relative in ("baseline", "target") else "of" if relative is None else None
    if rule.name == "deduct" and not rule.items and rule.bonus_every:
        return "extra"
    return None


def choices(rule) -> list[str]:
    """The words a drop-down offers (check, levels), or [] for rules without named choices."""
    if rule.name == "check":
        return ["是", "否"]
    if rule.name == "levels":
        labels = [level.label for level in rule.levels]
        usable = len(set(labels)) == len(labels) and not any(re.search(r'[,"]', l) for l in labels)
        return labels if usable and len(",".join(labels)) < 250 else [level.key for level in rule.levels]
    return []


def expects(rule) -> str:
    """What to write as the result, in a clerk's words (the comment `new` writes, the workbook's hint)."""
    name = rule.name
    if name == "check":
        return "结果填写 yes 或 no"
    if name == "levels":
        return "结果填写 " + "、".join(f"{l.key}（{l.label}）" for l in rule.levels)
    if name in MEASURED:
        unit = "百分比，如 92.5%" if rule.percent else "数值，如 6"
        relative = getattr(rule, "relative_to", None)
        if relative == "baseline":
            return f"结果填写 {{value: 实际值, baseline: 基线值}}，均为{unit}"
        if relative == "target":
            return "结果填写 {value: 实际值, target: 目标值}，如 {value: 870, target: 1000}"
        if relative == "best":
            return "结果填写本单位的数值，与最高值相比计分"
        return f"结果填写{unit}；多期取平均写 {{average: [92%, 95%]}}"
    if name == "deduct":
        if rule.items:
            items = "，".join(f"{i.key}（{i.label}）" for i in rule.items + rule.bonus_items)
            return f"结果填写发生的事项，如 {{{rule.items[0].key}: 1}}；无则写 {{}}；事项：{items}"
        return "结果填写 {missed: 缺的次数}" + ("，超出时 {missed: 0, extra: 超出的条数}" if rule.bonus_every else "")
    if name == "share":
        return "结果填写 {count: 完成项数, of: 总项数}"
    if name == "judged":
        return f"结果填写评定的分数（以{plain(rule.step)}分为单位）"
    if name == "tally":
        return "结果填写 {count: 数量}"
    if name == "ballots":
        return "结果填写各档票数，如 {" + ", ".join(f"{b.key}: 0" for b in rule.ballots) + "}"
    if name in ("ranked", "proportional"):
        return "结果填写本单位的数值，与其他单位比较计分"
    return "结果按计分规则填写"


# --- result → cells -----------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """A result as a workbook shows it: the main cell, and the second cell when the rule has one.
    A value is a str (text), or (Decimal, percent) for a number to be written as a number."""

    main: object = None
    extra: object = None


def to_cells(rule, result) -> Shown:
    """The cells that show `result`; importing them again gives the same result."""
    name = rule.name
    if name == "check":
        return Shown("是" if result else "否")
    if name == "levels":
        level = rule.find(result)
        offered = choices(rule)
        return Shown(level.label if level.label in offered else level.key)
    if name == "deduct":
        if rule.items:
            return Shown(rule.written(result)[1:-1] or "无")
        missed, extra = result
        return Shown(_number(missed), _number(extra) if rule.bonus_every and extra else None)
    if name == "share" or isinstance(result, Ratio):
        return Shown(_number(result.count), _number(result.of))
    if isinstance(result, Relative):
        return Shown(_value(result.value), _value(result.reference))
    if isinstance(result, (Quantity, Average)):
        return Shown(_value(result))
    if name == "judged":
        return Shown(_number(result))
    if name == "tally":
        return Shown(_number(result))
    if name == "ballots":
        return Shown(rule.written(result)[1:-1])
    return Shown(rule.written(result))


def _number(value) -> tuple:
    return (Decimal(value), False)


def _value(value) -> object:
    if isinstance(value, Average):
        return ", ".join(item.text for item in value.items)
    number = Decimal(value.value.numerator) / Decimal(value.value.denominator) if isinstance(value.value, Fraction) \
        else Decimal(value.value)
    return (number, True) if value.percent else (Decimal(value.text), False)


# --- cells → YAML ---------------------------------------------------------------------------

class CellProblem(Exception):
    """A cell that cannot be read as the rule's result: (message, hint), and which cell."""

    def __init__(self, message: str, hint: str = "", second: bool = False):
        super().__init__(message)
        self.message, self.hint, self.second = message, hint, second


def yaml_result(rule, main: str, extra: str) -> str | None:
    """The YAML text of the result the cells say (None: blank, not assessed). `main` and `extra`
    are the cells' text (a percentage cell already reads 92.5%). Raises CellProblem for a cell
    that cannot be a result of this kind at all; the rule's read_result judges the rest."""
    main, extra = main.strip(), extra.strip()
    if not main:
        if extra:
            raise CellProblem(f"expected the 评分结果 beside {extra!r}, got an empty cell",
                              "fill in both, or clear both (not assessed)")
        return None
    if main.lower() in NOT_APPLICABLE:
        return "n/a"
    if main.startswith("{"):
        return main
    name = rule.name
    if name == "check":
        word = main.lower()
        return "yes" if word in YES else "no" if word in NO else _quoted(main)
    if name == "levels":
        by_label = {level.label: level.key for level in rule.levels}
        return _quoted(by_label.get(main, main))
    if name in MEASURED:
        return _measured(rule, main, extra)
    if name == "deduct":
        if rule.items:
            return _mapping(main)
        return f"{{missed: {_count(main)}" + (f", extra: {_count(extra, True)}}}" if extra else "}")
    if name == "share":
        if "/" in main:
            count, _, of = main.partition("/")
            return f"{{count: {_count(count)}, of: {_count(of, True)}}}"
        if not extra:
            raise CellProblem("expected the number of items in 总数 beside the count, got an empty cell",
                              "e.g. 7 in 评分结果 and 9 in 总数, or 7/9", second=True)
        return f"{{count: {_count(main)}, of: {_count(extra, True)}}}"
    if name == "tally":
        return f"{{count: {_number_cell(main)}}}"
    if name == "ballots":
        return _mapping(main)
    return _number_cell(main)


def _measured(rule, main: str, extra: str) -> str:
    relative = getattr(rule, "relative_to", None)
    value = _measure(rule, main)
    if relative in ("baseline", "target"):
        if not extra:
            column = EXTRA_COLUMNS[relative]
            raise CellProblem(f"expected the {relative} in {column} beside the value, got an empty cell",
                              f"write the {column} in its column", second=True)
        return f"{{value: {value}, {relative}: {_measure(rule, extra, True)}}}"
    if extra:
        return f"{{count: {_count(main)}, of: {_count(extra, True)}}}"
    return value


def _measure(rule, text: str, second: bool = False) -> str:
    text = text.translate(FULL_WIDTH)
    parts = [p.strip() for p in re.split(r"[,，、;；]", text) if p.strip()]
    for part in parts:
        if not re.fullmatch(r"[-+]?[0-9０-９.．]+\s*[%％]?", part):
            what = "a percentage such as 92.5%" if percent_rule(rule) else "a number such as 6 or 92.5%"
            raise CellProblem(f"expected {what}, got {text!r}", "write the number alone, without units", second)
    if len(parts) > 1:
        return "{average: [" + ", ".join(parts) + "]}"
    return parts[0].replace(" ", "")


def _count(text: str, second: bool = False) -> str:
    written = text.strip().translate(FULL_WIDTH)
    if not re.fullmatch(r"[0-9０-９]+", written):
        raise CellProblem(f"expected a whole number such as 2, got {text.strip()!r}", "counts are whole numbers", second)
    return written


def _number_cell(text: str) -> str:
    text = text.translate(FULL_WIDTH)
    if not re.fullmatch(r"[-+]?[0-9０-９.．]+\s*[%％]?", text):
        raise CellProblem(f"expected a number such as 3.5, got {text!r}", "write the number alone, without units (分)")
    return text.replace(" ", "")


def _mapping(text: str) -> str:
    """'late: 1, fields: 3' (Chinese punctuation too) → '{late: 1, fields: 3}'; 无 → '{}'."""
    if text in ("无", "没有", "0"):
        return "{}"
    body = re.sub(r"\s*[：:]\s*", ": ", text)
    body = re.sub(r"\s*[，,；;、]\s*", ", ", body)
    return "{" + body.strip(", ") + "}"


def _quoted(text: str) -> str:
    from .yamltext import scalar
    return scalar(text, flow=True)


def cell_text(value, number_format: str) -> str:
    """A cell's text as a result: a number in a percentage cell reads 92.5% (0.925 shown as %)."""
    from .tables import cell_text as shown
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (number_format or ""):
        return number_text(Decimal(repr(value)) * 100 if isinstance(value, float) else Decimal(value) * 100) + "%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shown(value)


def fill_hint(rule) -> str:
    """What to write in a workbook's cells for this rule (the 计分规则 column's last line)."""
    name = rule.name
    if name == "check":
        return "填写：是 或 否"
    if name == "levels":
        return "填写：" + " / ".join(choices(rule))
    if name in MEASURED:
        relative = getattr(rule, "relative_to", None)
        unit = "百分比，如 92.5%" if percent_rule(rule) else "数值"
        if relative in ("baseline", "target"):
            return f"填写：评分结果填实际值（{unit}），{EXTRA_COLUMNS[relative]}填{EXTRA_COLUMNS[relative][:-1]}"
        if relative in ("best", "mean"):
            return f"填写：本单位的{unit}（与其他单位比较计分）"
        return f"填写：{unit}；多期取平均可写 92%、95%；按数量计时，评分结果填达标数、总数填总数"
    if name == "deduct":
        if rule.items:
            return "填写：发生的事项及次数，如 " + "，".join(f"{i.key}: 1" for i in rule.items[:2]) + "；无则写 无。事项：" + \
                "；".join(f"{i.key}＝{i.label}" for i in rule.items + rule.bonus_items)
        return "填写：缺的次数" + ("；超出数填超出的条数" if rule.bonus_every else "")
    if name == "share":
        return "填写：评分结果填完成项数，总数填总项数"
    if name == "judged":
        return f"填写：评定的分数，0 至满分，以{plain(rule.step)}分为单位"
    if name == "tally":
        return "填写：数量"
    if name == "ballots":
        return "填写：各档票数，如 " + "，".join(f"{b.key}: 0" for b in rule.ballots)
    return "填写：本单位的数值（与其他单位比较计分）"
